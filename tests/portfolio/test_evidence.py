"""Evidence: writing, versions, uploads, submission, and who may see what."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import docx
import pytest
from sqlmodel import func, select

from portfolio.errors import PermissionDenied
from portfolio.models import Attachment, AttachmentReading, AuditEntry, Evidence, EvidenceVersion
from portfolio.models.evidence import ASSESSOR_KINDS
from portfolio.services import evidence as service
from portfolio.services.people import Actor


def _docx_bytes(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


STAR = {
    "title": "Job match at the garden centre",
    "activity_date": "2026-03-02",
    "situation": "J wanted outdoor work.",
    "task": "Find a job that suits his *vocational profile*.",
    "action": "I met the manager and carried out a task analysis.",
    "result": "J started work on Monday.",
    "save": "Save draft",
}


def _new_star(client, learner) -> int:
    r = client.post(f"/learners/{learner.id}/evidence/new?kind=star_narrative", data=STAR)
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rsplit("/", 1)[-1])


def test_learner_writes_star_narrative_and_sees_sections(client, auth, session) -> None:
    learner = auth.login("learner")
    evidence_id = _new_star(client, learner)
    page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
    for heading in ("Situation", "Task", "Action", "Result"):
        assert f"<h3>{heading}</h3>" in page  # below the page's h2 for the text
    assert "<em>vocational profile</em>" in page
    listing = client.get("/evidence").get_data(as_text=True)
    assert "Job match at the garden centre" in listing


def test_the_date_of_the_activity_is_explained_without_jargon(client, auth) -> None:
    """ "Used to judge currency" is assessors' jargon: a learner reads "currency" as money."""
    learner = auth.login("learner")
    page = client.get(f"/learners/{learner.id}/evidence/new?kind=reflective_account")
    text = page.get_data(as_text=True)
    assert "currency" not in text
    assert "recent enough" in text


def test_the_assessor_writing_a_record_is_not_told_their_assessor_checks_its_date(
    client, auth, make_person, make_registration
) -> None:
    """The date's hint speaks to whoever writes: an assessor writing an observation record for
    a learner read "your assessor checks that evidence is recent enough", meant for learners."""
    learner = make_person("learner")
    assessor = make_person("assessor")
    make_registration(learner=learner, assessor=assessor)
    auth.login(assessor)
    for kind in ("observation_record", "professional_discussion"):
        page = client.get(f"/learners/{learner.id}/evidence/new?kind={kind}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "your assessor checks" not in text
        assert "The day you observed or discussed the work: it shows the evidence is recent" in text


def test_the_edit_page_has_a_way_back_to_the_item(client, auth) -> None:
    """A learner who opens Edit and changes their mind has a link back, not only Save draft."""
    learner = auth.login("learner")
    evidence_id = _new_star(client, learner)
    page = client.get(f"/evidence/{evidence_id}/edit").get_data(as_text=True)
    assert f'<a href="/evidence/{evidence_id}">Back to “Job match at the garden centre”</a>' in page


def test_star_narrative_needs_every_section(client, auth, session) -> None:
    learner = auth.login("learner")
    data = {**STAR, "result": ""}
    r = client.post(f"/learners/{learner.id}/evidence/new?kind=star_narrative", data=data)
    assert r.status_code == 422
    assert "Result" in r.get_data(as_text=True)
    assert session.exec(select(func.count()).select_from(Evidence)).one() == 0


def test_preview_renders_markdown_without_saving(client, auth, session) -> None:
    learner = auth.login("learner")
    r = client.post(
        f"/learners/{learner.id}/evidence/new?kind=reflective_account",
        data={
            "title": "t",
            "activity_date": "2026-01-01",
            "body": "**bold** <b>raw</b>",
            "preview": "Preview",
        },
    )
    page = r.get_data(as_text=True)
    assert "<strong>bold</strong>" in page
    assert "&lt;b&gt;raw&lt;/b&gt;" in page
    assert session.exec(select(func.count()).select_from(Evidence)).one() == 0


def test_script_in_title_and_body_is_shown_as_text(client, auth) -> None:
    learner = auth.login("learner")
    r = client.post(
        f"/learners/{learner.id}/evidence/new?kind=reflective_account",
        data={
            "title": "<script>alert(1)</script>",
            "activity_date": "2026-01-01",
            "body": "<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))",
            "save": "Save",
        },
    )
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page
    assert 'href="javascript:' not in page


def test_a_title_is_kept_on_one_line_without_marks_that_reorder_it(client, auth, session) -> None:
    """A title pasted with a line break, a tab, a zero-width space or a right-to-left override
    (which shows "Notes\u202etxt.exe" as "Notesexe.txt") is kept as plain text on one line,
    whichever way a draft is written (the page, the API, Leap2A: all through the service)."""
    learner = auth.login("learner")
    r = client.post(
        f"/learners/{learner.id}/evidence/new?kind=reflective_account",
        data={
            "title": "Notes\u202etxt.exe\nfrom\tthe\u200b review",
            "activity_date": "2026-01-01",
            "body": "What happened.",
            "save": "Save",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    version = session.exec(select(EvidenceVersion)).one()
    assert version.title == "Notes txt.exe from the review"


def test_witness_testimony_records_the_witness(client, auth) -> None:
    learner = auth.login("learner")
    r = client.post(
        f"/learners/{learner.id}/evidence/new?kind=witness_testimony",
        data={
            "title": "Testimony",
            "activity_date": "2026-01-01",
            "body": "She did well.",
            "witness_name": "Sam Boss",
            "witness_role": "Store manager",
            "witness_relationship": "Employer of the job seeker",
            "save": "Save",
        },
    )
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Sam Boss" in page and "Store manager" in page


def test_upload_docx_extracts_text_and_download_is_an_attachment(client, auth, session) -> None:
    learner = auth.login("learner")
    evidence_id = _new_star(client, learner)
    data = _docx_bytes("Better-off calculation for J")
    r = client.post(
        f"/evidence/{evidence_id}/attachments",
        data={"file": (io.BytesIO(data), "../../etc/passwd.docx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    attachment = session.exec(select(Attachment)).one()
    assert attachment.filename == "passwd.docx"
    reading = session.exec(
        select(AttachmentReading).where(AttachmentReading.attachment_id == attachment.id)
    ).one()
    assert reading.status == "done" and "Better-off calculation" in reading.text
    download = client.get(f"/files/{attachment.id}")
    assert download.status_code == 200
    assert download.data == data
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"this is plain text", "report.docx", "not a Word document"),
        (b"PK\x03\x04broken zip", "report.docx", "damaged"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "tool.exe", "tool.exe is a Windows program, which cannot"),
        (b"", "empty.txt", "empty"),
    ],
)
def test_bad_uploads_get_a_clear_error_and_store_nothing(
    client, auth, session, app, content, name, message
) -> None:
    learner = auth.login("learner")
    evidence_id = _new_star(client, learner)
    entries = session.exec(select(func.count()).select_from(AuditEntry)).one()
    r = client.post(
        f"/evidence/{evidence_id}/attachments",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    if content:
        assert r.status_code == 422
        assert message in r.get_data(as_text=True)
    assert session.exec(select(func.count()).select_from(Attachment)).one() == 0
    assert session.exec(select(func.count()).select_from(AuditEntry)).one() == entries


def test_zip_bomb_named_docx_is_refused(client, auth, session) -> None:
    learner = auth.login("learner")
    evidence_id = _new_star(client, learner)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    r = client.post(
        f"/evidence/{evidence_id}/attachments",
        data={"file": (io.BytesIO(buf.getvalue()), "bomb.docx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert "expands" in r.get_data(as_text=True)
    assert session.exec(select(func.count()).select_from(Attachment)).one() == 0


def test_oversized_upload_gets_friendly_413_and_nothing_is_stored(
    client, auth, session, app
) -> None:
    learner = auth.login("learner")
    evidence_id = _new_star(client, learner)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    r = client.post(
        f"/evidence/{evidence_id}/attachments",
        data={"file": (io.BytesIO(b"a" * (2 * 1024 * 1024)), "big.txt")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 413
    assert "File too large" in r.get_data(as_text=True)
    assert session.exec(select(func.count()).select_from(Attachment)).one() == 0


def test_submit_needs_declaration_then_edit_makes_a_new_version(client, auth, session) -> None:
    learner = auth.login("learner")
    evidence_id = _new_star(client, learner)
    r = client.post(f"/evidence/{evidence_id}/submit", data={})
    assert r.status_code == 422 and "declaration" in r.get_data(as_text=True)
    r = client.post(f"/evidence/{evidence_id}/submit", data={"declaration": "y"})
    assert r.status_code == 302
    first = session.exec(select(EvidenceVersion).where(EvidenceVersion.number == 1)).one()
    assert first.declared_at is not None
    frozen_hash = first.sha256
    r = client.post(
        f"/evidence/{evidence_id}/edit",
        data={**STAR, "result": "J has kept the job for a month.", "expected_version": "1"},
    )
    assert r.status_code == 302
    versions = session.exec(select(EvidenceVersion).order_by(EvidenceVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].sha256 == frozen_hash and "started work on Monday" in versions[0].body
    assert "kept the job" in versions[1].body and versions[1].sha256 != frozen_hash
    old_page = client.get(f"/evidence/{evidence_id}/versions/1").get_data(as_text=True)
    assert "started work on Monday" in old_page
    # each version has a title of its own, as the page says which it is (WCAG 2.4.2)
    title = STAR["title"]
    assert f"<title>{title}, version 1 of 2 ·" in old_page
    assert f"<title>{title}, version 2 of 2 ·" in client.get(
        f"/evidence/{evidence_id}/versions/2"
    ).get_data(as_text=True)
    assert f"<title>{title} ·" in client.get(f"/evidence/{evidence_id}").get_data(as_text=True)


def test_stale_edit_is_refused_and_loses_nothing(client, auth, session) -> None:
    learner = auth.login("learner")
    evidence_id = _new_star(client, learner)
    client.post(f"/evidence/{evidence_id}/submit", data={"declaration": "y"})
    client.post(f"/evidence/{evidence_id}/edit", data={**STAR, "expected_version": "1"})
    r = client.post(
        f"/evidence/{evidence_id}/edit",
        data={**STAR, "title": "Other tab", "expected_version": "1"},
    )
    assert r.status_code == 409
    assert session.get(Evidence, evidence_id).title == STAR["title"]


def test_learners_cannot_see_each_others_evidence_or_files(
    client, auth, make_person, session
) -> None:
    owner = make_person("learner")
    actor = Actor(id=owner.id, name=owner.name, roles=frozenset({"learner"}))
    item = service.create(
        session,
        actor=actor,
        learner_id=owner.id,
        draft=service.Draft(
            kind="reflective_account", title="Private", activity_date=date(2026, 1, 1), body="x"
        ),
    )
    session.commit()
    auth.login("learner")
    assert client.get(f"/evidence/{item.id}").status_code == 404
    assert client.get(f"/learners/{owner.id}/evidence").status_code == 404
    assert client.post(f"/evidence/{item.id}/submit", data={"declaration": "y"}).status_code == 404
    assert client.get(f"/learners/{owner.id}/evidence/new").status_code == 404


def test_allocated_assessor_sees_evidence_and_writes_observations(
    client, auth, make_person, make_registration, session
) -> None:
    learner = make_person("learner")
    assessor = make_person("assessor")
    make_registration(learner=learner, assessor=assessor)
    other_assessor = make_person("assessor")
    actor = Actor(id=learner.id, name=learner.name, roles=frozenset({"learner"}))
    item = service.create(
        session,
        actor=actor,
        learner_id=learner.id,
        draft=service.Draft(
            kind="reflective_account", title="Shared", activity_date=date(2026, 1, 1), body="x"
        ),
    )
    session.commit()
    auth.login(other_assessor)
    assert client.get(f"/evidence/{item.id}").status_code == 404
    auth.logout()
    auth.login(assessor)
    assert client.get(f"/evidence/{item.id}").status_code == 200
    r = client.post(
        f"/learners/{learner.id}/evidence/new?kind=observation_record",
        data={
            "title": "Observed coaching",
            "activity_date": "2026-02-01",
            "body": "Faded prompts well.",
            "save": "Save",
        },
    )
    assert r.status_code == 302
    # an assessor may not write a learner's own kinds of evidence
    r = client.post(
        f"/learners/{learner.id}/evidence/new?kind=reflective_account",
        data={"title": "x", "activity_date": "2026-02-01", "body": "x", "save": "Save"},
    )
    assert r.status_code == 403


def test_evidence_list_issues_the_same_number_of_statements_for_5_and_500(
    client, auth, session, count_queries
) -> None:
    learner = auth.login("learner")

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            item = Evidence(
                learner_id=learner.id,
                kind="product",
                title=f"P{i}",
                activity_date=date(2026, 1, 1),
                created_by=learner.id,
            )
            session.add(item)
            session.flush()
            version = EvidenceVersion(
                evidence_id=item.id,
                number=1,
                title=item.title,
                activity_date=item.activity_date,
                created_by=learner.id,
            )
            session.add(version)
            session.flush()
            session.add(
                Attachment(
                    version_id=version.id,
                    sha256="0" * 64,
                    filename="f.txt",
                    mime="text/plain",
                    size=1,
                )
            )
        session.commit()

    add(0, 5)
    with count_queries() as small:
        assert client.get("/evidence").status_code == 200
    add(5, 500)
    with count_queries() as large:
        page = client.get("/evidence")
    assert page.status_code == 200 and "P499" in page.get_data(as_text=True)
    # the log-in with the notices in the header, the page with how many (no person read: the
    # list is the one logged in); no decision states: none is submitted
    assert large.count == small.count == 2, large.statements


def test_evidence_list_pages_and_filters_by_status(client, auth, make_evidence) -> None:
    learner = auth.login("learner")
    for i in range(service.PAGE_SIZE + 3):
        make_evidence(learner, title=f"Item {i:03d}", activity_date=date(2026, 1, 1 + i % 28))
    for i in range(2):
        make_evidence(learner, title=f"Unsent {i}", activity_date=date(2025, 6, 1), submit=False)
    total = service.PAGE_SIZE + 5

    first = client.get("/evidence").get_data(as_text=True)
    assert f"Showing 1–{service.PAGE_SIZE} of {total}." in first
    assert 'aria-label="Pages of evidence"' in first and 'rel="next"' in first
    assert "Unsent" not in first  # the oldest activity comes last

    last = client.get("/evidence?page=2").get_data(as_text=True)
    assert f"Showing {service.PAGE_SIZE + 1}–{total} of {total}." in last
    assert "Unsent 0" in last and "Unsent 1" in last and 'rel="prev"' in last
    # a page past the end shows the last page, a nonsense page the first
    assert "Unsent 0" in client.get("/evidence?page=99").get_data(as_text=True)
    assert f"Showing 1–{service.PAGE_SIZE}" in client.get("/evidence?page=x").get_data(as_text=True)

    drafts = client.get("/evidence?status=draft").get_data(as_text=True)
    assert "Showing 1–2 of 2 (drafts)." in drafts and "Item 000" not in drafts
    assert "Pages of evidence" not in drafts
    # an unknown status is ignored rather than an error
    assert f"of {total}." in client.get("/evidence?status=<b>").get_data(as_text=True)


@pytest.mark.parametrize(
    "page,pages,expected",
    [
        (1, 1, [1]),
        (1, 4, [1, 2, 3, 4]),
        (1, 10, [1, 2, 3, None, 9, 10]),
        (6, 10, [1, 2, None, 4, 5, 6, 7, 8, 9, 10]),
        (5, 12, [1, 2, 3, 4, 5, 6, 7, None, 11, 12]),
    ],
)
def test_page_window_links_the_ends_and_the_neighbourhood(page, pages, expected) -> None:
    listing = service.EvidencePage(rows=[], total=pages * 10, page=page, per_page=10)
    assert listing.window() == expected


def test_home_lists_the_latest_evidence_and_links_to_all_drafts(
    client, auth, make_evidence
) -> None:
    from delivery.web.home.dashboard import DRAFTS_SHOWN, LATEST_EVIDENCE

    learner = auth.login("learner")
    for i in range(DRAFTS_SHOWN + 2):
        make_evidence(
            learner, title=f"Draft {i:02d}", activity_date=date(2026, 2, 1 + i), submit=False
        )
    make_evidence(learner, title="Newest", activity_date=date(2026, 3, 1))
    page = client.get("/").get_data(as_text=True)
    mine = page[page.index('id="my-evidence"') :]
    assert mine.count("<li>") == LATEST_EVIDENCE and "Newest" in mine
    assert f"All my evidence ({DRAFTS_SHOWN + 3})" in mine
    todo = page[page.index('id="next"') : page.index('id="my-standards"')]
    assert todo.count("Draft ") == DRAFTS_SHOWN
    assert f"See all {DRAFTS_SHOWN + 2} drafts" in todo and "/evidence?status=draft" in todo


def test_learner_home_issues_the_same_number_of_statements_for_3_and_60_items(
    session, client, auth, make_evidence, make_person, make_registration, count_queries
) -> None:
    """Drafts, submitted items, claims awaiting, referrals (some answered), registrations and
    the assessor's open plans: the home page reads them in the same number of statements
    whatever their number (11: the open plans are one statement, the first few of them; the
    decision state of the latest few items one more, over their ids)."""
    from datetime import timedelta

    from mappings.assessment import claims, plans
    from mappings.assessment.models import Claim
    from tests.conftest import actor_of

    learner = auth.login("learner")
    assessor = make_person("assessor")
    reg = make_registration(learner=learner, assessor=assessor, codes="SE01,SE03")
    criteria = [c.criterion_id for c in claims.claimable_criteria(session, learner.id)]
    counts = []
    for n in (3, 57):
        for i in range(n):
            plans.set_plan(
                session,
                actor=actor_of(assessor),
                registration_id=reg.id,
                title=f"Plan {n}-{i}",
                body="Write about it.",
                criterion_ids=criteria[:2],
                due_on=date.today() + timedelta(days=i),
            )
            item = make_evidence(learner, title=f"Item {n}-{i}", submit=i % 2 == 0)
            if i % 2 == 0:
                claims.set_claims(
                    session,
                    actor=actor_of(learner),
                    evidence_id=item.id,
                    criterion_ids=criteria[i % 9 : i % 9 + 2],
                )
                if i % 4 == 0:
                    claim = session.exec(select(Claim).where(Claim.evidence_id == item.id)).first()
                    claims.decide(
                        session,
                        actor=actor_of(assessor),
                        claim_id=claim.id,
                        expected_revision=claim.revision,
                        decision="referred",
                        method="RA",
                        feedback="More, please.",
                    )
                session.commit()
        with count_queries() as q:
            assert client.get("/").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] == 11, (counts, q.statements)


def test_learner_maps_with_suggestions_and_assessor_decides_on_the_page(
    client, auth, make_person, make_registration, make_evidence, session
) -> None:
    from mappings.assessment.models import Claim, Decision
    from mappings.assessment.suggestions import reset_cache

    reset_cache()
    learner = make_person("learner")
    assessor = make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01,SE03,SE04")
    item = make_evidence(
        learner,
        title="Vocational profile with K",
        body="I completed a vocational profile with K, identifying her aspirations, skills and "
        "support needs. I carried out a better-off calculation with her.",
    )
    auth.login(learner)
    # made behind the pages' back (no save through them): the first visit has the suggestions
    # worked out in the background, the next one shows them
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Suggestions are being worked out; refresh in a moment." in page
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Suggested criteria" in page and "<mark>" in page
    assert "being worked out" not in page
    assert "same text as SE04 P6" in page  # SE03 P3 and SE04 P6 share their text
    from mappings.assessment.claims import claimable_criteria

    wanted = [
        c.criterion_id
        for c in claimable_criteria(session, learner.id)
        if (c.standard_code, c.code) in {("SE04", "P1"), ("SE04", "P2")}
    ]
    r = client.post(f"/evidence/{item.id}/claims", data={"criterion": [str(i) for i in wanted]})
    assert r.status_code == 302
    assert len(session.exec(select(Claim).where(Claim.evidence_id == item.id)).all()) == 2
    auth.logout()
    auth.login(assessor)
    claim = session.exec(select(Claim).where(Claim.evidence_id == item.id)).first()
    r = client.post(
        f"/claims/{claim.id}/decision",
        data={"revision": "0", "decision": "accepted", "method": "P", "feedback": ""},
    )
    assert r.status_code == 302
    # a second decision on the stale revision is refused and loses nothing
    r = client.post(
        f"/claims/{claim.id}/decision",
        data={"revision": "0", "decision": "referred", "method": "P", "feedback": "late"},
    )
    assert r.status_code == 409
    assert [d.new_status for d in session.exec(select(Decision)).all()] == ["accepted"]
    r = client.post(
        f"/evidence/{item.id}/judgement",
        data={"valid": "y", "authentic": "y", "sufficient": "y", "reliable": "y"},
    )
    assert r.status_code == 422  # "current" unticked needs a note
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Accepted" in page and "Record decision" in page


def test_a_suggestions_quotes_show_no_markdown_markers(
    client, auth, make_person, make_registration, make_evidence
) -> None:
    """A sentence quoted under a suggestion is shown as words: the learner's **bold** and
    `code` marks were shown as asterisks and backticks inside it."""
    from mappings.assessment.suggestions import reset_cache

    reset_cache()
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE01,SE03,SE04")
    item = make_evidence(
        learner,
        title="Vocational profile with K",
        body="- I completed a **vocational profile** with K, identifying her `aspirations`, "
        "skills and support needs.\n- I carried out a __better-off calculation__ with her.",
    )
    auth.login(learner)
    client.get(f"/evidence/{item.id}")  # the first visit has them worked out
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    quotes = re.findall(r"<li><mark>(.*?)</mark></li>", page)
    assert quotes and any("vocational profile with K" in q for q in quotes), quotes
    assert not [q for q in quotes if "**" in q or "__" in q or "`" in q], quotes


def test_suggestions_read_the_attachments_and_decisions_on_them_become_examples(
    client, auth, make_person, make_registration, make_evidence, session
) -> None:
    from mappings.assessment.claims import claimable_criteria
    from mappings.assessment.deciders import framework_of
    from mappings.assessment.models import Claim, Decision
    from mappings.assessment.suggestions import decided_examples, reset_cache
    from portfolio.models import Framework

    def suggested(evidence_id: int) -> str:
        page = client.get(f"/evidence/{evidence_id}").get_data(as_text=True)
        return page.split('id="suggest-heading"', 1)[1].split("</section>", 1)[0]

    reset_cache()
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE04,SE05")
    item = make_evidence(learner, title="Notes", body="See the attached record.", submit=False)
    auth.login(learner)
    client.get(f"/evidence/{item.id}")  # made behind the pages' back: worked out on first visit
    assert ", strong" not in suggested(item.id)  # nothing in the body to go on
    record = (
        "Vocational profile with K, an autistic job seeker. We mapped her skills, talents "
        "and employment preferences. I completed a better-off calculation of her benefits."
    )
    r = client.post(
        f"/evidence/{item.id}/attachments",
        data={"file": (io.BytesIO(_docx_bytes(record)), "profile.docx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    now = suggested(item.id)
    assert "SE04 P1</strong>" in now and ", strong" in now  # vocational profiling, attached
    assert "<mark>We mapped her skills, talents and employment preferences.</mark>" in now
    # an assessor's decision on that evidence carries the attachment's text into the examples
    crit = next(
        c.criterion_id
        for c in claimable_criteria(session, learner.id)
        if (c.standard_code, c.code) == ("SE04", "P1")
    )
    session.add(
        Claim(evidence_id=item.id, criterion_id=crit, claimed_by=learner.id, status="accepted")
    )
    session.flush()
    claim_id = session.exec(select(Claim)).one().id or 0
    session.add(
        Decision(
            claim_id=claim_id,
            framework_id=framework_of(session, claim_id),
            actor_id=learner.id,
            old_status="claimed",
            new_status="accepted",
        )
    )
    session.flush()
    fw = session.exec(select(Framework)).first()
    examples, _newest = decided_examples(session, [fw.id])
    assert [e.code for e in examples] == ["P1"]
    assert "better-off calculation" in examples[0].text


@pytest.mark.parametrize("kind", ASSESSOR_KINDS)
def test_learner_cannot_write_assessor_only_kinds(client, auth, session, kind) -> None:
    learner = auth.login("learner")
    actor = Actor(id=learner.id, name=learner.name, roles=frozenset({"learner"}))
    draft = service.Draft(
        kind=kind, title="Self-observed", activity_date=date(2026, 1, 1), body="x"
    )
    with pytest.raises(PermissionDenied, match="written by your assessor") as refused:
        service.create(session, actor=actor, learner_id=learner.id, draft=draft)
    said = {
        "observation_record": "Observation records are written by your assessor",
        "professional_discussion": "Professional discussions are written by your assessor",
    }
    assert str(refused.value).startswith(said[kind])  # not "A observation record is ..."
    form = {"title": "Self-observed", "activity_date": "2026-01-01", "body": "x", "save": "Save"}
    r = client.post(f"/learners/{learner.id}/evidence/new?kind={kind}", data=form)
    assert r.status_code == 403
    assert session.exec(select(Evidence).where(Evidence.learner_id == learner.id)).all() == []


def test_latest_and_drafts_are_the_first_pages_of_the_list_in_one_statement(
    session, make_person, make_evidence, count_queries
) -> None:
    """The home page's two lists come from one statement and are what the list pages give."""
    from portfolio.services import evidence as service
    from tests.conftest import actor_of

    learner = make_person("learner")
    me = actor_of(learner)
    empty = service.latest_and_drafts(session, actor=me, learner_id=learner.id, latest=5, drafts=3)
    assert [(p.rows, p.total) for p in empty] == [([], 0), ([], 0)]
    for i in range(9):  # some on the same day: the newer id first, as on the list
        make_evidence(
            learner, title=f"Item {i}", activity_date=date(2026, 1, 1 + i // 2), submit=i % 3 == 0
        )
    session.commit()
    with count_queries() as q:
        latest, drafts = service.latest_and_drafts(
            session, actor=me, learner_id=learner.id, latest=5, drafts=3
        )
    assert q.count == 1
    every = service.page_for_learner(session, actor=me, learner_id=learner.id, per_page=5)
    first = service.page_for_learner(
        session, actor=me, learner_id=learner.id, per_page=3, status="draft"
    )
    assert latest == every and drafts == first
    assert (latest.total, drafts.total, len(drafts.rows)) == (9, 6, 3)


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(1, 1, 1), "is before 1950: check the year"),
        (date(1026, 3, 2), "is before 1950: check the year"),
        (date(2999, 3, 2), "cannot be in the future"),
    ],
)
def test_an_activity_date_out_of_range_is_refused(session, make_person, day, words) -> None:
    from portfolio.errors import Invalid

    learner = make_person("learner")
    me = Actor(id=learner.id or 0, name=learner.name, roles=learner.role_set)
    draft = service.Draft(kind="reflective_account", title="T", activity_date=day, body="x")
    with pytest.raises(Invalid, match=words) as refused:
        service.create(session, actor=me, learner_id=learner.id or 0, draft=draft)
    assert refused.value.field == "activity_date"  # shown beside the field; the API names it


def test_an_assessors_record_is_submitted_with_the_assessors_own_declaration(
    client, auth, session, make_person, make_registration, make_evidence
) -> None:
    """An observation record is the assessor's account of what they saw: its submit box said "this
    evidence is my own work" and its button "Submit for assessment", the learner's words."""
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor, codes="SE01")
    record = make_evidence(learner, kind="observation_record", author=assessor, submit=False)
    own = make_evidence(learner, title="Mine", submit=False)
    auth.login(assessor)
    page = client.get(f"/evidence/{record.id}").get_data(as_text=True)
    assert "is my own work" not in page and "Submit for assessment" not in page
    assert "I declare that this record is a true account of what I observed" in page
    assert 'value="Submit the record"' in page
    auth.logout()
    auth.login(learner)
    mine = client.get(f"/evidence/{own.id}").get_data(as_text=True)
    assert "this evidence is my own work" in mine and 'value="Submit for assessment"' in mine
