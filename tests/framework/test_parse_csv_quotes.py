"""The CSV reader names the line of every quoting fault that would change which rows are read,
however many the file holds: a quote never closed after another fault was missed, or named
without the line where the rows began to be swallowed."""

from __future__ import annotations

import pytest

from framework.parse.csv_units import parse_csv
from framework.spec import FrameworkFormatError

HEADER = (
    "framework_code,framework_title,version,standard_code,standard_title,kind,"
    "criterion_code,criterion_text"
)


def _refused(body: str) -> FrameworkFormatError:
    with pytest.raises(FrameworkFormatError) as refused:
        parse_csv(f"{HEADER}\n{body}", source="u.csv")
    return refused.value


def test_a_quote_opened_after_a_stray_quote_on_its_line_and_never_closed_is_named() -> None:
    """Line 2's code "P1"x has text after its closing quote; the text cell after it opens a quote
    never closed. The check read strictly, gave up on the line at the stray quote and never saw
    the opening one, so lines 3 and 4 were read silently into P1's text."""
    body = 'CU,T,1,CU1,S,P,"P1"x,"a\nCU,T,1,CU1,S,P,P2,b\nCU,T,1,CU1,S,P,P3,c\n'
    refused = _refused(body)
    assert refused.place == "line 2"
    assert 'a quote (") opened on line 2 is never closed' in refused.message
    assert "text follows a closing quote on line 2" in refused.message


def test_a_stray_quote_then_a_quote_never_closed_later_names_both_lines() -> None:
    """The quote opened on line 2 closes at line 4's opening quote, which the file meant to open
    a cell never closed: lines 2 to 4 are one cell. Only line 4 was named, as never closed."""
    body = (
        'CU,T,1,CU1,S,P,"P1"x,"a\nCU,T,1,CU1,S,P,P2,b\nCU,T,1,CU1,S,P,P3,"c\nCU,T,1,CU1,S,P,P4,d\n'
    )
    refused = _refused(body)
    assert refused.place == "line 2"
    assert 'a quote (") opened on line 2 closes only on line 4' in refused.message
    assert "lines 2 to 4 would be read as one cell" in refused.message


def test_a_stray_quote_mid_cell_and_a_quote_never_closed_later() -> None:
    """A quote inside an unquoted cell is text, as spreadsheets write it; the later quote never
    closed is named by its own line."""
    body = (
        'CU,T,1,CU1,S,P,P1,plan "the" work\n'
        "CU,T,1,CU1,S,P,P2,b\n"
        'CU,T,1,CU1,S,P,P3,"c\n'
        "CU,T,1,CU1,S,P,P4,d\n"
    )
    refused = _refused(body)
    assert refused.place == "line 4"
    assert 'a quote (") opened on line 4 is never closed' in refused.message


def test_every_quoting_fault_is_named() -> None:
    body = (
        'CU,T,1,CU1,S,P,"P1"x,a\n'  # text after a closing quote: read as P1x, but named
        "CU,T,1,CU1,S,P,P2,b\n"
        'CU,T,1,CU1,S,P,P3,"c\n'  # opens a cell that runs on to line 6
        "CU,T,1,CU1,S,P,P4,d\n"
        'CU,T,1,CU1,S,P,P5,"e" and more\n'  # ... where the quote closes and text follows
        "CU,T,1,CU1,S,P,P6,f\n"
        'CU,T,1,CU1,S,P,P7,"g\n'  # never closed
    )
    refused = _refused(body)
    assert refused.place == "line 2"
    for words in (
        "text follows a closing quote on line 2",
        'a quote (") opened on line 4 closes only on line 6',
        'a quote (") opened on line 8 is never closed',
    ):
        assert words in refused.message, refused.message


def test_a_quoted_cell_over_several_lines_is_still_read() -> None:
    fw = parse_csv(f'{HEADER}\nCU,T,1,CU1,S,P,P1,"plan\nthe work"\nCU,T,1,CU1,S,P,P2,b\n')
    assert [c.text for c in fw.standards[0].criteria] == ["plan the work", "b"]


def test_text_after_a_closing_quote_alone_is_read_as_before() -> None:
    """Nothing is swallowed: the cell reads as a spreadsheet would show it, quotes taken off."""
    fw = parse_csv(f'{HEADER}\nCU,T,1,CU1,S,P,"P1"x,a\nCU,T,1,CU1,S,P,P2,"b" c\n')
    assert [(c.code, c.text) for c in fw.standards[0].criteria] == [("P1x", "a"), ("P2", "b c")]
