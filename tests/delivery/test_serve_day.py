"""``portfolio serve`` reads "today" in the centre's time zone: the pages' plan due dates and
overdue, break dates, the caseload's summaries and the nightly thread take ``date.today()``,
the process's clock, which the server sets to ``PORTFOLIO_TIME_ZONE`` as the scheduler does."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def test_the_server_says_today_in_the_centres_time_zone(cli, monkeypatch) -> None:
    """At any moment it is a different day at UTC+14 than at UTC-11: the server's "today" is
    the centre's whichever of them it is, not the machine's (UTC on most servers, which in
    London is yesterday from 00:00 to 01:00 in British Summer Time)."""
    import gc

    import waitress

    monkeypatch.setattr(gc, "freeze", lambda: None)
    days: list[tuple[str, date, date]] = []

    def serve(app, **_kw) -> None:
        zone = os.environ["PORTFOLIO_TIME_ZONE"]
        days.append((zone, date.today(), datetime.now(ZoneInfo(zone)).date()))

    monkeypatch.setattr(waitress, "serve", serve)
    # serve sets PORTFOLIO_BASE_URL to its own address in os.environ: put back after the test
    monkeypatch.setenv("PORTFOLIO_BASE_URL", "x")
    monkeypatch.delenv("PORTFOLIO_BASE_URL")
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        monkeypatch.setenv("PORTFOLIO_TIME_ZONE", zone)
        result = cli("serve", "--port", "5127")
        assert result.exit_code == 0, result.output
    assert [zone for zone, _, _ in days] == ["Pacific/Kiritimati", "Pacific/Pago_Pago"]
    for zone, today, centres in days:
        assert today == centres, (zone, datetime.now(UTC))
