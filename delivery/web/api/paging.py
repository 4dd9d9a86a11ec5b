"""Cursor pagination for the API's lists: ``?limit=`` (1..200, default 50) and ``?cursor=``, an
opaque string the previous page gave as ``next`` (a link) and ``next_cursor``.

A cursor holds a position, base64url-encoded with a keyed checksum so that a client cannot make
one up or alter one (a bad cursor is a 422 problem naming the field ``cursor``): every list is
read by keyset (:func:`after`, :func:`keyset_body`: a learner's evidence and plans, people,
cohorts, registrations, frameworks), the cursor holding the order, sort key and id of the last row
of the page, so that any page costs what the first does and rows written meanwhile neither repeat
nor hide one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

import marshmallow as ma
from flask import current_app, request

from portfolio.errors import Invalid

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR = 4000  # a position may hold a title: 300 characters, each escaped in JSON
BAD_CURSOR = "The cursor is not one this API gave out."


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=ma.validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"How many items per page (1 to {MAX_LIMIT})."},
    )
    cursor = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=MAX_CURSOR),
        metadata={"description": "Where to go on from: the `next_cursor` of the previous page."},
    )


def _key() -> bytes:
    return hashlib.sha256(b"api-cursor:" + str(current_app.secret_key).encode()).digest()


def encode(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    tag = hmac.new(_key(), raw, hashlib.sha256).digest()[:8]
    return base64.urlsafe_b64encode(tag + raw).decode().rstrip("=")


def decode(cursor: str) -> dict[str, Any]:
    try:
        data = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tag, raw = data[:8], data[8:]
        if not hmac.compare_digest(tag, hmac.new(_key(), raw, hashlib.sha256).digest()[:8]):
            raise ValueError("checksum")
        position = json.loads(raw)
        if not isinstance(position, dict):
            raise ValueError("shape")
        return position
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(BAD_CURSOR, field="cursor") from exc


def _next_link(cursor: str) -> str:
    args = request.args.to_dict()
    args["cursor"] = cursor
    return f"{request.path}?{urlencode(args)}"


def after(args: dict[str, Any], sort: str, parse: Callable[[str], Any]) -> tuple[Any, int] | None:
    """The position the keyset cursor in ``args`` holds, the sort key (``parse`` turns its text
    back into one, raising ValueError) and id of the last row of the page before; None without
    a cursor. A cursor given out for another order (``sort``) is refused as a made-up one."""
    if not args.get("cursor"):
        return None
    position = decode(str(args["cursor"]))
    key, ident = position.get("key"), position.get("id")
    if position.get("sort") != sort or not isinstance(key, str) or type(ident) is not int:
        raise Invalid(BAD_CURSOR, field="cursor")
    try:
        return parse(key), ident
    except ValueError as exc:
        raise Invalid(BAD_CURSOR, field="cursor") from exc


def keyset_body(items: Sequence[T], sort: str, last: tuple[str, int] | None) -> dict[str, Any]:
    """The answer for one keyset page: ``items``, and ``next`` and ``next_cursor`` holding
    ``last`` (the sort key as text and the id of the page's last row) while more follow."""
    found: dict[str, Any] = {"items": list(items), "next": None, "next_cursor": None}
    if last is not None:
        cursor = encode({"sort": sort, "key": last[0], "id": last[1]})
        found["next"], found["next_cursor"] = _next_link(cursor), cursor
    return found


def learner_key(text: str) -> tuple[str, int]:
    """The learner's name and id a cursor of registrations holds (as JSON); ValueError if not."""
    found = json.loads(text)
    if not isinstance(found, list) or len(found) != 2:
        raise ValueError("not a learner")
    name, learner_id = found
    if not isinstance(name, str) or type(learner_id) is not int:
        raise ValueError("not a learner")
    return name, learner_id


def registrations_body(
    items: Sequence[T], sort: str, last: tuple[tuple[str, int], int] | None
) -> dict[str, Any]:
    """:func:`keyset_body` for a list of registrations by learner, ``last`` the learner's name
    and id and the registration's id of the page's last row (read back by :func:`learner_key`)."""
    return keyset_body(items, sort, None if last is None else (json.dumps(last[0]), last[1]))
