"""Routes, alternatives and cost matrices over a :class:`Routable` network.

Constraints (allowed modes, avoided countries, places and crossings, planned links, via points) live
in the weight function made by :func:`weight_function`: an edge it hides returns ``None``. The graph
is never copied or filtered. :func:`matrix` uses ``scipy.sparse.csgraph`` over exactly the same edge
weights (the CSR is built by calling the same weight function on every edge).
"""

from __future__ import annotations

import heapq
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from corridors.costs import CONTAINERS, COST_ITEMS, OBJECTIVES, CostModel, Price
from corridors.data import MODES, STATUSES, Dataset
from corridors.events import NONE, Disruptions, Event, active_events, disruptions
from corridors.graph import ADDITIVE, Lookup
from corridors.places import CountryNotFound, Place, resolve_country
from corridors.request import RouteRequest
from corridors.uncertainty import (
    SAMPLES,
    SEED,
    SpreadTable,
    TimeDistribution,
    edge_components,
    p90_excess,
    time_distribution,
)

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

__all__ = [
    "Routable",
    "RouteSet",
    "InvalidQuery",
    "Leg",
    "Options",
    "NoRoute",
    "Query",
    "Route",
    "Totals",
    "matrix",
    "plan",
    "route",
    "routes",
    "time_band",
    "weight_function",
]

Weight = Callable[[str, str, dict[str, Any]], float | None]


class Routable(Protocol):
    """What routing needs of a network (:class:`corridors.network.Network` is one).

    Routing depends on this protocol only, so ``network`` imports ``routing`` and never the reverse.
    Engines compiled for an option set are memoised in the object's ``__dict__``.
    """

    dataset: Dataset
    model: CostModel
    graph: nx.DiGraph

    @property
    def lookup(self) -> Lookup: ...

    @property
    def events(self) -> tuple[Event, ...]: ...

    @property
    def as_of(self) -> date: ...

    @property
    def overrides(self) -> Mapping[tuple[str, str], Mapping[str, Any]]: ...

    def edge_data(self, u: str, v: str) -> Mapping[str, Any]: ...

    def place(self, text: str) -> Place: ...


_OPEN_STATUSES = frozenset({"operational"})
#: Compiled engines and disruption sets memoised per network (oldest dropped first).
ENGINES_CACHED = 64
DISRUPTIONS_CACHED = 32
_MEMO_LOCK = threading.Lock()
_ALL_STATUSES = frozenset(STATUSES)


class InvalidQuery(ValueError):
    """A query option is invalid (same origin and destination, unknown mode, bad number...)."""


class NoRoute(LookupError):
    """No route satisfies the constraints.

    ``blockers`` name the constraints that block (:class:`Blocker`); ``reason`` is the sentence with
    the command-line hints, which ``str()`` also gives. Pages phrase the blockers their own way.
    """

    def __init__(self, blockers: Sequence[Blocker]) -> None:
        self.blockers = tuple(blockers)
        self.reason = no_route_message(self.blockers)
        super().__init__(self.reason)


@dataclass(frozen=True)
class Query:
    """A validated route query (all place references resolved to ids)."""

    origin: Place
    destination: Place
    by: str = "time"
    modes: frozenset[str] = frozenset(MODES)
    avoid_countries: frozenset[str] = frozenset()
    avoid: frozenset[str] = frozenset()  # place ids and link ids
    via: tuple[Place, ...] = ()
    include_planned: bool = False
    teu: float = 1.0
    container: str = "20ft"
    as_of: date | None = None
    ignore_disruptions: bool = False
    events: frozenset[str] = frozenset()  # ids of the events in force that routing honours
    samples: int = SAMPLES  # Monte Carlo draws of the transit time (0: none)
    seed: int = SEED
    deadline_h: float | None = None

    def options(self, extra_avoid: frozenset[str] = frozenset()) -> Options:
        """The engine options of this query (``extra_avoid`` added to the avoided ids)."""
        return Options(
            by=self.by,
            modes=self.modes,
            avoid_countries=self.avoid_countries,
            avoid=self.avoid,
            include_planned=self.include_planned,
            container=self.container,
            as_of=self.as_of,
            ignore_disruptions=self.ignore_disruptions,
            events=self.events,
        ).engine_key(extra_avoid)


@dataclass(frozen=True)
class Leg:
    """One edge of a route: a link, a border crossing or a transfer. Figures are for the shipment.

    Time is itemized: ``run_h`` (moving), ``dwell_h`` (border), ``departure_h`` (waiting for a
    sailing or the onward train; ``interval_h`` is the full interval behind it) and ``handling_h``
    (transfer, gauge change). ``cost_breakdown`` itemizes ``cost_usd`` (:data:`~corridors.costs.
    COST_ITEMS`); ``price_basis`` says what the price is, per unit and year.
    """

    from_id: str
    from_name: str
    to_id: str
    to_name: str
    mode: str  # rail, road, sea, border, transfer
    distance_km: float
    time_h: float
    cost_usd: float
    co2_kg: float
    corridors: tuple[str, ...]
    status: str
    sources: tuple[str, ...]
    estimate: bool
    run_h: float = 0.0
    dwell_h: float = 0.0
    departure_h: float = 0.0
    handling_h: float = 0.0
    interval_h: float = 0.0
    delay_h: float = 0.0
    events: tuple[str, ...] = ()
    cost_breakdown: Mapping[str, float] = field(default_factory=dict)
    price_basis: str = ""
    link: str | None = None
    from_label: str = ""  # short, unambiguous names for headlines (Alat (UZ), Alat (AZ))
    to_label: str = ""
    operation: str = ""  # transfer or gauge_change for a handling step
    reverse: bool = False  # travelled to -> from of its link
    gauge_mm: int | None = None
    note: str = ""
    coords: tuple[tuple[float, float], ...] = ()

    @property
    def wait_h(self) -> float:
        """Hours not moving: border dwell, waiting for a departure, handling and event delays."""
        return self.dwell_h + self.departure_h + self.handling_h + self.delay_h

    def to_dict(self) -> dict[str, Any]:
        """The JSON leg of design section 5 (plus the time items, ``estimate``, ``link`` and ``note``)."""
        return {
            "from": self.from_id,
            "from_name": self.from_name,
            "to": self.to_id,
            "to_name": self.to_name,
            "mode": self.mode,
            "distance_km": _r(self.distance_km, 1),
            "time_h": _r(self.time_h, 2),
            "run_h": _r(self.run_h, 2),
            "dwell_h": _r(self.dwell_h, 2),
            "departure_h": _r(self.departure_h, 2),
            "handling_h": _r(self.handling_h, 2),
            "delay_h": _r(self.delay_h, 2),
            "wait_h": _r(self.wait_h, 2),
            "events": list(self.events),
            "cost_usd": _r(self.cost_usd, 2),
            "cost_breakdown_usd": _breakdown_dict(self.cost_breakdown),
            "price_basis": self.price_basis,
            "co2_kg": _r(self.co2_kg, 1),
            "corridors": list(self.corridors),
            "status": self.status,
            "sources": list(self.sources),
            "estimate": self.estimate,
            "link": self.link,
            "gauge_mm": self.gauge_mm,
            "note": self.note,
        }


@dataclass(frozen=True)
class Totals:
    """Route totals for the shipment.

    ``time_h_min``/``time_h_max`` bound the transit time: no wait at any departure, or a full interval
    at each. ``cost_breakdown`` itemizes ``cost_usd``; ``containers`` is the number of boxes of type
    ``container`` (``teu`` / TEU per box).
    """

    distance_km: float
    time_h: float
    time_h_min: float
    time_h_max: float
    cost_usd: float
    co2_kg: float
    border_crossings: int
    transfers: int
    wait_h: float
    cost_breakdown: Mapping[str, float] = field(default_factory=dict)
    run_h: float = 0.0
    dwell_h: float = 0.0
    departure_h: float = 0.0
    handling_h: float = 0.0
    delay_h: float = 0.0
    container: str = "20ft"
    containers: float = 1.0
    teu: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready totals."""
        return {
            "distance_km": _r(self.distance_km, 1),
            "time_h": _r(self.time_h, 2),
            "time_h_min": _r(self.time_h_min, 2),
            "time_h_max": _r(self.time_h_max, 2),
            "run_h": _r(self.run_h, 2),
            "dwell_h": _r(self.dwell_h, 2),
            "departure_h": _r(self.departure_h, 2),
            "handling_h": _r(self.handling_h, 2),
            "delay_h": _r(self.delay_h, 2),
            "wait_h": _r(self.wait_h, 2),
            "cost_usd": _r(self.cost_usd, 2),
            "cost_breakdown_usd": _breakdown_dict(self.cost_breakdown),
            "co2_kg": _r(self.co2_kg, 1),
            "border_crossings": self.border_crossings,
            "transfers": self.transfers,
            "container": self.container,
            "containers": _r(self.containers, 3),
            "teu": _r(self.teu, 3),
        }


def _breakdown_dict(items: Mapping[str, float]) -> dict[str, float]:
    """Items rounded to cents so that they sum to the rounded total (the largest item absorbs the
    rounding difference, at most a cent or two)."""
    keys = [k for k in COST_ITEMS if k in items]
    out = {k: _r(items[k], 2) for k in keys}
    if keys:
        total = _r(sum(items[k] for k in keys), 2)
        big = max(keys, key=lambda k: abs(out[k]))
        out[big] = _r(out[big] + total - sum(out.values()), 2)
    return out


@dataclass(frozen=True)
class Route:
    """A route: ordered legs, totals, countries in order, the objective value and its geometry."""

    query: Query
    legs: tuple[Leg, ...]
    totals: Totals
    countries: tuple[str, ...]
    objective_value: float
    estimate: bool
    signature: frozenset[str] = field(default=frozenset(), repr=False)
    events_source: tuple[Event, ...] = field(default=(), repr=False)
    distribution: TimeDistribution | None = None

    @property
    def coords(self) -> list[tuple[float, float]]:
        """Route line as (lon, lat) pairs, legs joined end to end."""
        out: list[tuple[float, float]] = []
        for leg in self.legs:
            for c in leg.coords:
                if not out or out[-1] != c:
                    out.append(c)
        return out

    @property
    def geometry(self) -> dict[str, Any]:
        """GeoJSON LineString of the whole route (5 decimals)."""
        coords = [[round(x, 5), round(y, 5)] for x, y in self.coords]
        if len(coords) == 1:
            coords = coords * 2
        return {"type": "LineString", "coordinates": coords}

    @property
    def corridors(self) -> tuple[str, ...]:
        """Corridors used, in order of first use."""
        seen: dict[str, None] = {}
        for leg in self.legs:
            for c in leg.corridors:
                seen.setdefault(c, None)
        return tuple(seen)

    @property
    def disruptions_in_force(self) -> tuple[Event, ...]:
        """The events in force on the query's date that routing honoured (closures and delays)."""
        ids = self.query.events
        return tuple(e for e in self.events_source if e.id in ids)

    @property
    def crossings(self) -> tuple[str, ...]:
        """Names of the border crossings in order."""
        return tuple(f"{leg.from_label} / {leg.to_label}" for leg in self.legs if leg.mode == "border")

    def summary(self) -> str:
        """One line naming the crossings and sea legs that make this route distinct."""
        parts = []
        for leg in self.legs:
            if leg.mode == "border":
                parts.append(f"{leg.from_label}/{leg.to_label}")
            elif leg.mode == "sea":
                parts.append(f"{leg.from_label}–{leg.to_label} ferry")
        return "via " + ", ".join(parts) if parts else "domestic"

    def to_dict(self) -> dict[str, Any]:
        """The route object of the JSON contract (design section 5)."""
        return {
            "summary": self.summary(),
            "totals": {**self.totals.to_dict(), **(self.distribution.to_dict() if self.distribution else {})},
            "countries": list(self.countries),
            "corridors": list(self.corridors),
            "estimate": self.estimate,
            "legs": [leg.to_dict() for leg in self.legs],
            "geometry": self.geometry,
        }


def _r(x: float, n: int) -> float:
    return round(float(x), n)


# ---------------------------------------------------------------------------------------------
# query validation


@dataclass(frozen=True)
class Options:
    """Validated constraint options shared by routes and matrices."""

    by: str = "time"
    modes: frozenset[str] = frozenset(MODES)
    avoid_countries: frozenset[str] = frozenset()
    avoid: frozenset[str] = frozenset()
    include_planned: bool = False
    teu: float = 1.0
    container: str = "20ft"
    as_of: date | None = None
    ignore_disruptions: bool = False
    events: frozenset[str] = frozenset()

    def engine_key(self, extra_avoid: frozenset[str] = frozenset()) -> Options:
        """The options an engine depends on: not the shipment size nor the date (only which events are
        in force on it), the container only for costs."""
        return replace(
            self,
            avoid=self.avoid | extra_avoid,
            teu=1.0,
            container=self.container if self.by in ("cost", "generalized") else "20ft",
            as_of=None,
            ignore_disruptions=False,
        )


def make_options(
    net: Routable,
    *,
    by: str = "time",
    modes: Iterable[str] | None = None,
    avoid_countries: Iterable[str] = (),
    avoid: Iterable[str] = (),
    include_planned: bool = False,
    teu: float | None = None,
    container: str = "20ft",
    as_of: date | str | None = None,
    ignore_disruptions: bool = False,
) -> Options:
    """Validate constraint options; raises InvalidQuery or PlaceNotFound (for ``avoid``).

    ``teu`` None means one container of type ``container`` (1 TEU for a 20-ft box, 2 for a 40-ft).
    ``as_of`` (a date or ``YYYY-MM-DD``; default the dataset's own date) picks the events in force;
    ``ignore_disruptions`` gives the normal-operations view (no event applied).
    """
    if by not in OBJECTIVES:
        raise InvalidQuery(f"unknown objective {by!r}; use one of {', '.join(OBJECTIVES)}")
    mode_set = frozenset(MODES if modes is None else (m.strip().lower() for m in modes if m.strip()))
    bad = sorted(mode_set - set(MODES))
    if bad:
        raise InvalidQuery(f"unknown mode(s) {', '.join(bad)}; use rail, road, sea")
    if not mode_set:
        raise InvalidQuery("no mode allowed; use one or more of rail, road, sea")
    countries = frozenset(_country(c, net) for c in avoid_countries if str(c).strip())
    if container not in CONTAINERS:
        raise InvalidQuery(f"unknown container {str(container)[:20]!r}; use one of {', '.join(CONTAINERS)}")
    if teu is None:
        teu = CONTAINERS[container]
    try:
        teu_f = float(teu)
    except (TypeError, ValueError):
        raise InvalidQuery(f"teu must be a number, got {teu!r}") from None
    if not math.isfinite(teu_f) or teu_f <= 0 or teu_f > 10_000:
        raise InvalidQuery(f"teu must be a positive number up to 10000, got {teu!r}")
    day = parse_as_of(as_of) if as_of is not None else net.as_of
    in_force = () if ignore_disruptions else active_events(net.events, day)
    avoid_ids: set[str] = set()
    links = net.lookup.links
    for a in avoid:
        a = a.strip()
        if not a:
            continue
        avoid_ids.add(a if a in links else net.place(a).id)
    return Options(
        by=by,
        modes=mode_set,
        avoid_countries=countries,
        avoid=frozenset(avoid_ids),
        include_planned=bool(include_planned),
        teu=teu_f,
        container=container,
        as_of=day,
        ignore_disruptions=bool(ignore_disruptions),
        events=frozenset(e.id for e in in_force),
    )


def _country(text: str, net: Routable) -> str:
    """An ISO code from a code or a country name in any spelling (``Russia``, ``Россия``)."""
    t = str(text).strip()
    if len(t) == 2 and t.isascii() and t.isalpha():
        return t.upper()
    try:
        return resolve_country(t)
    except CountryNotFound as exc:
        raise InvalidQuery(f"{exc}; use ISO codes such as KZ, UZ, AZ or country names") from None


def _whole(value: Any, name: str, lo: int, hi: int) -> int:
    """An integer option within [lo, hi]; InvalidQuery otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidQuery(f"{name} must be a whole number, got {str(value)[:20]!r}")
    try:
        f = float(value)
    except ValueError:
        raise InvalidQuery(f"{name} must be a whole number, got {str(value)[:20]!r}") from None
    if not math.isfinite(f) or f != int(f) or not lo <= f <= hi:
        raise InvalidQuery(f"{name} must be a whole number from {lo} to {hi}, got {str(value)[:20]!r}")
    return int(f)


def parse_as_of(value: date | str) -> date:
    """A date from a date or an ISO string; InvalidQuery otherwise."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidQuery(f"as_of must be a date YYYY-MM-DD, got {str(value)[:30]!r}") from None


def make_query(
    net: Routable,
    origin: str,
    destination: str,
    *,
    via: Iterable[str] = (),
    samples: int = SAMPLES,
    seed: int = SEED,
    deadline_h: float | None = None,
    **options: Any,
) -> Query:
    """Validate options and resolve place names; raises InvalidQuery or PlaceNotFound.

    ``samples``/``seed``/``deadline_h`` set the transit-time distribution reported with each route.
    """
    opts = make_options(net, **options)
    samples_i = _whole(samples, "samples", 0, 1_000_000)
    seed_i = _whole(seed, "seed", 0, 2**63 - 1)
    if deadline_h is not None:
        try:
            deadline_f = float(deadline_h)
        except (TypeError, ValueError):
            raise InvalidQuery(f"deadline must be a number of hours, got {str(deadline_h)[:20]!r}") from None
        if not math.isfinite(deadline_f) or deadline_f <= 0 or deadline_f > 24 * 3650:
            raise InvalidQuery(f"deadline must be more than 0 and at most 10 years, got {deadline_h!r}")
        deadline_h = deadline_f
    o = net.place(origin)
    d = net.place(destination)
    if o.id == d.id:
        raise InvalidQuery(f"origin and destination are the same place ({o.name})")
    if o.id in opts.avoid or d.id in opts.avoid:
        raise InvalidQuery("the origin or destination itself is in the avoid list")
    vias = tuple(net.place(v) for v in via if v.strip())
    for v in vias:
        if v.id in opts.avoid:
            raise InvalidQuery(f"via point {v.name} is also avoided")
        if v.id in (o.id, d.id):
            raise InvalidQuery(f"via point {v.name} is the origin or destination")
    return Query(
        o,
        d,
        opts.by,
        opts.modes,
        opts.avoid_countries,
        opts.avoid,
        vias,
        opts.include_planned,
        opts.teu,
        opts.container,
        opts.as_of,
        opts.ignore_disruptions,
        opts.events,
        samples_i,
        seed_i,
        deadline_h,
    )


# ---------------------------------------------------------------------------------------------
# weights


def weight_function(
    net: Routable,
    *,
    by: str,
    modes: frozenset[str] = frozenset(MODES),
    avoid_countries: frozenset[str] = frozenset(),
    avoid: frozenset[str] = frozenset(),
    include_planned: bool = False,
    container: str = "20ft",
    disrupted: Disruptions = NONE,
) -> Weight:
    """Return ``w(u, v, d)``: the edge's objective value, or None when a constraint hides it.

    Values are per shipment for time and distance, per container (of type ``container``) for cost
    and generalized cost, per TEU for CO2. ``disrupted`` hides the edges closed by events in force and
    adds their delays to time. Closures as weights follow searoute: the constraint sets are bound
    once, the graph is untouched.
    """
    closed, delays = disrupted.closed, disrupted.delays
    risk = risk_weights(net) if by == "time_p90" else None
    statuses = _ALL_STATUSES if include_planned else _OPEN_STATUSES
    vot = net.model.value_of_time * CONTAINERS[container] if by == "generalized" else 0.0
    cost_key = f"cost_{container}"
    key = {
        "time": "time_h",
        "time_p90": "time_h",
        "cost": cost_key,
        "distance": "distance_km",
        "co2": "co2_kg",
    }.get(by)
    all_modes = modes >= set(MODES)

    def w(u: str, v: str, d: dict[str, Any]) -> float | None:
        if d["status"] not in statuses:
            return None
        mode = d["mode"]
        if not all_modes and mode in MODES and mode not in modes:
            return None
        if avoid_countries and not avoid_countries.isdisjoint(d["countries"]):
            return None
        if avoid and (d["link"] in avoid or not avoid.isdisjoint(d["places"])):
            return None
        if closed and (u, v) in closed:
            return None
        if key is not None and key != "time_h":
            return float(d[key])
        hours = d["time_h"]
        if risk is not None:
            hours += risk.get((u, v), 0.0)
        if delays:
            hit = delays.get((u, v))
            if hit is not None:
                hours += hit[0]
        return float(hours) if key is not None else float(d[cost_key] + vot * hours)

    return w


def _options_for(q: Query, extra_avoid: frozenset[str] = frozenset()) -> Options:
    return q.options(extra_avoid)


class Engine:
    """The graph under one set of options, compiled for scipy: node index, CSR of the weights.

    Built by calling the options' :func:`weight_function` on every edge (hidden edges dropped), so
    a route here equals networkx's Dijkstra with the same weight function (tests check it). Cached per
    network and options; the graph is frozen, so the cache never goes stale. :meth:`without` derives
    the engine for more avoided places/links by masking edges exactly as the weight function's
    ``avoid`` test does, without calling it again (alternatives ban many crossings in turn).
    """

    def __init__(self, net: Routable, opts: Options) -> None:
        self.opts = opts
        weight = weight_function(
            net,
            by=opts.by,
            modes=opts.modes,
            avoid_countries=opts.avoid_countries,
            avoid=opts.avoid,
            include_planned=opts.include_planned,
            container=opts.container,
            disrupted=disruptions_of(net, opts.events),
        )
        G = net.graph
        self.nodes = list(G.nodes)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        us, vs, ws, links, pa, pb = [], [], [], [], [], []
        w, index = weight, self.index
        over = net.overrides
        for a, b, d in G.edges(data=True):
            if over:
                d = over.get((a, b), d)
            x = w(a, b, d)
            if x is None:
                continue
            us.append(index[a])
            vs.append(index[b])
            ws.append(x if x > 0 else _EPS)
            links.append(d["link"] or "")
            pa.append(d["places"][0])
            pb.append(d["places"][-1])
        self._set(
            np.asarray(us, dtype=np.int64),
            np.asarray(vs, dtype=np.int64),
            np.asarray(ws, dtype=float),
            np.asarray(links, dtype=object),
            np.asarray(pa, dtype=object),
            np.asarray(pb, dtype=object),
        )

    def _set(
        self, u: np.ndarray, v: np.ndarray, w: np.ndarray, links: np.ndarray, pa: np.ndarray, pb: np.ndarray
    ) -> None:
        from scipy.sparse import csr_matrix

        self.u, self.v, self.w = u, v, w
        self.edge_link, self.edge_pa, self.edge_pb = links, pa, pb
        n = len(self.nodes)
        self.csr = csr_matrix((w, (u, v)), shape=(n, n))
        self._trees: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def without(self, avoid: frozenset[str]) -> Engine:
        """This engine with the edges of ``avoid`` (place or link ids) hidden as well."""
        ban = np.asarray(sorted(avoid), dtype=object)
        hide = np.isin(self.edge_link, ban) | np.isin(self.edge_pa, ban) | np.isin(self.edge_pb, ban)
        keep = ~hide
        eng = Engine.__new__(Engine)
        eng.opts = self.opts.engine_key(avoid)
        eng.nodes, eng.index = self.nodes, self.index
        eng._set(
            self.u[keep],
            self.v[keep],
            self.w[keep],
            self.edge_link[keep],
            self.edge_pa[keep],
            self.edge_pb[keep],
        )
        return eng

    def tree(self, src: int) -> tuple[np.ndarray, np.ndarray]:
        """Distances and predecessors from one source (the last few are kept)."""
        hit = self._trees.get(src)
        if hit is None:
            from scipy.sparse.csgraph import dijkstra

            dist, pred = dijkstra(self.csr, directed=True, indices=src, return_predecessors=True)
            if len(self._trees) > 8:
                self._trees.clear()
            hit = self._trees[src] = (dist, pred)
        return hit

    def shortest(self, src: str, dst: str) -> tuple[float, list[str]] | None:
        """Objective value and graph-node path from ``src`` to ``dst``, None if unreachable."""
        s, t = self.index[src], self.index[dst]
        dist, pred = self.tree(s)
        if not math.isfinite(dist[t]):
            return None
        path = [t]
        while path[-1] != s:
            path.append(int(pred[path[-1]]))
        nodes = self.nodes
        return float(dist[t]), [nodes[i] for i in reversed(path)]


def disruptions_of(net: Routable, event_ids: frozenset[str]) -> Disruptions:
    """The graph effects of the events with these ids (memoised per network and event set)."""
    if not event_ids:
        return NONE
    cache: dict[frozenset[str], Disruptions] = net.__dict__.setdefault("_disruptions", {})
    hit = cache.get(event_ids)
    if hit is None:
        chosen = [e for e in net.events if e.id in event_ids]
        hit = _remember(
            cache, event_ids, disruptions(net.graph, chosen, net.lookup.country), DISRUPTIONS_CACHED
        )
    return hit


def _remember(cache: dict[Any, Any], key: Any, value: Any, size: int) -> Any:
    """Put ``value`` in a memo dict shared by threads (the app's sessions each run in their own
    thread) unless another thread got there first, evicting the oldest entries beyond ``size``; the
    value to use. Built outside the lock (the build is pure), stored under it: an unlocked
    check-then-pop of the oldest key raised ``KeyError`` or "dictionary changed size during
    iteration" when two threads evicted at once."""
    with _MEMO_LOCK:
        value = cache.setdefault(key, value)
        while len(cache) > size:
            del cache[next(iter(cache))]
    return value


def engine(net: Routable, opts: Options, *, base: Options | None = None) -> Engine:
    """The cached :class:`Engine` of a network under ``opts`` (``teu`` does not matter).

    With ``base`` (the same options with fewer avoided ids), a missing engine is derived from the
    base engine by masking instead of compiling the weights again.
    """
    cache: dict[Options, Engine] = net.__dict__.setdefault("_engines", {})
    key = opts.engine_key()
    eng = cache.get(key)
    if eng is None:
        if base is not None and base.avoid <= key.avoid:
            eng = engine(net, base).without(key.avoid - base.avoid)
        else:
            eng = Engine(net, key)
        eng = _remember(cache, key, eng, ENGINES_CACHED)
    return eng


# ---------------------------------------------------------------------------------------------
# single routes


def _solve(
    net: Routable, q: Query, opts: Options, *, base: Options | None = None
) -> tuple[float, list[str]] | None:
    """Shortest path origin -> (vias) -> destination as one graph-node path."""
    eng = engine(net, opts, base=base)
    ends = net.graph.graph["endpoints"]
    stops = [q.origin, *q.via, q.destination]
    start = ends[q.origin.id][0]
    total = 0.0
    full: list[str] = []
    for i, nxt in enumerate(stops[1:]):
        hit = eng.shortest(start, ends[nxt.id][1])
        if hit is None:
            return None
        dist, path = hit
        total += dist
        if path[-1].endswith("|in"):
            path = path[:-1]  # the access node
        if i < len(stops) - 2:
            full.extend(path[:-1])
            start = path[-1]  # continue on the layer we arrived on (no free mode change at a via)
        else:
            full.extend(path)
    return total, full


def _legs(net: Routable, q: Query, path: list[str]) -> tuple[Leg, ...]:
    lk = net.lookup
    names = lk.name
    boxes = q.teu / CONTAINERS[q.container]
    disrupted = disruptions_of(net, q.events)
    legs: list[Leg] = []
    pending: dict[str, Any] | None = None  # first half of a parallel link
    for u, v in zip(path, path[1:], strict=False):
        d = net.edge_data(u, v)
        if d["kind"] == "access":
            continue
        if v.endswith("|mid"):
            pending = d
            continue
        if pending is not None:
            d = joined(pending, d)
            pending = None
        a, b = d["a"], d["b"]
        coords: tuple[tuple[float, float], ...] = ()
        mode = d["mode"]
        note = d.get("basis", "")
        if d["link"] is not None:
            cs = lk.line[d["link"]]
            coords = cs[::-1] if d.get("reverse") else cs
            if d["kind"] == "crossing":
                mode = "border"
            if d.get("name"):
                note = f"{d['name']}; {note}" if note else d["name"]
        else:
            coords = (lk.point[a],)
        price = d["prices"][q.container]
        delay, delay_events = disrupted.delays.get((u, v), (0.0, ()))
        if delay_events:
            titles = "; ".join(disrupted.events[e].title for e in delay_events)
            note = f"{note}; +{delay:g} h: {titles}" if note else f"+{delay:g} h: {titles}"
        legs.append(
            Leg(
                from_id=a,
                from_name=str(names[a]),
                to_id=b,
                to_name=str(names[b]),
                mode=mode,
                distance_km=d["distance_km"],
                time_h=d["time_h"] + delay,
                delay_h=delay,
                events=delay_events,
                run_h=d["run_h"],
                dwell_h=d["dwell_h"],
                departure_h=d["departure_h"],
                handling_h=d["handling_h"],
                interval_h=d["interval_h"],
                cost_usd=price.total * boxes,
                cost_breakdown={k: x * boxes for k, x in price.items().items()},
                price_basis=price.basis,
                co2_kg=d["co2_kg"] * q.teu,
                corridors=tuple(d["corridors"]),
                status=d["status"],
                sources=tuple(dict.fromkeys((*d["sources"], *price.sources))),
                estimate=bool(d["estimate"]),
                link=d["link"],
                from_label=lk.label[a],
                to_label=lk.label[b],
                operation=d["kind"] if d["kind"] in ("transfer", "gauge_change") else "",
                reverse=bool(d.get("reverse")),
                gauge_mm=d.get("gauge"),
                note=note,
                coords=coords,
            )
        )
    return tuple(legs)


def joined(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """The two halves of a parallel link (see :func:`corridors.graph.halved`) as one edge."""
    out = {**second, **{k: first[k] + second[k] for k in ADDITIVE}}
    out["prices"] = {c: _sum_prices(first["prices"][c], second["prices"][c]) for c in second["prices"]}
    return out


def _sum_prices(a: Price, b: Price) -> Price:
    return Price(
        **{k: getattr(a, k) + getattr(b, k) for k in COST_ITEMS},
        basis=b.basis,
        sources=b.sources,
        estimate=b.estimate,
    )


def _route_from_path(net: Routable, q: Query, value: float, path: list[str]) -> Route:
    legs = _legs(net, q, path)
    countries: list[str] = []
    country = net.lookup.country
    for pid in [q.origin.id] + [leg.to_id for leg in legs]:
        c = str(country[pid])
        if not countries or countries[-1] != c:
            countries.append(c)
    time_h = sum(leg.time_h for leg in legs)
    departure = sum(leg.departure_h for leg in legs)
    totals = Totals(
        distance_km=sum(leg.distance_km for leg in legs),
        time_h=time_h,
        time_h_min=time_h - departure,
        time_h_max=time_h - departure + sum(leg.interval_h for leg in legs),
        cost_usd=sum(leg.cost_usd for leg in legs),
        co2_kg=sum(leg.co2_kg for leg in legs),
        border_crossings=sum(1 for leg in legs if leg.mode == "border"),
        transfers=sum(1 for leg in legs if leg.mode == "transfer"),
        wait_h=sum(leg.wait_h for leg in legs),
        cost_breakdown={k: sum(leg.cost_breakdown.get(k, 0.0) for leg in legs) for k in COST_ITEMS},
        run_h=sum(leg.run_h for leg in legs),
        dwell_h=sum(leg.dwell_h for leg in legs),
        departure_h=departure,
        handling_h=sum(leg.handling_h for leg in legs),
        delay_h=sum(leg.delay_h for leg in legs),
        container=q.container,
        containers=q.teu / CONTAINERS[q.container],
        teu=q.teu,
    )
    sig = frozenset(
        leg.link if leg.link is not None else f"{leg.from_id}:transfer"
        for leg in legs
        if leg.mode in ("border", "sea", "transfer")
    )
    objective = value * _scale(q.by, q.teu, q.container)
    used = tuple(e for e in net.events if e.id in q.events)
    return Route(q, legs, totals, tuple(countries), objective, any(leg.estimate for leg in legs), sig, used)


def _scale(by: str, teu: float, container: str) -> float:
    """Objective per edge-weight unit -> for the shipment: costs per container x boxes, CO2 per TEU x TEU."""
    if by in ("cost", "generalized"):
        return teu / CONTAINERS[container]
    if by == "co2":
        return teu
    return 1.0


def route(net: Routable, origin: str, destination: str, **options: Any) -> Route:
    """Best route from ``origin`` to ``destination``.

    Parameters
    ----------
    net
        The network.
    origin, destination
        Place ids, names or aliases.
    **options
        ``by`` (time, time_p90, cost, distance, co2, generalized), ``modes``, ``avoid_countries``,
        ``avoid`` (place or link ids/names), ``via``, ``include_planned`` (planned and under-construction
        links; off by default), ``container`` (``20ft``/``40ft``), ``teu`` (shipment size; cost and CO2
        scale with it), ``as_of`` / ``ignore_disruptions`` (dated disruptions), ``samples``, ``seed`` and
        ``deadline_h`` (the transit-time distribution; ``samples=0`` skips it).

    Raises
    ------
    PlaceNotFound
        An unknown place (with the closest names).
    InvalidQuery
        A bad option.
    NoRoute
        Nothing satisfies the constraints; ``blockers`` name what blocks.
    """
    return routes(net, origin, destination, k=1, **options)[0]


class RouteSet(list):  # type: ignore[type-arg]
    """Routes best first, and how many alternatives were dropped as detours (``dropped``)."""

    def __init__(self, routes: Iterable[Route] = (), *, dropped: int = 0, max_detour: float | None = None):
        super().__init__(routes)
        self.dropped = dropped
        self.max_detour = max_detour


#: Alternatives longer than this many times the best route's distance are dropped unless asked for.
MAX_DETOUR = 2.0


def routes(
    net: Routable,
    origin: str,
    destination: str,
    *,
    k: int = 3,
    max_detour: float | None = MAX_DETOUR,
    **options: Any,
) -> RouteSet:
    """Up to ``k`` meaningfully different routes, best first (options as :func:`route`).

    Alternatives longer than ``max_detour`` times the best route's distance are dropped (None or 0 keeps
    them all); the result's ``dropped`` says how many.

    Alternatives differ in a border crossing, a sea leg (port pair) or a transfer terminal, not by a
    trivial detour: starting from the best route, each distinctive element is banned in turn (then in
    combination) and the best remaining route is kept when its signature is new. When the best route
    has no such element (a domestic line haul), alternatives must share under 70 % of its distance.

    ``by="time_p90"`` ranks by the 90th percentile of transit time, which does not add up edge by edge:
    candidates are the alternatives by mean time and those by a risk-weighted time (each edge's mean plus
    its components' P90 excess), each sampled (:mod:`corridors.uncertainty`); the k with the lowest P90
    are returned.
    """
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 10:
        raise InvalidQuery(f"alternatives must be an integer from 1 to 10, got {k!r}")
    if max_detour is not None and (not isinstance(max_detour, int | float) or not 0 <= max_detour <= 1_000):
        raise InvalidQuery(
            f"max_detour must be a factor from 1 (or 0: keep every alternative), got {max_detour!r}"
        )
    found = _ranked(net, make_query(net, origin, destination, **options), k)
    if not max_detour or len(found) < 2:
        return RouteSet(found, max_detour=max_detour or None)
    limit = max_detour * found[0].totals.distance_km
    kept = [found[0], *(r for r in found[1:] if r.totals.distance_km <= limit)]
    return RouteSet(kept, dropped=len(found) - len(kept), max_detour=max_detour)


def _ranked(net: Routable, q: Query, k: int) -> list[Route]:
    """The k best distinct routes under ``q`` with their distributions (see :func:`routes`)."""
    if q.by == "time_p90":
        cands = _alternatives(net, replace(q, by="time"), min(10, k + 1))
        cands += _alternatives(net, replace(q, by="time_p90"), min(10, k + 1))
        # rank on a smaller sample, then report the chosen routes with the requested one
        quick = replace(q, samples=min(q.samples or 2_000, 2_000))
        scored = sorted(
            (with_distribution(net, replace(r, query=quick)) for r in cands),
            key=lambda r: (r.distribution.p90, r.totals.time_h),  # type: ignore[union-attr]
        )
        chosen: list[Route] = []
        for r in scored:
            if all(_distinct(r, f) for f in chosen):
                chosen.append(r)
            if len(chosen) == k:
                break
        out = [with_distribution(net, replace(r, query=q)) for r in chosen]
        return [replace(r, objective_value=r.distribution.p90 if r.distribution else 0.0) for r in out]
    return [with_distribution(net, r) for r in _alternatives(net, q, k)]


def _alternatives(net: Routable, q: Query, k: int) -> list[Route]:
    """The best route and up to ``k - 1`` distinct alternatives under ``q`` (no distributions)."""
    hit = _solve(net, q, _options_for(q))
    if hit is None:
        raise NoRoute(explain_no_route(net, q))
    best = _route_from_path(net, q, *hit)
    found = [best]
    if k == 1:
        return found
    seen_bans: set[frozenset[str]] = {frozenset()}
    heap: list[tuple[float, int, frozenset[str], list[str]]] = []
    counter = 0

    def elements(r: Route) -> set[str]:
        if r.signature:
            return set(r.signature)
        return {leg.link for leg in r.legs if leg.link is not None}

    def push(base: frozenset[str], r: Route) -> None:
        nonlocal counter
        for e in elements(r):
            ban = base | {e}
            if ban in seen_bans:
                continue
            seen_bans.add(ban)
            ban_places = frozenset(x.split(":")[0] for x in ban if x.endswith(":transfer"))
            ban_links = frozenset(x for x in ban if not x.endswith(":transfer"))
            sol = _solve(net, q, _options_for(q, ban_links | ban_places), base=_options_for(q))
            if sol is None:
                continue
            counter += 1
            heapq.heappush(heap, (sol[0], counter, ban, sol[1]))  # legs are built when popped

    push(frozenset(), best)
    budget = 40
    while heap and len(found) < k and budget > 0:
        budget -= 1
        value, _, ban, path = heapq.heappop(heap)
        cand = _route_from_path(net, q, value, path)
        if all(_distinct(cand, r) for r in found):
            found.append(cand)
        push(ban, cand)
    return found


def with_distribution(net: Routable, r: Route) -> Route:
    """The route with its transit-time distribution (P10/P50/P90, on-time probability) attached."""
    q = r.query
    if not q.samples:
        return r
    dist = time_distribution(
        r.legs,
        spread_table(net),
        net.lookup.country,
        month=q.as_of.month if q.as_of else None,
        samples=q.samples,
        seed=q.seed,
        deadline_h=q.deadline_h,
    )
    return replace(r, distribution=dist)


def time_band(net: Routable, r: Route) -> Any:
    """P10 and P90 of the cumulative hours at the end of each of the route's legs (2 x legs array).

    The same draws and seed as the route's distribution, so the last column is its P10/P90; the
    staircase chart's band (:func:`corridors.charts.staircase_band`).
    """
    from corridors.uncertainty import cumulative_percentiles

    q = r.query
    return cumulative_percentiles(
        r.legs,
        spread_table(net),
        net.lookup.country,
        month=q.as_of.month if q.as_of else None,
        samples=q.samples or 10_000,
        seed=q.seed,
    )


def risk_weights(net: Routable) -> dict[tuple[str, str], float]:
    """Per edge, how far its components' P90s sum above their means (memoised; all-year spreads)."""
    weights = net.__dict__.get("_risk_weights")
    if weights is None:
        table, country = spread_table(net), net.lookup.country
        weights = {}
        over = net.overrides
        for u, v, d in net.graph.edges(data=True):
            d = over.get((u, v), d)
            if d["kind"] != "access":
                x = p90_excess(edge_components(d, table, country))
                if x:
                    weights[(u, v)] = x
        net.__dict__["_risk_weights"] = weights
    return weights


def spread_table(net: Routable) -> SpreadTable:
    """The network's spread table (memoised)."""
    table = net.__dict__.get("_spread_table")
    if table is None:
        table = SpreadTable(net.dataset.spread_records)
        view = getattr(net, "scenario_view", None)
        if view is not None:
            table = view.spreads(table)
        net.__dict__["_spread_table"] = table
    return table


def plan(net: Routable, request: RouteRequest) -> RouteSet:
    """The routes a :class:`~corridors.request.RouteRequest` asks for, best first.

    One route when ``request.alternatives`` is 1, else up to that many meaningfully different ones
    (:func:`routes`). Raises what :func:`route` raises.
    """
    opts = request.options()
    return routes(net, request.origin, request.destination, k=request.alternatives, **opts)


def _distinct(a: Route, b: Route) -> bool:
    if a.signature or b.signature:
        return a.signature != b.signature
    shared = {leg.link for leg in a.legs} & {leg.link for leg in b.legs}
    common = sum(leg.distance_km for leg in a.legs if leg.link in shared)
    return common < 0.7 * max(a.totals.distance_km, 1e-9)


# ---------------------------------------------------------------------------------------------
# explaining why there is no route


@dataclass(frozen=True)
class Blocker:
    """One constraint that blocks every route, as found by relaxing it.

    ``kind`` is ``planned``, ``modes``, ``avoid_countries``, ``avoid``, ``via``, ``disruption`` or
    ``other``; ``items`` the ids involved (modes, countries, places/links, event ids); ``text`` a
    plain sentence without any CLI flag or widget name (callers add how to relax it).
    """

    kind: str
    text: str
    items: tuple[str, ...] = ()


#: How to relax each kind of blocker from the command line.
CLI_HINTS = {
    "planned": "allow them with --include-planned",
    "modes": "widen --modes",
    "avoid_countries": "drop it from --avoid-country",
    "avoid": "drop it from --avoid",
    "via": "change --via",
    "disruption": "see normal operations with --ignore-disruptions, or pick another --as-of",
}


def explain_no_route(net: Routable, q: Query) -> tuple[Blocker, ...]:
    """The constraints that block a route, found by relaxing one at a time."""
    names = net.lookup.name
    if q.avoid_countries:
        for p in (q.origin, q.destination, *q.via):
            if p.country in q.avoid_countries:
                role = "origin" if p == q.origin else "destination" if p == q.destination else "via point"
                return (
                    Blocker(
                        "avoid_countries",
                        f"the {role} {p.name} lies in an avoided country ({p.country})",
                        (p.country,),
                    ),
                )

    def ok(**change: Any) -> bool:
        q2 = replace(q, **change)
        return _solve(net, q2, _options_for(q2)) is not None

    out: list[Blocker] = []
    closing = sorted(e.id for e in net.events if e.id in q.events and e.closes)
    if closing and ok(events=q.events - set(closing)):
        blockers = [e for e in closing if ok(events=q.events - {e})] or closing
        by_id = {e.id: e for e in net.events}
        titles = "; ".join(by_id[e].describe() for e in blockers)
        together = "together " if len(blockers) > 1 else ""
        out.append(
            Blocker(
                "disruption",
                f"disruptions in force on {q.as_of} {together}close every way: {titles}",
                tuple(blockers),
            )
        )
    if not q.include_planned and ok(include_planned=True):
        out.append(Blocker("planned", "only planned or under-construction links connect these places"))
    if q.modes != frozenset(MODES) and ok(modes=frozenset(MODES)):
        missing = tuple(sorted(set(MODES) - q.modes))
        out.append(
            Blocker(
                "modes", f"the allowed modes exclude {', '.join(missing)}, which every route needs", missing
            )
        )
    if q.avoid_countries and ok(avoid_countries=frozenset()):
        cs = sorted(q.avoid_countries)
        blockers = [c for c in cs if ok(avoid_countries=q.avoid_countries - {c})] or cs
        out.append(
            Blocker(
                "avoid_countries",
                f"every route passes through an avoided country ({', '.join(blockers)})",
                tuple(blockers),
            )
        )
    if q.avoid and ok(avoid=frozenset()):
        blockers = [a for a in sorted(q.avoid) if ok(avoid=q.avoid - {a})]
        label = ", ".join(str(names.get(a, a)) for a in (blockers or sorted(q.avoid)))
        text = (
            f"the avoided places/crossings together close every way ({label})"
            if not blockers and len(q.avoid) > 1
            else f"every route needs an avoided place or crossing ({label})"
        )
        out.append(Blocker("avoid", text, tuple(blockers or sorted(q.avoid))))
    if q.via and ok(via=()):
        out.append(
            Blocker(
                "via",
                "the via points cannot be reached under the other constraints",
                tuple(v.id for v in q.via),
            )
        )
    if out:
        return tuple(out)
    return (
        Blocker(
            "other",
            f"no route between {q.origin.name} and {q.destination.name} under these constraints "
            "(no single constraint relaxed alone opens one)",
        ),
    )


def no_route_message(blockers: Sequence[Blocker], hints: Mapping[str, str] = CLI_HINTS) -> str:
    """One sentence naming every blocker, each with its hint (``hints``: kind -> how to relax it)."""
    parts = [f"{b.text} ({hints[b.kind]})" if b.kind in hints else b.text for b in blockers]
    return "no route: " + "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# matrices


def matrix(
    net: Routable,
    origins: Sequence[str],
    destinations: Sequence[str],
    *,
    by: str = "time",
    modes: Iterable[str] | None = None,
    avoid_countries: Iterable[str] = (),
    avoid: Iterable[str] = (),
    include_planned: bool = False,
    teu: float | None = None,
    container: str = "20ft",
    as_of: date | str | None = None,
    ignore_disruptions: bool = False,
) -> pd.DataFrame:
    """Objective value of the best route for every origin x destination (NaN: no route).

    Uses ``scipy.sparse.csgraph.dijkstra`` over a CSR built by calling the same weight function as
    :func:`route` on every edge, so values equal networkx's. Rows are origin ids, columns destination
    ids; a pair of the same place is 0.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    opts = make_options(
        net,
        by=by,
        modes=modes,
        avoid_countries=avoid_countries,
        avoid=avoid,
        include_planned=include_planned,
        teu=teu,
        container=container,
        as_of=as_of,
        ignore_disruptions=ignore_disruptions,
    )
    o_places = [net.place(o) for o in origins]
    d_places = [net.place(d) for d in destinations]
    if not o_places or not d_places:
        raise InvalidQuery("a matrix needs at least one origin and one destination")
    eng = engine(net, opts)
    index, u, v, data = eng.index, eng.u, eng.v, eng.w
    ends = net.graph.graph["endpoints"]
    src = [index[ends[p.id][0]] for p in o_places]
    dst = [index[ends[p.id][1]] for p in d_places]
    n = len(index)
    keep = np.zeros(n, dtype=bool)
    keep[src] = True
    keep[dst] = True
    u, v, data, remap = _contract(n, u, v, data, keep)
    m = int(remap.max()) + 1 if len(remap) else 0
    csr = csr_matrix((data, (remap[u], remap[v])), shape=(m, m))
    dist = dijkstra(csr, directed=True, indices=remap[src])[:, remap[dst]]
    dist[np.isinf(dist)] = np.nan
    dist = dist * _scale(opts.by, opts.teu, opts.container)
    col = {p.id: j for j, p in enumerate(d_places)}
    for i, p in enumerate(o_places):
        if p.id in col:
            dist[i, col[p.id]] = 0.0
    import pandas as pd

    return pd.DataFrame(dist, index=[p.id for p in o_places], columns=[p.id for p in d_places])


#: Stand-in for zero weights: scipy ignores explicit zeros of a sparse matrix. A path has at most a
#: few hundred edges, so the added error stays far below any printed rounding.
_EPS = 1e-9


def _contract(
    n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bypass pass-through nodes (at most two neighbours, not an origin or destination).

    Corridor networks are long chains of stations between junctions. A node ``x`` whose in- and
    out-neighbours are at most two places ``{p, q}`` is replaced by edges ``p -> q`` (and ``q -> p``)
    weighing the sum of the two edges they replace; dead ends are dropped. Shortest distances
    between kept nodes are unchanged (weights are non-negative). Returns the new edge arrays and a
    map from old node index to new index (-1 for removed nodes).
    """
    out: list[dict[int, float]] = [{} for _ in range(n)]
    inn: list[dict[int, float]] = [{} for _ in range(n)]
    for a, b, x in zip(u.tolist(), v.tolist(), w.tolist(), strict=True):
        if a == b:
            continue
        if x < out[a].get(b, math.inf):
            out[a][b] = x
            inn[b][a] = x
    alive = np.ones(n, dtype=bool)
    work = [i for i in range(n) if not keep[i]]
    while work:
        x = work.pop()
        if not alive[x]:
            continue
        nbrs = set(out[x]) | set(inn[x])
        if len(nbrs) > 2:
            continue
        for a, wa in inn[x].items():
            for b, wb in out[x].items():
                if a != b and wa + wb < out[a].get(b, math.inf):
                    out[a][b] = wa + wb
                    inn[b][a] = wa + wb
        for a in inn[x]:
            del out[a][x]
        for b in out[x]:
            del inn[b][x]
        out[x].clear()
        inn[x].clear()
        alive[x] = False
        work.extend(y for y in nbrs if not keep[y] and alive[y])
    remap = np.full(n, -1, dtype=np.int64)
    remap[alive] = np.arange(int(alive.sum()))
    us, vs, ws = [], [], []
    for a in np.flatnonzero(alive).tolist():
        for b, x in out[a].items():
            us.append(a)
            vs.append(b)
            ws.append(x)
    return (
        np.asarray(us, dtype=np.int64),
        np.asarray(vs, dtype=np.int64),
        np.asarray(ws, dtype=float),
        remap,
    )
