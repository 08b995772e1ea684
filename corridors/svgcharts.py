"""Static SVG charts: the planner's staircases and breakdown bars as plain images.

A static image needs no chart library in the browser. The planner's Vega-Lite charts pulled about a
megabyte of script into the page before its map could draw (see the README's *Page load*); the same
lines, points, band and bars drawn here as SVG cost nothing there. Every label is XML-escaped, so
dataset strings never become markup; each mark carries a ``<title>`` (a tooltip where the SVG is
inlined, alternative text for screen readers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

__all__ = ["Series", "line_chart_svg", "nice_ticks", "stacked_bars_svg", "staircase_svg", "breakdown_svg"]

_FONT = "Source Sans Pro, Helvetica, Arial, sans-serif"
_INK = "#31333f"
_GRID = "#e6e6ea"


@dataclass(frozen=True)
class Series:
    """One line of a line chart: ``points`` as (x, y); ``markers`` as (x, y, title) drawn as dots."""

    label: str
    color: str
    points: tuple[tuple[float, float], ...]
    dashed: bool = False
    markers: tuple[tuple[float, float, str], ...] = field(default=())


def nice_ticks(lo: float, hi: float, *, count: int = 5) -> list[float]:
    """About ``count`` round tick values (1, 2 or 5 times a power of ten apart) covering ``lo``..``hi``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else [0.0]
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks, t = [], first
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 or v == int(v) else f"{v:,.1f}"


def _rgb(color: Sequence[int] | str) -> str:
    if isinstance(color, str):
        return color
    return "#{:02x}{:02x}{:02x}".format(*[int(c) for c in color[:3]])


def _svg(width: int, height: int, body: list[str], *, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{_FONT}" font-size="12" fill="{_INK}" role="img">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _legend(
    items: Sequence[tuple[str, str, str]], *, x0: float, y: float, width: float
) -> tuple[list[str], float]:
    """Legend entries (label, color, kind: line/dash/box) laid out left to right, wrapping; returns the
    markup and the height used."""
    parts: list[str] = []
    x, row_h = x0, 18.0
    height = row_h
    for label, color, kind in items:
        text = label if len(label) <= 60 else label[:59] + "…"
        w = 26 + 6.2 * len(text) + 14
        if x > x0 and x + w > x0 + width:
            x, y, height = x0, y + row_h, height + row_h
        mid = y + row_h / 2
        if kind == "box":
            parts.append(
                f'<rect x="{x:.1f}" y="{mid - 5:.1f}" width="18" height="10" fill="{escape(color)}"/>'
            )
        else:
            dash = ' stroke-dasharray="5 3"' if kind == "dash" else ""
            parts.append(
                f'<line x1="{x:.1f}" y1="{mid:.1f}" x2="{x + 18:.1f}" y2="{mid:.1f}" '
                f'stroke="{escape(color)}" stroke-width="2.5"{dash}/>'
            )
        parts.append(f'<text x="{x + 24:.1f}" y="{mid + 4:.1f}">{escape(text)}</text>')
        x += w
    return parts, height


def line_chart_svg(
    series: Sequence[Series],
    *,
    x_title: str,
    y_title: str,
    band: Sequence[tuple[float, float, float]] = (),
    band_label: str = "",
    band_color: str = "#c8553d",
    width: int = 560,
    height: int = 260,
) -> str:
    """A line chart with axes, gridlines, a legend above and an optional shaded band.

    Parameters
    ----------
    series
        The lines, drawn in order (the first on top of the band, later ones over it).
    x_title, y_title
        Axis titles.
    band
        (x, low, high) triples of a shaded area (e.g. P10-P90 of cumulative time).
    band_label
        Legend entry of the band ("" for none).
    width, height
        Image size in pixels (the legend takes part of the height).

    Returns
    -------
    The SVG document.
    """
    legend_items = [(s.label, s.color, "dash" if s.dashed else "line") for s in series]
    if band and band_label:
        legend_items.append((band_label, band_color + "55", "box"))
    leg, leg_h = _legend(legend_items, x0=8, y=2, width=width - 16)
    left, right, top, bottom = 62.0, 14.0, leg_h + 10, 40.0
    pw, ph = width - left - right, height - top - bottom
    xs = [x for s in series for x, _ in s.points] + [b[0] for b in band]
    ys = [y for s in series for _, y in s.points] + [b[2] for b in band] + [0.0]
    x_hi = max(xs, default=1.0) or 1.0
    y_hi = max(ys, default=1.0) or 1.0
    xt, yt = nice_ticks(0.0, x_hi), nice_ticks(0.0, y_hi)
    x_max, y_max = xt[-1] or 1.0, yt[-1] or 1.0

    def px(x: float) -> float:
        return left + pw * x / x_max

    def py(y: float) -> float:
        return top + ph * (1 - y / y_max)

    body = list(leg)
    for t in yt:
        body.append(
            f'<line x1="{left:.1f}" y1="{py(t):.1f}" x2="{left + pw:.1f}" y2="{py(t):.1f}" stroke="{_GRID}"/>'
        )
        body.append(f'<text x="{left - 6:.1f}" y="{py(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    for t in xt:
        body.append(
            f'<line x1="{px(t):.1f}" y1="{top + ph:.1f}" x2="{px(t):.1f}" y2="{top + ph + 4:.1f}" '
            f'stroke="{_INK}"/>'
        )
        body.append(f'<text x="{px(t):.1f}" y="{top + ph + 16:.1f}" text-anchor="middle">{_fmt(t)}</text>')
    body.append(
        f'<line x1="{left:.1f}" y1="{top + ph:.1f}" x2="{left + pw:.1f}" y2="{top + ph:.1f}" '
        f'stroke="{_INK}"/>'
    )
    body.append(
        f'<text x="{left + pw / 2:.1f}" y="{height - 6:.1f}" text-anchor="middle">{escape(x_title)}</text>'
    )
    body.append(
        f'<text transform="translate(14 {top + ph / 2:.1f}) rotate(-90)" text-anchor="middle">'
        f"{escape(y_title)}</text>"
    )
    if band:
        upper = " ".join(f"{px(x):.1f},{py(hi):.1f}" for x, _, hi in band)
        lower = " ".join(f"{px(x):.1f},{py(lo):.1f}" for x, lo, _ in reversed(band))
        body.append(
            f'<polygon points="{upper} {lower}" fill="{band_color}" fill-opacity="0.18" stroke="none">'
            f"<title>{escape(band_label)}</title></polygon>"
        )
    for s in reversed(series):  # the first series on top
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in s.points)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        body.append(
            f'<polyline points="{pts}" fill="none" stroke="{escape(s.color)}" stroke-width="2.5" '
            f'stroke-linejoin="round"{dash}><title>{escape(s.label)}</title></polyline>'
        )
        for x, y, tip in s.markers:
            body.append(
                f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.2" fill="{escape(s.color)}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    return _svg(width, height, body, title=f"{y_title} over {x_title}")


def stacked_bars_svg(
    rows: Sequence[tuple[str, Mapping[str, float]]],
    *,
    parts: Sequence[str],
    colors: Sequence[str],
    unit: str,
    width: int = 560,
    bar_h: int = 22,
) -> str:
    """Horizontal stacked bars, one per row (label, {part: value}), parts in the order given.

    Segments wide enough carry their value; every segment has a ``<title>`` with label, part and value.
    """
    leg, leg_h = _legend(
        [(p, colors[i % len(colors)], "box") for i, p in enumerate(parts)], x0=8, y=2, width=width - 16
    )
    left, right, top = 70.0, 64.0, leg_h + 8
    pw = width - left - right
    total_max = max((sum(max(0.0, v) for v in vals.values()) for _, vals in rows), default=0.0) or 1.0
    ticks = nice_ticks(0.0, total_max, count=4)
    scale = pw / (ticks[-1] or 1.0)
    gap = 8
    height = int(top + len(rows) * (bar_h + gap) + 30)
    body = list(leg)
    axis_y = top + len(rows) * (bar_h + gap)
    for t in ticks:
        x = left + t * scale
        body.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{axis_y:.1f}" stroke="{_GRID}"/>')
        body.append(f'<text x="{x:.1f}" y="{axis_y + 14:.1f}" text-anchor="middle">{_fmt(t)}</text>')
    body.append(f'<text x="{left + pw:.1f}" y="{axis_y + 27:.1f}" text-anchor="end">{escape(unit)}</text>')
    for i, (label, vals) in enumerate(rows):
        y = top + i * (bar_h + gap)
        body.append(
            f'<text x="{left - 6:.1f}" y="{y + bar_h / 2 + 4:.1f}" text-anchor="end">{escape(label)}</text>'
        )
        x = left
        for j, p in enumerate(parts):
            v = max(0.0, float(vals.get(p, 0.0)))
            if v <= 0:
                continue
            w = v * scale
            c = colors[j % len(colors)]
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" fill="{escape(c)}">'
                f"<title>{escape(f'{label}: {p} {_fmt(v)} {unit}')}</title></rect>"
            )
            text = _fmt(v)
            if w > 7 * len(text) + 6:
                body.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + bar_h / 2 + 4:.1f}" text-anchor="middle" '
                    f'fill="#ffffff">{text}</text>'
                )
            x += w
        total = sum(max(0.0, float(vals.get(p, 0.0))) for p in parts)
        body.append(f'<text x="{x + 4:.1f}" y="{y + bar_h / 2 + 4:.1f}">{_fmt(total)}</text>')
    return _svg(width, height, body, title=f"{unit} by part")


def staircase_svg(
    frame: pd.DataFrame,
    *,
    y: str = "hours",
    colors: Sequence[Sequence[int]] | None = None,
    band: pd.DataFrame | None = None,
    width: int = 560,
    height: int = 250,
) -> str:
    """The time or cost staircase of :func:`corridors.charts.staircase_frame` as SVG.

    Route 1 is solid, alternatives dashed; waits (border dwell, transfers, ferry waits) are dots;
    ``band`` (:func:`corridors.charts.staircase_band`) shades the best route's P10-P90 cumulative time.
    """
    from corridors.mapview import ROUTE_COLORS

    palette = colors or ROUTE_COLORS
    series = []
    for i, (label, df) in enumerate(frame.groupby("route", sort=False)):
        df = df.sort_values("seq")
        pts = tuple((float(k), float(v)) for k, v in zip(df["km"], df[y], strict=True))
        marks = tuple(
            (float(r["km"]), float(r[y]), f"{label}: {r['leg']} ({r['hours']:,.1f} h, {r['usd']:,.0f} USD)")
            for r in df[df["kind"] == "wait"].to_dict("records")
        )
        series.append(Series(str(label), _rgb(palette[i % len(palette)]), pts, dashed=i > 0, markers=marks))
    title = {"hours": "cumulative time (h)", "usd": "cumulative cost (USD)"}[y]
    triples: list[tuple[float, float, float]] = []
    if band is not None and y == "hours" and len(band):
        triples = [(float(r["km"]), float(r["p10"]), float(r["p90"])) for r in band.to_dict("records")]
    return line_chart_svg(
        series,
        x_title="cumulative distance (km)",
        y_title=title,
        band=triples,
        band_label="Route 1: P10–P90" if triples else "",
        width=width,
        height=height,
    )


def breakdown_svg(frame: pd.DataFrame, *, kind: str, width: int = 560) -> str:
    """Cost items (``kind="cost"``, USD) or time parts (``kind="time"``, hours) per route as stacked
    bars, from :func:`corridors.charts.breakdown_frame`."""
    from corridors.charts import COST_LABELS, TIME_PARTS

    df = frame[frame["kind"] == kind]
    parts = list(COST_LABELS.values()) if kind == "cost" else list(TIME_PARTS)
    colors = (
        ["#3b6fb6", "#2a9d8f", "#e9a23b", "#c8553d"]
        if kind == "cost"
        else ["#3b6fb6", "#c8553d", "#2a9d8f", "#e9a23b", "#6d597a"]
    )
    rows: list[tuple[str, dict[str, Any]]] = []
    for route, g in df.groupby("route", sort=False):
        rows.append((str(route), {str(p): float(v) for p, v in zip(g["part"], g["value"], strict=True)}))
    return stacked_bars_svg(
        rows, parts=parts, colors=colors, unit="USD" if kind == "cost" else "hours", width=width
    )
