"""``portfolio notifications``: e-mail of notifications that does not wait on a request."""

from __future__ import annotations

import click

from delivery.cli.context import Context, echo_data, json_option, pass_ctx
from portfolio.services.notice_mail import MailContext, send_digests
from portfolio.words import count_words


@click.group("notifications")
def notifications_group() -> None:
    """Send the daily digests of notifications by e-mail."""


@notifications_group.command("digest")
@json_option
@pass_ctx
def digest(ctx: Context, as_json: bool) -> None:
    """Send each person one e-mail with the notifications they chose to have in a daily digest
    and that were not sent yet (and any e-mail for straight away that a job failed to send).
    Run it once a day from cron or a scheduler; running it again sends nothing twice."""
    conf = ctx.settings
    if not conf.get("MAIL_HOST"):
        raise click.ClickException("No mail server is configured (PORTFOLIO_MAIL_HOST).")
    if not conf.get("BASE_URL"):
        raise click.ClickException(
            "The links in the e-mail need the site's address (PORTFOLIO_BASE_URL), which is not "
            "set: nothing was sent. Set it and run this again; the notifications wait unsent."
        )
    digests, singles = send_digests(ctx.session, MailContext.from_config(conf))
    echo_data(
        {"digests": digests, "single": singles},
        as_json=as_json,
        lines=lambda d: [
            f"{count_words(d['digests'], 'digest')} and "
            f"{count_words(d['single'], 'single e-mail')} sent."
        ],
    )
