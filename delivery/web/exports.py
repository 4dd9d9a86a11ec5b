"""Downloads: sign-off records, a learner's bundle, cohort reports and bulk exports (jobs)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask import send_file as flask_send_file
from sqlmodel import Session
from werkzeug.wrappers import Response
from wtforms import SubmitField

from delivery.web.context import actor, after_commit, db, extension, file_store
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from delivery.web.words import centre_zone
from exports import jobs, reports
from exports.bundle import write_bundle
from exports.downloads import cohort_downloads, learner_downloads, signoff_for_download
from exports.signoff import build_signoff_docx
from exports.signoff_view import document_name, signoff_view
from portfolio.errors import Invalid
from portfolio.services.keys import ensure_key

bp = Blueprint("exports", __name__)

MIMES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


class StartForm(PageForm):
    submit = SubmitField("Export every sign-off record")


class RetryForm(PageForm):
    submit = SubmitField("Try again")


def _centre() -> str:
    return str(current_app.config.get("CENTRE_NAME") or "")


def _download(data: bytes | Path, name: str, fmt: str) -> Response:
    import io

    source = io.BytesIO(data) if isinstance(data, bytes) else data
    response = flask_send_file(
        source, mimetype=MIMES[fmt], as_attachment=True, download_name=name, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _stream(chunks: Iterator[bytes], name: str, fmt: str) -> Response:
    """A download sent as it is written: the pieces are made while the response goes out, inside
    the request (its session and log-in stay open until the last piece), so a report of any
    size is never whole in memory. Headers as :func:`_download` gives them."""
    response = Response(stream_with_context(chunks), content_type=MIMES[fmt])
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.no_cache = True
    response.cache_control.max_age = 0
    return response


@bp.route("/learners/<int:learner_id>/downloads")
@page()
def learner(learner_id: int) -> str:
    info = learner_downloads(db(), actor=actor(), learner_id=learner_id)
    return render_template("exports/learner.html", info=info)


@bp.route("/signoffs/<int:signoff_id>/record.docx")
@page()
def signoff_docx(signoff_id: int) -> Response:
    record = signoff_for_download(db(), actor=actor(), signoff_id=signoff_id)
    view = signoff_view(db(), record.id, centre=_centre(), zone=centre_zone())
    return _download(build_signoff_docx(view), document_name(view), "docx")


@bp.route("/learners/<int:learner_id>/bundle.zip")
@page()
def bundle(learner_id: int) -> Response:
    store = file_store()
    spool = tempfile.TemporaryFile(dir=current_app.instance_path)  # noqa: SIM115 - sent, then closed
    try:
        key, _ = ensure_key(Path(current_app.config["SIGNING_KEY"]))
        write_bundle(
            db(),
            store,
            learner_id,
            spool,
            centre=_centre(),
            actor=actor(),
            signing_key=key,
            zone=centre_zone(),
        )
    except BaseException:
        spool.close()  # refused or failed: nothing to send
        raise
    spool.seek(0)
    response = flask_send_file(
        spool,
        mimetype=MIMES["zip"],
        as_attachment=True,
        download_name=f"portfolio-{learner_id}-{date.today().isoformat()}.zip",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _cohort_page(cohort_id: int, form: StartForm) -> tuple[str, int]:
    info = cohort_downloads(db(), actor=actor(), cohort_id=cohort_id)
    html = render_template(
        "exports/cohort.html", info=info, form=form, today=date.today().isoformat()
    )
    return html, form.status


@bp.route("/cohorts/<int:cohort_id>/downloads")
@page()
def cohort(cohort_id: int) -> tuple[str, int]:
    return _cohort_page(cohort_id, StartForm(formdata=None))


@bp.route("/cohorts/<int:cohort_id>/coverage.csv", defaults={"fmt": "csv"})
@bp.route("/cohorts/<int:cohort_id>/coverage.xlsx", defaults={"fmt": "xlsx"})
@page()
def cohort_coverage(cohort_id: int, fmt: str) -> Response:
    report = reports.cohort_coverage_stream(
        db(), actor=actor(), cohort_id=cohort_id, zone=centre_zone()
    )
    name = f"coverage-cohort-{cohort_id}-{date.today().isoformat()}.{fmt}"
    return _stream(reports.render_chunks(report, fmt), name, fmt)


@bp.route("/exports/register.csv", defaults={"fmt": "csv"})
@bp.route("/exports/register.xlsx", defaults={"fmt": "xlsx"})
@page()
def register(fmt: str) -> Response:
    """The sign-off register; the period defaults to the last 30 days."""
    today = date.today()
    try:
        start = date.fromisoformat(
            request.args.get("from") or (today - timedelta(days=30)).isoformat()
        )
        end = date.fromisoformat(request.args.get("to") or today.isoformat())
    except ValueError:
        raise Invalid("Give the period as two dates, YYYY-MM-DD.") from None
    report = reports.signoff_register_stream(
        db(), actor=actor(), start=start, end=end, zone=centre_zone()
    )
    name = f"signoff-register-{start.isoformat()}-{end.isoformat()}.{fmt}"
    return _stream(reports.render_chunks(report, fmt), name, fmt)


def _dispatch(job_id: int) -> None:
    conf = current_app.config
    if conf.get("REDIS_URL"):
        jobs.enqueue_rq(
            conf["REDIS_URL"],
            job_id,
            database_url=conf["DATABASE_URL"],
            instance_path=current_app.instance_path,
            centre=_centre(),
            zone=centre_zone(),
        )
    elif conf.get("EXPORTS_INLINE"):  # tests: run in the request, on the request's connection
        jobs.run_job(
            extension().session_factory,
            job_id,
            instance_path=current_app.instance_path,
            centre=_centre(),
            zone=centre_zone(),
        )
    else:
        engine = extension().engine
        jobs.start_thread(
            lambda: Session(engine, expire_on_commit=False),
            job_id,
            instance_path=current_app.instance_path,
            centre=_centre(),
            zone=centre_zone(),
        )


@bp.route("/cohorts/<int:cohort_id>/signoff-records", methods=["POST"])
@page()
def bulk_start(cohort_id: int) -> tuple[str, int] | Response:
    form = StartForm()
    if form.validate_on_submit():
        with errors_on(form):
            job_id = jobs.create_cohort_job(db(), actor=actor(), cohort_id=cohort_id).id or 0
            after_commit(lambda: _dispatch(job_id))
            return redirect(url_for("exports.job", job_id=job_id))
    return _cohort_page(cohort_id, form)


def _job_page(job_id: int, form: RetryForm) -> Response:
    found = jobs.job_for(db(), actor=actor(), job_id=job_id)
    db().refresh(found)
    waiting = jobs.stuck(found)
    minutes = int(jobs.STUCK_AFTER.total_seconds() // 60) if waiting else 0
    html = render_template("exports/job.html", job=found, form=form, stuck=minutes)
    # no Refresh header: a page that reloads itself loses a screen reader's place (WCAG 2.2.1);
    # it is checked again on request, and job-status.js updates its status region in place
    return make_response(html, form.status)


@bp.route("/exports/jobs/<int:job_id>")
@page()
def job(job_id: int) -> Response:
    return _job_page(job_id, RetryForm(formdata=None))


@bp.route("/exports/jobs/<int:job_id>/retry", methods=["POST"])
@page()
def job_retry(job_id: int) -> Response:
    form = RetryForm()
    if form.validate_on_submit():
        with errors_on(form):
            jobs.retry_job(db(), actor=actor(), job_id=job_id)
            after_commit(lambda: _dispatch(job_id))
            flash("The export was queued again.", "success")
            return redirect(url_for("exports.job", job_id=job_id))
    return _job_page(job_id, form)


@bp.route("/exports/jobs/<int:job_id>/download")
@page()
def job_download(job_id: int) -> Response:
    found = jobs.job_for(db(), actor=actor(), job_id=job_id)
    path = Path(current_app.instance_path) / found.result_path
    if found.status != "done" or not path.exists():
        abort(404)
    return _download(path, f"signoff-records-job-{job_id}.zip", "zip")
