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
