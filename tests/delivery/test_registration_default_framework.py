"""The registration form starts on the framework loaded last, the one a centre that has just
loaded its own is about to register learners on: it started on the last by code ("SE" after a
newly loaded "CARE"), so the administrator had to notice and change it for every learner."""

from __future__ import annotations

import re
from dataclasses import replace

from portfolio.services.frameworks import import_framework, load_spec
from portfolio.services.people import SYSTEM


def _chosen(html: str) -> str:
    found = re.search(
        r'name="framework_id"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="framework_id"', html
    )
    assert found, "no framework chosen"
    return found.group(1) or found.group(2)


def test_the_form_starts_on_the_framework_loaded_last(client, auth, session, sample_framework):
    auth.login("admin")
    assert _chosen(client.get("/admin/registrations").get_data(as_text=True)) == str(
        sample_framework.id
    )
    spec = load_spec(session, sample_framework.id)
    care = import_framework(session, actor=SYSTEM, spec=replace(spec, code="CARE", title="Care"))
    session.commit()
    page = client.get("/admin/registrations").get_data(as_text=True)
    assert _chosen(page) == str(care.framework_id)
    # another is still chosen by its link
    page = client.get(f"/admin/registrations?framework={sample_framework.id}").get_data(
        as_text=True
    )
    assert _chosen(page) == str(sample_framework.id)
