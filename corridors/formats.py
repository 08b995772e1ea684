"""Output formats of routes, matrices and place lists: the table, JSON, CSV and GeoJSON texts.

The CLI prints them and the app's downloads serve them, so a file saved from the map is byte for byte
what ``corridors route … --format …`` prints. Pure functions of :class:`~corridors.routing.Route`
objects and frames; no I/O.

Names come from the dataset, which may be anyone's: table text goes through
:func:`~corridors.text.plain_text` (no control characters reach the terminal), CSV rows through
:func:`~corridors.text.safe_csv` (no spreadsheet formula), and JSON never holds ``NaN`` or
``Infinity`` (a non-finite number is written as ``null``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from corridors.costs import CONTAINERS, COST_ITEMS
from corridors.text import plain_text, safe_csv

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

    from corridors.checks import ModelCheck
    from corridors.events import Event
    from corridors.places import Place
    from corridors.routing import Route
    from corridors.scenarios import Comparison

__all__ = [
    "ROUTE_FORMATS",
    "render_check",
    "render_comparison",
    "render_events",
    "render_matrix",
    "render_places",
    "render_route",
    "route_document",
]

#: Route formats: name -> (file extension, MIME type).
ROUTE_FORMATS = {
    "table": ("txt", "text/plain"),
    "json": ("json", "application/json"),
    "csv": ("csv", "text/csv"),
    "geojson": ("geojson", "application/geo+json"),
}


def route_document(routes: Sequence[Route]) -> dict[str, Any]:
    """The JSON document of ``corridors route --format json`` (design section 5)."""
    q = routes[0].query
    return {
        "origin": {"id": q.origin.id, "name": q.origin.name},
        "destination": {"id": q.destination.id, "name": q.destination.name},
        "objective": q.by,
        "options": {
            "modes": sorted(q.modes),
            "avoid_countries": sorted(q.avoid_countries),
            "avoid": sorted(q.avoid),
            "via": [v.id for v in q.via],
            "include_planned": q.include_planned,
            "container": q.container,
            "teu": q.teu,
            "as_of": q.as_of.isoformat() if q.as_of else None,
            "ignore_disruptions": q.ignore_disruptions,
        },
        "disruptions_in_force": disruptions_in_force(routes),
        "alternatives_dropped": int(getattr(routes, "dropped", 0)),
        "routes": [r.to_dict() for r in routes],
    }


def render_route(routes: Sequence[Route], fmt: str) -> str:
    """Render routes in a CLI format (``json``, ``csv``, ``geojson`` or ``table``).

    The app's downloads call this too, so a file saved from the map equals the CLI's output.
    """
    if fmt == "json":
        return json.dumps(_strict(route_document(routes)), ensure_ascii=False, indent=2) + "\n"
    if fmt == "geojson":
        return json.dumps(_strict(_route_geojson(routes)), ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _route_csv(routes)
    return _route_table(routes)


def _strict(doc: Any) -> Any:
    """``doc`` with every non-finite float replaced by None (strict JSON has no NaN or Infinity)."""
    if isinstance(doc, float):
        return doc if math.isfinite(doc) else None
    if isinstance(doc, dict):
        return {k: _strict(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple):
        return [_strict(v) for v in doc]
    return doc


def _fmt_h(h: float) -> str:
    d, rem = divmod(round(h), 24)
    return f"{h:,.1f} h ({d} d {rem} h)" if d else f"{h:,.1f} h"


def _route_table(routes: Sequence[Route]) -> str:
    out = io.StringIO()
    q = routes[0].query
    head = f"{q.origin.name} -> {q.destination.name}  (best by {q.by}; {_shipment(q.teu, q.container)}; "
    out.write(plain_text(f"{head}{_as_of(q)})") + "\n")
    touched = {e for r in routes for leg in r.legs for e in leg.events}
    for e in disruptions_in_force(routes):
        if e["id"] in touched:
            out.write(f"  on these routes: {plain_text(e['title'])}\n")
    elsewhere = len([e for e in disruptions_in_force(routes) if e["id"] not in touched])
    if elsewhere:
        out.write(f"  {elsewhere} other disruption(s) in force elsewhere (see `corridors events`)\n")
    for i, r in enumerate(routes, start=1):
        t = r.totals
        out.write(f"\nRoute {i}: {plain_text(r.summary())}\n")
        line = f"  countries: {' > '.join(r.countries)}   corridors: {', '.join(r.corridors) or '-'}"
        out.write(plain_text(line) + "\n")
        out.write(
            f"  total: {t.distance_km:,.0f} km | {_fmt_h(t.time_h)} (range {t.time_h_min:,.0f}-"
            f"{t.time_h_max:,.0f} h) | {t.cost_usd:,.0f} USD | {t.co2_kg:,.0f} kg CO2 | "
            f"{t.border_crossings} border(s), {t.transfers} transfer(s)\n"
        )
        d = r.distribution
        if d is not None:
            on_time = (
                f" | P(within {d.deadline_h / 24:g} d) = {d.p_on_time:.0%}" if d.p_on_time is not None else ""
            )
            out.write(
                f"  transit time P10-P50-P90: {d.p10:,.0f} - {d.p50:,.0f} - {d.p90:,.0f} h "
                f"({d.p10 / 24:.1f} - {d.p50 / 24:.1f} - {d.p90 / 24:.1f} d){on_time}\n"
            )
        items = " + ".join(f"{_ITEM_LABEL[k]} {v:,.0f}" for k, v in t.cost_breakdown.items() if round(v))
        out.write(f"  cost: {t.cost_usd:,.0f} USD = {items or '0'}\n")
        out.write(
            f"  time: {t.run_h:,.1f} h moving + {t.dwell_h:,.1f} h border + {t.departure_h:,.1f} h waiting "
            f"for departures + {t.handling_h:,.1f} h handling\n"
        )
        rows = [("from", "to", "mode", "km", "hours", "wait h", "USD", "item", "kg CO2", "status", "est")]
        for leg in r.legs:
            rows.append(
                (
                    leg.from_name[:24],
                    leg.to_name[:24],
                    leg.mode,
                    f"{leg.distance_km:,.0f}",
                    f"{leg.time_h:,.1f}",
                    f"{leg.wait_h:,.1f}",
                    f"{leg.cost_usd:,.0f}",
                    "+".join(_ITEM_SHORT[k] for k, v in leg.cost_breakdown.items() if round(v, 2)),
                    f"{leg.co2_kg:,.0f}",
                    leg.status,
                    "EST" if leg.estimate else "",
                )
            )
        out.write(_aligned(rows))
        bases = dict.fromkeys(_KM.sub("", leg.price_basis) for leg in r.legs if leg.price_basis)
        out.write("  prices (basis, year):\n" + "".join(f"    - {plain_text(b)}\n" for b in bases))
        if r.estimate:
            out.write("  EST: some figures are estimates (see the legs' sources and notes).\n")
    dropped = int(getattr(routes, "dropped", 0))
    if dropped:
        out.write(
            f"\n{dropped} more alternative(s) dropped: longer than {routes.max_detour:g}x the best route's "  # type: ignore[attr-defined]
            "distance (--max-detour 0 keeps them)\n"
        )
    return out.getvalue()


_ITEM_LABEL = {
    "line_haul": "line haul",
    "sea_freight": "sea freight",
    "handling": "handling",
    "border": "border",
}
_ITEM_SHORT = {"line_haul": "LH", "sea_freight": "SEA", "handling": "HDL", "border": "BDR"}
_KM = re.compile(r" x [0-9,.]+ km$")


def _as_of(q: Any) -> str:
    if q.ignore_disruptions:
        return "normal operations, no disruption applied"
    return f"as of {q.as_of}" if q.as_of else "as of the dataset's date"


def disruptions_in_force(routes: Sequence[Route]) -> list[dict[str, Any]]:
    """The dated disruptions routing honoured for these routes (events in force on the query date)."""
    q = routes[0].query
    return [e.to_dict() for e in routes[0].disruptions_in_force] if q.events else []


def _shipment(teu: float, container: str) -> str:
    boxes = teu / CONTAINERS[container]
    return f"{boxes:g} x {container} container{'s' if boxes != 1 else ''} = {teu:g} TEU"


_CSV_FIELDS = (
    "route",
    "seq",
    "from",
    "from_name",
    "to",
    "to_name",
    "mode",
    "distance_km",
    "time_h",
    "run_h",
    "dwell_h",
    "departure_h",
    "handling_h",
    "wait_h",
    "cost_usd",
    *(f"cost_{k}_usd" for k in COST_ITEMS),
    "price_basis",
    "co2_kg",
    "corridors",
    "status",
    "sources",
    "estimate",
    "link",
    "note",
)


def _route_csv(routes: Sequence[Route]) -> str:
    """One row per leg, then a ``total`` row per route; the ``cost_<item>_usd`` columns sum to
    ``cost_usd`` on every row."""
    out = io.StringIO()
    w = safe_csv(csv.DictWriter(out, fieldnames=_CSV_FIELDS, lineterminator="\n"))
    w.writeheader()
    for i, r in enumerate(routes, start=1):
        for j, leg in enumerate(r.legs, start=1):
            d = leg.to_dict()
            w.writerow(
                {
                    "route": i,
                    "seq": j,
                    **{k: d[k] for k in _CSV_FIELDS[2:] if k in d},
                    **{f"cost_{k}_usd": v for k, v in d["cost_breakdown_usd"].items()},
                    "corridors": ";".join(leg.corridors),
                    "sources": ";".join(leg.sources),
                    "estimate": str(leg.estimate).lower(),
                }
            )
        t = r.totals.to_dict()
        q = r.query
        w.writerow(
            {
                "route": i,
                "seq": "total",
                "from": q.origin.id,
                "from_name": q.origin.name,
                "to": q.destination.id,
                "to_name": q.destination.name,
                "mode": "total",
                **{k: t[k] for k in _CSV_FIELDS if k in t},
                **{f"cost_{k}_usd": v for k, v in t["cost_breakdown_usd"].items()},
                "corridors": ";".join(r.corridors),
                "estimate": str(r.estimate).lower(),
                "note": r.summary(),
            }
        )
    return out.getvalue()


def _route_geojson(routes: Sequence[Route]) -> dict[str, Any]:
    doc = route_document(routes)
    feats = []
    for i, r in enumerate(doc["routes"], start=1):
        feats.append(
            {
                "type": "Feature",
                "geometry": r["geometry"],
                "properties": {
                    "kind": "route",
                    "route": i,
                    "summary": r["summary"],
                    **r["totals"],
                    "countries": ",".join(r["countries"]),
                    "estimate": r["estimate"],
                },
            }
        )
        for j, (leg, obj) in enumerate(zip(r["legs"], routes[i - 1].legs, strict=True), start=1):
            coords = [[round(x, 5), round(y, 5)] for x, y in obj.coords]
            geom = (
                {"type": "Point", "coordinates": coords[0]}
                if len(coords) == 1
                else {"type": "LineString", "coordinates": coords}
            )
            props = {"kind": "leg", "route": i, "seq": j, **leg}
            props["corridors"] = ";".join(leg["corridors"])
            props["sources"] = ";".join(leg["sources"])
            feats.append({"type": "Feature", "geometry": geom, "properties": props})
    return {
        "type": "FeatureCollection",
        "properties": {k: doc[k] for k in ("origin", "destination", "objective")},
        "features": feats,
    }


def render_matrix(df: pd.DataFrame, fmt: str, *, objective: str) -> str:
    """A matrix as ``csv`` (origin rows, destination columns, blank: no route) or ``json``."""
    if fmt == "json":
        values = [[None if v != v else round(float(v), 3) for v in row] for row in df.to_numpy()]
        doc = {
            "objective": objective,
            "origins": list(df.index),
            "destinations": list(df.columns),
            "values": values,
        }
        return json.dumps(_strict(doc), ensure_ascii=False) + "\n"
    out = io.StringIO()
    w = safe_csv(csv.writer(out, lineterminator="\n"))
    w.writerow(["origin", *df.columns])
    for oid, row in zip(df.index, df.to_numpy(), strict=True):
        w.writerow([oid, *("" if v != v else f"{v:.3f}" for v in row)])
    return out.getvalue()


def render_places(hits: Sequence[Place], fmt: str) -> str:
    """Places as ``json`` (a list of objects) or an aligned ``table`` ("" when there is none)."""
    if fmt == "json":
        return json.dumps([p.to_dict() for p in hits], ensure_ascii=False) + "\n"
    if not hits:
        return ""
    rows = [("id", "name", "country", "kind", "modes", "aliases")]
    rows += [(p.id, p.name, p.country, p.kind, ",".join(p.modes), ", ".join(p.aliases)[:60]) for p in hits]
    return _aligned(rows, indent="")


def _aligned(rows: Sequence[Sequence[str]], *, indent: str = "  ") -> str:
    """Rows as left-aligned columns, one line each (cells as :func:`~corridors.text.plain_text`)."""
    rows = [[plain_text(cell) for cell in row] for row in rows]
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return "".join(
        indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in rows
    )


def render_check(check: ModelCheck, fmt: str) -> str:
    """``corridors check-model`` output: ``table`` (cases, then the summary), ``json`` or ``csv`` (cases)."""
    cases = [r.to_dict() for r in check.results]
    groups = [g.to_dict() for g in check.groups]
    if fmt == "json":
        return json.dumps(_strict({"cases": cases, "summary": groups}), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        fields = [k for k in cases[0] if k != "source"] + ["source"] if cases else ["id"]
        w = safe_csv(csv.DictWriter(out, fieldnames=fields, lineterminator="\n"))
        w.writeheader()
        for c in cases:
            w.writerow({**c, "source": ";".join(c["source"])})
        return out.getvalue()
    unit = {"time_h": "h", "cost_usd": "USD", "distance_km": "km"}
    rows = [
        (
            "case",
            "metric",
            "kind",
            "published",
            "model",
            "P10-P50-P90",
            "ratio",
            "in range",
            "in P10-P90",
            "route",
        )
    ]
    for r in check.results:
        c = r.case
        lo, hi = float(c["low"]), float(c["high"])
        pub = f"{lo:,.0f}" if lo == hi else f"{lo:,.0f}-{hi:,.0f}"
        rows.append(
            (
                str(c["id"])[:34],
                f"{c['metric']} ({c['container']})" if c["metric"] == "cost_usd" else c["metric"],
                c["kind"],
                f"{pub} {unit[c['metric']]}",
                "no route" if r.model is None else f"{r.model:,.0f}",
                "-" if r.p50 is None else f"{r.p10:,.0f}-{r.p50:,.0f}-{r.p90:,.0f}",
                "-" if r.ratio is None else f"x{r.ratio:.2f}",
                {True: "yes", False: "no", None: "-"}[r.in_range],
                {True: "yes", False: "no", None: "-"}[r.in_band],
                (r.summary or r.message)[:60],
            )
        )
    text = (
        "Model versus published figures (geodata/validation.csv). ratio = model / published midpoint; for a\n"
        "schedule the model value is the P50 of its transit time, for a realised time the check is whether\n"
        "the published figure lies inside the model's P10-P90.\n\n" + _aligned(rows, indent="")
    )
    srows = [
        (
            "metric",
            "kind",
            "cases",
            "median |error|",
            "within 25 %",
            "ratio range",
            "in P10-P90",
            "target",
            "met",
        )
    ]
    for g in check.groups:
        srows.append(
            (
                g.metric,
                g.kind,
                f"{g.routed}/{g.cases}",
                "-" if g.median_abs_error_pct is None else f"{g.median_abs_error_pct:.0f} %",
                "-" if g.within_25_pct is None else f"{g.within_25_pct:.0%}",
                "-" if g.ratio_min is None else f"x{g.ratio_min:.2f}-x{g.ratio_max:.2f}",
                "-" if g.in_band_share is None else f"{g.in_band_share:.0%}",
                g.target.describe() if g.target else "-",
                {True: "yes", False: "NO", None: "-"}[g.meets_target],
            )
        )
    text += "\nSummary\n" + _aligned(srows, indent="")
    if check.cross_check:
        crows = [
            ("mode", "country", "CPMM TFI3 USD/500 km/20 t", "model 20ft USD/500 km", "ratio", "model rate")
        ]
        for c in check.cross_check:
            crows.append(
                (
                    c.mode,
                    c.country,
                    f"{c.cpmm_usd:,.0f}",
                    f"{c.model_usd:,.0f}",
                    f"x{c.model_usd / c.cpmm_usd:.2f}" if c.cpmm_usd else "-",
                    c.basis[:60],
                )
            )
        text += (
            "\nCross-check, not a price: CAREC CPMM TFI3 (cost to move 20 t over 500 km, surveyed)\n"
            "against the model's tariff-based line haul for a 20-ft box over 500 km\n"
        ) + _aligned(crows, indent="")
    return text


def render_events(events: Sequence[Event], fmt: str, *, as_of: date | None) -> str:
    """Dated disruptions as ``json`` or a ``table`` (``as_of`` None: every event, in force or not)."""
    if fmt == "json":
        doc = {"as_of": as_of.isoformat() if as_of else None, "events": [e.to_dict() for e in events]}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    head = f"Disruptions in force on {as_of}" if as_of else "All dated disruptions"
    if not events:
        return f"{head}: none\n"
    rows = [("event", "kind", "target", "direction", "modes", "from", "until", "effect")]
    for e in events:
        until = str(e.end) if e.end else f"open (confirmed {e.last_confirmed})" if e.closes else str(e.until)
        effect = "closed" if e.closes else f"+{e.delay_h:g} h"
        rows.append(
            (
                e.id,
                e.kind,
                f"{e.target_kind} {e.target}",
                e.direction,
                ";".join(e.modes),
                str(e.start),
                until,
                effect,
            )
        )
    lines = "".join(f"  - {plain_text(e.title)}\n" for e in events)
    return f"{head}\n\n" + _aligned(rows, indent="") + "\n" + lines


def render_comparison(c: Comparison, fmt: str) -> str:
    """``corridors compare`` output: ``table``, ``csv`` (one row per pair) or ``json``."""
    if fmt == "json":
        return json.dumps(c.to_dict(), ensure_ascii=False, indent=2) + "\n"
    rows_d = [p.to_dict() for p in c.pairs]
    if fmt == "csv":
        out = io.StringIO()
        fields = [
            "origin",
            "destination",
            "changed",
            "baseline_route",
            "scenario_route",
            "baseline_p50_h",
            "scenario_p50_h",
            "delta_p50_h",
            "delta_p90_h",
            "delta_cost_usd",
            "delta_co2_kg",
            "no_route_reason",
        ]
        w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for d in rows_d:
            b, s, dl = d["baseline"], d["scenario"], d["delta"]
            w.writerow(
                {
                    "origin": d["origin"],
                    "destination": d["destination"],
                    "changed": str(d["changed"]).lower(),
                    "baseline_route": b["route"] or "",
                    "scenario_route": s["route"] or "",
                    "baseline_p50_h": b.get("time_h_p50", ""),
                    "scenario_p50_h": s.get("time_h_p50", ""),
                    "delta_p50_h": dl["time_h_p50"],
                    "delta_p90_h": dl["time_h_p90"],
                    "delta_cost_usd": dl["cost_usd"],
                    "delta_co2_kg": dl["co2_kg"],
                    "no_route_reason": s.get("no_route") or b.get("no_route") or "",
                }
            )
        return out.getvalue()

    def num(x: float | None, unit: str) -> str:
        return "-" if x is None else f"{x:+,.0f} {unit}"

    head = f"Scenario: {c.scenario.name}\n"
    if c.scenario.description:
        head += "  " + " ".join(c.scenario.description.split()) + "\n"
    head += "".join(f"  edit: {e.describe()}\n" for e in c.scenario.edits)
    rows = [("pair", "changed", "P50 before", "P50 after", "dP50", "dP90", "d cost", "d CO2", "route after")]
    for p, d in zip(c.pairs, rows_d, strict=True):
        b, s, dl = d["baseline"], d["scenario"], d["delta"]
        rows.append(
            (
                f"{p.origin} -> {p.destination}",
                "yes" if d["changed"] else "",
                "no route" if b["route"] is None else f"{b['time_h_p50'] or b['time_h']:,.0f} h",
                "no route" if s["route"] is None else f"{s['time_h_p50'] or s['time_h']:,.0f} h",
                num(dl["time_h_p50"], "h"),
                num(dl["time_h_p90"], "h"),
                num(dl["cost_usd"], "USD"),
                num(dl["co2_kg"], "kg"),
                (s["route"] or s.get("no_route", ""))[:70],
            )
        )
    text = head + "\n" + _aligned(rows, indent="")
    if c.lost:
        text += "\nPairs that lose every route:\n" + "".join(
            f"  - {p.origin} -> {p.destination}: {p.scen_reason}\n" for p in c.lost
        )
    if c.link_gain or c.link_loss:
        text += "\nLinks gaining use (pairs): " + (
            ", ".join(f"{k} +{v}" for k, v in c.link_gain.items()) or "-"
        )
        text += "\nLinks losing use (pairs): " + (
            ", ".join(f"{k} -{v}" for k, v in c.link_loss.items()) or "-"
        )
        text += "\n"
    return text
