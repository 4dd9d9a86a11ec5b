"""The sign-off record says its assessment methods in words: under each table of criteria, a key
to the codes that table uses ("WT witness testimony"), in the order of the framework's method
table and only those that appear, since a learner or an employer may not know the codes."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import docx
from docx.oxml.ns import qn

from exports.signoff import CriterionRow, EvidenceRow, SignoffView, build_signoff_docx
from portfolio.refs import EvidenceRef

ViewFactory = Callable[..., SignoffView]


def _row(code: str, kind: str, *methods: tuple[str, ...]) -> CriterionRow:
    evidence = tuple(
        EvidenceRow(
            ref=EvidenceRef(10 + i, 1),
            title=f"Evidence {i}",
            kind="observation record",
            activity_date=date(2026, 11, 2),
            methods=used,
            accepted_on=date(2026, 12, 1),
        )
        for i, used in enumerate(methods)
    )
    return CriterionRow(code=code, kind=kind, text=f"criterion {code}", evidence=evidence)


def _after_each_table(data: bytes) -> list[str]:
    """The text of the paragraph that follows each table of the document, opened again."""
    body = list(docx.Document(io.BytesIO(data)).element.body.iterchildren())
    return [
        "".join(t.text or "" for t in body[i + 1].iter(qn("w:t")))
        for i, element in enumerate(body)
        if element.tag == qn("w:tbl")
    ]


def test_each_table_has_a_key_to_the_methods_it_uses(view_factory: ViewFactory) -> None:
    criteria = (
        _row("P1", "performance", ("WT",), ("O",)),
        _row("P2", "performance", ("WT",)),
        _row("K1", "knowledge", ("RA", "Q")),
    )
    data = build_signoff_docx(view_factory(criteria=criteria))
    keys = [t for t in _after_each_table(data) if t.startswith("Key to the methods")]
    assert keys == [
        "Key to the methods: O observation, WT witness testimony.",
        "Key to the methods: Q questioning, RA reflective account.",
    ]
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "professional discussion" not in text and "product" not in text


def test_the_key_names_the_frameworks_own_methods_and_skips_a_table_without_any(
    view_factory: ViewFactory,
) -> None:
    criteria = (
        _row("P1", "performance", ("OBS",), ("ZZ",)),  # ZZ: a code the framework does not name
        _row("K1", "knowledge"),  # no evidence: no method, no key
    )
    names = (("OBS", "observation in the workplace"), ("WT", "witness testimony"))
    data = build_signoff_docx(view_factory(criteria=criteria, method_names=names))
    after = _after_each_table(data)
    assert after[0] == "Key to the methods: OBS observation in the workplace."
    assert not any(t.startswith("Key to the methods") for t in after[1:])
