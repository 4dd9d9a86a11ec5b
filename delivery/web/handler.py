"""The one shape of every view: log-in and role, the view, then one commit or a rollback.

Like indico's request handler (``RH.process``), ``@page(...)`` wraps every view function::

    @bp.route("/admin/people", methods=["GET", "POST"])
    @page("admin")
    def people() -> ...

- Anonymous visitors are sent to the log-in page; a person holding none of ``roles`` gets 403
  (no roles: any logged-in person). ``public=True`` lets anyone in (log-in, health check).
  Services still check what the actor may do with the thing itself.
- After an unsafe request (POST...) that answered below 400, the request's session is committed,
  here and nowhere else, before the response goes out; then what the view left for
  :func:`~delivery.web.context.after_commit` runs. On an exception or an answer of 400 or more
  (a form shown again with its errors) the session is rolled back.
- A safe request (GET, HEAD) must not write: one that flushed a change is a programming error.
  On PostgreSQL its transaction is READ ONLY (the database refuses a write) and ends with a
  commit, which keeps the connection's prepared statements (:func:`_settle`);
  elsewhere it is rolled back.
- An address (path or query string) with a NUL character is refused (400) before the view runs; forms refuse one
  in any field themselves (:class:`delivery.web.forms.PageForm`, 422).
- Writers wait their turn: an unsafe request's body is read in full first, then its transaction
  is a write transaction from its first statement (``BEGIN IMMEDIATE`` on SQLite,
  :func:`portfolio.db.writing`), and a request that
  fails on a lock (SQLite busy, a PostgreSQL serialization failure or deadlock) is run again
  whole, up to :data:`portfolio.db.ATTEMPTS` times (:func:`portfolio.db.retrying`), its uploads
  rewound and its flashed messages forgotten. What runs after the commit runs once; its failure
  is logged, never turned into an error page for work that was saved.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, redirect, request, url_for
from flask import session as cookie
from flask_login import current_user
from werkzeug.wrappers import Response

from delivery.web import context, second_step
from delivery.web.learning import relearn_after_commit
from delivery.web.mailing import send_after_commit
from portfolio.db import retrying, writing
from portfolio.storable import contains_nul, nul_message

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = context.SAFE_METHODS


def page(*roles: str, public: bool = False) -> Callable[[F], F]:
    """Mark a view as a page of the portfolio: who may open it, and its one commit."""

    def wrap(view: F) -> F:
        def attempt(*args: Any, **kwargs: Any) -> Response:
            if not public:
                refused = _refusal(roles)
                if refused is not None:
                    return refused
            try:
                response = current_app.make_response(view(*args, **kwargs))
            except BaseException:
                context.undo()
                raise
            _settle(response)
            return response

        @wraps(view)
        def handle(*args: Any, **kwargs: Any) -> Any:
            if contains_nul([request.args.to_dict(flat=False), request.view_args]):
                abort(400, nul_message("The address"))
            if request.method in SAFE_METHODS:
                return attempt(*args, **kwargs)
            # the whole body first (a slow upload arrives before its transaction holds the lock)
            request.files  # noqa: B018 - parses the form and spools the uploads
            flashes = list(cookie.get("_flashes", []))
            with writing():
                response = retrying(
                    lambda: attempt(*args, **kwargs), before_retry=lambda: _rewind(flashes)
                )
            _run_after_commit()
            return response

        setattr(handle, "page_access", "public" if public else (roles or "logged-in"))  # noqa: B010
        return handle  # type: ignore[return-value]

    return wrap


def _run_after_commit() -> None:
    """Run what the view left for after the commit, each on its own. The request's work is
    committed: a callback that fails (the mail queue or a worker not answering) is logged, and
    the user is still shown the answer to what they saved, which they would otherwise send
    again. What it was to start stays in the database: a notification left unsent is e-mailed
    by the daily ``portfolio notifications digest`` run."""
    for callback in context.pending_callbacks():
        try:
            callback()
        except Exception:
            current_app.logger.exception("after the commit of %s %s", request.method, request.path)


def _refusal(roles: tuple[str, ...]) -> Response | None:
    """The answer for someone who may not open the page; None for someone who may."""
    if not current_user.is_authenticated:
        response: Response = current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        return response
    if second_step.setup_required() and request.endpoint not in SETUP_PAGES:
        # the centre's rule: this member of staff turns two-step verification on first
        return redirect(url_for("two_step.settings"))
    if roles and not any(context.actor().has(role) for role in roles):
        abort(403)
    return None


# what a member of staff obliged to turn two-step verification on may open before they have
SETUP_PAGES = frozenset({"two_step.settings", "auth.logout"})


def _rewind(flashes: list[Any]) -> None:
    """Make the request as it was before a failed attempt: uploads unread, no new messages."""
    for upload in request.files.values():
        upload.stream.seek(0)
    if flashes:
        cookie["_flashes"] = list(flashes)
    else:
        cookie.pop("_flashes", None)


def _settle(response: Response) -> None:
    """Commit a successful unsafe request, and a safe request's READ ONLY transaction: for the
    database the same as a rollback (it wrote nothing, and could not), but psycopg forgets every
    prepared statement of its connection at a ROLLBACK, so each statement of each page would be
    parsed and planned again (half the database's CPU of a page). Roll back everything else."""
    session = context.session_if_open()
    reading = request.method in SAFE_METHODS
    if reading and not context.reads_only():
        wrote = context.wrote()
        context.undo()
        if wrote:
            raise RuntimeError(f"{request.method} {request.path} wrote to the database")
        return
    if not reading and response.status_code >= 400:
        context.undo()
        return
    if session is not None:
        try:
            if not reading:
                send_after_commit(session)  # notifications to e-mail: sent once this has committed
                relearn_after_commit(session)  # awaiting evidence: suggestions redone with it
            session.commit()
        except BaseException as exc:
            context.undo()
            if not reading or not isinstance(exc, Exception):
                raise  # a page's answer stands: what it read was read
        if reading:
            context.pending_callbacks()  # dropped, as a rollback drops them: a safe request's
