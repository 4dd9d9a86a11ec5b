"""Read-only browsing of loaded frameworks: one standard with its criteria, criterion search,
each criterion's id (for the API's framework detail), and how many frameworks there are.

Every logged-in role may browse; nothing here writes. Each function issues a fixed number of
queries, whatever the size of the framework.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from portfolio.errors import NotFound
from portfolio.models import Criterion, Framework, Standard
from portfolio.words import count_words

SEARCH_LIMIT = 100
MAX_TERMS = 8


@dataclass(frozen=True)
class StandardDetail:
    framework: Framework
    standard: Standard
    criteria: list[Criterion]


def standard_detail(session: Session, framework_id: int, code: str) -> StandardDetail:
    """A standard of one framework version by its code, with criteria in order."""
    framework = session.get(Framework, framework_id)
    standard = session.exec(
        select(Standard).where(Standard.framework_id == framework_id, Standard.code == code)
    ).first()
    if framework is None or standard is None:
        raise NotFound(f"No standard “{code}” in framework {framework_id}.")
    criteria = session.exec(
        select(Criterion)
        .where(Criterion.standard_id == standard.id)
        .order_by(col(Criterion.position), col(Criterion.id))
    ).all()
    return StandardDetail(framework=framework, standard=standard, criteria=list(criteria))


def standard_titles(session: Session, framework_id: int) -> list[tuple[str, str]]:
    """(code, title) of every standard of a framework version, in framework order."""
    rows = session.exec(
        select(Standard.code, Standard.title)
        .where(Standard.framework_id == framework_id)
        .order_by(col(Standard.position))
    ).all()
    return [(code, title) for code, title in rows]


@dataclass(frozen=True)
class SearchHit:
    framework_id: int
    framework: str  # "SE v1"
    standard_code: str
    standard_title: str
    code: str
    kind: str
    text: str


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[SearchHit]
    more: bool  # there were more than ``SEARCH_LIMIT`` matches


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_criteria(session: Session, query: str, *, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Criteria whose text holds every word of ``query`` (case-insensitive), at most ``limit``."""
    terms = query.split()[:MAX_TERMS]
    if not terms:
        return SearchResult(query="", hits=[], more=False)
    conditions = [col(Criterion.text).ilike(f"%{_like_escape(t)}%", escape="\\") for t in terms]
    statement = (
        sa_select(
            col(Framework.id),
            col(Framework.code),
            col(Framework.version),
            col(Standard.code),
            col(Standard.title),
            col(Criterion.code),
            col(Criterion.kind),
            col(Criterion.text),
        )
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .join(Framework, col(Framework.id) == Standard.framework_id)
        .where(and_(*conditions))
        .order_by(
            col(Framework.code),
            col(Framework.id),
            col(Standard.position),
            col(Criterion.position),
            col(Criterion.id),
        )
        .limit(limit + 1)
    )
    rows = session.execute(statement).all()
    hits = [
        SearchHit(
            framework_id=fid or 0,
            framework=f"{fcode} v{fversion}",
            standard_code=scode,
            standard_title=stitle,
            code=ccode,
            kind=kind,
            text=text,
        )
        for fid, fcode, fversion, scode, stitle, ccode, kind, text in rows[:limit]
    ]
    return SearchResult(query=" ".join(terms), hits=hits, more=len(rows) > limit)


def criterion_ids(session: Session, framework_id: int) -> dict[tuple[str, str], int]:
    """Each criterion's id in a loaded framework, by (standard code, criterion code): what a
    program names when it maps evidence to criteria (the API's framework detail gives them)."""
    rows = session.exec(
        select(Standard.code, Criterion.code, Criterion.id)
        .join(Standard, col(Standard.id) == Criterion.standard_id)
        .where(Standard.framework_id == framework_id)
    )
    return {(standard, code): int(cid or 0) for standard, code, cid in rows}


def total_words(session: Session) -> str | None:
    """How many frameworks are loaded, for the head of every page of the list: "4 frameworks",
    or "4 frameworks (5 versions)" when some have several versions (the list shows each
    version); None when there are none. One statement counting both, whatever the page."""
    frameworks, versions = session.exec(
        select(func.count(func.distinct(col(Framework.code))), func.count(col(Framework.id)))
    ).one()
    if not versions:
        return None
    said = count_words(frameworks, "framework")
    return said if versions == frameworks else f"{said} ({count_words(versions, 'version')})"
