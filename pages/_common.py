"""Shared app helpers: the dataset choice, cached loaders, query-param checks, escaping.

Caching rules (design section 6 and the streamlit-pydeck notes, section 4.1):

* the network (frames + frozen graph) is built once per dataset version with ``st.cache_resource``;
* route results are cached with ``st.cache_data`` keyed by plain hashable inputs (dataset key, place
  ids, objective, tuples of modes...), never by frames or graphs;
* decks are built once per input with ``st.cache_resource`` (they are not mutated after
  serialization; :class:`corridors.mapview.CompactDeck` memoizes its JSON).

The dataset is ``$CORRIDORS_GEODATA`` when set (absolute, or relative to the working directory or the
repository), else the shipped ``geodata/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from corridors.charts import staircase_chart, staircase_frame
from corridors.cli import render_route
from corridors.data import DEFAULT_GEODATA, GeodataError, validate_dataset
from corridors.mapview import CompactDeck, map_frame, overview_deck, route_deck, volumes_deck
from corridors.network import Network, load_network
from corridors.places import PlaceNotFound
from corridors.routing import InvalidQuery, NoRoute, Route
from corridors.tables import crossing_labels, place_labels

ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "CORRIDORS_GEODATA"
DATA_FILES = ("nodes.geojson", "links.geojson", "terminals.csv", "corridors.csv", "volumes.csv",
              "projects.geojson", "parameters.csv", "sources.csv")

DatasetKey = tuple[str, tuple[tuple[str, int, int], ...]]


def ensure_router() -> None:
    """Make sure the page runs inside ``app.py``'s ``st.navigation``; call first on every page.

    Streamlit treats an app with a ``pages/`` folder as a legacy multipage app until some session
    has run ``st.navigation``. On a freshly started server, a first visit to ``/planner`` would
    run ``pages/planner.py`` alone: no page config, and every file of ``pages/`` (even this
    helper module) listed as a page. Clearing the legacy flag (what ``st.navigation`` itself does)
    and rerunning sends the session through ``app.py`` to the same page (the page hash is the
    hash of its URL path in both modes) with the same query parameters.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def geodata_dir() -> Path:
    """The dataset directory the app shows."""
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
        st.error(f"The dataset {md_escape(Path(key[0]).name)} is invalid: "
                 f"{len(exc.problems)} problem(s). The *Data and sources* page lists them; "
                 "`corridors validate` prints them.")
        st.dataframe(pd.DataFrame([{"problem": str(p)} for p in exc.problems[:200]]),
                     hide_index=True, width="stretch")
        st.stop()
        raise  # unreachable: st.stop() raises


@st.cache_data(show_spinner=False, max_entries=4)
def problems(key: DatasetKey) -> list[str]:
    """Validation problems of the dataset version (empty when valid)."""
    return [str(p) for p in validate_dataset(key[0])]


@st.cache_resource(max_entries=4)
def frame(key: DatasetKey) -> Any:
    """The dataset's initial map view (computed once, so the camera never jumps on a rerun)."""
    return map_frame(_network(key).dataset)


# ---------------------------------------------------------------------------------------------
# route planning


@dataclass(frozen=True)
class PlanResult:
    """Routes for a query, or why there are none."""

    routes: tuple[Route, ...] = ()
    error: str = ""  # "" | "no_route" | "invalid" | "not_found"
    message: str = ""


@st.cache_data(show_spinner="Routing…", max_entries=256)
def plan(
    key: DatasetKey, origin: str, destination: str, by: str, modes: tuple[str, ...],
    avoid_countries: tuple[str, ...], avoid: tuple[str, ...], include_planned: bool, k: int,
    teu: float,
) -> PlanResult:
    """Best route and alternatives for plain inputs (cached by them)."""
    net = _network(key)
    opts = dict(by=by, modes=list(modes), avoid_countries=list(avoid_countries), avoid=list(avoid),
                include_planned=include_planned, teu=teu)
    try:
        if k > 1:
            found = net.routes(origin, destination, k=k, **opts)
        else:
            found = [net.route(origin, destination, **opts)]
    except NoRoute as exc:
        return PlanResult(error="no_route", message=exc.reason)
    except InvalidQuery as exc:
        return PlanResult(error="invalid", message=str(exc))
    except PlaceNotFound as exc:
        names = ", ".join(p.name for p in exc.suggestions)
        return PlanResult(error="not_found", message=f"closest names: {names}" if names else "")
    return PlanResult(routes=tuple(found))


@st.cache_data(show_spinner=False, max_entries=64)
def route_file(
    key: DatasetKey, origin: str, destination: str, by: str, modes: tuple[str, ...],
    avoid_countries: tuple[str, ...], avoid: tuple[str, ...], include_planned: bool, k: int,
    teu: float, fmt: str,
) -> str:
    """The download of a planned route: exactly what ``corridors route --format fmt`` prints."""
    res = plan(key, origin, destination, by, modes, avoid_countries, avoid, include_planned, k, teu)
    return render_route(list(res.routes), fmt) if res.routes else ""


@dataclass(frozen=True)
class PlannerChoices:
    """Options of the planner's widgets for one dataset version (built once)."""

    place_labels: dict[str, str]
    crossing_labels: dict[str, str]
    countries: tuple[str, ...]
    names: dict[str, str]
    kinds: dict[str, str]


@st.cache_resource(max_entries=4)
def planner_choices(key: DatasetKey) -> PlannerChoices:
    """Place and crossing labels, countries: computed once per dataset, not on every rerun."""
    ds = _network(key).dataset
    return PlannerChoices(
        place_labels(ds), crossing_labels(ds), tuple(sorted(set(ds.nodes["country"]))),
        dict(zip(ds.nodes["id"], ds.nodes["name"], strict=True)),
        dict(zip(ds.nodes["id"], ds.nodes["kind"], strict=True)),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def staircase_specs(
    key: DatasetKey, origin: str, destination: str, by: str, modes: tuple[str, ...],
    avoid_countries: tuple[str, ...], avoid: tuple[str, ...], include_planned: bool, k: int,
    teu: float,
) -> tuple[dict, dict]:
    """Vega-Lite specs of the time and cost staircases (Altair validation runs once per input)."""
    res = plan(key, origin, destination, by, modes, avoid_countries, avoid, include_planned, k, teu)
    frame = staircase_frame(res.routes)
    return (staircase_chart(frame, y="hours", height=225).to_dict(),
            staircase_chart(frame, y="usd", height=225).to_dict())


@st.cache_resource(max_entries=64)
def planner_deck(
    key: DatasetKey, origin: str, destination: str, by: str, modes: tuple[str, ...],
    avoid_countries: tuple[str, ...], avoid: tuple[str, ...], include_planned: bool, k: int,
    teu: float,
) -> CompactDeck:
    """The planner map for the same inputs as :func:`plan` (built once per input)."""
    res = plan(key, origin, destination, by, modes, avoid_countries, avoid, include_planned, k, teu)
    return route_deck(_network(key).dataset, res.routes, frame=frame(key))


@st.cache_resource(max_entries=64)
def cached_overview_deck(
    key: DatasetKey, year: int | None, corridors: tuple[str, ...] | None,
    modes: tuple[str, ...] | None, statuses: tuple[str, ...] | None, labels: bool,
) -> CompactDeck:
    """The overview map for plain filter inputs (built once per input)."""
    return overview_deck(_network(key).dataset, year=year, corridors=corridors, modes=modes,
                         statuses=statuses, labels=labels, frame=frame(key))


@st.cache_resource(max_entries=32)
def cached_volumes_deck(key: DatasetKey, year: int | None) -> CompactDeck:
    """The volumes map for a year (built once per year)."""
    return volumes_deck(_network(key).dataset, year=year, frame=frame(key))


# ---------------------------------------------------------------------------------------------
# query params and text


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|:$~=^&])")


def md_escape(text: Any) -> str:
    """Backslash-escape Markdown (and Streamlit directive) characters in a data string."""
    s = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return _MD_SPECIAL.sub(r"\\\1", s)


def check_params(checks: dict[str, Callable[[list[str]], bool]]) -> None:
    """Warn (without echoing values) about link parameters of this page that are invalid.

    Bound widgets ignore invalid values and fall back to their defaults; this makes that visible.
    """
    bad = []
    qp = st.query_params
    for name, ok in checks.items():
        if name not in qp:
            continue
        values = qp.get_all(name)
        try:
            valid = bool(values) and len(values) <= 50 and all(len(v) <= 200 for v in values) \
                and ok(values)
        except Exception:  # noqa: BLE001 - a hostile value must never crash the page
            valid = False
        if not valid:
            bad.append(name)
    if bad:
        st.warning(f"Ignored invalid link parameter(s) {', '.join(f'`{b}`' for b in bad)}: "
                   "using the defaults instead.", icon=":material/link_off:")


def one_of(options: Iterable[Any]) -> Callable[[list[str]], bool]:
    """Check: a single value among ``options`` (compared as text)."""
    allowed = {str(o) for o in options}
    return lambda vs: len(vs) == 1 and vs[0] in allowed


def subset_of(options: Iterable[Any]) -> Callable[[list[str]], bool]:
    """Check: every value among ``options`` (compared as text)."""
    allowed = {str(o) for o in options}
    return lambda vs: all(v in allowed for v in vs)


def number_in(lo: float, hi: float) -> Callable[[list[str]], bool]:
    """Check: one finite number within [lo, hi]."""
    def ok(vs: Sequence[str]) -> bool:
        if len(vs) != 1:
            return False
        x = float(vs[0])
        return x == x and lo <= x <= hi
    return ok


def boolean(vs: Sequence[str]) -> bool:
    """Check: one boolean."""
    return len(vs) == 1 and vs[0].lower() in ("true", "false")


def download_file(path: Path) -> bytes:
    """Bytes of a dataset file for a download button."""
    return path.read_bytes()
