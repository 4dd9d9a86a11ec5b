"""The Flask application factory. Importing this module has no side effects."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from delivery.schedule import start_nightly_thread
from delivery.web import api, limits, observe, register
from delivery.web.context import PortfolioExtension
from delivery.web.cookies import RememberingSessions, host_only_cookies, remember_form_tokens
from delivery.web.coverage.chart_data import DecisionCounts, start_warming_counts
from delivery.web.ids import IdConverter
from delivery.web.lti import views as lti
from delivery.wiring import configure, wire
from mappings.assessment.suggestions import start_warming
from portfolio import config as settings
from portfolio.db import make_engine
from portfolio.services import notice_mail
from portfolio.services.stores import is_remote

csrf = CSRFProtect()
log = logging.getLogger(__name__)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    wire()
    conf = settings.from_env()
    conf.update(config or {})
    conf = settings.finish(conf)
    configure(conf)
    app = Flask(__name__, instance_path=conf["INSTANCE_PATH"], instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter  # ids within what the databases hold
    app.config.update(conf)
    app.config.setdefault("TESTING", False)
    app.config["SECRET_KEY"] = conf["SECRET_KEY"]
    app.config["MAX_CONTENT_LENGTH"] = int(conf["MAX_UPLOAD_MB"]) * 1024 * 1024 + 64 * 1024
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = conf["ENV"] == "production"
    app.config["REMEMBER_COOKIE_SECURE"] = conf["ENV"] == "production"
    if conf["ENV"] == "production":  # https only: cookies no sibling subdomain can set
        app.config.update(host_only_cookies())
    app.config["WTF_CSRF_TIME_LIMIT"] = None
    app.session_interface = RememberingSessions()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not is_remote(conf["FILE_STORE"]):
        Path(conf["FILE_STORE"]).mkdir(parents=True, exist_ok=True)

    engine = conf.get("ENGINE") or make_engine(conf["DATABASE_URL"])
    extension = PortfolioExtension(engine)
    extension.init_app(app)
    if conf.get("WARM_SUGGESTIONS") and not app.config["TESTING"]:
        # the engines pages' suggestions need, built with past decisions before anyone asks
        start_warming(extension.session_factory)
    counts: DecisionCounts = app.extensions.setdefault("portfolio.decision_counts", {})
    if not app.config["TESTING"]:
        # the assessors' decisions by month over the year, for their caseloads' chart, counted
        # once before anyone asks (tests count them on the first visit)
        app.extensions["portfolio.decision_counts.warm"] = start_warming_counts(
            extension.session_factory, counts, zone=ZoneInfo(conf["TIME_ZONE"])
        )
    if not conf.get("REDIS_URL") and not app.config["TESTING"]:
        # the embedded default's nightly job: today's summaries stored after midnight, so the
        # day's first caseload folds no one (with Redis, `portfolio schedule` queues it)
        start_nightly_thread(extension.session_factory, zone=ZoneInfo(conf["TIME_ZONE"]))
    csrf.init_app(app)
    remember_form_tokens(app)  # after csrf.init_app, whose csrf_token() it stands in for
    # the VLE posts the LTI log-in and launch from its own site: the signed id_token, the state
    # cookie and the one-time nonce protect them instead of a form token
    csrf.exempt(lti.bp)
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = "Please log in to see that page."
    register(app, login)
    api.init_app(app, csrf)  # the JSON API under /api/v1 (its own blueprints, no cookies)
    limits.init_app(app)  # after the views it limits are registered
    observe.init_app(app, observe.job_counts(extension, conf.get("REDIS_URL")))
    notice_mail.warn_without_site(conf)  # once as it starts (logging set up), saying what to set
    if settings.site_unaddressed(conf):  # badges would name whichever address a request came on
        log.warning(settings.SITE_UNADDRESSED)
    return app
