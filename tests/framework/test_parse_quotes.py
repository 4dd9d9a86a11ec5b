"""The framework readers' warnings and errors quote what a file holds in the app's quotes (“…”),
as an administrator sees them in the import preview, never in Python's ('…' from ``!r``)."""

from __future__ import annotations

import json

import pytest

from framework.case_records import EXTENSION
from framework.parse import parse
from framework.parse.case import parse_case
from framework.parse.csv_units import parse_csv
from framework.parse.nos_page import parse_nos_page
from framework.parse.topic_guide import parse_topic_guide
from framework.spec import FrameworkFormatError

from .conftest import SHARED

HEADER = "framework_code,framework_title,version,standard_code,standard_title,kind,criterion_code,criterion_text"


def _refusal(read, *args) -> str:
    with pytest.raises(FrameworkFormatError) as error:
        read(*args)
    return str(error.value)


@pytest.mark.parametrize(
    ("read", "args", "words"),
    [
        (parse, (b"x", "x.txt", "bogus"), "unknown format “bogus”"),
        (parse_csv, (f"{HEADER}\nCU,T,1,CU1,S,X,P1,a\n",), "unknown kind “X”"),
        (
            parse_csv,
            (f"{HEADER}\nCU,T,1,CU1,S,P,P1,a\nZZ,T,1,CU1,S,P,P2,b\n",),
            "“ZZ” differs from an earlier row (“CU”)",
        ),
        (
            parse_csv,
            (f"{HEADER}\nCU,T,1,CU1,S,P,P1,a\nCU,T,1,CU1,Other,P,P2,b\n",),
            "differs from an earlier row (“S”)",
        ),
        (
            parse_nos_page,
            ("T\nYou must be able to:\n1. a\nYou need to know and understand:\nnot numbered\n",),
            "text before the first numbered criterion: “not numbered”",
        ),
        (
            parse_nos_page,
            ("Title only\nYou must be able to:\nYou need to know and understand:\n1. x\n",),
            "expected a “You must be able to:” list",
        ),
        (
            parse_topic_guide,
            ("Topic Synopsis\nA.\nExaminer Marking Points\n- x\nTopic Synopsis\nB.\n",),
            "section “Topic Synopsis” appears twice",
        ),
    ],
)
def test_readers_quote_values_in_the_apps_quotes(read, args, words: str) -> None:
    message = _refusal(read, *args)
    assert words in message, message
    assert "'" not in message, message


def test_a_case_package_code_that_is_not_one_is_quoted_in_words() -> None:
    path = SHARED / "external" / "case" / "packages" / "SequenceNumberFramework.json"
    package = json.loads(path.read_bytes())
    package["CFDocument"]["extensions"] = {EXTENSION: {"code": "x y"}}
    warnings = parse_case(json.dumps(package).encode(), source=path.name).warnings
    assert "the framework code “x y” in the package is not a code; not used" in warnings, warnings
