# ruff: noqa: F811 - the clock fixture comes from the two-step tests
"""Two-step secrets are stored encrypted (Fernet, ``PORTFOLIO_ENCRYPTION_KEYS`` or a key derived
from the secret key): the column never holds the secret, a code still logs in, a row stored plain
before is read and sealed at the next log-in or by ``portfolio two-step seal``, a rotated key
still opens what the old one sealed, and a secret no key opens is told in words, never a 5xx."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlmodel import Session, select

from portfolio import config as settings
from portfolio import sealing
from portfolio.models import AuditEntry, LoginSession, Person
from portfolio.services import two_step
from tests.delivery.test_two_step import Clock, _code, _password, _turn_on, clock  # noqa: F401

OLD = sealing.new_key()
NEW = sealing.new_key()


def _raw(session: Session, person: Person) -> str:
    """The secret column as the database holds it (what a backup or an SQL account reads)."""
    session.expire_all()
    return (
        session.connection()
        .execute(text("SELECT secret FROM two_step WHERE person_id = :p"), {"p": person.id})
        .scalar_one()
    )


def _store_raw(session: Session, person: Person, value: str) -> None:
    session.connection().execute(
        text("UPDATE two_step SET secret = :s WHERE person_id = :p"), {"s": value, "p": person.id}
    )
    session.commit()


def _keys(monkeypatch: pytest.MonkeyPatch, spec: str) -> None:
    """From now on this process (and any command it runs) uses these keys, as after a restart
    with ``PORTFOLIO_ENCRYPTION_KEYS=spec``."""
    monkeypatch.setenv("PORTFOLIO_ENCRYPTION_KEYS", spec)
    two_step.use_sealer(sealing.from_settings(settings.from_env()))


def _logs_in(client: FlaskClient, person: Person, code: str) -> bool:
    _password(client, person)
    return _code(client, code).status_code == 302 and client.get("/").status_code == 200


def test_the_column_holds_a_token_not_the_secret_and_a_code_logs_in(
    app, auth, client, session, clock
) -> None:
    person = auth.login("assessor")
    secret, _codes = _turn_on(client, clock)
    stored = _raw(session, person)
    assert secret not in stored and secret.lower() not in stored.lower()
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert sealing.Sealer((settings.from_env()["ENCRYPTION_KEYS"].encode(),)).open(stored) == (
        secret,
        True,
    )
    auth.logout()
    clock.step()
    assert _logs_in(app.test_client(), person, clock.code(secret))
    assert _raw(session, person) == stored  # already sealed under the first key: not rewritten


def test_a_secret_stored_plain_before_is_read_and_sealed_at_the_next_log_in(
    app, auth, client, session, clock
) -> None:
    person = auth.login("learner")
    secret, _codes = _turn_on(client, clock)
    _store_raw(session, person, secret)  # as the code of migration 0036 stored it
    auth.logout()
    clock.step()
    assert _logs_in(app.test_client(), person, clock.code(secret))
    stored = _raw(session, person)
    assert secret not in stored and stored.startswith("gAAAAA")
    clock.step()
    assert _logs_in(app.test_client(), person, clock.code(secret))  # and read sealed


def test_a_recovery_code_log_in_seals_a_plain_secret_too(app, auth, client, session, clock):
    person = auth.login("learner")
    secret, codes = _turn_on(client, clock)
    _store_raw(session, person, secret)
    auth.logout()
    other = app.test_client()
    _password(other, person)
    assert _code(other, recovery=codes[0]).status_code == 302
    assert secret not in _raw(session, person)


def test_a_rotated_key_still_opens_the_old_ones_and_a_log_in_seals_under_the_new(
    app, auth, client, session, clock, monkeypatch
) -> None:
    _keys(monkeypatch, OLD)
    person = auth.login("learner")
    secret, _codes = _turn_on(client, clock)
    under_old = _raw(session, person)
    auth.logout()
    _keys(monkeypatch, f"{NEW}, {OLD}")  # the new key first, the old one still listed
    clock.step()
    assert _logs_in(app.test_client(), person, clock.code(secret))
    under_new = _raw(session, person)
    assert under_new != under_old
    assert sealing.Sealer((NEW.encode(),)).open(under_new) == (secret, True)
    _keys(monkeypatch, NEW)  # the old key dropped: nothing needs it any more
    clock.step()
    assert _logs_in(app.test_client(), person, clock.code(secret))


def test_seal_encrypts_the_plain_and_reseals_the_old_in_one_go(
    app, auth, client, cli, session, clock, make_person, monkeypatch
) -> None:
    _keys(monkeypatch, OLD)
    plain, old, current = make_person("learner"), make_person("learner"), make_person("assessor")
    secrets = {}
    for person in (plain, old):
        auth.login(person)
        secrets[person.id] = _turn_on(client, clock)[0]
        auth.logout()
    _store_raw(session, plain, secrets[plain.id])
    _keys(monkeypatch, f"{NEW},{OLD}")
    auth.login(current)
    secrets[current.id] = _turn_on(client, clock)[0]
    auth.logout()
    already = _raw(session, current)
    r = cli("two-step", "seal", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"plain": 1, "older_key": 1, "current": 1, "unreadable": []}
    assert _raw(session, current) == already
    _keys(monkeypatch, NEW)
    for person in (plain, old, current):
        stored = _raw(session, person)
        assert secrets[person.id] not in stored
        assert sealing.Sealer((NEW.encode(),)).open(stored) == (secrets[person.id], True)
    clock.step()
    assert _logs_in(app.test_client(), old, clock.code(secrets[old.id]))
    again = cli("two-step", "seal")
    assert again.exit_code == 0 and "Sealed 0" in again.output and "3 already" in again.output
    session.expire_all()
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "two_step.sealed")).all()
    assert len(entries) == 1  # once: the second run changed nothing
    assert entries[0].data == {"plain": 1, "older_key": 1}


def test_a_secret_no_key_opens_is_told_in_words_and_recovery_codes_still_work(
    app, auth, client, session, clock, monkeypatch, caplog
) -> None:
    _keys(monkeypatch, OLD)
    person = auth.login("learner")
    secret, codes = _turn_on(client, clock)
    auth.logout()
    _keys(monkeypatch, NEW)  # the old key lost (or the secret key changed, with none set)
    clock.step()
    fresh = app.test_client()
    _password(fresh, person)
    r = _code(fresh, clock.code(secret))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "cannot be checked" in html
    assert "administrator" in html and "recovery codes" in html
    assert fresh.get("/").status_code == 302  # not logged in
    assert f"secret of person {person.id} cannot be decrypted" in caplog.text  # for the admin
    session.expire_all()
    assert session.get(Person, person.id).failed_logins == 0  # type: ignore[union-attr]
    assert _code(fresh, recovery=codes[0]).status_code == 302  # recovery codes still work
    assert fresh.get("/").status_code == 200
    session.expire_all()
    assert session.exec(select(LoginSession).where(LoginSession.person_id == person.id)).all()


def test_seal_names_the_secrets_no_key_opens_and_fails(
    auth, client, cli, session, clock, monkeypatch
) -> None:
    _keys(monkeypatch, OLD)
    person = auth.login("learner")
    _turn_on(client, clock)
    _keys(monkeypatch, NEW)
    r = cli("two-step", "seal")
    assert r.exit_code == 1
    assert person.email in r.output and "reset" in r.output


def test_turning_off_with_an_unreadable_secret_says_so_on_the_form(
    auth, client, session, clock, monkeypatch
) -> None:
    _keys(monkeypatch, OLD)
    auth.login("learner")
    secret, codes = _turn_on(client, clock)
    _keys(monkeypatch, NEW)
    clock.step()
    data = {"off-code": clock.code(secret), "off-password": "correct-horse-battery"}
    r = client.post("/account/two-step", data={**data, "off-turn_off": "Turn off"})
    assert r.status_code == 422 and "cannot be checked" in r.get_data(as_text=True)
    data["off-code"] = codes[1]
    r = client.post("/account/two-step", data={**data, "off-turn_off": "Turn off"})
    assert r.status_code == 302


def test_without_keys_the_key_comes_from_the_secret_key_and_a_new_one_cannot_read_it() -> None:
    first = sealing.from_settings({"SECRET_KEY": "one long secret"})
    token = first.seal("JBSWY3DPEHPK3PXP")
    assert sealing.from_settings({"SECRET_KEY": "one long secret"}).open(token)[0] == (
        "JBSWY3DPEHPK3PXP"
    )
    with pytest.raises(sealing.Unreadable):
        sealing.from_settings({"SECRET_KEY": "another secret"}).open(token)
    assert sealing.from_settings({"SECRET_KEY": "x", "ENCRYPTION_KEYS": NEW}).keys == (
        NEW.encode(),
    )


def test_a_bad_key_stops_the_start_with_the_reason(tmp_path) -> None:
    conf = {**settings.from_env({}), "INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(RuntimeError, match="PORTFOLIO_ENCRYPTION_KEYS: key number 2"):
        settings.finish({**conf, "ENCRYPTION_KEYS": f"{NEW},not-a-key"})
    assert settings.finish({**conf, "ENCRYPTION_KEYS": f"{NEW}, {OLD}"})
    production = {**conf, "ENV": "production"}
    with pytest.raises(RuntimeError, match="default secret key"):
        settings.finish(production)  # a key derived from the default would be no secret


def test_new_key_prints_a_key_the_setting_takes(cli) -> None:
    r = cli("two-step", "new-key")
    assert r.exit_code == 0
    assert sealing.parse_keys(r.output.strip()) == [r.output.strip().encode()]
