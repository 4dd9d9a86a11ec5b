"""The bundle's front page says the day a standard was signed off as the centre's day (its
``TIME_ZONE``, given to ``write_bundle`` by the page and the commands): a sign-off at 23:30 UTC
on 30 Jun 2026 was made at 00:30 on 1 Jul in London. The sign-offs' table says its time on the
same clock, as the sign-off record does ("1 Jul 2026, 00:30 BST")."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from exports.bundle import write_bundle
from portfolio.services.files import FileStore
from tests.exports.export_case import build_case


def _index(session, store, learner_id: int, **kw) -> str:
    out = io.BytesIO()
    write_bundle(session, store, learner_id, out, centre="Northfield", **kw)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        return zf.read("index.html").decode()


def test_the_front_page_says_the_centres_day_of_sign_off(
    session, tmp_path, make_person, make_registration, make_evidence
) -> None:
    store = FileStore(tmp_path / "files")
    case = build_case(session, store, make_person, make_registration, make_evidence)
    case.signoff.signed_at = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 BST on 1 Jul
    session.add(case.signoff)
    session.commit()
    london = _index(session, store, case.learner.id)
    assert ">1 Jul 2026</a>" in london and ">30 Jun 2026</a>" not in london
    assert "1 Jul 2026, 00:30 BST" in london and "23:30" not in london  # as the record says it
    # the zone is the one given: 02:30 UTC on 1 Jul was 22:30 on 30 Jun in New York
    case.signoff.signed_at = datetime(2026, 7, 1, 2, 30, tzinfo=UTC)
    session.add(case.signoff)
    session.commit()
    new_york = _index(session, store, case.learner.id, zone=ZoneInfo("America/New_York"))
    assert ">30 Jun 2026</a>" in new_york and ">1 Jul 2026</a>" not in new_york
    assert "30 Jun 2026, 22:30 EDT" in new_york
