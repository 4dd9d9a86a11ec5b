"""Open Badges 3.0: the credential of a sign-off, checked against 1EdTech's own JSON schema, signed
with the centre's Ed25519 key and checked with its key set; revoked when the sign-off reopens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jwt
from joserfc.jwk import KeySet
from jsonschema import Draft201909Validator
from sqlmodel import select

from exports.badges import issue as badges
from exports.badges import jose, status
from exports.badges.verify import verify_id, verify_token
from mappings.assessment import signoff as signoffs
from portfolio.errors import Conflict, Invalid, PermissionDenied
from portfolio.models import Criterion, Framework, Standard
from portfolio.services.files import FileStore
from tests.conftest import SHARED, actor_of
from tests.exports.export_case import build_case

OB3 = SHARED / "external" / "openbadges" / "ob3"
SITE = badges.Site(base_url="https://portfolio.example", centre_name="Northfield Centre")


def _validator(
    name: str = "achievementcredential.json", *, formats: bool = False
) -> Draft201909Validator:
    """1EdTech's JSON schema (Draft 2019-09); ``formats`` also checks ``date-time`` and the like."""
    schema = json.loads((OB3 / "schema" / name).read_text(encoding="utf-8"))
    checker = Draft201909Validator.FORMAT_CHECKER if formats else None
    return Draft201909Validator(schema, format_checker=checker)


def _errors(document: dict) -> list[str]:
    found = _validator(formats=True).iter_errors(document)
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in found]


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def case(app, session, make_person, make_registration, make_evidence):
    return build_case(
        session, FileStore(app.config["FILE_STORE"]), make_person, make_registration, make_evidence
    )


# ------------------------------------------------------------------ the harness is the real one


@pytest.mark.parametrize(
    "path", sorted((OB3 / "spec-examples").glob("*.json")), ids=lambda p: p.stem
)
def test_the_spec_examples_pass_the_official_schema(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    name = (
        "endorsementcredential.json" if "endorsement" in path.stem else "achievementcredential.json"
    )
    assert list(_validator(name).iter_errors(document)) == []


@pytest.mark.parametrize(
    ("sample", "errors"),
    [("simple", 0), ("complete", 0), ("simple-err-type", 3), ("simple-err-context", 4)],
)
def test_the_validator_samples_give_the_errors_1edtech_expects(sample: str, errors: int) -> None:
    """SOURCES.md: the valid samples pass; a wrong type or a missing W3C context fails."""
    document = json.loads((OB3 / "validator-samples" / f"{sample}.json").read_text("utf-8"))
    assert len(list(_validator().iter_errors(document))) == errors


# ------------------------------------------------------------------ the credential


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")  # the name Open Badges verifiers use
def test_a_signoffs_badge_is_a_valid_open_badge_signed_with_the_centres_key(
    session, case, key
) -> None:
    badge = badges.issue(
        session, actor=actor_of(case.assessor), signoff_id=case.signoff.id, key=key, site=SITE
    )
    session.commit()
    # the JOSE header: EdDSA and the key's thumbprint, found in the centre's key set
    jwks = jose.key_set(key.public_key())
    assert jwks["keys"][0]["kty"] == "OKP"
    assert jwks["keys"][0]["crv"] == "Ed25519" and "d" not in jwks["keys"][0]
    token = jwt.decode(badge.token, KeySet.import_key_set(jwks), algorithms=["EdDSA"])
    assert token.header == {"alg": "EdDSA", "typ": "JWT", "kid": jwks["keys"][0]["kid"]}
    claims = token.claims
    # 1EdTech's schema accepts the credential as signed
    assert _errors(jose.credential_of(claims)) == []
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["iss"] == claims["issuer"]["id"] == "https://portfolio.example/badges/issuer"
    assert claims["issuer"]["name"] == "Northfield Centre"
    assert (
        claims["jti"] == claims["id"] == f"https://portfolio.example/badges/{badge.credential_uuid}"
    )
    assert claims["validFrom"].endswith("Z")
    # the achievement is the standard signed off, with every criterion in its criteria
    standard = session.get(Standard, case.signoff.standard_id)
    criteria = session.exec(select(Criterion).where(Criterion.standard_id == standard.id)).all()
    achievement = claims["credentialSubject"]["achievement"]
    assert achievement["humanCode"] == "SE03" and achievement["name"] == standard.title
    for c in criteria:
        assert f"**{c.code}** {c.text}" in achievement["criteria"]["narrative"]
    # alignments: the framework, the standard, each criterion (this site's pages: no CASE URIs)
    targets = [a["targetUrl"] for a in achievement["alignment"]]
    assert len(targets) == 2 + len(criteria)
    assert targets[0] == f"https://portfolio.example/frameworks/{standard.framework_id}"
    assert targets[1].endswith(f"/frameworks/{standard.framework_id}/standards/SE03")
    assert all("targetType" not in a for a in achievement["alignment"])
    # the learner by name and by a salted hash of their e-mail address, never the address
    identities = claims["credentialSubject"]["identifier"]
    assert identities[0]["identityHash"] == case.learner.name
    assert case.learner.email not in json.dumps(claims)
    # its bit in the revocation list
    entry = claims["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["statusListIndex"] == str(badge.status_index)
    assert entry["statusListCredential"] == "https://portfolio.example/badges/status/1"


def test_case_uris_are_the_alignment_targets_where_the_framework_has_them(session, case, key):
    standard = session.get(Standard, case.signoff.standard_id)
    framework = session.get(Framework, standard.framework_id)
    doc = "https://case.example/uri/5f4c0b2e-0000-4000-8000-000000000001"
    item = "https://case.example/uri/5f4c0b2e-0000-4000-8000-000000000002"
    p1 = "https://case.example/uri/5f4c0b2e-0000-4000-8000-000000000003"
    framework.extra = {**framework.extra, "case": {"uri": doc, "items": {"SE03/P1": p1}}}
    standard.urn = item
    session.add_all([framework, standard])
    session.flush()
    badge = badges.issue(
        session, actor=actor_of(case.assessor), signoff_id=case.signoff.id, key=key, site=SITE
    )
    claims = jose.unverified(badge.token).claims
    assert _errors(jose.credential_of(claims)) == []
    alignment = claims["credentialSubject"]["achievement"]["alignment"]
    assert alignment[0]["targetUrl"] == doc
    assert alignment[1] == alignment[1] | {"targetUrl": item, "targetType": "CFItem"}
    by_code = {a["targetCode"]: a for a in alignment[2:]}
    assert by_code["SE03 P1"]["targetUrl"] == p1 and by_code["SE03 P1"]["targetType"] == "CFItem"
    assert by_code["SE03 P2"]["targetUrl"].startswith("https://portfolio.example/frameworks/")


def test_only_the_signing_assessor_issues_and_only_once(session, case, key, make_person) -> None:
    other = actor_of(make_person("assessor"))
    with pytest.raises(PermissionDenied):
        badges.issue(session, actor=other, signoff_id=case.signoff.id, key=key, site=SITE)
    assessor = actor_of(case.assessor)
    badges.issue(session, actor=assessor, signoff_id=case.signoff.id, key=key, site=SITE)
    with pytest.raises(Conflict):
        badges.issue(session, actor=assessor, signoff_id=case.signoff.id, key=key, site=SITE)


def test_reopening_revokes_and_a_reopened_signoff_gets_no_badge(session, case, key) -> None:
    badge = badges.issue(
        session, actor=actor_of(case.assessor), signoff_id=case.signoff.id, key=key, site=SITE
    )
    keys = jose.key_set(key.public_key())
    assert verify_id(session, badge.credential_uuid, keys).state == "valid"
    assert badges.revoked_indexes(session, 1) == []
    # the IQA reopens it (as a disagreeing review does)
    signoffs.reopen(session, actor=actor_of(case.iqa), signoff_id=case.signoff.id, reason="Gaps")
    verdict = verify_token(session, badge.token, keys)
    assert verdict.state == "revoked" and verdict.revoked is not None
    assert badges.revoked_indexes(session, 1) == [badge.status_index]
    # the status list served says the same, signed
    listed = jose.check(badges.status_list_token(session, number=1, key=key, site=SITE), keys)
    bits = status.decode(listed.claims["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == status.LIST_SIZE and status.is_set(bits, badge.status_index)
    with pytest.raises(Invalid):
        badges.issue(
            session, actor=actor_of(case.assessor), signoff_id=case.signoff.id, key=key, site=SITE
        )


def test_a_changed_or_foreign_token_is_not_trusted(session, case, key) -> None:
    badge = badges.issue(
        session, actor=actor_of(case.assessor), signoff_id=case.signoff.id, key=key, site=SITE
    )
    keys = jose.key_set(key.public_key())
    header, payload, signature = badge.token.split(".")
    claims = jose.unverified(badge.token).claims
    claims["credentialSubject"]["achievement"]["humanCode"] = "SE08"
    forged = jose.sign(jose.credential_of(claims), Ed25519PrivateKey.generate())
    import base64

    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    for token, words in (
        (f"{header}.{changed}.{signature}", "signature does not match"),
        (forged, "not signed with this centre's key"),
        ("not a badge", "not a signed badge"),
    ):
        verdict = verify_token(session, token, keys)
        assert verdict.state == "invalid" and words in verdict.reason, verdict


@pytest.mark.parametrize(
    "revoked", [[], [0], [7, 8], [status.LIST_SIZE - 1], list(range(0, 4000, 3))]
)
def test_the_status_bitstring_round_trips(revoked: list[int]) -> None:
    bits = status.decode(status.encode(revoked))
    assert [i for i in range(status.LIST_SIZE) if status.is_set(bits, i)] == revoked
    assert status.encode([0]).startswith("u")
    with pytest.raises(ValueError):
        status.encode([status.LIST_SIZE])
