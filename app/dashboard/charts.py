"""Geometry of the dashboard's SVG bar chart, drawn server-side (no script, no CDN)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass
class Tick:
    y: float
    value: int


@dataclass
class AxisLabel:
    x: float
    text: str


@dataclass
class ColumnChart:
    width: int
    height: int
    left: int
    top: int
    bottom: float  # y of the x axis
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[AxisLabel]


def nice_max(value: int) -> int:
    """A round top for the y axis at or above ``value`` (1, 2, 5 x 10^n), at least 1."""
    if value <= 1:
        return 1
    magnitude = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def tick_step(top_value: int) -> int:
    """A whole-number step (1, 2, 5 x 10^n) giving at most six ticks from 0 to ``top_value``."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if top_value / (step * magnitude) <= 5:
                return step * magnitude
        magnitude *= 10


def column_chart(
    points: Sequence[tuple[str, int]],
    *,
    width: int = 720,
    height: int = 220,
    label_every: int = 7,
) -> ColumnChart:
    """Bars for ``points`` (label, value) in a ``width`` x ``height`` viewBox, with whole-number
    y ticks and every ``label_every``-th x label (counted from the last, so today shows)."""
    left, right, top, bottom_margin = 36, 8, 12, 24
    plot_w, plot_h = width - left - right, height - top - bottom_margin
    top_value = nice_max(max((v for _, v in points), default=0))
    slot = plot_w / max(1, len(points))
    gap = min(4.0, slot * 0.2)
    bars, labels = [], []
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top_value
        x = left + i * slot + gap / 2
        bars.append(Bar(round(x, 2), round(top + plot_h - h, 2), round(slot - gap, 2), round(h, 2), label, value))
        if (len(points) - 1 - i) % label_every == 0:
            labels.append(AxisLabel(round(x + (slot - gap) / 2, 2), label))
    step = tick_step(top_value)
    ticks = [Tick(round(top + plot_h - plot_h * v / top_value, 2), v) for v in range(0, top_value + 1, step)]
    return ColumnChart(width, height, left, top, top + plot_h, bars, ticks, labels)
