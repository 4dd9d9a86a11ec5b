"""Write a framework as the one-row-per-criterion CSV that ``parse_csv`` reads."""

from __future__ import annotations

import csv
import io

from framework.parse.csv_units import COLUMNS
from framework.spec import FrameworkSpec


def framework_to_csv(fw: FrameworkSpec) -> str:
    """CSV text (header + one row per criterion). Standards without criteria cannot be written."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for std in fw.standards:
        for n, c in enumerate(std.criteria):
            first = n == 0
            writer.writerow(
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
    return out.getvalue()
