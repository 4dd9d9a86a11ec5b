"""Which accounts a VLE launch may link by e-mail: only what the centre agreed per platform.

A platform's signed token proves who someone is *in that platform*; the e-mail it sends is only
what that platform says. A staff account (assessor, IQA) that was never linked must not open
from a launch merely carrying its e-mail, from one platform or from a second one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from portfolio.errors import PermissionDenied
from portfolio.models import AuditEntry, LtiLink, LtiPlatform
from portfolio.services import lti, people
from portfolio.services.actors import Actor
from portfolio.services.people import SYSTEM
from tests.delivery.lti_platform import INSTRUCTOR, Platform, new_key, serving
from tests.delivery.test_lti import launch, logged_in_as, refused, start


@pytest.fixture(scope="module")
def vles() -> Iterator[tuple[Platform, Platform]]:
    first = Platform(key=new_key())
    second = Platform(
        key=new_key(),
        issuer="https://partner-moodle.test",
        client_id="partner-client",
        auth_login_url="https://partner-moodle.test/mod/lti/auth.php",
        token_url="https://partner-moodle.test/mod/lti/token.php",
    )
    with serving(first), serving(second):
        yield first, second


def register(session: Session, platform: Platform, name: str, **rule: str) -> LtiPlatform:
    row = lti.add_platform(
        session,
        actor=SYSTEM,
        name=name,
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployment_ids=[platform.deployment],
        auth_login_url=platform.auth_login_url,
        token_url=platform.token_url,
        jwks_url=platform.jwks_url,
        **rule,
    )
    session.commit()
    return row


@pytest.fixture
def both(session: Session, vles: tuple[Platform, Platform]) -> tuple[Platform, Platform]:
    register(session, vles[0], "Moodle")
    register(session, vles[1], "Partner Moodle")
    return vles


def test_a_first_learner_launch_still_links_by_email(client, session, both, make_person) -> None:
    learner = make_person("learner", name="Ada Learner", email="ada@centre.test")
    sent = start(client, both[0])
    token = both[0].id_token(nonce=sent["nonce"], email="Ada@Centre.test")
    assert launch(client, sent, token).status_code == 303
    assert "Ada Learner" in logged_in_as(client)
    assert session.exec(select(LtiLink.person_id)).all() == [learner.id]


@pytest.mark.parametrize("which", [0, 1])
@pytest.mark.parametrize("roles", ["assessor", "iqa", "assessor,iqa", "learner,assessor"])
def test_an_unlinked_staff_account_is_not_taken_by_email(
    client, session, both, make_person, which, roles
) -> None:
    make_person(roles, name="Cat Staff", email="cat@centre.test")
    vle = both[which]
    sent = start(client, vle)
    token = vle.id_token(nonce=sent["nonce"], sub="anyone-9", email="cat@centre.test",
                         roles=[INSTRUCTOR])  # fmt: skip
    refused(launch(client, sent, token), "staff account")
    assert "Cat Staff" not in logged_in_as(client)
    assert session.exec(select(LtiLink)).all() == []


def test_a_learner_linked_on_one_vle_is_not_taken_by_email_from_a_closed_one(
    app, client, session, vles, make_person
) -> None:
    register(session, vles[0], "Moodle")
    register(session, vles[1], "Partner Moodle", email_links="none")
    learner = make_person("learner", name="Ben Learner", email="ben@centre.test")
    sent = start(client, vles[0])
    assert launch(client, sent, vles[0].id_token(nonce=sent["nonce"], email=learner.email))
    other = app.test_client()
    sent = start(other, vles[1])
    token = vles[1].id_token(nonce=sent["nonce"], sub="partner-5", email=learner.email)
    refused(launch(other, sent, token), "does not link accounts by e-mail")
    assert "Ben Learner" not in logged_in_as(other)


def test_a_learner_linked_on_one_vle_is_not_taken_by_email_from_another_and_is_linked_by_hand(
    app, auth, client, session, both, make_person
) -> None:
    """Both VLEs link learners by e-mail, but the second finds the account linked on the first:
    it is not taken over by an address the second VLE says; the refusal gives the user id in
    that VLE, and an administrator links it by hand ("Link a person"), as the audit trail shows."""
    learner = make_person("learner", name="Bea Learner", email="bea@centre.test")
    vle = app.test_client()
    sent = start(vle, both[0])
    assert (
        launch(vle, sent, both[0].id_token(nonce=sent["nonce"], email=learner.email)).status_code
        == 303
    )
    other = app.test_client()
    sent = start(other, both[1])
    token = both[1].id_token(nonce=sent["nonce"], sub="partner-8", email=learner.email)
    answer = launch(other, sent, token)
    refused(answer, "already linked to an account in another VLE")
    refused(answer, "Your user id in Partner Moodle: partner-8.")
    assert "Bea Learner" not in logged_in_as(other)
    session.expire_all()
    assert session.exec(select(LtiLink.issuer)).all() == [both[0].issuer]
    auth.login("admin")
    (_moodle, partner) = lti.list_platforms(session)
    form = {"ln-platform": str(partner.id), "ln-email": learner.email,
            "ln-subject": "partner-8", "ln-link": "1"}  # fmt: skip
    assert "Linked: Bea Learner" in client.post(
        "/admin/lti", data=form, follow_redirects=True
    ).get_data(as_text=True)
    sent = start(other, both[1])
    token = both[1].id_token(nonce=sent["nonce"], sub="partner-8", email=learner.email)
    assert launch(other, sent, token).status_code == 303
    assert "Bea Learner" in logged_in_as(other)
    session.expire_all()
    linked = session.exec(select(AuditEntry).where(AuditEntry.action == "lti.link")).all()
    assert [e.subject_id for e in linked] == [learner.id]


def test_a_platform_trusted_for_staff_links_an_assessor_but_never_an_administrator(
    app, client, session, vles, make_person
) -> None:
    register(session, vles[0], "Moodle", email_links="staff")
    make_person("assessor", name="Cat Assessor", email="cat@centre.test")
    sent = start(client, vles[0])
    token = vles[0].id_token(nonce=sent["nonce"], email="cat@centre.test", roles=[INSTRUCTOR])
    assert launch(client, sent, token).status_code == 303
    assert "Cat Assessor" in logged_in_as(client)
    make_person("admin,assessor", name="Dee Admin", email="dee@centre.test")
    other = app.test_client()
    sent = start(other, vles[0])
    token = vles[0].id_token(nonce=sent["nonce"], sub="u-2", email="dee@centre.test",
                             roles=[INSTRUCTOR])  # fmt: skip
    refused(launch(other, sent, token), "Administrators")
    assert session.exec(select(LtiLink).where(LtiLink.subject == "u-2")).all() == []


def test_an_administrator_links_a_staff_account_to_its_vle_subject(
    client, cli, session, both, make_person
) -> None:
    assessor = make_person("assessor", name="Eve Assessor", email="eve@centre.test")
    (first, _second) = lti.list_platforms(session)
    args = ["lti", "link", "--person", str(assessor.id), "--platform", str(first.id)]
    result = cli(*args, "--subject", "moodle-user-3")
    assert result.exit_code == 0, result.output
    # the person and the platform by name, not only the ids given ("to person 5")
    assert result.output.strip() == (
        f"Linked the {first.name} user moodle-user-3 to Eve Assessor (person {assessor.id}): "
        f"their launches from {first.name} open this account."
    )
    again = cli(*args, "--subject", "moodle-user-3")
    assert again.exit_code == 1 and "linked already" in again.output
    sent = start(client, both[0])
    token = both[0].id_token(nonce=sent["nonce"], sub="moodle-user-3", roles=[INSTRUCTOR])
    assert launch(client, sent, token).status_code == 303  # no e-mail needed once linked
    assert "Eve Assessor" in logged_in_as(client)
    with pytest.raises(PermissionDenied):
        lti.link_subject(session, actor=Actor.of(assessor), person_id=assessor.id or 0,
                         platform_id=first.id, subject="moodle-user-4")  # fmt: skip


def test_an_unknown_rule_is_refused_in_words(session, vles) -> None:
    with pytest.raises(lti.Invalid, match="e-mail"):
        register(session, vles[0], "Moodle", email_links="everyone")


def test_administrators_choose_the_rule_on_their_page(auth, client, session) -> None:
    auth.login("admin")
    form = {
        "name": "Moodle",
        "issuer": "https://moodle.example.org",
        "client_id": "xyz",
        "deployment_ids": "3",
        "auth_login_url": "https://moodle.example.org/mod/lti/auth.php",
        "token_url": "https://moodle.example.org/mod/lti/token.php",
        "jwks_url": "https://moodle.example.org/mod/lti/certs.php",
        "email_links": "staff",
        "add": "1",
    }
    page = client.post("/admin/lti", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Registered Moodle" in page
    assert "Learners, assessors and IQAs" in page
    (row,) = session.exec(select(LtiPlatform)).all()
    assert row.email_links == "staff"


def test_a_refused_staff_member_is_told_their_vle_user_id_and_an_administrator_links_them_on_the_page(
    app, auth, client, session, both, make_person
) -> None:
    """The refusal says the person's user id in the VLE; the administrator types it on the VLE
    page with the account's e-mail address, and the next launch opens the account."""
    assessor = make_person("assessor", name="Gus Assessor", email="gus@centre.test")
    vle = app.test_client()
    sent = start(vle, both[0])
    token = both[0].id_token(nonce=sent["nonce"], sub="moodle-77", email="gus@centre.test",
                             roles=[INSTRUCTOR])  # fmt: skip
    refused(launch(vle, sent, token), "Your user id in Moodle: moodle-77.")
    auth.login("admin")
    admin = client
    (moodle, _partner) = lti.list_platforms(session)
    form = {"ln-platform": str(moodle.id), "ln-email": "nobody@centre.test",
            "ln-subject": "moodle-77", "ln-link": "1"}  # fmt: skip
    answer = admin.post("/admin/lti", data=form)
    assert answer.status_code == 422
    assert "no account here with that e-mail address" in answer.get_data(as_text=True)
    assert session.exec(select(LtiLink)).all() == []
    form["ln-email"] = " Gus@Centre.test "
    page = admin.post("/admin/lti", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Linked: Gus Assessor" in page
    session.expire_all()
    assert session.exec(select(LtiLink.person_id)).all() == [assessor.id]
    sent = start(vle, both[0])
    token = both[0].id_token(nonce=sent["nonce"], sub="moodle-77", roles=[INSTRUCTOR])
    assert launch(vle, sent, token).status_code == 303
    assert "Gus Assessor" in logged_in_as(vle)
    # the form is the administrator's: the service refuses anyone else
    with pytest.raises(PermissionDenied):
        lti.link_subject_by_email(session, actor=Actor.of(assessor), email=assessor.email,
                                  platform_id=moodle.id, subject="moodle-78")  # fmt: skip


def test_a_learner_linked_by_email_who_becomes_an_assessor_is_linked_again_by_an_administrator(
    client, session, both, make_person
) -> None:
    """The VLE linked a learner by the address it sent, as it may; once the account holds a staff
    role, that link is gone, so the same launch no longer opens an assessor's account."""
    learner = make_person("learner", name="Hal Learner", email="hal@centre.test")
    sent = start(client, both[0])
    token = both[0].id_token(nonce=sent["nonce"], sub="moodle-5", email="hal@centre.test")
    assert launch(client, sent, token).status_code == 303
    assert session.exec(select(LtiLink.person_id)).all() == [learner.id]
    admin = make_person("admin")
    people.update_person(session, actor=Actor.of(admin), person_id=learner.id or 0,
                         name=learner.name, email=learner.email, roles="learner,assessor",
                         site=learner.site)  # fmt: skip
    session.commit()
    assert session.exec(select(LtiLink)).all() == []
    change = session.exec(select(AuditEntry).where(AuditEntry.action == "person.update")).one()
    assert change.data["vle_links_removed"] == 1
    client.post("/logout")
    sent = start(client, both[0])
    token = both[0].id_token(nonce=sent["nonce"], sub="moodle-5", email="hal@centre.test",
                             roles=[INSTRUCTOR])  # fmt: skip
    refused(launch(client, sent, token), "staff account")
    # an assessor's other changes keep their links (made by an administrator)
    lti.link_subject(session, actor=Actor.of(admin), person_id=learner.id or 0,
                     platform_id=lti.list_platforms(session)[0].id, subject="moodle-5")  # fmt: skip
    people.update_person(session, actor=Actor.of(admin), person_id=learner.id or 0,
                         name="Hal Assessor", email=learner.email, roles="assessor,iqa",
                         site=learner.site)  # fmt: skip
    session.commit()
    assert session.exec(select(LtiLink.person_id)).all() == [learner.id]
