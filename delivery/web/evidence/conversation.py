"""The conversation on an item's page, and the page of a draft the reader may not read."""

from __future__ import annotations

from typing import Any

from flask import render_template

from delivery.web.context import actor, db
from delivery.web.evidence.forms import CommentForm
from delivery.web.forms import PageForm, status_of
from mappings.assessment.recorded import recorded_elsewhere
from portfolio.models.evidence import KINDS
from portfolio.services import comments
from portfolio.services.evidence import EvidenceDetail


def conversation(info: EvidenceDetail) -> dict[str, Any]:
    """What the comments section of an item's page shows."""
    return {
        "comments": comments.comments_on(db(), actor=actor(), evidence_id=info.item.id or 0)
        if info.has_comments
        else [],
        "may_comment": comments.may_comment(info.relation),
    }


def private_page(info: EvidenceDetail, failed: PageForm | list[PageForm] | None) -> tuple[str, int]:
    """A draft the reader did not write: that it exists, its title and dates, the conversation;
    not its text, fields or files (the service left them out)."""
    given = [failed] if isinstance(failed, PageForm) else failed or []
    form = next((f for f in given if isinstance(f, CommentForm)), CommentForm(formdata=None))
    # a draft its bundle says someone of the sending centre wrote: whose it is, as text
    found = recorded_elsewhere(db(), [info.item.id or 0]).get(
        (info.item.id or 0, info.version.number)
    )
    html = render_template(
        "evidence/private.html",
        info=info,
        kind_label=KINDS[info.item.kind],
        comment_form=form,
        recorded=found.words if found else "",
        **conversation(info),
    )
    return html, status_of(*given)
