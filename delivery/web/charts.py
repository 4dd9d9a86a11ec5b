"""Charts drawn on the server as inline SVG: no script, nothing the CSP has to allow.

Each builder takes plain figures and returns a :class:`Chart`: the shapes already laid out in a
fixed view box (the SVG scales to its container, so a phone shows it whole), a title and a
description for assistive technology (``role="img"`` with ``<title>`` and ``<desc>``), a legend,
and the same figures as a table (``templates/_charts.html`` puts it in a "Show as a table"
disclosure). Colours come from CSS classes (``chart-*`` in ``site.css``), never inline styles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WIDTH = 640
PLOT_LEFT = 44
PLOT_TOP = 12
PLOT_HEIGHT = 180
LABEL_ROOM = 40


@dataclass(frozen=True)
class Shape:
    x: float
    y: float
    width: float
    height: float
    css: str
    label: str  # said on hover (an SVG <title>)


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"
    full: str = ""  # what an abbreviation drawn stands for (its SVG <title>)


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # chart-good, chart-wait, chart-bad, chart-none, chart-line
    values: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    shapes: tuple[Shape, ...]
    texts: tuple[Text, ...]
    legend: tuple[tuple[str, str], ...]  # (css, name)
    head: tuple[str, ...]  # the table view
    rows: tuple[tuple[str, ...], ...]
    abbreviations: tuple[tuple[str, str], ...] = ()  # (drawn, in words): the key under it

    @property
    def empty(self) -> bool:
        return not self.rows


def _nice_top(largest: int) -> int:
    """A round top for the value axis: 4, 10, 20, 50, 100..."""
    for top in (4, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if largest <= top:
            return top
    return largest


def stacked_bars(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    category_head: str,
    extra: Sequence[tuple[str, Sequence[str]]] = (),
    axis: Sequence[str] | None = None,
) -> Chart:
    """Vertical bars, one per category, each stacking the series' values; ``extra`` adds columns
    (head, one text per category) to the table view only; ``axis`` gives shorter names to write
    under the bars (the table keeps ``categories``)."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top = _nice_top(max(totals, default=0) or 1)
    slot = (WIDTH - PLOT_LEFT - 8) / max(len(categories), 1)
    bar = max(min(slot * 0.7, 48), 2)
    scale = PLOT_HEIGHT / top
    base = PLOT_TOP + PLOT_HEIGHT
    shapes: list[Shape] = []
    texts = [Text(PLOT_LEFT - 6, base - v * scale + 4, str(v), "end") for v in (0, top // 2, top)]
    step = max(1, round(len(categories) / 12))  # at most about a dozen labels under the bars
    for i, name in enumerate(categories):
        x = PLOT_LEFT + i * slot + (slot - bar) / 2
        y = float(base)
        for s in series:
            h = s.values[i] * scale
            if h:
                y -= h
                shapes.append(Shape(x, y, bar, h, s.css, f"{name}: {s.values[i]} {s.name}"))
        if i % step == 0:
            for line, words in enumerate((axis[i] if axis else name).split("\n")):
                texts.append(Text(x + bar / 2, base + 16 + 13 * line, words))
    head = (category_head, *(s.name.capitalize() for s in series), *(h for h, _ in extra))
    rows = tuple(
        (name, *(str(s.values[i]) for s in series), *(cells[i] for _, cells in extra))
        for i, name in enumerate(categories)
    )
    return Chart(chart_id, title, description, WIDTH, PLOT_TOP + PLOT_HEIGHT + LABEL_ROOM,
                 tuple(shapes), tuple(texts), tuple((s.css, s.name) for s in series), head,
                 rows if any(totals) else ())  # fmt: skip


def share_bars(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    category_head: str,
) -> Chart:
    """Horizontal bars of equal length, one per category, split by each series' share of it."""
    row_height, label_room = 26, 96
    length = WIDTH - label_room - 8
    shapes: list[Shape] = []
    texts: list[Text] = []
    for i, name in enumerate(categories):
        total = sum(s.values[i] for s in series)
        y = PLOT_TOP + i * row_height
        texts.append(Text(label_room - 8, y + 15, name, "end"))
        x = float(label_room)
        for s in series:
            w = length * s.values[i] / total if total else 0
            if w:
                pct = round(100 * s.values[i] / total)
                shapes.append(Shape(x, y, w, row_height - 6, s.css,
                                    f"{name}: {s.values[i]} {s.name} ({pct}%)"))  # fmt: skip
                x += w
    head = (category_head, *(s.name.capitalize() for s in series))
    rows = tuple((name, *(str(s.values[i]) for s in series)) for i, name in enumerate(categories))
    height = PLOT_TOP * 2 + max(len(categories), 1) * row_height
    legend = tuple((s.css, s.name) for s in series)
    return Chart(chart_id, title, description, WIDTH, height, tuple(shapes), tuple(texts),
                 legend, head, rows)  # fmt: skip


def state_grid(
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, Sequence[str]]],
    columns: Sequence[str],
    states: Sequence[tuple[str, str]],
    column_names: Sequence[str] | None = None,
) -> Chart:
    """A grid of cells coloured by state: ``rows`` are (name, one state per column); ``states``
    (state, css) in the legend's order; ``column_names``: the columns in words for each cell's
    title and the table view, where ``columns`` are short enough to draw ("WT")."""
    names = column_names or columns
    label_room, top_room = 150, 28
    cell = max(min((WIDTH - label_room - 8) / max(len(columns), 1), 40), 14)
    css = dict(states)
    shapes: list[Shape] = []
    texts = [
        Text(
            label_room + j * cell + cell / 2, top_room - 10, code, full=full if full != code else ""
        )
        for j, (code, full) in enumerate(zip(columns, names, strict=True))
    ]
    key = tuple((code, full) for code, full in zip(columns, names, strict=True) if code != full)
    for i, (name, cells) in enumerate(rows):
        y = top_room + i * cell
        texts.append(Text(label_room - 8, y + cell / 2 + 4, name[:22], "end"))
        for j, state in enumerate(cells):
            shapes.append(Shape(label_room + j * cell + 1, y + 1, cell - 2, cell - 2,
                                css.get(state, "chart-none"), f"{name}, {names[j]}: {state}"))  # fmt: skip
    width = int(max(WIDTH, label_room + len(columns) * cell + 8))
    height = int(top_room + max(len(rows), 1) * cell + 8)
    table = tuple((name, *cells) for name, cells in rows)
    legend = tuple((c, s) for s, c in states)
    return Chart(chart_id, title, description, width, height, tuple(shapes), tuple(texts),
                 legend, ("", *names), table, key)  # fmt: skip


def month_label(day: date) -> str:
    """The name of a month in a table: "December 2026"."""
    return f"{day:%B %Y}"


def month_axis(months: Sequence[date]) -> list[str]:
    """Month names under bars: "Dec", with the year below the first and each January."""
    return [
        f"{m:%b}\n{m:%Y}" if i == 0 or m.month == 1 else f"{m:%b}" for i, m in enumerate(months)
    ]


def last_months(today: date, count: int = 12) -> list[date]:
    """The first days of the ``count`` months ending with ``today``'s, oldest first."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]
