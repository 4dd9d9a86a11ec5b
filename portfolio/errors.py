"""Domain errors raised by services; the web layer maps them to HTTP answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    def said_in(self, zone: ZoneInfo) -> str:
        """The refusal as a person is told it where the centre is in ``zone`` (the answering
        app's ``TIME_ZONE``): its words, unless they say a day (:class:`AccessEnded`)."""
        return str(self)


class PermissionDenied(DomainError):
    """The actor may not do this (HTTP 403)."""


class AccessEnded(PermissionDenied):
    """Access that has ended (an EQA's grant), refused in words that say the day it ended: a day
    in the centre's time zone, which is the answering app's setting, read when it answers. So
    the words are made when the refusal is told, by ``words(zone)`` with the zone the page's or
    the API's handler gives (:meth:`said_in`); ``str()`` says them in UTC, for whoever tells
    it with no centre's zone (nothing does today)."""

    def __init__(self, words: Callable[[ZoneInfo], str]) -> None:
        super().__init__(words(ZoneInfo("UTC")))
        self.words = words

    def said_in(self, zone: ZoneInfo) -> str:
        return self.words(zone)


class NotFound(DomainError):
    """No such thing, or not visible to the actor (HTTP 404)."""


class Invalid(DomainError):
    """The request is well-formed but breaks a rule (HTTP 400/422).

    ``field`` names the input the rule is about (``Invalid("...", field="title")``), so a form
    shows the message beside that input; without it the message is about the request as a whole.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NoSuch(Invalid):
    """No ``what`` has the id ``ident`` (a tampered or stale form, a program's mistake): pages say
    "There is no such {what}." (beside ``field``), never the id, which no one typed there;
    ``ident`` is kept for the command line, where the operator typed it and :attr:`by_id` says
    it. ``then`` ends both sentences ("; nothing was moved").

    ``ident`` may be several ids (a list of ticked learners, some of them gone): then pages say
    "There are no such {many}." (``many``: the plural, ``what`` + "s" unless given) and
    :attr:`by_id` names every one of them (:attr:`idents`), not the first alone."""

    def __init__(
        self,
        what: str,
        ident: int | Sequence[int],
        *,
        field: str | None = None,
        then: str = "",
        many: str | None = None,
    ) -> None:
        idents = (ident,) if isinstance(ident, int) else tuple(ident)
        if not idents:
            raise ValueError("NoSuch needs at least one id")
        self.what = what
        self.many = many or f"{what}s"
        self.idents = idents
        self.ident = idents[0]
        self.then = then
        several = f"There are no such {self.many}" if len(idents) > 1 else None
        super().__init__(f"{several or f'There is no such {what}'}{then}.", field=field)

    @property
    def by_id(self) -> str:
        """The refusal naming the id (every id), for the command line."""
        if len(self.idents) == 1:
            return f"There is no {self.what} with id {self.ident}{self.then}."
        *first, last = (str(i) for i in self.idents)
        return f"There are no {self.many} with ids {', '.join(first)} and {last}{self.then}."


class Conflict(DomainError):
    """Someone else changed the thing first (HTTP 409)."""


class Unavailable(DomainError):
    """Something the service needs is out of order, not the request (HTTP 503): for example the
    file store's disk is full or not writable. Trying again later may work."""
