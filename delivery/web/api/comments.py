"""``/api/v1/evidence/{id}/comments``: the conversation on an evidence item, read by whoever may
read the item and written by the learner and their allocated assessor, through the same service
as the item's page (:mod:`portfolio.services.comments`: its refusals, audit entry and
notification)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields as f
from marshmallow import validate as v

from delivery.web.api import paging, problems
from delivery.web.api.handler import api_actor, operation
from delivery.web.api.schemas import Strict, paged
from delivery.web.context import db
from portfolio.models import Evidence
from portfolio.services import comments

bp = Blueprint("api_comments", __name__, url_prefix="/api/v1",
               description="The conversation on an evidence item.")  # fmt: skip
problems.on(bp)
SORT = "comments"  # what a cursor of this list says it is for (another list's is refused)


class Comment(ma.Schema):
    id = f.Integer(required=True)
    author_id = f.Integer(required=True)
    author = f.String(required=True, metadata={"description": "The author's name."})
    by_learner = f.Boolean(
        required=True, metadata={"description": "Whether the learner wrote it (else an assessor)."}
    )
    text = f.String(required=True)
    created_at = f.DateTime(required=True)


class NewComment(Strict):
    text = f.String(
        required=True,
        validate=v.Length(
            max=comments.MAX_COMMENT,
            error=f"A comment may be at most {comments.MAX_COMMENT:,} characters.",
        ),
        metadata={"description": "The comment, as written on the item's page (at most "
                                 f"{comments.MAX_COMMENT:,} characters). Its author is the "
                                 "token's person."},
    )  # fmt: skip


def _shown(row: comments.CommentRow) -> dict[str, Any]:
    found = asdict(row)
    return {**{k: found[k] for k in ("id", "author_id", "author", "by_learner", "created_at")},
            "text": row.body}  # fmt: skip


def _of_item(evidence_id: int) -> Any:
    """The parser of this list's cursor key: the item's id, so that a cursor given out for
    another item's conversation is refused as a made-up one."""

    def parse(key: str) -> str:
        if key != str(evidence_id):
            raise ValueError("another item's cursor")
        return key

    return parse


@bp.route("/evidence/<int:evidence_id>/comments")
@operation("read")
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, paged(Comment, "CommentPage"))
def list_comments(page_args: dict[str, Any], evidence_id: int) -> dict[str, Any]:
    """List an item's comments

    Oldest first, for whoever may read the item (as its page shows them; a draft's conversation
    too, to those who see that the draft exists). Paged by keyset: the cursor holds the last
    comment's id, so every page costs what the first does."""
    after = paging.after(page_args, SORT, _of_item(evidence_id))
    rows, last = comments.comments_after(
        db(), actor=api_actor(), evidence_id=evidence_id,
        after_id=after[1] if after is not None else None, limit=page_args["limit"],
    )  # fmt: skip
    shown = [_shown(r) for r in rows]
    return paging.keyset_body(shown, SORT, None if last is None else (str(evidence_id), last))


@bp.route("/evidence/<int:evidence_id>/comments", methods=["POST"])
@operation("evidence")
@bp.arguments(NewComment)
@bp.response(201, Comment)
def add_comment(args: dict[str, Any], evidence_id: int) -> dict[str, Any]:
    """Comment on an item

    The learner and their assessor write on the item's conversation (IQA and EQA read it: 403);
    the other party is told, as on the page. Refused in words (422, nothing written) once the
    learner's personal data is erased, or for a comment left empty."""
    actor = api_actor()
    with problems.request_fields(body="text"):
        made = comments.add(db(), actor=actor, evidence_id=evidence_id, body=args["text"])
    item = db().get(Evidence, evidence_id)  # read by the service: no statement
    return {
        "id": made.id, "author_id": made.author_id, "author": actor.name,
        "by_learner": item is not None and made.author_id == item.learner_id,
        "text": made.body, "created_at": made.created_at,
    }  # fmt: skip
