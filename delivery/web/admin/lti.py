"""Administrator page of the VLEs (LTI 1.3 platforms) whose course links open portfolios, with
the tool's addresses to enter in the VLE. Its route is on the administrator blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from delivery.web.admin.forms import PlatformForm, PlatformLinkForm, PlatformRemoveForm
from delivery.web.admin.views import ADMIN, bp
from delivery.web.context import actor, db
from delivery.web.forms import errors_on, options, status_of
from delivery.web.handler import page
from delivery.web.lti.views import site_tool_urls
from portfolio.services import lti


@bp.route("/lti", methods=["GET", "POST"])
@page(ADMIN)
def lti_platforms() -> tuple[str, int] | Response:
    form = PlatformForm()
    rows = lti.list_platforms(db())
    remove = PlatformRemoveForm(prefix="rm")
    remove.platform.choices = options((p.id, f"{p.name} ({p.issuer})") for p in rows)
    link = PlatformLinkForm(prefix="ln")
    link.platform.choices = remove.platform.choices
    if form.add.data and form.validate_on_submit():
        with errors_on(form):
            platform = lti.add_platform(
                db(),
                actor=actor(),
                name=form.name.data or "",
                issuer=form.issuer.data or "",
                client_id=form.client_id.data or "",
                deployment_ids=(form.deployment_ids.data or "").split(),
                auth_login_url=form.auth_login_url.data or "",
                token_url=form.token_url.data or "",
                jwks_url=form.jwks_url.data or "",
                email_links=form.email_links.data or "",
            )
            flash(f"Registered {platform.name}: its course links now open portfolios.", "success")
            return redirect(url_for("admin.lti_platforms"))
    if remove.remove.data and remove.validate_on_submit():
        with errors_on(remove):
            gone = lti.remove_platform(db(), actor=actor(), platform_id=remove.platform.data or 0)
            flash(f"Removed {gone.name}: its course links no longer open portfolios.", "success")
            return redirect(url_for("admin.lti_platforms"))
    if link.link.data and link.validate_on_submit():
        with errors_on(link):
            person = lti.link_subject_by_email(
                db(),
                actor=actor(),
                email=link.email.data or "",
                platform_id=link.platform.data or 0,
                subject=link.subject.data or "",
            )
            flash(
                f"Linked: {person.name}'s launches from this VLE now open their account.", "success"
            )
            return redirect(url_for("admin.lti_platforms"))
    return render_template(
        "admin/lti.html", rows=rows, form=form, remove=remove, link=link, urls=site_tool_urls()
    ), status_of(form, remove, link)
