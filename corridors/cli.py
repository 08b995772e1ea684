"""The ``corridors`` command: route, matrix, places, validate.

Exit codes: 0 done; 1 ``validate`` found problems (or the dataset is invalid); 2 bad input (unknown
place with the closest names, same origin and destination, bad option); 3 no route under the
constraints (the message names the blocking constraint); 4 the output could not be written (stdout
closed, disk full, or a character the output encoding cannot represent, e.g. under
``PYTHONIOENCODING=ascii``). A closed pipe (``corridors … | head``) is not an error. Only the result
goes to stdout; messages go to stderr, one line each, with the dataset's text made safe for a
terminal. Streamlit and pydeck are never imported here, so a cold ``corridors route`` stays fast.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from typing import IO, Any

from corridors.request import RouteRequest
from corridors.text import plain_text

EXIT_OK, EXIT_INVALID_DATA, EXIT_BAD_INPUT, EXIT_NO_ROUTE, EXIT_WRITE_ERROR = 0, 1, 2, 3, 4

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
_COMPARE_EPILOG = """for each pair: the best route on the baseline and under the scenario, the change in
P50 and P90 time, cost and CO2, pairs that lose every route (with the reason), and links that gain or
lose use.

examples:
  corridors compare --scenario geodata/scenarios/trans_afghan_open.toml
  corridors compare --scenario my.toml --pairs pairs.csv --by cost --format csv
"""
_EVENTS_EPILOG = """a closure, trade suspension or dispatch ban hides what it targets; a delay or capacity cut
adds hours. Without an end date a closure stays in force; a delay holds until it was last confirmed.

examples:
  corridors events                       # in force on the dataset's date
  corridors events --as-of 2025-11-22
  corridors events --all --format json
"""
_CHECK_EPILOG = """each case of geodata/validation.csv is a published figure (schedule, operator-reported
realised time, through-rate, route length) with the query that makes it comparable; the model answers it
with the same engine as `corridors route`. ratio = model / midpoint of the published range.

examples:
  corridors check-model
  corridors check-model --format csv > check.csv
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
    r.add_argument(
        "--max-detour",
        type=float,
        default=2.0,
        metavar="FACTOR",
        help="drop alternatives longer than FACTOR x the best route's distance (default 2; 0 keeps all)",
    )
    r.add_argument(
        "--scenario",
        default=None,
        metavar="FILE",
        help="route under a scenario (TOML/JSON file of edits; see geodata/scenarios/)",
    )
    r.add_argument(
        "--deadline",
        type=float,
        default=None,
        metavar="DAYS",
        help="report the probability of arriving within DAYS (p_on_time)",
    )
    r.add_argument(
        "--samples",
        type=int,
        default=10_000,
        metavar="N",
        help="Monte Carlo draws for the P10/P50/P90 transit times (default 10000; 0: none)",
    )
    r.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (same seed, same numbers)")
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

    cp = sub.add_parser(
        "compare",
        help="a scenario against the baseline over origin-destination pairs",
        epilog=_COMPARE_EPILOG,
        formatter_class=fmt,
    )
    cp.add_argument("--scenario", required=True, metavar="FILE", help="scenario file (TOML or JSON)")
    cp.add_argument(
        "--pairs",
        default=None,
        metavar="PAIRS.csv",
        help="CSV with origin,destination columns (default: geodata/scenarios/pairs.csv, the main corridors)",
    )
    _add_constraints(cp)
    cp.add_argument("--samples", type=int, default=2_000, metavar="N", help="Monte Carlo draws per route")
    cp.add_argument("--seed", type=int, default=0, metavar="S")
    cp.add_argument("--format", choices=("table", "csv", "json"), default="table")

    ev = sub.add_parser(
        "events",
        help="dated disruptions (events.csv) in force on a date",
        epilog=_EVENTS_EPILOG,
        formatter_class=fmt,
    )
    ev.add_argument("--as-of", default=None, metavar="YYYY-MM-DD", help="default: the dataset's own date")
    ev.add_argument("--all", action="store_true", help="every event, in force or not")
    ev.add_argument("--format", choices=("table", "json"), default="table")

    ck = sub.add_parser(
        "check-model",
        help="the model against published end-to-end figures (validation.csv)",
        epilog=_CHECK_EPILOG,
        formatter_class=fmt,
    )
    ck.add_argument("--format", choices=("table", "json", "csv"), default="table")

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
        choices=("time", "time_p90", "cost", "distance", "co2", "generalized"),
        default="time",
        help="objective (default time; time_p90: the most reliable, lowest 90th-percentile time)",
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
    p.add_argument(
        "--as-of",
        default=None,
        metavar="YYYY-MM-DD",
        help="date whose disruptions in force apply (events.csv; default: the dataset's own date)",
    )
    p.add_argument(
        "--ignore-disruptions",
        action="store_true",
        help="normal operations: apply no dated disruption",
    )
    p.add_argument(
        "--container",
        choices=("20ft", "40ft"),
        default="20ft",
        help="container type whose tariffs price the route (default 20ft)",
    )
    p.add_argument(
        "--teu",
        type=float,
        default=None,
        metavar="N",
        help="shipment size in TEU (default: one container, 1 TEU for 20ft, 2 for 40ft)",
    )


class OutputError(OSError):
    """Writing the result to stdout failed; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _CheckedOutput:
    """A stdout that turns a failed write into :class:`OutputError` (a closed pipe stays a
    ``BrokenPipeError``), so that ``main`` can tell output failures from every other error."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        #: The first failure, kept for callers that swallow it (argparse's help output does).
        self.error: OutputError | None = None

    def _guard(self, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end] if isinstance(exc.object, str) else "?"
            self.error = self.error or OutputError(
                f"the output encoding {exc.encoding!r} cannot represent {plain_text(bad)!r} "
                "(set PYTHONIOENCODING=utf-8)"
            )
        except (OSError, ValueError) as exc:
            self.error = self.error or OutputError(getattr(exc, "strerror", None) or str(exc))
        raise self.error from None

    def write(self, text: str) -> int:
        return int(self._guard(self.stream.write, text))

    def flush(self) -> None:
        self._guard(self.stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (also used as the console-script entry point)."""
    stdout = sys.stdout
    if stdout is None:  # started with stdout closed (`corridors ... >&-`)
        return _fail(EXIT_WRITE_ERROR, "could not write the output: standard output is closed")
    out = _CheckedOutput(stdout)
    sys.stdout = out
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as done:  # --help, or a bad option: report a failed write of the help
            out.flush()
            if out.error is not None and not done.code:
                raise out.error from None
            raise
        code = _dispatch(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # `corridors ... | head`
        _discard(stdout)
        return EXIT_OK
    except OutputError as exc:
        _discard(stdout)
        return _fail(EXIT_WRITE_ERROR, f"could not write the output: {exc.reason}")
    finally:
        sys.stdout = stdout


def _discard(stream: IO[str]) -> None:
    """Point a failed stdout at the null device so the interpreter's last flush cannot fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)
    except (OSError, ValueError):  # no file descriptor (an in-memory stream): nothing to flush
        pass


def _fail(code: int, msg: str, *, lines: bool = False) -> int:
    """Write ``error: msg`` to stderr, made safe for a terminal: one line unless ``lines`` (then the
    caller built the lines, each already safe) and return ``code``."""
    if sys.stderr is not None:
        sys.stderr.write(f"error: {plain_text(msg, newlines=lines)}\n")
    return code


def _dispatch(args: argparse.Namespace) -> int:
    from corridors.data import GeodataError

    if args.command == "validate":
        return _validate(args.path if args.path is not None else args.data)
    from corridors.network import load_network
    from corridors.places import PlaceNotFound
    from corridors.routing import InvalidQuery, NoRoute
    from corridors.scenarios import ScenarioError

    try:
        net = load_network(args.data)
    except GeodataError as exc:
        return _fail(
            EXIT_INVALID_DATA, f"the dataset is invalid (run `corridors validate`):\n{exc}", lines=True
        )
    try:
        if args.command == "route":
            return _route(net, args)
        if args.command == "matrix":
            return _matrix(net, args)
        if args.command == "check-model":
            return _check_model(net, args)
        if args.command == "events":
            return _events(net, args)
        if args.command == "compare":
            return _compare(net, args)
        return _places(net, args)
    except PlaceNotFound as exc:
        return _fail(EXIT_BAD_INPUT, str(exc))
    except InvalidQuery as exc:
        return _fail(EXIT_BAD_INPUT, str(exc))
    except NoRoute as exc:
        return _fail(EXIT_NO_ROUTE, exc.reason)
    except ScenarioError as exc:
        return _fail(EXIT_BAD_INPUT, f"the scenario is invalid:\n{exc}")


def _constraints(args: argparse.Namespace) -> dict[str, Any]:
    return dict(
        by=args.by,
        modes=args.modes,
        avoid_countries=args.avoid_country,
        avoid=args.avoid,
        include_planned=args.include_planned,
        teu=args.teu,
        container=args.container,
        as_of=args.as_of,
        ignore_disruptions=args.ignore_disruptions,
    )


def request_from_args(args: argparse.Namespace) -> RouteRequest:
    """The :class:`~corridors.request.RouteRequest` of a parsed ``corridors route`` command line."""
    return RouteRequest.make(
        args.origin,
        args.destination,
        via=args.via,
        alternatives=args.alternatives,
        samples=args.samples,
        seed=args.seed,
        deadline_days=args.deadline,
        max_detour=args.max_detour,
        **_constraints(args),
    )


def _route(net: Any, args: argparse.Namespace) -> int:
    from corridors.formats import render_route
    from corridors.routing import InvalidQuery

    if not 1 <= args.alternatives <= 10:
        raise InvalidQuery(f"--alternatives must be 1 to 10, got {args.alternatives}")
    if args.teu is not None and not math.isfinite(args.teu):
        raise InvalidQuery("--teu must be a finite number")
    if args.scenario is not None:
        net = net.with_scenario(args.scenario)
    found = net.plan(request_from_args(args))
    if args.link is not None:
        from corridors.share import route_link

        if args.scenario is not None:
            sys.stderr.write(
                "note: a link names shipped or saved scenarios only; the link leaves --scenario out\n"
            )
        sys.stdout.write(
            route_link(found[0].query, base_url=args.link, alternatives=args.alternatives) + "\n"
        )
        return EXIT_OK
    sys.stdout.write(render_route(found, args.format))
    return EXIT_OK


def _matrix(net: Any, args: argparse.Namespace) -> int:
    from corridors.formats import render_matrix

    df = net.matrix(args.origins, args.destinations, **_constraints(args))
    sys.stdout.write(render_matrix(df, args.format, objective=args.by))
    return EXIT_OK


def _compare(net: Any, args: argparse.Namespace) -> int:
    from corridors.data import DEFAULT_GEODATA
    from corridors.formats import render_comparison
    from corridors.places import PlaceNotFound
    from corridors.scenarios import compare, read_pairs

    scen = net.with_scenario(args.scenario)
    pairs = read_pairs(args.pairs or DEFAULT_GEODATA / "scenarios" / "pairs.csv")
    bad = []
    for i, (o, d) in enumerate(pairs, start=2):
        for role, text in (("origin", o), ("destination", d)):
            try:
                net.place(text)
            except PlaceNotFound as exc:
                bad.append(f"line {i} {role}: {exc}")
    if bad:
        return _fail(EXIT_BAD_INPUT, "the pairs name unknown places:\n" + "\n".join(f"  - {b}" for b in bad))
    opts = _constraints(args)
    opts.update(samples=args.samples, seed=args.seed)
    sys.stdout.write(render_comparison(compare(net, scen, pairs, **opts), args.format))
    return EXIT_OK


def _events(net: Any, args: argparse.Namespace) -> int:
    from corridors.formats import render_events
    from corridors.routing import parse_as_of

    day = parse_as_of(args.as_of) if args.as_of else net.as_of
    chosen = net.events if args.all else net.events_in_force(day)
    sys.stdout.write(render_events(chosen, args.format, as_of=None if args.all else day))
    return EXIT_OK


def _check_model(net: Any, args: argparse.Namespace) -> int:
    from corridors.checks import check_model
    from corridors.formats import render_check

    sys.stdout.write(render_check(check_model(net), args.format))
    return EXIT_OK


def _places(net: Any, args: argparse.Namespace) -> int:
    from corridors.formats import render_places

    hits = net.find(args.query, kind=args.kind, limit=20)
    if not hits and args.format == "table":
        sys.stderr.write(f"no place matches {plain_text(args.query, limit=60)!r}\n")
        return EXIT_OK
    sys.stdout.write(render_places(hits, args.format))
    return EXIT_OK


def _validate(path: str | None) -> int:
    from corridors.data import DEFAULT_GEODATA, validate_dataset

    target = path if path is not None else str(DEFAULT_GEODATA)
    problems = validate_dataset(target)
    if problems:
        sys.stdout.write(f"{plain_text(target)}: {len(problems)} problem(s)\n")
        for p in problems:
            sys.stdout.write(f"  {p}\n")
        return EXIT_INVALID_DATA
    from corridors.data import load_dataset

    ds = load_dataset(target)
    crossings = sum(1 for r in ds.link_records if r["crossing"])
    sys.stdout.write(
        f"{plain_text(target)}: valid - {len(ds.node_records)} places, {len(ds.link_records)} links "
        f"({crossings} border crossings), {len(ds.terminal_records)} terminal rows, "
        f"{len(ds.volume_records)} volume rows, {len(ds.project_records)} projects, "
        f"{len(ds.source_records)} sources\n"
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
