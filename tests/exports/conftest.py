from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from exports.signoff import (
    CriterionRow,
    EvidenceRow,
    IqaSection,
    SignoffView,
    evidence_set_hash,
)
from mappings.assessment.declarations import ASSESSOR_WORDING
from portfolio.refs import EvidenceRef

LEARNER_WORDING = (
    "I declare that the evidence listed for SE04 Support individuals to find and keep paid work "
    "is my own work, that it describes what I did, and that any witness named has seen my "
    "practice."
)
KINDS = ("witness testimony", "observation record", "reflective account", "product")
METHODS = (("WT",), ("O",), ("RA", "Q"), ("P",))


def make_view(
    n_performance: int = 6,
    n_knowledge: int = 4,
    per_criterion: int = 2,
    iqa: IqaSection | None = None,
    **overrides: object,
) -> SignoffView:
    rows: list[CriterionRow] = []
    refs: set[EvidenceRef] = set()
    n = 0
    for kind, prefix, count in (
        ("performance", "P", n_performance),
        ("knowledge", "K", n_knowledge),
    ):
        for i in range(1, count + 1):
            evidence = []
            for j in range(per_criterion):
                n += 1
                ref = EvidenceRef(100 + n, 1)
                refs.add(ref)
                evidence.append(
                    EvidenceRow(
                        ref=ref,
                        title=f"Evidence {n} for {prefix}{i}",
                        kind=KINDS[n % 4],
                        activity_date=date(2024, 1 + n % 12, 1 + n % 28),
                        methods=METHODS[(n + j) % 4],
                        accepted_on=date(2024, 12, 1 + n % 28),
                    )
                )
            rows.append(
                CriterionRow(
                    code=f"{prefix}{i}",
                    kind=kind,
                    text=f"{'you must be able to' if prefix == 'P' else 'you need to know'} "
                    f"thing number {i} of the {kind} kind",
                    evidence=tuple(evidence),
                )
            )
    digest = evidence_set_hash(
        (r, hashlib.sha256(str(r).encode()).hexdigest()) for r in sorted(refs)
    )
    fields: dict[str, object] = dict(
        document_id="SO-2024-000123",
        centre="Northfield Supported Employment Centre",
        learner_name="Amira Okafor",
        learner_ref="L-0042",
        registration_ref="REG-SE04-0042",
        framework_title="Supported Employment NOS",
        framework_version="2023.1",
        standard_urn="LSI SE04",
        standard_code="SE04",
        standard_title="Support individuals to find and keep paid work",
        standard_version="2",
        criteria=tuple(rows),
        assessor_name="Bernard Ellis",
        assessor_summary="All criteria met through observed practice.\nStrong witness testimony.",
        feedback="Keep reflecting on employer engagement.",
        learner_declaration_at=datetime(2024, 12, 2, 10, 15, tzinfo=UTC),
        assessor_declaration_at=datetime(2024, 12, 3, 16, 40, tzinfo=UTC),
        signed_at=datetime(2024, 12, 3, 16, 45, tzinfo=UTC),
        evidence_set_sha256=digest,
        iqa=iqa,
        learner_declared_by="Amira Okafor",
        learner_wording=LEARNER_WORDING,
        assessor_wording=ASSESSOR_WORDING,
        audit_entries=4120,
        audit_head="ab" * 32,
    )
    fields.update(overrides)
    return SignoffView(**fields)  # type: ignore[arg-type]


@pytest.fixture
def view_factory() -> Callable[..., SignoffView]:
    return make_view
