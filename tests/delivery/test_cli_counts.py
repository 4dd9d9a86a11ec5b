"""Commands count as people do: "1 file", "2 files", never "file(s)" (portfolio.words.count_words,
which `retention apply` already used)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import delivery.cli

# the label of a field on an LTI platform's own form, quoted as the platform writes it
QUOTED_FROM_ELSEWHERE = ("Redirection URI(s)",)


def test_no_command_counts_in_brackets() -> None:
    """In the text of every command and migration (its strings, not its code)."""
    commands = Path(delivery.cli.__file__).parent
    found = []
    for folder in (commands, commands.parent / "migrations"):
        for path in sorted(folder.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    text = node.value
                    for quoted in QUOTED_FROM_ELSEWHERE:
                        text = text.replace(quoted, "")
                    found += [f"{path.name}: {m}" for m in re.findall(r"[a-z]\(s\)", text)]
    assert found == []


def test_counts_say_one_or_many(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path))
    assert cli("summaries", "refresh").output.startswith(
        "Stored today's summaries of 0 registrations"
    )
    assert cli("badges", "issue", "--base-url", "https://portfolio.example").output.startswith(
        "0 badges issued"
    )
    assert cli("audit", "baseline").output.startswith("Recorded ")
    assert "row(s)" not in cli("audit", "baseline").output
    assert cli("privacy", "backfill", "--dry-run").output.startswith("Would scan 0 texts and 0 ")
