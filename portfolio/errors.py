"""Domain errors raised by services; the web layer maps them to HTTP answers."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""


class PermissionDenied(DomainError):
    """The actor may not do this (HTTP 403)."""


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


class Conflict(DomainError):
    """Someone else changed the thing first (HTTP 409)."""


class Unavailable(DomainError):
    """Something the service needs is out of order, not the request (HTTP 503): for example the
    file store's disk is full or not writable. Trying again later may work."""
