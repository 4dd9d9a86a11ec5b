"""Costs must not grow with history. The administrator's "Erase this person's personal
data" page only counts what would go; its SQL statements should not grow with the number of
the learner's evidence items."""

from __future__ import annotations


def _statements(client, count_queries, person_id: int) -> int:
    with count_queries() as q:
        r = client.get(f"/admin/people/{person_id}/erase")
    assert r.status_code == 200, r.status_code
    return q.count


def test_the_erase_preview_reads_in_a_fixed_number_of_statements(
    client, auth, make_person, make_registration, make_evidence, count_queries
) -> None:
    learner = make_person("learner")
    make_registration(learner=learner, codes="SE01")
    make_evidence(learner, title="Item 0")
    auth.login("admin")
    few = _statements(client, count_queries, learner.id)
    for i in range(1, 9):
        make_evidence(learner, title=f"Item {i}")
    many = _statements(client, count_queries, learner.id)
    assert many == few, f"1 item: {few} statements; 9 items: {many}"
