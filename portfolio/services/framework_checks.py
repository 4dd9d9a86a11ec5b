"""What a framework must be to be stored: no value longer than its column holds, checked before
anything is written (and by a dry run: a preview never offers what the import would refuse), in
words that say where the value is. The standards and criteria go in as bulk inserts, which the
ORM's check of every row before a flush (:mod:`portfolio.storable`) does not see."""

from __future__ import annotations

from framework.spec import FrameworkSpec
from portfolio.errors import Invalid
from portfolio.models import Criterion, Framework, Standard
from portfolio.storable import too_long, too_long_message

STANDARD_FIELDS = (
    "urn",
    "title",
    "overview",
    "content",
    "version",
    "date_approved",
    "review_date",
    "validity",
    "status",
    "originating_organisation",
    "occupations",
    "keywords",
)


def check_storable(spec: FrameworkSpec, *, framework: bool = True) -> None:
    """Refuse (Invalid, about the file) a framework with a value longer than the database holds,
    in words that say where it is: the preview (a dry run) says so, never offering an import
    that would then be refused. ``framework``: its own code, title... too (not when standards
    are added to a framework already loaded)."""

    def refuse(whose: str, found: tuple[str, str, int] | None) -> None:
        if found is not None:
            key, value, length = found
            label = f"{whose} {key.replace('_', ' ')}"
            raise Invalid(too_long_message(label, value, length), field="file")

    if framework:
        values = {"code": spec.code, "urn": spec.urn, "title": spec.title, "version": spec.version}
        refuse("The framework's", too_long(Framework, values))
    for s in spec.standards:
        values = {"code": s.code, **{name: getattr(s, name) for name in STANDARD_FIELDS}}
        refuse("A standard's", too_long(Standard, values))
        for c in s.criteria:
            refuse(
                f"In standard {s.code[:64]}, a criterion's",
                too_long(Criterion, {"code": c.code, "kind": c.kind}),
            )
