"""Importing a portfolio bundle from a page: what ``portfolio import bundle`` does, for an
administrator, with its report in words. Route on the admin blueprint.

The upload is written to a temporary file (the importer reads a zip by its central directory),
checked in full by :func:`exports.bundle.import_bundle` before anything is written, and removed
whatever happens. Its decisions count only when the administrator ticks the box trusting the
centres whose keys are configured here (``PORTFOLIO_TRUSTED_CENTRES``) and one of them verifies
its signature.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import current_app, render_template
from flask_wtf.file import FileField
from wtforms import BooleanField, SubmitField

from delivery.web.admin.views import ADMIN, bp
from delivery.web.context import actor, db, file_store
from delivery.web.forms import PageForm, errors_on
from delivery.web.handler import page
from exports.bundle import ImportReport, import_bundle
from portfolio.errors import Invalid
from portfolio.services.keys import fingerprint, trusted_centres

NOT_A_ZIP = (
    "This file is not a .zip file: a portfolio bundle is the .zip that “Download the portfolio "
    "bundle” or `portfolio export bundle` writes. Nothing was imported."
)
_UNVERIFIED = {
    "unsigned": "The bundle is not signed",
    "untrusted": "It was signed with a key not trusted here",
    "invalid": "It does not match its signature (changed after it was signed, or damaged)",
}


class BundleImportForm(PageForm):
    file = FileField("Portfolio bundle (.zip)")
    trust = BooleanField("Trust the centres whose keys are configured here")
    upload = SubmitField("Import the bundle")


def report_lines(report: ImportReport, centres: dict[str, str]) -> list[str]:
    """The import report as the command prints it, in words: no ids of this database's rows
    beyond the registration's, no key fingerprints (the centre whose key verified it, by name).
    ``centres``: fingerprint -> the name of the trusted centre."""
    counts = ", ".join(f"{n} {what}" for what, n in report.counts.items())
    who = "a new learner" if report.learner_created else "a learner already here"
    sig = report.signature
    if sig.verified:
        centre = centres.get(sig.key or "", "a centre trusted here")
        said = f"Its signature was verified with the key of {centre}."
    else:
        said = f"Its signature was not verified: {_UNVERIFIED.get(sig.state, sig.reason)}."
    return [
        f"Imported the portfolio of {report.learner_email}, {who}: {counts}.",
        said,
        *report.message.splitlines()[2:],
    ]


@bp.route("/bundles/import", endpoint="bundle_import", methods=["GET", "POST"])
@page(ADMIN)
def bundle_import() -> tuple[str, int]:
    form = BundleImportForm()
    centres: dict[str, Ed25519PublicKey] = {}
    lines: list[str] = []
    with errors_on(form):
        centres = trusted_centres(Path(current_app.config["TRUSTED_CENTRES"]))
        if form.validate_on_submit():
            lines = _import(form, centres)
    html = render_template(
        "admin/bundle_import.html", form=form, centres=sorted(centres), lines=lines
    )
    return html, form.status


def _import(form: BundleImportForm, centres: dict[str, Ed25519PublicKey]) -> list[str]:
    """Import the uploaded bundle; the report's lines ([] when no file was chosen)."""
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors = [*form.file.errors, "Choose a .zip file of a portfolio bundle."]
        return []
    with tempfile.TemporaryDirectory(prefix="bundle-") as folder:
        path = Path(folder) / "bundle.zip"
        upload.save(path)
        if not zipfile.is_zipfile(path):
            raise Invalid(NOT_A_ZIP, field="file")
        keys = list(centres.values()) if form.trust.data else []
        report = import_bundle(db(), file_store(), path, actor(), trusted=keys)
    return report_lines(report, {fingerprint(k): name for name, k in centres.items()})
