"""Leap2A: the real Mahara export imported, a portfolio exported and imported again, who may do
which, and bad files refused with nothing written."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlmodel import col, func, select

from exports.leap2a import FEED, import_leap2a, write_leap2a
from exports.leap2a.feed import ATOM, CATEGORIES, LEAP2, RDF, parse_feed
from mappings.assessment.models import Claim
from portfolio.errors import Invalid, NotFound
from portfolio.models import Attachment, AuditEntry, Criterion, Evidence, EvidenceVersion
from portfolio.services import evidence as evidence_service
from portfolio.services.files import FileStore
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of
from tests.exports.export_case import build_case

MAHARA = Path(__file__).parents[1] / "data/shared/external/leap2a/leap2a.xml"
MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NS = {"a": ATOM, "rdf": RDF, "leap2": LEAP2}


def _items(session, learner_id):
    rows = session.exec(
        select(Evidence, EvidenceVersion)
        .join(EvidenceVersion, col(EvidenceVersion.evidence_id) == Evidence.id)
        .where(Evidence.learner_id == learner_id)
        .order_by(col(Evidence.id))
    ).all()
    out = {}
    for item, version in rows:
        files = session.exec(select(Attachment).where(Attachment.version_id == version.id)).all()
        out[version.title] = (item, version, sorted((a.filename, a.sha256) for a in files))
    return out


def test_the_mahara_sample_imports_its_posts_and_plan_as_drafts(session, tmp_path, make_person):
    """Of the sample's 9 entries, the journal post and the plan become drafts; the two files it
    names are not in a bare XML (two warnings, skipped); the three pages, the journal and the
    person are not evidence."""
    learner = make_person("learner")
    report = import_leap2a(
        session,
        FileStore(tmp_path),
        actor=actor_of(learner),
        learner_id=learner.id,
        data=MAHARA.read_bytes(),
        max_bytes=MB,
    )
    session.commit()
    assert len(parse_feed(MAHARA.read_bytes()).entries) == 9
    assert [t for _, t in report.items] == ["Journal entry Alice 1", "Alice Plan"]
    assert Counter(report.skipped) == {"selection": 4, "person": 1}
    assert report.files == 0 and len(report.warnings) == 4
    assert sum("dummy document3.odt" in w for w in report.warnings) == 2
    items = _items(session, learner.id)
    post, version, files = items["Journal entry Alice 1"]
    assert post.kind == "reflective_account" and post.status == "draft"
    assert post.created_by == learner.id and files == []
    assert version.body.startswith("Journal entry Alice 1 - Cras non dolor.")
    assert "<p>" not in version.body and post.activity_date == date(2018, 7, 25)
    plan = items["Alice Plan"][0]
    assert plan.kind == "product" and items["Alice Plan"][1].body == "Alice Plan Description"
    assert session.exec(select(func.count()).select_from(Claim)).one() == 0
    audit = session.exec(
        select(AuditEntry).where(AuditEntry.action == "evidence.import_leap2a")
    ).one()
    assert audit.subject_id == learner.id and audit.data["files"] == 0


def test_the_mahara_sample_in_a_zip_brings_the_files_it_holds(session, tmp_path, make_person):
    learner = make_person("learner")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("leap2a.xml", MAHARA.read_bytes())
        zf.writestr("files/1-215x194images 15.jpg", PNG)
    report = import_leap2a(
        session,
        FileStore(tmp_path),
        actor=actor_of(learner),
        learner_id=learner.id,
        data=buf.getvalue(),
        max_bytes=MB,
    )
    assert [t for _, t in report.items][-1] == "215x194images 15.jpg"
    assert report.files == 1 and len(report.warnings) == 2  # the .odt: missing, so skipped
    item, _, files = _items(session, learner.id)["215x194images 15.jpg"]
    assert item.kind == "product"
    assert files == [("215x194images 15.jpg", hashlib.sha256(PNG).hexdigest())]


def _star(session, learner):
    fields = {
        "situation": "At the job centre.",
        "task": "Find work.",
        "action": "Called.",
        "result": "Hired.",
    }
    return evidence_service.create(
        session,
        actor=actor_of(learner),
        learner_id=learner.id,
        draft=evidence_service.Draft(
            kind="star_narrative",
            title="A STAR story",
            activity_date=date(2026, 1, 5),
            body="And then some.",
            fields=fields,
        ),
    )


def test_round_trip_export_then_import_for_another_learner(
    session, tmp_path, make_person, make_registration, make_evidence
):
    store = FileStore(tmp_path / "files")
    case = build_case(session, store, make_person, make_registration, make_evidence)
    _star(session, case.learner)
    make_evidence(case.learner, kind="observation_record", title="Observed", author=case.assessor)
    session.commit()
    out = io.BytesIO()
    written = write_leap2a(session, store, case.learner.id, out, actor=actor_of(case.learner))
    assert (written.items, written.files, written.standards) == (4, 1, 2)

    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        feed = etree.fromstring(zf.read(FEED))
        names = zf.namelist()
    assert feed.nsmap["leap2"] == LEAP2 and feed.nsmap["categories"] == CATEGORIES
    assert feed.findtext("leap2:version", namespaces=NS) == "http://www.leapspecs.org/2010-07/2A/"
    types = Counter(
        e.find("rdf:type", NS).get(f"{{{RDF}}}resource") for e in feed.findall("a:entry", NS)
    )
    assert types == {"leap2:entry": 4, "leap2:resource": 1, "leap2:selection": 2, "leap2:person": 1}
    resource = next(
        e
        for e in feed.findall("a:entry", NS)
        if e.findtext("a:title", namespaces=NS) == "notes.txt"
    )
    path = resource.find("a:link[@rel='enclosure']", NS).get("href")
    assert path in names and path.startswith("files/")
    se03 = next(
        e
        for e in feed.findall("a:entry", NS)
        if e.find("a:category[@term='Grouping']", NS) is not None
        and "SE03" in e.findtext("a:title", namespaces=NS)
    )
    assert (
        se03.find("a:link[@rel='leap2:has_part']", NS).get("href")
        == f"portfolio:evidence-{case.account_id}"
    )
    account = next(
        e
        for e in feed.findall("a:entry", NS)
        if e.findtext("a:id", namespaces=NS) == f"portfolio:evidence-{case.account_id}"
    )
    criteria = [
        c for c in account.findall("a:category", NS) if ":standard:SE03#" in c.get("scheme")
    ]
    claimed = session.exec(select(Claim).where(Claim.evidence_id == case.account_id)).all()
    assert len(criteria) == len(claimed) > 0
    assert all(
        c.get("scheme").startswith("urn:x-competence-portfolio:framework:SE:") for c in criteria
    )

    other = make_person("learner")
    report = import_leap2a(
        session,
        store,
        actor=actor_of(other),
        learner_id=other.id,
        data=out.getvalue(),
        max_bytes=MB,
    )
    session.commit()
    assert len(report.items) == 4 and report.files == 1
    assert any("Observed" in w and "Other" in w for w in report.warnings)
    assert any("“Observed” was an observation record, which" in w for w in report.warnings)
    before, after = _items(session, case.learner.id), _items(session, other.id)
    # the current version of each exported item comes back: title, body, files by hash
    current = {t: (v.body, f) for t, (i, v, f) in before.items() if v.number == i.current_version}
    assert {t: (v.body, f) for t, (_, v, f) in after.items()} == current
    assert all(i.status == "draft" and i.created_by == other.id for i, _, _ in after.values())
    assert after["A STAR story"][0].kind == "star_narrative"
    assert after["A STAR story"][1].fields["result"] == "Hired."
    assert after["Observed"][0].kind == "other"
    new_ids = [i.id for i, _, _ in after.values()]
    assert session.exec(select(Claim).where(col(Claim.evidence_id).in_(new_ids))).all() == []


def test_who_may_export_and_import(
    session, tmp_path, make_person, make_registration, make_evidence
):
    store = FileStore(tmp_path)
    case = build_case(session, store, make_person, make_registration, make_evidence)
    for who in (case.assessor, case.iqa, make_person("learner")):
        with pytest.raises(NotFound):
            write_leap2a(session, store, case.learner.id, io.BytesIO(), actor=actor_of(who))
    for who in (make_person("admin"), SYSTEM, actor_of(case.learner)):
        actor = who if not hasattr(who, "email") else actor_of(who)
        write_leap2a(session, store, case.learner.id, io.BytesIO(), actor=actor)
    with pytest.raises(Invalid, match="own portfolio"):
        import_leap2a(
            session,
            store,
            actor=actor_of(case.assessor),
            learner_id=case.learner.id,
            data=MAHARA.read_bytes(),
            max_bytes=MB,
        )


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title><id>a</id></entry></feed>"""


def _zip(**members: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "The file is empty"),
        (b"not xml at all", "at line 1, column 1: it does not start with an XML element"),
        (b"<a>" * 300 + b"</a>" * 300, "its elements are nested more than 256 levels deep"),
        (b"<a>&#0;</a>", "at line 1, column 8: it holds a control character XML does not allow"),
        (b"<a>\x01</a>", "it holds a control character XML does not allow"),
        (b"<a>\xff</a>", "it holds bytes that are not text in its encoding"),
        (b"<a>\n<b></a>", "at line 2, column 8: Opening and ending tag mismatch: b line 2 and a."),
    ],
)
def test_xml_that_cannot_be_read_is_refused_in_words(session, tmp_path, make_person, data, words):
    """Not libxml2's words ("use XML_PARSE_HUGE option", "xmlParseCharRef", "(<string>, line
    1)"): where, and what is wrong in words a learner can act on."""
    learner = make_person("learner")
    with pytest.raises(Invalid) as info:
        import_leap2a(
            session,
            FileStore(tmp_path),
            actor=actor_of(learner),
            learner_id=learner.id,
            data=data,
            max_bytes=MB,
        )
    said = str(info.value)
    assert words in said, said
    for jargon in ("XML_PARSE_HUGE", "<string>", "xmlParseCharRef", "PCDATA", "xmlChar"):
        assert jargon not in said, said


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not xml at all", "not well-formed XML"),
        (XXE, "DOCTYPE"),
        (b"<html xmlns='http://www.w3.org/1999/xhtml'/>", "not an Atom feed"),
        (_zip(**{"other.xml": b"<feed/>"}), "no leap2a.xml"),
        (b"PK\x03\x04broken", "damaged"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title></feed>", "Nothing"),
    ],
)
def test_bad_files_are_refused_with_a_reason(session, tmp_path, make_person, data, message):
    learner = make_person("learner")
    with pytest.raises(Invalid, match=message):
        import_leap2a(
            session,
            FileStore(tmp_path),
            actor=actor_of(learner),
            learner_id=learner.id,
            data=data,
            max_bytes=MB,
        )


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: f"<feed>{t}</feed>".encode()))
def test_any_bytes_are_a_feed_or_refused_with_a_reason(data: bytes) -> None:
    try:
        parse_feed(data)
    except Invalid as exc:
        assert str(exc)


@given(st.text(max_size=300))
def test_html_is_read_as_text_without_tags(text: str) -> None:
    from exports.leap2a.feed import html_text

    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = html_text(f"<div><p>{escaped}</p><script>alert(1)</script></div>")
    assert "alert" not in out or "alert" in text
    assert " ".join(out.split()) == " ".join(text.split())


def test_the_export_holds_what_the_learner_may_read_not_an_assessors_draft(
    session, tmp_path, make_person, make_registration, make_evidence
):
    """A version not yet submitted is its author's alone: the assessor's observation record still
    in draft is left out, an edit the assessor has not submitted leaves the submitted text, and
    the learner's own draft is theirs to take, whoever exports it."""
    store = FileStore(tmp_path)
    learner, assessor = make_person("learner"), make_person("assessor")
    make_registration(learner=learner, assessor=assessor)
    make_evidence(
        learner,
        kind="observation_record",
        title="Unsent",
        body="PRIVATE NOTES",
        submit=False,
        author=assessor,
    )
    seen = make_evidence(
        learner, kind="observation_record", title="Seen", body="SUBMITTED TEXT", author=assessor
    )
    evidence_service.update(
        session,
        actor=actor_of(assessor),
        evidence_id=seen.id,
        expected_version=seen.current_version,
        draft=evidence_service.Draft(
            kind="observation_record",
            title="Seen",
            activity_date=date.today(),
            body="EDITED NOT SUBMITTED",
        ),
    )
    session.commit()
    make_evidence(learner, title="Mine", body="MY OWN DRAFT", submit=False)
    for who in (actor_of(learner), actor_of(make_person("admin"))):
        out = io.BytesIO()
        written = write_leap2a(session, store, learner.id, out, actor=who)
        feed = zipfile.ZipFile(out).read(FEED).decode()
        assert written.items == 2
        assert "PRIVATE NOTES" not in feed and "EDITED NOT SUBMITTED" not in feed
        assert "SUBMITTED TEXT" in feed and "MY OWN DRAFT" in feed
        entry = etree.fromstring(feed.encode()).xpath("//a:entry[a:title='Seen']", namespaces=NS)[0]
        assert "readiness#Unready" not in etree.tostring(entry).decode()  # it was submitted


def test_a_file_is_copied_with_the_extension_of_its_checked_type(
    session, tmp_path, make_person, make_evidence
):
    """Text named .html is stored as text: its copy in the export is .txt, so opening the saved
    export never runs it as a page; its name is kept for people in the feed."""
    from exports.bundle import MANIFEST, write_bundle

    store = FileStore(tmp_path)
    learner = make_person("learner")
    item = make_evidence(learner, title="With a page", submit=False)
    evidence_service.attach(
        session,
        actor=actor_of(learner),
        store=store,
        evidence_id=item.id,
        filename="page.html",
        stream=io.BytesIO(b"<script>alert(1)</script>\n"),
        max_bytes=MB,
    )
    session.commit()
    out = io.BytesIO()
    write_leap2a(session, store, learner.id, out, actor=actor_of(learner))
    names = zipfile.ZipFile(out).namelist()
    assert (
        [n for n in names if n.startswith("files/")]
        == [n for n in names if n.startswith("files/") and n.endswith("-page.txt")]
        != []
    )
    assert "page.html" in zipfile.ZipFile(out).read(FEED).decode()  # as the learner named it
    bundle = io.BytesIO()
    write_bundle(session, store, learner.id, bundle, actor=actor_of(learner))
    with zipfile.ZipFile(bundle) as zf:
        stored = [n for n in zf.namelist() if n.startswith("attachments/")]
        assert len(stored) == 1 and stored[0].endswith(".txt")
        assert "page.html" in zf.read(MANIFEST).decode()
        assert not any(n.endswith(".html") and n.startswith("attachments/") for n in zf.namelist())


def test_pasted_line_and_page_breaks_keep_words_apart(session, tmp_path, make_person):
    """XML cannot hold Word's vertical tab or form feed: they become spaces, not nothing."""
    learner = make_person("learner")
    draft = evidence_service.Draft(
        kind="reflective_account",
        title="Pasted\vfrom Word\x07",
        activity_date=date(2026, 3, 2),
        body="One page\fthe next",
    )
    evidence_service.create(session, actor=actor_of(learner), learner_id=learner.id, draft=draft)
    session.commit()
    out = io.BytesIO()
    write_leap2a(session, FileStore(tmp_path), learner.id, out, actor=actor_of(learner))
    feed = zipfile.ZipFile(out).read(FEED).decode()
    assert "Pasted from Word" in feed and "One page the next" in feed


def test_the_same_file_imported_again_brings_nothing_twice(session, tmp_path, make_person):
    learner = make_person("learner")

    def again() -> Any:
        return import_leap2a(
            session,
            FileStore(tmp_path),
            actor=actor_of(learner),
            learner_id=learner.id,
            data=MAHARA.read_bytes(),
            max_bytes=MB,
        )

    first = again()
    session.commit()
    assert len(first.items) == 2
    with pytest.raises(Invalid, match="imported before; nothing was imported"):
        again()
    session.rollback()
    count = session.exec(
        select(func.count()).select_from(Evidence).where(Evidence.learner_id == learner.id)
    ).one()
    assert count == 2


def test_a_claims_origin_is_in_the_export_as_words_and_as_an_extension_importers_ignore(
    session, tmp_path, make_person, make_registration, make_evidence
):
    """Whether the engine had suggested a criterion (its version, score, strong) travels with the
    claim: in words in the criterion's category label and the standard's selection, and as a
    ``cp:suggested`` element of our own namespace naming the criterion's category, which Leap2A
    importers (Mahara's, ours) pass over. A claim never suggested says nothing of it."""
    store = FileStore(tmp_path / "files")
    case = build_case(session, store, make_person, make_registration, make_evidence)
    rows = session.exec(
        select(Claim).where(Claim.evidence_id == case.account_id).order_by(col(Claim.id))
    ).all()
    strong, weak, plain = rows[0], rows[1], rows[2]
    for claim, is_strong, score in ((strong, True, 0.8125), (weak, False, 0.40625)):
        claim.suggested_engine, claim.suggested_score = "7", score
        claim.suggested_strong = is_strong
        session.add(claim)
    session.commit()
    out = io.BytesIO()
    written = write_leap2a(session, store, case.learner.id, out, actor=actor_of(case.learner))
    data = zipfile.ZipFile(io.BytesIO(out.getvalue())).read(FEED)
    feed = etree.fromstring(data)
    ours = {**NS, "cp": "urn:x-competence-portfolio:leap2a:"}
    [account] = feed.xpath(f"//a:entry[a:id='portfolio:evidence-{case.account_id}']", namespaces=NS)
    codes = {c.id: session.get(Criterion, c.criterion_id).code for c in rows}
    labels = {
        c.get("term"): c.get("label")
        for c in account.findall("a:category", NS)
        if ":standard:" in c.get("scheme")
    }
    assert labels[codes[strong.id]].endswith(f"({strong.status}; suggested by the engine, strong)")
    assert labels[codes[weak.id]].endswith(f"({weak.status}; suggested by the engine, weak)")
    assert labels[codes[plain.id]].endswith(f"({plain.status})")
    found = {
        s.get("term"): (s.get("scheme"), s.get("engine"), s.get("score"), s.get("strong"), s.text)
        for s in account.findall("cp:suggested", ours)
    }
    scheme = next(
        c.get("scheme")
        for c in account.findall("a:category", NS)
        if ":standard:" in c.get("scheme")
    )
    assert found == {
        codes[strong.id]: (scheme, "7", "0.8125", "true", "Suggested by the engine (strong)"),
        codes[weak.id]: (scheme, "7", "0.40625", "false", "Suggested by the engine (weak)"),
    }
    [selection] = [
        e
        for e in feed.findall("a:entry", NS)
        if e.find("a:category[@term='Grouping']", NS) is not None
        and f"portfolio:evidence-{case.account_id}"
        in {link.get("href") for link in e.findall("a:link", NS)}
    ]
    text = selection.findtext("a:content", namespaces=NS)
    assert f"{codes[strong.id]} ({strong.status}; suggested by the engine, strong)" in text
    assert f"{codes[plain.id]} ({plain.status})" in text
    # still a feed our importer (and Mahara's, which skips foreign elements) reads as before
    other = make_person("learner")
    report = import_leap2a(
        session,
        store,
        actor=actor_of(other),
        learner_id=other.id,
        data=out.getvalue(),
        max_bytes=MB,
    )
    assert len(report.items) == written.items and not [w for w in report.warnings if "suggest" in w]
