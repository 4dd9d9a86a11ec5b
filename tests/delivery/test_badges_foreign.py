"""A badge issued by someone else, pasted on the check page: it is told apart from text that is
not a badge at all, and the issuer it names is said."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).parents[1] / "data/shared/external/openbadges"


@pytest.mark.parametrize(
    ("sample", "words"),
    [
        ("ob3/validator-samples/simple.json", "an Open Badges credential issued by Example Corp"),
        ("ob3/spec-examples/fullOpenBadge.json", "an Open Badges credential issued by"),
        ("ob2/validator-samples/basic-assertion.json", "an Open Badges 2.0 assertion"),
    ],
)
def test_a_badge_from_another_issuer_is_named_as_such(client, sample: str, words: str) -> None:
    pasted = (SAMPLES / sample).read_text(encoding="utf-8")
    page = client.post("/badges/verify", data={"token": pasted})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "cannot be trusted" in text
    assert words in text, text
    assert "not a signed badge" not in text
    assert "checks only the badges it issued" in text


def test_a_pasted_badge_naming_its_issuer_in_half_a_utf16_pair_is_shown(client) -> None:
    pasted = (
        '{"type": ["VerifiableCredential", "OpenBadgeCredential"], '
        '"issuer": {"id": "https://example.com/i", "name": "Example \\ud800 Corp"}}'
    )
    page = client.post("/badges/verify", data={"token": pasted})
    assert page.status_code == 200
    assert "issued by Example ? Corp" in page.get_data(as_text=True)


def test_pasted_json_nested_too_deeply_is_not_a_badge(client) -> None:
    """The public check page read pasted JSON to name its issuer; JSON nested thousands deep
    made Python's reader raise RecursionError: a server error for anyone who pasted it."""
    page = client.post(
        "/badges/verify", data={"token": '{"type": ' + "[" * 50_000 + "]" * 50_000 + "}"}
    )
    assert page.status_code == 200
    assert "cannot be trusted" in page.get_data(as_text=True)


def test_the_command_line_names_another_issuers_badge_without_speaking_of_a_page(cli) -> None:
    """`portfolio badges verify FILE` says the same as the check page, in words that fit both:
    the command line has no "page"."""
    said = cli("badges", "verify", str(SAMPLES / "ob3/validator-samples/simple.json"))
    assert said.exit_code == 1
    assert "an Open Badges credential issued by Example Corp" in said.output
    assert "checks only the badges it issued" in said.output, said.output
    assert "page" not in said.output
