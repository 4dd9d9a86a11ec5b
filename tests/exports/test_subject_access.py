"""Issue 19: a subject-access request answered with one zip of everything held about a person."""

from __future__ import annotations

import io
import json
import zipfile

from sqlmodel import select

from exports.subject_access import write_subject_access
from portfolio.models import AuditEntry
from portfolio.services.actors import SYSTEM


def _read(zf: zipfile.ZipFile, name: str):
    return json.loads(zf.read(name))


def test_the_archive_holds_everything_about_the_learner(session, case, store) -> None:
    out = io.BytesIO()
    names = write_subject_access(session, store, case.learner.id, out, actor=SYSTEM, centre="C")
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        assert sorted(zf.namelist()) == sorted(names)
        assert {"README.txt", "person.json", "portfolio-bundle.zip", "audit.json"} <= set(names)
        person = _read(zf, "person.json")
        assert (person["email"], person["name"]) == (case.learner.email, case.learner.name)
        assert "password_hash" not in person and "session_secret" not in person
        feedback = [d["feedback"] for d in _read(zf, "decisions.json")]
        assert "Say more about the employer." in feedback
        trail = _read(zf, "audit.json")
        assert any(
            e["subject_type"] == "person" and e["subject_id"] == case.learner.id for e in trail
        )
        assert any(e["action"] == "evidence.create" for e in trail)
        assert _read(zf, "notifications.json"), "the learner was notified of decisions"
        assert all("token_hash" not in row for row in _read(zf, "logins.json"))
        assert [s["id"] for s in _read(zf, "signoffs.json")] == [case.signoff.id]
        with zipfile.ZipFile(io.BytesIO(zf.read("portfolio-bundle.zip"))) as bundle:
            manifest = json.loads(bundle.read("manifest.json"))
            assert manifest["learner"]["email"] == case.learner.email
            assert any(n.startswith("attachments/") for n in bundle.namelist())
    recorded = session.exec(
        select(AuditEntry).where(AuditEntry.action == "privacy.subject_access")
    ).one()
    assert recorded.subject_id == case.learner.id

    # an assessor's archive: no portfolio of their own, the decisions they made
    out = io.BytesIO()
    names = write_subject_access(session, store, case.assessor.id, out, actor=SYSTEM)
    assert "portfolio-bundle.zip" not in names
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        made = _read(zf, "decisions.json")
        assert made and {d["actor_id"] for d in made} == {case.assessor.id}
        assert [r["id"] for r in _read(zf, "registrations.json")] == [case.registration.id]


def test_the_command_writes_the_archive(session, case, store, cli, tmp_path) -> None:
    target = tmp_path / "sar.zip"
    out = cli("privacy", "subject-access", case.learner.email.upper(), "-o", str(target))
    assert out.exit_code == 0, out.output
    with zipfile.ZipFile(target) as zf:
        assert _read(zf, "person.json")["id"] == case.learner.id
    missing = cli("privacy", "subject-access", "nobody@example.org", "-o", str(target))
    assert missing.exit_code == 1 and "No person" in missing.output


def test_an_administrator_downloads_it_from_the_person_page(
    client, auth, session, case, store, app
) -> None:
    app.config["FILE_STORE"] = str(store.root)
    auth.login("admin")
    page = client.get(f"/admin/people/{case.learner.id}").get_data(as_text=True)
    assert "Download everything held about" in page
    r = client.post(f"/admin/people/{case.learner.id}/subject-access")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.data)) as zf:
        assert _read(zf, "person.json")["email"] == case.learner.email
