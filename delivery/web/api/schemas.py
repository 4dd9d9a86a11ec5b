"""The shapes of the API's requests and answers (marshmallow; flask-smorest validates requests
against them and documents both in the OpenAPI document)."""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields as f
from marshmallow import validate as v

from portfolio.models.evidence import KINDS

# the largest id (and any whole number) a request may name: both databases hold it (PostgreSQL's
# integer columns are 32-bit); a larger one is refused by the schema, not by the database
MAX_ID = 2**31 - 1
IDS = v.Range(min=1, max=MAX_ID)


class Strict(ma.Schema):
    """A JSON body: no field it does not know, and every value of its JSON type, as the OpenAPI
    document says (marshmallow would take "12" for 12 and "yes" or 1 for true)."""

    class Meta:
        unknown = ma.RAISE

    def on_bind_field(self, field_name: str, field_obj: f.Field[Any]) -> None:
        _strictly_typed(field_obj)

    @ma.pre_load
    def _valid_unicode(self, data: Any, **kwargs: Any) -> Any:
        """JSON may write half of a UTF-16 pair alone ("\\ud800"): no database or hash can
        encode such a string, so it is refused here naming the field."""
        faults = _surrogates(data)
        if faults:
            raise ma.ValidationError(faults)
        return data


_SURROGATE = re.compile("[\ud800-\udfff]")
NOT_UNICODE = (
    "Holds a character that is not valid Unicode (half of a UTF-16 pair, such as \\ud800)."
)


def _surrogates(data: Any) -> Any:
    """The errors of the strings in ``data`` holding a lone surrogate, shaped as ``data`` is."""
    if isinstance(data, str):
        return [NOT_UNICODE] if _SURROGATE.search(data) else None
    if isinstance(data, dict):
        found: dict[Any, Any] = {}
        for key, value in data.items():
            bad_key = isinstance(key, str) and bool(_SURROGATE.search(key))
            fault = [NOT_UNICODE] if bad_key else _surrogates(value)
            if fault:
                found["?" if bad_key else key] = fault  # a key that cannot be shown either
        return found or None
    if isinstance(data, list):
        found_items = {n: fault for n, value in enumerate(data) if (fault := _surrogates(value))}
        return found_items or None
    return None


def _strictly_typed(field: f.Field[Any]) -> None:
    if isinstance(field, f.Integer):
        field.strict = True
    elif isinstance(field, f.List):
        _strictly_typed(field.inner)


class JsonBoolean(f.Boolean):
    """true or false, and nothing else ("yes", 1 and "true" are not JSON booleans)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def paged(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The schema of one page of ``item``s: ``items``, ``next`` (a link) and ``next_cursor``."""
    return ma.Schema.from_dict(
        {
            "items": f.List(f.Nested(item), required=True),
            "next": f.String(allow_none=True, required=True),
            "next_cursor": f.String(allow_none=True, required=True),
        },
        name=name,
    )


class Problem(ma.Schema):
    """An error (RFC 9457)."""

    type = f.String(required=True)
    title = f.String(required=True)
    status = f.Integer(required=True)
    detail = f.String(required=True)
    instance = f.String()
    errors = f.List(f.Dict(keys=f.String(), values=f.String()))


# ---------------------------------------------------------------- frameworks


class FrameworkSummary(ma.Schema):
    id = f.Integer(required=True)
    code = f.String(required=True)
    urn = f.String(required=True)
    title = f.String(required=True)
    version = f.String(required=True)
    source_format = f.String(required=True)
    standards = f.Integer(required=True)
    criteria = f.Integer(required=True)
    content_hash = f.String(required=True)
    imported_at = f.String(required=True)


FrameworkPage = paged(FrameworkSummary, "FrameworkPage")


class Criterion(ma.Schema):
    id = f.Integer(required=True)
    kind = f.String(required=True)
    code = f.String(required=True)
    text = f.String(required=True)
    position = f.Integer(required=True)


class Standard(ma.Schema):
    code = f.String(required=True)
    title = f.String(required=True)
    urn = f.String(required=True)
    overview = f.String(required=True)
    version = f.String(required=True)
    criteria = f.List(f.Nested(Criterion), required=True)


class FrameworkDetail(ma.Schema):
    id = f.Integer(required=True)
    code = f.String(required=True)
    title = f.String(required=True)
    urn = f.String(required=True)
    version = f.String(required=True)
    overview = f.String(required=True)
    source_format = f.String(required=True)
    standards = f.List(f.Nested(Standard), required=True)


class FrameworkImportArgs(ma.Schema):
    fmt = f.String(
        load_default="auto",
        validate=v.OneOf(["auto", "nos-text", "nos-docx", "topic-guide", "case", "nos-json",
                          "csv", "json"]),
        metadata={"description": "The file's format; auto: recognised from the file."},
    )  # fmt: skip
    code = f.String(load_default="", validate=v.Length(max=40))
    title = f.String(load_default="", validate=v.Length(max=300))
    new_version = f.Boolean(load_default=False)
    dry_run = f.Boolean(
        load_default=True,
        metadata={"description": "Only say what would be imported (the default); false imports."},
    )


class FrameworkFile(ma.Schema):
    file = Upload(required=True)


class ImportResult(ma.Schema):
    status = f.String(
        required=True,
        metadata={"description": "created, new_version, unchanged, vocabulary, refused, "
                                 "would_create or would_add_version"},
    )  # fmt: skip
    message = f.String(required=True)
    framework_code = f.String(required=True)
    version = f.String(required=True)
    framework_id = f.Integer(allow_none=True, required=True)
    standards = f.Integer(required=True)
    criteria = f.Integer(required=True)
    diff = f.List(f.String(), required=True)
    warnings = f.List(f.String(), required=True)


# ---------------------------------------------------------------- evidence


class EvidenceListArgs(ma.Schema):
    status = f.String(load_default=None, validate=v.OneOf(["draft", "submitted"]))
    q = f.String(load_default="", validate=v.Length(max=200))
    sort = f.String(load_default="newest", validate=v.OneOf(["newest", "oldest", "title"]))
    plan = f.Integer(
        load_default=None,
        validate=IDS,
        metadata={"description": "Only the items written for this plan of the learner's (another "
                                 "learner's plan, or none such, is not found)."},
    )  # fmt: skip


class EvidenceRow(ma.Schema):
    id = f.Integer(required=True)
    kind = f.String(required=True)
    kind_label = f.String(required=True)
    title = f.String(required=True)
    activity_date = f.Date(required=True)
    status = f.String(required=True)
    version = f.Integer(required=True)
    attachments = f.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "How many files the version the reader may read has (a draft "
                                 "is its author's alone: others count the version last "
                                 "submitted); null for another's draft never submitted."},
    )  # fmt: skip
    updated_at = f.DateTime(required=True)


EvidencePage = paged(EvidenceRow, "EvidencePage")


class NewEvidence(Strict):
    kind = f.String(required=True, validate=v.OneOf(list(KINDS)))
    title = f.String(required=True, validate=v.Length(min=1, max=300))
    activity_date = f.Date(required=True)
    body = f.String(load_default="", validate=v.Length(max=200_000))
    fields_ = f.Dict(
        data_key="fields",
        attribute="fields",
        keys=f.String(validate=v.Length(max=40)),
        values=f.String(validate=v.Length(max=20_000)),
        load_default=dict,
        metadata={"description": "STAR sections (situation, task, action, result) or the "
                                 "witness's name, role and relationship."},
    )  # fmt: skip


class EvidenceEdit(Strict):
    title = f.String(required=True, validate=v.Length(min=1, max=300))
    activity_date = f.Date(required=True)
    body = f.String(load_default="", validate=v.Length(max=200_000))
    fields_ = f.Dict(
        data_key="fields",
        attribute="fields",
        keys=f.String(validate=v.Length(max=40)),
        values=f.String(validate=v.Length(max=20_000)),
        load_default=dict,
    )
    current_version = f.Integer(
        required=True,
        validate=v.Range(min=1, max=MAX_ID),
        metadata={"description": "The item's current_version as you read it: if it changed "
                                 "since, the answer is 409."},
    )  # fmt: skip
    current_hash = f.String(
        required=True,
        validate=v.Regexp(r"^[0-9a-f]{64}$", error="A SHA-256 in hex, as current_hash was read."),
        metadata={"description": "The item's current_hash as you read it: a draft changes in "
                                 "place, so its version stays; if its text changed since, the "
                                 "answer is 409 and nothing is overwritten."},
    )  # fmt: skip


class Attachment(ma.Schema):
    id = f.Integer(required=True)
    filename = f.String(required=True)
    mime = f.String(required=True)
    size = f.Integer(required=True)
    sha256 = f.String(required=True)
    created_at = f.DateTime(required=True)


class Version(ma.Schema):
    number = f.Integer(required=True)
    title = f.String(required=True)
    activity_date = f.Date(required=True)
    sha256 = f.String(required=True)
    created_at = f.DateTime(required=True)
    declared_at = f.DateTime(allow_none=True, required=True)


class EvidenceDetail(ma.Schema):
    id = f.Integer(required=True)
    learner_id = f.Integer(required=True)
    kind = f.String(required=True)
    title = f.String(required=True)
    activity_date = f.Date(required=True)
    status = f.String(required=True)
    current_version = f.Integer(required=True)
    current_hash = f.String(
        required=True, metadata={"description": "SHA-256 of the current version: send it back "
                                                "when you change the item."},
    )  # fmt: skip
    body = f.String(required=True)
    fields_ = f.Dict(
        data_key="fields", attribute="fields", keys=f.String(), values=f.Raw(), required=True
    )
    created_at = f.DateTime(required=True)
    updated_at = f.DateTime(required=True)
    submitted_at = f.DateTime(allow_none=True, required=True)
    attachments = f.List(f.Nested(Attachment), required=True)
    versions = f.List(f.Nested(Version), required=True)


class UploadFile(ma.Schema):
    file = Upload(required=True)


class SubmitArgs(Strict):
    declaration = JsonBoolean(
        required=True,
        metadata={"description": "The learner declares that this is their own work."},
    )


class Discarded(ma.Schema):
    id = f.Integer(required=True, metadata={"description": "The discarded item's id (gone now)."})
    learner_id = f.Integer(required=True)
    title = f.String(required=True)
    files = f.Integer(required=True, metadata={"description": "How many files went with it."})
    detail = f.String(
        required=True, metadata={"description": "What the page says: Draft “X” discarded."}
    )


def plain(obj: Any, names: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}
