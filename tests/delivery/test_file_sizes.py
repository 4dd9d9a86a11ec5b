"""An evidence page says each file's size as the learner's portable bundle says it: "17.6 MB",
"657 bytes", never "18055.6 KB" or "0.6 KB" (a learner who attached a large shift log read its
size in thousands of kilobytes on the page and in megabytes in their downloaded portfolio)."""

from __future__ import annotations

import io
import re

import pytest

from portfolio.words import size_words


def _sizes(page: str) -> dict[str, str]:
    """Each attached file's name and the size its line says."""
    found = re.findall(r'<a href="/files/\d+">([^<]+)</a> <span class="muted">\(([^)]*)\)', page)
    return {name: words.split(", ")[-1] for name, words in found}


@pytest.mark.parametrize(
    ("size", "said"),
    [
        (657, "657 bytes"),
        (36_738, "35.8 KB"),
        (3 * 1024 * 1024 + 300 * 1024, "3.2 MB"),
    ],
)
def test_the_evidence_page_says_a_file_size_in_the_bundles_words(
    client, auth, make_evidence, size: int, said: str
) -> None:
    learner = auth.login("learner")
    item = make_evidence(learner, title="Shift log", body="Body.", submit=False)
    content = (b"Supported the job seeker at work.\n" * (size // 34 + 1))[:size]
    r = client.post(
        f"/evidence/{item.id}/attachments",
        data={"file": (io.BytesIO(content), "shift log.txt")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert _sizes(page) == {"shift log.txt": said}
    assert said == size_words(size)  # the words of the bundle's pages (exports/bundle/pages.py)
