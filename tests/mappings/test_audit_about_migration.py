"""Migration 0043 fills in whom each entry written before it is about, from its subject, as the
application writes it now; the trail still verifies afterwards (whom an entry is about is not
part of its hash); and it comes down and up again."""

from __future__ import annotations

from datetime import date, timedelta

from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select

from delivery.schema import alembic_config, upgrade
from demo.accounts import register_learner
from mappings.assessment.models import Claim
from portfolio.db import make_engine
from portfolio.models import Framework
from portfolio.services import audit, people
from portfolio.services.actors import SYSTEM
from tests.conftest import _load_sample, fresh_database
from tests.mappings.iqa_builders import assess


def _trail(engine) -> dict[int, int | None]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, about_id FROM auditentry ORDER BY id")).all()
    return {r[0]: r[1] for r in rows}


def _world(engine) -> tuple[int, int]:
    """A learner registered, a claim accepted and signed off, each in the trail."""
    with Session(engine) as session:
        made = [
            people.create_person(
                session,
                actor=SYSTEM,
                name=name,
                email=f"{role}@test.example",
                roles=role,
                password="a long enough password",
                site="Main site",
            )  # fmt: skip
            for name, role in (("Lee Learner", "learner"), ("Asa Assessor", "assessor"))
        ]
        learner, assessor = made
        framework = session.exec(select(Framework)).one()
        reg = register_learner(
            session, learner_id=learner.id or 0, framework_id=framework.id or 0,
            codes=["SE03"], assessor_id=assessor.id, iqa_id=None, cohort_id=None,
            start=date.today() - timedelta(days=60), planned_end=date.today() + timedelta(days=300),
        )  # fmt: skip
        decision, signed = assess(session, reg, assessor.id or 0, "SE03")
        assert signed is not None
        audit.record(session, actor=assessor, action="claim.decide", subject_type="claim",
                     subject_id=decision.claim_id,
                     rows=[decision, session.get(Claim, decision.claim_id)])  # fmt: skip
        audit.record(session, actor=assessor, action="signoff.sign", subject_type="signoff",
                     subject_id=signed.id, rows=[signed])  # fmt: skip
        audit.record(session, actor=assessor, action="evidence.submit", subject_type="evidence",
                     subject_id=session.exec(text("SELECT max(id) FROM evidence")).one()[0])  # fmt: skip
        session.commit()
        return learner.id or 0, assessor.id or 0


def test_the_backfill_names_whom_each_entry_is_about_and_the_trail_verifies(
    backend, tmp_path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            _load_sample(engine)
            learner, assessor = _world(engine)
            written = _trail(engine)  # as the application writes it
            assert {e for e, p in written.items() if p == learner} and assessor in written.values()
            with engine.begin() as conn:  # back to before 0043, then up: the backfill
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0042")
                columns = conn.execute(text("SELECT * FROM auditentry")).keys()
                assert "about_id" not in columns
                command.upgrade(cfg, "head")
            assert _trail(engine) == written
            kinds = {"person", "registration", "claim", "signoff", "evidence"}
            with engine.connect() as conn:
                about = conn.execute(
                    text("SELECT DISTINCT subject_type FROM auditentry WHERE about_id = :p"),
                    {"p": learner},
                ).scalars()
                assert set(about) == kinds
            with Session(engine) as session:
                report = audit.verify(session)
                assert report.ok, report.breaks
                audit.record(session, actor=SYSTEM, action="claim.decide", subject_type="claim",
                             subject_id=1)  # fmt: skip
                session.commit()
                assert audit.verify(session).ok
            assert list(_trail(engine).values())[-1] == learner
        finally:
            engine.dispose()
