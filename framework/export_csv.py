"""Write a framework as the one-row-per-criterion CSV that ``parse_csv`` reads."""

from __future__ import annotations

from collections.abc import Iterator

from framework import tabular
from framework.parse.csv_units import COLUMNS
from framework.spec import FrameworkSpec


def framework_to_csv(fw: FrameworkSpec) -> str:
    """CSV text (header + one row per criterion). Standards without criteria cannot be written."""
    return tabular.csv_text(COLUMNS, _rows(fw))


def _rows(fw: FrameworkSpec) -> Iterator[list[str]]:
    for std in fw.standards:
        for n, c in enumerate(std.criteria):
            first = n == 0
            yield (
                [
                    fw.code,
                    fw.title,
                    fw.version,
                    std.code,
                    std.title,
                    std.urn,
                    std.overview if first else "",
                    c.kind,
                    c.code,
                    c.text,
                ]
            )
