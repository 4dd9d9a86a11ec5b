"""Time the assessor sign-off document: one 30-criteria / 60-evidence record, then 1,000 in a row.

Run: ``.venv/bin/python bench/signoff_bench.py``. Target: under 100 ms per document.
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import time
from datetime import UTC, date, datetime

from exports.signoff import (
    CriterionRow,
    EvidenceRow,
    SignoffView,
    build_signoff_docx,
    evidence_set_hash,
)
from portfolio.refs import EvidenceRef

KINDS = ("witness testimony", "observation record", "reflective account", "product")
METHODS = (("WT",), ("O",), ("RA", "Q"), ("P",))


def sample_view(
    n: int = 0, performance: int = 20, knowledge: int = 10, per: int = 2
) -> SignoffView:
    rows = []
    pairs = []
    e = 0
    for kind, prefix, count in (("performance", "P", performance), ("knowledge", "K", knowledge)):
        for i in range(1, count + 1):
            evidence = []
            for _ in range(per):
                e += 1
                ref = EvidenceRef(n * 1000 + e, 1)
                pairs.append((str(ref), hashlib.sha256(str(ref).encode()).hexdigest()))
                evidence.append(
                    EvidenceRow(
                        ref=ref,
                        title=f"Supervision notes and reflection on job coaching session {e}",
                        kind=KINDS[e % 4],
                        activity_date=date(2024, 1 + e % 12, 1 + e % 28),
                        methods=METHODS[e % 4],
                        accepted_on=date(2024, 12, 1 + e % 28),
                    )
                )
            rows.append(
                CriterionRow(
                    f"{prefix}{i}",
                    kind,
                    "Agree with the individual the support they need to find and keep paid work, "
                    "and review it with them at agreed intervals",
                    tuple(evidence),
                )
            )
    return SignoffView(
        document_id=f"SO-2024-{n:06d}",
        centre="Northfield Supported Employment Centre",
        learner_name=f"Learner {n}",
        learner_ref=f"L-{n:05d}",
        registration_ref=f"REG-SE04-{n:05d}",
        framework_title="Supported Employment NOS",
        framework_version="2023.1",
        standard_urn="LSI SE04",
        standard_code="SE04",
        standard_title="Support individuals to find and keep paid work",
        standard_version="2",
        criteria=tuple(rows),
        assessor_name="Bernard Ellis",
        assessor_summary="All criteria met through observed practice and witness testimony.",
        feedback="Keep reflecting on employer engagement.",
        learner_declaration_at=datetime(2024, 12, 2, 10, 15, tzinfo=UTC),
        assessor_declaration_at=datetime(2024, 12, 3, 16, 40, tzinfo=UTC),
        signed_at=datetime(2024, 12, 3, 16, 45, tzinfo=UTC),
        evidence_set_sha256=evidence_set_hash(pairs),
    )


def main(count: int = 1000) -> None:
    view = sample_view()
    build_signoff_docx(view)  # warm up imports and template
    singles = []
    for _ in range(20):
        start = time.perf_counter()
        data = build_signoff_docx(view)
        singles.append(time.perf_counter() - start)
    print(
        f"one document (30 criteria, 60 evidence refs, {len(data):,} bytes): "
        f"median {statistics.median(singles) * 1000:.1f} ms, "
        f"max {max(singles) * 1000:.1f} ms over {len(singles)} runs (target < 100 ms)"
    )

    views = [sample_view(n) for n in range(count)]
    start = time.perf_counter()
    total = sum(len(build_signoff_docx(v)) for v in views)
    elapsed = time.perf_counter() - start
    print(
        f"{count:,} documents sequentially: {elapsed:.2f} s "
        f"({elapsed / count * 1000:.1f} ms each, {total / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
