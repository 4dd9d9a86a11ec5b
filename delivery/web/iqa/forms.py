"""Forms of the quality assurance pages (CSRF protected by Flask-WTF)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from delivery.web.forms import DayField, PageForm, options
from mappings.quality.eqa import LONGEST_GRANT, LONGEST_GRANT_SAID


def _rate(label: str) -> DecimalField:
    return DecimalField(label, places=0, validators=[InputRequired(), NumberRange(min=0, max=100)])


class StrategyForm(PageForm):
    rate_new = _rate("Sampling rate for new assessors (%)")
    rate_standard = _rate("Sampling rate for experienced (standard) assessors (%)")
    rate_under_review = _rate("Sampling rate for assessors under review (%)")
    interim = BooleanField("Sample interim decisions (standards not yet signed off)")
    summative = BooleanField("Sample summative decisions (sign-offs)")
    bump = BooleanField("Raise an assessor's rate for the next cycle after a disagreement")
    save = SubmitField("Save strategy")


# a seed is stored as a 32-bit integer (PostgreSQL's integer)
SEED_MAX = 2**31 - 1
SEED_SAID = f"Give the sampling number as a whole number from 0 to {SEED_MAX:,}, or leave it empty."


class SeedField(IntegerField):
    """The sampling number (optional): one message in words whether it is not a whole number or
    out of range, not the form library's "Not a valid integer value" and then the range's."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None  # left empty: the cycle's own (or a new) number
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(SEED_SAID) from None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:  # said once: the range is not checked on what is not a number
            raise StopValidation()


def _seed(label: str) -> SeedField:
    return SeedField(label, validators=[Optional(), NumberRange(0, SEED_MAX, message=SEED_SAID)])


class CycleForm(PageForm):
    name = StringField(
        "Cycle name", validators=[DataRequired("Give the cycle a name."), Length(max=200)]
    )
    start = DayField(
        "Starts",
        said="Give the day the cycle starts.",
        default=lambda: date.today() - timedelta(days=90),
    )
    end = DayField("Ends", said="Give the day the cycle ends.", default=date.today)
    seed = _seed("Sampling number (optional; the same number picks the same samples again)")
    create = SubmitField("Create cycle")


class PlanForm(PageForm):
    seed = _seed(
        "Sampling number (the same number picks the same samples again; leave empty to keep "
        "the cycle's)"
    )
    plan = SubmitField("Plan the sample")


class AddSampleForm(PageForm):
    decision = SelectField(
        "Decision to add", validators=[DataRequired("Choose a decision to add.")], choices=[]
    )
    reason = StringField("Why (optional)", validators=[Optional(), Length(max=300)])
    add = SubmitField("Add to the sample")


class ButtonForm(PageForm):
    """A form that is only a CSRF token and a button (drop, close, revoke), once per row."""

    go = SubmitField("Go")


class ReviewForm(PageForm):
    """The IQA's review of one sample. Nothing is chosen at first: the overall outcome and the
    check of every decision (agree or disagree, radio buttons named ``check-<decision id>``
    outside WTForms) must each be chosen; :meth:`require_checks` holds the missing ones."""

    outcome = SelectField(
        "Overall outcome",
        choices=options(
            [
                ("", "Choose an outcome"),
                ("agree", "Agree with the assessor"),
                ("disagree", "Disagree"),
            ]
        ),
        validators=[DataRequired("Choose the overall outcome.")],
    )
    feedback = TextAreaField("Feedback to the assessor", validators=[Length(max=10_000)])
    action1 = StringField("Action for the assessor (optional)", validators=[Length(max=1000)])
    due1 = DayField("Action due", said="Give the day the action is due.", validators=[Optional()])
    action2 = StringField("Second action (optional)", validators=[Length(max=1000)])
    due2 = DayField(
        "Second action due",
        said="Give the day the second action is due.",
        validators=[Optional()],
    )
    reopen = BooleanField("Reopen the sign-off (only with a disagreement)")
    # a standard of 26 criteria makes a sample of as many decisions, each to be checked
    agree_rest = BooleanField("Agree with every decision I have not marked")
    save = SubmitField("Record the review")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missing_checks: dict[int, str] = {}  # decision id -> message beside its check

    def require_checks(self, checks: dict[int, tuple[str, str]], names: dict[int, str]) -> bool:
        """True when every decision has agree or disagree chosen, and every disagreement a note;
        else the message of each, said with the form's other problems (the service says them
        too, but one at a time and only once the form is whole)."""
        self.missing_checks = {}
        for decision_id, (choice, note) in checks.items():
            name = names.get(decision_id, "this decision")
            if choice not in ("agree", "disagree"):
                self.missing_checks[decision_id] = f"Choose agree or disagree for {name}."
            elif choice == "disagree" and not note.strip():
                self.missing_checks[decision_id] = f"Say why you disagree with {name}."
        return not self.missing_checks

    def validate_feedback(self, field: TextAreaField) -> None:
        if self.outcome.data == "disagree" and not (field.data or "").strip():
            raise ValidationError("Give the assessor feedback when you disagree.")

    @property
    def problems(self) -> list[tuple[str, str]]:
        mine = [(f"check-{i}-agree", message) for i, message in self.missing_checks.items()]
        return mine + super().problems

    @property
    def status(self) -> int:
        return 422 if self.missing_checks and self.failure is None else super().status

    # on the action, not on its date: Optional() stops a date left empty from being validated
    def validate_action1(self, field: StringField) -> None:
        _due_with(field, self.due1)

    def validate_action2(self, field: StringField) -> None:
        _due_with(field, self.due2)

    @property
    def actions(self) -> list[tuple[str, date]]:
        """The actions set, each with its due date."""
        pairs = ((self.action1.data, self.due1.data), (self.action2.data, self.due2.data))
        return [
            (text or "", due) for text, due in pairs if (text or "").strip() and due is not None
        ]


def _due_with(action: StringField, due: DayField) -> None:
    given = any((raw or "").strip() for raw in due.raw_data or ())  # a bad date has its own error
    if (action.data or "").strip() and due.data is None and not given:
        raise ValidationError("Give this action a due date.")


class RespondForm(PageForm):
    """An assessor's response to one action (``row=action.id``); the service refuses an empty
    one, after checking whose action it is."""

    response = TextAreaField("Your response", validators=[Length(max=10_000)])
    respond = SubmitField("Send response")


class GrantForm(PageForm):
    person = SelectField("External quality assurer", coerce=int, choices=[])
    cycle = SelectField("Sampling cycle", coerce=int, choices=[])
    expires = DayField(
        "Last day of access (it ends at midnight, the centre’s time)",
        said="Give the last day of access.",
        default=lambda: date.today() + timedelta(days=14),
    )
    grant = SubmitField("Grant read-only access")

    def validate_expires(self, field: DayField) -> None:
        if field.data is not None and field.data >= date.today() + LONGEST_GRANT:
            raise ValidationError(LONGEST_GRANT_SAID)
