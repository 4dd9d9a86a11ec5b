"""A candidate's coverage as plain data (for ``portfolio coverage`` and other machine readers).

One entry per registered standard::

    {"registration": 3, "framework": "SE", "framework_version": "1",
     "standard": "SE01", "title": "...", "signed_off": false, "signed_off_at": null,
     "counts": {"met": 5, "awaiting": 2, "referred": 1, "not_counting": 0, "missing": 20,
                "total": 28},
     "percent_met": 17.9,
     "criteria": [{"code": "P1", "kind": "performance", "text": "...", "state": "met",
                   "state_words": "met",
                   "evidence": [{"ref": "E4v1", "title": "...", "kind": "witness_testimony",
                                 "activity_date": "2025-03-01", "method": "WT",
                                 "status": "accepted"}],
                   "reasons": [], "reasons_words": []}]}

``referred`` counts the criteria referred back; those not met though a claim of them is
accepted (by a method, or of an age or date, that does not count) are ``not_counting``
("accepted, not counting" on the pages), not referred. A criterion's ``state`` is the engine's
(such a criterion's is "referred"); ``state_words`` is what the pages call it. ``reasons`` are
the engine's (evidence references, method codes); ``reasons_words`` say the same as the pages
do (:mod:`mappings.assessment.reasons`), which the text of ``portfolio coverage`` prints.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from mappings.assessment.counts import not_counting, shown_counts
from mappings.assessment.reasons import reasons_of
from mappings.assessment.standing import learner_standings
from mappings.assessment.words import CRITERION_STATES
from portfolio.errors import NotFound
from portfolio.models import Person
from portfolio.words import moment_words


def coverage_report(
    session: Session, *, learner_id: int, standard: str | None = None, today: date | None = None
) -> tuple[Person, list[dict[str, Any]]]:
    """The learner and their coverage per standard; NotFound for an unknown learner or standard."""
    learner = session.get(Person, learner_id)
    if learner is None or not learner.has_role("learner"):
        raise NotFound(f"There is no candidate with id {learner_id}.")
    entries: list[dict[str, Any]] = []
    for standing in learner_standings(session, learner_id, today):
        for info in standing.standards:
            if standard is not None and info.code != standard:
                continue
            found = standing.standard(info.code)
            if found is None:
                continue
            _info, cov = found
            criteria = [c for c in standing.coverage.criteria if c.criterion.standard == info.code]
            entries.append(
                {
                    "registration": standing.registration.id,
                    "framework": standing.framework.code,
                    "framework_version": standing.framework.version,
                    "standard": info.code,
                    "title": info.title,
                    "signed_off": info.signoff is not None,
                    "signed_off_at": info.signoff.signed_at.isoformat() if info.signoff else None,
                    "counts": shown_counts(cov),
                    "percent_met": round(cov.percent_met, 1),
                    "criteria": [
                        {
                            "code": c.criterion.code,
                            "kind": c.criterion.kind,
                            "text": c.criterion.text,
                            "state": c.state,
                            "state_words": CRITERION_STATES[
                                "uncounted" if not_counting(c) else c.state
                            ],
                            "evidence": [
                                {
                                    "ref": str(check.claim.evidence_ref),
                                    "title": check.claim.evidence_title,
                                    "kind": check.claim.evidence_kind,
                                    "activity_date": check.claim.activity_date.isoformat(),
                                    "method": check.claim.method,
                                    "status": check.claim.status,
                                }
                                for check in c.claims
                            ],
                            "reasons": list(c.reasons),
                            "reasons_words": [r.words for r in reasons_of(c, standing.rules)],
                        }
                        for c in criteria
                    ],
                }
            )
    if standard is not None and not entries:
        raise NotFound(f"{learner.name} is not registered on {standard}.")
    return learner, entries


_WIDTH = max(map(len, CRITERION_STATES.values()))  # the states line up in one column


def report_text(
    learner: Person, entries: list[dict[str, Any]], *, detail: bool, zone: ZoneInfo
) -> str:
    """A readable summary; with ``detail`` every criterion is listed, else only what is not met.
    In the coverage page's words: "signed off 3 Dec 2026, 14:05" (in ``zone``), a met
    criterion's evidence by its reference and title ("E4v1 Observation at work")."""
    lines = [f"{learner.name} (candidate {learner.id})"]
    if not entries:
        lines.append("  not registered on any standard")
    for e in entries:
        n = e["counts"]
        signed = (
            f", signed off {moment_words(datetime.fromisoformat(e['signed_off_at']), zone)}"
            if e["signed_off"]
            else ""
        )
        lines.append("")
        lines.append(f"{e['standard']}  {e['title']}")
        lines.append(
            f"  {n['met']} of {n['total']} met ({e['percent_met']:.0f}%): {n['awaiting']} awaiting; "
            f"{n['referred']} referred; {n['not_counting']} {CRITERION_STATES['uncounted']}; "
            f"{n['missing']} missing{signed}"
        )
        for c in e["criteria"]:
            if c["state"] == "met" and not detail:
                continue
            refs = ", ".join(f"{ev['ref']} {ev['title']}" for ev in c["evidence"])
            why = "; ".join(c["reasons_words"])
            tail = why if c["state"] != "met" else refs
            lines.append(f"  {c['code']:<5} {c['state_words']:<{_WIDTH}}  {tail}".rstrip())
    return "\n".join(lines)
