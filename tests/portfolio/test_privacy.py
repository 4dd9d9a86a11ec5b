"""The personal-data detector: each kind found, its near-misses not, offsets exact, overlaps settled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.privacy.patterns import nhs_check_ok, valid_ni
from portfolio.privacy.scan import KINDS, scan

LABELLED = Path(__file__).resolve().parents[1] / "data" / "privacy" / "labelled.jsonl"


def kinds_and_texts(text: str, **kwargs: object) -> list[tuple[str, str]]:
    findings = scan(text, **kwargs)  # type: ignore[arg-type]
    for f in findings:
        assert text[f.start : f.end] == f.text
    return [(f.kind, f.text) for f in findings]


FOUND = [
    ("He was born 12/03/1985 and lives alone.", ("date_of_birth", "12/03/1985")),
    ("DOB: 21.07.1999.", ("date_of_birth", "21.07.1999")),
    ("Date of birth 1990-05-17, per the referral.", ("date_of_birth", "1990-05-17")),
    ("She was born on 3rd March 1982 in Leeds.", ("date_of_birth", "3rd March 1982")),
    ("Seen on 04/11/1992 (aged 31) at the centre.", ("date_of_birth", "04/11/1992")),
    ("He was born in March 1995 and left school.", ("date_of_birth", "March 1995")),
    ("NI number AB123456C on the form.", ("ni_number", "AB123456C")),
    ("NI number JG 10 34 56 A on the form.", ("ni_number", "JG 10 34 56 A")),
    ("NHS number 943 476 5919 on the card.", ("nhs_number", "943 476 5919")),
    ("NHS number 9434765919 on the card.", ("nhs_number", "9434765919")),
    ("NHS number 692-180-8416 on the card.", ("nhs_number", "692-180-8416")),
    ("Ring 07700 900123 after four.", ("phone", "07700 900123")),
    ("Ring +44 7700 900123 after four.", ("phone", "+44 7700 900123")),
    ("Ring 0113 496 0000 after four.", ("phone", "0113 496 0000")),
    ("Ring +44 (0)113 496 0000 after four.", ("phone", "+44 (0)113 496 0000")),
    ("Ring (0161) 496 0123 after four.", ("phone", "(0161) 496 0123")),
    ("Ring 020 7946 0018 after four.", ("phone", "020 7946 0018")),
    ("Write to dean.walsh@example.co.uk today.", ("email", "dean.walsh@example.co.uk")),
    ("The postcode is LS6 2AB for the sat nav.", ("postcode", "LS6 2AB")),
    ("The postcode is SW1A 1AA for the sat nav.", ("postcode", "SW1A 1AA")),
    ("The postcode is M1 1AE for the sat nav.", ("postcode", "M1 1AE")),
    ("We met at 14 Acacia Avenue yesterday.", ("address", "14 Acacia Avenue")),
    ("She lives at Flat 3, 27 Mill Lane now.", ("address", "Flat 3, 27 Mill Lane")),
    ("I supported Dean Walsh to write his CV.", ("name", "Dean Walsh")),
    ("I rang Mr Okafor about the rota.", ("name", "Okafor")),
    ("I noticed that Chloe was quiet in the meeting.", ("name", "Chloe")),
]


@pytest.mark.parametrize(("text", "expected"), FOUND, ids=[e[0] for _, e in FOUND])
def test_each_kind_is_found_with_exact_offsets(text: str, expected: tuple[str, str]) -> None:
    assert expected in kinds_and_texts(text)


NEAR_MISSES = [
    "NI number AB 12 34 56 E has a suffix past D.",  # suffix E
    "NI number GB 12 34 56 A has a prefix never allocated.",  # GB excluded
    "NI number DA 12 34 56 A starts with a D.",  # first letter D not used
    "NI number AO 12 34 56 A has an O second.",  # second letter O not used
    "The number 943 476 5918 fails the NHS check.",  # check digit wrong
    "The number 123 456 7890 is a reference.",  # check digit wrong
    "The meeting was on 12/03/2024 and lasted an hour.",  # a date, no birth context
    "We met at 10:30 and worked for 16 hours this week.",
    "The shop's till float is 150 and the code 12345678901 is a barcode.",
    "Postcode-like QQ1 1AA is not a valid outward code.",  # Q never starts a postcode
    "Mr K said he was nervous about the interview.",  # already anonymised
    "Bus number 42 goes every 15 minutes.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_found(text: str) -> None:
    found = [k for k, _ in kinds_and_texts(text) if k != "name"]
    assert found == []


def test_near_miss_anonymised_title_is_not_a_name() -> None:
    assert kinds_and_texts("Mr K said he was nervous.") == []


def test_the_validators() -> None:
    assert nhs_check_ok("9434765919") and not nhs_check_ok("9434765918")
    assert not nhs_check_ok("94347659")
    assert valid_ni("AB") and not valid_ni("GB") and not valid_ni("zz")


def test_the_learners_own_name_is_not_a_finding() -> None:
    text = "I, Aisha Khan, ran the huddle with Tom Hughes."
    assert kinds_and_texts(text, learner=["Aisha Khan"]) == [("name", "Tom Hughes")]
    assert ("name", "Aisha Khan") in kinds_and_texts(text)


def test_overlaps_are_settled_by_the_surer_kind() -> None:
    # +44 7700 900123 holds ten digits that could be an NHS number; Leeds LS6 2AB could be a name
    text = "Call +44 7181 716662 at Leeds LS6 2AB; mail sarah.jones@example.com."
    found = kinds_and_texts(text)
    assert ("phone", "+44 7181 716662") in found
    assert ("postcode", "LS6 2AB") in found
    assert ("email", "sarah.jones@example.com") in found
    assert all(k != "nhs_number" for k, _ in found)
    findings = scan(text)
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))


def test_pattern_kinds_without_the_model() -> None:
    assert kinds_and_texts("Dean rang 07700 900123.", names=False) == [("phone", "07700 900123")]


def test_the_labelled_set_is_consistent() -> None:
    items = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 60
    assert sum(1 for i in items if not i["gold"]) >= 20
    for item in items:
        for g in item["gold"]:
            assert g["kind"] in KINDS
            assert item["text"][g["start"] : g["end"]] == g["text"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_text_gives_findings_whose_offsets_hold(text: str) -> None:
    findings = scan(text, names=False)
    for f in findings:
        assert text[f.start : f.end] == f.text
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))


def test_the_labelled_set_is_built_from_its_marked_up_sources(tmp_path: Path) -> None:
    """labelled.jsonl is what bench/privacy_labels.py makes of evidence*.txt (no hand edits)."""
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "bench" / "privacy_labels.py"
    spec = importlib.util.spec_from_file_location("privacy_labels", script)
    assert spec is not None and spec.loader is not None
    labels = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(labels)
    text, learner, gold = labels.parse(
        "learner=Jo Bloggs|I rang [[name:Sam]] on [[phone:07700 900123]]."
    )
    assert text == "I rang Sam on 07700 900123." and learner == ["Jo Bloggs"]
    assert gold == [
        {"kind": "name", "start": 7, "end": 10, "text": "Sam"},
        {"kind": "phone", "start": 14, "end": 26, "text": "07700 900123"},
    ]
    labels.DATA = tmp_path
    for name in ("evidence.txt", "evidence-heldout.txt", "evidence-third.txt"):
        (tmp_path / name).write_text((LABELLED.parent / name).read_text(encoding="utf-8"))
    labels.main()
    assert (tmp_path / "labelled.jsonl").read_text(encoding="utf-8") == LABELLED.read_text(
        encoding="utf-8"
    )


def test_identifiers_a_centre_configures() -> None:
    from portfolio.errors import Invalid
    from portfolio.privacy.scan import centre_identifiers

    extra = centre_identifiers({"client_ref": r"CR-\d{6}"})
    text = "Client CR-123456 rang 07700 900123."
    found = [(f.kind, f.text) for f in scan(text, names=False, identifiers=extra)]
    assert found == [("client_ref", "CR-123456"), ("phone", "07700 900123")]
    for bad, message in [
        ({"phone": "x"}, "built-in kind"),
        ({"Client Ref": "x"}, "lower-case word"),
        ({"ref": "("}, "not a regular expression"),
        ({"ref": "x*"}, "matches empty text"),
    ]:
        with pytest.raises(Invalid, match=message):
            centre_identifiers(bad)
