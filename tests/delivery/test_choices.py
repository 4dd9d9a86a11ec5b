"""Choices of selects, radio buttons and tick boxes are WTForms ``SelectChoice``s (``options``),
not the (value, label) tuples WTForms 3.3 deprecates and 3.4 removes; the pages render and judge
them as before. tests/conftest.py refuses a tuple wherever a test renders or validates a form."""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice, SelectFieldBase

import delivery.web
from delivery.web.admin.forms import CheckboxesField
from delivery.web.forms import PageForm, options


class Picks(PageForm):
    class Meta:
        csrf = False

    number = SelectField("Number", coerce=int, choices=options([(1, "One"), (2, "Two & more")]))
    word = RadioField("Word", choices=options([("a", "Ay"), ("", "Not now")]), default="")
    many = SelectMultipleField("Many", coerce=int, choices=options([(5, "Five"), (6, "Six")]))
    boxes = CheckboxesField("Boxes", choices=options([("x", "Ex"), ("y", "Why")]))


def test_options_are_select_choices_of_the_pairs_in_order() -> None:
    made = options([(3, "Three"), ("", "(none)")])
    assert made == [SelectChoice(3, "Three"), SelectChoice("", "(none)")]
    assert [(c.value, c.label, c.render_kw, c.optgroup) for c in made] == [
        (3, "Three", {}, None),
        ("", "(none)", {}, None),
    ]
    assert options(iter({"k": "Kay"}.items())) == [SelectChoice("k", "Kay")]


def test_a_tuple_choice_is_refused_as_wtforms_3_4_will() -> None:
    """The guard of tests/conftest.py is on: a page that still gave a tuple would fail."""

    class Old(PageForm):
        class Meta:
            csrf = False

        pick = SelectField("Pick")

    app = Flask(__name__)
    with app.test_request_context():
        form = Old(formdata=None)
        form.pick.choices = [("a", "Ay")]  # set on the bound field: 3.3 says nothing
        with pytest.raises(TypeError, match="tuple"):
            form.pick()


def test_the_fields_render_as_they_did_with_tuples() -> None:
    """The HTML WTForms 3.3 made of the same choices given as tuples, byte for byte."""
    app = Flask(__name__)
    with app.test_request_context():
        form = Picks(formdata=MultiDict([("number", "2"), ("word", "a"), ("many", "6")]))
        form.boxes.data = ["y"]
        assert form.number() == (
            '<select id="number" name="number"><option value="1">One</option>'
            '<option selected value="2">Two &amp; more</option></select>'
        )
        assert form.word() == (
            '<ul id="word"><li><input checked id="word-0" name="word" type="radio" value="a"> '
            '<label for="word-0">Ay</label></li><li><input id="word-1" name="word" type="radio"'
            ' value=""> <label for="word-1">Not now</label></li></ul>'
        )
        assert form.many() == (
            '<select id="many" multiple name="many"><option value="5">Five</option>'
            '<option selected value="6">Six</option></select>'
        )
        assert form.boxes() == (
            '<ul id="boxes"><li><input id="boxes-0" name="boxes" type="checkbox" value="x"> '
            '<label for="boxes-0">Ex</label></li><li><input checked id="boxes-1" name="boxes" '
            'type="checkbox" value="y"> <label for="boxes-1">Why</label></li></ul>'
        )


@pytest.mark.parametrize(
    ("sent", "valid", "number", "many"),
    [
        ([("number", "2"), ("word", ""), ("many", "5"), ("many", "6")], True, 2, [5, 6]),
        ([("number", "3"), ("word", "a")], False, 3, []),  # not one of the choices
        ([("number", "two"), ("word", "a")], False, None, []),  # not a number
        ([("number", "1"), ("word", "b")], False, 1, []),
        ([("number", "1"), ("word", "a"), ("many", "7")], False, 1, [7]),
    ],
)
def test_coerced_choices_still_validate(
    sent: list[tuple[str, str]], valid: bool, number: int | None, many: list[int]
) -> None:
    app = Flask(__name__)
    with app.test_request_context():
        form = Picks(formdata=MultiDict(sent))
        assert form.validate() is valid
        assert form.number.data == number
        assert form.many.data == many


def _page_forms() -> list[type[PageForm]]:
    for info in pkgutil.walk_packages(delivery.web.__path__, "delivery.web."):
        importlib.import_module(info.name)
    found: list[type[PageForm]] = []
    todo = [PageForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("delivery.web.") and sub not in found:
                found.append(sub)
                todo.append(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


def test_the_page_forms_are_found() -> None:
    names = {f"{c.__module__}.{c.__qualname__}" for c in _page_forms()}
    assert {
        "delivery.web.plans.PlanForm",
        "delivery.web.admin.forms.PersonForm",
        "delivery.web.evidence.forms.ClaimDecisionForm",
        "delivery.web.iqa.forms.ReviewForm",
        "delivery.web.forms.TokenForm",
    } <= names


@pytest.mark.parametrize("cls", _page_forms(), ids=lambda c: f"{c.__module__[13:]}.{c.__name__}")
def test_every_page_form_gives_its_choices_as_wtforms_3_4_reads_them(cls: type[PageForm]) -> None:
    """Made and rendered with no deprecation from WTForms, every choice a ``SelectChoice`` or a
    string (choices a view fills in are checked where the pages render: tests/conftest.py)."""
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"  # noqa: S105 - the CSRF token of a form made here
    with app.test_request_context(), warnings.catch_warnings():
        warnings.filterwarnings("error", category=DeprecationWarning, module="wtforms")
        warnings.filterwarnings("error", message=".*(SelectField|Choice|choices)")
        form: Any = cls(formdata=None, row=1)
        for field in form:
            if isinstance(field, SelectFieldBase):
                given = field.choices or []  # type: ignore[attr-defined]
                assert all(isinstance(c, SelectChoice | str) for c in given), field.name
            field()
