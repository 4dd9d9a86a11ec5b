"""A framework's assessment strategy (coverage rules and method codes), stored as data on it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from mappings.assessment.coverage import CoverageRules
from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import Framework
from portfolio.services import audit, registration_holds
from portfolio.services.people import Actor


def rules_for(framework: Framework) -> CoverageRules:
    return CoverageRules.from_dict(framework.rules or {})


def set_rules(
    session: Session, *, actor: Actor, framework_id: int, data: dict[str, Any]
) -> CoverageRules:
    """Replace a framework's rules after checking them; the change is audited."""
    if not actor.has("admin"):
        raise PermissionDenied("Only administrators change a framework's assessment strategy.")
    framework = session.get(Framework, framework_id)
    if framework is None:
        raise Invalid("No such framework.")
    try:
        rules = CoverageRules.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise Invalid(f"Those rules are not valid: {exc}") from exc
    old = dict(framework.rules or {})
    # what every registration on it counts changes: a summary being stored is waited for
    registration_holds.hold_framework(session, framework_id)
    framework.rules = rules.to_dict()
    session.add(framework)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="framework.rules",
        subject_type="framework",
        subject_id=framework_id,
        data={"old": old, "new": framework.rules},
    )
    return rules
