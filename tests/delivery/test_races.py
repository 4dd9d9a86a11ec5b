"""Two requests racing to write the same thing on PostgreSQL (READ COMMITTED): each checks the
database, then writes. The loser is told what happened (a conflict) or finds nothing left to do,
never a unique-key error, which would be a 5xx; and a standard is signed off once. (SQLite writes
one transaction at a time, BEGIN IMMEDIATE, so these races cannot happen there.)"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from demo.accounts import register_learner
from exports.bundle import import_bundle
from mappings.assessment import claims, declarations, signoff, summaries
from mappings.assessment.models import Claim, LearnerDeclaration, RegistrationSummary, SignOff
from mappings.assessment.standing import registrations_of_learner
from mappings.privacy import erasure
from mappings.quality import actions, cycles, plan, review
from mappings.quality.models import Action, Sample, SampleReview, SamplingCycle
from portfolio import db
from portfolio.errors import Conflict, Invalid, NotFound
from portfolio.models import Attachment, AuditEntry, Evidence, Framework, Person, Registration
from portfolio.services import evidence, people, registrations, resets
from portfolio.services.files import FileStore
from portfolio.services.passwords import verify_password
from portfolio.services.people import SYSTEM
from tests.conftest import actor_of, migrated_database
from tests.exports.test_bundle import OLD_BUNDLE


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    if backend != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time: no race to lose")
    with migrated_database(backend, tmp_path, sample=True) as eng:
        yield eng


def _race(
    engine: Engine,
    first: Callable[[Session], Any],
    second: Callable[[Session], Any],
    *,
    first_fails: bool = False,
) -> Any:
    """``first`` writes in one transaction, which waits; meanwhile ``second`` runs as a request
    does (its whole unit of work run again on a retryable error) and blocks on the first's rows;
    the first commits (rolls back when ``first_fails``). What the second ended with: "ok" or its
    exception."""
    out: dict[str, Any] = {}

    def work() -> None:
        with Session(engine) as s:
            second(s)
            s.commit()

    def run_second() -> None:
        try:
            db.retrying(work)
            out["second"] = "ok"
        except Exception as exc:  # noqa: BLE001 - the outcome is what is tested
            out["second"] = exc

    with Session(engine) as s:
        first(s)
        s.flush()
        thread = threading.Thread(target=run_second)
        thread.start()
        time.sleep(1.0)  # the second is now waiting on the first's rows
        s.rollback() if first_fails else s.commit()
    thread.join(60)
    return out["second"]


def _person(s: Session, role: str, name: str) -> Any:
    return people.create_person(
        s,
        actor=SYSTEM,
        name=name,
        email=f"{name.lower()}@race.example",
        roles=role,
        password="correct-horse-battery",
        site="Main site",
    )


def _world(engine: Engine, codes: list[str]) -> dict[str, Any]:
    """A learner on ``codes`` with an assessor, and one submitted item claiming every criterion."""
    with Session(engine, expire_on_commit=False) as s:
        learner, assessor = _person(s, "learner", "Lea"), _person(s, "assessor", "Asa")
        framework = s.exec(select(Framework).where(Framework.code == "SE")).one()
        register_learner(
            s,
            learner_id=learner.id,
            framework_id=framework.id,
            codes=codes,
            assessor_id=assessor.id,
            iqa_id=None,
            cohort_id=None,
            start=date.today() - timedelta(days=9),
            planned_end=date.today() + timedelta(days=99),
        )
        me = actor_of(learner)
        item = evidence.create(
            s,
            actor=me,
            learner_id=learner.id,
            draft=evidence.Draft(
                kind="reflective_account", title="T", activity_date=date.today(), body="b"
            ),
        )
        evidence.submit(s, actor=me, evidence_id=item.id, declaration=True)
        criteria = claims.claimable_criteria(s, learner.id)
        s.commit()
    return {
        "learner": actor_of(learner),
        "assessor": actor_of(assessor),
        "item": item.id,
        "criteria": criteria,
    }


def test_the_same_mapping_saved_twice_at_once_is_saved_once(engine: Engine) -> None:
    w = _world(engine, ["SE01"])
    wanted = [w["criteria"][0].criterion_id]

    def save(s: Session) -> None:
        claims.set_claims(s, actor=w["learner"], evidence_id=w["item"], criterion_ids=wanted)

    assert _race(engine, save, save) == "ok"
    with Session(engine) as s:
        assert len(s.exec(select(Claim).where(Claim.evidence_id == w["item"])).all()) == 1


def test_a_submitted_item_edited_in_two_tabs_at_once_tells_the_second_tab(engine: Engine) -> None:
    w = _world(engine, ["SE01"])

    def edit(text: str) -> Callable[[Session], None]:
        return lambda s: evidence.update(
            s,
            actor=w["learner"],
            evidence_id=w["item"],
            expected_version=1,
            draft=evidence.Draft(
                kind="reflective_account", title="T", activity_date=date.today(), body=text
            ),
        )

    result = _race(engine, edit("tab one"), edit("tab two"))
    assert isinstance(result, Conflict), result
    with Session(engine) as s:
        assert evidence.current_version(s, s.get(Evidence, w["item"])).body == "tab one"


def _ready_to_sign(
    engine: Engine, *, declared: bool = True, codes: tuple[str, ...] = ("SE03",)
) -> dict[str, Any]:
    """SE03 with every criterion claimed by one item and accepted, and (``declared``) the
    learner's declaration."""
    w = _world(engine, list(codes))
    with Session(engine) as s:
        claims.set_claims(
            s,
            actor=w["learner"],
            evidence_id=w["item"],
            criterion_ids=[c.criterion_id for c in w["criteria"]],
        )
        kinds = {c.criterion_id: c.kind for c in w["criteria"]}
        for claim in s.exec(select(Claim).where(Claim.evidence_id == w["item"])).all():
            claims.decide(
                s,
                actor=w["assessor"],
                claim_id=claim.id or 0,
                expected_revision=claim.revision,
                decision="accepted",
                method="O" if kinds[claim.criterion_id] == "performance" else "PD",
            )
        s.commit()
        [w["registration"]] = registrations_of_learner(s, w["learner"].id)
        if declared:
            _declare(w)(s)
        s.commit()
        w["claim"] = s.exec(select(Claim).where(Claim.evidence_id == w["item"])).first()
        assert w["claim"] is not None
    return w


def _declare(w: dict[str, Any]) -> Callable[[Session], None]:
    return lambda s: declarations.declare(
        s, actor=w["learner"], registration_id=w["registration"], standard_code="SE03"
    )


def test_a_declaration_confirmed_twice_at_once_is_recorded_once(engine: Engine) -> None:
    w = _ready_to_sign(engine, declared=False)
    result = _race(engine, _declare(w), _declare(w))
    assert isinstance(result, Invalid) and "already confirmed" in str(result), result
    with Session(engine) as s:
        assert len(s.exec(select(LearnerDeclaration)).all()) == 1


def _sign(w: dict[str, Any]) -> Callable[[Session], None]:
    def sign(s: Session) -> None:
        standing = signoff.standing_to_sign(
            s, actor=w["assessor"], learner_id=w["learner"].id, code="SE03"
        )
        signoff.sign_off_standing(
            s,
            actor=w["assessor"],
            standing=standing,
            standard_code="SE03",
            summary="Competent.",
            assessor_declaration=True,
        )

    return sign


def _refer(w: dict[str, Any]) -> Callable[[Session], None]:
    return lambda s: claims.decide(
        s,
        actor=w["assessor"],
        claim_id=w["claim"].id,
        expected_revision=w["claim"].revision,
        decision="referred",
        method="O",
        feedback="Show it in your work.",
    )


def _signed_and_claim(engine: Engine, w: dict[str, Any]) -> tuple[int, str]:
    """How many sign-offs stand, and the status of the claim referred in the race."""
    with Session(engine) as s:
        signed = s.exec(select(SignOff).where(SignOff.status == "signed")).all()
        claim = s.get(Claim, w["claim"].id)
        return len(signed), claim.status if claim else ""


def test_a_claim_referred_while_its_standard_is_signed_off_is_refused(engine: Engine) -> None:
    w = _ready_to_sign(engine)
    result = _race(engine, _sign(w), _refer(w))
    assert isinstance(result, Invalid) and "signed off" in str(result), result
    assert _signed_and_claim(engine, w) == (1, "accepted")


def test_a_standard_signed_off_while_one_of_its_claims_is_referred_is_refused(
    engine: Engine,
) -> None:
    w = _ready_to_sign(engine)
    result = _race(engine, _refer(w), _sign(w))
    assert isinstance(result, Conflict | Invalid), result
    assert _signed_and_claim(engine, w) == (0, "referred")


def test_a_standard_signed_off_in_two_tabs_at_once_is_signed_off_once(engine: Engine) -> None:
    w = _ready_to_sign(engine)
    sign = _sign(w)
    result = _race(engine, sign, sign)
    assert isinstance(result, Conflict), result
    with Session(engine) as s:
        assert len(s.exec(select(SignOff).where(SignOff.status == "signed")).all()) == 1


def _draft(engine: Engine) -> dict[str, Any]:
    """A learner's draft item, not yet submitted, with the hash its editor loaded."""
    with Session(engine, expire_on_commit=False) as s:
        learner = actor_of(_person(s, "learner", "Dru"))
        item = evidence.create(
            s,
            actor=learner,
            learner_id=learner.id,
            draft=evidence.Draft(
                kind="reflective_account", title="T", activity_date=date.today(), body="first"
            ),
        )
        loaded = evidence.current_version(s, item).sha256
        s.commit()
    return {"learner": learner, "item": item.id, "hash": loaded}


def _submit(w: dict[str, Any]) -> Callable[[Session], None]:
    return lambda s: evidence.submit(s, actor=w["learner"], evidence_id=w["item"], declaration=True)


def test_an_autosave_racing_the_submit_never_changes_the_submitted_version(engine: Engine) -> None:
    w = _draft(engine)

    def autosave(s: Session) -> None:
        evidence.autosave(
            s,
            actor=w["learner"],
            evidence_id=w["item"],
            expected_version=1,
            expected_hash=w["hash"],
            draft=evidence.Draft(
                kind="reflective_account", title="T", activity_date=date.today(), body="later"
            ),
        )

    result = _race(engine, _submit(w), autosave)
    assert isinstance(result, Invalid), result
    with Session(engine) as s:
        item = s.get(Evidence, w["item"])
        assert item is not None and item.status == "submitted" and item.current_version == 1
        submitted = evidence.current_version(s, item)
        assert submitted.body == "first" and submitted.declared_at is not None


def test_a_draft_submitted_twice_at_once_is_submitted_once(engine: Engine) -> None:
    w = _draft(engine)
    result = _race(engine, _submit(w), _submit(w))
    assert isinstance(result, Invalid) and "already submitted" in str(result), result
    with Session(engine) as s:
        submits = s.exec(
            select(AuditEntry).where(
                AuditEntry.action == "evidence.submit", AuditEntry.subject_id == w["item"]
            )
        ).all()
    assert len(submits) == 1


def test_a_sign_off_reopened_twice_at_once_is_reopened_once(engine: Engine) -> None:
    w = _ready_to_sign(engine)
    with Session(engine) as s:
        _sign(w)(s)
        s.commit()

    def reopen(reason: str) -> Callable[[Session], None]:
        def run(s: Session) -> None:
            current = signoff.signoff_to_reopen(
                s, actor=w["assessor"], learner_id=w["learner"].id, code="SE03"
            )
            signoff.reopen_standard(
                s, actor=w["assessor"], current=current, code="SE03", reason=reason
            )

        return run

    result = _race(engine, reopen("Evidence found copied."), reopen("Wrong learner."))
    assert isinstance(result, Invalid | NotFound), result
    with Session(engine) as s:
        [record] = s.exec(select(SignOff)).all()
        reopens = s.exec(select(AuditEntry).where(AuditEntry.action == "standard.reopen")).all()
    assert record.status == "reopened" and record.reopen_reason == "Evidence found copied."
    assert len(reopens) == 1


def _action(engine: Engine) -> dict[str, Any]:
    """An IQA's open action for the assessor of a reviewed sample (rows written directly)."""
    w = _world(engine, ["SE01"])
    with Session(engine) as s:
        iqa = actor_of(_person(s, "iqa", "Ivy"))
        [registration] = registrations_of_learner(s, w["learner"].id)
        cycle = SamplingCycle(
            name="Spring", start_date=date.today(), end_date=date.today(), iqa_id=iqa.id,
            created_by=iqa.id,
        )  # fmt: skip
        s.add(cycle)
        s.flush()
        sample = Sample(
            cycle_id=cycle.id or 0, decision_key="I1", kind="interim",
            registration_id=registration, learner_id=w["learner"].id,
            standard_id=w["criteria"][0].standard_id, assessor_id=w["assessor"].id,
        )  # fmt: skip
        s.add(sample)
        s.flush()
        review = SampleReview(sample_id=sample.id or 0, outcome="disagree", reviewed_by=iqa.id)
        s.add(review)
        s.flush()
        action = Action(
            review_id=review.id or 0, sample_id=sample.id or 0, assessor_id=w["assessor"].id,
            set_by=iqa.id, text="Observe P1 again.", due_date=date.today(),
        )  # fmt: skip
        s.add(action)
        s.commit()
        return {**w, "iqa": iqa, "action": action.id}


def test_an_action_responded_to_while_the_iqa_closes_it_stays_closed(engine: Engine) -> None:
    w = _action(engine)

    def close(s: Session) -> None:
        actions.close_action(s, actor=w["iqa"], action_id=w["action"])

    def respond(s: Session) -> None:
        actions.respond_action(s, actor=w["assessor"], action_id=w["action"], response="Done.")

    result = _race(engine, close, respond)
    assert isinstance(result, Invalid) and "closed" in str(result), result
    with Session(engine) as s:
        action = s.get(Action, w["action"])
        assert action is not None and action.status == "closed" and action.response == ""


def _planned(engine: Engine) -> dict[str, Any]:
    """SE03 signed off and a planned IQA cycle sampling the sign-off."""
    w = _ready_to_sign(engine)
    with Session(engine) as s:
        _sign(w)(s)
        iqa = _person(s, "iqa", "Ivy")
        assessor = s.get(Person, w["assessor"].id)
        assert assessor is not None
        assessor.assessor_status = "new"  # every sign-off of a new assessor is sampled
        [registration] = registrations_of_learner(s, w["learner"].id)
        reg = s.get(Registration, registration)
        assert reg is not None
        reg.iqa_id = iqa.id
        s.add_all([assessor, reg])
        s.commit()
        me = actor_of(iqa)
        cycle = cycles.create_cycle(
            s, actor=me, name="R1", start=date.today() - timedelta(days=30),
            end=date.today() + timedelta(days=30),
        )  # fmt: skip
        plan.plan_cycle(s, actor=me, cycle_id=cycle.id or 0)
        s.commit()
        sample = s.exec(select(Sample).where(Sample.cycle_id == cycle.id)).one()
        return {**w, "iqa": me, "cycle": cycle.id, "sample": sample.id}


def _review(w: dict[str, Any]) -> Callable[[Session], None]:
    return lambda s: review.review_sample(
        s, actor=w["iqa"], sample_id=w["sample"], outcome="agree", feedback="", checks={}
    )


def _replan(w: dict[str, Any]) -> Callable[[Session], None]:
    return lambda s: plan.plan_cycle(s, actor=w["iqa"], cycle_id=w["cycle"], seed=7)


def test_a_cycle_planned_again_while_a_sample_is_reviewed_is_refused(engine: Engine) -> None:
    w = _planned(engine)
    result = _race(engine, _review(w), _replan(w))
    assert isinstance(result, Conflict) and "already reviewed" in str(result), result
    with Session(engine) as s:
        assert s.get(Sample, w["sample"]) is not None
        assert len(s.exec(select(SampleReview)).all()) == 1


def test_a_sample_reviewed_while_the_cycle_is_planned_again_is_not_found(engine: Engine) -> None:
    w = _planned(engine)
    result = _race(engine, _replan(w), _review(w))
    assert isinstance(result, NotFound), result
    with Session(engine) as s:
        assert s.get(Sample, w["sample"]) is None
        assert s.exec(select(SampleReview)).all() == []


def test_a_reset_link_used_twice_at_once_sets_one_password(engine: Engine) -> None:
    with Session(engine) as s:
        person = _person(s, "learner", "Rita")
        s.commit()
        found = resets.request_link(s, email=person.email, lifetime=timedelta(hours=1))
        assert found is not None
        token = found[1]
        s.commit()

    def complete(password: str) -> Callable[[Session], None]:
        return lambda s: resets.complete(s, token=token, password=password)

    result = _race(engine, complete("first-new-password"), complete("second-new-password"))
    assert isinstance(result, Invalid), result
    with Session(engine) as s:
        stored = s.exec(select(Person.password_hash).where(Person.email == "rita@race.example"))
        assert verify_password(stored.one(), "first-new-password")
        used = s.exec(
            select(AuditEntry).where(AuditEntry.action == "person.password_reset_by_link")
        )
        assert len(used.all()) == 1


def test_a_sample_dropped_twice_at_once_is_dropped_once(engine: Engine) -> None:
    w = _planned(engine)

    def drop(s: Session) -> None:
        plan.drop_sample(s, actor=w["iqa"], sample_id=w["sample"])

    result = _race(engine, drop, drop)
    assert isinstance(result, Invalid) and "already dropped" in str(result), result
    with Session(engine) as s:
        dropped = s.exec(select(AuditEntry).where(AuditEntry.action == "iqa.sample.drop")).all()
    assert len(dropped) == 1


def test_a_dropped_sample_taken_back_twice_at_once_is_taken_back_once(engine: Engine) -> None:
    w = _planned(engine)
    with Session(engine) as s:
        plan.drop_sample(s, actor=w["iqa"], sample_id=w["sample"])
        s.commit()
        key = s.exec(select(Sample.decision_key).where(Sample.id == w["sample"])).one()

    def take_back(s: Session) -> None:
        plan.add_sample(s, actor=w["iqa"], cycle_id=w["cycle"], decision_key=key)

    result = _race(engine, take_back, take_back)
    assert isinstance(result, Invalid) and "already sampled" in str(result), result
    with Session(engine) as s:
        added = s.exec(select(AuditEntry).where(AuditEntry.action == "iqa.sample.add")).all()
    assert len(added) == 1


def test_a_standard_signed_off_while_its_evidence_is_submitted_again_is_refused(
    engine: Engine,
) -> None:
    w = _ready_to_sign(engine)

    def resubmit(s: Session) -> None:
        evidence.update(
            s,
            actor=w["learner"],
            evidence_id=w["item"],
            expected_version=1,
            draft=evidence.Draft(
                kind="reflective_account", title="T", activity_date=date.today(), body="again"
            ),
        )
        evidence.submit(s, actor=w["learner"], evidence_id=w["item"], declaration=True)

    result = _race(engine, resubmit, _sign(w))
    assert isinstance(result, Conflict | Invalid), result
    assert _signed_and_claim(engine, w) == (0, "claimed")


def _take_se03_off(engine: Engine, w: dict[str, Any]) -> Callable[[Session], None]:
    with Session(engine) as s:
        admin = actor_of(_person(s, "admin", "Ada"))
        s.commit()
    return lambda s: registrations.update_allocation(
        s, actor=admin, registration_id=w["registration"], assessor_id=w["assessor"].id,
        iqa_id=None, standard_codes=["SE01"],
    )  # fmt: skip


def _on_registration(engine: Engine, w: dict[str, Any]) -> tuple[int, list[str]]:
    """How many sign-offs stand, and the codes of the registration's standards."""
    with Session(engine) as s:
        signed = len(s.exec(select(SignOff).where(SignOff.status == "signed")).all())
        return signed, sorted(registrations.registration_codes(s, w["registration"]))


def test_a_standard_taken_off_a_registration_while_it_is_signed_off_stays(engine: Engine) -> None:
    w = _ready_to_sign(engine, codes=("SE01", "SE03"))
    result = _race(engine, _sign(w), _take_se03_off(engine, w))
    assert isinstance(result, Invalid) and "signed off" in str(result), result
    assert _on_registration(engine, w) == (1, ["SE01", "SE03"])


def test_a_standard_signed_off_while_it_is_taken_off_the_registration_is_refused(
    engine: Engine,
) -> None:
    w = _ready_to_sign(engine, codes=("SE01", "SE03"))
    result = _race(engine, _take_se03_off(engine, w), _sign(w))
    assert isinstance(result, Conflict | NotFound), result
    assert _on_registration(engine, w) == (0, ["SE01"])


def test_a_sample_reviewed_while_it_is_dropped_is_refused(engine: Engine) -> None:
    w = _planned(engine)

    def drop(s: Session) -> None:
        plan.drop_sample(s, actor=w["iqa"], sample_id=w["sample"])

    result = _race(engine, drop, _review(w))
    assert isinstance(result, Invalid) and "dropped" in str(result), result
    with Session(engine) as s:
        assert s.exec(select(SampleReview)).all() == []


def test_a_summary_stored_while_a_claim_is_referred_is_right_or_not_there(engine: Engine) -> None:
    w = _ready_to_sign(engine)
    with Session(engine) as s:
        summaries.save(s, [w["registration"]], date.today())
        s.commit()
    result = _race(
        engine, _refer(w), lambda s: summaries.save(s, [w["registration"]], date.today())
    )
    assert result == "ok", result
    with Session(engine) as s:
        stored = s.get(RegistrationSummary, w["registration"])
        now = summaries.work_out(s, [w["registration"]], date.today())[w["registration"]]
    assert stored is None or (stored.met, stored.total, stored.awaiting) == (
        now.met, now.total, now.awaiting,
    ), (stored, now)  # fmt: skip


def _store_summary(w: dict[str, Any]) -> Callable[[Session], None]:
    return lambda s: summaries.save(s, [w["registration"]], date.today())


def _refer_all(w: dict[str, Any]) -> Callable[[Session], None]:
    def refer(s: Session) -> None:
        found = s.exec(select(Claim).where(Claim.evidence_id == w["item"])).all()
        choices = [
            claims.DecisionChoice(c.id or 0, c.revision, "referred", "O", "Show it.") for c in found
        ]
        claims.decide_many(s, actor=w["assessor"], evidence_id=w["item"], choices=choices)

    return refer


def _summary_is_right(engine: Engine, w: dict[str, Any]) -> bool:
    with Session(engine) as s:
        stored = s.get(RegistrationSummary, w["registration"])
        now = summaries.work_out(s, [w["registration"]], date.today())[w["registration"]]
    return stored is None or (stored.met, stored.awaiting) == (now.met, now.awaiting)


@pytest.mark.parametrize("summary_first", [False, True])
def test_a_summary_stored_while_an_item_is_decided_never_deadlocks(
    engine: Engine, summary_first: bool
) -> None:
    w = _ready_to_sign(engine)
    first, second = _refer_all(w), _store_summary(w)
    result = _race(engine, second, first) if summary_first else _race(engine, first, second)
    assert result == "ok", result
    assert _summary_is_right(engine, w)
    with Session(engine) as s:
        statuses = set(s.exec(select(Claim.status).where(Claim.evidence_id == w["item"])).all())
    assert statuses == {"referred"}


PDF = b"%PDF-1.4\n% the same menu, uploaded twice\n"


def _attach(w: dict[str, Any], store: FileStore, item: int) -> Callable[[Session], None]:
    return lambda s: evidence.attach(
        s, actor=w["learner"], store=store, evidence_id=item, filename="menu.pdf",
        stream=io.BytesIO(PDF), max_bytes=1 << 20,
    )  # fmt: skip


@pytest.mark.parametrize("erasing_first", [False, True])
def test_a_file_uploaded_again_while_its_item_is_erased_stays_in_the_store(
    engine: Engine, tmp_path: Path, erasing_first: bool
) -> None:
    w, store = _draft(engine), FileStore(tmp_path / "files")
    with Session(engine) as s:  # the item to erase holds the file
        _attach(w, store, w["item"])(s)
        s.commit()
        other = evidence.create(
            s, actor=w["learner"], learner_id=w["learner"].id,
            draft=evidence.Draft(kind="product", title="Menu", activity_date=date.today(), body="b"),
        )  # fmt: skip
        s.commit()
        sha, other_id = s.exec(select(Attachment.sha256)).one(), other.id or 0

    def erase(s: Session) -> None:
        erasure.erase_items(
            s, actor=SYSTEM, evidence_ids=[w["item"]], reason="request", store=store
        )

    upload = _attach(w, store, other_id)
    assert (_race(engine, erase, upload) if erasing_first else _race(engine, upload, erase)) == "ok"
    with Session(engine) as s:
        held = s.exec(select(Attachment).where(col(Attachment.erased_at).is_(None))).all()
    assert [a.sha256 for a in held] == [sha]
    assert store.exists(sha)  # the new attachment's file was not deleted under it


class _SlowToDelete(FileStore):
    """A folder store whose deletions wait (at most 10 s) until an upload has found the content
    stored already: a failed upload's clean-up then runs after the upload that waited for it."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.found_stored = threading.Event()

    def put(self, stream: Any, *, max_bytes: int, name: str = "") -> Any:
        stored = super().put(stream, max_bytes=max_bytes, name=name)
        if not stored.created:
            self.found_stored.set()
        return stored

    def delete(self, name: str) -> None:
        self.found_stored.wait(10)
        super().delete(name)


def test_a_file_uploaded_again_while_the_same_upload_fails_stays_in_the_store(
    engine: Engine, tmp_path: Path
) -> None:
    w, store = _draft(engine), _SlowToDelete(tmp_path / "files")
    with Session(engine) as s:
        other = evidence.create(
            s, actor=w["learner"], learner_id=w["learner"].id,
            draft=evidence.Draft(kind="product", title="Menu", activity_date=date.today(), body="b"),
        )  # fmt: skip
        s.commit()
        other_id = other.id or 0
    # the first stores the file, the second waits for its content; the first rolls back
    failing, waiting = _attach(w, store, w["item"]), _attach(w, store, other_id)
    assert _race(engine, failing, waiting, first_fails=True) == "ok"
    with Session(engine) as s:
        held = s.exec(select(Attachment)).all()
    assert len(held) == 1  # the second upload's
    assert store.exists(held[0].sha256)  # the second upload's file was not deleted under it


class _TellsDeletes(FileStore):
    """A folder store that says when it deleted a file."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.deleted = threading.Event()

    def delete(self, name: str) -> None:
        super().delete(name)
        self.deleted.set()


def test_a_file_a_bundle_brings_while_its_other_item_is_erased_stays_in_the_store(
    engine: Engine, tmp_path: Path
) -> None:
    """The store already holds the bundle's file, for an item being erased: the import refers to
    that file rather than storing it again, so it holds the content as an upload does, and the
    erasure's clean-up sees the import's attachment before it deletes the file."""
    with zipfile.ZipFile(OLD_BUNDLE) as zf:
        (member,) = [n for n in zf.namelist() if n.startswith("attachments/")]
        content = zf.read(member)
    w, store = _draft(engine), _TellsDeletes(tmp_path / "files")
    with Session(engine) as s:  # the bundle's learner is known here: the import writes no one
        people.create_person(s, actor=SYSTEM, name="Lee Learner", roles="learner",
                             email="learner1-c68e4b@test.example", password=None)  # fmt: skip
        evidence.attach(
            s, actor=w["learner"], store=store, evidence_id=w["item"], filename="notes.txt",
            stream=io.BytesIO(content), max_bytes=1 << 20,
        )  # fmt: skip
        s.commit()
        sha = s.exec(select(Attachment.sha256)).one()

    def erase(s: Session) -> None:
        erasure.erase_items(
            s, actor=SYSTEM, evidence_ids=[w["item"]], reason="request", store=store
        )

    def bring(s: Session) -> None:
        import_bundle(s, store, OLD_BUNDLE, SYSTEM)
        # the import commits only once the erasure's clean-up has deleted the file, or could not
        # (it waits for the content this import holds): the order that lost the file
        store.deleted.wait(3)

    assert _race(engine, erase, bring) == "ok"
    with Session(engine) as s:
        held = s.exec(select(Attachment).where(col(Attachment.erased_at).is_(None))).all()
    assert [a.sha256 for a in held] == [sha]
    assert store.exists(sha)  # the imported attachment's file was not deleted under it


def _resubmit_all(w: dict[str, Any]) -> Callable[[Session], None]:
    """The learner submits a new version: the accepted claims await a decision again."""

    def resubmit(s: Session) -> None:
        evidence.update(
            s,
            actor=w["learner"],
            evidence_id=w["item"],
            expected_version=1,
            draft=evidence.Draft(
                kind="reflective_account", title="T", activity_date=date.today(), body="again"
            ),
        )
        evidence.submit(s, actor=w["learner"], evidence_id=w["item"], declaration=True)

    return resubmit


def _map_one_more(w: dict[str, Any]) -> Callable[[Session], None]:
    """The learner maps the submitted item to one more criterion (a claim awaiting a decision)."""

    def remap(s: Session) -> None:
        mapped = s.exec(select(Claim.criterion_id).where(Claim.evidence_id == w["item"])).all()
        more = next(c.criterion_id for c in w["others"] if c.criterion_id not in mapped)
        claims.set_claims(
            s, actor=w["learner"], evidence_id=w["item"], criterion_ids=[*mapped, more]
        )

    return remap


def _performance(criteria: list[Any]) -> set[int]:
    return {c.criterion_id for c in criteria if c.kind == "performance"}


@pytest.mark.parametrize("summary_first", [False, True])
@pytest.mark.parametrize("write", [_resubmit_all, _map_one_more])
def test_a_summary_stored_while_the_learner_writes_is_right_or_not_there(
    engine: Engine, summary_first: bool, write: Callable[[dict[str, Any]], Any]
) -> None:
    w = _world(engine, ["SE01", "SE03"])
    w["others"] = [c for c in w["criteria"] if c.standard_code != "SE03"]
    with Session(engine) as s:  # SE03's criteria claimed by the item and accepted
        se03 = [c for c in w["criteria"] if c.standard_code == "SE03"]
        claims.set_claims(
            s,
            actor=w["learner"],
            evidence_id=w["item"],
            criterion_ids=[c.criterion_id for c in se03],
        )
        for claim in s.exec(select(Claim).where(Claim.evidence_id == w["item"])).all():
            claims.decide(
                s, actor=w["assessor"], claim_id=claim.id or 0, expected_revision=claim.revision,
                decision="accepted", method="O" if claim.criterion_id in _performance(se03) else "PD",
            )  # fmt: skip
        s.commit()
        [w["registration"]] = registrations_of_learner(s, w["learner"].id)
    with Session(engine) as s:
        before = summaries.work_out(s, [w["registration"]], date.today())[w["registration"]]
    first, second = write(w), _store_summary(w)
    result = _race(engine, second, first) if summary_first else _race(engine, first, second)
    assert result == "ok", result
    with Session(engine) as s:
        stored = s.get(RegistrationSummary, w["registration"])
        now = summaries.work_out(s, [w["registration"]], date.today())[w["registration"]]
    assert now.awaiting > before.awaiting  # the learner's write changed what the summary counts
    assert stored is None or (stored.met, stored.awaiting) == (now.met, now.awaiting), (
        stored, now,
    )  # fmt: skip
