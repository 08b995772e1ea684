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

import copy
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from corridors.charts import staircase_chart, staircase_frame
from corridors.formats import render_route
from corridors.data import DEFAULT_GEODATA, GeodataError, validate_dataset
from corridors.export import Legend, PngLayer, camera_bounds, spec_png_layers, standalone_html, static_png
from corridors.mapview import CompactDeck, map_frame, overview_deck, route_deck, volumes_deck
from corridors.network import Network, load_network
from corridors.places import PlaceNotFound
from corridors.routing import InvalidQuery, NoRoute, Route
from corridors.share import PAGES, ViewState, parse_view, query_string, view_query
from corridors.tables import crossing_labels, place_labels
from corridors.tours import TourImportError, TourStore, TourStoreError

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


def download_file(path: Path) -> bytes:
    """Bytes of a dataset file for a download button."""
    return path.read_bytes()


# ---------------------------------------------------------------------------------------------
# links: the view state in the URL (corridors.share is the one format and the one validator)

#: The camera controls' keys (also the URL parameters); blank lat/lon/zoom = fit to the data.
CAMERA_KEYS = ("lat", "lon", "zoom", "pitch", "bearing")
#: Presenter mode: hide the sidebar, its toggle and the header (a fixed string: no data in it).
PRESENTER_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stExpandSidebarButton"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1.2rem; padding-bottom: 0.5rem;
  max-width: 100%; }
</style>"""


def query_dict() -> dict[str, list[str]]:
    """The current query parameters, every value as the list of its repeated keys."""
    qp = st.query_params
    return {k: qp.get_all(k) for k in qp}


def url_view(page: str, **allowlists: Any) -> ViewState:
    """The view the URL asks for, validated by :func:`corridors.share.parse_view`.

    Anything invalid falls back to its default with one visible notice (values escaped, truncated).
    """
    state, notices = parse_view(query_dict(), **allowlists)
    state = replace(state, page=page)
    if notices:
        shown = "; ".join(md_escape(n) for n in notices[:20])
        more = f" (and {len(notices) - 20} more)" if len(notices) > 20 else ""
        st.warning(f"Ignored invalid link parameter(s): {shown}{more}. Using the defaults instead.",
                   icon=":material/link_off:")
    return state


def seed(values: Mapping[str, Any]) -> None:
    """Start widgets from the link: a widget key not in the session yet takes the URL's value.

    Widgets of a page are dropped when another page (or presenter mode) runs, so they start again
    from the URL, which always holds the current view.
    """
    for k, v in values.items():
        if k not in st.session_state:
            st.session_state[k] = list(v) if isinstance(v, tuple) else v


def sync_url(state: ViewState) -> None:
    """Write the view into the URL once per change (invalid and unknown parameters disappear)."""
    target = view_query(state)
    current = {k: ",".join(v) for k, v in query_dict().items()}
    if current != target:
        st.query_params.from_dict(target)


def camera_state(page: str) -> dict[str, Any]:
    """The camera widgets' values (None: fit)."""
    out = {k: st.session_state.get(f"{page}_{k}") for k in CAMERA_KEYS}
    for k in ("lat", "lon"):
        out[k] = None if out[k] is None else round(float(out[k]), 4)
    out["zoom"] = None if out["zoom"] is None else round(float(out["zoom"]), 2)
    out["pitch"] = round(float(out["pitch"] or 0.0), 2)
    out["bearing"] = round(float(out["bearing"] or 0.0), 2)
    return out


def _fit_camera(page: str) -> None:
    for k in ("lat", "lon", "zoom"):
        st.session_state[f"{page}_{k}"] = None
    st.session_state[f"{page}_pitch"] = 0.0
    st.session_state[f"{page}_bearing"] = 0.0


def camera_inputs(state: ViewState) -> None:
    """The map view controls: lat, lon, zoom, pitch, bearing (in the link under those names).

    Widget keys carry the page (``planner_lat``): a key shared by two pages would still hold the
    other page's widget when this page's script starts.
    """
    p = state.page
    seed({f"{p}_{k}": getattr(state, k) for k in CAMERA_KEYS})
    with st.expander("Map view (camera in the link)", icon=":material/videocam:"):
        st.caption("The map opens at this view, and so does a copied link. Blank latitude, "
                   "longitude or zoom: fit to the data. Panning with the mouse is not saved.")
        c = st.columns([1, 1, 1, 1, 1, 0.9], vertical_alignment="bottom")
        c[0].number_input("Latitude", -85.0, 85.0, value=None, step=0.5, format="%.4f",
                          key=f"{p}_lat", placeholder="fit")
        c[1].number_input("Longitude", -180.0, 180.0, value=None, step=0.5, format="%.4f",
                          key=f"{p}_lon", placeholder="fit")
        c[2].number_input("Zoom", 0.0, 20.0, value=None, step=0.25, format="%.2f", key=f"{p}_zoom",
                          placeholder="fit")
        c[3].number_input("Pitch", 0.0, 85.0, step=5.0, format="%.1f", key=f"{p}_pitch")
        c[4].number_input("Bearing", -360.0, 360.0, step=5.0, format="%.1f", key=f"{p}_bearing")
        c[5].button("Fit to data", key=f"{p}_fit_camera", on_click=_fit_camera, args=(p,),
                    icon=":material/fit_screen:")


def with_camera(deck: CompactDeck, state: ViewState, deck_key: Any) -> CompactDeck:
    """The (cached, frozen) deck, or a copy whose initial view is the link's camera.

    ``deck_key`` is the plain, hashable input the deck was built from (it keys the copy's cache).
    """
    if state.lat is None and state.lon is None and state.zoom is None and not state.pitch \
            and not state.bearing:
        return deck
    return _camera_deck(deck, deck_key, state.lat, state.lon, state.zoom, state.pitch,
                        state.bearing)


@st.cache_resource(max_entries=64)
def _camera_deck(_deck: CompactDeck, deck_key: Any, lat: float | None, lon: float | None,
                 zoom: float | None, pitch: float, bearing: float) -> CompactDeck:
    return camera_copy(_deck, lat, lon, zoom, pitch, bearing)


def camera_copy(deck: CompactDeck, lat: float | None, lon: float | None, zoom: float | None,
                pitch: float, bearing: float) -> CompactDeck:
    """A shallow copy of ``deck`` with another initial view (layers are shared, never mutated)."""
    import pydeck as pdk

    vs = deck.initial_view_state
    new = copy.copy(deck)
    new.__dict__.pop("_compact_json", None)
    new.initial_view_state = pdk.ViewState(
        latitude=vs.latitude if lat is None else lat, longitude=vs.longitude if lon is None else lon,
        zoom=vs.zoom if zoom is None else zoom, pitch=pitch, bearing=bearing)
    return new


def deck_camera(deck: CompactDeck) -> tuple[float, float, float]:
    """(lat, lon, zoom) of a deck's initial view."""
    vs = deck.initial_view_state
    return float(vs.latitude), float(vs.longitude), float(vs.zoom)


def app_base() -> str:
    """``scheme://host[:port][/base]`` of the app as the browser sees it ("" when unknown)."""
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - outside a browser session (AppTest)
        url = ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    path = parts.path.rstrip("/")
    for slug in PAGES.values():
        if slug and path.endswith("/" + slug):
            path = path[: -len(slug) - 1]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


def page_link(state: ViewState) -> str:
    """The absolute link of a view (relative when the app's address is unknown)."""
    q = query_string(state)
    url = f"{app_base()}/{PAGES.get(state.page, '')}"
    return f"{url}?{q}" if q else url


def step_view(state: ViewState) -> dict[str, str]:
    """What a tour step stores: the page and the view's parameters (no presenter flags)."""
    plain = replace(state, present=False, tour=None, step=None)
    return {"page": state.page, **view_query(plain)}


def tour_store() -> TourStore:
    """The tour database (``CORRIDORS_TOURS_DB`` or the user's data directory)."""
    return TourStore()


def _present(on: bool) -> None:
    if on:
        st.query_params["present"] = "1"
    else:
        st.session_state.pop("_tour_applied", None)
        for k in ("present", "tour", "step"):
            if k in st.query_params:
                del st.query_params[k]


def share_panel(state: ViewState, title: str, *, addable: bool = True) -> None:
    """Sidebar: the link of this view (with a copy button), presenter mode, add to a tour."""
    with st.sidebar:
        st.markdown("**Link to this view**")
        st.code(page_link(state), language=None, wrap_lines=True)
        st.caption("Copy it with the button at the right of the box; it reopens this page with "
                   "the same options, route and camera.")
        st.button("Presenter mode", key="present_on", on_click=_present, args=(True,),
                  icon=":material/slideshow:", width="stretch")
        if addable:
            with st.expander("Add this view to a tour", icon=":material/playlist_add:"):
                add_to_tour_form(state, title)


def add_to_tour_form(state: ViewState, title: str) -> None:
    """Pick a tour (or a new one), a title and a note; save the current view as its last step."""
    store = tour_store()
    try:
        tours = store.tours()
    except TourStoreError as exc:
        st.warning(f"Tours are unavailable: {md_escape(exc)}", icon=":material/database:")
        return
    names = {t.id: t.name for t in tours}
    options = [*names, 0]
    tid = st.selectbox("Tour", options, key="tour_pick",
                       format_func=lambda i: names.get(i, "New tour…") if i else "New tour…")
    new_name = st.text_input("New tour name", "My tour", max_chars=100, key="tour_new_name") \
        if tid == 0 else ""
    st.text_input("Step title", title[:200], max_chars=200, key="tour_step_title")
    st.text_area("Note (optional)", "", max_chars=2000, key="tour_step_note", height=68)
    st.button("Add current view", key="tour_add", icon=":material/add:", width="stretch",
              on_click=_add_view, args=(store, tid, new_name, step_view(state)))
    done = st.session_state.pop("_tour_added", None)
    if done:
        (st.success if done[0] == "success" else st.warning)(md_escape(done[1]))


def _add_view(store: TourStore, tid: int, new_name: str, view: dict[str, str]) -> None:
    """Save a view as the last step of a tour (a callback: runs before the script)."""
    title = str(st.session_state.get("tour_step_title") or "View")
    note = str(st.session_state.get("tour_step_note") or "")
    try:
        if tid == 0:
            tid = store.create(new_name).id
        step = store.add_step(int(tid), title, view, note=note)
    except (TourStoreError, TourImportError, LookupError) as exc:
        st.session_state["_tour_added"] = ("warning", f"Not saved: {exc}")
    else:
        st.session_state["_tour_added"] = ("success", f"Added as step {step.position} of tour {tid}.")
        st.session_state["tour_pick"] = tid


def presenter_bar(state: ViewState) -> None:
    """Presenter controls: tour step title and note, previous / next, exit."""
    tour = None
    if state.tour is not None:
        try:
            tour = tour_store().get(state.tour)
        except LookupError:
            st.warning(f"No tour {state.tour} in the tour database.")
        except TourStoreError as exc:
            st.warning(f"Tours are unavailable: {md_escape(exc)}", icon=":material/database:")
    cols = st.columns([1, 5, 1, 1], vertical_alignment="center")
    if tour is not None and tour.steps:
        n = max(1, min(state.step or 1, len(tour.steps)))
        step = tour.steps[n - 1]
        cols[0].button("Previous", key="tour_prev", disabled=n <= 1, on_click=_go_step,
                       args=(n - 1,), icon=":material/arrow_back:", width="stretch")
        with cols[1]:
            st.markdown(f"**{md_escape(tour.name)}** · step {n} of {len(tour.steps)}: "
                        f"{md_escape(step.title)}")
            if step.note:
                st.caption(md_escape(step.note))
        cols[2].button("Next", key="tour_next", disabled=n >= len(tour.steps), on_click=_go_step,
                       args=(n + 1,), icon=":material/arrow_forward:", width="stretch")
    cols[3].button("Exit", key="present_off", on_click=_present, args=(False,),
                   icon=":material/close_fullscreen:", width="stretch")


def _go_step(n: int) -> None:
    st.query_params["step"] = str(n)


def tour_target(params: Mapping[str, list[str]]) -> tuple[str, dict[str, str]] | None:
    """Where a tour link (``tour=ID&step=N``) goes: the step's page and its full query.

    None when the link has no valid tour; problems are shown as notices.
    """
    state, _ = parse_view({k: v for k, v in params.items() if k in ("tour", "step", "present")})
    if state.tour is None:
        return None
    try:
        tour = tour_store().get(state.tour)
    except (LookupError, TourStoreError):
        return None  # the page's presenter bar says why
    if not tour.steps:
        return None
    n = max(1, min(state.step or 1, len(tour.steps)))
    view = dict(tour.steps[n - 1].view)
    page = view.pop("page", "overview")
    if page not in PAGES or page == "tours":
        page = "overview"
    view = {k: v for k, v in view.items() if k not in ("present", "tour", "step")}
    view.update(tour=str(tour.id), step=str(n))
    if state.present:
        view["present"] = "1"
    return page, view


# ---------------------------------------------------------------------------------------------
# exports of the current map


def map_html(deck: CompactDeck, title: str, subtitle: str, legend: Sequence[Legend]) -> str:
    """The current map as a standalone HTML page (escaped; text tooltips)."""
    return standalone_html(deck.to_json(), title=title, subtitle=subtitle, legend=legend,
                           tooltip_text="{tip}")


def map_png(deck: CompactDeck, title: str, subtitle: str, legend: Sequence[Legend]) -> bytes:
    """The current map as a PNG for slides: the camera's area, title, legend, attribution."""
    import json

    spec = json.loads(deck.to_json())
    lat, lon, zoom = deck_camera(deck)
    layers: list[PngLayer] = spec_png_layers(spec)
    return static_png(layers, title=title, subtitle=subtitle, legend=legend,
                      bounds=camera_bounds(lat, lon, zoom),
                      attribution="Data: corridors geodata (sources.csv); EST marks estimates. "
                                  "Drawn without a basemap.")


def export_buttons(deck: CompactDeck, *, title: str, subtitle: str, legend: Sequence[Legend],
                   stem: str) -> None:
    """Download buttons: the map as standalone HTML and as PNG."""
    a, b = st.columns(2)
    from functools import partial

    a.download_button("Map as HTML", partial(map_html, deck, title, subtitle, tuple(legend)),
                      file_name=f"{stem}.html", mime="text/html", key="export_html",
                      on_click="ignore", icon=":material/html:", width="stretch")
    b.download_button("Map as PNG", partial(map_png, deck, title, subtitle, tuple(legend)),
                      file_name=f"{stem}.png", mime="image/png", key="export_png",
                      on_click="ignore", icon=":material/image:", width="stretch")
