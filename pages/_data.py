"""The data the pages show: which dataset, and everything computed from it, cached.

Caching rules (design section 6 and the streamlit-pydeck notes, section 4.1):

* the network (frames + frozen graph) is built once per dataset version with ``st.cache_resource``;
* every cached function takes the dataset key (:func:`dataset_key`) plus plain hashable inputs, never
  frames or graphs; a route query is one frozen :class:`corridors.request.RouteRequest`, the value the
  CLI and the links (:func:`corridors.share.route_request`) also build;
* route results, downloads and chart specs are cached with ``st.cache_data``; decks with
  ``st.cache_resource`` (they are not mutated after serialization;
  :class:`corridors.mapview.CompactDeck` memoizes its JSON);
* what a page derives from the dataset on every run (option lists, default year, legend) is computed
  once per dataset version, so a page reaches its map without recomputing it.

The dataset is the session's uploaded dataset when there is one (``st.session_state[SESSION_DATASET]``,
the directory a valid upload was unpacked into: ``pages/_upload.py``), else ``$CORRIDORS_GEODATA`` when
set (absolute, or relative to the working directory or the repository), else the shipped ``geodata/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from corridors.charts import breakdown_frame, legend_svg, staircase_band, staircase_frame
from corridors.data import DEFAULT_GEODATA, GeodataError, validate_dataset
from corridors.formats import render_route
from corridors.mapview import (
    CompactDeck,
    MapFrame,
    corridor_colors,
    corridor_names,
    legend_rows,
    map_frame,
    overview_deck,
    route_deck,
    volumes_deck,
)
from corridors.network import Network, load_network
from corridors.places import PlaceNotFound
from corridors.request import RouteRequest
from corridors.routing import Blocker, InvalidQuery, NoRoute, Route
from corridors.svgcharts import breakdown_svg, staircase_svg
from corridors.tables import crossing_labels, place_labels, sources_table
from corridors.volumes import default_year, format_quantity, pick_figures, volume_years
from pages._text import md_escape

ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "CORRIDORS_GEODATA"
#: Every file of the schema (the optional ones too): a change to any of them is a new dataset version.
DATA_FILES = (
    "nodes.geojson",
    "links.geojson",
    "terminals.csv",
    "corridors.csv",
    "volumes.csv",
    "projects.geojson",
    "parameters.csv",
    "tariffs.csv",
    "events.csv",
    "spreads.csv",
    "validation.csv",
    "dataset.toml",
    "sources.csv",
)

#: Session-state key of the session's own dataset directory (a valid upload; see pages/_upload.py).
SESSION_DATASET = "_session_dataset_dir"

#: Identity of a dataset version: its directory and each file's (name, size, mtime).
DatasetKey = tuple[str, tuple[tuple[str, int, int], ...]]


def geodata_dir() -> Path:
    """The dataset directory the app shows (the session's upload first, then the environment)."""
    own = st.session_state.get(SESSION_DATASET) if get_script_run_ctx(suppress_warning=True) else None
    if own and Path(own).is_dir():
        return Path(own)
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_GEODATA.resolve()
    p = Path(raw).expanduser()
    if not p.is_absolute():
        p = p if p.exists() else ROOT / p
    return p.resolve()


def dataset_key() -> DatasetKey:
    """Plain, hashable identity of the dataset version: its path and each file's size and mtime."""
    path = geodata_dir()
    sig = []
    for name in DATA_FILES:
        f = path / name
        try:
            s = f.stat()
            sig.append((name, s.st_size, s.st_mtime_ns))
        except OSError:
            sig.append((name, -1, 0))
    return str(path), tuple(sig)


@st.cache_resource(show_spinner="Loading the corridor network…", max_entries=4)
def _network(key: DatasetKey) -> Network:
    return load_network(key[0], cache=False)


def network_or_stop() -> Network:
    """The cached network; an invalid dataset stops the page with its problem list (no traceback)."""
    key = dataset_key()
    try:
        return _network(key)
    except GeodataError as exc:
        st.error(
            f"The dataset {md_escape(Path(key[0]).name)} is invalid: "
            f"{len(exc.problems)} problem(s). The *Data and sources* page lists them; "
            "`corridors validate` prints them."
        )
        st.dataframe(
            pd.DataFrame([{"problem": str(p)} for p in exc.problems[:200]]), hide_index=True, width="stretch"
        )
        st.stop()
        raise  # unreachable: st.stop() raises


@st.cache_data(show_spinner=False, max_entries=8)
def dataset_as_of(key: DatasetKey) -> str:
    """The date the dataset describes (``dataset.toml``), "" when it states none or cannot be read."""
    from corridors.data import dataset_meta

    value = dataset_meta(key[0]).get("as_of")
    return value.isoformat() if hasattr(value, "isoformat") else ""


@st.cache_data(show_spinner=False, max_entries=4)
def problems(key: DatasetKey) -> list[str]:
    """Validation problems of the dataset version (empty when valid)."""
    return [str(p) for p in validate_dataset(key[0])]


@st.cache_resource(max_entries=4)
def frame(key: DatasetKey) -> MapFrame:
    """The dataset's initial map view (computed once, so the camera never jumps on a rerun)."""
    return map_frame(_network(key).dataset)


def download_file(path: Path) -> bytes:
    """Bytes of a dataset file for a download button."""
    return path.read_bytes()


# ---------------------------------------------------------------------------------------------
# route planner


@dataclass(frozen=True)
class PlanResult:
    """Routes for a query, or why there are none."""

    routes: tuple[Route, ...] = ()
    error: str = ""  # "" | "no_route" | "invalid" | "not_found" | "scenario"
    message: str = ""
    blockers: tuple[Blocker, ...] = ()
    dropped: int = 0  # alternatives dropped as detours
    max_detour: float | None = None


@st.cache_resource(show_spinner="Applying the scenario…", max_entries=8)
def _scenario_network(key: DatasetKey, scenario: str) -> Network:
    """The network under a shipped (file id) or saved (``saved_<n>``) scenario."""
    from corridors.scenarios import resolve_scenario_id, shipped_scenarios
    from pages._sharing import tour_store

    shipped = shipped_scenarios(Path(key[0]) / "scenarios")
    return _network(key).with_scenario(resolve_scenario_id(scenario, shipped=shipped, store=tour_store()))


def network_for(key: DatasetKey, scenario: str | None) -> Network:
    """The dataset's network, or its view under ``scenario`` (raises ScenarioError)."""
    return _network(key) if not scenario else _scenario_network(key, scenario)


@st.cache_data(show_spinner="Routing…", max_entries=256)
def plan(key: DatasetKey, request: RouteRequest, scenario: str | None = None) -> PlanResult:
    """Best route and alternatives of a request (cached by the dataset version, the request and the
    scenario id)."""
    from corridors.scenarios import ScenarioError

    try:
        found = network_for(key, scenario).plan(request)
    except ScenarioError as exc:
        return PlanResult(error="scenario", message=str(exc))
    except NoRoute as exc:
        return PlanResult(error="no_route", message=exc.reason, blockers=exc.blockers)
    except InvalidQuery as exc:
        return PlanResult(error="invalid", message=str(exc))
    except PlaceNotFound as exc:
        names = ", ".join(p.name for p in exc.suggestions)
        return PlanResult(error="not_found", message=f"closest names: {names}" if names else "")
    return PlanResult(routes=tuple(found), dropped=found.dropped, max_detour=found.max_detour)


@st.cache_data(show_spinner=False, max_entries=64)
def route_file(key: DatasetKey, request: RouteRequest, fmt: str, scenario: str | None = None) -> str:
    """The download of a planned route: exactly what ``corridors route --format fmt`` prints."""
    res = plan(key, request, scenario)
    return render_route(list(res.routes), fmt) if res.routes else ""


@dataclass(frozen=True)
class PlannerCharts:
    """The planner's charts as static SVG documents (no chart library in the browser)."""

    time: str
    cost: str
    time_parts: str
    cost_items: str


@st.cache_data(show_spinner=False, max_entries=64)
def planner_charts(key: DatasetKey, request: RouteRequest, scenario: str | None = None) -> PlannerCharts:
    """Staircases (time with the best route's P10-P90 band, cost) and the breakdown bars of a request."""
    routes = plan(key, request, scenario).routes
    steps = staircase_frame(routes)
    band = staircase_band(routes[0], network_for(key, scenario).time_band(routes[0])) if routes else None
    parts = breakdown_frame(routes)
    return PlannerCharts(
        time=staircase_svg(steps, y="hours", band=band),
        cost=staircase_svg(steps, y="usd"),
        time_parts=breakdown_svg(parts, kind="time"),
        cost_items=breakdown_svg(parts, kind="cost"),
    )


@st.cache_resource(max_entries=64)
def planner_deck(key: DatasetKey, request: RouteRequest, scenario: str | None = None) -> CompactDeck:
    """The planner map of a request (built once per request)."""
    return route_deck(_network(key).dataset, plan(key, request, scenario).routes, frame=frame(key))


@dataclass(frozen=True)
class PlannerChoices:
    """Options of the planner's widgets for one dataset version (built once)."""

    place_labels: dict[str, str]
    crossing_labels: dict[str, str]
    countries: tuple[str, ...]
    names: dict[str, str]
    kinds: dict[str, str]
    link_ids: tuple[str, ...]


@st.cache_resource(max_entries=4)
def planner_choices(key: DatasetKey) -> PlannerChoices:
    """Place and crossing labels, countries: computed once per dataset, not on every rerun."""
    ds = _network(key).dataset
    return PlannerChoices(
        place_labels(ds),
        crossing_labels(ds),
        tuple(sorted(set(ds.nodes["country"]))),
        dict(zip(ds.nodes["id"], ds.nodes["name"], strict=True)),
        dict(zip(ds.nodes["id"], ds.nodes["kind"], strict=True)),
        tuple(str(i) for i in ds.links["id"]),
    )


# ---------------------------------------------------------------------------------------------
# overview


@dataclass(frozen=True)
class OverviewChoices:
    """What the overview derives from one dataset version before its map (built once)."""

    names: dict[str, str]
    colors: dict[str, tuple[int, int, int]]
    corridor_ids: tuple[str, ...]
    years: tuple[int, ...]
    year0: int | None  # the year whose figures cover the most corridors (corridors.volumes)
    year_default: int | None  # year0 when it has figures, else the first year with figures
    node_ids: tuple[str, ...]
    link_ids: tuple[str, ...]


@st.cache_resource(max_entries=4)
def overview_choices(key: DatasetKey) -> OverviewChoices:
    """Corridor names and colours, volume years, feature ids of a dataset version."""
    ds = _network(key).dataset
    colors = corridor_colors(ds)
    years = tuple(volume_years(ds.volumes))
    year0 = default_year(ds.volumes)
    return OverviewChoices(
        names=corridor_names(ds),
        colors=colors,
        corridor_ids=tuple(colors),
        years=years,
        year0=year0,
        year_default=year0 if year0 in years else (years[0] if years else None),
        node_ids=tuple(str(i) for i in ds.nodes["id"]),
        link_ids=tuple(str(i) for i in ds.links["id"]),
    )


@st.cache_resource(max_entries=64)
def cached_overview_deck(
    key: DatasetKey,
    year: int | None,
    corridors: tuple[str, ...] | None,
    modes: tuple[str, ...] | None,
    statuses: tuple[str, ...] | None,
    labels: bool,
) -> CompactDeck:
    """The overview map for plain filter inputs (built once per input)."""
    return overview_deck(
        _network(key).dataset,
        year=year,
        corridors=corridors,
        modes=modes,
        statuses=statuses,
        labels=labels,
        frame=frame(key),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def legend_image(key: DatasetKey, year: int | None, corridors: tuple[str, ...] | None) -> str:
    """The overview legend as SVG markup (a static image: no chart library to load before the map)."""
    rows = legend_rows(_network(key).dataset, year=year, corridors=corridors, frame=frame(key))
    return legend_svg(rows)


@st.cache_data(show_spinner=False, max_entries=32)
def figures_table(key: DatasetKey, year: int | None) -> pd.DataFrame:
    """The corridor freight figures behind the overview's line widths for a year (one row each)."""
    ds = _network(key).dataset
    names = overview_choices(key).names
    rows = []
    for cid, f in pick_figures(ds.volumes, year).items():
        src = sources_table(ds, f.sources)
        rows.append(
            {
                "corridor": names.get(cid, cid),
                "freight": format_quantity(f.value, "t"),
                "period": f"{f.period} {f.year}",
                "scope": f.scope,
                "EST": "EST" if f.estimate else "",
                "other figures": f.others,
                "sources": "; ".join(src["title"]),
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# volumes


@st.cache_resource(max_entries=32)
def cached_volumes_deck(key: DatasetKey, year: int | None) -> CompactDeck:
    """The volumes map for a year (built once per year)."""
    return volumes_deck(_network(key).dataset, year=year, frame=frame(key))
