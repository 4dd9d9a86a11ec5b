"""Where each of a learner's criteria stands, for the checklists that map evidence to them (the
evidence editor's and the evidence page's "Map to criteria"): the states of the full coverage
(:mod:`mappings.assessment.standing`), read from the learner's claims of those criteria folded
in the database, so that a checklist reads the same rows however many items the learner wrote."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Date, bindparam, case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from mappings.assessment.counts import criterion_states_of, uncounted
from mappings.assessment.coverage import CoverageRules, CriterionRef
from mappings.assessment.models import Claim
from portfolio.models import Evidence, Framework

_RULES = sa_select(col(Framework.id), col(Framework.rules)).where(
    col(Framework.id).in_(bindparam("ids", expanding=True))
)
# one learner's claims of some criteria folded in the database, a row per criterion, status and
# method whatever the number of items: the newest activity date not after today (None when every
# one is later) and the newest of all. An accepted claim's date counts when inside the currency
# window (oldest <= date <= today), and one of a group does exactly when its newest date not
# after today is on or after the oldest: so one row says what all of its claims say
_NOT_LATER = bindparam("today", type_=Date)
_FOLDED_CLAIMS = (
    sa_select(
        col(Claim.criterion_id),
        col(Claim.status),
        col(Claim.method),
        func.max(case((col(Evidence.activity_date) <= _NOT_LATER, col(Evidence.activity_date)))),
        func.max(col(Evidence.activity_date)),
    )
    .join(Evidence, col(Evidence.id) == Claim.evidence_id)
    .where(
        col(Evidence.learner_id) == bindparam("learner_id"),
        col(Evidence.submitted_at).is_not(None),
        col(Claim.criterion_id).in_(bindparam("criteria", expanding=True)),
    )
    .group_by(col(Claim.criterion_id), col(Claim.status), col(Claim.method))
)


def criterion_states(
    session: Session,
    learner_id: int,
    criteria: Iterable[tuple[int, CriterionRef]],
    today: date | None = None,
    rules: Mapping[int, CoverageRules] | None = None,
) -> dict[int, str]:
    """Criterion id -> where it stands for the learner across all their evidence (met, awaiting,
    referred, "uncounted": accepted by claims that do not count, missing), for ``criteria``:
    (framework id, criterion) pairs, those of the learner's standards (the page has them). Two
    statements: the frameworks' rules (none when the page gives their ``rules``) and the
    learner's claims of these criteria folded in the database (:data:`_FOLDED_CLAIMS`: a row per
    criterion, status and method, however many items the learner wrote), the full coverage's
    states without its evidence."""
    by_framework: dict[int, list[CriterionRef]] = defaultdict(list)
    for framework_id, ref in criteria:
        by_framework[framework_id].append(ref)
    if not by_framework:
        return {}
    today = today or date.today()
    connection = session.connection()
    if rules is None:
        rules = {
            fid: CoverageRules.from_dict(data or {})
            for fid, data in connection.execute(_RULES, {"ids": sorted(by_framework)})
        }
    wanted = sorted({ref.id for refs in by_framework.values() for ref in refs})
    asked = {"learner_id": learner_id, "today": today, "criteria": wanted}
    light: list[Any] = [
        (cid, status, method, latest if not_later is None else not_later)
        for cid, status, method, not_later, latest in connection.execute(_FOLDED_CLAIMS, asked)
    ]
    states: dict[int, str] = {}
    for framework_id, refs in by_framework.items():
        found, _ = criterion_states_of(refs, light, rules[framework_id], today)
        states.update(found)
    return uncounted(states, light)
