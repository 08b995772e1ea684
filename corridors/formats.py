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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from corridors.text import plain_text, safe_csv

if TYPE_CHECKING:
    import pandas as pd

    from corridors.places import Place
    from corridors.routing import Route

__all__ = ["ROUTE_FORMATS", "render_matrix", "render_places", "render_route", "route_document"]

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
            "teu": q.teu,
        },
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
    out.write(plain_text(f"{q.origin.name} -> {q.destination.name}  (best by {q.by}, {q.teu:g} TEU)") + "\n")
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
        rows = [("from", "to", "mode", "km", "hours", "wait h", "USD", "kg CO2", "status", "est")]
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
                    f"{leg.co2_kg:,.0f}",
                    leg.status,
                    "EST" if leg.estimate else "",
                )
            )
        out.write(_aligned(rows))
        if r.estimate:
            out.write("  EST: some figures are estimates (see the legs' sources and notes).\n")
    return out.getvalue()


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
    "wait_h",
    "cost_usd",
    "co2_kg",
    "corridors",
    "status",
    "sources",
    "estimate",
    "link",
    "note",
)


def _route_csv(routes: Sequence[Route]) -> str:
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
                    "corridors": ";".join(leg.corridors),
                    "sources": ";".join(leg.sources),
                    "estimate": str(leg.estimate).lower(),
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
