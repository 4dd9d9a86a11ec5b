"""Turn the marked-up labelled set (tests/data/privacy/evidence*.txt) into labelled.jsonl.

evidence.txt was written alongside the detector; evidence-heldout.txt after its first version
(its first-run figures are in docs/privacy.md; it was then used to tune the detector);
evidence-third.txt after that tuning, never used to tune it ("batch": "held-out"). Each output line: {"id", "batch", "text", "learner": [names], "gold": [{"kind","start","end","text"}]}
with character offsets into "text". Run after editing evidence.txt:
``.venv/bin/python bench/privacy_labels.py``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "privacy"
MARK = re.compile(r"\[\[([a-z_]+):([^\]]+)\]\]")
KINDS = {
    "name",
    "date_of_birth",
    "ni_number",
    "nhs_number",
    "phone",
    "email",
    "postcode",
    "address",
}


def parse(line: str) -> tuple[str, list[str], list[dict[str, object]]]:
    """One marked-up line: its plain text, the learner's names and the gold findings."""
    learner: list[str] = []
    if line.startswith("learner="):
        head, line = line.split("|", 1)
        learner = [head.removeprefix("learner=")]
    text, pos = "", 0
    gold: list[dict[str, object]] = []
    for m in MARK.finditer(line):
        kind, value = m.group(1), m.group(2)
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} in: {line}")
        text += line[pos : m.start()]
        gold.append(
            {"kind": kind, "start": len(text), "end": len(text) + len(value), "text": value}
        )
        text += value
        pos = m.end()
    text += line[pos:]
    return text, learner, gold


def main() -> int:
    out: list[str] = []
    batches = (
        ("first", "evidence.txt"),
        ("second", "evidence-heldout.txt"),
        ("held-out", "evidence-third.txt"),
    )
    for batch, name in batches:
        for raw in (DATA / name).read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            text, learner, gold = parse(raw)
            item = {
                "id": f"p{len(out) + 1:03d}",
                "batch": batch,
                "text": text,
                "learner": learner,
                "gold": gold,
            }
            out.append(json.dumps(item, ensure_ascii=False))
    (DATA / "labelled.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(out)} texts written to {DATA / 'labelled.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
