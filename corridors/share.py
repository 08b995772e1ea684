"""View state <-> URL query parameters, validated (never pickled, never evaluated).

A view is a page plus its options: the route query (origin, destination, objective, modes, avoided
countries and places, planned links, alternatives, shipment size), the overview filters (corridors,
statuses, labels, year), the volumes page's choices (kind, metric, subjects), the scenarios page's
scenario and origin-destination pairs (``pairs=altynkol>poti,tashkent>karachi``), the map camera (lat,
lon, zoom, pitch, bearing; rounded), the selected feature and presenter flags (present, tour, step).
:func:`parse_view` turns any query-parameter mapping, however hostile, into a valid
:class:`ViewState` plus a list of notices saying what was ignored; :func:`view_query` and
:func:`view_link` go the other way.

The one URL format (the app's pages, ``corridors route --link`` and saved tour steps all use it):

* every value is an id, never a display label (``origin=altynkol``, ``avoid=khorgos_nurzhol_rail``);
* a list is one comma-separated value (``modes=rail,sea``); repeated keys of a list are also read
  (their items are joined), a repeated single-value key keeps its last value;
* a value equal to the default is left out, so the default view is the bare page URL;
* the page is the URL path (``/planner``), not a parameter (``page=`` is accepted in tour steps).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from corridors.request import RouteRequest

if TYPE_CHECKING:
    from corridors.routing import Query

__all__ = [
    "LIST_KEYS",
    "PAGES",
    "ViewState",
    "parse_view",
    "query_string",
    "route_link",
    "route_request",
    "view_link",
    "view_query",
]

#: URL path of each page (st.navigation url_path) by page key.
PAGES = {
    "overview": "",
    "planner": "planner",
    "scenarios": "scenarios",
    "volumes": "volumes",
    "sources": "sources",
    "tours": "tours",
}
OBJECTIVES = ("time", "time_p90", "cost", "distance", "co2", "generalized")
CONTAINER_TYPES = ("20ft", "40ft")
MODES = ("rail", "road", "sea")
STATUSES = ("operational", "under_construction", "planned")
KINDS = ("corridor", "node", "link")
#: Parameters that hold a list (comma-separated in the canonical form).
LIST_KEYS = ("modes", "avoid_countries", "avoid", "via", "corridors", "statuses", "subjects", "pairs")
MAX_VALUE_CHARS = 200
MAX_LIST_ITEMS = 20
_ID_RE = re.compile(r"^[a-z0-9_]{1,80}$")
_CC_RE = re.compile(r"^[A-Z]{2}$")
_SUBJECT_RE = re.compile(r"^(corridor|node|link):[a-z0-9_]{1,80}$")
_PAIR_RE = re.compile(r"^[a-z0-9_]{1,80}>[a-z0-9_]{1,80}$")
_METRIC_RE = re.compile(r"^[a-z][a-z0-9 _-]{0,39} \([A-Za-z0-9 /_-]{1,20}\)$")


@dataclass(frozen=True)
class ViewState:
    """Everything a link carries. Defaults are the app's defaults."""

    page: str = "overview"
    origin: str | None = None
    destination: str | None = None
    by: str = "time"
    modes: tuple[str, ...] = MODES
    avoid_countries: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    via: tuple[str, ...] = ()  # places the route passes through, in order
    include_planned: bool = False
    alternatives: int = 3
    detours: bool = False  # keep alternatives longer than twice the best route
    teu: float | None = None  # None: one container of the chosen type
    container: str = "20ft"
    as_of: str | None = None  # ISO date; None: the dataset's own date
    ignore_disruptions: bool = False
    deadline: float | None = None  # days
    scenario: str | None = None  # id of a shipped or saved scenario
    pairs: tuple[str, ...] = ()  # scenarios page: origin>destination place ids (empty: the default pairs)
    lat: float | None = None
    lon: float | None = None
    zoom: float | None = None
    pitch: float = 0.0
    bearing: float = 0.0
    selected: str | None = None
    year: int | None = None
    corridors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = STATUSES
    labels: bool = True
    kind: str | None = None
    metric: str | None = None
    subjects: tuple[str, ...] = ()
    present: bool = False
    tour: int | None = None
    step: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


_DEFAULT = ViewState()


def _first(v: Any) -> str:
    if isinstance(v, list | tuple):
        return str(v[-1]) if v else ""
    return str(v)


def _joined(v: Any) -> str:
    if isinstance(v, list | tuple):
        return ",".join(str(x) for x in v[: MAX_LIST_ITEMS * 2])
    return str(v)


def _number(raw: str, lo: float, hi: float) -> float | None:
    try:
        x = float(raw)
    except ValueError:
        return None
    if not math.isfinite(x) or not lo <= x <= hi:
        return None
    return x


def parse_view(
    params: Mapping[str, Any],
    *,
    place_ids: Iterable[str] = (),
    link_ids: Iterable[str] = (),
    countries: Iterable[str] = (),
    corridor_ids: Iterable[str] = (),
    subject_ids: Iterable[str] = (),
    metrics: Iterable[str] = (),
    resolve_place: Callable[[str], str | None] | None = None,
) -> tuple[ViewState, list[str]]:
    """Validate query parameters into a :class:`ViewState`.

    Parameters
    ----------
    params
        ``st.query_params.to_dict()`` or any mapping of str to str or list of str (a repeated key
        keeps its last value).
    place_ids, link_ids, countries, corridor_ids, subject_ids, metrics
        What exists in the dataset: unknown ids are dropped with a notice (an empty allowlist
        checks the form of the value only).
    resolve_place
        Turns another spelling of a place (``Алят``, ``Poti (GE)``) into its id, or None; an origin
        or destination that is not an id is looked up with it.

    Returns
    -------
    The state and human-readable notices (plain text, values quoted with repr and truncated).
    """
    places, links, ccs = set(place_ids), set(link_ids), set(countries)
    corrs, subjs, mets = set(corridor_ids), set(subject_ids), set(metrics)
    notices: list[str] = []
    out: dict[str, Any] = {}

    def bad(key: str, raw: str, why: str) -> None:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        notices.append(f"ignored {key}={shown!r}: {why}")

    known = {f.name for f in fields(ViewState)} - {"extra"}
    for key in params:
        if key not in known:
            bad(str(key)[:40], _first(params[key]), "unknown parameter")
    for key in known:
        if key not in params:
            continue
        raw = (_joined if key in LIST_KEYS else _first)(params[key]).strip()
        if len(raw) > MAX_VALUE_CHARS * (10 if key in LIST_KEYS else 1):
            bad(key, raw, "too long")
            continue
        if key == "page":
            if raw in PAGES:
                out[key] = raw
            else:
                bad(key, raw, "unknown page")
        elif key in ("origin", "destination", "selected"):
            ok = _ID_RE.match(raw) and (raw in places or raw in links or not (places or links))
            if key != "selected" and places:
                ok = ok and raw in places
            if not ok and key != "selected" and raw and resolve_place is not None:
                found = resolve_place(raw)
                if found is not None and (found in places or not places):
                    raw, ok = found, True
            if ok:
                out[key] = raw
            elif raw:
                bad(key, raw, "not a known place" if key != "selected" else "not a known feature")
        elif key == "kind":
            if raw in KINDS:
                out[key] = raw
            else:
                bad(key, raw, f"use one of {', '.join(KINDS)}")
        elif key == "metric":
            if _METRIC_RE.match(raw) and (raw in mets or not mets):
                out[key] = raw
            else:
                bad(key, raw, "not a known metric")
        elif key == "by":
            if raw in OBJECTIVES:
                out[key] = raw
            else:
                bad(key, raw, f"use one of {', '.join(OBJECTIVES)}")
        elif key == "container":
            if raw in CONTAINER_TYPES:
                out[key] = raw
            else:
                bad(key, raw, f"use one of {', '.join(CONTAINER_TYPES)}")
        elif key == "as_of":
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                bad(key, raw, "not a date YYYY-MM-DD")
                continue
            if 1990 <= day.year <= 2100:
                out[key] = day.isoformat()
            else:
                bad(key, raw, "not a date from 1990 to 2100")
        elif key == "scenario":
            if _ID_RE.match(raw):
                out[key] = raw
            else:
                bad(key, raw, "not a scenario id")
        elif key in LIST_KEYS:
            items = [x.strip() for x in raw.split(",") if x.strip()]
            if len(items) > MAX_LIST_ITEMS:
                bad(key, raw, f"more than {MAX_LIST_ITEMS} items")
                items = items[:MAX_LIST_ITEMS]
            keep: list[str] = []
            for x in items:
                if key == "modes":
                    good = x in MODES
                elif key == "statuses":
                    good = x in STATUSES
                elif key == "avoid_countries":
                    good = bool(_CC_RE.match(x)) and (x in ccs or not ccs)
                elif key == "corridors":
                    good = bool(_ID_RE.match(x)) and (x in corrs or not corrs)
                elif key == "subjects":
                    good = bool(_SUBJECT_RE.match(x)) and (x in subjs or not subjs)
                elif key == "pairs":
                    o, _, d = x.partition(">")
                    good = (
                        bool(_PAIR_RE.match(x)) and o != d and (not places or (o in places and d in places))
                    )
                else:
                    good = bool(_ID_RE.match(x)) and (x in places or x in links or not (places or links))
                if good and x not in keep:
                    keep.append(x)
                elif not good:
                    bad(key, x, "not a known value")
            if key == "modes" and not keep:
                bad(key, raw, "no valid mode")
                continue
            if items and not keep:  # nothing valid: the default, not an empty choice
                continue
            if key in ("modes", "statuses"):  # canonical order: the links never differ by order
                order = MODES if key == "modes" else STATUSES
                keep = [x for x in order if x in keep]
            out[key] = tuple(keep)
        elif key in ("include_planned", "present", "labels", "ignore_disruptions", "detours"):
            if raw.lower() in ("1", "true", "yes", "on"):
                out[key] = True
            elif raw.lower() in ("0", "false", "no", "off", ""):
                out[key] = False
            else:
                bad(key, raw, "use 1 or 0")
        else:
            lim = {
                "alternatives": (1, 5),
                "teu": (0.01, 10_000),
                "deadline": (0.1, 365),
                "lat": (-85, 85),
                "lon": (-180, 180),
                "zoom": (0, 20),
                "pitch": (0, 85),
                "bearing": (-360, 360),
                "year": (1990, 2050),
                "tour": (1, 10**9),
                "step": (1, 10_000),
            }[key]
            num = _number(raw, *lim)
            if num is None:
                bad(key, raw, f"not a number from {lim[0]:g} to {lim[1]:g}")
                continue
            if key in ("alternatives", "year", "tour", "step"):
                if num != int(num):
                    bad(key, raw, "not a whole number")
                    continue
                out[key] = int(num)
            else:
                out[key] = round(num, 4 if key in ("lat", "lon") else 2)
    state = replace(_DEFAULT, **out)
    if state.origin and state.origin == state.destination:
        notices.append("ignored destination: same as the origin")
        state = replace(state, destination=None)
    return state, notices


def view_query(state: ViewState) -> dict[str, str]:
    """Query parameters of a state, omitting defaults and the page (stable key order).

    ``parse_view(view_query(s))`` gives back ``s`` (the page aside): the round trip the tests hold.
    """
    q: dict[str, str] = {}
    for f in fields(ViewState):
        if f.name == "extra":
            continue
        v = getattr(state, f.name)
        if v == getattr(_DEFAULT, f.name) or v is None:
            continue
        if isinstance(v, bool):
            q[f.name] = "1" if v else "0"
        elif isinstance(v, tuple):
            q[f.name] = ",".join(v)
        elif isinstance(v, float):
            q[f.name] = f"{v:g}"
        else:
            q[f.name] = str(v)
    q.pop("page", None)
    return q


def query_string(state: ViewState) -> str:
    """The URL query of a state (``origin=altynkol&modes=rail%2Csea``), "" for the defaults."""
    return urlencode(view_query(state))


def view_link(state: ViewState, *, base_url: str = "http://localhost:8501") -> str:
    """Absolute app link of a view (the page is the URL path, options the query)."""
    parts = urlsplit(base_url if "://" in base_url else f"http://{base_url}")
    path = parts.path.rstrip("/")
    page = PAGES.get(state.page, "")
    url = f"{parts.scheme}://{parts.netloc}{path}/{page}"
    query = query_string(state)
    return f"{url}?{query}" if query else url


def route_link(query: Query, *, base_url: str = "http://localhost:8501", alternatives: int = 1) -> str:
    """The planner link that reproduces a route query (``corridors route ... --link``)."""
    state = ViewState(
        page="planner",
        origin=query.origin.id,
        destination=query.destination.id,
        by=query.by,
        modes=tuple(m for m in MODES if m in query.modes),
        avoid_countries=tuple(sorted(query.avoid_countries)),
        avoid=tuple(sorted(query.avoid)),
        via=tuple(p.id for p in query.via),
        include_planned=query.include_planned,
        alternatives=max(1, min(alternatives, 5)),
        teu=None if query.teu == {"20ft": 1.0, "40ft": 2.0}[query.container] else float(query.teu),
        container=query.container,
        as_of=None if query.as_of is None else query.as_of.isoformat(),
        ignore_disruptions=query.ignore_disruptions,
        deadline=None if query.deadline_h is None else round(query.deadline_h / 24, 2),
    )
    return view_link(state, base_url=base_url)


def route_request(state: ViewState) -> RouteRequest:
    """The route query a planner view asks for (the value the page caches on and the CLI also builds)."""
    return RouteRequest.make(
        state.origin or "",
        state.destination or "",
        by=state.by,
        modes=state.modes,
        avoid_countries=state.avoid_countries,
        avoid=state.avoid,
        via=state.via,
        include_planned=state.include_planned,
        alternatives=state.alternatives,
        teu=state.teu,
        container=state.container,
        as_of=state.as_of,
        ignore_disruptions=state.ignore_disruptions,
        deadline_days=state.deadline,
        max_detour=0 if state.detours else None,  # 0 keeps every alternative; None: the default
    )
