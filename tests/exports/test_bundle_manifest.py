"""The bundle's manifest model: written and read the same way, faults named by record."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from exports.bundle.check import parse
from exports.bundle.manifest import FrozenEvidence, Manifest, dump
from portfolio.errors import Invalid

OLD = (Path(__file__).parent / "data" / "bundle_v1_manifest.json").read_bytes()


def test_a_manifest_written_before_reads_and_writes_back_byte_for_byte() -> None:
    manifest = parse(json.loads(OLD))
    assert dump(manifest) == OLD
    item = manifest.evidence[0]
    assert isinstance(item.activity_date, date) and isinstance(item.created_at, datetime)
    assert item.created_at.tzinfo is not None
    assert manifest.generated_at == datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


def test_frozen_evidence_carries_the_typed_pair_and_derives_its_ref() -> None:
    frozen = FrozenEvidence(evidence_id=12, version=3, sha256="ab" * 32)
    assert frozen.ref == "E12v3"
    assert frozen.model_dump(mode="json") == {
        "evidence_id": 12,
        "version": 3,
        "sha256": "ab" * 32,
        "ref": "E12v3",
    }
    read = FrozenEvidence.model_validate({"evidence_id": 4, "version": 1, "sha256": "cd" * 32})
    assert read.ref == "E4v1"


def _changed(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(json.loads(OLD))
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["learner"].pop("email"), "learner.email is missing"),
        (lambda m: m.pop("claims"), "claims is missing"),
        (lambda m: m["evidence"].__setitem__(0, "E1"), "evidence #1: should be a JSON object"),
        (
            lambda m: m["evidence"][0]["versions"][0]["attachments"][0].__setitem__("size", "48"),
            "evidence 1, version 1, attachment notes.txt: size: input should be a valid integer",
        ),
        (
            lambda m: m["judgements"][0].__setitem__("valid", 1),
            "judgement #1: valid: input should be a valid boolean",
        ),
        (
            lambda m: m["claims"][0]["decisions"][1].pop("at"),
            "claim 1, decision #2: at is missing",
        ),
        (
            lambda m: m["registrations"][0].__setitem__("start_date", "4 October"),
            "registration 1: start_date: invalid isoformat string",
        ),
        (
            lambda m: m["files"].__setitem__("index.html", "not a hash"),
            "files.index.html: string should match pattern",
        ),
        (
            lambda m: m["claims"][0].__setitem__("evidence_id", 99),
            "claim 1: evidence 99 is not in the bundle",
        ),
        (
            lambda m: m["signoffs"][0].__setitem__("registration_id", 5),
            "sign-off SO-7AD5D1BADA6E: registration 5 is not in the bundle",
        ),
    ],
)
def test_a_bad_or_missing_field_is_refused_naming_the_record(change: Any, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse(_changed(change))
    assert str(refused.value).startswith(f"Bundle refused: manifest.json, {message}")
    assert str(refused.value).endswith("Nothing was imported.")


def test_fields_the_earlier_reader_did_without_may_still_be_missing() -> None:
    def strip(m: dict[str, Any]) -> None:
        for key in ("generated_at", "centre"):
            m.pop(key)
        m["registrations"][0].pop("cohort")
        for p in m["people"]:
            p.pop("site")
        m["frameworks"][0].pop("rules")
        m["evidence"][0]["versions"][0]["attachments"][0].pop("text")

    manifest = parse(_changed(strip))
    assert manifest.generated_at is None and manifest.registrations[0].cohort is None
    assert {p.site for p in manifest.people} == {"Main site"}
    assert isinstance(manifest, Manifest)
