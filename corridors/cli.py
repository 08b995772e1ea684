"""The ``corridors`` command: route, matrix, places, validate.

Exit codes: 0 done; 1 ``validate`` found problems; 2 bad input (unknown place with the closest names,
same origin and destination, bad option); 3 no route under the constraints (the message names the
blocking constraint). Only the result goes to stdout; messages go to stderr. Streamlit and pydeck are
never imported here, so a cold ``corridors route`` stays fast.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridors.routing import Route

EXIT_OK, EXIT_INVALID_DATA, EXIT_BAD_INPUT, EXIT_NO_ROUTE = 0, 1, 2, 3

_ROUTE_EPILOG = """examples:
  corridors route Altynkol Poti
  corridors route Altynkol Poti --by cost --alternatives 3 --format json
  corridors route Tashkent Almaty --avoid "Zhibek Zholy" --modes road
  corridors route Termez Karachi --include-planned --modes rail
  corridors route Khorgos Istanbul --avoid-country AZ --format geojson > route.geojson
"""
_MATRIX_EPILOG = """examples:
  corridors matrix --from Altynkol,Dostyk --to Poti,Batumi,Istanbul --by time
  corridors matrix --from Tashkent,Almaty --to Karachi,Bandar\\ Abbas --by cost --format json
"""
_PLACES_EPILOG = """examples:
  corridors places                 # every place
  corridors places alyat           # Alat port (also Ələt, Алят)
  corridors places --kind port --format json
"""
_VALIDATE_EPILOG = """examples:
  corridors validate               # the shipped geodata/
  corridors validate path/to/my-geodata
"""


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and a one-line hint instead of the full usage on errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {message}\n(see `{self.prog} --help`)\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _csv_list(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``corridors`` command."""
    p = _Parser(
        prog="corridors",
        description="Freight-corridor routes and costs for Central Asia "
        "and the Caspian (the same engine as the map).",
    )
    p.add_argument("--data", metavar="DIR", help="dataset directory (default: the shipped geodata/)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    fmt = argparse.RawDescriptionHelpFormatter

    r = sub.add_parser(
        "route", help="best route(s) between two places", epilog=_ROUTE_EPILOG, formatter_class=fmt
    )
    r.add_argument("origin", help="place id, name or alias")
    r.add_argument("destination", help="place id, name or alias")
    _add_constraints(r)
    r.add_argument(
        "--via",
        type=_csv_list,
        default=[],
        metavar="PLACE[,PLACE]",
        help="pass through these places in order",
    )
    r.add_argument(
        "--alternatives",
        type=int,
        default=1,
        metavar="K",
        help="number of meaningfully different routes (1-10, default 1)",
    )
    r.add_argument("--format", choices=("table", "json", "csv", "geojson"), default="table")
    r.add_argument(
        "--link",
        nargs="?",
        const="http://localhost:8501",
        default=None,
        metavar="BASE_URL",
        help="print the app link for this query instead of the route",
    )

    m = sub.add_parser(
        "matrix",
        help="objective value for many origins x destinations",
        epilog=_MATRIX_EPILOG,
        formatter_class=fmt,
    )
    m.add_argument("--from", dest="origins", type=_csv_list, required=True, metavar="A,B,...")
    m.add_argument("--to", dest="destinations", type=_csv_list, required=True, metavar="C,D,...")
    _add_constraints(m)
    m.add_argument("--format", choices=("csv", "json"), default="csv")

    pl = sub.add_parser(
        "places", help="search places by name or alias", epilog=_PLACES_EPILOG, formatter_class=fmt
    )
    pl.add_argument("query", nargs="?", default="")
    pl.add_argument("--kind", choices=("hub", "port", "border_post", "terminal", "junction"))
    pl.add_argument("--format", choices=("table", "json"), default="table")

    v = sub.add_parser(
        "validate",
        help="check a dataset and list every problem",
        epilog=_VALIDATE_EPILOG,
        formatter_class=fmt,
    )
    v.add_argument("path", nargs="?", default=None, metavar="GEODATA_DIR")
    return p


def _add_constraints(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--by",
        choices=("time", "cost", "distance", "co2", "generalized"),
        default="time",
        help="objective (default time)",
    )
    p.add_argument(
        "--modes", type=_csv_list, default=None, metavar="rail,road,sea", help="allowed modes (default all)"
    )
    p.add_argument(
        "--avoid-country",
        type=_csv_list,
        default=[],
        metavar="XX[,YY]",
        help="ISO codes of countries to avoid",
    )
    p.add_argument(
        "--avoid",
        type=_csv_list,
        default=[],
        metavar="PLACE[,PLACE]",
        help="places, border posts or link ids to avoid",
    )
    p.add_argument(
        "--include-planned", action="store_true", help="allow planned and under-construction links"
    )
    p.add_argument("--teu", type=float, default=1.0, metavar="N", help="shipment size in TEU")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (also used as the console-script entry point)."""
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except BrokenPipeError:  # `corridors ... | head`
        return EXIT_OK


def _fail(code: int, msg: str) -> int:
    sys.stderr.write(f"error: {msg}\n")
    return code


def _dispatch(args: argparse.Namespace) -> int:
    from corridors.data import GeodataError

    if args.command == "validate":
        return _validate(args.path if args.path is not None else args.data)
    from corridors.network import load_network
    from corridors.places import PlaceNotFound
    from corridors.routing import InvalidQuery, NoRoute

    try:
        net = load_network(args.data)
    except GeodataError as exc:
        return _fail(EXIT_INVALID_DATA, f"the dataset is invalid (run `corridors validate`):\n{exc}")
    try:
        if args.command == "route":
            return _route(net, args)
        if args.command == "matrix":
            return _matrix(net, args)
        return _places(net, args)
    except PlaceNotFound as exc:
        return _fail(EXIT_BAD_INPUT, str(exc))
    except InvalidQuery as exc:
        return _fail(EXIT_BAD_INPUT, str(exc))
    except NoRoute as exc:
        return _fail(EXIT_NO_ROUTE, exc.reason)


def _constraints(args: argparse.Namespace) -> dict[str, Any]:
    return dict(
        by=args.by,
        modes=args.modes,
        avoid_countries=args.avoid_country,
        avoid=args.avoid,
        include_planned=args.include_planned,
        teu=args.teu,
    )


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
        return json.dumps(route_document(routes), ensure_ascii=False, indent=2) + "\n"
    if fmt == "geojson":
        return json.dumps(_route_geojson(routes), ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _route_csv(routes)
    return _route_table(routes)


def _route(net: Any, args: argparse.Namespace) -> int:
    from corridors.routing import InvalidQuery

    if not 1 <= args.alternatives <= 10:
        raise InvalidQuery(f"--alternatives must be 1 to 10, got {args.alternatives}")
    if not math.isfinite(args.teu):
        raise InvalidQuery("--teu must be a finite number")
    opts = _constraints(args)
    if args.alternatives > 1:
        found = net.routes(args.origin, args.destination, k=args.alternatives, via=args.via, **opts)
    else:
        found = [net.route(args.origin, args.destination, via=args.via, **opts)]
    if args.link is not None:
        from corridors.share import route_link

        if args.via:
            sys.stderr.write("note: the app has no via points; the link leaves --via out\n")
        sys.stdout.write(
            route_link(found[0].query, base_url=args.link, alternatives=args.alternatives) + "\n"
        )
        return EXIT_OK
    sys.stdout.write(render_route(found, args.format))
    return EXIT_OK


def _fmt_h(h: float) -> str:
    d, rem = divmod(round(h), 24)
    return f"{h:,.1f} h ({d} d {rem} h)" if d else f"{h:,.1f} h"


def _route_table(routes: Sequence[Route]) -> str:
    out = io.StringIO()
    q = routes[0].query
    out.write(f"{q.origin.name} -> {q.destination.name}  (best by {q.by}, {q.teu:g} TEU)\n")
    for i, r in enumerate(routes, start=1):
        t = r.totals
        out.write(f"\nRoute {i}: {r.summary()}\n")
        out.write(f"  countries: {' > '.join(r.countries)}   corridors: {', '.join(r.corridors) or '-'}\n")
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
        widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
        for row in rows:
            out.write(
                "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
            )
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
    w = csv.DictWriter(out, fieldnames=_CSV_FIELDS, lineterminator="\n")
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


def _matrix(net: Any, args: argparse.Namespace) -> int:
    df = net.matrix(args.origins, args.destinations, **_constraints(args))
    if args.format == "json":
        values = [[None if v != v else round(float(v), 3) for v in row] for row in df.to_numpy()]
        doc = {
            "objective": args.by,
            "origins": list(df.index),
            "destinations": list(df.columns),
            "values": values,
        }
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["origin", *df.columns])
        for oid, row in zip(df.index, df.to_numpy(), strict=True):
            w.writerow([oid, *("" if v != v else f"{v:.3f}" for v in row)])
        sys.stdout.write(out.getvalue())
    return EXIT_OK


def _places(net: Any, args: argparse.Namespace) -> int:
    hits = net.find(args.query, kind=args.kind, limit=20)
    if args.format == "json":
        sys.stdout.write(json.dumps([p.to_dict() for p in hits], ensure_ascii=False) + "\n")
        return EXIT_OK
    if not hits:
        sys.stderr.write(f"no place matches {args.query!r}\n")
        return EXIT_OK
    rows = [("id", "name", "country", "kind", "modes", "aliases")]
    rows += [(p.id, p.name, p.country, p.kind, ",".join(p.modes), ", ".join(p.aliases)[:60]) for p in hits]
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for r in rows:
        sys.stdout.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")
    return EXIT_OK


def _validate(path: str | None) -> int:
    from corridors.data import DEFAULT_GEODATA, validate_dataset

    target = path if path is not None else str(DEFAULT_GEODATA)
    problems = validate_dataset(target)
    if problems:
        sys.stdout.write(f"{target}: {len(problems)} problem(s)\n")
        for p in problems:
            sys.stdout.write(f"  {p}\n")
        return EXIT_INVALID_DATA
    from corridors.data import load_dataset

    ds = load_dataset(target)
    crossings = sum(1 for r in ds.link_records if r["crossing"])
    sys.stdout.write(
        f"{target}: valid - {len(ds.node_records)} places, {len(ds.link_records)} links "
        f"({crossings} border crossings), {len(ds.terminal_records)} terminal rows, "
        f"{len(ds.volume_records)} volume rows, {len(ds.project_records)} projects, "
        f"{len(ds.source_records)} sources\n"
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
