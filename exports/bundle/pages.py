"""The HTML pages of a portable portfolio bundle: browsable offline, no scripts, no network.

Pages are rendered with Jinja autoescaping; evidence text goes through the application's one
Markdown renderer (raw HTML off), the only source of markup from user text. They show the
manifest's records and the learner's coverage in words (days as "6 Dec 2026", files by their
type, no ids or hashes); ``manifest.json`` keeps the machine values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import DictLoader, Environment, select_autoescape

from exports.bundle.manifest import EvidenceRecord, Manifest, SignOffRecord, VersionRecord
from mappings.assessment.counts import shown_counts
from mappings.assessment.standing import Standing
from portfolio.markdown import render_markdown
from portfolio.services.registration_standards import CENTRE
from portfolio.words import day_words, file_type, kind_words, local, moment_words, size_words

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#1b1b1b}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
.muted{color:#555}.version{border-top:2px solid #ccc;margin-top:1.5rem}
"""

_BASE = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title><style>{{ style }}</style></head>
<body>{% block body %}{% endblock %}
<p class="muted">Exported {{ generated_at }} from {{ centre }}.</p></body></html>
"""

_INDEX = """{% extends "base.html" %}
{% block title %}Portfolio of {{ learner.name }}{% endblock %}
{% block body %}
<h1>Portfolio of {{ learner.name }}</h1>
<p>{{ learner.email }}. The file <code>manifest.json</code> holds the same records for a
computer to read, with a fingerprint (SHA-256) of every file of this bundle.</p>
<h2>Standards</h2>
{% for reg in registrations %}
<table>
<caption>{{ reg.framework }}: {{ reg.period }}</caption>
<thead><tr><th scope="col">Standard</th><th scope="col">Title</th><th scope="col">Met</th>
<th scope="col">Awaiting</th><th scope="col">Referred</th>
<th scope="col">Accepted, not counting</th><th scope="col">Missing</th>
<th scope="col">Signed off</th></tr></thead>
<tbody>
{% for s in reg.standards %}
<tr><th scope="row">{{ s.code }}</th><td>{{ s.title }}</td><td>{{ s.met }} of {{ s.total }}</td>
<td>{{ s.awaiting }}</td><td>{{ s.referred }}</td><td>{{ s.not_counting }}</td>
<td>{{ s.missing }}</td>
<td>{% if s.document %}<a href="{{ s.document }}">{{ s.signed_on }}</a>{% endif %}</td></tr>
{% endfor %}
</tbody></table>
{% endfor %}
<h2>Evidence</h2>
{% if evidence %}
<table>
<thead><tr><th scope="col">Title</th><th scope="col">Kind</th><th scope="col">Date of activity</th>
<th scope="col">Status</th><th scope="col">Versions</th><th scope="col">Files</th></tr></thead>
<tbody>
{% for e in evidence %}
<tr><td><a href="{{ e.page }}">{{ e.title }}</a></td><td>{{ e.kind }}</td>
<td>{{ e.activity_date }}</td><td>{{ e.status }}</td><td>{{ e.versions }}</td>
<td>{{ e.files }}</td></tr>
{% endfor %}
</tbody></table>
{% else %}<p>No evidence.</p>{% endif %}
<h2>Sign-offs</h2>
{% if signoffs %}
<table>
<thead><tr><th scope="col">Standard</th><th scope="col">Record</th><th scope="col">Assessor</th>
<th scope="col">Signed</th><th scope="col">Status</th></tr></thead>
<tbody>
{% for s in signoffs %}
<tr><th scope="row">{{ s.standard }}</th>
<td><a href="{{ s.document }}">Sign-off record</a> (reference {{ s.document_id }})</td>
<td>{{ s.assessor }}</td><td>{{ s.signed_at }}</td><td>{{ s.status }}</td></tr>
{% endfor %}
</tbody></table>
{% else %}<p>No standard is signed off yet.</p>{% endif %}
{% endblock %}
"""

_EVIDENCE = """{% extends "base.html" %}
{% block title %}{{ e.title }}{% endblock %}
{% block body %}
<p><a href="../index.html">Back to the portfolio</a></p>
<h1>{{ e.title }}</h1>
<p>{{ e.kind }}, activity on {{ e.activity_date }}; {{ e.status }}, version {{ e.current_version }}.</p>
{% if e.claims %}
<h2>Criteria claimed</h2>
<ul>{% for c in e.claims %}<li>{{ c }}</li>{% endfor %}</ul>
{% endif %}
{% for v in e.versions %}
<section class="version">
<h2>Version {{ v.number }}: {{ v.title }}</h2>
<p class="muted">Activity on {{ v.activity_date }}.
{% if v.recorded_by %}{% set r = v.recorded_by %}Recorded at {{ r.centre or "the centre that sent it" }} by {{ r.name }}{% if r.email %} &lt;{{ r.email }}&gt;{% endif %}, as the bundle it came in states: not the learner's own writing.
{% if v.declared_at %}Submitted {{ v.declared_at }}.{% else %}Not submitted.{% endif %}
{% elif v.declared_at %}Declared the learner's own work {{ v.declared_at }}.{% else %}Not submitted.{% endif %}
</p>
{% if v.fields %}<dl>{% for k, val in v.fields %}<dt>{{ k }}</dt><dd>{{ val }}</dd>{% endfor %}</dl>{% endif %}
<div>{{ v.body | markdown }}</div>
{% if v.attachments %}
<h3>Files</h3>
<ul>{% for a in v.attachments %}
<li><a href="../{{ a.path }}">{{ a.filename }}</a> ({{ a.mime }}, {{ a.size }})</li>
{% endfor %}</ul>
{% endif %}
</section>
{% endfor %}
{% endblock %}
"""

_env = Environment(
    loader=DictLoader({"base.html": _BASE, "index.html": _INDEX, "evidence.html": _EVIDENCE}),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
_env.filters["markdown"] = render_markdown


def _render(name: str, **context: Any) -> bytes:
    return _env.get_template(name).render(style=_STYLE, **context).encode("utf-8")


def _moment(value: datetime, zone: ZoneInfo) -> str:
    """ "7 Dec 2026, 00:13 GMT": a time as the sign-off record gives it, on the centre's clock
    (``zone``) and named by its zone."""
    return f"{moment_words(value, zone)} {local(value, zone):%Z}"


def _foot(when: datetime, centre: str, zone: ZoneInfo) -> dict[str, str]:
    return {"generated_at": _moment(when, zone), "centre": centre}


def _version(v: VersionRecord, zone: ZoneInfo) -> dict[str, Any]:
    """One version as the page says it: days in words, files by their type and size."""
    return {
        "number": v.number,
        "title": v.title,
        "activity_date": day_words(v.activity_date),
        "recorded_by": v.recorded_by,
        "declared_at": _moment(v.declared_at, zone) if v.declared_at else "",
        "fields": [(k.replace("_", " ").title(), val) for k, val in v.fields.items()],
        "body": v.body,
        "attachments": [
            {
                "path": a.path,
                "filename": a.filename,
                "mime": file_type(a.mime),
                "size": size_words(a.size),
            }
            for a in v.attachments
        ],
    }


def evidence_html(
    item: EvidenceRecord,
    claims: list[str],
    *,
    when: datetime,
    centre: str,
    zone: ZoneInfo = CENTRE,
) -> bytes:
    """The page of one evidence item: every version, newest first, with its files; its times on
    the centre's clock (``zone``)."""
    page = {
        "title": item.title,
        "kind": kind_words(item.kind),
        "activity_date": day_words(item.activity_date),
        "status": item.status,
        "current_version": item.current_version,
        "claims": claims,
        "versions": [_version(v, zone) for v in reversed(item.versions)],
    }
    return _render("evidence.html", e=page, **_foot(when, centre, zone))


# where an item and a sign-off stand, as the app's pages say it (the manifest keeps the codes)
EVIDENCE_STATUS = {"draft": "Draft", "submitted": "Submitted"}
SIGNOFF_STATUS = {"signed": "Signed off", "reopened": "Reopened"}


def index_html(
    manifest: Manifest,
    standings: Sequence[Standing],
    *,
    when: datetime,
    centre: str,
    zone: ZoneInfo = CENTRE,
) -> bytes:
    """The portfolio's front page: standards with coverage, evidence, sign-offs. The day each
    standard was signed off, and the times, are the centre's (``zone``, its ``TIME_ZONE``), as
    the sign-off records give them."""
    names = {p.email: p.name for p in manifest.people}
    signed = {(s.registration_id, s.standard): s for s in manifest.signoffs if s.status == "signed"}
    return _render(
        "index.html",
        learner=manifest.learner,
        registrations=[_coverage(standing, signed, zone) for standing in standings],
        evidence=[
            {
                "page": e.page,
                "title": e.title,
                "kind": kind_words(e.kind),
                "activity_date": day_words(e.activity_date),
                "status": EVIDENCE_STATUS.get(e.status, e.status),
                "versions": len(e.versions),
                "files": len(e.versions[-1].attachments) if e.versions else 0,
            }
            for e in manifest.evidence
        ],
        signoffs=[
            {
                "standard": s.standard,
                "document": s.document,
                "document_id": s.document_id,
                "assessor": names.get(s.assessor or "", ""),
                "signed_at": _moment(s.signed_at, zone),
                "status": SIGNOFF_STATUS.get(s.status, s.status),
            }
            for s in manifest.signoffs
        ],
        **_foot(when, centre, zone),
    )


def _coverage(
    standing: Standing, signed: dict[tuple[int, str], SignOffRecord], zone: ZoneInfo
) -> dict[str, Any]:
    """One registration's standards: coverage, and the record of each signed off."""
    reg = standing.registration
    rid = reg.id
    rows = []
    for cov in standing.coverage.standards:
        info = next(i for i in standing.standards if i.code == cov.standard)
        s = signed.get((rid or 0, cov.standard))
        rows.append(
            {
                "code": cov.standard,
                "title": info.title,
                **shown_counts(cov),
                "document": s.document if s else "",
                "signed_on": day_words(local(s.signed_at, zone).date()) if s else "",
            }
        )
    return {
        "framework": f"{standing.framework.title} (version {standing.framework.version})",
        "period": f"registered from {day_words(reg.start_date)}, "
        f"planned to end {day_words(reg.planned_end)}",
        "standards": rows,
    }
