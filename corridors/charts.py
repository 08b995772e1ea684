"""Chart data and Altair specs for the app (never imports streamlit).

The route planner's "staircase" follows the UN ESCAP time/cost-distance method: cumulative time and
cost are drawn against cumulative distance; moving along a link gives a slope, while waiting at a
border, a transfer terminal or for a ferry adds time (and fees) without distance and so shows as a
vertical step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import altair as alt
import pandas as pd

if TYPE_CHECKING:
    from corridors.routing import Route

__all__ = [
    "TIME_PARTS",
    "breakdown_chart",
    "chart_spec",
    "breakdown_frame",
    "legend_svg",
    "staircase",
    "staircase_band",
    "staircase_chart",
    "staircase_frame",
    "time_parts",
    "volumes_chart",
]

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


#: Altair's default theme (``altair/vegalite/v6/theme.py``), stated so that a spec never depends on
#: the theme another thread has switched on.
_DEFAULT_THEME: dict[str, Any] = {"config": {"view": {"continuousWidth": 300, "continuousHeight": 300}}}


def _inline_frames(obj: Any) -> None:
    """Replace every pandas frame a chart (or its layers, facets, concatenations) holds as ``data``
    by the ``{"values": [...]}`` Altair's default data transformer would make of it."""
    from altair.utils.core import sanitize_pandas_dataframe
    from altair.utils.schemapi import SchemaBase

    if isinstance(obj, list):
        for item in obj:
            _inline_frames(item)
        return
    if not isinstance(obj, SchemaBase):
        return
    for key, value in list(obj._kwds.items()):
        if key == "data" and isinstance(value, pd.DataFrame):
            obj._kwds[key] = {"values": sanitize_pandas_dataframe(value).to_dict(orient="records")}
        else:
            _inline_frames(value)


def chart_spec(chart: alt.TopLevelMixin, *, validate: bool = True) -> dict[str, Any]:
    """The Vega-Lite dict of a chart, the same in every thread (``chart`` is not changed).

    ``Chart.to_dict()`` reads Altair's global data transformer and theme. Streamlit switches both
    (under a lock of its own) while it converts a chart for a session, so a plain ``to_dict()`` run
    by another session's thread meanwhile returned a spec whose data was a reference into the other
    session's message (an empty chart) and without the theme's config, or raised ``TypeError:
    default_data_transformer() got an unexpected keyword argument 'datasets'``. Here the frames are
    turned into inline values first (no transformer is read) and the default theme is applied
    whatever theme is active.
    """
    copy = chart.copy(deep=True)
    _inline_frames(copy)
    spec = copy.to_dict(validate=validate)
    return alt.utils.update_nested(_DEFAULT_THEME, spec, copy=True)


def _route_scale(labels: Sequence[str], colors: Sequence[Sequence[int]]) -> alt.Scale:
    rng = ["#{:02x}{:02x}{:02x}".format(*colors[i % len(colors)][:3]) for i in range(len(labels))]
    return alt.Scale(domain=list(labels), range=rng)


def staircase_chart(
    frame: pd.DataFrame,
    *,
    y: str = "hours",
    colors: Sequence[Sequence[int]] | None = None,
    height: int = 280,
    band: pd.DataFrame | None = None,
) -> alt.LayerChart | alt.FacetChart:
    """Line chart of cumulative ``y`` (``hours`` or ``usd``) over km; waits marked with points.

    ``band`` (:func:`staircase_band`) adds the best route's P10-P90 band of cumulative time.
    """
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
    if band is not None and y == "hours" and len(band):
        area = (
            alt.Chart(band)
            .mark_area(opacity=0.18, color="#c8553d")
            .encode(
                x="km:Q",
                y="p10:Q",
                y2="p90:Q",
                tooltip=[
                    alt.Tooltip("km:Q", format=",.0f"),
                    alt.Tooltip("p10:Q", title="P10 h", format=",.0f"),
                    alt.Tooltip("p90:Q", title="P90 h", format=",.0f"),
                ],
            )
        )
        return alt.layer(area, line, waits).properties(height=height)
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


#: Colours of chart subjects that have no colour of their own (places, links): Tableau 20, then a few
#: darker ones; those a caller reserves (the corridors' map colours) are skipped.
_SUBJECT_FALLBACK = (
    "#4e79a7", "#a0cbe8", "#f28e2b", "#ffbe7d", "#59a14f", "#8cd17d", "#b6992d", "#f1ce63", "#499894",
    "#86bcb6", "#e15759", "#ff9d9a", "#79706e", "#bab0ac", "#d37295", "#fabfd2", "#b07aa1", "#d4a6c8",
    "#9d7660", "#d7b5a6", "#003f5c", "#665191", "#a05195", "#2f4b7c", "#ff7c43", "#1b7837",
)  # fmt: skip


def volumes_chart(
    table: pd.DataFrame,
    *,
    height: int = 320,
    colors: Mapping[str, Sequence[int]] | None = None,
    year_labels: Mapping[int, str] | None = None,
    reserved: Iterable[Sequence[int]] = (),
) -> alt.Chart:
    """Bars of every figure by year and subject, figures of one subject-year side by side.

    ``table`` as :func:`corridors.volumes.volume_table` gives it, already narrowed to one metric
    and unit. A full-year figure is a filled bar; a figure for part of a year is an outlined bar
    (a faint fill inside an outline of the subject's colour), so it never reads as another subject's
    paler colour; an estimate or forecast has a dark dashed outline.

    Parameters
    ----------
    table
        The figures to draw.
    height
        Chart height in pixels.
    colors
        Subject display name -> RGB: the map's colour of that subject (e.g.
        :func:`corridors.mapview.corridor_colors` by corridor name). Other subjects take distinct
        colours of a fixed palette in order of appearance (repeating only after 26).
    reserved
        RGB colours other subjects must not take (e.g. the corridors' map colours when the bars
        are places, so that a place never looks like a corridor).
    year_labels
        Year -> axis label (e.g. ``"2030 (forecast)"``, :func:`corridors.volumes.year_labels`); a
        label other than the plain year is drawn under the year.
    """
    df = table.copy()
    if len(df):
        df["full"] = df["period"].eq("FY")
        df["est"] = df["EST"].eq("EST")
        df["conflicting"] = df["conflict"].map(lambda c: "yes" if isinstance(c, str) and c else "")
        df["part"] = df["period"].where(~df["full"], "full year")
        # side-by-side slot of each figure within its year (a global figure id would make every
        # year as wide as all figures together)
        df = df.sort_values(["year", "subject", "id"])
        df["slot"] = df.groupby("year").cumcount()
    unit = str(df["unit"].iloc[0]) if len(df) else ""
    names = list(dict.fromkeys(df["subject"])) if len(df) else []
    given = {str(k): _hex(v) for k, v in (colors or {}).items()}
    taken = set(given.values()) | {_hex(c) for c in reserved}
    spare = [c for c in _SUBJECT_FALLBACK if c not in taken] or list(_SUBJECT_FALLBACK)
    rng, i = [], 0
    for n in names:
        if n in given:
            rng.append(given[n])
        else:
            rng.append(spare[i % len(spare)])
            i += 1
    scale = alt.Scale(domain=names, range=rng)
    x_axis = alt.Axis(labelAngle=0)
    marked = {int(y): str(lab) for y, lab in (year_labels or {}).items() if str(lab) != str(y)}
    if marked:
        expr = "datum.label"
        for y, lab in sorted(marked.items()):
            extra = lab[len(str(y)) :].strip(" ()") if lab.startswith(str(y)) else lab
            extra = extra.replace("\\", "").replace("'", "")
            expr = f"datum.value == {y} ? ['{y}', '{extra}'] : " + expr
        x_axis = alt.Axis(labelAngle=0, labelExpr=expr)
    return (
        alt.Chart(df)
        .mark_bar(strokeWidth=2)
        .encode(
            x=alt.X("year:O", title="year", axis=x_axis),
            xOffset=alt.XOffset("slot:O"),
            y=alt.Y("value:Q", title={"t": "tonnes"}.get(unit, unit), axis=alt.Axis(format="~s")),
            color=alt.Color("subject:N", scale=scale, legend=alt.Legend(title=None, orient="top")),
            fillOpacity=alt.condition(alt.datum.full, alt.value(1.0), alt.value(0.12)),
            stroke=alt.condition(
                alt.datum.est, alt.value("#222222"), alt.Stroke("subject:N", scale=scale, legend=None)
            ),
            strokeDash=alt.condition(alt.datum.est, alt.value([4, 2]), alt.value([1, 0])),
            tooltip=[
                alt.Tooltip("subject:N"),
                alt.Tooltip("year:O"),
                alt.Tooltip("part:N", title="period"),
                alt.Tooltip("value:Q", format=","),
                alt.Tooltip("unit:N"),
                alt.Tooltip("scope:N"),
                alt.Tooltip("EST:N"),
                alt.Tooltip("conflicting:N", title="sources disagree"),
                alt.Tooltip("sources:N"),
            ],
        )
        .properties(height=height)
    )


def _hex(c: Sequence[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*[int(v) for v in c[:3]])


#: Where the time goes: the parts of a route's time, in display order.
TIME_PARTS = ("moving", "border dwell", "port and ferry waiting", "transshipment", "disruption delays")
#: Cost items as shown.
COST_LABELS = {k: k.replace("_", " ") for k in ("line_haul", "sea_freight", "handling", "border")}


def time_parts(route: Route) -> dict[str, float]:
    """Hours of a route by part (:data:`TIME_PARTS`): moving; border dwell; waiting for sailings and
    trains plus handling at ports (a transfer to or from a ship); gauge changes and other transfers;
    disruption delays."""
    parts = dict.fromkeys(TIME_PARTS, 0.0)
    for leg in route.legs:
        parts["moving"] += leg.run_h
        parts["border dwell"] += leg.dwell_h
        parts["port and ferry waiting"] += leg.departure_h
        parts["disruption delays"] += leg.delay_h
        at_port = leg.operation == "transfer" and ("/sea" in leg.note or "sea/" in leg.note)
        parts["port and ferry waiting" if at_port else "transshipment"] += leg.handling_h
    return parts


def breakdown_frame(routes: Sequence[Route]) -> pd.DataFrame:
    """Long frame of every route's cost items and time parts: ``route``, ``kind`` (cost, time),
    ``part``, ``value``, ``order``."""
    rows = []
    for i, r in enumerate(routes, start=1):
        label = f"Route {i}"
        for j, (k, v) in enumerate(r.totals.cost_breakdown.items()):
            rows.append(
                {
                    "route": label,
                    "kind": "cost",
                    "part": COST_LABELS.get(k, k),
                    "value": round(v, 2),
                    "order": j,
                }
            )
        for j, (k, v) in enumerate(time_parts(r).items()):
            rows.append({"route": label, "kind": "time", "part": k, "value": round(v, 2), "order": j})
    return pd.DataFrame(rows, columns=["route", "kind", "part", "value", "order"])


def breakdown_chart(frame: pd.DataFrame, *, kind: str, height: int | None = None) -> alt.Chart:
    """Stacked horizontal bar per route: the cost items (``kind="cost"``, USD) or the time parts
    (``kind="time"``, hours) of :func:`breakdown_frame`."""
    df = frame[frame["kind"] == kind]
    parts = list(COST_LABELS.values()) if kind == "cost" else list(TIME_PARTS)
    colors = (
        ["#3b6fb6", "#2a9d8f", "#e9a23b", "#c8553d"]
        if kind == "cost"
        else ["#3b6fb6", "#c8553d", "#2a9d8f", "#e9a23b", "#6d597a"]
    )
    unit = "USD" if kind == "cost" else "h"
    n = max(1, df["route"].nunique()) if len(df) else 1
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("route:N", title=None, sort=None),
            x=alt.X(
                "value:Q",
                stack="zero",
                title=f"{'cost' if kind == 'cost' else 'time'} ({unit})",
                axis=alt.Axis(format=",.0f"),
            ),
            color=alt.Color(
                "part:N",
                scale=alt.Scale(domain=parts, range=colors),
                legend=alt.Legend(title=None, orient="top"),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("route:N"),
                alt.Tooltip("part:N"),
                alt.Tooltip("value:Q", title=unit, format=",.0f"),
            ],
        )
        .properties(height=height or 30 + 28 * n)
    )


def staircase_band(route: Route, cumulative: Any, label: str = "Route 1") -> pd.DataFrame:
    """The P10-P90 band of cumulative time at the end of each leg (``cumulative`` as
    :func:`corridors.uncertainty.cumulative_percentiles` gives it: P10 and P90 rows)."""
    km, rows = 0.0, [{"route": label, "km": 0.0, "p10": 0.0, "p90": 0.0}]
    for i, leg in enumerate(route.legs):
        km += leg.distance_km
        rows.append(
            {
                "route": label,
                "km": round(km, 3),
                "p10": round(float(cumulative[0][i]), 2),
                "p90": round(float(cumulative[1][i]), 2),
            }
        )
    return pd.DataFrame(rows)
