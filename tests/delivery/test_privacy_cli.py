"""``portfolio privacy scan``: JSON lines in, findings with offsets out; bad lines stop with a clear error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from click.testing import Result

Cli = Callable[..., Result]


def test_scan_writes_one_line_of_findings_per_text(cli: Cli) -> None:
    lines: list[dict[str, Any]] = [
        {"id": "a", "text": "Ring Dean Walsh on 07700 900123."},
        {"id": 2, "text": "No personal data here."},
        {"id": "c", "text": "I, Aisha Khan, met Tom Hughes.", "learner": "Aisha Khan"},
    ]
    result = cli("privacy", "scan", input="".join(json.dumps(x) + "\n" for x in lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out] == ["a", 2, "c"]
    first = out[0]["findings"]
    assert {"kind": "phone", "start": 19, "end": 31, "text": "07700 900123"} in first
    assert any(f["kind"] == "name" and "Walsh" in f["text"] for f in first)
    for o, x in zip(out, lines, strict=True):
        for f in o["findings"]:
            assert x["text"][f["start"] : f["end"]] == f["text"]
            assert set(f) == {"kind", "start", "end", "text"}
    assert out[1]["findings"] == []
    assert [f["text"] for f in out[2]["findings"]] == ["Tom Hughes"]


def test_no_names_skips_the_model(cli: Cli) -> None:
    result = cli("privacy", "scan", "--no-names", input='{"id":1,"text":"Dean: 07700 900123"}\n')
    assert json.loads(result.output)["findings"] == [
        {"kind": "phone", "start": 6, "end": 18, "text": "07700 900123"}
    ]


def test_bad_lines_stop_with_the_line_number(cli: Cli) -> None:
    good = '{"id":1,"text":"Call 07700 900123."}\n'
    for bad, message in [
        ("not json\n", "stdin line 2: not JSON"),
        ("[1, 2]\n", 'stdin line 2: not a JSON object with "id" and "text"'),
        ('{"id": 3}\n', 'stdin line 2: "text" is missing or not a string'),
        ('{"id": 3, "text": 5}\n', 'stdin line 2: "text" is missing or not a string'),
        ('{"id": 3, "text": "x", "learner": 7}\n', '"learner" must be a name or a list'),
    ]:
        result = cli("privacy", "scan", "--no-names", input=good + bad)
        assert result.exit_code == 1
        assert message in result.output
        assert json.loads(result.output.splitlines()[0])["id"] == 1  # the good line was written


def test_identifiers_from_the_command_line(cli: Cli) -> None:
    text = '{"id":1,"text":"Client CR-123456 rang."}\n'
    result = cli(
        "privacy", "scan", "--no-names", "--identifier", r"client_ref=CR-\d{6}", input=text
    )
    assert json.loads(result.output)["findings"] == [
        {"kind": "client_ref", "start": 7, "end": 16, "text": "CR-123456"}
    ]
    for option, message in [("ref", "write KIND=REGEX"), ("email=x", "built-in kind")]:
        result = cli("privacy", "scan", "--identifier", option, input=text)
        assert result.exit_code == 2
        assert message in result.output


def test_a_line_nested_thousands_deep_is_named_not_a_traceback(cli: Cli) -> None:
    good = '{"id":1,"text":"Call 07700 900123."}\n'
    for bad, message in [
        ("[" * 100_000 + "\n", "stdin line 2: JSON nested too deeply"),
        ('{"id": 2, "text": "\\ud800"}\n', "stdin line 2, /text: text that is not valid Unicode"),
    ]:
        result = cli("privacy", "scan", "--no-names", input=good + bad)
        assert result.exit_code == 1
        assert message in result.output
        assert len(result.output.splitlines()) == 2  # the good line, then the error
