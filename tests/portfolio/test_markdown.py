"""Markdown rendering: raw HTML off, and each text's HTML kept by its hash within a bound."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from portfolio import markdown


@pytest.fixture(autouse=True)
def _empty() -> None:
    markdown.forget()


TEXTS = [
    "",
    "**Situation**: I supported *a job seeker*.\n\n- the vacancy\n- the travel\n",
    "<script>alert(1)</script> and [a link](javascript:alert(1)) and [another](https://example.org)",
    "# Heading\n\n1. one\n2. two\n\n> quoted\n\n`code`",
    "Ünïcödé — “quotes” and emoji 🙂",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_html_is_markdown_its_with_raw_html_off_first_and_every_time(text: str) -> None:
    # a text's headings come two levels down (see the test of headings below)
    expected = MarkdownIt("js-default").render(text).replace("h1>", "h3>")
    assert markdown.render_markdown(text) == expected
    assert markdown.render_markdown(text) == expected  # from the cache
    assert "<script>" not in markdown.render_markdown(TEXTS[2])
    assert 'href="javascript' not in markdown.render_markdown(TEXTS[2])


def test_the_cache_keeps_within_its_bound_the_texts_read_last(monkeypatch) -> None:
    monkeypatch.setattr(markdown, "CACHE_CHARS", 2_000)
    texts = [f"Text number {i}: " + "words " * 40 for i in range(50)]
    for text in texts:
        markdown.render_markdown(text)
    assert 0 < markdown._cached_chars <= 2_000
    assert markdown._cached_chars == sum(len(h) for h in markdown._cache.values())
    assert len(markdown._cache) < len(texts)
    # the last read is kept; a text read again is rendered the same
    assert list(markdown._cache.values())[-1] == MarkdownIt("js-default").render(texts[-1])
    assert markdown.render_markdown(texts[0]) == MarkdownIt("js-default").render(texts[0])


def test_a_text_larger_than_the_bound_is_rendered_and_not_kept(monkeypatch) -> None:
    monkeypatch.setattr(markdown, "CACHE_CHARS", 100)
    long = "word " * 100
    assert markdown.render_markdown(long) == MarkdownIt("js-default").render(long)
    assert markdown._cached_chars == 0 and not markdown._cache


def test_a_table_scrolls_in_its_own_labelled_region_that_the_keyboard_reaches() -> None:
    """A wide table in a text must not widen a phone's page: it sits in a region that scrolls
    sideways by itself, which a keyboard user can focus to scroll (WCAG 2.1.1, 1.4.10)."""
    html = markdown.render_markdown("| Week | What I did |\n|---|---|\n| 1 | Met the employer |\n")
    assert html.startswith(
        '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">\n<table>'
    )
    assert html.rstrip().endswith("</table>\n</div>")
    assert "<th>What I did</th>" in html and "<td>Met the employer</td>" in html


def test_every_page_that_shows_a_text_keeps_its_tables_tab_stops_only_while_they_scroll() -> None:
    """The region is served as a tab stop; static/table-scroll.js makes it one only while it
    scrolls, on every template that renders Markdown (the page's Content-Security-Policy allows
    no inline script)."""
    from pathlib import Path

    templates = Path(markdown.__file__).parents[1] / "delivery" / "web" / "templates"
    showing = [p for p in templates.rglob("*.html") if "|markdown" in p.read_text()]
    assert len(showing) >= 6
    for path in showing:
        assert "filename='table-scroll.js'" in path.read_text(), path


def test_a_link_without_words_reads_its_address() -> None:
    """``[](https://…)`` would be a link a screen reader cannot name (WCAG 2.4.4): it shows its
    address instead; a link with words, or an image as its words, is left as written."""
    html = markdown.render_markdown("See [](https://example.org/notes) and [the plan](/plans/1).")
    assert '<a href="https://example.org/notes">https://example.org/notes</a>' in html
    assert '<a href="/plans/1">the plan</a>' in html
    image = markdown.render_markdown("[![Our rota](https://example.org/rota.png)](/rota)")
    assert '<a href="/rota"><img src="https://example.org/rota.png" alt="Our rota"></a>' in image
    bare = markdown.render_markdown("[![](https://example.org/rota.png)](/rota) and [ ](/plans)")
    assert '<a href="/rota"><img src="https://example.org/rota.png" alt="">/rota</a>' in bare
    assert '<a href="/plans"> /plans</a>' in bare  # the blank kept, the address added


def test_headings_sit_below_the_heading_of_the_page_part_they_are_in() -> None:
    """Every page puts a text under a heading of its own of level 2: the text's top heading is an
    h3 and the others keep their distance below it (``#`` h3, ``##`` h4), the deepest h6; a text
    whose top heading is ``##`` (as a STAR narrative is written) starts at h3 all the same."""
    html = markdown.render_markdown("# Title\n\nWords.\n\n## Part\n\n#### Four\n\n###### Six\n")
    assert "<h1>" not in html and "<h2>" not in html
    assert "<h3>Title</h3>" in html and "<h4>Part</h4>" in html
    assert "<h6>Four</h6>" in html and "<h6>Six</h6>" in html
    assert "<p>Words.</p>" in html
    setext = markdown.render_markdown("Title\n=====\n\nPart\n----\n")
    assert setext == "<h3>Title</h3>\n<h4>Part</h4>\n"
    star = markdown.render_markdown("## Situation\n\nAt the cafe.\n\n### Detail\n\n## Task\n")
    assert star == "<h3>Situation</h3>\n<p>At the cafe.</p>\n<h4>Detail</h4>\n<h3>Task</h3>\n"
    assert markdown.render_markdown("###### Deep") == "<h3>Deep</h3>\n"


def test_a_learners_heading_is_not_a_second_h1_on_the_evidence_page(
    client, auth, make_person, make_evidence
) -> None:
    """The evidence page's h1 is the item's title; the learner's ``# Situation`` sits below the
    page's heading for the text (it was a second h1, and came under "Confirmation by the
    witness" or nothing)."""
    learner = make_person("learner")
    item = make_evidence(learner, title="Job-match visit", body="# Situation\n\nI met them.\n")
    auth.login(learner)
    page = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert page.count("<h1") == 1 and "<h3>Situation</h3>" in page
    before = page.split("<h3>Situation</h3>")[0]
    last_h2 = before.rsplit("<h2", 1)[1]
    assert 'id="body-heading"' in last_h2, "the text's own h2 is the heading just above it"
