"""Small inline SVG charts, drawn on the server: no script, no library, no external request.

Each chart is an ``<svg role="img">`` with a title and a description; the page puts a table
with the same numbers next to it, which is what screen readers and copy-paste use. Colours
come from classes in the stylesheet (the page's CSP allows no inline style).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup

from comments.moderation_ui.present import duration
from comments.moderation_ui.stats import DayOutcomes, Overrules, Timing

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 30, 40
_ids = count(1)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str
    css: str = "series-1"


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    css: str
    values: Sequence[float | None]


def _frame(title: str, desc: str, body: list[Markup], height: int = HEIGHT) -> Markup:
    ident = next(_ids)
    head = Markup(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="chart-{i}-t chart-{i}-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-{i}-t">{title}</title><desc id="chart-{i}-d">{desc}</desc>'
    ).format(w=WIDTH, h=height, i=ident, title=title, desc=desc)
    return head + Markup("").join(body) + Markup("</svg>")


def _empty(title: str) -> Markup:
    text = Markup('<text class="chart-empty" x="{}" y="36">No data yet</text>').format(WIDTH // 2)
    return _frame(title, "No data yet.", [text], height=60)


def _y_axis(top: float, fmt: str, height: int = HEIGHT) -> list[Markup]:
    """Four gridlines from zero to ``top`` with their labels."""
    parts = []
    inner = height - TOP - BOTTOM
    for step in range(5):
        value = top * step / 4
        y = height - BOTTOM - inner * step / 4
        parts.append(
            Markup(
                '<line class="grid" x1="{l}" x2="{r}" y1="{y:.1f}" y2="{y:.1f}"/>'
                '<text class="tick" x="{tx}" y="{ty:.1f}" text-anchor="end">{label}</text>'
            ).format(l=LEFT, r=WIDTH - RIGHT, y=y, tx=LEFT - 6, ty=y + 4, label=fmt.format(value))
        )
    return parts


def _x_labels(labels: Sequence[str], xs: Sequence[float], height: int = HEIGHT) -> list[Markup]:
    every = max(1, math.ceil(len(labels) / 8))
    return [
        Markup('<text class="tick" x="{x:.1f}" y="{y}" text-anchor="middle">{t}</text>').format(
            x=x, y=height - BOTTOM + 18, t=label
        )
        for index, (label, x) in enumerate(zip(labels, xs, strict=True))
        if index % every == 0 or index == len(labels) - 1
    ]


def _legend(series: Sequence[Series]) -> list[Markup]:
    parts, x = [], LEFT
    for item in series:
        parts.append(
            Markup(
                '<rect class="{c} swatch" x="{x}" y="8" width="12" height="12"/>'
                '<text class="legend" x="{tx}" y="18">{n}</text>'
            ).format(c=item.css, x=x, tx=x + 16, n=item.name)
        )
        x += 28 + 9 * len(item.name)
    return parts


def _xs(n: int) -> list[float]:
    inner = WIDTH - LEFT - RIGHT
    if n == 1:
        return [LEFT + inner / 2]
    return [LEFT + 12 + (inner - 24) * i / (n - 1) for i in range(n)]


def line_chart(
    title: str, desc: str, labels: Sequence[str], series: Sequence[Series], top: float, fmt: str
) -> Markup:
    """One polyline per series; a gap where a value is None; a dot with a tooltip per point."""
    if not labels:
        return _empty(title)
    xs, inner = _xs(len(labels)), HEIGHT - TOP - BOTTOM
    body = [*_y_axis(top, fmt), *_x_labels(labels, xs), *_legend(series)]
    for item in series:
        points = [
            (x, HEIGHT - BOTTOM - inner * min(value, top) / top, label, value)
            for x, label, value in zip(xs, labels, item.values, strict=True)
            if value is not None
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        body.append(Markup('<polyline class="line {}" points="{}"/>').format(item.css, path))
        for x, y, label, value in points:
            body.append(
                Markup(
                    '<circle class="dot {c}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                    "<title>{n} {l}: {v}</title></circle>"
                ).format(c=item.css, x=x, y=y, n=item.name, l=label, v=fmt.format(value))
            )
    return _frame(title, desc, body)


def bar_chart(title: str, desc: str, bars: Sequence[Bar], top: float | None = None) -> Markup:
    """Horizontal bars, one per row, with the label left and the value as text at the end."""
    if not bars:
        return _empty(title)
    # Wide enough for the longest label at the larger font some pages use (about 8.5 px a
    # character), so "Deleted by author" or a model version is not cut at the left edge.
    row = 28
    label_width = min(200, max(60, 12 + round(8.5 * max(len(bar.label[:24]) for bar in bars))))
    height = TOP + row * len(bars) + 8
    top = top or max((bar.value for bar in bars), default=0) or 1
    inner = WIDTH - label_width - RIGHT - 96
    body = []
    for index, bar in enumerate(bars):
        y = TOP + index * row
        width = max(1.0, inner * bar.value / top) if bar.value else 0.0
        body.append(
            Markup(
                '<text class="bar-label" x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
                '<rect class="bar {c}" x="{x}" y="{y}" width="{w:.1f}" height="18">'
                "<title>{label}: {text}</title></rect>"
                '<text class="bar-value" x="{vx:.1f}" y="{ty}">{text}</text>'
            ).format(
                lx=label_width - 8,
                ty=y + 13,
                label=bar.label[:24],
                c=bar.css,
                x=label_width,
                y=y,
                w=width,
                text=bar.text,
                vx=label_width + width + 6,
            )
        )
    return _frame(title, desc, body, height=height)


def queue_sizes_chart(sizes: dict[str, int], labels: dict[str, str]) -> Markup:
    bars = [
        Bar(labels[queue], float(size), str(size), f"queue-{queue}")
        for queue, size in sizes.items()
    ]
    return bar_chart("Queue sizes", "Comments in each queue now.", bars)


def rates_chart(days: Sequence[DayOutcomes]) -> Markup:
    labels = [day.day.strftime("%d %b") for day in days]
    series = [
        Series("auto-published", "series-published", [100 * d.rate("published") for d in days]),
        Series("held", "series-pending", [100 * d.rate("pending") for d in days]),
        Series("spam", "series-spam", [100 * d.rate("spam") for d in days]),
    ]
    desc = "Share of the model's decisions per day that published, held or filed as spam."
    return line_chart("Model outcomes per day", desc, labels, series, 100.0, "{:.0f}%")


def overrule_chart(rows: Sequence[Overrules]) -> Markup:
    bars = [
        Bar(
            row.model_version or "no model",
            100 * (row.rate or 0.0),
            f"{100 * row.rate:.0f}% of {row.reviewed}" if row.rate is not None else "not reviewed",
            "series-overrule",
        )
        for row in rows
    ]
    desc = "Share of staff-reviewed comments where the moderator changed the model's decision."
    return bar_chart("Overrule rate per model version", desc, bars, top=100.0)


def timing_chart(timing: Timing) -> Markup:
    if not timing.by_day:
        return _empty("Median time to decision")
    hours = [day.median_seconds / 3600 for day in timing.by_day]
    top = max(hours)
    unit, scale = ("hours", 1.0) if top >= 2 else ("minutes", 60.0)
    values = [h * scale for h in hours]
    top = max(values) * 1.15 or 1
    labels = [day.day.strftime("%d %b") for day in timing.by_day]
    desc = "Median time from a comment's arrival to its first moderator verdict, per day."
    median = duration(timing.median_seconds)
    series = [Series(f"median ({unit}; overall {median})", "series-timing", values)]
    return line_chart("Median time to decision", desc, labels, series, top, "{:.1f}")
