"""Read and validate a corridor dataset (the shipped ``geodata/`` or any directory in the same schema).

The schema is documented in ``geodata/README.md``. :func:`load_dataset` returns a frozen
:class:`Dataset` of GeoDataFrames/DataFrames or raises :class:`GeodataError` listing *every* problem
found (file, feature id, field, what is wrong), never the first one only and never a traceback from a
parser. :func:`validate_dataset` returns the same problems as a list.

GeoJSON is parsed with the standard library, not GDAL, so that a hostile or broken file cannot reach a
GDAL driver (see the VRT note in design section 7) and so that each feature can be reported by its id.
The validated rows are kept as plain records (``*_records``); the GeoDataFrames are built from them on
first use, so scripts that only route (the CLI) never import pandas or geopandas.

A dataset may be anyone's (``--data``, ``CORRIDORS_GEODATA``), so the loader refuses what would crash or
mislead routing later: JSON is read by :func:`corridors.text.load_json` (nesting and huge-integer
limits), every figure has an upper bound (``MAX_*``, :data:`PARAMETER_RULES`), text must be valid
Unicode, a link must join two different nodes, and every link and handling step is priced with the
cost model as the graph will price it, so a missing, zero or overflowing parameter is a problem here
rather than a traceback in ``route``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyproj import Geod

from corridors.text import JSONInputError, has_surrogates, load_json, plain_text

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "DEFAULT_GEODATA",
    "Dataset",
    "GeodataError",
    "Problem",
    "geodesic_km",
    "load_dataset",
    "validate_dataset",
]

#: The dataset shipped with the project.
DEFAULT_GEODATA = Path(__file__).resolve().parent.parent / "geodata"

MODES = ("rail", "road", "sea")
NODE_KINDS = ("hub", "port", "border_post", "terminal", "junction")
STATUSES = ("operational", "under_construction", "planned")
PROJECT_STATUSES = ("announced", "agreed", "under_construction", "operational")
OPERATIONS = ("transfer", "gauge_change")
GAUGES = (1435, 1520, 1676)
TARIFF_ITEMS = ("line_haul", "sea_freight", "handling")
CONTAINER_TYPES = ("20ft", "40ft")
#: Allowed units of a tariff row by item.
TARIFF_UNITS = {
    "line_haul": ("USD/container-km", "USD/truck-km"),
    "sea_freight": ("USD/container", "USD/container-km"),
    "handling": ("USD/container",),
}
EVENT_KINDS = ("closure", "trade_suspension", "dispatch_ban", "capacity_cut", "delay")
#: Event kinds that make their target unroutable (the others add ``delay_h``).
CLOSING_EVENTS = ("closure", "trade_suspension", "dispatch_ban")
EVENT_TARGETS = ("link", "node", "corridor", "country")
EVENT_DIRECTIONS = {
    "link": ("both", "forward", "reverse"),
    "node": ("both", "inbound", "outbound"),
    "country": ("both", "inbound", "outbound"),
    "corridor": ("both",),
}
SPREAD_COMPONENTS = ("border", "sailing", "handling", "gauge_change", "line_haul")
SPREAD_SCOPES = ("link", "node", "country", "default")
VALIDATION_METRICS = ("time_h", "cost_usd", "distance_km")
VALIDATION_KINDS = ("schedule", "realised", "tariff", "distance")
OBJECTIVE_NAMES = ("time", "cost", "distance", "co2", "generalized")
VOLUME_METRICS = ("freight", "trade", "target", "investment", "containers", "vehicles")
VOLUME_UNITS = ("t", "TEU", "USD", "vehicles")
SOURCE_FLAGS = ("OFFICIAL", "PRESS", "PRESS/Wiki", "UNVERIFIED", "METHOD", "EST")

#: Region the dataset may cover (lon_min, lat_min, lon_max, lat_max): Constanța to Lianyungang.
REGION = (20.0, 15.0, 125.0, 60.0)

#: Tolerance on a link's stated length against the geodesic length of its geometry. A route is
#: never shorter than the chord through its stations (allowing 3 % for coordinate anchors) and rarely
#: more than 1.7 times it; links under 30 km get 3 km of absolute slack for station offsets.
LENGTH_RATIO_MIN = 0.97
LENGTH_RATIO_MAX = 1.7
LENGTH_SLACK_KM = 3.0
#: First/last vertex of a link must equal its node coordinates to this many degrees.
ENDPOINT_TOLERANCE_DEG = 1e-4
#: Largest file the loader reads (bytes); the shipped files are far below it.
MAX_FILE_BYTES = 20_000_000

#: Upper bounds of figures. A value above one is a typo or a hostile file and would overflow or mislead
#: the cost model (a 1e308 tariff makes every edge weight infinite); each is far above any real value.
MAX_LINK_KM = 20_000.0  # half the Earth's circumference
MAX_HOURS = 8_760.0  # a year, for a duration, interval, dwell or handling time
MAX_SPEED_KMH = 1_000.0
MAX_USD = 10_000_000.0  # per TEU or container, for a fee, tariff or handling cost
MAX_USD_PER_KM = 1_000.0  # per container-, truck- or TEU-km
#: Any other figure (volumes, project values, unknown parameters).
MAX_FIGURE = 1e15
#: Widest P10-P90 range of spreads.csv (high / low): the lognormal's sigma stays under 5.4.
MAX_SPREAD_RATIO = 1_000.0
#: parameters.csv rules by parameter name suffix, first match wins: (suffix, must be > 0, at most).
#: ``speed_kmh`` divides a length, so 0 is refused; ``teu_tonnes`` and ``circuity`` are factors.
PARAMETER_RULES: tuple[tuple[str, bool, float], ...] = (
    ("speed_kmh", True, MAX_SPEED_KMH),
    ("teu_tonnes", True, 100.0),
    ("circuity", True, 10.0),
    ("_per_km", False, MAX_USD_PER_KM),
    ("_per_tkm", False, 10_000.0),  # g CO2 per tonne-km
    ("_per_h", False, 1_000_000.0),  # USD per TEU-hour
    ("_h", False, MAX_HOURS),
    ("_usd", False, MAX_USD),
)

# ISO 3166-1 alpha-2 codes of the countries the corridors touch or may touch (Eurasia, Middle East).
COUNTRIES = frozenset(
    [
        "AF",
        "AM",
        "AZ",
        "BG",
        "BY",
        "CN",
        "GE",
        "GR",
        "HU",
        "IN",
        "IQ",
        "IR",
        "KG",
        "KZ",
        "LT",
        "LV",
        "MN",
        "OM",
        "PK",
        "PL",
        "RO",
        "RS",
        "RU",
        "SA",
        "SY",
        "TJ",
        "TM",
        "TR",
        "UA",
        "UZ",
        "AE",
        "QA",
        "KW",
        "BH",
        "JO",
        "LB",
        "CY",
        "MD",
        "SK",
        "CZ",
        "DE",
        "AT",
        "EE",
        "FI",
    ]
)

_ID_RE = re.compile(r"^[a-z0-9_]+$")
_MONTHS = frozenset(str(m) for m in range(1, 13)) | frozenset(f"{m:02d}" for m in range(1, 10))
_GEOD = Geod(ellps="WGS84")


class GeodataError(ValueError):
    """The dataset is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        head = f"{len(problems)} problem(s) in the dataset"
        lines = [str(p) for p in problems[:50]]
        more = [f"... and {len(problems) - 50} more"] if len(problems) > 50 else []
        super().__init__("\n".join([head, *lines, *more]))


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem: where (file, feature id, field) and what is wrong."""

    file: str
    feature: str
    field: str
    message: str

    def __str__(self) -> str:
        """One line, safe for a terminal (the feature label and message may quote the dataset)."""
        where = self.file
        if self.feature:
            where += f" [{self.feature}]"
        if self.field:
            where += f" {self.field}"
        return plain_text(f"{where}: {self.message}")


Record = dict[str, Any]

_NODE_COLS = [
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
]
_LINK_COLS = ["id", "from", "to", "name", "mode", "crossing", "gauge_mm", "length_km", "status", "corridors"]
_PROJECT_COLS = [
    "id",
    "name",
    "aliases",
    "country",
    "sector",
    "value_usd_m",
    "status",
    "announced",
    "near",
    "source",
    "estimate",
    "estimate_note",
    "note",
]
_VOLUME_COLS = [
    "id",
    "subject_kind",
    "subject",
    "metric",
    "year",
    "period",
    "months",
    "value",
    "unit",
    "direction",
    "scope",
    "conflict_group",
    "source",
    "estimate",
    "estimate_note",
    "note",
]
_TERMINAL_COLS = [
    "node",
    "operation",
    "between",
    "time_h",
    "depart_interval_h",
    "source",
    "estimate",
    "estimate_note",
    "note",
]
_SOURCE_COLS = ["id", "title", "publisher", "url", "date", "flag", "note"]
_SPREAD_COLS = [
    "id",
    "component",
    "scope",
    "target",
    "mode",
    "direction",
    "low",
    "high",
    "unit",
    "months",
    "basis",
    "source",
    "estimate",
    "estimate_note",
    "note",
]
_EVENT_COLS = [
    "id",
    "target_kind",
    "target",
    "kind",
    "start",
    "end",
    "last_confirmed",
    "direction",
    "modes",
    "delay_h",
    "title",
    "source",
    "note",
]
_VALIDATION_COLS = [
    "id",
    "origin",
    "destination",
    "via",
    "avoid_countries",
    "modes",
    "by",
    "container",
    "as_of",
    "metric",
    "low",
    "high",
    "kind",
    "year",
    "published",
    "source",
    "note",
]
_TARIFF_COLS = [
    "id",
    "item",
    "mode",
    "country",
    "link",
    "node",
    "between",
    "direction",
    "container",
    "value",
    "unit",
    "basis",
    "year",
    "source",
    "estimate",
    "estimate_note",
    "note",
]
_CORRIDOR_COLS = ["id", "name", "description", "source"]
_PARAMETER_COLS = [
    "param",
    "mode",
    "country",
    "value",
    "unit",
    "year",
    "source",
    "estimate",
    "estimate_note",
    "note",
]


@dataclass(frozen=True)
class Dataset:
    """A validated dataset: plain records, and read-only frames built from them on first use.

    Node records carry ``xy`` (lon, lat); link records carry ``coords`` (the line's (lon, lat)
    vertices) and ``geodesic_km``. The frames (``nodes``, ``links``, ``projects`` as GeoDataFrames in
    EPSG:4326 indexed by id; the CSV tables as DataFrames) are shared: do not mutate them.
    """

    path: Path
    node_records: tuple[Record, ...]
    link_records: tuple[Record, ...]
    terminal_records: tuple[Record, ...]
    corridor_records: tuple[Record, ...]
    volume_records: tuple[Record, ...]
    project_records: tuple[Record, ...]
    parameter_records: tuple[Record, ...]
    source_records: tuple[Record, ...]
    problems: tuple[Problem, ...] = field(default=())
    tariff_records: tuple[Record, ...] = field(default=())
    validation_records: tuple[Record, ...] = field(default=())
    event_records: tuple[Record, ...] = field(default=())
    spread_records: tuple[Record, ...] = field(default=())
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def as_of(self) -> date:
        """The date the dataset describes (``dataset.toml`` ``as_of``; today when it has none)."""
        value = self.meta.get("as_of")
        return value if isinstance(value, date) else date.today()

    @cached_property
    def nodes(self) -> gpd.GeoDataFrame:
        """Places (Point) indexed by id."""
        return _points(self.node_records, _NODE_COLS)

    @cached_property
    def links(self) -> gpd.GeoDataFrame:
        """Links and crossings (LineString) indexed by id."""
        import geopandas as gpd
        import pandas as pd
        from shapely.geometry import LineString

        rows = [{k: v for k, v in r.items() if k != "coords"} for r in self.link_records]
        geoms = [LineString(r["coords"]) for r in self.link_records]
        cols = list(dict.fromkeys(_LINK_COLS + [k for r in rows for k in r]))
        gdf = gpd.GeoDataFrame(pd.DataFrame(rows, columns=cols), geometry=geoms, crs="EPSG:4326")
        gdf.index = pd.Index(gdf["id"].to_numpy())
        return gdf

    @cached_property
    def projects(self) -> gpd.GeoDataFrame:
        """Joint projects (Point) indexed by id."""
        return _points(self.project_records, _PROJECT_COLS)

    @cached_property
    def terminals(self) -> pd.DataFrame:
        """terminals.csv rows."""
        return _table(self.terminal_records, _TERMINAL_COLS)

    @cached_property
    def corridors(self) -> pd.DataFrame:
        """corridors.csv rows."""
        return _table(self.corridor_records, _CORRIDOR_COLS)

    @cached_property
    def volumes(self) -> pd.DataFrame:
        """volumes.csv rows."""
        return _table(self.volume_records, _VOLUME_COLS)

    @cached_property
    def parameters(self) -> pd.DataFrame:
        """parameters.csv rows (the shipped ones when the dataset has none)."""
        return _table(self.parameter_records, _PARAMETER_COLS)

    @cached_property
    def sources(self) -> pd.DataFrame:
        """sources.csv rows."""
        return _table(self.source_records, _SOURCE_COLS)

    @cached_property
    def spreads(self) -> pd.DataFrame:
        """spreads.csv rows: the published range of each waiting component."""
        return _table(self.spread_records, _SPREAD_COLS)

    @cached_property
    def events(self) -> pd.DataFrame:
        """events.csv rows: dated disruptions."""
        return _table(self.event_records, _EVENT_COLS)

    @cached_property
    def validation(self) -> pd.DataFrame:
        """validation.csv rows: published end-to-end figures that check the model."""
        return _table(self.validation_records, _VALIDATION_COLS)

    @cached_property
    def tariffs(self) -> pd.DataFrame:
        """tariffs.csv rows (the shipped ones when the dataset has none)."""
        return _table(self.tariff_records, _TARIFF_COLS)


def _table(records: Iterable[Record], cols: list[str]) -> pd.DataFrame:
    import pandas as pd

    rows = list(records)
    cols = list(dict.fromkeys(cols + [k for r in rows for k in r]))
    return pd.DataFrame(rows, columns=cols)


def _points(records: Iterable[Record], cols: list[str]) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import pandas as pd

    rows = [{k: v for k, v in r.items() if k != "xy"} for r in records]
    xs = [r["xy"][0] for r in records]
    ys = [r["xy"][1] for r in records]
    cols = list(dict.fromkeys(cols + [k for r in rows for k in r]))
    gdf = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=cols), geometry=gpd.points_from_xy(xs, ys), crs="EPSG:4326"
    )
    gdf.index = pd.Index(gdf["id"].to_numpy())
    return gdf


def geodesic_km(coords: Iterable[tuple[float, float]]) -> float:
    """Return the WGS84 geodesic length in km of a line given as (lon, lat) vertices."""
    pts = list(coords)
    return float(_GEOD.line_length([p[0] for p in pts], [p[1] for p in pts])) / 1000.0


# --------------------------------------------------------------------------------------------
# readers: each returns (records, problems) and never raises on bad content


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    name = path.name
    if not path.exists():
        problems.append(Problem(name, "", "", "file is missing"))
        return None
    if not path.is_file():
        problems.append(Problem(name, "", "", "is not a regular file"))
        return None
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.append(Problem(name, "", "", f"cannot be read: {exc.strerror or exc}"))
        return None
    if size == 0:
        problems.append(Problem(name, "", "", "file is empty"))
        return None
    if size > MAX_FILE_BYTES:
        problems.append(Problem(name, "", "", f"file is {size} bytes, over the {MAX_FILE_BYTES} limit"))
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, "", "", f"cannot be read: {exc.strerror or exc}"))
        return None
    if b"\x00" in raw[:4096]:
        problems.append(Problem(name, "", "", "is a binary file, not GeoJSON/CSV text"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, "", "", f"is not UTF-8 text (byte {exc.start})"))
        return None


def _read_geojson(path: Path, geom_type: str, problems: list[Problem]) -> list[tuple[dict[str, Any], Any]]:
    """Return ``(properties, geometry)`` pairs of a FeatureCollection, reporting what is broken."""
    name = path.name
    text = _read_text(path, problems)
    if text is None:
        return []
    try:
        doc = load_json(text)
    except JSONInputError as exc:
        problems.append(Problem(name, "", "", f"is {exc}"))
        return []
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        problems.append(Problem(name, "", "", "is not a GeoJSON FeatureCollection"))
        return []
    feats = doc.get("features")
    if not isinstance(feats, list):
        problems.append(Problem(name, "", "features", "must be a list"))
        return []
    out: list[tuple[dict[str, Any], Any]] = []
    for i, feat in enumerate(feats):
        label = f"#{i}"
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.append(Problem(name, label, "", "is not a GeoJSON Feature"))
            continue
        props = feat.get("properties")
        if not isinstance(props, dict):
            problems.append(Problem(name, label, "properties", "must be an object"))
            continue
        fid = props.get("id")
        label = str(fid) if isinstance(fid, str) and fid else label
        geom = _geometry(feat.get("geometry"), geom_type, name, label, problems)
        out.append((props, geom))
    return out


def _gauge_pair(parts: tuple[str, ...]) -> bool:
    """Whether ``parts`` are two different gauges of :data:`GAUGES`, written as plain ASCII digits
    (compared as text: ``'²'.isdigit()`` is true but ``int('²')`` fails, and 5,000 digits overflow int)."""
    return len(parts) == 2 and parts[0] != parts[1] and set(parts) <= {str(g) for g in GAUGES}


def _finite(x: Any) -> bool:
    if not isinstance(x, int | float) or isinstance(x, bool):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:  # an int too large for a float
        return False


def _geometry(g: Any, geom_type: str, name: str, label: str, problems: list[Problem]) -> Any:
    if not isinstance(g, dict):
        problems.append(Problem(name, label, "geometry", "is missing"))
        return None
    if g.get("type") != geom_type:
        problems.append(Problem(name, label, "geometry", f"is a {g.get('type')!s}, expected {geom_type}"))
        return None
    coords = g.get("coordinates")
    try:
        if geom_type == "Point":
            if not (isinstance(coords, list) and len(coords) >= 2 and all(map(_finite, coords[:2]))):
                raise ValueError
            return (float(coords[0]), float(coords[1]))
        if not (isinstance(coords, list) and len(coords) >= 2):
            raise ValueError
        pts = []
        for c in coords:
            if not (isinstance(c, list) and len(c) >= 2 and all(map(_finite, c[:2]))):
                raise ValueError
            pts.append((float(c[0]), float(c[1])))
        return tuple(pts)
    except (ValueError, TypeError):
        problems.append(Problem(name, label, "geometry", f"has invalid {geom_type} coordinates"))
        return None


def _read_csv(path: Path, required: Iterable[str], problems: list[Problem]) -> list[dict[str, str]]:
    name = path.name
    text = _read_text(path, problems)
    if text is None:
        return []
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        rows = list(reader)
    except csv.Error as exc:
        problems.append(Problem(name, "", "", f"is not valid CSV: {exc}"))
        return []
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(
            Problem(name, "", "", f"is not a {name} table: missing column(s) {', '.join(missing)}")
        )
        return []
    clean = []
    for i, row in enumerate(rows, start=2):
        if None in row:  # more cells than header columns
            problems.append(Problem(name, f"line {i}", "", "has more cells than the header"))
        clean.append({k: (v or "").strip() for k, v in row.items() if k is not None})
    return clean


# --------------------------------------------------------------------------------------------
# field checks


def _as_list(value: Any) -> list[str] | None:
    """A list of strings from a JSON list or a ``;``-separated string; None when malformed."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value]
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    return None


def _as_float(value: Any) -> float | None:
    """A finite float, None for empty; raises ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    try:
        x = float(value)
    except OverflowError:  # an int too large for a float
        raise ValueError from None
    if not math.isfinite(x):
        raise ValueError
    return x


class _Checker:
    """Collects problems for one file while normalising its records."""

    def __init__(self, file: str, problems: list[Problem], source_ids: set[str]) -> None:
        self.file = file
        self.problems = problems
        self.source_ids = source_ids

    def add(self, fid: str, fld: str, msg: str) -> None:
        self.problems.append(Problem(self.file, fid, fld, msg))

    def text(self, rec: Mapping[str, Any], fid: str, fld: str, *, required: bool = True) -> str:
        v = rec.get(fld)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.add(fid, fld, "is missing")
            return ""
        if not isinstance(v, str):
            self.add(fid, fld, f"must be text, got {type(v).__name__}")
            return ""
        if has_surrogates(v):
            self.add(fid, fld, "is not valid Unicode text (a lone surrogate escape such as \\ud800)")
            return ""
        return v.strip()

    def choice(self, rec: Mapping[str, Any], fid: str, fld: str, allowed: Iterable[str]) -> str:
        v = self.text(rec, fid, fld)
        allowed = tuple(allowed)
        if v and v not in allowed:
            self.add(fid, fld, f"unknown value {v!r} (expected one of {', '.join(allowed)})")
            return ""
        return v

    def number(
        self,
        rec: Mapping[str, Any],
        fid: str,
        fld: str,
        *,
        required: bool = False,
        positive: bool = False,
        at_most: float = MAX_FIGURE,
    ) -> float | None:
        try:
            x = _as_float(rec.get(fld))
        except (ValueError, TypeError, OverflowError):
            self.add(fid, fld, f"is not a finite number: {str(rec.get(fld))[:40]!r}")
            return None
        if x is None:
            if required:
                self.add(fid, fld, "is missing")
            return None
        if positive and x <= 0:
            self.add(fid, fld, f"must be positive, got {x:g}")
        elif x < 0:
            self.add(fid, fld, f"must not be negative, got {x:g}")
        elif x > at_most:
            self.add(fid, fld, f"is out of range: {x:g} (at most {at_most:g})")
        return x

    def strings(self, rec: Mapping[str, Any], fid: str, fld: str) -> list[str]:
        v = _as_list(rec.get(fld))
        if v is None:
            self.add(fid, fld, "must be a list of strings")
            return []
        if any(has_surrogates(s) for s in v):
            self.add(fid, fld, "is not valid Unicode text (a lone surrogate escape such as \\ud800)")
            return []
        return v

    def flag(self, rec: Mapping[str, Any], fid: str, fld: str) -> bool:
        v = _as_bool(rec.get(fld))
        if v is None:
            self.add(fid, fld, f"must be true or false, got {str(rec.get(fld))[:20]!r}")
            return False
        return v

    def sourcing(self, rec: Mapping[str, Any], fid: str, *, has_figures: bool = True) -> dict[str, Any]:
        srcs = self.strings(rec, fid, "source")
        if has_figures and not srcs:
            self.add(fid, "source", "figure without a source")
        for s in srcs:
            if s not in self.source_ids:
                self.add(fid, "source", f"source id {s!r} is not in sources.csv")
        est = self.flag(rec, fid, "estimate")
        note = self.text(rec, fid, "estimate_note", required=False)
        if est and not note:
            self.add(fid, "estimate_note", "an estimate must say how it was made")
        return {
            "source": srcs,
            "estimate": est,
            "estimate_note": note,
            "note": self.text(rec, fid, "note", required=False),
        }

    def ident(self, rec: Mapping[str, Any], fid: str, seen: dict[str, str]) -> str:
        v = self.text(rec, fid, "id")
        if not v:
            return ""
        if not _ID_RE.match(v):
            self.add(fid, "id", "must be a lowercase slug of a-z, 0-9 and _")
        if v in seen:
            self.add(fid, "id", f"duplicate id (also in {seen[v]})")
        seen.setdefault(v, self.file)
        return v

    def country(self, rec: Mapping[str, Any], fid: str) -> str:
        v = self.text(rec, fid, "country")
        if v and v not in COUNTRIES:
            self.add(fid, "country", f"unknown country code {v!r} (ISO 3166-1 alpha-2 expected)")
        return v

    def in_region(self, fid: str, lon: float, lat: float) -> None:
        x0, y0, x1, y1 = REGION
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            self.add(
                fid,
                "geometry",
                f"coordinate ({lon:g}, {lat:g}) is outside the region lon {x0:g}..{x1:g}, lat {y0:g}..{y1:g}",
            )


# --------------------------------------------------------------------------------------------
# tables


def _sources(path: Path, problems: list[Problem]) -> list[Record]:
    rows = _read_csv(path / "sources.csv", ("id", "title", "url"), problems)
    chk = _Checker("sources.csv", problems, set())
    seen: dict[str, str] = {}
    out = []
    for i, r in enumerate(rows, start=2):
        fid = r.get("id") or f"line {i}"
        sid = chk.ident(r, fid, seen)
        chk.text(r, fid, "title")
        url = chk.text(r, fid, "url", required=False)
        flag = r.get("flag", "")
        if flag and flag not in SOURCE_FLAGS:
            chk.add(fid, "flag", f"unknown flag {flag!r} (expected one of {', '.join(SOURCE_FLAGS)})")
        if not url and flag != "METHOD":
            chk.add(fid, "url", "is missing (only METHOD rows may have no URL)")
        if url and not url.startswith(("http://", "https://")):
            chk.add(fid, "url", "must start with http:// or https://")
        if sid:
            out.append({**r, "id": sid})
    return [{c: r.get(c, "") for c in _SOURCE_COLS} for r in out]


def _nodes(path: Path, problems: list[Problem], src: set[str], ids: dict[str, str]) -> list[Record]:
    feats = _read_geojson(path / "nodes.geojson", "Point", problems)
    chk = _Checker("nodes.geojson", problems, src)
    out = []
    for props, geom in feats:
        fid = str(props.get("id") or "?")
        nid = chk.ident(props, fid, ids)
        rec: dict[str, Any] = {
            "id": nid,
            "name": chk.text(props, fid, "name"),
            "aliases": chk.strings(props, fid, "aliases"),
            "country": chk.country(props, fid),
            "kind": chk.choice(props, fid, "kind", NODE_KINDS),
            "modes": chk.strings(props, fid, "modes"),
        }
        if not rec["modes"]:
            chk.add(fid, "modes", "must list at least one of rail, road, sea")
        for m in rec["modes"]:
            if m not in MODES:
                chk.add(fid, "modes", f"unknown mode {m!r} (expected rail, road, sea)")
        rec.update(chk.sourcing(props, fid))
        if geom is not None:
            chk.in_region(fid, geom[0], geom[1])
        rec["xy"] = geom
        if nid and geom is not None:
            out.append(rec)
    return out


#: Optional figures of a link and their upper bounds.
_LINK_NUMBERS = {
    "duration_h": MAX_HOURS,
    "interval_h": MAX_HOURS,
    "speed_kmh": MAX_SPEED_KMH,
    "dwell_h": MAX_HOURS,
    "dwell_h_rev": MAX_HOURS,
    "fee_usd": MAX_USD,
    "fee_usd_rev": MAX_USD,
}


def _links(
    path: Path,
    problems: list[Problem],
    src: set[str],
    ids: dict[str, str],
    nodes: list[Record],
    corridor_ids: set[str] | None,
) -> list[Record]:
    feats = _read_geojson(path / "links.geojson", "LineString", problems)
    chk = _Checker("links.geojson", problems, src)
    node_by_id = {r["id"]: r for r in nodes}
    out = []
    for props, geom in feats:
        fid = str(props.get("id") or "?")
        lid = chk.ident(props, fid, ids)
        rec: dict[str, Any] = {"id": lid, "name": chk.text(props, fid, "name", required=False)}
        for end in ("from", "to"):
            nid = chk.text(props, fid, end)
            if nid and nid not in node_by_id:
                chk.add(fid, end, f"endpoint {nid!r} is not a node in nodes.geojson")
            rec[end] = nid
        if rec["from"] and rec["from"] == rec["to"]:
            chk.add(
                fid, "to", f"the link starts and ends at {rec['to']!r}: a link joins two different places"
            )
        mode = chk.choice(props, fid, "mode", MODES)
        rec["mode"] = mode
        rec["crossing"] = chk.flag(props, fid, "crossing")
        rec["status"] = chk.choice(props, fid, "status", STATUSES)
        gauge = chk.number(props, fid, "gauge_mm")
        if mode == "rail":
            if gauge is None:
                chk.add(fid, "gauge_mm", "is missing on a rail link")
            elif int(gauge) not in GAUGES:
                chk.add(fid, "gauge_mm", f"unknown gauge {gauge:g} (expected 1435, 1520 or 1676)")
        rec["gauge_mm"] = int(gauge) if gauge is not None and mode == "rail" else None
        rec["length_km"] = chk.number(
            props, fid, "length_km", required=True, positive=True, at_most=MAX_LINK_KM
        )
        for k, most in _LINK_NUMBERS.items():
            rec[k] = chk.number(props, fid, k, at_most=most)
        if rec["speed_kmh"] is not None and rec["speed_kmh"] <= 0:
            chk.add(fid, "speed_kmh", "must be positive")
        corr = chk.strings(props, fid, "corridors")
        if corridor_ids is not None:
            for c in corr:
                if c not in corridor_ids:
                    chk.add(fid, "corridors", f"corridor {c!r} is not in corridors.csv")
        rec["corridors"] = corr
        rec["capacity"] = chk.text(props, fid, "capacity", required=False)
        rec.update(chk.sourcing(props, fid))
        a, b = node_by_id.get(rec["from"]), node_by_id.get(rec["to"])
        if a is not None and b is not None and mode:
            for n in (a, b):
                if mode not in n["modes"]:
                    chk.add(fid, "mode", f"{mode} link but node {n['id']!r} does not serve {mode}")
            if mode == "sea":
                if rec["crossing"]:
                    chk.add(fid, "crossing", "a sea link is not a border crossing")
            elif rec["crossing"]:
                if a["country"] == b["country"]:
                    chk.add(fid, "crossing", f"crossing link joins two nodes in {a['country']}")
                if rec["dwell_h"] is None or rec["dwell_h_rev"] is None:
                    chk.add(fid, "dwell_h", "a crossing needs dwell_h and dwell_h_rev")
                if rec["fee_usd"] is None or rec["fee_usd_rev"] is None:
                    chk.add(fid, "fee_usd", "a crossing needs fee_usd and fee_usd_rev")
            elif a["country"] != b["country"]:
                chk.add(
                    fid,
                    "to",
                    f"land link joins {a['country']} and {b['country']}: "
                    "split it at the border with a crossing",
                )
        if geom is not None:
            for x, y in geom:
                chk.in_region(fid, x, y)
            if a is not None and b is not None:
                for (x, y), n, end in ((geom[0], a, "start"), (geom[-1], b, "end")):
                    nx_, ny_ = n["xy"]
                    if abs(x - nx_) > ENDPOINT_TOLERANCE_DEG or abs(y - ny_) > ENDPOINT_TOLERANCE_DEG:
                        chk.add(fid, "geometry", f"does not {end} at node {n['id']!r}")
            length = rec["length_km"]
            if length:
                geo = geodesic_km(geom)
                rec["geodesic_km"] = geo
                lo = geo * LENGTH_RATIO_MIN - (LENGTH_SLACK_KM if geo < 30 else 0)
                hi = geo * LENGTH_RATIO_MAX + (LENGTH_SLACK_KM if geo < 30 else 0)
                if not lo <= length <= hi:
                    chk.add(
                        fid,
                        "length_km",
                        f"{length:g} km disagrees with the {geo:.0f} km geodesic length of the geometry "
                        f"(allowed {LENGTH_RATIO_MIN:g}x to {LENGTH_RATIO_MAX:g}x)",
                    )
        rec["coords"] = geom
        if lid and geom is not None:
            out.append(rec)
    return out


def _terminals(path: Path, problems: list[Problem], src: set[str], nodes: list[Record]) -> list[Record]:
    f = path / "terminals.csv"
    if not f.exists():
        return []
    rows = _read_csv(f, ("node", "operation", "between"), problems)
    chk = _Checker("terminals.csv", problems, src)
    node_ids = {n["id"] for n in nodes}
    out = []
    seen: set[tuple[str, str, str]] = set()
    for i, r in enumerate(rows, start=2):
        fid = f"{r.get('node') or '?'} (line {i})"
        node = chk.text(r, fid, "node")
        if node and node not in node_ids:
            chk.add(fid, "node", f"node {node!r} is not in nodes.geojson")
        op = chk.choice(r, fid, "operation", OPERATIONS)
        between = chk.text(r, fid, "between")
        parts = tuple(sorted(between.split("/"))) if between else ()
        if between:
            if op == "transfer" and (len(parts) != 2 or not set(parts) <= set(MODES) or parts[0] == parts[1]):
                chk.add(fid, "between", f"{between!r} is not a pair of modes like rail/sea")
            if op == "gauge_change" and not _gauge_pair(parts):
                chk.add(fid, "between", f"{between!r} is not a pair of gauges like 1435/1520")
        key = (node, op, "/".join(parts))
        if key in seen:
            chk.add(fid, "", "duplicate terminal row")
        seen.add(key)
        time_h = chk.number(r, fid, "time_h", at_most=MAX_HOURS)
        interval = chk.number(r, fid, "depart_interval_h", at_most=MAX_HOURS)
        s = chk.sourcing(r, fid, has_figures=time_h is not None or interval is not None)
        out.append(
            {
                "node": node,
                "operation": op,
                "between": "/".join(parts),
                "time_h": time_h,
                "depart_interval_h": interval,
                **s,
            }
        )
    return out


def _corridors(path: Path, problems: list[Problem], src: set[str]) -> list[Record] | None:
    f = path / "corridors.csv"
    if not f.exists():
        return None
    rows = _read_csv(f, ("id", "name"), problems)
    chk = _Checker("corridors.csv", problems, src)
    seen: dict[str, str] = {}
    out = []
    for i, r in enumerate(rows, start=2):
        fid = r.get("id") or f"line {i}"
        cid = chk.ident(r, fid, seen)
        chk.text(r, fid, "name")
        s = chk.sourcing(r, fid, has_figures=False)
        out.append({**r, "id": cid, **s})
    return out


def _volumes(
    path: Path, problems: list[Problem], src: set[str], subjects: dict[str, set[str]]
) -> list[Record]:
    f = path / "volumes.csv"
    if not f.exists():
        return []
    rows = _read_csv(f, ("id", "subject_kind", "subject", "metric", "year", "value", "unit"), problems)
    chk = _Checker("volumes.csv", problems, src)
    seen: dict[str, str] = {}
    out = []
    for i, r in enumerate(rows, start=2):
        fid = r.get("id") or f"line {i}"
        vid = chk.ident(r, fid, seen)
        kind = chk.choice(r, fid, "subject_kind", ("corridor", "link", "node"))
        subj = chk.text(r, fid, "subject")
        if kind and subj and subjects.get(kind) is not None and subj not in subjects[kind]:
            chk.add(fid, "subject", f"{kind} {subj!r} does not exist in the dataset")
        year = chk.number(r, fid, "year", required=True)
        if year is not None and not (1990 <= year <= 2050 and year == int(year)):
            chk.add(fid, "year", f"implausible year {year:g}")
        months = chk.number(r, fid, "months")
        if months is not None and not (0 < months <= 12):
            chk.add(fid, "months", "must be more than 0 and at most 12 (a week is 0.23)")
        rec = {
            "id": vid,
            "subject_kind": kind,
            "subject": subj,
            "metric": chk.choice(r, fid, "metric", VOLUME_METRICS),
            "year": int(year) if year is not None else None,
            "period": r.get("period", "") or "FY",
            "months": months if months is not None else 12.0,
            "value": chk.number(r, fid, "value", required=True),
            "unit": chk.choice(r, fid, "unit", VOLUME_UNITS),
            "direction": r.get("direction", "") or "both",
            "scope": r.get("scope", ""),
            "conflict_group": r.get("conflict_group", ""),
            **chk.sourcing(r, fid),
        }
        if vid:
            out.append(rec)
    return out


def _projects(
    path: Path, problems: list[Problem], src: set[str], ids: dict[str, str], node_ids: set[str]
) -> list[Record]:
    f = path / "projects.geojson"
    if not f.exists():
        return []
    feats = _read_geojson(f, "Point", problems)
    chk = _Checker("projects.geojson", problems, src)
    out = []
    for props, geom in feats:
        fid = str(props.get("id") or "?")
        pid = chk.ident(props, fid, ids)
        near = chk.text(props, fid, "near", required=False)
        if near and near not in node_ids:
            chk.add(fid, "near", f"node {near!r} is not in nodes.geojson")
        rec = {
            "id": pid,
            "name": chk.text(props, fid, "name"),
            "aliases": chk.strings(props, fid, "aliases"),
            "country": chk.country(props, fid),
            "sector": chk.text(props, fid, "sector", required=False),
            "value_usd_m": chk.number(props, fid, "value_usd_m"),
            "status": chk.choice(props, fid, "status", PROJECT_STATUSES),
            "announced": chk.text(props, fid, "announced", required=False),
            "near": near,
            **chk.sourcing(props, fid),
            "xy": geom,
        }
        if geom is not None:
            chk.in_region(fid, geom[0], geom[1])
        if pid and geom is not None:
            out.append(rec)
    return out


def _tariffs(
    path: Path, problems: list[Problem], src: set[str], nodes: list[Record], links: list[Record]
) -> list[Record] | None:
    """tariffs.csv: prices by item, unit and container type (see geodata/README.md)."""
    f = path / "tariffs.csv"
    if not f.exists():
        return None
    rows = _read_csv(f, ("id", "item", "container", "value", "unit"), problems)
    chk = _Checker("tariffs.csv", problems, src)
    node_ids = {n["id"] for n in nodes}
    link_mode = {r["id"]: r["mode"] for r in links}
    seen_ids: dict[str, str] = {}
    seen: dict[tuple[str, ...], str] = {}
    out = []
    for i, r in enumerate(rows, start=2):
        fid = r.get("id") or f"line {i}"
        tid = chk.ident(r, fid, seen_ids)
        item = chk.choice(r, fid, "item", TARIFF_ITEMS)
        container = chk.choice(r, fid, "container", CONTAINER_TYPES)
        per_km = (r.get("unit") or "").strip().endswith("-km")
        value = chk.number(r, fid, "value", required=True, at_most=MAX_USD_PER_KM if per_km else MAX_USD)
        unit = chk.text(r, fid, "unit")
        if item and unit and unit not in TARIFF_UNITS[item]:
            chk.add(fid, "unit", f"{unit!r} is not a {item} unit ({', '.join(TARIFF_UNITS[item])})")
        mode = (r.get("mode") or "").strip()
        country = (r.get("country") or "").strip()
        link = (r.get("link") or "").strip()
        node = (r.get("node") or "").strip()
        between = (r.get("between") or "").strip()
        direction = (r.get("direction") or "").strip() or "both"
        if direction not in ("both", "forward", "reverse"):
            chk.add(fid, "direction", f"unknown value {direction!r} (expected both, forward or reverse)")
        if link and link not in link_mode:
            chk.add(fid, "link", f"link {link!r} is not in links.geojson")
        if item == "line_haul":
            if mode not in ("rail", "road"):
                chk.add(fid, "mode", "a line_haul row is for rail or road")
            if not link and country != "*" and country not in COUNTRIES:
                chk.add(fid, "country", f"unknown country code {country!r} (ISO alpha-2 or *)")
            if link and link in link_mode and link_mode[link] != mode:
                chk.add(fid, "link", f"link {link!r} is {link_mode[link]}, not {mode}")
            key: tuple[str, ...] = (item, mode, link or country, container)
        elif item == "sea_freight":
            if link and link in link_mode and link_mode[link] != "sea":
                chk.add(fid, "link", f"link {link!r} is not a sea link")
            if not link and unit == "USD/container":
                chk.add(fid, "unit", "a sea_freight row without a link is a fallback rate per container-km")
            key = (item, link or "*", direction, container)
        else:
            if node != "*" and node not in node_ids:
                chk.add(fid, "node", f"node {node!r} is not in nodes.geojson (or * for the default)")
            parts = tuple(sorted(between.split("/"))) if between else ()
            ok = len(parts) == 2 and (
                (set(parts) <= set(MODES) and parts[0] != parts[1]) or _gauge_pair(parts)
            )
            if not ok:
                msg = f"{between!r} is not a mode pair (rail/sea) or gauge pair (1435/1520)"
                chk.add(fid, "between", msg)
            between = "/".join(parts)
            key = (item, node, between, container)
        if key in seen:
            chk.add(fid, "", f"same price as row {seen[key]!r} (one row per key and container)")
        seen.setdefault(key, fid)
        out.append(
            {
                "id": tid,
                "item": item,
                "mode": mode,
                "country": country,
                "link": link,
                "node": node,
                "between": between,
                "direction": direction,
                "container": container,
                "value": value if value is not None else 0.0,
                "unit": unit,
                "basis": (r.get("basis") or "").strip(),
                "year": (r.get("year") or "").strip(),
                **chk.sourcing(r, fid),
            }
        )
    return out


def _validation(path: Path, problems: list[Problem], src: set[str], node_ids: set[str]) -> list[Record]:
    """validation.csv: published end-to-end figures, each with the query that makes it comparable."""
    f = path / "validation.csv"
    if not f.exists():
        return []
    rows = _read_csv(f, ("id", "origin", "destination", "metric", "low", "high", "kind"), problems)
    chk = _Checker("validation.csv", problems, src)
    seen: dict[str, str] = {}
    out = []
    for i, r in enumerate(rows, start=2):
        fid = r.get("id") or f"line {i}"
        vid = chk.ident(r, fid, seen)
        places = {"origin": [chk.text(r, fid, "origin")], "destination": [chk.text(r, fid, "destination")]}
        places["via"] = [x.strip() for x in (r.get("via") or "").split(";") if x.strip()]
        for fld, ids in places.items():
            for x in ids:
                if x and x not in node_ids:
                    chk.add(fid, fld, f"node {x!r} is not in nodes.geojson")
        avoid = [x.strip() for x in (r.get("avoid_countries") or "").split(";") if x.strip()]
        for c in avoid:
            if c not in COUNTRIES:
                chk.add(fid, "avoid_countries", f"unknown country code {c!r}")
        modes = [x.strip() for x in (r.get("modes") or "").split(";") if x.strip()]
        if not set(modes) <= set(MODES):
            chk.add(fid, "modes", f"unknown mode in {r.get('modes')!r} (rail;road;sea)")
        by = (r.get("by") or "time").strip()
        if by not in OBJECTIVE_NAMES:
            chk.add(fid, "by", f"unknown objective {by!r}")
        container = (r.get("container") or "20ft").strip()
        if container not in CONTAINER_TYPES:
            chk.add(fid, "container", f"unknown container {container!r} (20ft or 40ft)")
        as_of = _date(chk, r, fid, "as_of")
        low = chk.number(r, fid, "low", required=True, positive=True)
        high = chk.number(r, fid, "high", required=True, positive=True)
        if low is not None and high is not None and high < low:
            chk.add(fid, "high", f"{high:g} is below low {low:g}")
        rec = {
            "id": vid,
            "origin": places["origin"][0],
            "destination": places["destination"][0],
            "via": places["via"],
            "avoid_countries": avoid,
            "modes": modes or list(MODES),
            "by": by,
            "container": container,
            "as_of": as_of,
            "metric": chk.choice(r, fid, "metric", VALIDATION_METRICS),
            "low": low,
            "high": high,
            "kind": chk.choice(r, fid, "kind", VALIDATION_KINDS),
            "year": (r.get("year") or "").strip(),
            "published": (r.get("published") or "").strip(),
            "source": chk.strings(r, fid, "source"),
            "note": (r.get("note") or "").strip(),
        }
        if not rec["source"]:
            chk.add(fid, "source", "a published figure without a source")
        for s_id in rec["source"]:
            if s_id not in src:
                chk.add(fid, "source", f"source id {s_id!r} is not in sources.csv")
        if vid:
            out.append(rec)
    return out


def _events(
    path: Path, problems: list[Problem], src: set[str], targets: Mapping[str, set[str]]
) -> list[Record]:
    """events.csv: dated disruptions (closures, suspensions, bans, capacity cuts, delays)."""
    f = path / "events.csv"
    if not f.exists():
        return []
    rows = _read_csv(f, ("id", "target_kind", "target", "kind", "start", "title"), problems)
    chk = _Checker("events.csv", problems, src)
    seen: dict[str, str] = {}
    out = []
    for i, r in enumerate(rows, start=2):
        fid = r.get("id") or f"line {i}"
        eid = chk.ident(r, fid, seen)
        tkind = chk.choice(r, fid, "target_kind", EVENT_TARGETS)
        target = chk.text(r, fid, "target")
        if tkind and target:
            known = COUNTRIES if tkind == "country" else targets.get(tkind, set())
            if target not in known:
                chk.add(fid, "target", f"{tkind} {target!r} does not exist in the dataset")
        kind = chk.choice(r, fid, "kind", EVENT_KINDS)
        start = _date(chk, r, fid, "start", required=True)
        end = _date(chk, r, fid, "end")
        confirmed = _date(chk, r, fid, "last_confirmed")
        if start and end and end < start:
            chk.add(fid, "end", f"{end} is before the start {start}")
        if start and confirmed and confirmed < start:
            chk.add(fid, "last_confirmed", f"{confirmed} is before the start {start}")
        direction = (r.get("direction") or "").strip() or "both"
        if tkind and direction not in EVENT_DIRECTIONS[tkind]:
            chk.add(fid, "direction", f"{direction!r} is not one of {', '.join(EVENT_DIRECTIONS[tkind])}")
        raw_modes = (r.get("modes") or "*").strip()
        modes = [m.strip() for m in raw_modes.split(";") if m.strip()] if raw_modes != "*" else list(MODES)
        if not set(modes) <= set(MODES):
            chk.add(fid, "modes", f"unknown mode in {raw_modes!r} (rail;road;sea or *)")
        delay = chk.number(r, fid, "delay_h")
        if kind and kind not in CLOSING_EVENTS and not delay:
            chk.add(fid, "delay_h", f"a {kind} needs delay_h (hours added), more than 0")
        if kind in CLOSING_EVENTS and delay:
            chk.add(fid, "delay_h", f"a {kind} closes its target; delay_h must be blank")
        srcs = chk.strings(r, fid, "source")
        if not srcs:
            chk.add(fid, "source", "an event without a source")
        for s_id in srcs:
            if s_id not in src:
                chk.add(fid, "source", f"source id {s_id!r} is not in sources.csv")
        if eid:
            out.append(
                {
                    "id": eid,
                    "target_kind": tkind,
                    "target": target,
                    "kind": kind,
                    "start": start,
                    "end": end,
                    "last_confirmed": confirmed,
                    "direction": direction,
                    "modes": modes,
                    "delay_h": delay or 0.0,
                    "title": chk.text(r, fid, "title"),
                    "source": srcs,
                    "note": (r.get("note") or "").strip(),
                }
            )
    return out


def _spreads(
    path: Path, problems: list[Problem], src: set[str], targets: Mapping[str, set[str]]
) -> list[Record] | None:
    """spreads.csv: published ranges (read as P10-P90) of the time components (see geodata/README.md)."""
    f = path / "spreads.csv"
    if not f.exists():
        return None
    rows = _read_csv(f, ("id", "component", "scope", "low", "high"), problems)
    chk = _Checker("spreads.csv", problems, src)
    seen: dict[str, str] = {}
    out = []
    for i, r in enumerate(rows, start=2):
        fid = r.get("id") or f"line {i}"
        sid = chk.ident(r, fid, seen)
        comp = chk.choice(r, fid, "component", SPREAD_COMPONENTS)
        scope = chk.choice(r, fid, "scope", SPREAD_SCOPES)
        target = (r.get("target") or "").strip()
        if scope == "default" and target:
            chk.add(fid, "target", "a default row has no target")
        elif scope in ("link", "node") and target not in targets.get(scope, set()):
            chk.add(fid, "target", f"{scope} {target!r} does not exist in the dataset")
        elif scope == "country" and target not in COUNTRIES:
            chk.add(fid, "target", f"unknown country code {target!r}")
        mode = (r.get("mode") or "").strip()
        if mode and mode not in MODES:
            chk.add(fid, "mode", f"unknown mode {mode!r}")
        direction = (r.get("direction") or "").strip() or "both"
        if direction not in ("both", "forward", "reverse"):
            chk.add(fid, "direction", f"unknown value {direction!r} (both, forward, reverse)")
        low = chk.number(r, fid, "low", required=True, positive=True)
        high = chk.number(r, fid, "high", required=True, positive=True)
        if low is not None and high is not None and not high > low:
            chk.add(fid, "high", f"must be above low ({high:g} <= {low:g})")
        elif low is not None and high is not None and high > MAX_SPREAD_RATIO * low:
            chk.add(
                fid, "high", f"is more than {MAX_SPREAD_RATIO:g} times low (a lognormal that wide overflows)"
            )
        months: list[int] = []
        for m in (r.get("months") or "").split(";"):
            if m.strip():
                if m.strip() in _MONTHS:
                    months.append(int(m))
                else:
                    chk.add(fid, "months", f"{m.strip()[:10]!r} is not a month number 1-12")
        if sid:
            out.append(
                {
                    "id": sid,
                    "component": comp,
                    "scope": scope,
                    "target": target,
                    "mode": mode,
                    "direction": direction,
                    "low": low or 1.0,
                    "high": high or 1.0,
                    "unit": (r.get("unit") or "").strip(),
                    "months": months,
                    "basis": (r.get("basis") or "").strip(),
                    **chk.sourcing(r, fid),
                }
            )
    return out


def dataset_meta(path: str | Path | None = None) -> dict[str, Any]:
    """A dataset's ``dataset.toml`` (``title``, ``as_of``, ``version``) without reading the rest of it;
    an empty mapping when it is absent or unreadable (``validate`` reports why)."""
    return _meta(Path(path) if path is not None else DEFAULT_GEODATA, [])


def _meta(path: Path, problems: list[Problem]) -> dict[str, Any]:
    """dataset.toml: ``title``, ``as_of`` (a TOML date), ``version``. Absent: an empty mapping."""
    import tomllib

    f = path / "dataset.toml"
    if not f.exists():
        return {}
    text = _read_text(f, problems)
    if text is None:
        return {}
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        problems.append(Problem("dataset.toml", "", "", f"is not valid TOML: {str(exc)[:120]}"))
        return {}
    as_of = doc.get("as_of")
    if as_of is not None and (not isinstance(as_of, date) or isinstance(as_of, datetime)):
        problems.append(Problem("dataset.toml", "", "as_of", "must be a date such as 2026-03-06"))
        doc.pop("as_of")
    for key in ("title", "version"):
        if key in doc and not isinstance(doc[key], str):
            problems.append(Problem("dataset.toml", "", key, "must be text"))
            doc.pop(key)
    return {k: doc[k] for k in ("title", "as_of", "version") if k in doc}


def _date(chk: _Checker, r: Mapping[str, Any], fid: str, fld: str, *, required: bool = False) -> date | None:
    """An ISO date cell (YYYY-MM-DD), None when blank; a problem when it does not parse."""
    raw = (r.get(fld) or "").strip()
    if not raw:
        if required:
            chk.add(fid, fld, "is missing")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        chk.add(fid, fld, f"is not a date (YYYY-MM-DD): {raw[:40]!r}")
        return None


def _parameters(path: Path, problems: list[Problem], src: set[str]) -> list[Record] | None:
    f = path / "parameters.csv"
    if not f.exists():
        return None
    rows = _read_csv(f, ("param", "mode", "country", "value", "unit"), problems)
    chk = _Checker("parameters.csv", problems, src)
    out = []
    seen: set[tuple[str, str, str]] = set()
    for i, r in enumerate(rows, start=2):
        fid = f"{r.get('param') or '?'}/{r.get('mode') or '?'}/{r.get('country') or '?'} (line {i})"
        key = (r.get("param", ""), r.get("mode", ""), r.get("country", ""))
        if key in seen:
            chk.add(fid, "", "duplicate parameter row")
        seen.add(key)
        positive, most = _parameter_rule(r.get("param", ""))
        out.append(
            {
                "param": chk.text(r, fid, "param"),
                "mode": chk.text(r, fid, "mode"),
                "country": chk.text(r, fid, "country"),
                "value": chk.number(r, fid, "value", required=True, positive=positive, at_most=most),
                "unit": r.get("unit", ""),
                "year": r.get("year", ""),
                **chk.sourcing(r, fid),
            }
        )
    return out


def _parameter_rule(name: str) -> tuple[bool, float]:
    """(must be positive, upper bound) of a parameters.csv value, by :data:`PARAMETER_RULES`."""
    for suffix, positive, most in PARAMETER_RULES:
        if name.endswith(suffix):
            return positive, most
    return False, MAX_FIGURE


def _check_costs(
    problems: list[Problem],
    parameters: list[Record],
    tariffs: list[Record],
    nodes: list[Record],
    links: list[Record],
    terminals: list[Record],
) -> None:
    """Price every link (both ways) and handling step as the graph will, and report what would fail.

    A parameter or tariff the cost model needs but has no row for is reported once, in the model's
    own words, with the first link or terminal that needs it; a price or time that cannot be computed
    or is not finite is reported on its link or terminal row. Rows already reported as invalid are
    left out of the model. Mirrors :func:`corridors.graph.build_graph`: a link is priced in its start
    node's country (a sea link in ``*``), a transfer both onto rail and not.
    """
    from corridors.costs import CostModel, MissingParameter, MissingTariff

    def usable_parameter(r: Record) -> bool:
        positive, most = _parameter_rule(r["param"])
        v = r["value"]
        return bool(r["param"]) and v is not None and (v > 0 if positive else v >= 0) and v <= most

    def usable_tariff(r: Record) -> bool:
        most = MAX_USD_PER_KM if str(r["unit"]).endswith("-km") else MAX_USD
        return bool(r["item"] and r["container"] and r["unit"]) and 0 <= r["value"] <= most

    model = CostModel(
        [r for r in parameters if usable_parameter(r)], [r for r in tariffs if usable_tariff(r)]
    )
    missing: dict[str, tuple[str, str]] = {}  # the model's message -> (file, first user)
    failed: set[tuple[str, str]] = set()

    def attempt(price: Callable[[], Any], user: str, file: str, fid: str) -> None:
        try:
            cost = price()
        except MissingParameter as exc:
            missing.setdefault(str(exc), ("parameters.csv", user))
            return
        except MissingTariff as exc:
            missing.setdefault(str(exc), ("tariffs.csv", user))
            return
        except (ArithmeticError, ValueError, TypeError) as exc:
            if (file, fid) not in failed:
                failed.add((file, fid))
                problems.append(Problem(file, fid, "", f"cannot be priced: {exc}"))
            return
        numbers = [cost] if isinstance(cost, float) else [cost.distance_km, cost.time_h, cost.co2_kg]
        numbers += [p.total for p in getattr(cost, "prices", {}).values()]
        if not all(map(math.isfinite, numbers)) and (file, fid) not in failed:
            failed.add((file, fid))
            problems.append(Problem(file, fid, "", "its time, cost or CO2 is not a finite number"))

    if links:
        attempt(lambda: model.value_of_time, "the generalized cost", "parameters.csv", "")
    node_by_id = {n["id"]: n for n in nodes}
    for link in links:
        a, mode = node_by_id.get(link["from"]), link["mode"]
        if a is None or not mode or link["length_km"] is None:
            continue
        country = "*" if mode == "sea" else a["country"]
        for rev in (False, True):
            attempt(
                partial(model.line, link, country, reverse=rev),
                f"link {link['id']!r}",
                "links.geojson",
                link["id"],
            )
    for t in terminals:
        op, between = t["operation"], t["between"]
        if not (op and between and t["node"] in node_by_id):
            continue
        for onto_rail in (False, True) if op == "transfer" else (False,):
            attempt(
                partial(
                    model.handling,
                    node=t["node"],
                    operation=op,
                    between=between,
                    time_h=t["time_h"],
                    depart_interval_h=t.get("depart_interval_h"),
                    onto_rail=onto_rail,
                ),
                f"terminal {t['node']!r} ({op} {between})",
                "terminals.csv",
                t["node"],
            )
    for msg, (file, user) in missing.items():
        problems.append(Problem(file, "", "", f"{msg.removeprefix(file + ' ')}; {user} needs it"))


# --------------------------------------------------------------------------------------------


def _collect(path: Path) -> tuple[Dataset, list[Problem]]:
    problems: list[Problem] = []
    if not path.exists() or not path.is_dir():
        problems.append(Problem(str(path), "", "", "is not a directory"))
        return Dataset(path, (), (), (), (), (), (), (), ()), problems
    sources = _sources(path, problems)
    src = {r["id"] for r in sources}
    ids: dict[str, str] = {}
    corridors = _corridors(path, problems, src)
    corridor_ids = {r["id"] for r in corridors} if corridors is not None else None
    nodes = _nodes(path, problems, src, ids)
    links = _links(path, problems, src, ids, nodes, corridor_ids)
    terminals = _terminals(path, problems, src, nodes)
    node_ids = {r["id"] for r in nodes}
    subjects = {
        "node": node_ids,
        "link": {r["id"] for r in links},
        "corridor": corridor_ids if corridor_ids is not None else set(),
    }
    volumes = _volumes(path, problems, src, subjects)
    projects = _projects(path, problems, src, ids, node_ids)
    parameters = _parameters(path, problems, src)
    if parameters is None and path.resolve() != DEFAULT_GEODATA.resolve():
        parameters = _parameters(DEFAULT_GEODATA, [], set())  # fall back to the shipped defaults
    validation = _validation(path, problems, src, node_ids)
    events = _events(path, problems, src, subjects)
    spreads = _spreads(path, problems, src, subjects)
    if spreads is None and path.resolve() != DEFAULT_GEODATA.resolve():
        # the shipped spreads: their country and default rows apply, link and place rows match nothing
        shipped = _spreads(DEFAULT_GEODATA, [], set(), {}) or []
        spreads = [s for s in shipped if s["scope"] in ("country", "default")]
    meta = _meta(path, problems)
    tariffs = _tariffs(path, problems, src, nodes, links)
    if tariffs is None and path.resolve() != DEFAULT_GEODATA.resolve():
        # the shipped tariffs: their country and default rows apply, link and place rows match nothing
        tariffs = [t for t in _tariffs(DEFAULT_GEODATA, [], set(), [], []) or () if not t["link"]]
    _check_costs(problems, parameters or [], tariffs or [], nodes, links, terminals)
    ds = Dataset(
        path,
        tuple(nodes),
        tuple(links),
        tuple(terminals),
        tuple(corridors or ()),
        tuple(volumes),
        tuple(projects),
        tuple(parameters or ()),
        tuple(sources),
        tuple(problems),
        tariff_records=tuple(tariffs or ()),
        validation_records=tuple(validation),
        event_records=tuple(events),
        spread_records=tuple(spreads or ()),
        meta=meta,
    )
    return ds, problems


def validate_dataset(path: str | Path | None = None) -> list[Problem]:
    """Return every problem of the dataset at ``path`` (the shipped one by default), sorted by file."""
    _, problems = _collect(Path(path) if path is not None else DEFAULT_GEODATA)
    return problems


def load_dataset(path: str | Path | None = None) -> Dataset:
    """Load and validate a dataset directory.

    Parameters
    ----------
    path
        Directory holding ``nodes.geojson``, ``links.geojson``, ``sources.csv`` and optionally the
        other tables of ``geodata/README.md``. Defaults to the shipped ``geodata/``. A dataset without
        ``parameters.csv`` uses the shipped cost-model parameters.

    Raises
    ------
    GeodataError
        Listing every problem found; nothing is loaded from an invalid dataset.
    """
    ds, problems = _collect(Path(path) if path is not None else DEFAULT_GEODATA)
    if problems:
        raise GeodataError(problems)
    return ds
