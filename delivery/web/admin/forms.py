"""Forms of the administrator and framework pages (CSRF protected by Flask-WTF)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from delivery.web.forms import NEW_PASSWORD_LENGTH, DayField, PageForm, options, password_length
from delivery.web.framework_formats import FORMAT_LABELS
from delivery.web.words import ROLE_WORDS
from portfolio.errors import Invalid
from portfolio.models.people import ROLES
from portfolio.services.learner_numbers import check_awarding_ref, check_uln
from portfolio.services.people import check_email
from portfolio.services.registration_dates import default_planned_end

NO_CHOICE = 0  # the "(none)" option of optional selects
# the role tick boxes: the code is sent, the role is read in words ("Internal quality assurer")
ROLE_CHOICES = options((role, ROLE_WORDS.get(role, role).capitalize()) for role in ROLES)


class CheckboxesField(SelectMultipleField):
    """Tick boxes, one per choice, in a list."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def judged_by(check: Callable[[str], object]) -> Callable[[PageForm, Field], None]:
    """A field's validator applying the service's own rule ``check`` (people.check_email,
    learner_numbers.check_uln...), so a refusal is reported with the form's other fields at
    once (not only once they are right) and in the service's words."""

    def judge(_form: PageForm, field: Field) -> None:
        try:
            check(field.data or "")
        except Invalid as error:
            raise ValidationError(str(error)) from None

    return judge


an_address = judged_by(check_email)


class PersonForm(PageForm):
    name = StringField(
        "Full name", validators=[DataRequired("Give the person's full name."), Length(max=200)]
    )
    email = EmailField(
        "E-mail (the log-in)",
        # the address is judged by the service's rule (people.check_email), the one for all
        validators=[DataRequired("Give the e-mail address they will log in with."), an_address],
    )
    roles = CheckboxesField(
        "Roles", choices=ROLE_CHOICES, validators=[DataRequired(message="Tick at least one role.")]
    )
    site = StringField(
        "Site",
        default="Main site",
        validators=[DataRequired("Give the person's site, such as “Main site”."), Length(max=200)],
    )
    password = PasswordField(
        "Initial password (at least 8 characters; leave empty to set it later)",
        validators=[Optional(), *password_length("initial password")],
    )
    invite = BooleanField("E-mail them an invitation to set their password")
    create = SubmitField("Add person")


class InviteForm(PageForm):
    """Send the person a new invitation to set their password."""

    invite = SubmitField("Invite again")


class DetailsForm(PageForm):
    """A person's details as an administrator corrects them (the service judges them)."""

    name = StringField(
        "Full name", validators=[DataRequired("Give the person's full name."), Length(max=200)]
    )
    email = EmailField(
        "E-mail (the log-in)",
        validators=[DataRequired("Give the e-mail address they log in with."), an_address],
    )
    roles = CheckboxesField(
        "Roles", choices=ROLE_CHOICES, validators=[DataRequired(message="Tick at least one role.")]
    )
    site = StringField(
        "Site",
        validators=[DataRequired("Give the person's site, such as “Main site”."), Length(max=200)],
    )
    # a learner's only: the page shows it to learners' details alone
    uln = StringField(
        "Unique learner number (ULN, optional)",
        validators=[judged_by(check_uln)],
    )
    save = SubmitField("Save details")


class PasswordResetForm(PageForm):
    password = PasswordField(
        "New password", validators=[DataRequired("Give the new password."), *NEW_PASSWORD_LENGTH]
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Give the new password again."),
            EqualTo("password", message="The passwords differ."),
        ],
    )
    reset = SubmitField("Reset password")


class TwoStepResetForm(PageForm):
    sure = BooleanField(
        "Yes: I have made sure that this person is the one asking (their phone is lost or "
        "replaced). They will log in with their password alone until they turn it on again.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    reset_two_step = SubmitField("Reset two-step verification")


class RemoveForm(PageForm):
    sure = BooleanField(
        "Yes, remove this person. Their evidence, decisions and registrations are kept.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    remove = SubmitField("Remove person")


class CohortForm(PageForm):
    name = StringField(
        "Cohort name", validators=[DataRequired("Give the cohort a name."), Length(max=200)]
    )
    site = StringField(
        "Site",
        default="Main site",
        validators=[DataRequired("Give the cohort's site, such as “Main site”."), Length(max=200)],
    )
    create = SubmitField("Add cohort")


class CloseCohortForm(PageForm):
    sure = BooleanField(
        "Yes, close this cohort: it is offered to no new registration; its learners stay in it.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    close = SubmitField("Close the cohort")


class ReopenCohortForm(PageForm):
    reopen = SubmitField("Reopen")


class AllocationFields(PageForm):
    """What both the new-registration and the edit-registration forms hold."""

    standards = CheckboxesField(
        "Standards", validate_choice=False, validators=[DataRequired("Tick at least one standard.")]
    )
    # Only fitting people are offered, but the service judges roles and separation of duties
    # (validate_choice=False), so a tampered or stale form gets the service's clear message.
    assessor_id = SelectField(
        "Assessor", coerce=int, validate_choice=False, validators=[InputRequired()]
    )
    iqa_id = SelectField(
        "Internal quality assurer (IQA)",
        coerce=int,
        validate_choice=False,
        validators=[InputRequired()],
    )
    cohort_id = SelectField("Cohort", coerce=int, validate_choice=False, default=NO_CHOICE)
    planned_end = DayField(
        "Planned end",
        said="Give the day the learner is planned to finish.",
        default=lambda: default_planned_end(date.today()),
    )


class RegistrationForm(AllocationFields):
    # the page asks for the learner first; the class holds the fields it shares first
    page_order = ("learner_email", "standards", "assessor_id", "iqa_id", "cohort_id", "start_date")
    # typed, not picked: a list of every learner grows with the centre; the service finds them
    learner_email = EmailField(
        "Learner's e-mail (their log-in)",
        validators=[
            DataRequired("Give the learner's e-mail address, the one they log in with."),
            Length(max=320),
        ],
    )
    framework_id = HiddenField(validators=[DataRequired()])
    start_date = DayField("Start date", said="Give the day the learner starts.", default=date.today)
    create = SubmitField("Register learner")


class AllocationForm(AllocationFields):
    awarding_body_ref = StringField(
        "Awarding body registration number (optional)", validators=[judged_by(check_awarding_ref)]
    )
    save = SubmitField("Save changes")


FORMATS = options(FORMAT_LABELS)


class UploadFrameworkForm(PageForm):
    file = MultipleFileField(
        "Framework files",
        validators=[
            FileRequired(
                "Choose the framework file, or its files (one Word document per standard)."
            )
        ],
    )
    fmt = SelectField("Format", choices=FORMATS, default="auto")
    code = StringField(
        "Code (only for a unit whose file has none)", validators=[Optional(), Length(max=64)]
    )
    title = StringField(
        "Title (only for a unit whose file has none)", validators=[Optional(), Length(max=500)]
    )
    new_version = BooleanField("Import changed content as a new version")
    add = BooleanField("Add these standards to the framework already loaded (its newest version)")
    preview = SubmitField("Preview")


class ConfirmImportForm(PageForm):
    token = HiddenField(validators=[DataRequired()])
    confirm = SubmitField("Import")
    cancel = SubmitField("Cancel")


EMAIL_LINKS = options(
    [
        ("learners", "Learners only (staff are linked by an administrator)"),
        ("staff", "Learners, assessors and IQAs (the centre controls this VLE's addresses)"),
        ("none", "Nobody (an administrator links each person)"),
    ]
)


class PlatformForm(PageForm):
    """An LTI 1.3 platform (a VLE such as Moodle), with what its tool set-up page shows."""

    name = StringField(
        "Name (for you, e.g. “Moodle”)", validators=[DataRequired(), Length(max=200)]
    )
    issuer = StringField("Platform ID (issuer)", validators=[DataRequired(), Length(max=255)])
    client_id = StringField("Client ID", validators=[DataRequired(), Length(max=255)])
    deployment_ids = TextAreaField(
        "Deployment ID (one per line)", validators=[DataRequired(), Length(max=2000)]
    )
    auth_login_url = StringField(
        "Authentication request URL", validators=[DataRequired(), Length(max=500)]
    )
    token_url = StringField("Access token URL", validators=[DataRequired(), Length(max=500)])
    jwks_url = StringField("Public keyset URL", validators=[DataRequired(), Length(max=500)])
    email_links = SelectField(
        "Whose accounts may its launches find by e-mail address?",
        choices=EMAIL_LINKS,
        default="learners",
    )
    add = SubmitField("Register the platform")


class PlatformRemoveForm(PageForm):
    platform = SelectField("VLE", coerce=int, validators=[InputRequired()])
    sure = BooleanField(
        "Yes, remove it: its course links stop opening portfolios. People's links are kept "
        "in case it is registered again.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
    remove = SubmitField("Remove the VLE")


class PlatformLinkForm(PageForm):
    platform = SelectField("VLE", coerce=int, validators=[InputRequired()])
    email = StringField(
        "E-mail address of their account here",
        validators=[
            DataRequired("Give the e-mail address of their account here."),
            Length(max=320),
        ],
    )
    subject = StringField(
        "Their user id in the VLE",
        validators=[DataRequired("Give their user id in the VLE."), Length(max=255)],
    )
    link = SubmitField("Link them")


class WithdrawForm(PageForm):
    """A learner's withdrawal from one registration (the service judges the date and reason)."""

    on = DayField(
        "Date the learner left", said="Give the day the learner left.", default=date.today
    )
    reason = StringField(
        "Reason", validators=[DataRequired(message="Say why the learner withdrew.")]
    )
    withdraw = SubmitField("Withdraw")


class ReinstateForm(PageForm):
    reinstate = SubmitField("Reinstate")


class BreakForm(PageForm):
    """A break in learning from today (the service judges the reason and the return date)."""

    id_prefix = "break-"  # beside the withdrawal form, whose reason is another field
    reason = StringField(
        "Reason", validators=[DataRequired(message="Say why the learner is taking a break.")]
    )
    until = DayField(
        "Expected return (optional)",
        said="Give the day the learner is expected back, or leave it empty.",
        validators=[Optional()],
    )
    start = SubmitField("Start the break")


class EndBreakForm(PageForm):
    end = SubmitField("End the break")


class ReallocateForm(PageForm):
    """Move some of a person's learners to another assessor (``to_assessor_id``) or IQA
    (``to_iqa_id``): the fields keep the names the service's refusals give. The page lists the
    learners a page at a time: ``scope`` "all" moves every one of them (found on the server) but
    those unticked on this page (``shown``: the ids it listed; ``expected``: how many it said
    there were), "ticked" (also when not sent) only those ticked on this page."""

    scope = RadioField(
        "Which learners", choices=options([("all", "All"), ("ticked", "Ticked")]), default="ticked"
    )
    registration_ids = CheckboxesField("Learners to move", coerce=int, validate_choice=False)
    shown = HiddenField()
    expected = HiddenField()
    move = SubmitField("Move the learners")

    def shown_ids(self) -> list[int]:
        return [int(i) for i in (self.shown.data or "").split(",") if i.isdigit() and len(i) < 10]

    def expected_count(self) -> int | None:
        text = self.expected.data or ""
        return int(text) if text.isdigit() and len(text) < 10 else None


class ReallocateAssessorForm(ReallocateForm):
    to_assessor_id = SelectField(
        "New assessor",
        coerce=int,
        validate_choice=False,
        validators=[NumberRange(min=1, message="Choose who takes the learners on.")],
    )


class ReallocateIqaForm(ReallocateForm):
    to_iqa_id = SelectField(
        "New internal quality assurer (IQA)",
        coerce=int,
        validate_choice=False,
        validators=[NumberRange(min=1, message="Choose who takes the learners on.")],
    )
