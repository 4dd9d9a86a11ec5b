"""Leap2A uploads damaged or built to harm: each is refused with the reason, nothing written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import func, select

from exports.leap2a import import_leap2a
from portfolio.errors import Invalid
from portfolio.models import Evidence
from portfolio.services.files import FileStore
from tests.conftest import actor_of

MAHARA = Path(__file__).parents[1] / "data/shared/external/leap2a/leap2a.xml"
MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _zip(compression: int = zipfile.ZIP_STORED, **members: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _damaged(data: bytes, marker: bytes) -> bytes:
    """``data`` with 16 bytes after ``marker`` (inside a member's data) inverted."""
    at = data.index(marker) + len(marker)
    return data[:at] + bytes(b ^ 0xFF for b in data[at : at + 16]) + data[at + 16 :]


def _import(session, tmp_path, learner, data: bytes) -> None:
    import_leap2a(
        session,
        FileStore(tmp_path),
        actor=actor_of(learner),
        learner_id=learner.id,
        data=data,
        max_bytes=MB,
    )


def test_a_damaged_member_of_the_zip_is_refused_naming_it(session, tmp_path, make_person):
    """The zip's directory reads, but a member's data is broken: the member is named."""
    learner = make_person("learner")
    feed = MAHARA.read_bytes()
    deflated = _zip(zipfile.ZIP_DEFLATED, **{"leap2a.xml": feed})
    stored = _zip(**{"leap2a.xml": feed})
    bad_file = MAHARA.read_bytes().replace(b"</feed>", b"") + (
        b"<entry><id>f1</id><title>Photo</title>"
        b"<rdf:type rdf:resource='leap2:resource'/>"
        b"<link rel='enclosure' href='files/photo.png' type='image/png'/></entry></feed>"
    )
    cases = {
        "the leap2a.xml": _damaged(deflated, b"leap2a.xml"),  # does not inflate
        "leap2a.xml": _damaged(stored, b"<feed"),  # its CRC fails
        "files/photo.png": _damaged(
            _zip(**{"leap2a.xml": bad_file, "files/photo.png": PNG}), b"\x89PNG"
        ),
    }
    for member, data in cases.items():
        attempt = session.begin_nested()  # the caller's transaction
        with pytest.raises(Invalid) as refused:
            _import(session, tmp_path, learner, data)
        attempt.rollback()
        message = str(refused.value)
        assert member.removeprefix("the ") in message and "damaged" in message, message
        assert session.exec(select(func.count()).select_from(Evidence)).one() == 0


def _feed(*entries: str) -> bytes:
    return (
        "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:rdf='http://www.w3.org/1999/02/22-rdf-"
        "syntax-ns#' xmlns:cp='urn:x-competence-portfolio:leap2a:'><title>t</title>"
        + "".join(entries)
        + "</feed>"
    ).encode()


def _ours(ident: str, title: str, kind: str, fields: dict[str, str]) -> str:
    return (
        f"<entry><id>{ident}</id><title>{title}</title>"
        "<rdf:type rdf:resource='http://terms.leapspecs.org/entry'/>"
        f"<category scheme='urn:x-competence-portfolio:leap2a:evidence-kind#' term='{kind}'/>"
        "<content type='text'>What happened.</content>"
        + "".join(f"<cp:field name='{k}'>{v}</cp:field>" for k, v in fields.items())
        + "</entry>"
    )


def test_fields_too_long_are_shortened_with_a_warning_not_refused(session, tmp_path, make_person):
    """A witness's name of 1,000 characters, STAR sections of 60,000: each item comes in,
    shortened as its text is, with a warning naming it (the whole file was refused, with a
    message naming no entry, or the name was stored whole)."""
    learner = make_person("learner")
    star = {k: k[0].upper() * 60_000 for k in ("situation", "task", "action", "result")}
    witness = {
        "witness_name": "N" * 1000,
        "witness_role": "Job coach",
        "witness_relationship": "Colleague",
    }
    report = import_leap2a(
        session,
        FileStore(tmp_path),
        actor=actor_of(learner),
        learner_id=learner.id,
        data=_feed(
            _ours("e1", "Long STAR", "star_narrative", star),
            _ours("e2", "Long witness", "witness_testimony", witness),
        ),
        max_bytes=MB,
    )
    assert len(report.items) == 2
    assert any("Long STAR" in w and "shortened" in w for w in report.warnings), report.warnings
    assert any("Long witness" in w and "shortened" in w for w in report.warnings)
    items = {e.title: e for e in session.exec(select(Evidence)).all()}
    assert items["Long STAR"].kind == "star_narrative"
    assert items["Long witness"].kind == "witness_testimony"
    from portfolio.models import EvidenceVersion

    versions = {v.title: v for v in session.exec(select(EvidenceVersion)).all()}
    assert len(versions["Long witness"].fields["witness_name"]) <= 200
    assert len(versions["Long STAR"].body) <= 200_000


def test_a_title_shortened_and_a_date_not_read_are_each_warned_of(session, tmp_path, make_person):
    """A title of 10,000 characters came in cut to 300, and an entry whose date could not be read
    (or was in the year 99999) came in dated today, both without a word: each is said now."""
    learner = make_person("learner")
    undated = _ours("e2", "Undated", "reflective_account", {}).replace(
        "</title>", "</title><updated>99999-01-01T00:00:00Z</updated>"
    )
    report = import_leap2a(
        session,
        FileStore(tmp_path),
        actor=actor_of(learner),
        learner_id=learner.id,
        data=_feed(_ours("e1", "T" * 10_000, "reflective_account", {}), undated),
        max_bytes=MB,
    )
    assert len(report.items) == 2
    assert any("title" in w and "10,000 characters" in w and "shortened to 300" in w
               for w in report.warnings), report.warnings  # fmt: skip
    assert any("“Undated”" in w and "dated today" in w for w in report.warnings), report.warnings


def test_a_feed_of_more_entries_than_one_import_takes_is_refused_saying_so(
    session, tmp_path, make_person
):
    """20 MB of XML holds some 100,000 short posts: each would become a draft, with its audit
    entries, in one request. More than 2,000 are refused before anything is written."""
    learner = make_person("learner")
    posts = [
        f"<entry><id>p{n}</id><title>Post {n}</title>"
        "<rdf:type rdf:resource='http://terms.leapspecs.org/entry'/>"
        "<content type='text'>x</content></entry>"
        for n in range(2001)
    ]
    with pytest.raises(Invalid) as refused:
        _import(session, tmp_path, learner, _feed(*posts))
    assert "2,001 entries" in str(refused.value) and "at most 2,000" in str(refused.value)
    assert session.exec(select(func.count()).select_from(Evidence)).one() == 0
