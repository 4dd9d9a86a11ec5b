"""The bundle's front page says where each item and sign-off stands in words ("Draft",
"Submitted", "Signed off"), as the app's pages do, never the stored codes ("draft",
"submitted", "signed") of its manifest.json."""

from __future__ import annotations

import io
import re
import zipfile

from exports.bundle import write_bundle
from portfolio.services.files import FileStore
from tests.exports.export_case import build_case


def _cells(html: str) -> list[str]:
    return re.findall(r"<td>([^<]*)</td>", html)


def test_the_front_page_says_statuses_in_words(
    session, tmp_path, make_person, make_registration, make_evidence
) -> None:
    store = FileStore(tmp_path / "files")
    case = build_case(session, store, make_person, make_registration, make_evidence)
    make_evidence(case.learner, title="Unfinished notes", submit=False)
    out = io.BytesIO()
    write_bundle(session, store, case.learner.id, out, centre="Northfield")
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        cells = _cells(zf.read("index.html").decode())
    assert "Draft" in cells and "Submitted" in cells and "Signed off" in cells
    assert not {"draft", "submitted", "signed", "reopened"} & set(cells)
