"""Forms of the evidence pages: the editor, and the forms of one item's page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from delivery.web.evidence.mapping import MappingView
from delivery.web.forms import PageForm
from mappings.assessment.claims import VACSR


class EvidenceForm(PageForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    activity_date = DateField(
        "Date of the activity", validators=[InputRequired()], default=date.today
    )
    body = TextAreaField("Text (Markdown)", validators=[Optional(), Length(max=200_000)])
    situation = TextAreaField("Situation", validators=[Optional()])
    task = TextAreaField("Task", validators=[Optional()])
    action = TextAreaField("Action", validators=[Optional()])
    result = TextAreaField("Result", validators=[Optional()])
    witness_name = StringField("Witness's name", validators=[Optional(), Length(max=200)])
    witness_role = StringField("Witness's role", validators=[Optional(), Length(max=200)])
    witness_relationship = StringField(
        "Relationship to the learner", validators=[Optional(), Length(max=200)]
    )
    expected_version = HiddenField()
    preview = SubmitField("Preview")
    save = SubmitField("Save draft")


class UploadForm(PageForm):
    file = FileField("Attach a file", validators=[FileRequired("Choose a file to upload.")])
    upload = SubmitField("Upload")


class SubmitForm(PageForm):
    declaration = BooleanField(
        "I declare that this evidence is my own work and a true record of what happened.",
        validators=[DataRequired(message="Tick the declaration to submit.")],
    )
    submit = SubmitField("Submit for assessment")


class PrivacyForm(PageForm):
    """One action on personal data found in a draft: ``action`` (check, replace or confirm, set
    by the button pressed) and the finding it is about."""

    id_prefix = "privacy-"
    finding = HiddenField()
    action = HiddenField()

    @property
    def finding_id(self) -> int:
        value = self.finding.data or ""
        return int(value) if value.isdigit() else 0


class ClaimsForm(PageForm):
    """The criteria an item shows; the service judges which the learner may claim."""

    criterion = SelectMultipleField("Criteria", coerce=int, validate_choice=False)
    # present when the checklist was on the page: submitting then saves what is ticked
    on_page = HiddenField()

    @property
    def ticked(self) -> set[int]:
        return set(self.criterion.data or [])

    @property
    def was_on_page(self) -> bool:
        return bool(self.on_page.data == "1")


class DecisionForm(PageForm):
    """The assessor's decision on one claim, once per claim on the page (``row=claim.id``)."""

    revision = HiddenField()
    decision = RadioField("Decision", validators=[InputRequired("Accept or refer the claim.")])
    method = SelectField("Method", validate_choice=False)
    feedback = TextAreaField("Feedback", validators=[Length(max=20_000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # set here: tuple choices in the class are deprecated
        self.decision.choices = [("accepted", "Accept"), ("referred", "Refer")]

    def validate_feedback(self, field: TextAreaField) -> None:
        if self.decision.data == "referred" and not (field.data or "").strip():
            raise ValidationError("Say what is missing when you refer a claim.")

    @property
    def expected_revision(self) -> int:
        value = self.revision.data or ""
        return int(value) if value.isdigit() else -1


def _flag(name: str) -> BooleanField:
    return BooleanField(name.title(), default=True)


class JudgementForm(PageForm):
    """The assessor's VACSR judgement of the current version."""

    id_prefix = "vacsr-"
    valid = _flag("valid")
    authentic = _flag("authentic")
    current = _flag("current")
    sufficient = _flag("sufficient")
    reliable = _flag("reliable")
    note = TextAreaField("Note (required where one fails)", validators=[Length(max=20_000)])

    @property
    def flags(self) -> dict[str, bool]:
        return {name: bool(self[name].data) for name in VACSR}

    def validate_note(self, field: TextAreaField) -> None:
        failing = [name for name, ok in self.flags.items() if not ok]
        if failing and not (field.data or "").strip():
            raise ValidationError(f"Explain why the evidence is not {', '.join(failing)}.")


@dataclass
class ItemForms:
    """The forms of one item's page. Fresh ones are empty; a form that failed takes the place of
    its fresh copy, so the page shows it again with what was typed and its errors."""

    upload: UploadForm
    submit: SubmitForm
    claims: ClaimsForm
    judge: JudgementForm
    decide: dict[int, DecisionForm]
    privacy: PrivacyForm
    ticked_counts: dict[str, int] = field(default_factory=dict)  # standard code -> boxes ticked

    @classmethod
    def build(
        cls, mapping: MappingView, failed: PageForm | Sequence[PageForm] | None = None
    ) -> ItemForms:
        """``failed``: the form (or forms) of the request, shown again with what was typed."""
        forms = cls(
            upload=UploadForm(formdata=None),
            submit=SubmitForm(formdata=None),
            claims=ClaimsForm(formdata=None, criterion=mapping.ticked, on_page="1"),
            judge=JudgementForm(formdata=None),
            decide={
                c.id: DecisionForm(formdata=None, row=c.id, revision=c.revision, method=c.method)
                for c in mapping.claims
            },
            privacy=PrivacyForm(formdata=None),
        )
        given = [] if failed is None else [failed] if isinstance(failed, PageForm) else failed
        for form in given:
            if isinstance(form, DecisionForm):
                forms.decide[form.row or 0] = form
            for name in ("upload", "submit", "claims", "judge", "privacy"):
                if type(form) is type(getattr(forms, name)):
                    setattr(forms, name, form)
        ticked = forms.claims.ticked
        forms.ticked_counts = {
            group.code: sum(1 for c in group.choices if c.criterion.criterion_id in ticked)
            for group in mapping.standards
        }
        rows = {c.id: c for c in mapping.claims}
        for row, form in forms.decide.items():
            methods = rows[row].methods if row in rows else ()
            form.method.choices = [(code, f"{code} – {name}") for code, name in methods]
        return forms

    @property
    def all(self) -> list[PageForm]:
        return [
            self.upload,
            self.submit,
            self.claims,
            self.judge,
            self.privacy,
            *self.decide.values(),
        ]
