"""Domain errors raised by services; the web layer maps them to HTTP answers."""


class DomainError(Exception):
    """Base of every error a service raises on purpose."""


class PermissionDenied(DomainError):
    """The actor may not do this (HTTP 403)."""


class NotFound(DomainError):
    """No such thing, or not visible to the actor (HTTP 404)."""


class Invalid(DomainError):
    """The request is well-formed but breaks a rule (HTTP 400/422)."""


class Conflict(DomainError):
    """Someone else changed the thing first (HTTP 409)."""
