"""``/api/v1/people``, ``/cohorts``, ``/registrations``: administration, for administrators
only (as the admin pages): list and add people, cohorts and registrations."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from marshmallow import fields as f
from marshmallow import validate as v

from delivery.web.api import paging, problems
from delivery.web.api.handler import operation, require_role
from delivery.web.api.schemas import IDS, Strict, paged
from delivery.web.context import db
from delivery.web.outbox import can_link, reset_link, send_later
from delivery.web.words import centre_zone, role_words
from portfolio.errors import Invalid, NotFound
from portfolio.models.people import ROLES
from portfolio.services import (
    cohorts,
    invitations,
    learner_numbers,
    people,
    registration_rows,
    registrations,
)
from portfolio.services.actors import Actor
from portfolio.words import local

bp = Blueprint("api_admin", __name__, url_prefix="/api/v1",
               description="Administration: people, cohorts and registrations.")  # fmt: skip
problems.on(bp)


class PersonArgs(ma.Schema):
    role = f.String(load_default=None, validate=v.OneOf(ROLES))


class Person(ma.Schema):
    id = f.Integer(required=True)
    name = f.String(required=True)
    email = f.String(
        required=True, allow_none=True,
        metadata={"description": "null once the person's personal data was erased (what is "
                                 "stored then is a placeholder, never given)"},
    )  # fmt: skip
    roles = f.List(f.String(), required=True)
    site = f.String(required=True)
    active = f.Boolean(required=True)
    two_step = f.Boolean(
        required=True, metadata={"description": "whether they have two-step verification on"}
    )
    uln = f.String(
        required=True, allow_none=True,
        metadata={"description": "a learner's unique learner number (10 digits) once an "
                                 "administrator gave it; null otherwise"},
    )  # fmt: skip


class AddedPerson(Person):
    invited = f.Boolean(
        required=True, metadata={"description": "whether they were e-mailed an invitation to "
                                                "set their password"},
    )  # fmt: skip


class NewPerson(Strict):
    name = f.String(required=True, validate=v.Length(min=1, max=200))
    email = f.String(required=True, validate=v.Length(min=3, max=320))
    roles = f.List(f.String(validate=v.OneOf(ROLES)), required=True, validate=v.Length(min=1))
    site = f.String(load_default="Main site", validate=v.Length(min=1, max=200))
    invite = f.Boolean(
        load_default=False,
        metadata={"description": "E-mail them an invitation to set their password (a link that "
                                 "works once, for 7 days), once they are added. Refused (422, "
                                 "nothing added) where e-mail is not set up."},
    )  # fmt: skip


class Cohort(ma.Schema):
    id = f.Integer(required=True)
    name = f.String(required=True)
    site = f.String(required=True)
    registrations = f.Integer(required=True)
    closed_on = f.Date(
        allow_none=True, required=True,
        metadata={"description": "The day an administrator closed the cohort (in the centre's "
                                 "time zone); null while open. A closed cohort takes no new "
                                 "registration; those in it stay."},
    )  # fmt: skip


class NewCohort(Strict):
    name = f.String(required=True, validate=v.Length(min=1, max=200))
    site = f.String(load_default="Main site", validate=v.Length(min=1, max=200))


class Registration(ma.Schema):
    id = f.Integer(required=True)
    learner_id = f.Integer(required=True)
    learner = f.String(required=True)
    framework_id = f.Integer(required=True)
    framework = f.String(required=True)
    standards = f.List(f.String(), required=True)
    assessor_id = f.Integer(allow_none=True, required=True)
    assessor = f.String(required=True)
    iqa_id = f.Integer(allow_none=True, required=True)
    iqa = f.String(required=True)
    cohort_id = f.Integer(allow_none=True, required=True)
    cohort = f.String(required=True)
    start_date = f.Date(required=True)
    planned_end = f.Date(required=True)
    withdrawn_on = f.Date(
        allow_none=True, required=True, attribute="withdrawn_at",
        metadata={"description": "The day the learner withdrew; null while active. Nothing is "
                                 "mapped, decided or signed off on a withdrawn registration."},
    )  # fmt: skip
    on_break_since = f.Date(
        allow_none=True, required=True, attribute="break_since",
        metadata={"description": "The day a break in learning began; null when none. Still "
                                 "active: the learner writes on, and no plan is overdue. The "
                                 "reason is not given."},
    )  # fmt: skip
    expected_return_on = f.Date(
        allow_none=True, required=True, attribute="break_until",
        metadata={"description": "When the learner is expected back from the break, if said; "
                                 "null otherwise (and when not on a break)."},
    )  # fmt: skip
    completed_on = f.Date(
        allow_none=True, required=True,
        metadata={"description": "The day the last of its standards was signed off (in the "
                                 "centre's time zone), once every one is; null otherwise, and "
                                 "again once one is reopened."},
    )  # fmt: skip
    awarding_body_ref = f.String(
        allow_none=True, required=True,
        metadata={"description": "the awarding body's registration (candidate) number for "
                                 "this registration once given; null otherwise"},
    )  # fmt: skip


class NewRegistration(Strict):
    learner_id = f.Integer(required=True, validate=IDS)
    framework_id = f.Integer(required=True, validate=IDS)
    standards = f.List(
        f.String(validate=v.Length(min=1, max=40)), required=True, validate=v.Length(min=1)
    )
    assessor_id = f.Integer(load_default=None, allow_none=True, validate=IDS)
    iqa_id = f.Integer(load_default=None, allow_none=True, validate=IDS)
    cohort_id = f.Integer(load_default=None, allow_none=True, validate=IDS)
    start_date = f.Date(required=True)
    planned_end = f.Date(required=True)


class Allocation(Strict):
    """What to change; a field left out keeps its value (null: none, for the three ids)."""

    assessor_id = f.Integer(allow_none=True, validate=IDS)
    iqa_id = f.Integer(allow_none=True, validate=IDS)
    cohort_id = f.Integer(allow_none=True, validate=IDS)
    standards = f.List(f.String(validate=v.Length(min=1, max=40)), validate=v.Length(min=1))
    planned_end = f.Date()
    awarding_body_ref = f.String(
        allow_none=True, validate=v.Length(max=30),
        metadata={"description": "the awarding body's registration number; null or empty: "
                                 "none"},
    )  # fmt: skip


def _person(p: Any, two_step: bool) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "email": p.shown_email, "roles": sorted(p.role_set),
            "site": p.site, "active": p.active, "two_step": two_step, "uln": p.uln}  # fmt: skip


@bp.route("/people")
@operation("read")
@bp.arguments(PersonArgs, location="query")
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, paged(Person, "PersonPage"))
def list_people(args: dict[str, Any], page_args: dict[str, Any]) -> dict[str, Any]:
    """List people

    Everyone not removed, by name, each with whether they have two-step verification on;
    optionally only those with one role. Paged by keyset (the cursor holds the last person's
    name and id): every page costs what the first does."""
    require_role("admin")
    found, last = people.people_after(
        db(), role=args["role"], after=paging.after(page_args, "people", str),
        limit=page_args["limit"],
    )  # fmt: skip
    return paging.keyset_body([_person(p, on) for p, on in found], "people", last)


@bp.route("/people", methods=["POST"])
@operation("admin")
@bp.arguments(NewPerson)
@bp.response(201, AddedPerson)
def create_person(args: dict[str, Any]) -> dict[str, Any]:
    """Add a person

    With no password: with `invite` they are e-mailed an invitation to set one (as the "Add a
    person" page sends), otherwise they set one through "Forgot your password?" (and no
    two-step verification yet). `invited` says whether an invitation was sent."""
    admin = require_role("admin")
    if args["invite"] and not current_app.config.get("MAIL_HOST"):
        raise Invalid(NO_MAIL)
    if args["invite"] and not can_link():
        raise Invalid(NO_LINK)
    person = people.create_person(
        db(), actor=admin, name=args["name"], email=args["email"],
        roles=args["roles"], site=args["site"],
    )  # fmt: skip
    invited = bool(args["invite"]) and _invite(admin, person.id or 0)
    return {**_person(person, two_step=False), "invited": invited}


def _invite(admin: Actor, person_id: int) -> bool:
    """The admin pages' invitation (:mod:`delivery.web.admin.invites`), e-mailed once the request
    commits; whether a link could be made (none without ``PORTFOLIO_BASE_URL`` in production)."""
    person, token = invitations.invite(db(), actor=admin, person_id=person_id)
    link = reset_link(token)
    if link is None:
        return False
    subject, body = invitations.message(
        name=person.name, centre=str(current_app.config["CENTRE_NAME"]),
        roles=role_words(person.roles).lower(), link=link,
    )  # fmt: skip
    send_later(person.email, subject, body)
    return True


NO_MAIL = (
    "The site cannot send e-mail: ask whoever runs it to set the mail server (the "
    "PORTFOLIO_MAIL_HOST setting). Until then no invitation can be sent; nobody was added. Add "
    'them without "invite" and set a password for them on their page.'
)

NO_LINK = (
    "This site's address is not set (the PORTFOLIO_BASE_URL setting): an invitation's link "
    "would have no address to point to, so none can be sent; nobody was added. Ask whoever "
    'runs the site to set it, or add them without "invite" and set a password for them on '
    "their page."
)


@bp.route("/cohorts")
@operation("read")
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, paged(Cohort, "CohortPage"))
def list_cohorts(page_args: dict[str, Any]) -> dict[str, Any]:
    """List cohorts

    By name, with the number of registrations in each. Paged by keyset (the cursor holds the
    last cohort's name and id)."""
    require_role("admin")
    found, last = cohorts.cohorts_after(
        db(), after=paging.after(page_args, "cohorts", str), limit=page_args["limit"]
    )
    zone = centre_zone()
    shown = [
        {**asdict(c), "closed_on": local(c.closed_at, zone).date() if c.closed_at else None}
        for c in found
    ]
    return paging.keyset_body(shown, "cohorts", last)


@bp.route("/cohorts", methods=["POST"])
@operation("admin")
@bp.arguments(NewCohort)
@bp.response(201, Cohort)
def create_cohort(args: dict[str, Any]) -> dict[str, Any]:
    """Add a cohort"""
    cohort = registrations.create_cohort(
        db(), actor=require_role("admin"), name=args["name"], site=args["site"]
    )
    return {"id": cohort.id, "name": cohort.name, "site": cohort.site, "registrations": 0,
            "closed_on": None}  # fmt: skip


@bp.route("/registrations")
@operation("read")
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, paged(Registration, "RegistrationPage"))
def list_registrations(page_args: dict[str, Any]) -> dict[str, Any]:
    """List registrations

    Every learner's registration on a framework version, with standards and staff, by the
    learner's name. Paged by keyset (the cursor holds the last one's learner and id)."""
    actor = require_role("admin")
    found, last = registration_rows.registrations_after(
        db(), actor=actor, after=paging.after(page_args, "registrations", paging.learner_key),
        limit=page_args["limit"], zone=centre_zone(),
    )  # fmt: skip
    return paging.registrations_body([asdict(r) for r in found], "registrations", last)


@bp.route("/registrations/<int:registration_id>")
@operation("read")
@bp.response(200, Registration)
def show_registration(registration_id: int) -> dict[str, Any]:
    """Show one registration"""
    rows = registrations.list_registrations(
        db(), zone=centre_zone(), actor=require_role("admin"), registration_id=registration_id
    )
    if not rows:
        raise NotFound("No such registration.")
    return asdict(rows[0])


@bp.route("/registrations", methods=["POST"])
@operation("admin")
@bp.arguments(NewRegistration)
@bp.response(201, Registration)
def create_registration(args: dict[str, Any]) -> dict[str, Any]:
    """Register a learner

    On standards of one framework version, with an assessor and an IQA (either may be left
    for later)."""
    actor = require_role("admin")
    made = registrations.register(
        db(), actor=actor, learner_id=args["learner_id"], framework_id=args["framework_id"],
        standard_codes=args["standards"], assessor_id=args["assessor_id"],
        iqa_id=args["iqa_id"], cohort_id=args["cohort_id"], start_date=args["start_date"],
        planned_end=args["planned_end"],
    )  # fmt: skip
    rows = registrations.list_registrations(
        db(), zone=centre_zone(), actor=actor, registration_id=made.id
    )
    return asdict(rows[0])


@bp.route("/registrations/<int:registration_id>", methods=["PATCH"])
@operation("admin")
@bp.arguments(Allocation)
@bp.response(200, Registration)
def update_registration(args: dict[str, Any], registration_id: int) -> dict[str, Any]:
    """Change a registration

    Its assessor, IQA, cohort, standards, planned end or awarding body registration number;
    the framework version never changes."""
    actor = require_role("admin")
    rows = registrations.list_registrations(
        db(), zone=centre_zone(), actor=actor, registration_id=registration_id
    )
    if not rows:
        raise NotFound("No such registration.")
    now = rows[0]
    registrations.update_allocation(
        db(), actor=actor, registration_id=registration_id,
        assessor_id=args.get("assessor_id", now.assessor_id),
        iqa_id=args.get("iqa_id", now.iqa_id),
        cohort_id=args.get("cohort_id", now.cohort_id),
        standard_codes=args.get("standards"), planned_end=args.get("planned_end"),
    )  # fmt: skip
    if "awarding_body_ref" in args:
        learner_numbers.set_awarding_ref(
            db(), actor=actor, registration_id=registration_id,
            ref=args["awarding_body_ref"] or "",
        )  # fmt: skip
    return asdict(
        registrations.list_registrations(
            db(), zone=centre_zone(), actor=actor, registration_id=registration_id
        )[0]
    )
