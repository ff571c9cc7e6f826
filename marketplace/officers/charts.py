"""The geometry of the dashboard's small SVG charts, worked out here so that templates only draw.

Widths are percentages of the chart's width and heights are pixels: the SVG fills any column from a
360 px phone to a desktop and its text keeps its size (a viewBox would shrink the words on a phone).
"""
from __future__ import annotations

from dataclasses import dataclass

COLUMN_PLOT_TOP = 22
COLUMN_PLOT_HEIGHT = 150
BAR_ROW_HEIGHT = 46


@dataclass(frozen=True)
class Column:
    label: str  # under the column: "Jul"
    sublabel: str  # under the label: the year, at the first column and at each January
    text: str  # the value as written, for the column's tooltip
    x: float  # left edge, percent of the width
    width: float  # percent
    y: float  # top, px
    height: float  # px


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    baseline: int  # px
    height: int  # px, the whole SVG
    top_text: str  # the largest value, written at the top line


def column_chart(points: list[tuple[str, str, int, str]]) -> ColumnChart:
    """Columns from (label, sublabel, value, text) points, the tallest reaching the top line."""
    top = max((value for _, _, value, _ in points), default=0)
    count = max(len(points), 1)
    slot = 100 / count
    columns = []
    for index, (label, sublabel, value, text) in enumerate(points):
        height = round(COLUMN_PLOT_HEIGHT * value / top, 1) if top > 0 and value > 0 else 0
        height = max(height, 1.5) if value > 0 else 0  # a small value still shows
        columns.append(Column(label, sublabel, text, round(index * slot + slot * 0.15, 3), round(slot * 0.7, 3),
                              COLUMN_PLOT_TOP + COLUMN_PLOT_HEIGHT - height, height))
    top_text = next((text for _, _, value, text in points if value == top), "") if top > 0 else ""
    return ColumnChart(columns, COLUMN_PLOT_TOP + COLUMN_PLOT_HEIGHT, COLUMN_PLOT_TOP + COLUMN_PLOT_HEIGHT + 40,
                       top_text)


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    label_y: int  # baseline of the label, px
    y: int  # top of the bar, px
    width: float  # percent of the width
    text_inside: bool  # a long bar carries its value inside, a short one after it


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int


def bar_chart(rows: list[tuple[str, int, str]], scale_to: int | None = None) -> BarChart:
    """Horizontal bars from (label, value, text) rows, each under its label; the longest is 100%
    (or scale_to, when several charts share a scale)."""
    top = scale_to if scale_to is not None else max((value for _, value, _ in rows), default=0)
    bars = []
    for index, (label, value, text) in enumerate(rows):
        width = round(100 * value / top, 3) if top > 0 and value > 0 else 0
        if value > 0:
            width = max(width, 0.5)
        y = index * BAR_ROW_HEIGHT
        bars.append(Bar(label, text, y + 15, y + 22, width, width >= 60))
    return BarChart(bars, max(len(rows), 1) * BAR_ROW_HEIGHT)
