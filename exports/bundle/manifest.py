"""The manifest of a portable portfolio bundle (schema 1): one model for the writer and the reader.

The writer builds a :class:`Manifest` from the database and serialises it with :func:`dump`; the
reader validates ``manifest.json`` into the same model (:func:`exports.bundle.check.read_manifest`,
which refuses a bad or missing field naming the record). The JSON is the one README describes
("Portable portfolio bundle"): times ISO 8601 in UTC, dates ``YYYY-MM-DD``, people by e-mail, ids
those of the exporting database, linking records inside the manifest only.

Each record names in ``COPIED`` the fields that are the same, by name and value, in its table;
:func:`copied` reads them from a row (writing) or from a record (reading), so the list is kept
once. Fields outside it are translated: people to e-mail and back, ids, paths in the zip.

Pure: no database, no files.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SerializerFunctionWrapHandler,
    StringConstraints,
    computed_field,
    model_serializer,
    model_validator,
)

from exports.bundle.titles import Title
from mappings.assessment.coverage import CoverageRules
from mappings.assessment.models import CLAIM_STATES
from portfolio.errors import Invalid
from portfolio.models.evidence import KINDS
from portfolio.refs import EvidenceRef
from portfolio.services.evidence.attachments import display_name
from portfolio.services.registration_dates import check_dates
from portfolio.services.sniff import stored_extension

FORMAT: Final = "competence-portfolio-bundle"
SCHEMA_VERSION: Final = 1
MANIFEST = "manifest.json"
LEEWAY = timedelta(days=1)  # clocks and time zones of the sending centre: a day ahead is not late


def iso_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _time(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 time")
    read = datetime.fromisoformat(value)
    if read.utcoffset() is None:
        raise ValueError(f"the time {value[:40]} has no time zone (expected one such as +00:00)")
    try:
        read.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"the time {value[:40]} is out of range") from None
    if read > datetime.now(UTC) + LEEWAY:
        raise ValueError(f"the time {value[:40]} is in the future")
    return read


def _day(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError("expected a date YYYY-MM-DD")


def _one_of(allowed: tuple[str, ...], fault: str) -> AfterValidator:
    """A value this program has words for; any other breaks the pages that show it."""

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"“{value[:40]}” {fault}")
        return value

    return AfterValidator(check)


Kind = Annotated[str, _one_of(tuple(KINDS), "is not a kind of evidence")]
EvidenceStatus = Annotated[str, _one_of(("draft", "submitted"), "is not draft or submitted")]
ClaimState = Annotated[str, _one_of(CLAIM_STATES, f"is not one of {', '.join(CLAIM_STATES)}")]
SignOffStatus = Annotated[str, _one_of(("signed", "reopened"), "is not signed or reopened")]


def _past_day(value: object) -> date:
    day = _day(value)
    if isinstance(value, str) and day > datetime.now(UTC).date() + LEEWAY:
        raise ValueError(f"{value} is in the future")
    return day


Time = Annotated[datetime, PlainValidator(_time), PlainSerializer(iso_time, when_used="json")]
Day = Annotated[date, PlainValidator(_day), PlainSerializer(date.isoformat, when_used="json")]
# the day of something done (an activity): never after today
PastDay = Annotated[
    date, PlainValidator(_past_day), PlainSerializer(date.isoformat, when_used="json")
]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Email = str  # a person of the manifest, by e-mail


def attachment_path(sha256: str, mime: str) -> str:
    """A file's path in the zip: named by its content, with the extension of its checked type
    (never the one its uploader chose: a text file named .html would open as a page)."""
    return f"attachments/{sha256}.{stored_extension(mime)}"


def evidence_page(evidence_id: int) -> str:
    return f"evidence/E{evidence_id}.html"


class Record(BaseModel):
    """A record of the manifest: strictly typed (no "2" for 2), immutable; keys it does not know
    are ignored, as the earlier reader did."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")
    COPIED: ClassVar[tuple[str, ...]] = ()


def copied(source: object, record: type[Record]) -> dict[str, Any]:
    """The fields ``record`` shares with its table, read from a row or from a record."""
    return {name: getattr(source, name) for name in record.COPIED}


class PersonRecord(Record):
    email: Email
    name: str
    roles: list[str]
    site: str = "Main site"


class FrameworkRecord(Record):
    COPIED = ("code", "urn", "title", "version", "content_hash", "rules")
    code: str
    urn: str
    title: str
    version: str
    content_hash: str
    rules: dict[str, Any] = Field(default_factory=dict)  # the assessment strategy
    spec: dict[str, Any]  # the framework in the lossless JSON of ``framework export``

    @model_validator(mode="after")
    def _rules_are_valid(self) -> FrameworkRecord:
        """Checked as the administrator's page checks them: rules stored unchecked would
        break every page that counts coverage on the framework."""
        try:
            CoverageRules.from_dict(self.rules)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"its assessment strategy is not valid: {exc}") from None
        return self


class FrameworkKey(Record):
    code: str
    content_hash: str


class RegistrationRecord(Record):
    COPIED = ("start_date", "planned_end", "created_at")
    id: int
    framework: FrameworkKey
    standards: list[str]  # codes
    cohort: str | None = None  # name
    assessor: Email | None = None
    iqa: Email | None = None
    start_date: Day
    planned_end: Day
    created_at: Time

    @model_validator(mode="after")
    def _dates_as_everywhere(self) -> RegistrationRecord:
        """The rule every other way of registering keeps: an end after the start, no year
        mistyped (a planned end in 9999 leaves no room for the arithmetic of the pages)."""
        try:
            check_dates(self.start_date, self.planned_end)
        except Invalid as exc:
            message = str(exc)
            raise ValueError(message[:1].lower() + message[1:]) from None
        return self


class AttachmentRecord(Record):
    COPIED = ("sha256", "size", "mime", "filename", "text", "created_at")
    path: str  # in the zip
    sha256: Sha256
    size: int
    mime: str
    filename: Annotated[str, AfterValidator(display_name)]  # as an upload's: one line, plain
    text: str = ""  # extracted
    created_at: Time


class WitnessRecord(Record):
    """The witness's answer about this version, given through the e-mailed link (docs/witness.md).
    Optional and informative: left out when there is none, ignored by readers that do not know
    it, never imported (a receiving centre asks the witness itself)."""

    witness_email: str
    answer: Literal["accurate", "not_accurate"]
    comment: str = ""
    answered_at: Time
    version_sha256: Sha256


class RecordedBy(Record):
    """Who wrote a version at the centre that recorded it, when no centre vouched for them as a
    person: text, never a person of the importing centre (:mod:`mappings.assessment.recorded`)."""

    name: str
    email: str
    centre: str


class VersionRecord(Record):
    COPIED = (
        "number",
        "title",
        "activity_date",
        "body",
        "fields",
        "sha256",
        "created_at",
        "declared_at",
    )
    number: int
    title: Title
    activity_date: PastDay
    body: str
    fields: dict[str, Any]
    sha256: str  # of the version's content
    created_by: Email | None
    created_at: Time
    declared_at: Time | None
    attachments: list[AttachmentRecord]
    witness: list[WitnessRecord] | None = Field(default=None, exclude_if=lambda v: not v)
    # written at another centre by someone named only as text (created_by is then None); left
    # out of the JSON when not
    recorded_by: RecordedBy | None = Field(default=None, exclude_if=lambda v: v is None)


class EvidenceRecord(Record):
    COPIED = (
        "kind",
        "title",
        "activity_date",
        "status",
        "current_version",
        "created_at",
        "updated_at",
        "submitted_at",
    )
    id: int
    page: str  # in the zip
    kind: Kind
    title: Title
    activity_date: PastDay
    status: EvidenceStatus
    current_version: int
    created_by: Email | None
    created_at: Time
    updated_at: Time
    submitted_at: Time | None
    versions: list[VersionRecord]

    @model_validator(mode="after")
    def _current_is_a_version(self) -> EvidenceRecord:
        if self.current_version not in {v.number for v in self.versions}:
            raise ValueError(f"current_version: {self.current_version} is not one of its versions")
        return self

    def ref(self, version: VersionRecord) -> str:
        return str(EvidenceRef(self.id, version.number))


class CriterionKey(Record):
    framework: str
    framework_hash: str
    standard: str
    code: str


class DecisionRecord(Record):
    COPIED = ("old_status", "new_status", "method", "feedback", "at")
    old_status: ClaimState
    new_status: ClaimState
    method: str | None
    feedback: str
    actor: Email | None
    at: Time


class ClaimRecord(Record):
    COPIED = (
        "created_at", "status", "method", "decided_at", "revision",
        "suggested_engine", "suggested_score", "suggested_strong",
    )  # fmt: skip
    id: int
    evidence_id: int
    criterion: CriterionKey
    claimed_by: Email | None
    created_at: Time
    status: ClaimState
    method: str | None
    decided_at: Time | None
    decided_by: Email | None
    revision: int
    decisions: list[DecisionRecord]  # the full, appended history
    # the suggestion engine had suggested it (its version, score, strong); absent from bundles
    # written before claims recorded it, which read as not recorded
    suggested_engine: str | None = None
    suggested_score: float | None = None
    suggested_strong: bool | None = None

    @model_serializer(mode="wrap")
    def _without_unknown_origin(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)  # a claim not suggested: as bundles were before
        for name in ("suggested_engine", "suggested_score", "suggested_strong"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class JudgementRecord(Record):
    COPIED = (
        "version_number",
        "valid",
        "authentic",
        "current",
        "sufficient",
        "reliable",
        "note",
        "at",
    )
    evidence_id: int
    version_number: int
    valid: bool
    authentic: bool
    current: bool
    sufficient: bool
    reliable: bool
    note: str
    actor: Email | None
    at: Time


class FrozenEvidence(Record):
    """One evidence version of a sign-off's frozen set, by (evidence id, version number).

    ``ref`` (``E12v3``) is written for readers of the JSON and derived from the pair; a reader
    never parses it back.
    """

    evidence_id: int
    version: int
    sha256: Sha256

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ref(self) -> str:
        return str(self.evidence)

    @property
    def evidence(self) -> EvidenceRef:
        return EvidenceRef(self.evidence_id, self.version)


class SignOffRecord(Record):
    COPIED = (
        "document_id",
        "summary",
        "feedback",
        "learner_declared_at",
        "assessor_declared_at",
        "signed_at",
        "evidence_set_sha256",
        "status",
        "reopened_at",
        "reopen_reason",
        "learner_wording",
        "assessor_wording",
    )
    id: int
    registration_id: int
    standard: str  # code
    assessor: Email | None
    document_id: str
    document: str  # the sign-off record's path in the zip
    summary: str
    feedback: str
    learner_declared_at: Time
    assessor_declared_at: Time
    signed_at: Time
    evidence_set_sha256: str
    status: SignOffStatus
    reopened_at: Time | None
    reopened_by: Email | None
    reopen_reason: str
    evidence: list[FrozenEvidence]
    # the exact words each declared (empty in bundles written before they were carried, and
    # then left out, so that such a manifest is written back byte for byte)
    learner_wording: str = ""
    assessor_wording: str = ""

    @model_serializer(mode="wrap")
    def _without_empty_wordings(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in ("learner_wording", "assessor_wording"):
            if not data.get(name):
                data.pop(name, None)
        return data


class Manifest(Record):
    format: Literal["competence-portfolio-bundle"] = FORMAT
    schema_version: Literal[1] = SCHEMA_VERSION
    generated_at: Time | None = None
    centre: str = ""
    learner: PersonRecord
    people: list[PersonRecord]  # everyone the records name
    frameworks: list[FrameworkRecord]
    registrations: list[RegistrationRecord]
    evidence: list[EvidenceRecord]
    claims: list[ClaimRecord]
    judgements: list[JudgementRecord]
    signoffs: list[SignOffRecord]
    files: dict[str, Sha256] = Field(default_factory=dict)  # every other file of the zip


def dump(manifest: Manifest) -> bytes:
    """``manifest.json``: UTF-8, keys sorted, one space of indent."""
    return encode(manifest.model_dump(mode="json"))


def encode(data: dict[str, Any]) -> bytes:
    """The bytes of ``manifest.json`` for the manifest's JSON data."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
