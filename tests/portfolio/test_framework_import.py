"""Loading frameworks: identical again changes nothing, changed content is refused with a diff or
becomes a new version, learners stay on their version, bad files write nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from sqlmodel import func, select

from demo.accounts import sample_framework_text
from framework.parse import parse
from framework.parse.nos_text import parse_nos_text
from portfolio.models import Criterion, Framework, Registration, Standard
from portfolio.services.frameworks import import_framework, load_spec
from portfolio.services.people import SYSTEM


def _counts(session) -> tuple[int, int, int]:
    return (
        session.exec(select(func.count()).select_from(Framework)).one(),
        session.exec(select(func.count()).select_from(Standard)).one(),
        session.exec(select(func.count()).select_from(Criterion)).one(),
    )


def test_identical_import_changes_nothing(session) -> None:
    before = _counts(session)
    result = import_framework(session, actor=SYSTEM, spec=parse_nos_text(sample_framework_text()))
    assert result.status == "unchanged" and "nothing changed" in result.message
    assert _counts(session) == before


def test_changed_content_is_refused_with_a_diff_then_imported_as_new_version(
    session, make_registration
) -> None:
    reg = make_registration(codes="SE04")
    old_fw_id = reg.framework_id
    spec = parse_nos_text(sample_framework_text())
    se04 = next(s for s in spec.standards if s.code == "SE04")
    changed = copy.deepcopy(se04.criteria[0])
    se04.criteria[0] = type(changed)(
        kind=changed.kind,
        code=changed.code,
        text=changed.text + " and record it",
        position=changed.position,
    )
    before = _counts(session)
    refused = import_framework(session, actor=SYSTEM, spec=copy.deepcopy(spec))
    assert refused.status == "refused"
    assert any(line.startswith("~ SE04 P1:") and "record it" in line for line in refused.diff)
    assert _counts(session) == before
    dry = import_framework(
        session, actor=SYSTEM, spec=copy.deepcopy(spec), new_version=True, dry_run=True
    )
    assert dry.status == "would_add_version" and _counts(session) == before
    result = import_framework(session, actor=SYSTEM, spec=spec, new_version=True)
    assert result.status == "new_version" and result.version == "2"
    assert _counts(session)[2] == before[2] + 188
    # the learner stays on the version they started; the old criteria are still there
    assert session.get(Registration, reg.id).framework_id == old_fw_id
    old = load_spec(session, old_fw_id)
    assert (
        not next(s for s in old.standards if s.code == "SE04")
        .criteria[0]
        .text.endswith("record it")
    )


def test_cli_import_show_list_export_round_trip(cli, tmp_path, shared) -> None:
    guide = shared / "seeds" / "000_89b4bdea8fcf20f4.txt"
    r = cli(
        "framework",
        "import",
        str(guide),
        "--format",
        "topic-guide",
        "--code",
        "MP1",
        "--title",
        "Managing performance",
    )
    assert r.exit_code == 0, r.output
    assert "Imported" in r.output
    r = cli(
        "framework",
        "import",
        str(guide),
        "--format",
        "topic-guide",
        "--code",
        "MP1",
        "--title",
        "Managing performance",
    )
    assert "nothing changed" in r.output
    listing = json.loads(cli("framework", "list", "--json").output)
    assert {f["code"] for f in listing} >= {"SE", "MP1"}
    shown = json.loads(cli("framework", "show", "SE04", "--json").output)
    assert [s["code"] for s in shown["standards"]] == ["SE04"]
    assert len(shown["standards"][0]["criteria"]) == 10 + 14
    for fmt in ("json", "csv", "docx"):
        out = tmp_path / f"se.{fmt}"
        r = cli(
            "framework",
            "export",
            "SE04" if fmt == "docx" else "SE",
            "--format",
            fmt,
            "-o",
            str(out),
        )
        assert r.exit_code == 0, r.output
        back = parse(out.read_bytes(), out.name)
        se04 = next(s for s in back.standards if s.code == "SE04")
        assert len(se04.criteria) == 24


def test_cli_bad_files_give_clear_errors_and_write_nothing(cli, tmp_path, session) -> None:
    before = _counts(session)
    cases = {
        "empty.txt": b"",
        "binary.txt": b"\x00\x01\x02\xff" * 10,
        "broken.docx": b"this is not a zip",
        "latin1.txt": "LSI SE01 caf\xe9".encode("latin-1"),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        r = cli("framework", "import", str(path))
        assert r.exit_code != 0, name
        assert name in r.output, r.output
    assert _counts(session) == before


def test_cli_dry_run_writes_nothing(cli, shared, session) -> None:
    before = _counts(session)
    r = cli(
        "framework",
        "import",
        str(shared / "seeds" / "001_846e160275ef996a.txt"),
        "--format",
        "topic-guide",
        "--dry-run",
    )
    assert r.exit_code == 0 and "A check only, nothing saved yet" in r.output
    assert _counts(session) == before


def test_cli_groups_a_lenient_case_packages_warnings(cli, session) -> None:
    """A real OpenSALT package printed 59 "warning:" lines, one per place; the command line
    groups them by kind as the upload page does (framework/parse/warning_groups.py)."""
    folder = Path(__file__).parents[1] / "data/shared/external/case/packages"
    path = next(folder.glob("opensalt-framework-*.json"))
    r = cli("framework", "import", str(path), "--dry-run")
    assert r.exit_code == 0, r.output
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning: ")]
    assert 1 < len(warnings) <= 10
    assert any(line.endswith("places)") for line in warnings)
    assert not any("2017-" in line for line in warnings)


def test_an_import_counts_one_standard_and_one_criterion_in_words(cli, session) -> None:
    """OpenSALT's ItemTypeTestFramework has one standard with one criterion: the outcome says
    "1 standard, 1 criterion", not "1 standards, 1 criteria"."""
    folder = Path(__file__).parents[1] / "data/shared/external/case/packages"
    path = folder / "ItemTypeTestFramework.json"
    dry = cli("framework", "import", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "this would import ITT version 1: 1 standard, 1 criterion." in dry.output
    made = cli("framework", "import", str(path))
    assert "Imported ITT version 1: 1 standard, 1 criterion." in made.output
