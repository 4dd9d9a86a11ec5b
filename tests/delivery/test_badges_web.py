"""Open Badges on the site: signing a standard off issues the learner's badge; they download
it; anyone checks it without logging in, with the key set; reopening the sign-off revokes it."""

from __future__ import annotations

import json

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from jsonschema import Draft201909Validator
from sqlmodel import select

from exports.badges import jose, status
from exports.badges.models import Badge
from portfolio.services.files import FileStore
from tests.conftest import SHARED
from tests.exports.export_case import build_case

SCHEMA = SHARED / "external" / "openbadges" / "ob3" / "schema" / "achievementcredential.json"


@pytest.fixture
def case(app, session, make_person, make_registration, make_evidence):
    return build_case(
        session, FileStore(app.config["FILE_STORE"]), make_person, make_registration, make_evidence
    )


def _status_bit(client, index: int) -> bool:
    r = client.get("/badges/status/1")
    assert r.status_code == 200 and r.mimetype == "application/vc+jwt"
    keys = client.get("/.well-known/jwks.json").get_json()
    listed = jose.check(r.get_data(as_text=True), keys).claims
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    return status.is_set(status.decode(listed["credentialSubject"]["encodedList"]), index)


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_sign_off_issues_a_badge_that_anyone_can_check_until_it_is_reopened(
    app, client, auth, session, case
) -> None:
    base = f"/learners/{case.learner.id}/standards/SE03"
    # the case's standard is reopened, then signed off again on its page: that issues the badge
    auth.login(case.assessor)
    assert client.post(f"{base}/reopen", data={"reason": "Re-sign"}).status_code == 302
    r = client.post(
        f"{base}/signoff",
        data={"summary": "Competent.", "assessor_declaration": "y"},
        follow_redirects=True,
    )
    assert "Open Badge is issued" in r.get_data(as_text=True)
    badge = session.exec(select(Badge)).one()
    assert badge.issued_by == case.assessor.id and badge.learner_id == case.learner.id

    # the learner finds it on their pages and downloads it
    auth.logout()
    auth.login(case.learner)
    for page in (base, f"/learners/{case.learner.id}/progress"):
        assert f"/badges/{badge.credential_uuid}/badge.jwt" in client.get(page).get_data(True)
    r = client.get(f"/badges/{badge.credential_uuid}/badge.jwt")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    token = r.get_data(as_text=True)
    shown = client.get(f"/badges/{badge.credential_uuid}/badge.json").get_json()
    assert shown["credentialSubject"]["achievement"]["humanCode"] == "SE03"

    # anyone: the key set verifies the token, and 1EdTech's schema accepts the credential
    auth.logout()
    keys = client.get("/.well-known/jwks.json")
    assert keys.status_code == 200 and keys.get_json()["keys"][0]["crv"] == "Ed25519"
    claims = jwt.decode(token, KeySet.import_key_set(keys.get_json()), algorithms=["EdDSA"]).claims
    validator = Draft201909Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(jose.credential_of(claims))) == []
    assert claims["credentialSubject"]["identifier"][0]["identityHash"] == case.learner.name
    # the addresses it names answer: the issuer, the achievement, the check page
    assert client.get("/badges/issuer").get_json()["id"] == claims["issuer"]["id"]
    achievement = claims["credentialSubject"]["achievement"]["id"]
    assert client.get(achievement.replace("http://localhost", "")).get_json()["humanCode"] == "SE03"
    page = client.get(claims["id"].replace("http://localhost", "")).get_data(as_text=True)
    assert "genuine and stands" in page and case.learner.name in page
    r = client.post("/badges/verify", data={"token": token})
    assert r.status_code == 200 and "genuine and stands" in r.get_data(as_text=True)
    assert not _status_bit(client, badge.status_index)
    # strangers cannot download it
    assert client.get(f"/badges/{badge.credential_uuid}/badge.jwt").status_code == 302

    # a changed badge is refused in plain words
    head, payload, signature = token.split(".")
    r = client.post("/badges/verify", data={"token": f"{head}.{payload[:-4]}AAAA.{signature}"})
    text = r.get_data(as_text=True)
    assert "cannot be trusted" in text and ("does not match" in text or "could not be read" in text)

    # the assessor reopens the sign-off: the badge is withdrawn, and the status list says so
    auth.login(case.assessor)
    assert client.post(f"{base}/reopen", data={"reason": "Evidence queried"}).status_code == 302
    auth.logout()
    page = client.get(f"/badges/{badge.credential_uuid}").get_data(as_text=True)
    assert "withdrawn" in page and "genuine and stands" not in page
    r = client.post("/badges/verify", data={"token": token})
    assert "This badge was withdrawn" in r.get_data(as_text=True)
    assert _status_bit(client, badge.status_index)
    assert client.get("/badges/not-a-badge").status_code == 404


def test_the_cli_issues_badges_for_older_signoffs_and_checks_a_file(
    cli, session, case, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path))
    assert cli("badges", "issue").exit_code == 1  # no address for the badges to name
    r = cli("badges", "issue", "--base-url", "https://portfolio.example")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("1 badge issued\n"), r.output  # not "1 badge(s)"
    badge = session.exec(select(Badge)).one()
    assert badge.issued_by is None  # the system issued it
    again = cli("badges", "issue", "--base-url", "https://portfolio.example", "--json")
    assert json.loads(again.output)["issued"] == 0
    path = tmp_path / "badge.jwt"
    path.write_text(badge.token, encoding="utf-8")
    r = cli("badges", "verify", str(path))
    assert r.exit_code == 0 and "genuine and stands" in r.output
    # as a Windows editor saves it: a byte order mark and a line end; still the same badge
    path.write_bytes(b"\xef\xbb\xbf" + badge.token.encode() + b"\r\n")
    r = cli("badges", "verify", str(path))
    assert r.exit_code == 0 and "genuine and stands" in r.output
    path.write_text(badge.token, encoding="utf-16")  # not UTF-8: said so, no traceback
    r = cli("badges", "verify", str(path))
    assert r.exit_code == 1 and "a badge file is UTF-8 text" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    path.write_text(badge.token[:-6] + "AAAAAA", encoding="utf-8")
    assert cli("badges", "verify", str(path)).exit_code == 1


def test_no_sign_off_without_its_badge(app, client, auth, session, case, tmp_path) -> None:
    """One transaction: when the badge cannot be signed (an unreadable key file), the standard
    is not signed off either, and the assessor is told why."""
    from mappings.assessment.models import SignOff

    base = f"/learners/{case.learner.id}/standards/SE03"
    auth.login(case.assessor)
    assert client.post(f"{base}/reopen", data={"reason": "Re-sign"}).status_code == 302
    broken = tmp_path / "broken.pem"
    broken.write_text("not a key", encoding="utf-8")
    app.config["SIGNING_KEY"] = str(broken)
    r = client.post(f"{base}/signoff", data={"summary": "Competent.", "assessor_declaration": "y"})
    assert r.status_code == 422 and "not a readable private key" in r.get_data(as_text=True)
    assert session.exec(select(SignOff).where(SignOff.status == "signed")).all() == []
    assert session.exec(select(Badge)).all() == []
