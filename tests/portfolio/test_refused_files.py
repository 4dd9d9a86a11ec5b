"""A refused upload is named in words, never by its MIME type, with what may be attached."""

from __future__ import annotations

import re

import pytest

from portfolio.errors import Invalid
from portfolio.services.sniff import sniff

MIME = re.compile(r"\b(?:application|text|image|audio|video|font)/[a-z0-9.+-]+")
GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 9
BMP = b"BM" + b"\x00" * 60


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00", "tool.exe", "tool.exe is a Windows program"),
        (GZIP, "backup.gz", "backup.gz is a compressed archive"),
        (ELF, "run", "run is a file of a kind"),
        (BMP, "scan.bmp", "scan.bmp is a BMP image"),
    ],
)
def test_refusals_say_what_the_file_is_in_words(data, name, words) -> None:
    with pytest.raises(Invalid) as info:
        sniff(data, name)
    said = str(info.value)
    assert said.startswith(words), said
    assert "cannot be attached; attach PDF, Word" in said, said
    assert not MIME.search(said), said
