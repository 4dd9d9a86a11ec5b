"""Claims of a standard signed off (its sign-off current, not reopened) on a registration that is
not completed: nobody decides them until the standard is reopened, so nothing counts or lists
them as awaiting a decision; reopening the standard brings them back everywhere."""

from __future__ import annotations

import html
import re
from datetime import date

from delivery.web.admin.figures import centre_figures
from delivery.web.coverage import caseload
from delivery.web.home.dashboard import caseload_summary
from mappings.assessment import claims, signoff, summaries
from mappings.assessment.queue import marking_queue
from tests.conftest import actor_of
from tests.delivery.test_completed import _sign, case  # noqa: F401

TODAY = date.today()


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def _claim(session, learner, make_evidence, title: str, wanted: dict[str, int]) -> int:
    """A new item of ``learner``'s, submitted, claiming the first ``n`` criteria of each code."""
    item = make_evidence(learner, title=title)
    found = claims.claimable_criteria(session, learner.id)
    ids = [
        cid
        for code, n in wanted.items()
        for cid in [c.criterion_id for c in found if c.standard_code == code][:n]
    ]
    claims.set_claims(session, actor=actor_of(learner), evidence_id=item.id, criterion_ids=ids)
    session.commit()
    return item.id


def _frozen(session, case, make_evidence) -> tuple[int, int, int]:  # noqa: F811
    """Dora's SE01 signed off, SE03 not: an item claiming two SE01 criteria (made before the
    sign-off, never decided) and one claiming an SE01 and an SE03 criterion (made after)."""
    dora = case["learner"]
    before = _claim(session, dora, make_evidence, "Dora's earlier account", {"SE01": 2})
    signed = _sign(session, case, "SE01")
    mixed = _claim(session, dora, make_evidence, "Dora's mixed account", {"SE01": 1, "SE03": 1})
    return signed.id, before, mixed


def _counts(session, case) -> tuple[int, int, int, tuple[int, str | None]]:  # noqa: F811
    """What the queue, the caseload, the home panel and the centre's figure say is awaiting."""
    assessor = actor_of(case["assessor"])
    store = lambda ids: summaries.save(session, ids, TODAY)  # noqa: E731
    queue = marking_queue(session, actor=assessor)
    found = caseload.caseload(session, actor=assessor, store=store)
    home = caseload_summary(session, actor=assessor, role="assessor", store=store)
    figure = next(
        f for f in centre_figures(session, today=TODAY).work if f.label.startswith("Claims")
    )
    assert home.awaiting_claims == found.awaiting_claims
    return (
        queue.total,
        found.awaiting_claims,
        sum(r.awaiting for r in queue.rows),
        (figure.value, figure.hint),
    )


def test_claims_of_a_signed_off_standard_await_no_decision_until_it_is_reopened(
    session,
    client,
    auth,
    case,  # noqa: F811
    make_evidence,
) -> None:
    signed, before, mixed = _frozen(session, case, make_evidence)
    queue = marking_queue(session, actor=actor_of(case["assessor"]))
    assert [(r.title, r.awaiting, r.standards) for r in queue.rows] == [
        ("Dora's mixed account", 1, ("SE03",))
    ]
    assert _counts(session, case) == (1, 1, 1, (1, "in 1 submitted item"))
    auth.login(case["learner"])
    home = _text(client.get("/").get_data(as_text=True))
    assert "Waiting for your assessor" in home
    assert "Dora's mixed account : 1 criterion awaiting a decision" in home
    waiting = home.split("Waiting for your assessor")[1].split("My standards")[0]
    assert "Dora's earlier account" not in waiting
    page = _text(client.get(f"/evidence/{before}").get_data(as_text=True))
    assert page.count("Not decided: SE01 is signed off") == 2 and "Awaiting decision" not in page
    auth.logout()
    # the assessor is told on the item why its SE01 claims are not decided, and how to
    auth.login(case["assessor"])
    page = _text(client.get(f"/evidence/{before}").get_data(as_text=True))
    assert page.count("SE01 is signed off: reopen it to decide this claim.") == 2
    # nothing on it is theirs to decide: no decisions form, its buttons nor its instructions
    assert "Nothing here is yours to decide" in page
    assert "Record decisions" not in page and "Choose Accept or Refer" not in page
    auth.logout()
    # reopened, SE01 is judged again: its claims await a decision everywhere
    signoff.reopen(session, actor=actor_of(case["iqa"]), signoff_id=signed, reason="Recheck")
    session.commit()
    queue = marking_queue(session, actor=actor_of(case["assessor"]))
    assert [(r.title, r.awaiting, r.standards) for r in queue.rows] == [
        ("Dora's earlier account", 2, ("SE01",)),
        ("Dora's mixed account", 2, ("SE01", "SE03")),
    ]
    assert _counts(session, case) == (2, 4, 4, (4, "in 2 submitted items"))
    auth.login(case["assessor"])
    page = _text(client.get(f"/evidence/{before}").get_data(as_text=True))
    assert "is signed off" not in page and page.count("Awaiting decision") == 2
    auth.logout()
    auth.login(case["learner"])
    home = _text(client.get("/").get_data(as_text=True))
    assert "Dora's earlier account : 2 criteria awaiting a decision" in home
    assert "Dora's mixed account : 2 criteria awaiting a decision" in home
    auth.logout()


def _plan(session, statement, given: dict) -> str:
    """The database's plan of ``statement`` with these parameters, as one string."""
    bind = session.get_bind()
    compiled = statement.compile(bind)
    params = {**compiled.params, **given}
    connection = session.connection()
    if bind.dialect.name == "sqlite":
        args = tuple(params[key] for key in compiled.positiontup or ())
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", args).all()
        return " | ".join(str(row[-1]) for row in rows)
    return " | ".join(r[0] for r in connection.exec_driver_sql(f"EXPLAIN {compiled}", params))


def test_whether_a_claims_standard_is_signed_off_is_one_registrations_lookup(
    session,
    case,  # noqa: F811
) -> None:
    """The queue, its count and the learner's waiting items ask of each claim whether its
    registration's standard is signed off: by the index on (registration, standard), a few rows
    of one learner's, never every sign-off of the standard (all its learners')."""
    from delivery.web.home.next_steps import _AWAITING
    from mappings.assessment.queue import _QUEUE

    if session.get_bind().dialect.name == "postgresql":
        # a standard signed off for 2,000 learners, each once: what the planner weighs
        session.connection().exec_driver_sql("SET LOCAL session_replication_role = replica")
        session.connection().exec_driver_sql(
            "INSERT INTO signoff (registration_id, standard_id, assessor_id, document_id, summary,"
            " feedback, learner_declared_at, assessor_declared_at, learner_wording,"
            " assessor_wording, signed_at, evidence_set_sha256, status, reopen_reason)"
            " SELECT 100000 + i, 1, 1, 'plan-' || i, '', '', now(), now(), '', '', now(), 'x',"
            " 'signed', '' FROM generate_series(1, 2000) i"
        )
        session.connection().exec_driver_sql("ANALYZE signoff")
    assessor, learner = case["assessor"].id, case["learner"].id
    count, rows = _QUEUE[False]
    for statement, given in (
        (count, {"assessor_id": assessor}),
        (rows, {"assessor_id": assessor, "limit": 50, "offset": 0}),
        (_AWAITING, {"learner_id": learner}),
    ):
        said = _plan(session, statement, given)
        assert "ix_signoff_registration_standard" in said, said
        assert "ix_signoff_standard_id" not in said, said
