"""Forms of the evidence pages: the editor, and the forms of one item's page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from delivery.web.evidence.mapping import MappingView
from delivery.web.forms import DayField, PageForm, options
from mappings.assessment.claims import VACSR
from portfolio.models.evidence import ASSESSOR_KINDS


class EvidenceForm(PageForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    activity_date = DayField(
        "Date of the activity", said="Give the day of the activity.", default=date.today
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
    expected_hash = HiddenField()  # the draft as loaded: another tab's save since is told apart
    # files and criteria: saved with the text, in the same request (before the first save too)
    files = MultipleFileField("Attach files (optional)")
    criterion = SelectMultipleField("Criteria", coerce=int, validate_choice=False)
    on_page = HiddenField()  # "1" when the checklist was on the page: what is ticked is saved
    preview = SubmitField("Preview")
    save = SubmitField("Save draft")

    @property
    def uploads(self) -> list[Any]:
        """The files chosen (an empty file input sends one nameless part)."""
        return [f for f in self.files.data or [] if getattr(f, "filename", "")]

    @property
    def ticked(self) -> list[int] | None:
        """The criteria ticked; None when the checklist was not on the page."""
        return sorted(set(self.criterion.data or [])) if self.on_page.data == "1" else None


class UploadForm(PageForm):
    file = FileField("Attach a file", validators=[FileRequired("Choose a file to upload.")])
    upload = SubmitField("Upload")


class CommentForm(PageForm):
    body = TextAreaField(
        "Your comment",
        validators=[
            DataRequired(message="Write your comment."),
            Length(max=5_000, message="A comment may be at most 5,000 characters."),
        ],
    )


class SubmitForm(PageForm):
    declaration = BooleanField(
        "I declare that this evidence is my own work and a true record of what happened.",
        validators=[DataRequired(message="Tick the declaration to submit.")],
    )
    submit = SubmitField("Submit for assessment")

    def worded_for(self, kind: str) -> None:
        """An assessor's record (observation, professional discussion) is their account of what
        they saw or heard: its author declares that, not that it is their own work."""
        if kind in ASSESSOR_KINDS:
            self.declaration.label.text = (
                "I declare that this record is a true account of what I observed or discussed "
                "with the learner."
            )
            self.submit.label.text = "Submit the record"


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
        self.decision.choices = options([("accepted", "Accept"), ("referred", "Refer")])

    def validate_feedback(self, field: TextAreaField) -> None:
        if self.decision.data == "referred" and not (field.data or "").strip():
            raise ValidationError("Say what is missing when you refer a claim.")

    @property
    def expected_revision(self) -> int:
        value = self.revision.data or ""
        return int(value) if value.isdigit() else -1


class ClaimDecisionForm(PageForm):
    """One claim's row of the decisions form: its fields are named and identified by the claim
    (``decision-12``, ``method-12``, ``feedback-12``, ``revision-12``) so one form carries the
    decisions on every claim of the item. "Not now" (empty) leaves the claim as it is."""

    class Meta:
        csrf = False  # the decisions form around the rows carries the token

        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            name = f"{options['name']}-{form.row}"
            return DefaultMeta.bind_field(
                self, form, unbound_field, {**options, "name": name, "id": name}
            )

    revision = HiddenField()
    decision = RadioField("Decision", default="", validators=[Optional()])
    method = SelectField("Method", validate_choice=False)
    feedback = TextAreaField("Feedback", validators=[Length(max=20_000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "referred" second, as on the single-claim form (its id stays decision-N-1)
        self.decision.choices = options(
            [("accepted", "Accept"), ("referred", "Refer"), ("", "Not now")]
        )

    def validate_feedback(self, field: TextAreaField) -> None:
        if self.decision.data == "referred" and not (field.data or "").strip():
            raise ValidationError("Say what is missing when you refer a claim.")

    @property
    def chosen(self) -> bool:
        return bool(self.decision.data)

    @property
    def expected_revision(self) -> int:
        value = self.revision.data or ""
        return int(value) if value.isdigit() else -1

    @classmethod
    def from_single(cls, form: DecisionForm) -> ClaimDecisionForm:
        """The row showing again what the single-claim form (``/claims/N/decision``) sent."""
        row = cls(
            formdata=None,
            row=form.row,
            revision=form.revision.data,
            decision=form.decision.data or "",
            method=form.method.data,
            feedback=form.feedback.data,
        )
        for name in ("revision", "decision", "method", "feedback"):
            row[name].errors = list(form[name].errors)
        row.form_errors = list(form.form_errors)
        row.failure = form.failure
        return row


class DecisionsForm(PageForm):
    """The decisions on the claims of one item, made together (the rows are
    :class:`ClaimDecisionForm`). "Check" shows the warnings and saves nothing; saving with a
    warning not yet shown shows it instead, and ``confirmed`` then carries the warnings the
    assessor has seen (``claim:method`` pairs) so that saving again saves anyway."""

    id_prefix = "decisions-"
    confirmed = HiddenField()
    check = SubmitField("Check")
    save = SubmitField("Record decisions")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: dict[int, str] = {}  # claim id -> why accepting it will not count
        self.checked = False  # "Check" was pressed and found nothing to warn of

    @property
    def seen(self) -> set[str]:
        return set(filter(None, (self.confirmed.data or "").split(",")))

    @staticmethod
    def pairs(warned: dict[int, str], methods: dict[int, str]) -> set[str]:
        return {f"{claim_id}:{methods.get(claim_id, '')}" for claim_id in warned}


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
    decide: dict[int, ClaimDecisionForm]
    privacy: PrivacyForm
    decisions: DecisionsForm = field(default_factory=lambda: DecisionsForm(formdata=None))
    comment: CommentForm = field(default_factory=lambda: CommentForm(formdata=None))
    ticked_counts: dict[str, int] = field(default_factory=dict)  # standard code -> boxes ticked
    # folded parts of the page that open because the request's form needs them seen: an accepted
    # claim's row sent with a choice, an error or a warning; the checklist sent with an error
    accepted_open: bool = False
    mapping_open: bool = True

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
            # a row per claim for whoever decides; anyone else sees only a row that failed
            decide={
                c.id: ClaimDecisionForm(
                    formdata=None, row=c.id, revision=c.revision, method=c.default_method
                )
                for c in mapping.claims
                if c.decidable
            },
            privacy=PrivacyForm(formdata=None),
        )
        given = [] if failed is None else [failed] if isinstance(failed, PageForm) else failed
        for form in given:
            if isinstance(form, DecisionForm):
                forms.decide[form.row or 0] = ClaimDecisionForm.from_single(form)
            if isinstance(form, ClaimDecisionForm):
                forms.decide[form.row or 0] = form
            for name in ("upload", "submit", "claims", "judge", "privacy", "decisions", "comment"):
                if type(form) is type(getattr(forms, name)):
                    setattr(forms, name, form)
        ticked = forms.claims.ticked
        forms.ticked_counts = {
            group.code: sum(1 for c in group.choices if c.criterion.criterion_id in ticked)
            for group in mapping.standards
        }
        rows = {c.id: c for c in mapping.claims}
        forms.accepted_open = any(
            form.chosen or form.errors or row in forms.decisions.warnings
            for row, form in forms.decide.items()
            if row in rows and rows[row].done
        )
        forms.mapping_open = mapping.map_open or bool(forms.claims.errors)
        for row, form in forms.decide.items():
            methods = rows[row].methods if row in rows else ()
            form.method.choices = options(
                [("", "Choose a method"), *((code, f"{code} – {name}") for code, name in methods)]
            )
        return forms

    @property
    def all(self) -> list[PageForm]:
        return [
            self.upload,
            self.submit,
            self.claims,
            self.judge,
            self.privacy,
            self.decisions,
            self.comment,
            *self.decide.values(),
        ]
