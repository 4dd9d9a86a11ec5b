"""The one place that turns user text into Markup: Markdown with raw HTML off.

A text's HTML is kept in the process by the text's SHA-256, the texts read most recently first:
a submitted evidence version never changes, and its page is read again and again (a 4 kB text
takes about 4 ms to render, its hash a few microseconds). At most :data:`CACHE_CHARS` characters
of HTML are kept; the least recently read go first.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_md = MarkdownIt("js-default")  # CommonMark without raw HTML; links are validated

# A wide table scrolls sideways in a region of its own rather than widen a phone's page; the
# region takes the keyboard's focus so that it can be scrolled without a mouse (WCAG 1.4.10, 2.1.1).
# So it is served (and stays where no script runs: a bundle's offline pages); on the app's pages
# delivery/web/static/table-scroll.js keeps it a labelled tab stop only while it scrolls.
TABLE_OPEN = '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">\n<table>\n'
TABLE_CLOSE = "</table>\n</div>\n"


def _table_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return TABLE_OPEN


def _table_close(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return TABLE_CLOSE


def _name_empty_links(state: Any) -> None:
    """A link written with no words, ``[](https://…)`` or round an image with no alternative
    text, reads its address, so that a screen reader can name it (WCAG 2.4.4); an image inside a
    link names it by its alternative text."""
    for block in state.tokens:
        if not block.children:
            continue
        named: list[Token] = []
        opened: Token | None = None  # the link being read, while it has no words yet
        for token in block.children:
            if token.type == "link_open":
                opened = token
            elif opened is not None and _has_words(token):
                opened = None
            elif token.type == "link_close" and opened is not None:
                words = Token("text", "", 0)
                words.content = str(opened.attrGet("href") or "")
                named.append(words)
                opened = None
            named.append(token)
        block.children = named


# A text's headings sit below the page's: every page that shows a text puts it under a heading
# of its own of level 2 (the page's h1 is its title; then the evidence page's "What was
# written", the plan's "What to do", a sample's "Evidence", the editor's "Preview", a bundle
# page's "Version 1: ..."). So the text's outline is kept but moved to start at h3: its top
# heading, whatever its level, is an h3 ("# Title" and the "## Situation" a STAR narrative is
# written with alike), the others as far below it as written, the deepest h6 (WCAG 1.3.1: one
# h1 a page, and no skipped level between the page's heading and the text's). Only the rendering
# changes: no HTML is stored, and what is hashed or sealed is the text as written (a bundle's
# pages are sealed as they were written when it is made; one made earlier keeps its bytes).
TEXT_TOP = 3


def _demote_headings(state: Any) -> None:
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = TEXT_TOP - min(int(t.tag[1:]) for t in headings)
    for token in headings:
        token.tag = f"h{min(int(token.tag[1:]) + shift, 6)}"


def _has_words(token: Token) -> bool:
    if token.type == "image":
        return bool("".join(c.content for c in token.children or []).strip())
    return token.type in ("text", "code_inline") and bool(token.content.strip())


_md.add_render_rule("table_open", _table_open)
_md.add_render_rule("table_close", _table_close)
_md.core.ruler.push("name_empty_links", _name_empty_links)
_md.core.ruler.push("demote_headings", _demote_headings)

CACHE_CHARS = 4_000_000  # of HTML kept, all texts together (4 to 16 MB)

_cache: OrderedDict[bytes, str] = OrderedDict()
_cached_chars = 0
_lock = threading.Lock()


def render_markdown(text: str) -> Markup:
    key = hashlib.sha256((text or "").encode()).digest()
    with _lock:
        html = _cache.get(key)
        if html is not None:
            _cache.move_to_end(key)
    if html is None:
        html = _md.render(text or "")
        _keep(key, html)
    return Markup(html)  # noqa: S704 - raw HTML is disabled in this preset


def plain_words(text: str) -> str:
    """A line of user Markdown as the words it shows, without its marks (a sentence of it quoted
    in one of ours): "the **purpose** of the `team`" -> "the purpose of the team"."""
    shown = []
    for token in _md.parseInline(text or ""):
        for child in token.children or []:
            if child.type in ("text", "code_inline", "image"):  # an image: its description
                shown.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                shown.append(" ")
    return "".join(shown)


def _keep(key: bytes, html: str) -> None:
    global _cached_chars
    if len(html) > CACHE_CHARS:
        return
    with _lock:
        if key not in _cache:
            _cache[key] = html
            _cached_chars += len(html)
        while _cached_chars > CACHE_CHARS:
            _, gone = _cache.popitem(last=False)
            _cached_chars -= len(gone)


def forget() -> None:
    """Empty the cache (tests)."""
    global _cached_chars
    with _lock:
        _cache.clear()
        _cached_chars = 0
