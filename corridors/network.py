"""The :class:`Network` object scripts and the app use: a dataset, its cost model and its graph.

:func:`load_network` validates a dataset and builds its intermodal graph once
(:mod:`corridors.graph`); the methods route over it (:mod:`corridors.routing`). This module depends
on routing, never the reverse: routing sees a network through :class:`corridors.routing.Routable`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import networkx as nx

from corridors import routing
from corridors.costs import CostModel
from corridors.data import Dataset, load_dataset
from corridors.events import Event, active_events
from corridors.graph import Lookup, build_graph
from corridors.places import Place, PlaceIndex
from corridors.request import RouteRequest
from corridors.routing import Route
from corridors.scenarios import Scenario, ScenarioView, load_scenario, view

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Network", "build_graph", "load_network"]


@dataclass(frozen=True, eq=False)
class Network:
    """A loaded dataset, its cost model and its routing graph.

    Use :func:`load_network` to make one. Methods follow the scripting contract of the design notes
    (section 5): :meth:`route`, :meth:`routes`, :meth:`matrix`, :meth:`find`.

    The dataset, model and graph never change. Derived lookups (place index, dict views, compiled
    routing engines per option set) are memoised in the instance ``__dict__`` on first use; they are
    pure functions of the frozen graph, so sharing one Network between threads or reruns is safe.
    """

    dataset: Dataset
    model: CostModel
    graph: nx.DiGraph
    scenario_view: ScenarioView | None = None

    # -- scenarios -------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario | None:
        """The scenario this network is a view of (None: the baseline)."""
        return self.scenario_view.scenario if self.scenario_view else None

    def with_scenario(self, scenario: Scenario | str | Path) -> Network:
        """This network under a scenario: a view sharing the frozen graph, dataset and model.

        Parameters
        ----------
        scenario
            A :class:`~corridors.scenarios.Scenario` or the path of a scenario file (TOML/JSON).

        Raises
        ------
        corridors.scenarios.ScenarioError
            Listing every edit that is malformed or names something the network does not have.
        """
        base = Network(self.dataset, self.model, self.graph) if self.scenario_view else self
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        return Network(self.dataset, self.model, self.graph, view(base, scenario))

    @property
    def overrides(self) -> Mapping[tuple[str, str], Mapping[str, Any]]:
        """Edge attributes a scenario changes, by edge (empty for the baseline)."""
        if self.scenario_view is None:
            return _NO_OVERRIDES
        return self.scenario_view.overrides(self.graph)

    def edge_data(self, u: str, v: str) -> Mapping[str, Any]:
        """An edge's attributes as routing sees them (a scenario's override, else the graph's)."""
        if self.scenario_view is not None:
            hit = self.overrides.get((u, v))
            if hit is not None:
                return hit
        return self.graph.edges[u, v]

    # -- places ------------------------------------------------------------------------------
    def find(self, text: str, *, kind: str | None = None, limit: int = 10) -> list[Place]:
        """Search places by id, name or alias (case-, diacritic- and script-insensitive)."""
        return self._index.search(text, kind=kind, limit=limit)

    def best_place(self, text: str) -> Place | None:
        """The place a typed text most likely means (``Tashknet`` -> Tashkent), None when unsure."""
        return self._index.best(text)

    def place(self, text: str) -> Place:
        """Resolve one place; raises :class:`~corridors.places.PlaceNotFound` with the closest names."""
        return self._index.resolve(text)

    @property
    def _index(self) -> PlaceIndex:
        idx = self.__dict__.get("_place_index")
        if idx is None:
            idx = PlaceIndex(self.dataset.node_records)
            object.__setattr__(self, "_place_index", idx)
        return idx

    # -- lookups shared by routing (built once, lazily) -----------------------------------------
    @property
    def lookup(self) -> Lookup:
        """Plain dicts of names, countries, coordinates and link lines (faster than frame access)."""
        lk = self.__dict__.get("_lookup")
        if lk is None:
            lk = Lookup(self.dataset)
            object.__setattr__(self, "_lookup", lk)
        return lk

    # -- dated disruptions -----------------------------------------------------------------------
    @property
    def as_of(self) -> date:
        """The date routes describe by default: the dataset's own (``dataset.toml``), or the scenario's."""
        return self.scenario_view.as_of if self.scenario_view else self.dataset.as_of

    @property
    def events(self) -> tuple[Event, ...]:
        """Every dated disruption (``events.csv``, with a scenario's edits), in file order."""
        if self.scenario_view is not None:
            return self.scenario_view.events
        evs = self.__dict__.get("_events")
        if evs is None:
            evs = tuple(Event.from_record(r) for r in self.dataset.event_records)
            object.__setattr__(self, "_events", evs)
        return evs

    def events_in_force(self, on: date | None = None) -> tuple[Event, ...]:
        """The events in force on ``on`` (default :attr:`as_of`)."""
        return active_events(self.events, on or self.as_of)

    # -- routing -----------------------------------------------------------------------------
    def route(self, origin: str, destination: str, **options: Any) -> Route:
        """Best route; options as :func:`corridors.routing.route`."""
        return routing.route(self, origin, destination, **options)

    def routes(self, origin: str, destination: str, *, k: int = 3, **options: Any) -> routing.RouteSet:
        """Up to ``k`` meaningfully different routes, best first (see :func:`corridors.routing.routes`)."""
        return routing.routes(self, origin, destination, k=k, **options)

    def plan(self, request: RouteRequest) -> routing.RouteSet:
        """The routes of one :class:`~corridors.request.RouteRequest` (see :func:`corridors.routing.plan`)."""
        return routing.plan(self, request)

    def time_band(self, route: Route) -> Any:
        """P10/P90 of cumulative hours after each leg (see :func:`corridors.routing.time_band`)."""
        return routing.time_band(self, route)

    def matrix(self, origins: Sequence[str], destinations: Sequence[str], **options: Any) -> pd.DataFrame:
        """Objective value for every origin x destination (see :func:`corridors.routing.matrix`)."""
        return routing.matrix(self, origins, destinations, **options)

    def places(self, ids: Iterable[str] | None = None) -> list[Place]:
        """All places (or those with ``ids``) in dataset order."""
        if ids is None:
            return [Place.from_row(r) for r in self.dataset.node_records]
        by_id = {r["id"]: r for r in self.dataset.node_records}
        return [Place.from_row(by_id[i]) for i in ids]


_NO_OVERRIDES: Mapping[tuple[str, str], Mapping[str, Any]] = MappingProxyType({})
_CACHE: dict[Path, Network] = {}


def load_network(path: str | Path | None = None, *, cache: bool = True) -> Network:
    """Load (and validate) a dataset and build its network.

    Parameters
    ----------
    path
        Dataset directory; the shipped ``geodata/`` by default.
    cache
        Reuse the network already built for the same directory in this process. The network is
        immutable, so sharing it is safe.

    Raises
    ------
    corridors.data.GeodataError
        When the dataset is invalid (every problem listed).
    """
    from corridors.data import DEFAULT_GEODATA

    key = Path(path).resolve() if path is not None else DEFAULT_GEODATA.resolve()
    if cache and key in _CACHE:
        return _CACHE[key]
    ds = load_dataset(key)
    model = CostModel(ds.parameter_records, ds.tariff_records)
    net = Network(ds, model, build_graph(ds, model))
    if cache:
        _CACHE[key] = net
    return net
