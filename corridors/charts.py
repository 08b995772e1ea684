"""Chart data and Altair specs for the app (never imports streamlit).

The route planner's "staircase" follows the UN ESCAP time/cost-distance method: cumulative time and
cost are drawn against cumulative distance; moving along a link gives a slope, while waiting at a
border, a transfer terminal or for a ferry adds time (and fees) without distance and so shows as a
vertical step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import altair as alt
import pandas as pd

if TYPE_CHECKING:
    from corridors.routing import Route

__all__ = ["legend_svg", "staircase", "staircase_chart", "staircase_frame", "volumes_chart"]

_STEP_MODES = ("border", "transfer")


def staircase(route: Route, label: str = "Route 1") -> pd.DataFrame:
    """Cumulative distance, time and cost along a route, with waits as vertical steps.

    Columns: ``route``, ``seq`` (drawing order), ``km``, ``hours``, ``usd``, ``kind`` (``start``,
    ``move`` or ``wait``: the segment ending at this point), ``leg`` (text).

    * border crossings and transfers: their dwell or handling time and their whole fee are a step at
      the point reached, then the crossing's short distance (and remaining time) a segment;
    * ferry legs: the expected wait for a sailing is a step, the sailing a slope;
    * line hauls: a slope.
    """
    km = hours = usd = 0.0
    rows: list[dict[str, Any]] = [
        {
            "route": label,
            "seq": 0,
            "km": 0.0,
            "hours": 0.0,
            "usd": 0.0,
            "kind": "start",
            "leg": route.query.origin.name,
        }
    ]

    def add(kind: str, text: str) -> None:
        rows.append(
            {
                "route": label,
                "seq": len(rows),
                "km": round(km, 3),
                "hours": round(hours, 3),
                "usd": round(usd, 2),
                "kind": kind,
                "leg": text,
            }
        )

    for leg in route.legs:
        text = f"{leg.from_name} → {leg.to_name} ({leg.mode})"
        wait = min(max(leg.wait_h, 0.0), leg.time_h)
        if leg.mode in _STEP_MODES:
            hours += wait
            usd += leg.cost_usd
            add("wait", text)
            if leg.distance_km or leg.time_h - wait:
                km += leg.distance_km
                hours += leg.time_h - wait
                add("move", text)
            continue
        if wait > 0:
            hours += wait
            add("wait", f"{text}: waiting for a sailing" if leg.mode == "sea" else text)
        km += leg.distance_km
        hours += leg.time_h - wait
        usd += leg.cost_usd
        add("move", text)
    return pd.DataFrame(rows)


def staircase_frame(routes: Sequence[Route]) -> pd.DataFrame:
    """:func:`staircase` of every route, labelled ``Route 1``, ``Route 2``..."""
    if not routes:
        return pd.DataFrame(columns=["route", "seq", "km", "hours", "usd", "kind", "leg"])
    return pd.concat([staircase(r, f"Route {i}") for i, r in enumerate(routes, start=1)], ignore_index=True)


def _route_scale(labels: Sequence[str], colors: Sequence[Sequence[int]]) -> alt.Scale:
    rng = ["#{:02x}{:02x}{:02x}".format(*colors[i % len(colors)][:3]) for i in range(len(labels))]
    return alt.Scale(domain=list(labels), range=rng)


def staircase_chart(
    frame: pd.DataFrame,
    *,
    y: str = "hours",
    colors: Sequence[Sequence[int]] | None = None,
    height: int = 280,
) -> alt.LayerChart | alt.FacetChart:
    """Line chart of cumulative ``y`` (``hours`` or ``usd``) over km; waits marked with points."""
    from corridors.mapview import ROUTE_COLORS

    labels = list(dict.fromkeys(frame["route"])) if len(frame) else []
    scale = _route_scale(labels, colors or ROUTE_COLORS)
    title = {"hours": "cumulative time (h)", "usd": "cumulative cost (USD)"}[y]
    base = alt.Chart(frame).encode(
        x=alt.X("km:Q", title="cumulative distance (km)", axis=alt.Axis(format=",.0f")),
        y=alt.Y(f"{y}:Q", title=title, axis=alt.Axis(format=",.0f")),
        color=alt.Color("route:N", scale=scale, legend=alt.Legend(title=None, orient="top")),
        tooltip=[
            alt.Tooltip("route:N"),
            alt.Tooltip("leg:N", title="leg"),
            alt.Tooltip("km:Q", format=",.0f"),
            alt.Tooltip("hours:Q", format=",.1f"),
            alt.Tooltip("usd:Q", title="USD", format=",.0f"),
        ],
    )
    line = base.mark_line(strokeWidth=2.5, interpolate="linear").encode(
        order="seq:Q",
        strokeDash=alt.condition(
            alt.datum.route == (labels[0] if labels else ""), alt.value([1, 0]), alt.value([5, 3])
        ),
    )
    waits = base.transform_filter(alt.datum.kind == "wait").mark_point(size=40, filled=True)
    return alt.layer(line, waits).properties(height=height)


_DASHES = {"under_construction": "6 3", "planned": "2 3"}


def legend_svg(rows: Sequence[Mapping[str, Any]], *, width: int = 340, font_px: int = 13) -> str:
    """The overview legend as a standalone SVG document (a static image).

    One bold heading per group, then one row per entry: a line sample (its width in pixels, dashed
    or dotted by status, faded when planned) or a dot (its marker size), and the label. Labels are
    XML-escaped, so dataset strings never become markup. A static image needs no chart library in
    the browser, which keeps the overview quick to draw.

    Parameters
    ----------
    rows
        As :func:`corridors.mapview.legend_rows` gives them (group, label, color, width, mark).
    width
        Image width in pixels; labels longer than the space left are cut with an ellipsis.
    font_px
        Label size in pixels (headings are one pixel larger).

    Returns
    -------
    The SVG markup (``<svg xmlns=...>...</svg>``).
    """
    row_h = max(font_px + 6, 18)
    sample_w, text_x = 34.0, 44.0
    max_chars = max(8, int((width - text_x) / (font_px * 0.55)))
    parts: list[str] = []
    y = 0.0
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            y += 6 if parts else 0
            parts.append(
                f'<text x="0" y="{y + font_px + 1:.1f}" font-size="{font_px + 1}" '
                f'font-weight="bold">{escape(str(group))}</text>'
            )
            y += row_h
        mid = y + row_h / 2
        color = escape(str(row["color"]))
        size = float(row["width"])
        if row["mark"] == "dot":
            parts.append(
                f'<circle cx="{sample_w / 2:.1f}" cy="{mid:.1f}" r="{size * 0.71:.2f}" fill="{color}"/>'
            )
        else:
            dash = _DASHES.get(str(row["mark"]))
            extra = (f' stroke-dasharray="{dash}"' if dash else "") + (
                ' stroke-opacity="0.6"' if row["mark"] == "planned" else ""
            )
            parts.append(
                f'<line x1="2" y1="{mid:.1f}" x2="{sample_w - 2:.1f}" y2="{mid:.1f}" '
                f'stroke="{color}" stroke-width="{size:.2f}"{extra}/>'
            )
        label = str(row["label"])
        if len(label) > max_chars:
            label = label[: max_chars - 1] + "…"
        parts.append(
            f'<text x="{text_x:.0f}" y="{mid + font_px * 0.35:.1f}" '
            f'font-size="{font_px}">{escape(label)}</text>'
        )
        y += row_h
    height = int(y + 4)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Source Sans Pro, Helvetica, Arial, sans-serif" '
        f'fill="#31333f">' + "".join(parts) + "</svg>"
    )


def volumes_chart(table: pd.DataFrame, *, height: int = 320) -> alt.Chart:
    """Bars of every figure by year and subject, figures of one subject-year side by side.

    ``table`` as :func:`corridors.volumes.volume_table` gives it, already narrowed to one metric
    and unit. Partial-year figures are pale; estimates are outlined with a dashed stroke.
    """
    df = table.copy()
    if len(df):
        df["full"] = df["period"].eq("FY")
        df["est"] = df["EST"].eq("EST")
        # side-by-side slot of each figure within its year (a global figure id would make every
        # year as wide as all figures together)
        df = df.sort_values(["year", "subject", "id"])
        df["slot"] = df.groupby("year").cumcount()
    unit = str(df["unit"].iloc[0]) if len(df) else ""
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="year"),
            xOffset=alt.XOffset("slot:O"),
            y=alt.Y("value:Q", title={"t": "tonnes"}.get(unit, unit), axis=alt.Axis(format="~s")),
            color=alt.Color("subject:N", legend=alt.Legend(title=None, orient="top")),
            opacity=alt.condition(alt.datum.full, alt.value(1.0), alt.value(0.45)),
            stroke=alt.condition(alt.datum.est, alt.value("#222222"), alt.value(None)),
            strokeDash=alt.condition(alt.datum.est, alt.value([3, 2]), alt.value([1, 0])),
            tooltip=[
                alt.Tooltip("subject:N"),
                alt.Tooltip("year:O"),
                alt.Tooltip("period:N"),
                alt.Tooltip("value:Q", format=","),
                alt.Tooltip("unit:N"),
                alt.Tooltip("scope:N"),
                alt.Tooltip("EST:N"),
                alt.Tooltip("conflict:N"),
                alt.Tooltip("sources:N"),
            ],
        )
        .properties(height=height)
    )
