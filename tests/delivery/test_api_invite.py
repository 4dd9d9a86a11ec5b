"""The API's "Add a person" with ``"invite": true`` e-mails them the same invitation as the admin
pages, after the commit, through a real SMTP server (aiosmtpd on a local port), and its answer
says whether one was sent (``invited``). Asked to invite where e-mail is not set up, it refuses
(422) before anything is written."""

from __future__ import annotations

from sqlmodel import func, select

from portfolio.models import Person
from tests.delivery import test_password_reset as reset_tests
from tests.delivery.api_world import bearer, token_for
from tests.delivery.test_password_reset import _link

inbox, mail_app = reset_tests.inbox, reset_tests.mail_app  # the fixtures: a real SMTP server


def _people(session) -> int:
    return session.exec(select(func.count()).select_from(Person)).one()


def _admin_headers(session, make_person) -> dict[str, str]:
    admin = make_person("admin")
    return bearer(token_for(session, admin.id, scopes=("read", "admin")))


def test_the_api_invites_when_asked_and_says_so(mail_app, inbox, session, make_person) -> None:
    handler, _port = inbox
    client = mail_app.test_client()
    headers = _admin_headers(session, make_person)
    made = client.post("/api/v1/people", headers=headers, json={
        "name": "Asha Patel", "email": "asha@centre.test", "roles": ["learner"], "invite": True,
    })  # fmt: skip
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["invited"] is True
    recipients, message = handler.next()
    assert recipients == ["asha@centre.test"]
    assert mail_app.test_client().get(_link(message)).status_code == 200
    plain = client.post("/api/v1/people", headers=headers, json={
        "name": "Ben Best", "email": "ben@centre.test", "roles": ["assessor"],
    })  # fmt: skip
    assert plain.status_code == 201 and plain.get_json()["invited"] is False
    assert handler.received.empty()


def test_the_api_refuses_to_invite_without_mail_and_writes_nothing(
    app, session, make_person
) -> None:
    app.config.update(MAIL_HOST="")
    headers = _admin_headers(session, make_person)
    before = _people(session)
    refused = app.test_client().post("/api/v1/people", headers=headers, json={
        "name": "Pat Post", "email": "pat@centre.test", "roles": ["learner"], "invite": True,
    })  # fmt: skip
    assert refused.status_code == 422
    assert "The site cannot send e-mail: ask whoever runs it" in refused.get_json()["detail"]
    assert _people(session) == before


def test_the_openapi_document_describes_invite(client) -> None:
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    invite = schemas["NewPerson"]["properties"]["invite"]
    assert invite["type"] == "boolean" and invite["default"] is False
    added = schemas["AddedPerson"]
    assert added["properties"]["invited"]["type"] == "boolean" and "invited" in added["required"]


def test_without_the_sites_address_in_production_the_api_refuses_to_invite_in_words(
    mail_app, inbox, session, make_person
) -> None:
    handler, _port = inbox
    mail_app.config.update(BASE_URL=None, ENV="production")
    headers = _admin_headers(session, make_person)
    before = _people(session)
    refused = mail_app.test_client().post("/api/v1/people", headers=headers, json={
        "name": "Pat Post", "email": "pat@centre.test", "roles": ["learner"], "invite": True,
    })  # fmt: skip
    assert refused.status_code == 422, refused.get_data(as_text=True)
    detail = refused.get_json()["detail"]
    assert "PORTFOLIO_BASE_URL" in detail and "nobody was added" in detail
    assert _people(session) == before and handler.received.empty()
    # without "invite" no link is needed: the person is added
    plain = mail_app.test_client().post("/api/v1/people", headers=headers, json={
        "name": "Pat Post", "email": "pat@centre.test", "roles": ["learner"],
    })  # fmt: skip
    assert plain.status_code == 201 and plain.get_json()["invited"] is False


def test_outside_production_the_invitation_links_to_the_address_asked_for(
    mail_app, inbox, session, make_person
) -> None:
    handler, _port = inbox
    mail_app.config.update(BASE_URL=None)
    headers = _admin_headers(session, make_person)
    made = mail_app.test_client().post("/api/v1/people", headers=headers, base_url="http://portfolio.centre.test:5104", json={
        "name": "Asha Patel", "email": "asha@centre.test", "roles": ["learner"], "invite": True,
    })  # fmt: skip
    assert made.status_code == 201 and made.get_json()["invited"] is True
    _recipients, message = handler.next()
    body = message.get_payload(decode=True).decode()
    assert "http://portfolio.centre.test:5104/password/reset/" in body
