"""The evidence page does not say "no personal data found" of a draft whose attached files are
still being read: their text is checked only once read, so the page says which files are still
to be checked (a learner attached an 18 MB shift log, read "no personal data found", and on
reloading found a name in it waiting for them to replace or confirm)."""

from __future__ import annotations

import io
import re

from sqlmodel import select

from delivery.web.evidence import readings
from mappings.assessment import reading as jobs
from portfolio.models import Attachment


def _privacy(page: str) -> str:
    """The "Personal data" section's text."""
    section = page.split('id="privacy-heading"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def test_files_still_being_read_are_not_said_to_hold_no_personal_data(
    app, client, auth, make_evidence, session, monkeypatch
) -> None:
    app.config["READINGS_INLINE"] = False
    started: list[list[int]] = []
    monkeypatch.setattr(readings, "start", started.append)  # the reading waits for its job
    learner = auth.login("learner")
    item = make_evidence(learner, title="Shift log", body="Notes of the week.", submit=False)
    r = client.post(
        f"/evidence/{item.id}/attachments",
        data={"file": (io.BytesIO(b"Supported the job seeker at work.\n"), "shift log.txt")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302 and started

    said = _privacy(client.get(f"/evidence/{item.id}").get_data(as_text=True))
    assert "no personal data found." not in said
    assert "no personal data found so far" in said
    assert "shift log.txt is still being read: it is checked once read" in said

    attachment = session.exec(select(Attachment)).one()
    factory = app.extensions["portfolio"].session_factory
    jobs.read_attachment(factory, attachment.id, store_root=app.config["FILE_STORE"])
    said = _privacy(client.get(f"/evidence/{item.id}").get_data(as_text=True))
    assert "no personal data found." in said
    assert "still being read" not in said
