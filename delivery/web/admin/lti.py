"""Administrator page of the VLEs (LTI 1.3 platforms) whose course links open portfolios, with
the tool's addresses to enter in the VLE. Its route is on the administrator blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from delivery.web.admin.forms import PlatformForm
from delivery.web.admin.views import ADMIN, bp
from delivery.web.context import actor, db
from delivery.web.forms import errors_on
from delivery.web.handler import page
from delivery.web.lti.views import site_tool_urls
from portfolio.services import lti


@bp.route("/lti", methods=["GET", "POST"])
@page(ADMIN)
def lti_platforms() -> tuple[str, int] | Response:
    form = PlatformForm()
    if form.validate_on_submit():
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
            )
            flash(f"Registered {platform.name}: its course links now open portfolios.", "success")
            return redirect(url_for("admin.lti_platforms"))
    return render_template(
        "admin/lti.html", rows=lti.list_platforms(db()), form=form, urls=site_tool_urls()
    ), form.status
