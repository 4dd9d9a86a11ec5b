"""Reading evidence: a learner's list a page at a time, one item with its versions and history, and
one item with its current version alone for its author's editor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func, literal, or_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portfolio.errors import Invalid, NotFound
from portfolio.models import (
    Attachment,
    AuditEntry,
    Evidence,
    EvidenceComment,
    EvidenceVersion,
    Person,
)
from portfolio.models.evidence import KINDS
from portfolio.paging import Paged
from portfolio.services import access
from portfolio.services.audit_about import discarded_since
from portfolio.services.evidence.drafts import (
    attachments_of,
    current_version,
    for_author,
    latest_submitted,
    read_only_reason,
    writable_kinds,
)
from portfolio.services.evidence.hidden import files_shown, is_private, require_shown
from portfolio.services.people import Actor


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    kind: str
    kind_label: str
    title: str
    activity_date: date
    status: str
    version: int
    attachments: int | None  # None: the item is a draft the reader may not read, never submitted
    updated_at: Any


PAGE_SIZE = 50


@dataclass(frozen=True)
class EvidencePage(Paged[EvidenceRow]):
    """One page of a learner's evidence, in the order asked for, and where it sits in the whole;
    ``writable``: the kinds of evidence the reader may add to this portfolio (none for an IQA or
    an EQA), worked out from the access check the page made anyway."""

    writable: tuple[str, ...] = ()


# how a list may be ordered: the key of each and its words
SORTS = {
    "newest": "Newest activity first",
    "oldest": "Oldest activity first",
    "title": "Title (A to Z)",
}
MAX_WORDS = 8  # words of a search; more are ignored


def search_words(query: str) -> list[str]:
    """The words of a search, lower case, at most MAX_WORDS (each must be found)."""
    return query.lower().split()[:MAX_WORDS]


def _like(word: str) -> str:
    """A LIKE pattern finding ``word`` anywhere, its own % and _ taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@lru_cache(maxsize=64)
def _listing_statements(
    by_status: bool, sort: str = "newest", words: int = 0, only: Any = None, keyset: str = ""
) -> tuple[Any, Any]:
    """The count and the page query of a learner's evidence, built once per shape (building
    costs more than running them). ``words``: how many search words each of title or current
    text must contain (bound as ``word0``...); a draft's text only for its author (``reader``).
    ``only``: a further condition on the items, built once by a layer above (the items written
    for an assessment plan), its values bound by the caller. ``keyset``: "" pages by offset,
    with the number matching beside each row; "first" or "after" (the rows after the sort key
    ``after_key`` and id ``after_id``) page by keyset, with each row's sort key last."""
    where = [
        col(Evidence.learner_id) == bindparam("learner_id"),
        # an assessor's record never submitted is theirs alone until it is (they may discard it)
        or_(
            col(Evidence.created_by) == Evidence.learner_id,
            col(Evidence.submitted_at).is_not(None),
            col(Evidence.created_by) == bindparam("reader"),
        ),
    ]
    if only is not None:
        where.append(only)
    if by_status:
        where.append(col(Evidence.status) == bindparam("status"))
    if words:
        body = (
            sa_select(func.lower(col(EvidenceVersion.body)))
            .where(
                col(EvidenceVersion.evidence_id) == Evidence.id,
                col(EvidenceVersion.number) == Evidence.current_version,
                or_(
                    col(EvidenceVersion.declared_at).is_not(None),
                    col(Evidence.created_by) == bindparam("reader"),
                ),
            )
            .scalar_subquery()
        )
        for n in range(words):
            pattern: Any = bindparam(f"word{n}")
            where.append(
                or_(
                    func.lower(col(Evidence.title)).like(pattern, escape="\\"),
                    body.like(pattern, escape="\\"),
                )
            )
    files = files_shown()  # of the version the reader may read, none of a draft not theirs
    key: Any = func.lower(col(Evidence.title)) if sort == "title" else col(Evidence.activity_date)
    ident = col(Evidence.id)
    order = (key.desc(), ident.desc()) if sort == "newest" else (key.asc(), ident.asc())
    count = sa_select(func.count(col(Evidence.id))).where(*where)
    shown = [col(Evidence.id), col(Evidence.kind), col(Evidence.title),
             col(Evidence.activity_date), col(Evidence.status), col(Evidence.current_version),
             files, col(Evidence.updated_at)]  # fmt: skip
    if not keyset:  # with how many match, the page being cut from them
        rows = sa_select(*shown, func.count().over()).where(*where).offset(bindparam("offset"))
    else:
        rows = sa_select(*shown, key).where(*where)
    if keyset == "after":  # past the last row of the page before, in the order of the list:
        # "key from at on, and past at or past the id", which seeks in the list's index
        at: Any = bindparam("after_key", type_=key.type)
        after_id: Any = bindparam("after_id")
        if sort == "newest":
            rows = rows.where(key <= at, or_(key < at, ident < after_id))
        else:
            rows = rows.where(key >= at, or_(key > at, ident > after_id))
    return count, rows.order_by(*order).limit(bindparam("limit"))


def page_for_learner(
    session: Session,
    *,
    actor: Actor,
    learner_id: int,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    status: str | None = None,
    query: str = "",
    sort: str = "newest",
    only: Any = None,
    only_params: dict[str, Any] | None = None,
) -> EvidencePage:
    """One page of a learner's evidence in one query, however many items there are: with
    ``query``, only items whose title or current text holds every word of it (any case);
    ordered by ``sort`` (a key of SORTS). ``only``: a condition on the items built once by a
    layer above (see :func:`_listing_statements`), its bound values in ``only_params``."""
    relation = access.require_view(session, actor, learner_id)
    if sort not in SORTS:
        raise Invalid(f"Unknown order “{sort}”.", field="sort")
    words = search_words(query)
    count, select_rows = _listing_statements(status is not None, sort, len(words), only)
    params: dict[str, Any] = {"learner_id": learner_id, "status": status, "reader": actor.id}
    params.update(only_params or {})
    params.update({f"word{n}": _like(w) for n, w in enumerate(words)})
    connection = session.connection()
    # one statement: the page with the number matching beside each row; the count alone only
    # when the page asked for lies past the end (then the last page is shown)
    page = max(1, page)
    params.update(limit=per_page, offset=(page - 1) * per_page)
    rows: Sequence[Any] = connection.execute(select_rows, params).all()
    total = rows[0][-1] if rows else 0
    if not rows and page > 1:
        total = int(connection.execute(count, params).scalar_one())
        page = max(1, -(-total // per_page))
        if total:
            params.update(offset=(page - 1) * per_page)
            rows = connection.execute(select_rows, params).all()
    return EvidencePage(
        rows=_rows(rows), total=total, page=page, per_page=per_page,
        writable=writable_kinds(relation),
    )  # fmt: skip


def page_after(
    session: Session,
    *,
    actor: Actor,
    learner_id: int,
    after: tuple[Any, int] | None,
    limit: int = PAGE_SIZE,
    status: str | None = None,
    query: str = "",
    sort: str = "newest",
    only: Any = None,
    only_params: dict[str, Any] | None = None,
) -> tuple[list[EvidenceRow], tuple[Any, int] | None]:
    """Up to ``limit`` items of the list :func:`page_for_learner` gives, those after ``after``
    (the sort key and id of the last item of the page before; None: from the start), and the
    sort key and id of the last of them while more follow (None at the end). A keyset page: one
    statement, read as the first is however far down the list, and an item written meanwhile
    never shows one twice nor hides another. The sort key: the activity date, or the title in
    lower case (as the database lowers it) for ``title``."""
    access.require_view(session, actor, learner_id)
    if sort not in SORTS:
        raise Invalid(f"Unknown order “{sort}”.", field="sort")
    words = search_words(query)
    shape = "after" if after is not None else "first"
    _, select_rows = _listing_statements(status is not None, sort, len(words), only, shape)
    params: dict[str, Any] = {"learner_id": learner_id, "status": status, "reader": actor.id}
    params.update(only_params or {})
    params.update({f"word{n}": _like(w) for n, w in enumerate(words)})
    params.update(limit=limit + 1)  # one more tells whether another page follows
    if after is not None:
        params.update(after_key=after[0], after_id=after[1])
    rows: Sequence[Any] = session.connection().execute(select_rows, params).all()
    more, rows = len(rows) > limit, rows[:limit]
    return _rows(rows), ((rows[-1][-1], rows[-1][0]) if more else None)


def _rows(rows: Sequence[Any]) -> list[EvidenceRow]:
    return [
        EvidenceRow(
            id=eid,
            kind=kind,
            kind_label=KINDS[kind],
            title=title,
            activity_date=activity,
            status=status_,
            version=version,
            attachments=n,
            updated_at=updated,
        )
        for eid, kind, title, activity, status_, version, n, updated, *_ in rows
    ]


@lru_cache(maxsize=1)
def _latest_and_drafts() -> Any:
    """The first page of everything and of the drafts, newest first, each row with how many
    there are and which list it belongs to (0, 1): one statement, built once."""
    _, every = _listing_statements(False)
    _, drafts = _listing_statements(True)
    return union_all(
        every.limit(bindparam("latest")).offset(None).add_columns(literal(0)).subquery().select(),
        drafts.limit(bindparam("drafts")).offset(None).add_columns(literal(1)).subquery().select(),
    )


def latest_and_drafts(
    session: Session, *, actor: Actor, learner_id: int, latest: int, drafts: int
) -> tuple[EvidencePage, EvidencePage]:
    """The first pages of a learner's evidence and of their drafts, newest activity first, as
    :func:`page_for_learner` gives them (``per_page`` ``latest`` and ``drafts``), in one
    statement (the home page shows both)."""
    relation = access.require_view(session, actor, learner_id)
    params = {"learner_id": learner_id, "status": "draft", "latest": latest, "drafts": drafts,
              "reader": actor.id}  # fmt: skip
    found: Sequence[Any] = session.connection().execute(_latest_and_drafts(), params).all()
    # a union keeps no order: each list in the order of the list page ("newest")
    ordered = sorted(found, key=lambda r: (r[3], r[0]), reverse=True)
    parts = [[r for r in ordered if r[-1] == part] for part in (0, 1)]
    pages = [
        EvidencePage(
            rows=_rows(p),
            total=p[0][-2] if p else 0,
            page=1,
            per_page=size,
            writable=writable_kinds(relation),
        )  # fmt: skip
        for p, size in zip(parts, (latest, drafts), strict=True)
    ]
    return pages[0], pages[1]


@dataclass
class EvidenceDetail:
    item: Evidence
    version: EvidenceVersion
    versions: list[EvidenceVersion]
    attachments: list[Attachment]
    history: list[AuditEntry]
    relation: set[str]
    can_edit: bool
    # the version shown is a draft the actor may not read: its text, fields and files are left
    # out (``version`` is then a blank stand-in, never added to the session)
    private: bool = False
    # files of drafts the actor may not read: their names are left out of the history
    hidden_files: frozenset[str] = frozenset()
    learner_name: str = ""  # whose portfolio it is in
    learner_erased_at: datetime | None = None  # when their personal data was erased, if it was
    has_comments: bool = True  # False: the item has none (the page need not ask for them)
    # why its author of record may not change it (recorded at the centre that sent it), or ""
    read_only: str = ""

    def file_named(self, entry: AuditEntry) -> str:
        """The file name an ``evidence.attach`` entry of the history shows: the attachment's
        (entries record only the file's SHA-256), or the name an older entry recorded; none for
        a file of a draft the actor may not read, or once the item is erased."""
        sha = entry.data.get("file")
        if not sha or sha in self.hidden_files or self.item.erased_at is not None:
            return ""
        shown = {a.sha256: a.filename for a in self.attachments}
        return str(shown.get(sha) or entry.data.get("name") or "")


@dataclass(frozen=True)
class Editing:
    """An item its author is about to change, with its current version: what the editor shows."""

    item: Evidence
    version: EvidenceVersion


def for_editing(session: Session, *, actor: Actor, evidence_id: int) -> Editing:
    """The item and its current version for its author's editor (NotFound/PermissionDenied as
    :func:`for_author`): two rows whatever the item's history, none of its other versions nor its
    audit trail, which the editor does not show."""
    item = for_author(session, actor, evidence_id)
    return Editing(item, current_version(session, item))


# built once: every evidence page reads these. The item comes with its learner's name, whether
# their personal data was erased, and whether it has files and comments (most have neither: the
# page then asks for none)
_ITEM = (
    sa_select(
        Evidence,
        col(Person.name),
        col(Person.erased_at),
        sa_select(col(Attachment.id))
        .join(EvidenceVersion, col(EvidenceVersion.id) == Attachment.version_id)
        .where(col(EvidenceVersion.evidence_id) == Evidence.id)
        .exists(),
        sa_select(col(EvidenceComment.id))
        .where(col(EvidenceComment.evidence_id) == Evidence.id)
        .exists(),
    )
    .join(Person, col(Person.id) == Evidence.learner_id)
    .where(col(Evidence.id) == bindparam("evidence_id"))
)
_VERSIONS = (
    select(EvidenceVersion)
    .where(col(EvidenceVersion.evidence_id) == bindparam("evidence_id"))
    .order_by(col(EvidenceVersion.number))
)
_HISTORY = (
    select(AuditEntry)
    .where(
        col(AuditEntry.subject_type) == "evidence",
        col(AuditEntry.subject_id) == bindparam("evidence_id"),
        # on SQLite before migration 0051 a discarded draft's id could be given to a new item
        # (a database upgraded from then may hold one): its history starts after
        ~discarded_since(AuditEntry),
    )
    .order_by(col(AuditEntry.id))
)


def detail(
    session: Session,
    *,
    actor: Actor,
    evidence_id: int,
    number: int | None = None,
    check_read_only: bool = True,
) -> EvidenceDetail:
    """One item as ``actor`` may see it. ``check_read_only=False``: the caller works out itself
    whether the item is read-only to its author of record (the evidence page does, from the
    records it reads anyway) and ``can_edit``/``read_only`` do not say it."""
    found = session.execute(_ITEM, {"evidence_id": evidence_id}).first()
    if found is None:
        raise NotFound("No such evidence.")
    item, learner_name, learner_erased_at, has_files, has_comments = found  # in one statement
    rel = access.require_view(session, actor, item.learner_id)
    require_shown(item, actor)
    versions = list(session.exec(_VERSIONS, params={"evidence_id": evidence_id}))
    wanted = number or item.current_version
    if number is None and is_private(item, versions[-1], actor):
        shown = latest_submitted(session, item)  # staff read what was last submitted
        wanted = shown.number if shown is not None else wanted
    version = next((v for v in versions if v.number == wanted), None)
    if version is None:
        raise NotFound("No such version.")
    private = is_private(item, version, actor)
    if private:
        version = EvidenceVersion(
            id=version.id,
            evidence_id=version.evidence_id,
            number=version.number,
            title=version.title,
            activity_date=version.activity_date,
            body="",
            fields={},
            created_by=version.created_by,
            created_at=version.created_at,
        )
    history = list(session.exec(_HISTORY, params={"evidence_id": evidence_id}))
    hidden: frozenset[str] = frozenset()
    if item.created_by != actor.id and any(v.declared_at is None for v in versions):
        drafts = [v.id for v in versions if v.declared_at is None]
        declared = [v.id for v in versions if v.declared_at is not None]
        hidden = frozenset(_files_of(session, drafts)) - frozenset(_files_of(session, declared))
    mine = item.created_by == actor.id
    read_only = (read_only_reason(session, item) or "") if mine and check_read_only else ""
    return EvidenceDetail(
        item=item,
        version=version,
        versions=versions,
        attachments=[] if private or not has_files else attachments_of(session, version.id or 0),
        history=history,
        relation=rel,
        can_edit=item.created_by == actor.id and not read_only,
        read_only=read_only,
        private=private,
        hidden_files=hidden,
        learner_name=learner_name,
        learner_erased_at=learner_erased_at,
        has_comments=has_comments,
    )


def _files_of(session: Session, version_ids: Sequence[int | None]) -> list[str]:
    """The hashes of the files of these versions."""
    return list(
        session.exec(select(Attachment.sha256).where(col(Attachment.version_id).in_(version_ids)))
    )
