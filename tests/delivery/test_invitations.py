"""A person an administrator adds is e-mailed an invitation to set their password: a
single-use link that works for seven days, welcoming them by the centre's name and their roles,
sent after the commit through a real SMTP server (aiosmtpd on a local port). Without e-mail the
pages say so and what to do instead."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from portfolio.errors import Invalid, PermissionDenied
from portfolio.models import AuditEntry, PasswordReset, Person
from portfolio.services import invitations
from tests.conftest import PASSWORD, actor_of
from tests.delivery import test_password_reset as reset_tests
from tests.delivery.test_password_reset import _link

inbox, mail_app = reset_tests.inbox, reset_tests.mail_app  # the fixtures: a real SMTP server


def _admin_client(app: Flask, make_person) -> Any:
    admin = make_person("admin")
    client = app.test_client()
    answer = client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _add(client, email: str, **extra) -> Any:
    data = {"name": "Lee Learner", "email": email, "roles": ["learner", "assessor"]}
    data.update({"site": "Main site", **extra})
    return client.post("/admin/people", data=data)


def test_an_added_person_is_invited_and_sets_their_password(
    mail_app, inbox, make_person, session
) -> None:
    handler, _port = inbox
    client = _admin_client(mail_app, make_person)
    form = _text(client.get("/admin/people"))
    assert "E-mail them an invitation to set their password" in form
    added = _add(client, "lee@centre.test", invite="y")
    assert added.status_code == 302, _text(added)
    lee = session.exec(select(Person).where(Person.email == "lee@centre.test")).one()
    assert not lee.password_hash
    recipients, message = handler.next()
    assert recipients == ["lee@centre.test"]
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    centre = str(mail_app.config["CENTRE_NAME"])
    assert centre in message["Subject"] and "Lee Learner" in body
    assert "assessor, learner" in body.lower() and "7 days" in body
    page = _text(client.get(f"/admin/people/{lee.id}"))
    assert "Invited on " in page and "not yet set their password" in page
    assert "Invite again" in page
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "person.invited")).one()
    assert entry.subject_id == lee.id
    row = session.exec(select(PasswordReset).where(PasswordReset.person_id == lee.id)).one()
    assert (row.expires_at - row.created_at).days == 7

    path = _link(message)
    visitor = mail_app.test_client()
    assert visitor.get(path).status_code == 200
    done = visitor.post(path, data={"password": "lees-own-pass", "confirm": "lees-own-pass"})
    assert done.status_code == 302
    assert visitor.get(path).status_code == 410  # single use
    logged = visitor.post("/login", data={"email": "lee@centre.test", "password": "lees-own-pass"})
    assert logged.status_code == 302
    assert "not yet set their password" not in _text(client.get(f"/admin/people/{lee.id}"))


def test_invite_again_sends_a_new_link_and_is_not_repeated_at_once(
    mail_app, inbox, make_person, session
) -> None:
    handler, _port = inbox
    client = _admin_client(mail_app, make_person)
    _add(client, "kim@centre.test")  # no invitation ticked
    kim = session.exec(select(Person).where(Person.email == "kim@centre.test")).one()
    assert handler.received.empty()
    page = _text(client.get(f"/admin/people/{kim.id}"))
    assert "Not invited" in page and "Invite" in page
    again = client.post(f"/admin/people/{kim.id}", data={"inv-invite": "Invite again"})
    assert again.status_code == 302, _text(again)
    recipients, _message = handler.next()
    assert recipients == ["kim@centre.test"]
    soon = client.post(f"/admin/people/{kim.id}", data={"inv-invite": "Invite again"})
    assert soon.status_code == 422 and "a few minutes" in _text(soon)
    assert len(session.exec(select(PasswordReset)).all()) == 1


def test_without_mail_the_pages_say_what_to_do(app, make_person, session) -> None:
    app.config.update(MAIL_HOST="")
    client = _admin_client(app, make_person)
    form = _text(client.get("/admin/people"))
    assert "The site cannot send e-mail" in form and "set a password" in form
    assert "E-mail them an invitation" not in form
    assert _add(client, "pat@centre.test", invite="y").status_code == 302
    pat = session.exec(select(Person).where(Person.email == "pat@centre.test")).one()
    page = _text(client.get(f"/admin/people/{pat.id}"))
    assert "The site cannot send e-mail" in page
    assert session.exec(select(PasswordReset)).all() == []


@pytest.mark.parametrize("mail", [False, True])
def test_a_person_added_with_a_password_is_not_said_to_need_one(
    app, request, make_person, mail
) -> None:
    """The administrator chose the password on the form: the page must not tell them to set
    one (nor that the person has none)."""
    the_app = request.getfixturevalue("mail_app") if mail else app
    if not mail:
        the_app.config.update(MAIL_HOST="")
    client = _admin_client(the_app, make_person)
    added = _add(client, "sam@centre.test", password="Chosen-pass-2026")
    assert added.status_code == 302, _text(added)
    page = _text(client.get(added.headers["Location"]))
    assert "Added Lee Learner as" in page
    assert "set a password for them" not in page and "no password yet" not in page
    assert "with the password you set" in page


def test_someone_with_no_password_is_given_one_not_reset(app, make_person, session) -> None:
    """Without e-mail the page says to set a password on the person's page: the form there is
    called so (it said "Reset password", and that the person is logged out everywhere), and so
    is what happened; once they have one, it is a reset."""
    app.config.update(MAIL_HOST="")
    client = _admin_client(app, make_person)
    assert _add(client, "nia@centre.test").status_code == 302
    nia = session.exec(select(Person).where(Person.email == "nia@centre.test")).one()
    page = _text(client.get(f"/admin/people/{nia.id}"))
    assert ">Set a password</h2>" in page and "logged out everywhere" not in page
    new = {"pw-password": "Chosen-pass-2026", "pw-confirm": "Chosen-pass-2026", "pw-reset": "y"}
    done = client.post(f"/admin/people/{nia.id}", data=new)
    assert done.status_code == 302, _text(done)
    page = _text(client.get(f"/admin/people/{nia.id}"))
    assert "The password of Lee Learner was set: tell them it." in page
    assert ">Reset password</h2>" in page and "logged out everywhere" in page


IMPORTED = (
    b"name,email,roles\nAnn Able,ann@centre.test,learner\nBen Best,ben@centre.test,assessor\n"
)


def test_people_imported_from_a_csv_file_are_invited(mail_app, inbox, make_person) -> None:
    handler, _port = inbox
    client = _admin_client(mail_app, make_person)
    page = _text(client.get("/admin/people/import"))
    assert "E-mail each new person an invitation to set their password" in page
    checked = client.post(
        "/admin/people/import",
        data={"file": (io.BytesIO(IMPORTED), "people.csv"), "dry_run": "y", "invite": "y"},
    )
    assert "will be e-mailed an invitation" in _text(checked)
    assert handler.received.empty()  # a check writes and sends nothing
    done = client.post("/admin/people/import", data={"content": IMPORTED.decode(), "invite": "y"})
    assert done.status_code == 302, _text(done)
    got = sorted(handler.next()[0][0] for _ in range(2))
    assert got == ["ann@centre.test", "ben@centre.test"]
    assert "2 were e-mailed an invitation" in _text(client.get("/admin/people"))


def test_only_an_administrator_invites_and_only_someone_who_may_log_in(
    session, make_person
) -> None:
    lee = make_person("learner")
    with pytest.raises(PermissionDenied):
        invitations.invite(session, actor=actor_of(make_person("assessor")), person_id=lee.id)
    lee.active = False
    session.add(lee)
    session.commit()
    with pytest.raises(Invalid, match="cannot log in"):
        invitations.invite(session, actor=actor_of(make_person("admin")), person_id=lee.id)
    assert session.exec(select(PasswordReset)).all() == []


def test_a_new_address_uses_up_the_links_sent_to_the_old_one(session, make_person) -> None:
    """An invitation sent to a mistyped address (a stranger's mailbox), or a reset link to a
    mailbox the person no longer has: once an administrator corrects the address, that link no
    longer sets the account's password, for the 7 days it had left."""
    from portfolio.services import people, resets

    admin = actor_of(make_person("admin"))
    lee = make_person("assessor", email="lee@wrong.test")
    _, token = invitations.invite(session, actor=admin, person_id=lee.id)
    session.commit()
    assert resets.link_works(session, token=token)
    people.update_person(
        session, actor=admin, person_id=lee.id, name=lee.name, email="lee@centre.test",
        roles=["assessor"], site=lee.site,
    )  # fmt: skip
    session.commit()
    assert not resets.link_works(session, token=token)
    with pytest.raises(Invalid, match="expired or has already been used"):
        resets.complete(session, token=token, password="a-strangers-pass")


def test_the_administrator_is_told_to_invite_again_at_a_new_address(
    client, auth, session, make_person
) -> None:
    auth.login("admin")
    kim = make_person("learner", email="kim@wrong.test")
    kim.password_hash = ""
    session.add(kim)
    session.commit()
    details = {"dt-name": kim.name, "dt-email": "kim@centre.test", "dt-roles": "learner",
               "dt-site": kim.site, "dt-save": "Save"}  # fmt: skip
    page = client.post(f"/admin/people/{kim.id}", data=details, follow_redirects=True)
    assert "The invitation sent to the old address no longer works: invite them again." in (
        page.get_data(as_text=True)
    )


ONE_IMPORTED = b"name,email,roles\nAnn Able,ann@centre.test,learner\n"


@pytest.mark.parametrize(
    ("content", "mail", "said"),
    [
        (  # "set their passwords on their pages and tell them it"
            IMPORTED,
            False,
            "Imported 2 people and 0 registrations. The site cannot send e-mail",
        ),
        (IMPORTED, False, "set the new people's passwords on their pages and tell each theirs."),
        (ONE_IMPORTED, False, "Imported 1 person and 0 registrations. The site cannot send e-mail"),
        (ONE_IMPORTED, False, "set the new person's password on their page and tell them it."),
        (IMPORTED, True, "The new people have no password yet: invite them or set one on their"),
        (ONE_IMPORTED, True, "The new person has no password yet: invite them or set one on their"),
    ],
)
def test_an_import_says_what_to_do_next_for_one_or_many(
    app, request, make_person, content, mail, said
) -> None:
    """Without e-mail, or without inviting them, the page says what to do for the people the
    file added, in words for one person or for many."""
    the_app = request.getfixturevalue("mail_app") if mail else app
    if not mail:
        the_app.config.update(MAIL_HOST="")
    client = _admin_client(the_app, make_person)
    done = client.post("/admin/people/import", data={"content": content.decode()})
    assert done.status_code == 302, _text(done)
    flash = _flash(client)
    assert said in flash
    assert "tell them it" not in flash or content == ONE_IMPORTED  # "it": one password


def _flash(client) -> str:
    """The message the people page shows after an import."""
    found = re.search(
        r'<p class="flash flash-success">(.*?)</p>', _text(client.get("/admin/people"))
    )
    assert found is not None
    return found.group(1)


def test_one_person_imported_and_invited_is_said_so(mail_app, inbox, make_person) -> None:
    handler, _port = inbox
    client = _admin_client(mail_app, make_person)
    data = {"content": ONE_IMPORTED.decode(), "invite": "y"}
    assert client.post("/admin/people/import", data=data).status_code == 302
    assert handler.next()[0][0] == "ann@centre.test"
    said = "Imported 1 person and 0 registrations. 1 was e-mailed an invitation"
    assert _flash(client).startswith(said)


NO_MAIL_SAID = (
    "The site cannot send e-mail: ask whoever runs it to set the mail server "
    "(the PORTFOLIO_MAIL_HOST setting)"
)


def test_without_mail_the_setting_is_named_in_a_sentence_that_says_what_it_is(
    app, make_person, session
) -> None:
    """The administrator's pages said "E-mail is not set up here (PORTFOLIO_MAIL_HOST)": a
    setting's name with nothing to say what it is or who sets it. They now say it in words first
    and name the setting for whoever runs the site."""
    app.config.update(MAIL_HOST="")
    client = _admin_client(app, make_person)
    assert _add(client, "pat@centre.test").status_code == 302
    pat = session.exec(select(Person).where(Person.email == "pat@centre.test")).one()
    for url in ("/admin/people", "/admin/people/import", f"/admin/people/{pat.id}"):
        page = _text(client.get(url))
        assert NO_MAIL_SAID in page, url
        assert "(PORTFOLIO_MAIL_HOST)" not in page, url
    done = client.post("/admin/people/import", data={"content": ONE_IMPORTED.decode()})
    assert done.status_code == 302
    assert NO_MAIL_SAID in _flash(client)


def test_the_day_invited_is_the_centres_day(session, make_person, monkeypatch) -> None:
    """Invited at 00:30 on 7 Jun 2027 in London (23:30 UTC on 6 Jun): the person's page says
    "Invited on 7 Jun 2027", the day the administrator sent it, not the UTC day before."""
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from portfolio.services import audit

    person = make_person("learner", email="june@example.org")
    monkeypatch.setattr(audit, "utcnow", lambda: datetime(2027, 6, 6, 23, 30, tzinfo=UTC))
    invitations.invite(session, actor=actor_of(make_person("admin")), person_id=person.id)
    session.flush()
    london = invitations.invited_on(session, person.id, zone=ZoneInfo("Europe/London"))
    assert london == date(2027, 6, 7)
    assert invitations.invited_on(session, person.id, zone=ZoneInfo("UTC")) == date(2027, 6, 6)
