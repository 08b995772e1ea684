"""Display tables for the app: route legs and totals, alternatives, feature details, sources.

Pure functions from the dataset and :class:`~corridors.routing.Route` objects to plain DataFrames and
strings. Numbers are formatted the way ``corridors route`` prints them, so the page and the command
show the same figures. Nothing here escapes for HTML: the app shows these through widgets that render
text (dataframes, metrics) or escapes them itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from corridors.costs import COST_ITEMS
from corridors.volumes import pick_figures, volume_table

if TYPE_CHECKING:
    from corridors.data import Dataset
    from corridors.events import Event
    from corridors.routing import Route, Totals

__all__ = [
    "Details",
    "comparison_table",
    "dataset_summary",
    "feature_details",
    "crossing_labels",
    "fmt_hours",
    "leg_table",
    "place_labels",
    "route_sources",
    "source_urls",
    "sources_table",
    "totals_display",
    "volume_figures_table",
]

MODE_LABELS = {
    "rail": "rail",
    "road": "road",
    "sea": "sea (ferry)",
    "border": "border crossing",
    "transfer": "transfer",
}


def fmt_hours(h: float) -> str:
    """Hours as ``corridors route`` prints them: ``38.2 h (1 d 14 h)``."""
    d, rem = divmod(h, 24)
    return f"{h:,.1f} h ({int(d)} d {rem:.0f} h)" if d else f"{h:,.1f} h"


def totals_display(t: Totals) -> dict[str, tuple[str, str]]:
    """Metric label -> (value, help); numbers rounded as in the ``corridors route`` table."""
    return {
        "Distance (km)": (f"{t.distance_km:,.0f}", "total line-haul and crossing distance"),
        "Transit time (h)": (
            f"{t.time_h:,.1f}",
            f"{fmt_hours(t.time_h)}; range {t.time_h_min:,.0f}-{t.time_h_max:,.0f} h: "
            "ferry waits from none to a full sailing interval; includes border dwell "
            "and handling",
        ),
        "Cost (USD)": (f"{t.cost_usd:,.0f}", "per shipment: line haul, border fees, handling"),
        "CO2 (kg)": (f"{t.co2_kg:,.0f}", "indicative: rail/road tank-to-wheel, sea well-to-wheel"),
        "Borders": (f"{t.border_crossings}", "border crossings"),
        "Transfers": (f"{t.transfers}", "mode transfers and gauge changes"),
    }


#: How each metric appears in the ``total:`` line of ``corridors route`` (value inserted at {}).
CLI_TOTALS_FORMAT = {
    "Distance (km)": "{} km",
    "Transit time (h)": "{} h",
    "Cost (USD)": "{} USD",
    "CO2 (kg)": "{} kg CO2",
    "Borders": "{} border(s)",
    "Transfers": "{} transfer(s)",
}


def _none_if_zero(x: float) -> float | None:
    return round(x, 1) if x else None


def leg_table(route: Route) -> pd.DataFrame:
    """One row per leg: mode, km, hours, waits, USD and its items (line haul, sea freight, handling,
    border) with the price basis, CO2, status, EST, corridors, sources, note. Places carry their short,
    unambiguous labels (``Alat (UZ)``, ``Alat (AZ)``)."""
    rows = []
    for i, leg in enumerate(route.legs, start=1):
        rows.append(
            {
                "#": i,
                "from": leg.from_label or leg.from_name,
                "to": leg.to_label or leg.to_name,
                "mode": MODE_LABELS.get(leg.mode, leg.mode),
                "km": round(leg.distance_km, 1),
                "hours": round(leg.time_h, 2),
                "border dwell h": _none_if_zero(leg.wait_h) if leg.mode == "border" else None,
                "other wait h": _none_if_zero(leg.wait_h) if leg.mode != "border" else None,
                "USD": round(leg.cost_usd, 2),
                **{
                    f"{k.replace('_', ' ')} USD": _none_if_zero(
                        round(float(leg.cost_breakdown.get(k, 0.0)), 2)
                    )
                    for k in COST_ITEMS
                },
                "price basis": leg.price_basis,
                "delay h": _none_if_zero(round(leg.delay_h, 2)),
                "kg CO2": round(leg.co2_kg, 1),
                "status": leg.status.replace("_", " "),
                "EST": "EST" if leg.estimate else "",
                "corridors": ", ".join(leg.corridors),
                "sources": "; ".join(leg.sources),
                "note": leg.note,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "#",
            "from",
            "to",
            "mode",
            "km",
            "hours",
            "border dwell h",
            "other wait h",
            "USD",
            *(f"{k.replace('_', ' ')} USD" for k in COST_ITEMS),
            "price basis",
            "delay h",
            "kg CO2",
            "status",
            "EST",
            "corridors",
            "sources",
            "note",
        ],
    )


def comparison_table(routes: Sequence[Route]) -> pd.DataFrame:
    """Alternatives side by side: one column per route, one row per measure (text cells)."""
    cols: dict[str, list[str]] = {}
    index = [
        "via",
        "distance",
        "transit time",
        "time range",
        "P10–P50–P90",
        "on time",
        "cost",
        "CO2",
        "border crossings",
        "transfers",
        "countries",
        "corridors",
        "estimates",
    ]
    best = routes[0].totals if routes else None
    for i, r in enumerate(routes, start=1):
        t = r.totals
        name = f"Route {i}" + (" (best)" if i == 1 else "")

        def delta(v: float, b: float, unit: str, fmt: str = ",.0f", i: int = i) -> str:
            return "" if i == 1 or best is None else f" ({v - b:+{fmt}} {unit})"

        assert best is not None
        cols[name] = [
            r.summary(),
            f"{t.distance_km:,.0f} km" + delta(t.distance_km, best.distance_km, "km"),
            fmt_hours(t.time_h) + delta(t.time_h, best.time_h, "h", ",.1f"),
            f"{t.time_h_min:,.0f}-{t.time_h_max:,.0f} h",
            ""
            if r.distribution is None
            else f"{r.distribution.p10:,.0f}–{r.distribution.p50:,.0f}–{r.distribution.p90:,.0f} h",
            ""
            if r.distribution is None or r.distribution.p_on_time is None
            else f"{r.distribution.p_on_time:.0%} within {r.distribution.deadline_h / 24:g} days",
            f"{t.cost_usd:,.0f} USD" + delta(t.cost_usd, best.cost_usd, "USD"),
            f"{t.co2_kg:,.0f} kg" + delta(t.co2_kg, best.co2_kg, "kg"),
            str(t.border_crossings),
            str(t.transfers),
            " > ".join(r.countries),
            ", ".join(r.corridors) or "-",
            "some figures are estimates (EST)" if r.estimate else "none",
        ]
    return pd.DataFrame(cols, index=index)


def route_sources(ds: Dataset, routes: Iterable[Route]) -> pd.DataFrame:
    """Sources cited by the legs of the routes, as :func:`sources_table` rows."""
    ids: list[str] = []
    for r in routes:
        for leg in r.legs:
            for s in leg.sources:
                if s not in ids:
                    ids.append(s)
    return sources_table(ds, ids)


def safe_url(url: Any) -> str:
    """The URL if it is http(s), else an empty string (never a javascript: or data: link)."""
    u = str(url or "").strip()
    return u if u.lower().startswith(("https://", "http://")) and " " not in u else ""


def sources_table(ds: Dataset, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Sources (all, or ``ids`` in that order): id, title, publisher, date, flag, url, note."""
    cols = ["id", "title", "publisher", "date", "flag", "url", "note"]
    # the dataset's own records, not ds.sources.to_dict(): the overview asks for one corridor's
    # sources at a time, and converting the whole frame took 18 ms per call
    recs = {str(r["id"]): r for r in ds.source_records}
    if not recs:
        return pd.DataFrame(columns=cols)
    order = list(recs) if ids is None else [i for i in ids]
    rows = []
    for sid in order:
        r = recs.get(sid)
        if r is None:
            rows.append(
                {
                    "id": sid,
                    "title": "(not in sources.csv)",
                    "publisher": "",
                    "date": "",
                    "flag": "",
                    "url": "",
                    "note": "",
                }
            )
            continue
        rows.append({c: ("" if r.get(c) is None or r.get(c) != r.get(c) else str(r.get(c))) for c in cols})
        rows[-1]["url"] = safe_url(r.get("url"))
    return pd.DataFrame(rows, columns=cols)


def source_urls(ds: Dataset) -> dict[str, str]:
    """Source id -> its URL (http(s) only, see :func:`safe_url`; "" for a source without one)."""
    return {str(r["id"]): safe_url(r.get("url")) for r in ds.source_records}


def _blank(v: Any) -> Any:
    """ "" for a missing value (None, NaN, pd.NA), else the value: a table shows blanks, never None."""
    return "" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


def volume_figures_table(table: pd.DataFrame, *, source_urls: Mapping[str, str]) -> pd.DataFrame:
    """The volume figures as a page shows them: plain labels, blanks, a link to every source.

    Parameters
    ----------
    table
        :func:`corridors.volumes.volume_table` output (any rows).
    source_urls
        Source id -> URL (:func:`source_urls`).

    Returns
    -------
    Columns ``subject``, ``year``, ``period``, ``value``, ``unit``, ``source link`` and, when some
    figure cites more sources with a URL, ``source link 2``... (the URLs, "" when a source has none),
    then ``direction``, ``scope``, ``EST``, ``estimate note``, ``conflicting`` ("yes" when other
    sources publish another figure for the same quantity), ``sources`` (titles), ``note``. No raw ids.
    """
    n = 1
    links: list[list[str]] = []
    for ids in table["source_ids"] if len(table) else ():
        urls = [source_urls.get(s.strip(), "") for s in str(ids or "").split(";") if s.strip()]
        urls = [u for u in urls if u] or [""]
        links.append(urls)
        n = max(n, len(urls))
    link_cols = ["source link"] + [f"source link {i}" for i in range(2, n + 1)]
    out = pd.DataFrame(
        {
            "subject": table["subject"],
            "year": table["year"],
            "period": table["period"],
            "value": table["value"],
            "unit": table["unit"],
            "direction": table["direction"],
            "scope": table["scope"],
            "EST": table["EST"],
            "estimate note": table["estimate_note"],
            "conflicting": ["yes" if _blank(c) else "" for c in table["conflict"]],
            "sources": table["sources"],
        }
    ).reset_index(drop=True)
    for i, col in enumerate(link_cols):
        out[col] = [u[i] if i < len(u) else "" for u in links]
    out["note"] = list(table["note"]) if len(table) else []
    # the links next to the figure: one click from the number to where it was published
    order = ["subject", "year", "period", "value", "unit", *link_cols]
    out = out[order + [c for c in out.columns if c not in order]]
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(_blank)
    return out


# ---------------------------------------------------------------------------------------------
# planner choices


def place_labels(ds: Dataset, *, aliases: int = 3) -> dict[str, str]:
    """Place id -> ``Name (CC) · alias, alias``, sorted by name: the labels a search box filters."""
    out = {}
    for r in sorted(ds.nodes.to_dict("records"), key=lambda r: (str(r["name"]).casefold(), r["id"])):
        other = [a for a in r.get("aliases") or () if a != r["name"]][:aliases]
        out[str(r["id"])] = f"{r['name']} ({r['country']})" + (f" · {', '.join(other)}" if other else "")
    return out


def crossing_labels(ds: Dataset) -> dict[str, str]:
    """Crossing link id -> ``Post A – Post B (KZ–CN, rail)``, sorted by label."""
    if not len(ds.links):
        return {}
    nodes = {r["id"]: r for r in ds.nodes.to_dict("records")}
    out = {}
    for r in ds.links.to_dict("records"):
        if not r.get("crossing"):
            continue
        a, b = nodes[r["from"]], nodes[r["to"]]
        out[str(r["id"])] = f"{a['name']} – {b['name']} ({a['country']}–{b['country']}, {r['mode']})"
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


# ---------------------------------------------------------------------------------------------
# details panel


@dataclass(frozen=True)
class Details:
    """Everything the details panel shows about one clicked feature."""

    kind: str  # link, crossing, node
    id: str
    title: str
    attributes: pd.DataFrame  # field, value (text)
    sources: pd.DataFrame
    estimate: bool
    estimate_note: str
    volumes: pd.DataFrame = field(default_factory=pd.DataFrame)
    terminals: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)  # disruptions in force on it, with sources


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:
            return ""
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    return str(v)


_LINK_FIELDS = (
    "id",
    "name",
    "from",
    "to",
    "mode",
    "crossing",
    "status",
    "gauge_mm",
    "length_km",
    "speed_kmh",
    "duration_h",
    "interval_h",
    "dwell_h",
    "dwell_h_rev",
    "fee_usd",
    "fee_usd_rev",
    "capacity",
    "corridors",
    "source",
    "estimate",
    "estimate_note",
    "note",
)
_NODE_FIELDS = (
    "id",
    "name",
    "aliases",
    "country",
    "kind",
    "modes",
    "source",
    "estimate",
    "estimate_note",
    "note",
)


def feature_details(
    ds: Dataset, layer: str, fid: str, *, year: int | None = None, events: Iterable[Event] = ()
) -> Details | None:
    """The details record of a clicked feature (``layer`` as in :data:`mapview.LAYER_IDS`), with the
    ``events`` (disruptions in force) that target it.

    Returns None for an unknown layer or id (a stale selection after a data or filter change).
    """
    if layer == "disruptions":  # a disruption marker stands for its link or place
        layer = "links" if len(ds.links) and fid in ds.links.index else "nodes"
    details = _feature_details(ds, layer, fid, year=year)
    if details is None:
        return None
    mine = [e for e in events if e.target_kind in ("link", "node") and e.target == fid]
    if not mine:
        return details
    titles = {str(r["id"]): str(r.get("title") or r["id"]) for r in ds.source_records}
    urls = {str(r["id"]): str(r.get("url") or "") for r in ds.source_records}
    rows = [
        {
            "event": e.title,
            "effect": "closed" if e.closes else f"+{e.delay_h:g} h",
            "from": str(e.start),
            "until": str(e.end) if e.end else f"open (last confirmed {e.last_confirmed})",
            "direction": e.direction,
            "modes": ", ".join(e.modes),
            "source": "; ".join(titles.get(s, s) for s in e.source),
            "url": next((urls[s] for s in e.source if urls.get(s)), ""),
        }
        for e in mine
    ]
    return replace(details, events=pd.DataFrame(rows))


def _feature_details(ds: Dataset, layer: str, fid: str, *, year: int | None = None) -> Details | None:
    names = dict(zip(ds.nodes["id"], ds.nodes["name"], strict=True)) if len(ds.nodes) else {}
    subject_names = {f"node:{k}": v for k, v in names.items()}
    subject_names.update(
        {f"link:{k}": str(v or k) for k, v in zip(ds.links["id"], ds.links["name"], strict=True)}
        if len(ds.links)
        else {}
    )
    if len(ds.corridors):
        subject_names.update(
            {f"corridor:{r['id']}": str(r.get("name") or r["id"]) for r in ds.corridors.to_dict("records")}
        )
    titles = {str(r["id"]): str(r.get("title") or r["id"]) for r in ds.source_records}
    if layer in ("links", "crossings") and len(ds.links) and fid in ds.links.index:
        r = ds.links.loc[fid].to_dict()
        kind = "crossing" if r.get("crossing") else "link"
        attrs = []
        for f in _LINK_FIELDS:
            if f not in r:
                continue
            v = r[f]
            if f in ("from", "to"):
                v = f"{names.get(v, v)} ({v})"
            if f == "corridors":
                v = [subject_names.get(f"corridor:{c}", c) for c in v]
            attrs.append({"field": f, "value": _text(v)})
        a, b = names.get(r["from"], r["from"]), names.get(r["to"], r["to"])
        title = f"Border crossing {a} – {b}" if kind == "crossing" else str(r.get("name") or f"{a} – {b}")
        vols = volume_table(ds.volumes, subject_names=subject_names, source_titles=titles)
        mine = (
            vols[(vols["kind"] == "link") & (vols["subject"] == subject_names.get(f"link:{fid}"))]
            if len(vols)
            else vols
        )
        corr = [subject_names.get(f"corridor:{c}", c) for c in r.get("corridors") or ()]
        if year is not None and len(vols):
            figs = pick_figures(ds.volumes, year, subjects=r.get("corridors") or ())
            chosen = {f.volume_id for f in figs.values()}
            mine = pd.concat([mine, vols[vols["id"].isin(chosen)]], ignore_index=True)
        elif len(vols):
            mine = pd.concat(
                [
                    mine,
                    vols[
                        (vols["kind"] == "corridor")
                        & vols["subject"].isin(corr)
                        & (vols["metric"] == "freight")
                    ],
                ],
                ignore_index=True,
            )
        return Details(
            kind,
            fid,
            title,
            pd.DataFrame(attrs),
            sources_table(ds, r.get("source") or ()),
            bool(r.get("estimate")),
            str(r.get("estimate_note") or ""),
            mine,
        )
    if layer in ("nodes", "node_volumes") and len(ds.nodes) and fid in ds.nodes.index:
        r = ds.nodes.loc[fid].to_dict()
        attrs = [{"field": f, "value": _text(r[f])} for f in _NODE_FIELDS if f in r]
        pt = r["geometry"]
        attrs.insert(4, {"field": "lon, lat", "value": f"{pt.x:.5f}, {pt.y:.5f}"})
        vols = volume_table(ds.volumes, subject_names=subject_names, source_titles=titles, kinds=["node"])
        mine = vols[vols["subject"] == names.get(fid)] if len(vols) else vols
        term = ds.terminals
        if len(term):
            term = term[term["node"] == fid][
                [
                    "operation",
                    "between",
                    "time_h",
                    "depart_interval_h",
                    "source",
                    "estimate",
                    "estimate_note",
                    "note",
                ]
            ].copy()
            term["source"] = term["source"].map(lambda s: "; ".join(s))
            term["estimate"] = term["estimate"].map(lambda e: "EST" if e else "")
        return Details(
            "node",
            fid,
            str(r["name"]),
            pd.DataFrame(attrs),
            sources_table(ds, r.get("source") or ()),
            bool(r.get("estimate")),
            str(r.get("estimate_note") or ""),
            mine.reset_index(drop=True),
            term.reset_index(drop=True) if len(term) else pd.DataFrame(),
        )
    return None


# ---------------------------------------------------------------------------------------------
# data page


def dataset_summary(ds: Dataset) -> pd.DataFrame:
    """What the dataset holds: one row per table with its count and a breakdown."""

    def counts(series: pd.Series) -> str:
        vc = series.value_counts()
        return ", ".join(f"{k}: {v}" for k, v in vc.items())

    links = ds.links
    rows = [
        {
            "table": "nodes.geojson",
            "rows": len(ds.nodes),
            "breakdown": counts(ds.nodes["kind"]) if len(ds.nodes) else "",
        },
        {
            "table": "links.geojson",
            "rows": len(links),
            "breakdown": (
                counts(links["mode"])
                + " | "
                + counts(links["status"])
                + f" | border crossings: {int(links['crossing'].sum())}"
            )
            if len(links)
            else "",
        },
        {
            "table": "terminals.csv",
            "rows": len(ds.terminals),
            "breakdown": counts(ds.terminals["operation"]) if len(ds.terminals) else "",
        },
        {
            "table": "corridors.csv",
            "rows": len(ds.corridors),
            "breakdown": ", ".join(str(n) for n in ds.corridors["name"]) if len(ds.corridors) else "",
        },
        {
            "table": "volumes.csv",
            "rows": len(ds.volumes),
            "breakdown": counts(ds.volumes["metric"]) if len(ds.volumes) else "",
        },
        {
            "table": "projects.geojson",
            "rows": len(ds.projects),
            "breakdown": counts(ds.projects["status"]) if len(ds.projects) else "",
        },
        {
            "table": "parameters.csv",
            "rows": len(ds.parameters),
            "breakdown": counts(ds.parameters["param"]) if len(ds.parameters) else "",
        },
        {
            "table": "sources.csv",
            "rows": len(ds.sources),
            "breakdown": counts(ds.sources["flag"].fillna("")) if len(ds.sources) else "",
        },
    ]
    est = []
    for name, frame in (
        ("nodes", ds.nodes),
        ("links", links),
        ("terminals", ds.terminals),
        ("volumes", ds.volumes),
    ):
        if len(frame) and "estimate" in frame:
            est.append(f"{name}: {int(frame['estimate'].astype(bool).sum())}")
    rows.append({"table": "estimates (EST)", "rows": None, "breakdown": ", ".join(est)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# route cards and the model check


_MODE_WORD = {"rail": "rail", "road": "road", "sea": "ferry"}


def route_card(route: Route) -> dict[str, Any]:
    """What a planner reads first about a route: the mode sequence (``rail → ferry → rail``), days
    (P10–P50–P90 when known), cost, the crossings and ports it uses, and whether it depends on a line
    that does not run yet."""
    seq: list[str] = []
    for leg in route.legs:
        word = _MODE_WORD.get(leg.mode)
        if word and (not seq or seq[-1] != word):
            seq.append(word)
    ports = list(
        dict.fromkeys(
            lab for leg in route.legs if leg.mode == "sea" for lab in (leg.from_label, leg.to_label)
        )
    )
    not_running = list(
        dict.fromkeys(
            f"{leg.from_label or leg.from_name}–{leg.to_label or leg.to_name} "
            f"({leg.status.replace('_', ' ')})"
            for leg in route.legs
            if leg.status != "operational"
        )
    )
    d = route.distribution
    days = (
        f"{d.p10 / 24:.1f}–{d.p50 / 24:.1f}–{d.p90 / 24:.1f} days (P10–P50–P90)"
        if d is not None
        else f"{route.totals.time_h / 24:.1f} days"
    )
    return {
        "modes": " → ".join(seq) or "-",
        "days": days,
        "cost": f"{route.totals.cost_usd:,.0f} USD",
        "crossings": list(route.crossings),
        "ports": ports,
        "not_running": not_running,
        "summary": route.summary(),
    }


def check_tables(check: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The model-versus-published cases and the summary (:class:`corridors.checks.ModelCheck`) as tables
    with plain labels; the cases carry their first source's URL for a link column."""
    unit = {"time_h": "h", "cost_usd": "USD", "distance_km": "km"}
    cases = []
    for r in check.results:
        c = r.case
        lo, hi = float(c["low"]), float(c["high"])
        cases.append(
            {
                "from → to": f"{c['origin']} → {c['destination']}",
                "what": {"time_h": "time", "cost_usd": f"cost ({c['container']})", "distance_km": "distance"}[
                    c["metric"]
                ],
                "kind": c["kind"],
                "published": (f"{lo:,.0f}" if lo == hi else f"{lo:,.0f}–{hi:,.0f}") + f" {unit[c['metric']]}",
                "as printed": c["published"],
                "model": None if r.model is None else round(r.model, 0),
                "P10–P50–P90": "" if r.p50 is None else f"{r.p10:,.0f}–{r.p50:,.0f}–{r.p90:,.0f}",
                "ratio": None if r.ratio is None else round(r.ratio, 2),
                "inside P10–P90": {True: "yes", False: "no", None: ""}[r.in_band],
                "year": c["year"],
                "source": c["source"][0] if c["source"] else "",
            }
        )
    summary = [
        {
            "what": {"time_h": "time", "cost_usd": "cost", "distance_km": "distance"}[g.metric],
            "kind": g.kind,
            "cases": g.cases,
            "median |error| %": None if g.median_abs_error_pct is None else round(g.median_abs_error_pct),
            "within 25 %": None if g.within_25_pct is None else f"{g.within_25_pct:.0%}",
            "ratio range": "" if g.ratio_min is None else f"x{g.ratio_min:.2f}–x{g.ratio_max:.2f}",
            "inside P10–P90": "" if g.in_band_share is None else f"{g.in_band_share:.0%}",
            "target": g.target.describe() if g.target else "",
            "met": {True: "yes", False: "no", None: ""}[g.meets_target],
        }
        for g in check.groups
    ]
    return pd.DataFrame(cases), pd.DataFrame(summary)
