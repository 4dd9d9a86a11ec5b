"""The one place that turns user text into Markup: Markdown with raw HTML off."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("js-default")  # CommonMark without raw HTML; links are validated


def render_markdown(text: str) -> Markup:
    return Markup(_md.render(text or ""))  # noqa: S704 - raw HTML is disabled in this preset
