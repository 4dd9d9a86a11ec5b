"""The witness's page, opened from the e-mailed link without logging in: the exact version of the
testimony they are asked about, and one form to confirm it or say it is not accurate. The token
in the address is the permission; the answer is recorded as the witness's, never as that of
whoever may be logged in in this browser."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from delivery.web.context import db
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from portfolio.services import witness

bp = Blueprint("witness", __name__)


class WitnessAnswerForm(PageForm):
    # the two buttons of the form send it: "accurate" or "not_accurate"
    answer = StringField(
        "Your answer",
        validators=[AnyOf(("accurate", "not_accurate"), message="Choose one of the two answers.")],
    )
    comment = TextAreaField(
        "Comment (optional)",
        validators=[
            Optional(),
            Length(
                max=witness.MAX_COMMENT,
                message=f"A comment may be at most {witness.MAX_COMMENT:,} characters.",
            ),
        ],
    )


def _gone(gone: witness.LinkGone) -> tuple[str, int]:
    status = 404 if gone.why == "unknown" else 410
    return render_template("witness/gone.html", message=str(gone), why=gone.why), status


@bp.route("/witness/<token>", methods=["GET", "POST"])
@page(public=True)
def answer(token: str) -> tuple[str, int]:
    _ = current_user.is_authenticated  # look the visitor up before this request's transaction
    try:
        link = witness.open_link(db(), token=token)
    except witness.LinkGone as gone:
        return _gone(gone)
    form = WitnessAnswerForm()
    if form.validate_on_submit():
        with errors_on(form):
            try:
                row = witness.answer(
                    db(),
                    token=token,
                    accurate=form.answer.data == "accurate",
                    comment=form.comment.data or "",
                )
            except witness.LinkGone as gone:  # answered meanwhile (another tab, a double click)
                return _gone(gone)  # an answer of 410 rolls the request back
            return render_template("witness/thanks.html", row=row), 200
    return render_template("witness/answer.html", link=link, form=form), form.status
