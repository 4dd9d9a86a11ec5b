"""Text the databases can store: no NUL characters, no text longer than its column, refused alike
on SQLite and PostgreSQL.

PostgreSQL cannot hold a NUL character (``\\x00``) in text or JSON, and answers a query that
carries one with an error; SQLite would store it. So that both backends behave alike and nobody
gets a server error, text with a NUL is refused as invalid input: forms refuse it
(:class:`delivery.web.forms.PageForm`) and, for every other way in (commands, imports, services),
:func:`install` registers a check of every row before it is flushed, raising
:class:`~portfolio.errors.Invalid` naming the field, and of every query's parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import Engine, event, inspect
from sqlalchemy.orm import Mapper, Session, UOWTransaction

from portfolio.errors import Invalid

NUL = "\x00"


def contains_nul(value: Any) -> bool:
    """Whether ``value`` (text, or JSON-like data holding text) has a NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(contains_nul(v) for v in value)
    return False


def nul_message(label: str) -> str:
    return (
        f"{label} contains a NUL character (an invisible control character, often pasted from "
        "another program), which cannot be stored. Remove it and try again."
    )


def too_long_message(label: str, value: str, length: int) -> str:
    shown = value if len(value) <= 60 else value[:59] + "…"
    return (
        f"{label} “{shown}” is too long: at most {length} characters can be stored "
        f"(it has {len(value)})."
    )


@cache
def _lengths(mapper: Mapper[Any]) -> tuple[tuple[str, int], ...]:
    """(attribute, most characters) of each column of ``mapper`` whose text has a length."""
    found = []
    for attr in mapper.column_attrs:
        length = getattr(attr.columns[0].type, "length", None)
        if isinstance(length, int):
            found.append((attr.key, length))
    return tuple(found)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _too_long(mapper: Mapper[Any], value_of: Callable[[str], Any]) -> tuple[str, str, int] | None:
    for key, length in _lengths(mapper):
        value = value_of(key)
        if isinstance(value, str) and len(value) > length:
            return key, value, length
    return None


def _check_lengths(mapper: Mapper[Any], value_of: Callable[[str], Any]) -> None:
    found = _too_long(mapper, value_of)
    if found is not None:
        key, value, length = found
        raise Invalid(too_long_message(_label(key), value, length), field=key)


def too_long(model: type[Any], values: dict[str, Any]) -> tuple[str, str, int] | None:
    """The first of ``values`` longer than its column of ``model`` holds, as (attribute, value,
    most characters); None when each fits. For a caller that names the value in its own words."""
    return _too_long(inspect(model), values.get)


def check_values(model: type[Any], values: dict[str, Any]) -> None:
    """The length check of :func:`check_row` for a row given as values, as a bulk insert of
    ``model`` takes them (the ORM's flush, which checks rows, does not see those)."""
    _check_lengths(inspect(model), values.get)


def check_row(row: Any) -> None:
    """Refuse a row any of whose column values holds a NUL character, or is longer than its
    column holds (PostgreSQL refuses it with an error, SQLite would store it), as Invalid naming
    the field."""
    state = inspect(row)
    for attr in state.mapper.column_attrs:
        if contains_nul(state.attrs[attr.key].loaded_value):
            raise Invalid(nul_message(_label(attr.key)), field=attr.key)
    _check_lengths(state.mapper, lambda key: state.attrs[key].loaded_value)


def _before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    for row in (*session.new, *session.dirty):
        check_row(row)


def _before_execute(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
) -> None:
    """A query that carries a NUL (a lookup by a typed name, say) is refused the same way:
    PostgreSQL would answer it with an error, SQLite would search for it."""
    if contains_nul(parameters):
        raise Invalid(nul_message("The text"))


def install() -> None:
    """Check every row before it is written, and every query's parameters, for NUL characters
    (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
    if not event.contains(Engine, "before_cursor_execute", _before_execute):
        event.listen(Engine, "before_cursor_execute", _before_execute)
