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
    "breakdown_frame",
    "legend_svg",
    "staircase",
    "staircase_band",
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
