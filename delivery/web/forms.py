"""Forms of the pages (CSRF protected by Flask-WTF), and the one way a refusal reaches them.

Every form of a page is a :class:`PageForm`. A view validates it, then makes its one service call
inside :func:`errors_on`; a rule the call breaks (``Invalid``), a change someone made first
(``Conflict``) or a part of the server out of order (``Unavailable``: the file store is full)
rolls the request back and becomes the form's own error, beside the field the error names or
above the form, and the view renders the page that holds the form again, with what the person
typed, answering :attr:`PageForm.status`::

    form = CohortForm()
    if form.validate_on_submit():
        with errors_on(form):
            registrations.create_cohort(db(), actor=actor(), name=form.name.data or "")
            return redirect(url_for("admin.cohorts"))
    return render_template("admin/cohorts.html", form=form), form.status
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    Field,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from delivery.web import context
from portfolio.errors import Conflict, DomainError, Invalid, Unavailable
from portfolio.services.files import TooLarge
from portfolio.services.tokens import SCOPES
from portfolio.storable import contains_nul, nul_message

# what a page answers when its form was refused by the service, most specific first
STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (Conflict, 409),
    (TooLarge, 413),
    (Invalid, 422),
    (Unavailable, 503),
)


# WTForms' words for a value it could not read as the field's kind, which name no field
_NOT_ONE_OF_THE_LIST = frozenset(
    {
        "Invalid choice(s): one or more data inputs could not be coerced.",
        "Invalid Choice: could not coerce.",
        "Not a valid choice.",
    }
)
_NOT_A_VALID_CHOICE = re.compile(r"'.*' is not a valid choice for this field\.", re.S)
_NOT_A_NUMBER = frozenset(
    {"Not a valid integer value.", "Not a valid decimal value.", "Not a valid float value."}
)


def _in_words(field: Field, error: str) -> str:
    """WTForms' own words where a field gave none of its own, which the summary of problems
    shows without saying which field ("This field is required.", "Field cannot be longer than
    300 characters.", "Invalid choice(s): one or more data inputs could not be coerced."): the
    field's name, and for a length its most (or least) and how many characters it has; any
    other message as it is."""
    label = re.sub(r"\s*\(.*\)$", "", str(field.label.text))  # "Name (for you...)": "Name"
    if error == "This field is required.":
        return f"{label} is required."
    if error in _NOT_ONE_OF_THE_LIST or _NOT_A_VALID_CHOICE.fullmatch(error):
        # a value the list never offered (a tampered form's "abc" for a number)
        return f"{label}: a choice sent is not one of the list; choose from the list again."
    if error in _NOT_A_NUMBER:
        return f"{label} must be a number, such as 3."
    if not error.startswith(("Field cannot be longer", "Field must be")):
        return error
    rule = next((v for v in field.validators if isinstance(v, Length) and v.message is None), None)
    if rule is None:
        return error
    has = len(field.data) if isinstance(field.data, str) else 0
    if rule.max != -1 and has > rule.max:
        return f"{label} may be at most {rule.max:,} characters (it has {has:,})."
    return f"{label} needs at least {rule.min:,} characters (it has {has:,})."


class PageForm(FlaskForm):
    """A form of a page. ``row=`` tells apart the copies of a form repeated once per row (one per
    claim, per action...): their fields keep their names and take ids such as ``feedback-12``.
    ``id_prefix`` keeps the ids of forms that share a page apart."""

    id_prefix = ""
    # The names of the fields in the order the page lays them out, where that is not the class's
    # (a form inheriting fields holds those first): the summary of problems follows the page.
    page_order: ClassVar[tuple[str, ...]] = ()

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            ident = f"{form.id_prefix}{options.get('prefix') or ''}{options['name']}"
            row = form._row
            options = {**options, "id": ident if row is None else f"{ident}-{row}"}
            return super().bind_field(form, unbound_field, options)

    def __init__(self, *args: Any, row: int | None = None, **kwargs: Any) -> None:
        self._row = row
        self.failure: DomainError | None = None
        super().__init__(*args, **kwargs)

    @property
    def row(self) -> int | None:
        return self._row

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, and for every form: no NUL character in any text (neither
        database can hold one alike; the form is shown again with the message, 422)."""
        valid: bool = super().validate(extra_validators)
        for field in self:
            if field.errors:
                field.errors = [_in_words(field, e) for e in field.errors]
            data = getattr(field.data, "filename", field.data)  # an upload: its name
            if contains_nul(data):
                field.errors = [*field.errors, nul_message(str(field.label.text))]
                valid = False
        return valid

    def fail(self, error: DomainError) -> None:
        """Show ``error`` beside the field it names, or above the form."""
        self.failure = error
        target = self._fields.get(getattr(error, "field", None) or "")
        if target is None:
            self.form_errors.append(str(error))
        else:
            target.errors = [*target.errors, str(error)]

    @property
    def status(self) -> int:
        """200, or what a page showing this form again answers: 422, 409 (changed by someone
        else), 413 (file too large) or 503 (the file store cannot be written)."""
        if self.failure is not None:
            return next(code for kind, code in STATUS if isinstance(self.failure, kind))
        return 422 if self.errors else 200

    @property
    def error_anchor(self) -> str:
        """The id of the form's own message (the one that names no field)."""
        name = f"{self.id_prefix}{self._prefix}{type(self).__name__.lower()}-error"
        return name if self._row is None else f"{name}-{self._row}"

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(id of what it is about, message) of every error, for the summary atop the page, in
        the page's order (``page_order``, else the class's)."""
        found = [(self.error_anchor, str(message)) for message in self.form_errors]
        order = self.page_order
        fields = sorted(self, key=lambda f: order.index(f.name) if f.name in order else len(order))
        return found + [(f.id, str(message)) for f in fields for message in f.errors]


@contextmanager
def errors_on(form: PageForm) -> Iterator[None]:
    """Around the service call of a form view: its refusal becomes the form's error."""
    try:
        yield
    except (Invalid, Conflict, Unavailable) as error:
        context.undo()
        form.fail(error)


def wrong_answer(form: PageForm, *fields: str) -> bool:
    """Whether the service refused what ``form`` gave in one of ``fields`` (a wrong password or
    code, not a field left empty): on the account pages such a try counts towards the client
    address's failed log-in limit (:func:`delivery.web.limits.note_failed_login`)."""
    return form.failure is not None and getattr(form.failure, "field", None) in fields


FormT = TypeVar("FormT", bound=PageForm)


class DayField(DateField):
    """A day whose refusal, left empty or not a day, says what to give (``said``: "Give the day
    the learner starts."), not the form library's "Not a valid date value" or "This field is
    required". Required unless ``validators`` say otherwise (``[Optional()]``: may be left empty).
    """

    def __init__(
        self, label: str, *, said: str, validators: list[Any] | None = None, **kwargs: Any
    ) -> None:
        chain = [InputRequired(message=said)] if validators is None else validators
        super().__init__(label, validators=chain, **kwargs)
        self.said = said

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.said) from None


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """The choices of a select, radio buttons or tick boxes, from (value, label) pairs: WTForms
    takes them as ``SelectChoice`` (tuples are deprecated in 3.3 and removed in 3.4). A value
    is sent as its text and read back by the field's ``coerce``, as before."""
    return [SelectChoice(value, label) for value, label in pairs]


def per_row(
    cls: type[FormT], rows: Iterable[int | None], failed: PageForm | None = None, **kwargs: Any
) -> dict[int, FormT]:
    """A fresh ``cls`` form for each row of a page; the one that failed takes its row's place (or
    is added, when its row is no longer shown, so that the page's summary still tells its error)."""
    forms = {row or 0: cls(formdata=None, row=row or 0, **kwargs) for row in rows}
    same_kind = failed._prefix.rstrip("-") == kwargs.get("prefix", "") if failed else False
    if isinstance(failed, cls) and failed.row is not None and same_kind:
        forms[failed.row] = failed
    return forms


def status_of(*forms: PageForm | None) -> int:
    """What a page holding ``forms`` answers: the status of the one that failed, else 200."""
    return next((f.status for f in forms if f is not None and f.status != 200), 200)


def field_attrs(field: Field, hint: bool = False, **attrs: Any) -> dict[str, Any]:
    """The attributes of a field's input that tie it to its hint and its error messages."""
    described = [f"{field.id}-hint"] if hint else []
    if field.errors:
        described.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


class LoginForm(PageForm):
    # any address is looked up: an account may hold one that today's rule would refuse
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    submit = SubmitField("Log in")


def password_length(what: str = "new password") -> tuple[Length, Length]:
    """A password's 8..256 characters, refused in words naming it ("The initial password must
    be at least 8 characters long."), not WTForms' "Field must be between 8 and 256 characters
    long."."""
    return (
        Length(min=8, message=f"The {what} must be at least 8 characters long."),
        Length(max=256, message=f"The {what} must be at most 256 characters long."),
    )


NEW_PASSWORD_LENGTH = password_length()


class ChangePasswordForm(PageForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=256)])
    password = PasswordField(
        "New password (at least 8 characters)", validators=[DataRequired(), *NEW_PASSWORD_LENGTH]
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The new passwords differ.")],
    )
    change = SubmitField("Change password")


CODE_LABEL = "6-digit code from your authenticator app"
RECOVERY_LABEL = "Or one of your recovery codes"


class CodeOrRecovery(PageForm):
    """A form taking the code of the person's app or, instead, one of their recovery codes."""

    code = StringField(CODE_LABEL, validators=[Optional(), Length(max=20)])
    recovery = StringField(RECOVERY_LABEL, validators=[Optional(), Length(max=40)])

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not (self.given or "").strip():
            self.code.errors = [*self.code.errors, "Type the 6-digit code your app shows."]
            return False
        return valid

    @property
    def given(self) -> str:
        """What the person typed: the code, else the recovery code."""
        return (self.code.data or "").strip() or (self.recovery.data or "").strip()


class SecondStepForm(CodeOrRecovery):
    """The second step of a log-in, after the right password."""

    submit = SubmitField("Continue")


class TwoStepOnForm(PageForm):
    code = StringField(
        CODE_LABEL,
        validators=[DataRequired(message="Type the 6-digit code your app shows."), Length(max=20)],
    )
    turn_on = SubmitField("Turn on two-step verification")


class TwoStepOffForm(CodeOrRecovery):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=256)])
    turn_off = SubmitField("Turn off two-step verification")


class LogoutEverywhereForm(PageForm):
    everywhere = SubmitField("Log out everywhere")


class ForgotPasswordForm(PageForm):
    email = EmailField(
        "E-mail address of your account",
        validators=[DataRequired(), Length(max=320)],
    )
    send = SubmitField("Send me a link")


class NewPasswordForm(PageForm):
    password = PasswordField(
        "New password (at least 8 characters)", validators=[DataRequired(), *NEW_PASSWORD_LENGTH]
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
    save = SubmitField("Set new password")


class TokenForm(PageForm):
    """A new personal access token for the API: a name, its scopes, how long it lasts."""

    name = StringField("Name (what the token is for)", validators=[DataRequired(), Length(max=100)])
    scopes = SelectMultipleField(
        "What it may do",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message="Choose at least one thing the token may do.")],
    )
    days = SelectField(
        "Lasts for",
        coerce=int,
        default=90,
    )
    create = SubmitField("Make token")

    def __init__(self, *args: Any, scopes: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scopes.choices = options((SCOPES if scopes is None else scopes).items())
        self.days.choices = options([(30, "30 days"), (90, "90 days"), (366, "a year")])


class ConfirmSignInForm(CodeOrRecovery):
    """The password given again, for a recent sign-in (the tokens page, ``confirm-`` fields);
    with two-step verification on (``needs_code``) a code or a recovery code as well, as at
    log-in. The fields in the order the page shows them: the password, then the codes."""

    password = PasswordField("Your password", validators=[DataRequired(), Length(max=256)])
    code = StringField(CODE_LABEL, validators=[Optional(), Length(max=20)])
    recovery = StringField(RECOVERY_LABEL, validators=[Optional(), Length(max=40)])
    submit = SubmitField("Confirm")
    needs_code = False

    def validate(self, extra_validators: Any = None) -> bool:
        if self.needs_code:
            return super().validate(extra_validators)
        return PageForm.validate(self, extra_validators)


class RevokeTokenForm(PageForm):
    revoke = SubmitField("Revoke")
