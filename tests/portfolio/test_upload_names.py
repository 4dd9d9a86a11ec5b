"""A file's name comes from outside (the browser, a program, a Leap2A or bundle file): it is
kept on one line and without the marks that reorder what a page shows."""

from __future__ import annotations

import io

from sqlmodel import select

from portfolio.models import Attachment
from portfolio.services import evidence
from tests.conftest import actor_of
from tests.portfolio.test_evidence import _new_star


def test_a_file_name_with_a_line_break_or_reordering_mark_is_kept_plain(
    client, auth, session, app
) -> None:
    """As a Leap2A file or a program may name it (a browser's form cannot send a line break)."""
    from delivery.web.context import file_store

    learner = auth.login("learner")
    evidence_id = _new_star(client, learner)
    with app.app_context():
        store = file_store()
    for name in ("notes\r\nSet-Cookie: a=b.txt", "invoice\u202etxt.exe.txt"):
        evidence.attach(
            session,
            actor=actor_of(learner),
            store=store,
            evidence_id=evidence_id,
            filename=name,
            stream=io.BytesIO(b"Supervision notes."),
            max_bytes=1024 * 1024,
        )
    session.commit()
    names = sorted(a.filename for a in session.exec(select(Attachment)))
    assert names == ["invoice txt.exe.txt", "notes Set-Cookie: a=b.txt"]
    for attachment in session.exec(select(Attachment)):
        download = client.get(f"/files/{attachment.id}")
        assert download.status_code == 200 and "Set-Cookie" not in download.headers


def test_a_stored_name_with_a_line_break_still_downloads(client, auth, session) -> None:
    """Stored before names were cleaned: its download was a server error (a header may not
    hold a line break)."""
    learner = auth.login("learner")
    evidence_id = _new_star(client, learner)
    client.post(
        f"/evidence/{evidence_id}/attachments",
        data={"file": (io.BytesIO(b"Supervision notes."), "notes.txt")},
        content_type="multipart/form-data",
    )
    attachment = session.exec(select(Attachment)).one()
    attachment.filename = "notes\nmore.txt"
    session.add(attachment)
    session.commit()
    download = client.get(f"/files/{attachment.id}")
    assert download.status_code == 200
    assert "notes more.txt" in download.headers["Content-Disposition"]
