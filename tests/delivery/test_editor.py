"""The evidence editor: files and criteria with the first save, in one transaction; drafts saved
in the background (permission and CSRF checked); the Markdown preview without a reload."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlmodel import func, select

from mappings.assessment import claims
from mappings.assessment.models import Claim
from portfolio.models import Attachment, AuditEntry, Evidence, EvidenceVersion
from portfolio.services import evidence as service

TEXT = {
    "title": "Job search with K",
    "activity_date": "2026-03-02",
    "body": "I met K and we looked at **three** vacancies.",
}


def _criteria(session, learner, standard="SE01", codes=("P1", "P2")) -> list[int]:
    return [
        c.criterion_id
        for c in claims.claimable_criteria(session, learner.id)
        if c.standard_code == standard and c.code in codes
    ]


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_files_and_criteria_are_saved_with_the_first_save(
    client, auth, session, make_registration
) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01,SE03")
    page = client.get(f"/learners/{learner.id}/evidence/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert "SE01" in page and 'name="criterion"' in page  # the checklist before any save
    ticked = _criteria(session, learner)
    r = client.post(
        f"/learners/{learner.id}/evidence/new",
        data={
            **TEXT,
            "on_page": "1",
            "criterion": [str(i) for i in ticked],
            "files": [
                (io.BytesIO(b"Notes of the meeting with K."), "notes.txt"),
                (io.BytesIO(b"Vacancies: garden centre, cafe."), "vacancies.txt"),
            ],
            "save": "Save draft",
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    item = session.exec(select(Evidence)).one()
    assert item.status == "draft" and item.title == "Job search with K"
    names = session.exec(select(Attachment.filename).order_by(Attachment.id)).all()
    assert names == ["notes.txt", "vacancies.txt"]
    claimed = session.exec(select(Claim.criterion_id).where(Claim.evidence_id == item.id)).all()
    assert sorted(claimed) == sorted(ticked)
    shown = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Draft saved: 2 files attached and 2 criteria mapped." in shown


BAD_FILES = [
    (io.BytesIO(b"fine text"), "fine.txt"),
    (io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00"), "tool.exe"),
    (io.BytesIO(b""), "empty.txt"),
]


def _bad_files():
    return [(io.BytesIO(f.getvalue()), name) for f, name in BAD_FILES]


def test_a_refused_file_on_a_new_draft_saves_the_text_and_names_every_refused_file(
    client, auth, session, make_registration
) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01")
    ticked = _criteria(session, learner)
    r = client.post(
        f"/learners/{learner.id}/evidence/new",
        data={**TEXT, "on_page": "1", "criterion": [str(i) for i in ticked],
              "files": _bad_files(), "save": "Save draft"},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 302
    item = session.exec(select(Evidence)).one()
    assert r.headers["Location"].endswith(f"/evidence/{item.id}/edit")  # to choose files again
    assert item.title == "Job search with K" and item.status == "draft"
    assert session.exec(select(Attachment.filename)).all() == ["fine.txt"]
    assert _count(session, Claim) == len(ticked)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Nothing was saved" not in page
    assert "Draft saved: 1 file attached and 2 criteria mapped." in page
    assert "tool.exe is a Windows program" in page and "empty.txt is empty" in page


def test_a_refused_file_after_autosave_says_the_draft_text_is_saved(client, auth, session) -> None:
    learner = auth.login("learner")
    made = client.post(f"/learners/{learner.id}/evidence/autosave", data=TEXT).get_json()
    item = session.exec(select(Evidence)).one()
    assert made["edit_url"] == f"/evidence/{item.id}/edit"
    r = client.post(
        made["edit_url"],
        data={**TEXT, "body": "Later words.", "expected_version": str(made["version"]),
              "expected_hash": made["hash"], "files": _bad_files(), "save": "Save draft"},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Nothing was saved" not in page and "Draft saved: 1 file attached." in page
    assert "tool.exe is a Windows program" in page and "empty.txt is empty" in page
    session.refresh(item)
    version = session.exec(
        select(EvidenceVersion).where(EvidenceVersion.evidence_id == item.id)
    ).one()
    assert version.body == "Later words."


def test_a_refused_file_on_a_submitted_item_saves_nothing_and_names_every_file(
    client, auth, session, make_evidence
) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, submit=True)
    version = service.current_version(session, item)
    entries = _count(session, AuditEntry)
    r = client.post(
        f"/evidence/{item.id}/edit",
        data={**TEXT, "expected_version": str(item.current_version),
              "expected_hash": version.sha256, "files": _bad_files(), "save": "Save"},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="files-error"' in page and "Nothing was saved" in page
    assert "tool.exe is a Windows program" in page and "empty.txt is empty" in page
    assert "The files you chose were not saved: choose them again." in page
    assert _count(session, Attachment) == 0 and _count(session, AuditEntry) == entries


def test_a_criterion_not_of_the_learner_saves_nothing(
    client, auth, session, make_registration, make_person
) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01")
    other = make_person("learner")
    make_registration(learner=other, codes="SE03")
    stray = _criteria(session, other, "SE03", ("K1",))
    r = client.post(
        f"/learners/{learner.id}/evidence/new",
        data={**TEXT, "on_page": "1", "criterion": [str(stray[0])], "save": "Save draft"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert "can only be mapped to criteria of the learner" in r.get_data(as_text=True)
    assert _count(session, Evidence) == 0


def test_the_edit_page_saves_more_files_and_the_mapping_with_the_text(
    client, auth, session, make_registration, make_evidence
) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01")
    item = make_evidence(learner, title="Half done", submit=False)
    first, second = _criteria(session, learner)
    claims.set_claims(session, actor=_actor(learner), evidence_id=item.id, criterion_ids=[first])
    session.commit()
    page = client.get(f"/evidence/{item.id}/edit").get_data(as_text=True)
    assert f'value="{first}" checked' in page and f'value="{second}" checked' not in page
    r = client.post(
        f"/evidence/{item.id}/edit",
        data={
            **TEXT,
            "expected_version": "1",
            "on_page": "1",
            "criterion": [str(second)],
            "files": [(io.BytesIO(b"More notes."), "more.txt")],
            "save": "Save draft",
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    claimed = session.exec(select(Claim.criterion_id).where(Claim.evidence_id == item.id)).all()
    assert claimed == [second]
    assert session.exec(select(Attachment.filename)).all() == ["more.txt"]


def _actor(person):
    from tests.conftest import actor_of

    return actor_of(person)


# ---------------------------------------------------------------- autosave


def test_autosave_saves_a_changed_draft_and_says_when(client, auth, session, make_evidence) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, title="Draft", body="First words.", submit=False)
    page = client.get(f"/evidence/{item.id}/edit").get_data(as_text=True)
    assert f'data-autosave="/evidence/{item.id}/autosave"' in page
    assert 'src="/static/editor.js"' in page and "<script>" not in page  # no inline script
    data = {"title": "Draft", "activity_date": "2026-03-02", "expected_version": "1"}
    r = client.post(f"/evidence/{item.id}/autosave", data={**data, "body": "Second words."})
    assert r.status_code == 200 and re.fullmatch(r"Saved at \d\d:\d\d", r.get_json()["saved"])
    session.expire_all()
    version = session.exec(select(EvidenceVersion).where(EvidenceVersion.evidence_id == item.id))
    assert version.one().body == "Second words."
    entries = _count(session, AuditEntry)
    again = client.post(f"/evidence/{item.id}/autosave", data={**data, "body": "Second words."})
    assert again.status_code == 200
    assert _count(session, AuditEntry) == entries  # nothing changed, nothing written
    empty = client.post(f"/evidence/{item.id}/autosave", data={**data, "title": ""})
    assert empty.status_code == 422 and "Not saved automatically" in empty.get_json()["error"]


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or re.search(
        rf'type="hidden" name="{name}" value="([^"]*)"', page
    )
    assert found, name
    return found.group(1)


def test_two_tabs_on_one_draft_the_later_save_is_told_not_written_over(
    client, auth, session, make_evidence
) -> None:
    """A draft changes in place, so its version number does not tell two tabs apart: the hash of
    the draft as each tab loaded it does. The page's own background saves move its hash on."""
    learner = auth.login("learner")
    item = make_evidence(learner, title="Draft", body="First words.", submit=False)
    tab_a = client.get(f"/evidence/{item.id}/edit").get_data(as_text=True)
    tab_b = client.get(f"/evidence/{item.id}/edit").get_data(as_text=True)
    loaded = _hidden(tab_a, "expected_hash")
    assert loaded == _hidden(tab_b, "expected_hash") != ""
    data = {"title": "Draft", "activity_date": "2026-03-02", "expected_version": "1"}
    a1 = client.post(
        f"/evidence/{item.id}/autosave",
        data={**data, "expected_hash": loaded, "body": "Tab A, first."},
    )
    assert a1.status_code == 200
    a2 = client.post(  # tab A again, with the hash its first background save gave it
        f"/evidence/{item.id}/autosave",
        data={**data, "expected_hash": a1.get_json()["hash"], "body": "Tab A, second."},
    )
    assert a2.status_code == 200
    b = client.post(
        f"/evidence/{item.id}/autosave",
        data={**data, "expected_hash": loaded, "body": "Tab B."},
    )
    assert b.status_code == 409 and "changed elsewhere" in b.get_json()["error"]
    b_save = client.post(
        f"/evidence/{item.id}/edit",
        data={**data, "expected_hash": loaded, "body": "Tab B.", "save": "Save draft"},
    )
    assert b_save.status_code == 409
    page = b_save.get_data(as_text=True)
    assert "changed elsewhere" in page and "Tab B." in page  # the text is not lost
    session.expire_all()
    version = session.exec(select(EvidenceVersion).where(EvidenceVersion.evidence_id == item.id))
    assert version.one().body == "Tab A, second."


def test_autosave_refuses_others_submitted_items_and_requests_without_csrf(
    app, client, auth, session, make_evidence, make_person
) -> None:
    learner = make_person("learner")
    item = make_evidence(learner, title="Mine", submit=False)
    done = make_evidence(learner, title="Submitted")
    data = {"title": "X", "activity_date": "2026-03-02", "expected_version": "1", "body": "x"}
    auth.login("learner")  # someone else
    assert client.post(f"/evidence/{item.id}/autosave", data=data).status_code in (403, 404)
    auth.logout()
    auth.login(learner)
    r = client.post(f"/evidence/{done.id}/autosave", data=data)
    assert r.status_code == 422 and "Only a draft" in r.get_json()["error"]
    assert f'data-autosave="/evidence/{done.id}' not in client.get(
        f"/evidence/{done.id}/edit"
    ).get_data(as_text=True)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post(f"/evidence/{item.id}/autosave", data=data)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400
    session.expire_all()
    assert session.get(Evidence, item.id).title == "Mine"


def test_the_first_autosave_of_a_new_item_makes_the_draft_that_save_then_changes(
    client, auth, session, make_registration
) -> None:
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01")
    page = client.get(f"/learners/{learner.id}/evidence/new").get_data(as_text=True)
    assert (
        f'data-autosave="/learners/{learner.id}/evidence/autosave?kind=reflective_account"' in page
    )
    # nothing to discard yet: the link waits, hidden, for the first save to give its address
    assert '<p id="discard-draft" hidden><a>Discard this draft</a></p>' in page
    r = client.post(
        f"/learners/{learner.id}/evidence/autosave?kind=reflective_account",
        data={**TEXT, "expected_version": ""},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    answer = r.get_json()
    item = session.exec(select(Evidence)).one()
    assert answer["edit_url"] == f"/evidence/{item.id}/edit" and answer["version"] == 1
    assert answer["discard_url"] == f"/evidence/{item.id}/discard"
    ticked = _criteria(session, learner)
    saved = client.post(
        answer["edit_url"],
        data={
            **TEXT,
            "expected_version": "1",
            "on_page": "1",
            "criterion": [str(i) for i in ticked],
            "files": [(io.BytesIO(b"notes"), "notes.txt")],
            "save": "Save draft",
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    assert _count(session, Evidence) == 1 and _count(session, Attachment) == 1
    assert _count(session, Claim) == len(ticked)


# ---------------------------------------------------------------- preview


def test_preview_renders_the_markdown_as_the_evidence_page_does(client, auth) -> None:
    auth.login("learner")
    r = client.post(
        "/evidence/preview?kind=reflective_account",
        data={"body": "**Bold** <script>alert(1)</script>\n\n- one"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<strong>Bold</strong>" in html and "<li>one</li>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    star = client.post(
        "/evidence/preview?kind=star_narrative",
        data={"situation": "At the cafe.", "task": "T", "action": "A", "result": "R"},
    ).get_data(as_text=True)
    assert "<h3>Situation</h3>" in star and "At the cafe." in star  # below the preview's h2
    assert client.post("/evidence/preview?kind=nonsense", data={}).status_code == 404


def test_each_standards_ticked_count_is_in_its_summary_for_the_script_to_keep(
    client, auth, make_registration
) -> None:
    """The count of ticked criteria is words in each standard's summary, in an element the
    page's script (ticked.js) updates as boxes are ticked (without script it is the count saved)."""
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01")
    page = client.get(f"/learners/{learner.id}/evidence/new?kind=reflective_account")
    summary = re.search(r"<summary>SE01 .*?</summary>", page.get_data(as_text=True), re.S)
    assert summary and re.search(r"\(<span data-ticked-count>0</span> ticked\)", summary.group(0))
    assert "/static/ticked.js" in page.get_data(as_text=True)
    script = (Path(__file__).parents[2] / "delivery/web/static/ticked.js").read_text()
    assert "data-ticked-count" in script


def test_text_too_long_for_a_field_is_refused_in_words_and_kept(client, auth, session) -> None:
    """Not WTForms' "Field cannot be longer than 300 characters.", which the summary of problems
    showed without saying which field: the field's name, its most and how many it has; what
    was typed is on the page again and nothing is saved."""
    learner = auth.login("learner")
    before = session.exec(select(func.count()).select_from(Evidence)).one()
    response = client.post(
        f"/learners/{learner.id}/evidence/new",
        data={"title": "T" * 10_000, "body": "What I did on the ward", "witness_name": "W" * 201,
              "activity_date": "2026-11-01", "save": "Save draft"},
    )  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Field cannot be longer" not in page
    assert "Title may be at most 300 characters (it has 10,000)." in page
    assert "Witness&#39;s name may be at most 200 characters (it has 201)." in page
    assert "What I did on the ward" in page
    assert session.exec(select(func.count()).select_from(Evidence)).one() == before
    auth.login("admin")
    cohort = client.post("/admin/cohorts", data={"name": "C" * 201, "site": "Main site"})
    assert cohort.status_code == 422
    assert "Cohort name may be at most 200 characters (it has 201)." in cohort.get_data(
        as_text=True
    )


def test_an_empty_title_is_refused_naming_the_field(client, auth, session) -> None:
    """Not WTForms' "This field is required.", which the summary of problems showed without
    saying which field; the page and the autosave say it alike, and what was typed is kept."""
    learner = auth.login("learner")
    response = client.post(
        f"/learners/{learner.id}/evidence/new",
        data={"title": "", "body": "Notes from the ward round", "activity_date": "2026-11-01",
              "save": "Save draft"},
    )  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This field is required" not in page and "Title is required." in page
    assert "Notes from the ward round" in page
    saved = client.post(f"/learners/{learner.id}/evidence/autosave", data={"title": ""})
    assert saved.status_code == 422 and "Title is required." in saved.get_json()["error"]
    assert session.exec(select(func.count()).select_from(Evidence)).one() == 0


def test_a_criterion_id_that_is_not_a_number_is_refused_naming_the_field(
    client, auth, session, make_registration
) -> None:
    """A tampered form's criterion "abc": not WTForms' "Invalid choice(s): one or more data
    inputs could not be coerced.", which names no field; the page says which, nothing saved."""
    learner = auth.login("learner")
    make_registration(learner=learner, codes="SE01")
    r = client.post(
        f"/learners/{learner.id}/evidence/new",
        data={**TEXT, "on_page": "1", "criterion": ["abc"], "save": "Save draft"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "could not be coerced" not in page
    assert "Criteria: a choice sent is not one of the list" in page
    assert _count(session, Evidence) == 0
