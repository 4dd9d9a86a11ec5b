"""The learner's frameworks as the evidence page needs them, read in one statement.

The page checks the stored suggestions of a version against the frameworks' versions (their
:data:`~mappings.assessment.suggestions.FrameworkKey`) and the newest decision of the centre, and
names the assessment methods of each claim and criterion by its framework's rules. One statement
reads all of that (the newest decision as a scalar subquery beside the frameworks' rows) instead
of one for each (it was four: the key, the newest decision, and the rules twice), and whether the
item has VACSR judgements or records received in a bundle: most have neither, and the page then
asks for none; and the assessment plan the item was written for, if any (its id and title), so
that naming it costs the page no statement of its own. For a learner with no standard the same
statement asks only about the item (no framework to read), and the plan is named all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import Session, col

from mappings.assessment.coverage import CoverageRules
from mappings.assessment.models import (
    AssessmentPlan,
    AssessmentPlanEvidence,
    Decision,
    Judgement,
    ReceivedRecord,
)
from mappings.assessment.suggestions import FrameworkKey, framework_hash
from portfolio.models import Framework


@dataclass(frozen=True)
class PageFrameworks:
    """``key``: (framework id, content hash) by id, as :func:`~mappings.assessment.suggestions.
    framework_key` gives it; ``rules``: each framework's coverage rules; ``newest``: the id of the
    newest decision of the centre (0 without any)."""

    key: FrameworkKey = ()
    rules: dict[int, CoverageRules] = field(default_factory=dict)
    newest: int = 0
    # False: the item asked about has no judgement / no record received (True: it may have)
    judged: bool = True
    received: bool = True
    # the plan the item was written for (the first, if linked to more): (id, title), or None
    plan: tuple[int, str] | None = None


# built once: every evidence page runs it
_EVIDENCE_ID: BindParameter[int] = bindparam("evidence_id")


def _plan_of(column: Any) -> ScalarSelect[Any]:
    """One column of the first plan the item was written for, as a scalar subquery."""
    return (
        sa_select(column)
        .join(AssessmentPlanEvidence, col(AssessmentPlanEvidence.plan_id) == AssessmentPlan.id)
        .where(col(AssessmentPlanEvidence.evidence_id) == _EVIDENCE_ID)
        .order_by(col(AssessmentPlan.id))
        .limit(1)
        .scalar_subquery()
    )


# what the page asks of the item itself: whether it has judgements, received records, and its plan
_OF_THE_ITEM = (
    sa_select(col(Judgement.id)).where(col(Judgement.evidence_id) == _EVIDENCE_ID).exists(),
    sa_select(col(ReceivedRecord.id))
    .where(col(ReceivedRecord.evidence_id) == _EVIDENCE_ID)
    .exists(),
    _plan_of(col(AssessmentPlan.id)),
    _plan_of(col(AssessmentPlan.title)),
)
_PAGE_FRAMEWORKS = sa_select(
    col(Framework.id),
    col(Framework.content_hash),
    col(Framework.extra)["vocabulary_sha256"].as_string(),
    col(Framework.rules),
    sa_select(func.max(col(Decision.id))).scalar_subquery(),
    *_OF_THE_ITEM,
).where(col(Framework.id).in_(bindparam("ids", expanding=True)))
# a learner with no standard: no framework to read, the item's own facts all the same
_ITEM_ONLY = sa_select(*_OF_THE_ITEM)


def _item_facts(row: Sequence[Any]) -> dict[str, Any]:
    """judged, received and plan from the item's four columns of a row."""
    judged, received, plan_id, title = row
    return {
        "judged": bool(judged),
        "received": bool(received),
        "plan": (int(plan_id), str(title)) if plan_id is not None else None,
    }


def page_frameworks(
    session: Session, framework_ids: Sequence[int], evidence_id: int = 0
) -> PageFrameworks:
    """These frameworks' key and rules, the newest decision, whether the item ``evidence_id``
    has judgements and received records and the plan it was written for, in one statement.

    Without frameworks (a learner with no standard has nothing to suggest nor to decide by) the
    statement asks only about the item, so its plan is named all the same; without frameworks
    nor an item, nothing is asked."""
    ids = sorted(set(framework_ids))
    if not ids:
        if not evidence_id:
            return PageFrameworks()
        row = session.connection().execute(_ITEM_ONLY, {"evidence_id": evidence_id}).one()
        return PageFrameworks(**_item_facts(row))
    rows = (
        session.connection()
        .execute(_PAGE_FRAMEWORKS, {"ids": ids, "evidence_id": evidence_id})
        .all()
    )
    if not rows:
        return PageFrameworks(key=tuple((i, "") for i in ids))
    hashes = {fid: framework_hash(digest, words) for fid, digest, words, *_ in rows}
    return PageFrameworks(
        key=tuple((i, hashes.get(i, "")) for i in ids),
        rules={fid: CoverageRules.from_dict(data or {}) for fid, _, _, data, *_ in rows},
        newest=int(rows[0][4] or 0),
        **_item_facts(rows[0][5:9]),
    )
