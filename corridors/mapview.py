"""Pure builders of pydeck layers and decks for the app's maps (never imports streamlit).

Layer data are plain lists of dicts holding only what a layer draws or shows: a stable ``id`` (the
details panel looks the feature up by it on the server), a plain-text tooltip ``tip``, rounded
coordinates (5 decimals, about 1 m), a colour and a width or radius. Tooltips use pydeck's ``text``
template (set as ``innerText`` by the browser), so names from a dataset can never become markup.

Widths and radii are in meters with pixel minimums: pixel units draw wrongly in the headless
SwiftShader Chromium the browser tests use (see the project's streamlit-pydeck notes, section 1.3).
:class:`CompactDeck` serializes without pydeck's indentation, once, so a cached deck costs nothing to
send again. It also defuses deck.gl's JSON prefixes in layer data: the browser's ``JSONConverter``
reads every string of the spec, turning one that starts with ``@@=`` into a function and one that
starts with ``@@#`` into a constant lookup (an unknown constant stops the whole map with a
``TypeError``). A data string starting with ``@@`` (a place named ``@@#Math``) therefore gets a
zero-width space in front: it shows as the same text and stays text.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pydeck as pdk

from corridors.volumes import Figure, format_quantity, largest_figure, pick_figures

if TYPE_CHECKING:
    from corridors.data import Dataset
    from corridors.events import Event
    from corridors.routing import Route

__all__ = [
    "CORRIDOR_PALETTE",
    "LAYER_IDS",
    "NODE_STYLE",
    "COMPARISON_LAYERS",
    "CompactDeck",
    "MapFrame",
    "comparison_deck",
    "corridor_colors",
    "legend_rows",
    "link_records",
    "map_frame",
    "node_records",
    "crossing_records",
    "corridor_frame",
    "feature_frame",
    "highlight_layer",
    "overview_deck",
    "places_frame",
    "route_deck",
    "selected_feature",
    "volumes_deck",
]

#: Corridor colours (Tableau 10, then six more distinct hues so that the shipped 14 corridors never share
#: one), assigned in the order of corridors.csv.
CORRIDOR_PALETTE: tuple[tuple[int, int, int], ...] = (
    (78, 121, 167),
    (242, 142, 43),
    (225, 87, 89),
    (89, 161, 79),
    (176, 122, 161),
    (118, 183, 178),
    (237, 201, 72),
    (156, 117, 95),
    (255, 157, 167),
    (186, 176, 172),
    (0, 128, 128),
    (148, 103, 189),
    (188, 189, 34),
    (44, 62, 120),
    (227, 119, 194),
    (44, 110, 60),
)
NO_CORRIDOR = (120, 120, 120)
#: Marker colour and radius (meters, min pixels) by node kind.
NODE_STYLE: Mapping[str, tuple[tuple[int, int, int], float, float]] = {
    "port": ((0, 92, 169), 16000, 6),
    "hub": ((60, 60, 60), 13000, 5),
    "terminal": ((123, 50, 148), 11000, 4),
    "border_post": ((200, 40, 40), 9000, 3),
    "junction": ((130, 130, 130), 7000, 3),
}
CROSSING_COLOR = (214, 39, 40)
#: deck.gl PathStyleExtension dash patterns (dash, gap; in line widths) by link status.
STATUS_DASH: Mapping[str, tuple[float, float]] = {
    "operational": (0, 0),
    "under_construction": (4, 3),
    "planned": (1, 2.5),
}
STATUS_ALPHA = {"operational": 235, "under_construction": 220, "planned": 170}
#: Width of a link drawn as a map line at the initial zoom: thin without volume data, else by sqrt.
NO_DATA_PX = 1.2
MIN_VOLUME_PX = 2.0
MAX_VOLUME_PX = 11.0
ROUTE_COLORS: tuple[tuple[int, int, int], ...] = (
    (230, 57, 70),
    (29, 111, 220),
    (46, 160, 67),
    (155, 81, 224),
    (240, 140, 0),
)
LAYER_IDS = ("links", "crossings", "nodes", "disruptions")

_TIP_MAX = 400
#: Put before a layer-data string starting with deck.gl's JSON prefix ``@@`` (zero-width space).
JSON_PREFIX_GUARD = "\u200b"


def _rgb_hex(c: Sequence[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c[:3])


def _clean(text: Any, limit: int = 120) -> str:
    """A single-line display string: control characters removed, length capped."""
    s = "" if text is None else str(text)
    s = "".join(ch if ch.isprintable() else " " for ch in s)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _tip(lines: Iterable[str]) -> str:
    out = "\n".join(line for line in lines if line)
    return out[:_TIP_MAX]


def _round_path(coords: Iterable[Sequence[float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in coords:
        p = [round(float(x), 5), round(float(y), 5)]
        if not out or out[-1] != p:
            out.append(p)
    return out


class CompactDeck(pdk.Deck):
    """A :class:`pydeck.Deck` whose JSON has no indentation and is computed once.

    Streamlit sends ``to_json()`` as it is; pydeck indents it (60-75 % whitespace). Treat a deck as
    frozen once it has been serialized.

    The app caches decks for all sessions, whose scripts run in their own threads, so the first
    serialization of a deck is serialized by a lock: pydeck reads the deck's ``__dict__`` (which
    holds the memo), and a memo stored by another thread meanwhile could change that dict while it
    is read.
    """

    def to_json(self) -> str:  # noqa: D102 - documented on the class
        memo = self.__dict__.get("_compact_json")
        if memo is None:
            with _JSON_LOCK:
                memo = self.__dict__.get("_compact_json")
                if memo is None:
                    doc = json.loads(super().to_json())
                    for layer in doc.get("layers") or ():
                        if isinstance(layer, dict) and isinstance(layer.get("data"), list):
                            layer["data"] = _defuse_json_prefix(layer["data"])
                    memo = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
                    self.__dict__["_compact_json"] = memo
        return memo

    def with_view(self, view_state: pdk.ViewState) -> CompactDeck:
        """A shallow copy of this deck with another initial view (layers shared, never mutated).

        The copy is taken under the serialization lock: copying a deck's ``__dict__`` while another
        thread stores its JSON memo could fail, or copy the memo of the old view.
        """
        import copy

        with _JSON_LOCK:
            new = copy.copy(self)
        new.__dict__.pop("_compact_json", None)
        new.initial_view_state = view_state
        return new


_JSON_LOCK = threading.RLock()


def _defuse_json_prefix(value: Any) -> Any:
    """``value`` with every string that starts with ``@@`` preceded by :data:`JSON_PREFIX_GUARD`."""
    if isinstance(value, str):
        return JSON_PREFIX_GUARD + value if value.startswith("@@") else value
    if isinstance(value, list):
        return [_defuse_json_prefix(v) for v in value]
    if isinstance(value, dict):
        return {k: _defuse_json_prefix(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------------------------
# view


@dataclass(frozen=True)
class MapFrame:
    """The initial camera of a dataset's maps and the meters that make one pixel there."""

    longitude: float
    latitude: float
    zoom: float
    m_per_px: float

    def view_state(self) -> pdk.ViewState:
        """The pydeck view state."""
        return pdk.ViewState(
            longitude=self.longitude, latitude=self.latitude, zoom=self.zoom, pitch=0, bearing=0
        )


#: deck.gl's web-mercator world is 512 pixels wide at zoom 0 (not 256 as for raster tiles).
_TILE_PX = 512
_M_PER_PX_Z0 = 40_075_016.686 / _TILE_PX


def map_frame(ds: Dataset, *, width_px: int = 640, height_px: int = 560, trim: float = 0.02) -> MapFrame:
    """Frame the dataset's places in a map of the given size (computed once per dataset).

    The outermost ``trim`` share of places on each side (far terminals such as Istanbul or Xi'an)
    may fall outside, so that the corridors' core fills the map.
    """
    if not len(ds.nodes):
        return MapFrame(60.0, 42.0, 3.0, _M_PER_PX_Z0 * math.cos(math.radians(42)) / 8)
    xs = sorted(float(p.x) for p in ds.nodes.geometry)
    ys = sorted(float(p.y) for p in ds.nodes.geometry)
    return fit_bounds(_trim(xs, trim), _trim(ys, trim), width_px=width_px, height_px=height_px)


def _trim(values: list[float], q: float) -> tuple[float, float]:
    """(low, high) of sorted values without the outer ``q`` share on each side."""
    n = len(values)
    k = int(n * q) if n >= 20 else 0
    return values[k], values[n - 1 - k]


def fit_bounds(
    lons: tuple[float, float],
    lats: tuple[float, float],
    *,
    width_px: int = 760,
    height_px: int = 520,
    max_zoom: float = 11.0,
) -> MapFrame:
    """The camera that shows a lon/lat box in a map of the given size."""
    x0, x1 = lons
    y0, y1 = lats
    lon_span = max(x1 - x0, 0.5) * 1.15
    merc = [math.log(math.tan(math.pi / 4 + math.radians(y) / 2)) for y in (y0, y1)]
    y_span = max(merc[1] - merc[0], 0.01) * 1.2
    z_lon = math.log2(width_px * 360 / (_TILE_PX * lon_span))
    z_lat = math.log2(height_px * 2 * math.pi / (_TILE_PX * y_span))
    zoom = round(max(1.0, min(z_lon, z_lat, max_zoom)), 1)
    cy = math.degrees(2 * math.atan(math.exp((merc[0] + merc[1]) / 2)) - math.pi / 2)
    lat = round(cy, 4)
    m_per_px = _M_PER_PX_Z0 * math.cos(math.radians(lat)) / 2**zoom
    return MapFrame(round((x0 + x1) / 2, 4), lat, zoom, m_per_px)


def places_frame(ds: Dataset, *, width_px: int = 660, height_px: int = 580) -> MapFrame:
    """The camera that shows every place of the dataset (none trimmed) in a map of the given size."""
    return map_frame(ds, width_px=width_px, height_px=height_px, trim=0.0)


def corridor_frame(
    ds: Dataset, corridors: Iterable[str], *, width_px: int = 660, height_px: int = 580
) -> MapFrame | None:
    """The camera that shows every link of the given corridors (None when they have no link).

    Only the corridors count, not the mode or status filters, so the camera of a corridor stays
    the same while those filters change.
    """
    chosen = set(corridors)
    if not chosen or not len(ds.links):
        return None
    xs: list[float] = []
    ys: list[float] = []
    for r in ds.link_records:
        if chosen.intersection(r["corridors"]):
            xs.extend(float(x) for x, _ in r["coords"])
            ys.extend(float(y) for _, y in r["coords"])
    if not xs:
        return None
    return fit_bounds((min(xs), max(xs)), (min(ys), max(ys)), width_px=width_px, height_px=height_px)


def _feature_coords(ds: Dataset, fid: str) -> list[tuple[float, float]]:
    """Coordinates of a link (its line) or a place (its point); empty when the id is unknown."""
    for r in ds.link_records:
        if r["id"] == fid:
            return [(float(x), float(y)) for x, y in r["coords"]]
    for r in ds.node_records:
        if r["id"] == fid:
            x, y = r["xy"]
            return [(float(x), float(y))]
    return []


def feature_frame(
    ds: Dataset,
    fid: str,
    *,
    base: MapFrame,
    width_px: int = 660,
    height_px: int = 580,
    zoom_in: float = 2.5,
) -> MapFrame | None:
    """The camera that moves to one link or place: centred on it, zoomed in by at most ``zoom_in``.

    A long link is fitted whole; a place (or a short link) gets ``base.zoom + zoom_in``. The camera
    never zooms out beyond ``base``. None when ``fid`` is no link or place of the dataset.
    """
    coords = _feature_coords(ds, fid)
    if not coords:
        return None
    xs = [x for x, _ in coords]
    ys = [y for _, y in coords]
    fit = fit_bounds(
        (min(xs), max(xs)),
        (min(ys), max(ys)),
        width_px=width_px,
        height_px=height_px,
        max_zoom=round(base.zoom + zoom_in, 1),
    )
    zoom = max(fit.zoom, base.zoom)
    m_per_px = _M_PER_PX_Z0 * math.cos(math.radians(fit.latitude)) / 2**zoom
    return MapFrame(fit.longitude, fit.latitude, zoom, m_per_px)


# ---------------------------------------------------------------------------------------------
# records


def corridor_colors(ds: Dataset) -> dict[str, tuple[int, int, int]]:
    """Colour of every corridor, in the order of corridors.csv (then any only named by links)."""
    ids: list[str] = [str(c) for c in ds.corridors["id"]] if len(ds.corridors) else []
    for cs in ds.links["corridors"] if len(ds.links) else ():
        for c in cs:
            if c not in ids:
                ids.append(c)
    return {c: CORRIDOR_PALETTE[i % len(CORRIDOR_PALETTE)] for i, c in enumerate(ids)}


def corridor_names(ds: Dataset) -> dict[str, str]:
    """Corridor id -> display name."""
    if not len(ds.corridors):
        return {}
    return {str(r["id"]): _clean(r.get("name") or r["id"]) for r in ds.corridors.to_dict("records")}


def volume_scale(ds: Dataset) -> float:
    """The largest chosen corridor figure of any year (t): widths stay comparable across years."""
    return largest_figure(ds.volumes)


def volume_px(tonnes: float | None, scale: float) -> float:
    """Line width in pixels at the initial zoom: thin without data, else by the square root."""
    if tonnes is None or scale <= 0:
        return NO_DATA_PX
    return round(MIN_VOLUME_PX + (MAX_VOLUME_PX - MIN_VOLUME_PX) * math.sqrt(tonnes / scale), 2)


def link_records(
    ds: Dataset,
    *,
    year: int | None = None,
    corridors: Iterable[str] | None = None,
    modes: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    frame: MapFrame | None = None,
    figures: Mapping[str, Figure] | None = None,
) -> list[dict[str, Any]]:
    """One record per link passing the filters: id, tip, path, color, width (m), status, dash.

    ``width`` is the corridor freight figure of ``year`` (the largest of the link's corridors) as
    meters that give :func:`volume_px` pixels at the initial zoom; links without a figure are thin.
    """
    if not len(ds.links):
        return []
    frame = frame or map_frame(ds)
    names = corridor_names(ds)
    colors = corridor_colors(ds)
    figs = dict(figures) if figures is not None else pick_figures(ds.volumes, year)
    scale = volume_scale(ds)
    corr_f = set(corridors) if corridors is not None else None
    mode_f = set(modes) if modes is not None else None
    stat_f = set(statuses) if statuses is not None else None
    node_name = ds.nodes["name"]
    out = []
    for r in ds.links.to_dict("records"):
        cs = [str(c) for c in r["corridors"]]
        if corr_f is not None and not (set(cs) & corr_f):
            continue
        if mode_f is not None and r["mode"] not in mode_f:
            continue
        if stat_f is not None and r["status"] not in stat_f:
            continue
        shown = [c for c in cs if corr_f is None or c in corr_f]
        color = colors.get(shown[0], NO_CORRIDOR) if shown else NO_CORRIDOR
        fig = max((figs[c] for c in shown if c in figs), key=lambda f: f.value, default=None)
        px = volume_px(fig.value if fig else None, scale)
        status = str(r["status"])
        kind = "border crossing" if r.get("crossing") else f"{r['mode']} link"
        title = _clean(
            r.get("name") or f"{node_name.get(r['from'], r['from'])} – {node_name.get(r['to'], r['to'])}"
        )
        if fig is not None:  # a corridor's total, drawn along each of its lines: said so
            vol = f"{year} freight, {names.get(fig.subject, fig.subject)} as a whole: {fig.label()}"
            vol += " EST" if fig.estimate else ""
            vol += "\n(the corridor's total, not a figure for this line alone)"
        else:
            vol = f"{year} freight: no volume data" if year else "no volume data"
        tip = _tip(
            [
                title,
                f"{kind} · {status.replace('_', ' ')} · {float(r['length_km']):,.0f} km",
                "corridors: " + ", ".join(names.get(c, _clean(c)) for c in cs) if cs else "",
                vol,
                "EST: estimated figures (click for details)" if r.get("estimate") else "",
            ]
        )
        out.append(
            {
                "id": str(r["id"]),
                "tip": tip,
                "path": _round_path(r["geometry"].coords),
                "color": [*color, STATUS_ALPHA.get(status, 235)],
                "width": round(px * frame.m_per_px),
                "status": status,
                "dash": list(STATUS_DASH.get(status, (0, 0))),
            }
        )
    return out


def _crossing_links(ds: Dataset) -> list[dict[str, Any]]:
    if not len(ds.links) or "crossing" not in ds.links:
        return []
    return [r for r in ds.links.to_dict("records") if r.get("crossing")]


def node_records(
    ds: Dataset,
    *,
    frame: MapFrame | None = None,
    kinds: Iterable[str] | None = None,
    include_crossing_posts: bool = False,
) -> list[dict[str, Any]]:
    """One marker per node: id, tip, position, color, radius (m). Coloured and sized by role.

    Border posts that belong to a crossing link are left out unless asked for: the crossing marker
    stands for both posts.
    """
    if not len(ds.nodes):
        return []
    posts: set[str] = set()
    if not include_crossing_posts:
        for r in _crossing_links(ds):
            posts.update((r["from"], r["to"]))
    kind_f = set(kinds) if kinds is not None else None
    out = []
    for r in ds.nodes.to_dict("records"):
        kind = str(r["kind"])
        if r["id"] in posts or (kind_f is not None and kind not in kind_f):
            continue
        color, radius, _ = NODE_STYLE.get(kind, NODE_STYLE["junction"])
        modes = ", ".join(r.get("modes") or ())
        tip = _tip(
            [
                f"{_clean(r['name'])} ({_clean(r['country'], 3)})",
                f"{kind.replace('_', ' ')} · {modes}",
                "also: " + _clean(", ".join(r.get("aliases") or ()), 80) if r.get("aliases") else "",
                "EST: estimated coordinate" if r.get("estimate") else "",
            ]
        )
        out.append(
            {
                "id": str(r["id"]),
                "tip": tip,
                "position": [round(float(r["geometry"].x), 5), round(float(r["geometry"].y), 5)],
                "color": [*color, 230],
                "radius": radius,
                "kind": kind,
            }
        )
    return out


def crossing_records(ds: Dataset) -> list[dict[str, Any]]:
    """One marker per border-crossing link, at its midpoint: id, tip, position, color, radius."""
    nodes = ds.nodes
    out = []
    for r in _crossing_links(ds):
        a, b = nodes.loc[r["from"]], nodes.loc[r["to"]]
        mid = r["geometry"].interpolate(0.5, normalized=True)

        def fmt(x: Any, unit: str) -> str:
            return "?" if x is None or x != x else f"{float(x):,.0f} {unit}"

        tip = _tip(
            [
                f"Border crossing: {_clean(a['name'])} ({a['country']}) – {_clean(b['name'])} "
                f"({b['country']})",
                f"{r['mode']} · {str(r['status']).replace('_', ' ')}",
                f"dwell {fmt(r.get('dwell_h'), 'h')} → / {fmt(r.get('dwell_h_rev'), 'h')} ←",
                f"fee {fmt(r.get('fee_usd'), 'USD')} → / {fmt(r.get('fee_usd_rev'), 'USD')} ←",
                "EST: estimated figures (click for details)" if r.get("estimate") else "",
            ]
        )
        out.append(
            {
                "id": str(r["id"]),
                "tip": tip,
                "position": [round(float(mid.x), 5), round(float(mid.y), 5)],
                "color": [*CROSSING_COLOR, 235],
                "radius": 14000,
            }
        )
    return out


def _label_records(nodes: list[dict[str, Any]], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Label records, ports before hubs (the collision filter keeps the first of overlapping ones)."""
    rank = {"port": 0, "hub": 1}
    ordered = sorted(nodes, key=lambda n: rank.get(n.get("kind", ""), 2))
    return [{"text": _clean(names.get(n["id"], n["id"]), 40), "position": n["position"]} for n in ordered]


# ---------------------------------------------------------------------------------------------
# layers


def _path_layer(
    layer_id: str,
    data: list[dict[str, Any]],
    *,
    dashed: bool = False,
    min_px: float = 1.0,
    max_px: float = 24,
    pickable: bool = True,
) -> pdk.Layer:
    """A PathLayer with widths in metres; ``dashed`` draws each row's ``dash`` pattern.

    A dashed layer has square caps (round caps would fill the gaps of thin dashed lines); a row
    with the pattern ``[0, 0]`` is solid.
    """
    kw: dict[str, Any] = {}
    if dashed:
        kw = {
            "extensions": [{"@@type": "PathStyleExtension", "dash": True}],
            "get_dash_array": "dash",
            "dash_justified": True,
        }
    return pdk.Layer(
        "PathLayer",
        data=data,
        id=layer_id,
        get_path="path",
        get_color="color",
        get_width="width",
        width_units="'meters'",
        width_min_pixels=min_px,
        width_max_pixels=max_px,
        cap_rounded=not dashed,
        joint_rounded=True,
        pickable=pickable,
        auto_highlight=pickable,
        **kw,
    )


def _point_layer(
    layer_id: str, data: list[dict[str, Any]], *, min_px: float = 3, max_px: float = 16, pickable: bool = True
) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        data=data,
        id=layer_id,
        get_position="position",
        get_fill_color="color",
        get_radius="radius",
        radius_units="'meters'",
        radius_min_pixels=min_px,
        radius_max_pixels=max_px,
        stroked=True,
        get_line_color=[255, 255, 255, 230],
        line_width_min_pixels=1,
        pickable=pickable,
        auto_highlight=pickable,
    )


def declutter(
    labels: list[dict[str, Any]], frame: MapFrame, *, char_px: float = 7.0, line_px: float = 18.0
) -> list[dict[str, Any]]:
    """Keep labels that do not overlap an earlier one at the initial zoom (first come, first kept).

    deck.gl's CollisionFilterExtension would do this on the GPU, but it drew nothing in the
    headless SwiftShader Chromium of the browser tests, so labels are thinned here instead.
    """
    scale = _TILE_PX * 2**frame.zoom
    kept: list[tuple[float, float, float]] = []
    out = []
    for lab in labels:
        lon, lat = lab["position"]
        x = (lon + 180) / 360 * scale
        y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * scale
        half = len(lab["text"]) * char_px / 2 + 4
        if any(abs(x - kx) < half + kh and abs(y - ky) < line_px for kx, ky, kh in kept):
            continue
        kept.append((x, y, half))
        out.append(lab)
    return out


def _text_layer(layer_id: str, data: list[dict[str, Any]]) -> pdk.Layer:
    return pdk.Layer(
        "TextLayer",
        data=data,
        id=layer_id,
        get_position="position",
        get_text="text",
        get_size=13,
        get_color=[40, 40, 40, 255],
        get_alignment_baseline="'top'",
        get_pixel_offset=[0, 11],
        character_set="'auto'",
        font_family="'Helvetica Neue, Arial, sans-serif'",
        outline_width=2,
        outline_color=[255, 255, 255, 255],
        font_settings={"sdf": True},
        pickable=False,
    )


def _deck(layers: list[pdk.Layer], frame: MapFrame, *, basemap: bool = True) -> CompactDeck:
    return CompactDeck(
        layers=layers,
        initial_view_state=frame.view_state(),
        map_provider="carto" if basemap else None,
        map_style="light" if basemap else None,
        tooltip={"text": "{tip}"},
    )


#: Colour of the markers of disruptions in force (closures: dark red; delays: amber).
DISRUPTION_COLORS = {"closed": (120, 0, 0), "delay": (232, 150, 20)}


def disruption_records(ds: Dataset, events: Iterable[Event]) -> list[dict[str, Any]]:
    """One marker per disrupted link or place (events on corridors and countries have no single spot):
    a link's marker sits at the middle of its line, a place's on it. The tooltip names every event there."""
    points = {r["id"]: r["xy"] for r in ds.node_records}
    lines = {r["id"]: r["coords"] for r in ds.link_records}
    spots: dict[str, dict[str, Any]] = {}
    for e in events:
        if e.target_kind == "link" and e.target in lines:
            coords = lines[e.target]
            pos = (
                coords[len(coords) // 2]
                if len(coords) > 2
                else ((coords[0][0] + coords[-1][0]) / 2, (coords[0][1] + coords[-1][1]) / 2)
            )
        elif e.target_kind == "node" and e.target in points:
            pos = points[e.target]
        else:
            continue
        spot = spots.setdefault(
            e.target,
            {"id": e.target, "position": [round(pos[0], 5), round(pos[1], 5)], "closes": False, "lines": []},
        )
        spot["closes"] = spot["closes"] or e.closes
        effect = "closed" if e.closes else f"+{e.delay_h:g} h"
        spot["lines"].append(f"{_clean(e.title, 160)} [{effect}; {e.start}–{e.end or 'open'}]")
    out = []
    for spot in spots.values():
        color = DISRUPTION_COLORS["closed" if spot["closes"] else "delay"]
        out.append(
            {
                "id": spot["id"],
                "position": spot["position"],
                "color": [*color, 235],
                "radius": 9000,
                "tip": _tip(["Disruption in force", *spot["lines"]]),
            }
        )
    return out


#: Colour of the highlight around a selected feature (a halo under a link, a ring around a place).
HIGHLIGHT_COLOR = (255, 196, 0)


def highlight_layer(ds: Dataset, fid: str, *, frame: MapFrame | None = None) -> pdk.Layer | None:
    """A layer that marks one link or place (id ``highlight``, not pickable); None for an unknown id.

    A link gets a wide yellow halo; a place or border crossing (at the middle of its link) a
    yellow disc with a dark rim, larger than its marker. Draw it under the other layers: the
    feature stays visible on top of it (also in the PNG export, which draws layers in order).
    """
    frame = frame or map_frame(ds)
    coords = _feature_coords(ds, fid)
    if not coords:
        return None
    crossing = any(r["id"] == fid and r.get("crossing") for r in ds.link_records)
    if len(coords) > 1 and not crossing:
        rec = {
            "path": _round_path(coords),
            "color": [*HIGHLIGHT_COLOR, 200],
            "width": round(16 * frame.m_per_px),
        }
        return _path_layer("highlight", [rec], min_px=12, max_px=40, pickable=False)
    if crossing:
        mid = next(c for c in crossing_records(ds) if c["id"] == fid)["position"]
    else:
        mid = [round(coords[0][0], 5), round(coords[0][1], 5)]
    ring = {"position": mid, "radius": round(16 * frame.m_per_px), "color": [*HIGHLIGHT_COLOR, 220]}
    return pdk.Layer(
        "ScatterplotLayer",
        data=[ring],
        id="highlight",
        get_position="position",
        get_radius="radius",
        radius_units="'meters'",
        radius_min_pixels=13,
        radius_max_pixels=28,
        filled=True,
        get_fill_color="color",
        stroked=True,
        get_line_color=[20, 20, 20, 255],
        line_width_units="'pixels'",
        get_line_width=3,
        line_width_min_pixels=3,
        pickable=False,
    )


def overview_deck(
    ds: Dataset,
    *,
    year: int | None,
    corridors: Iterable[str] | None = None,
    modes: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    labels: bool = True,
    basemap: bool = True,
    frame: MapFrame | None = None,
    events: Iterable[Event] = (),
    highlight: str | None = None,
) -> CompactDeck:
    """The corridor overview: links by corridor colour and volume width, crossings and places.

    Layers (ids): ``links`` (every link: operational ones solid, under construction dashed,
    planned dotted and faded), ``crossings``, ``nodes``, with ``events`` (the disruptions in force)
    ``disruptions`` (dark red for a closure, amber for a delay), and with ``labels``, ``labels``
    (ports and hubs). With ``highlight`` (a link or place id), ``highlight`` marks that feature
    (:func:`highlight_layer`), first, under the other layers.

    All links are one layer: each deck.gl path layer costs its own setup before the first frame,
    which in a software-rendered browser (headless Chromium, SwiftShader) delayed the map by several
    tenths of a second. Dashes are per row (``dash``; ``[0, 0]`` is solid); under-construction and
    planned lines are at least 2 pixels wide at the initial zoom so their dashes show.
    """
    frame = frame or map_frame(ds)
    recs = link_records(ds, year=year, corridors=corridors, modes=modes, statuses=statuses, frame=frame)
    mode_f = set(modes) if modes is not None else None
    dash_floor_m = round(2.0 * frame.m_per_px)  # 2 px at the initial zoom
    # operational links first, so dashed ones draw on top of them
    rows = [r for r in recs if r["status"] == "operational"] + [
        {**r, "width": max(r["width"], dash_floor_m)} for r in recs if r["status"] != "operational"
    ]
    for r in rows:
        del r["status"]
    # markers: places touched by a shown link (all places when nothing is filtered)
    shown_ids = {r["id"] for r in recs}
    touched: set[str] | None = None
    if corridors is not None or modes is not None or statuses is not None:
        touched = set()
        for lr in ds.links.to_dict("records"):
            if lr["id"] in shown_ids:
                touched.update((lr["from"], lr["to"]))
    nodes = [n for n in node_records(ds, frame=frame) if touched is None or n["id"] in touched]
    crossings = [c for c in crossing_records(ds) if c["id"] in shown_ids]
    if mode_f is not None:
        crossings = [c for c in crossings if ds.links.at[c["id"], "mode"] in mode_f]
    layers = [
        _path_layer("links", rows, dashed=True),
        _point_layer("crossings", crossings, min_px=5, max_px=14),
        _point_layer("nodes", [{k: v for k, v in n.items() if k != "kind"} for n in nodes]),
    ]
    disrupted = disruption_records(ds, events)
    if disrupted:
        layers.append(_point_layer("disruptions", disrupted, min_px=7, max_px=12))
    if labels:
        names = dict(zip(ds.nodes["id"], ds.nodes["name"], strict=True))
        big = [n for n in nodes if n["kind"] in ("port", "hub")]
        layers.append(_text_layer("labels", declutter(_label_records(big, names), frame)))
    mark = highlight_layer(ds, highlight, frame=frame) if highlight else None
    if mark is not None:  # under the rest: the feature itself stays on top of its halo
        layers.insert(0, mark)
    return _deck(layers, frame, basemap=basemap)


def legend_rows(
    ds: Dataset,
    *,
    year: int | None,
    corridors: Iterable[str] | None = None,
    frame: MapFrame | None = None,
) -> list[dict[str, Any]]:
    """Rows for the overview legend: group, label, color (hex), width (px), mark (line/dash/dot).

    Widths are the pixels a line has at the initial zoom.
    """
    names = corridor_names(ds)
    colors = corridor_colors(ds)
    corr_f = set(corridors) if corridors is not None else None
    figs = pick_figures(ds.volumes, year)
    scale = volume_scale(ds)
    rows: list[dict[str, Any]] = []
    for cid, color in colors.items():
        if corr_f is not None and cid not in corr_f:
            continue
        fig = figs.get(cid)
        extra = (
            f" · {format_quantity(fig.value, 't')}" + (" EST" if fig.estimate else "")
            if fig
            else " · no data"
        )
        short = names.get(cid, cid).split(" (")[0]
        rows.append(
            {
                "group": "Corridor (colour)",
                "label": _clean(short, 30) + extra,
                "color": _rgb_hex(color),
                "width": 4,
                "mark": "line",
            }
        )
    if scale > 0:
        for t in _nice_steps(scale):
            rows.append(
                {
                    "group": "Freight (width)",
                    "label": format_quantity(t, "t") + " / year",
                    "color": "#555555",
                    "width": volume_px(t, scale),
                    "mark": "line",
                }
            )
    rows.append(
        {
            "group": "Freight (width)",
            "label": "no volume data",
            "color": "#999999",
            "width": NO_DATA_PX,
            "mark": "line",
        }
    )
    for status, label in (
        ("operational", "operational"),
        ("under_construction", "under construction (dashed)"),
        ("planned", "planned (dotted, faded)"),
    ):
        rows.append(
            {
                "group": "Status",
                "label": label,
                "color": "#555555",
                "width": 3,
                "mark": "line" if status == "operational" else status,
            }
        )
    rows.append(
        {
            "group": "Markers",
            "label": "border crossing",
            "color": _rgb_hex(CROSSING_COLOR),
            "width": 10,
            "mark": "dot",
        }
    )
    for kind in ("port", "hub", "terminal", "junction", "border_post"):
        color, _, px = NODE_STYLE[kind]
        rows.append(
            {
                "group": "Markers",
                "label": kind.replace("_", " "),
                "color": _rgb_hex(color),
                "width": px * 1.6,
                "mark": "dot",
            }
        )
    return rows


def _nice_steps(top: float) -> list[float]:
    """Three round legend values up to ``top`` (e.g. 1, 10, 30 Mt)."""
    nice = [1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 2e7, 3e7, 5e7, 1e8]
    below = [v for v in nice if v <= top]
    if not below:
        return [top]
    picks = [below[-1]]
    for v in reversed(below[:-1]):
        if v <= picks[-1] / 4:
            picks.append(v)
        if len(picks) == 3:
            break
    return sorted(picks)


# ---------------------------------------------------------------------------------------------
# route planner


def route_deck(
    ds: Dataset,
    routes: Sequence[Route],
    *,
    basemap: bool = True,
    frame: MapFrame | None = None,
) -> CompactDeck:
    """The planner map: the network in grey, alternatives, the best route on top, its stops.

    Layers (ids): ``routes``, one path layer whose rows draw in order: the network in grey (ids of the
    links), one row per alternative route (``route2``...), then the best route's legs (``leg1``...: rail
    wide, road narrower, ferry legs dashed, legs on planned or under-construction lines dotted and faded,
    as on the overview); ``stops`` (origin, destination, crossings, transfers) and ``stop_labels``. The
    camera frames the routes.

    One path layer rather than four: every deck.gl path layer costs its own setup before the first frame,
    which a software-rendered browser pays in tenths of a second (README, *Page load*); dashes are per row
    (``dash``; ``[0, 0]`` is solid).
    """
    frame = route_frame(routes) if routes else (frame or map_frame(ds))
    net = (
        [
            {
                "id": str(r["id"]),
                "tip": _clean(r.get("name") or r["id"]),
                "path": _round_path(r["geometry"].coords),
                "color": [150, 150, 150, 150],
                "width": round(1.0 * frame.m_per_px),
                "dash": [0, 0],
            }
            for r in ds.links.to_dict("records")
        ]
        if len(ds.links)
        else []
    )
    alts = []
    for i, rt in enumerate(routes[1:], start=2):
        t = rt.totals
        color = ROUTE_COLORS[(i - 1) % len(ROUTE_COLORS)]
        alts.append(
            {
                "id": f"route{i}",
                "tip": _tip(
                    [
                        f"Route {i}: {_clean(rt.summary(), 200)}",
                        f"{t.distance_km:,.0f} km · {t.time_h:,.1f} h · {t.cost_usd:,.0f} USD",
                    ]
                ),
                "path": _round_path(rt.coords),
                "color": [*color, 200],
                "width": round(4 * frame.m_per_px),
                "dash": [0, 0],
            }
        )
    legs = []
    dashed = []
    stops: list[dict[str, Any]] = []
    if routes:
        best = routes[0]
        for j, leg in enumerate(best.legs, start=1):
            est = " EST" if leg.estimate else ""
            running = leg.status == "operational"
            tip = _tip(
                [
                    f"Route 1, leg {j}: {_clean(leg.from_name)} → {_clean(leg.to_name)}",
                    f"{leg.mode} · {leg.distance_km:,.0f} km · {leg.time_h:,.1f} h · "
                    f"{leg.cost_usd:,.0f} USD{est}",
                    *([] if running else [f"not running yet: {leg.status.replace('_', ' ')}"]),
                ]
            )
            if len(leg.coords) >= 2:
                rec = {
                    "id": f"leg{j}",
                    "tip": tip,
                    "path": _round_path(leg.coords),
                    "color": [*ROUTE_COLORS[0], 235 if running else 150],
                    "width": round((4 if leg.mode == "road" else 6) * frame.m_per_px),
                }
                if not running:
                    dashed.append({**rec, "dash": [2, 3]})  # dotted and faded: a line that does not run
                elif leg.mode == "sea":
                    dashed.append({**rec, "dash": [6, 4]})
                else:
                    legs.append({**rec, "dash": [0, 0]})
            if leg.mode in ("border", "transfer") and leg.coords:
                pos = leg.coords[len(leg.coords) // 2]
                stops.append(
                    {
                        "id": f"stop{j}",
                        "tip": tip,
                        "name": _clean(leg.to_name, 40),
                        "position": [round(pos[0], 5), round(pos[1], 5)],
                        "color": [
                            *(CROSSING_COLOR if leg.mode == "border" else NODE_STYLE["terminal"][0]),
                            240,
                        ],
                        "radius": 12000,
                    }
                )
        q = best.query
        for role, p in (("origin", q.origin), ("destination", q.destination)):
            stops.append(
                {
                    "id": role,
                    "tip": f"{role}: {_clean(p.name)} ({p.country})",
                    "name": _clean(p.name, 40),
                    "position": [p.lon, p.lat],
                    "color": [20, 20, 20, 240],
                    "radius": 18000,
                }
            )
    ends = [s for s in stops if s["id"] in ("origin", "destination")]
    labels = [
        {"text": s["name"], "position": s["position"]}  # ends first: they win overlaps
        for s in ends + [s for s in stops if s["id"].startswith("stop")]
    ]
    for s in stops:
        del s["name"]
    layers = [
        _path_layer("routes", net + alts + legs + dashed, dashed=True),
        _point_layer("stops", stops, min_px=5, max_px=14),
        _text_layer("stop_labels", declutter(_dedupe_labels(labels), frame)),
    ]
    return _deck(layers, frame, basemap=basemap)


def route_frame(routes: Sequence[Route], *, width_px: int = 540, height_px: int = 470) -> MapFrame:
    """The camera that shows every route of a result (the same for the same result: no jumps)."""
    xs = [x for r in routes for x, _ in r.coords]
    ys = [y for r in routes for _, y in r.coords]
    return fit_bounds(
        (min(xs), max(xs)), (min(ys), max(ys)), width_px=width_px, height_px=height_px, max_zoom=8.0
    )


def _dedupe_labels(labels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for lab in labels:
        if lab["text"] not in seen:
            seen.add(lab["text"])
            out.append(lab)
    return out


# ---------------------------------------------------------------------------------------------
# volumes page


def volumes_deck(
    ds: Dataset,
    *,
    year: int | None,
    basemap: bool = True,
    frame: MapFrame | None = None,
    corridors: Iterable[str] | None = None,
    places: Iterable[str] | None = None,
) -> CompactDeck:
    """Corridor freight as line widths and place (port, border station) freight as marker sizes.

    Layers (ids): ``links`` (links, width by corridor freight of ``year``, colour by corridor as
    :func:`corridor_colors`), ``node_volumes`` (places with a freight figure for ``year``, radius by
    the square root of tonnes), ``labels``. ``corridors`` keeps only the links of those corridors,
    ``places`` only those places' markers (None: all). A line's width is its corridor's total, and
    its tooltip says so.
    """
    frame = frame or map_frame(ds)
    recs = link_records(ds, year=year, frame=frame, corridors=None if corridors is None else list(corridors))
    for r in recs:
        r.pop("status")
        r.pop("dash")
    figs = pick_figures(ds.volumes, year, kind="node", subjects=None if places is None else list(places))
    names = dict(zip(ds.nodes["id"], ds.nodes["name"], strict=True)) if len(ds.nodes) else {}
    top = largest_figure(ds.volumes, kind="node")
    markers: list[dict[str, Any]] = []
    for nid, fig in figs.items():
        if nid not in names:
            continue
        pt = ds.nodes.at[nid, "geometry"]
        px = 4 + 22 * math.sqrt(fig.value / top) if top > 0 else 4
        markers.append(
            {
                "id": nid,
                "tip": _tip(
                    [
                        _clean(names[nid]),
                        f"freight {fig.label()}" + (" EST" if fig.estimate else ""),
                        _clean(fig.scope, 160),
                        f"one of {fig.others + 1} published figures" if fig.others else "",
                    ]
                ),
                "position": [round(float(pt.x), 5), round(float(pt.y), 5)],
                "color": [0, 92, 169, 170],
                "radius": round(px * frame.m_per_px),
            }
        )
    labels = [
        {"text": _clean(names[m["id"]], 40), "position": m["position"]}
        for m in sorted(markers, key=lambda m: -float(m["radius"]))
    ]
    layers = [
        _path_layer("links", recs),
        _point_layer("node_volumes", markers, min_px=3, max_px=60),
        _text_layer("labels", declutter(labels, frame)),
    ]
    return _deck(layers, frame, basemap=basemap)


# ---------------------------------------------------------------------------------------------
# scenarios page

#: Layers of the comparison map, bottom to top (a mixed layer only when a link both gains and loses).
COMPARISON_LAYERS = ("links", "loses", "mixed", "gains", "ends", "end_labels")
#: Colour (RGBA) and width (pixels at the initial zoom) of each kind of link on the comparison map.
COMPARISON_STYLE: Mapping[str, tuple[tuple[int, int, int, int], float]] = {
    "gains": ((26, 150, 65, 235), 6.0),
    "loses": ((215, 25, 28, 235), 4.0),
    "mixed": ((240, 140, 0, 235), 5.0),
    "unchanged": ((95, 95, 95, 200), 2.5),
    "unused": ((170, 170, 170, 110), 1.0),
}
_LOSS_DASH = [3, 2]


def comparison_classes(comparison: Any) -> dict[str, str]:
    """Link id -> ``gains``, ``loses``, ``mixed`` or ``unchanged`` for every link a compared pair uses.

    From the comparison's link-use changes (:attr:`corridors.scenarios.Comparison.link_gain` and
    ``link_loss``: how many pairs take up or give up a link): more pairs gain it than lose it,
    ``gains``; more lose it, ``loses``; as many, ``mixed``; used before and after by the same pairs,
    ``unchanged``.
    """
    gain, loss = dict(comparison.link_gain), dict(comparison.link_loss)
    out: dict[str, str] = {}
    for p in comparison.pairs:
        for r in (p.base, p.scen):
            for leg in r.legs if r is not None else ():
                if leg.link:
                    out.setdefault(str(leg.link), "unchanged")
    for link in set(gain) | set(loss):
        g, lo = gain.get(link, 0), loss.get(link, 0)
        out[str(link)] = "gains" if g > lo else "loses" if lo > g else "mixed"
    return out


def comparison_deck(
    ds: Dataset,
    comparison: Any,
    *,
    names: Mapping[str, str] | None = None,
    basemap: bool = True,
    frame: MapFrame | None = None,
) -> CompactDeck:
    """The scenario comparison map: links that gain use and links that lose use stand out.

    Parameters
    ----------
    ds
        The base dataset (the geometry of every link).
    comparison
        A :class:`corridors.scenarios.Comparison` (never mutated).
    names
        Place id -> display name for the tooltips and labels (default: the dataset's names).
    basemap
        Draw the CARTO basemap under the layers.
    frame
        The camera; default: the box of the links that gain or lose use, else of every link a
        compared pair uses and the pairs' ends (the dataset's frame when nothing is routed).

    Returns
    -------
    CompactDeck
        Layers (ids, bottom to top): ``links`` (the network, thin and faint; links the pairs use
        before and after alike in a darker grey), ``loses`` (links more pairs give up than take up:
        red, dashed), ``mixed`` (as many pairs take them up as give them up: amber; only when there
        is one), ``gains`` (links more pairs take up: green, widest), ``ends`` (the pairs' origins
        and destinations) and ``end_labels``. Every link's tooltip gives its name, kind and length,
        and how many pairs use it before and after, gain it and lose it.
    """
    kinds = comparison_classes(comparison)
    gain, loss = dict(comparison.link_gain), dict(comparison.link_loss)
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    for p in comparison.pairs:
        for r, count in ((p.base, before), (p.scen, after)):
            for link in {str(leg.link) for leg in r.legs if leg.link} if r is not None else ():
                count[link] = count.get(link, 0) + 1
    if names is None:
        names = {str(n["id"]): str(n["name"]) for n in ds.node_records}
    points = {str(n["id"]): n["xy"] for n in ds.node_records}
    ends: dict[str, dict[str, Any]] = {}
    for p in comparison.pairs:
        for role, pid in (("origin", p.origin), ("destination", p.destination)):
            if pid not in points:
                continue
            e = ends.setdefault(pid, {"roles": set(), "n": 0})
            e["roles"].add(role)
            e["n"] += 1
    if frame is None:
        changed = {k for k, v in kinds.items() if v != "unchanged"}
        shown = changed or set(kinds)
        used = [r["coords"] for r in ds.link_records if str(r["id"]) in shown]
        xs = [x for c in used for x, _ in c] + ([] if changed else [points[i][0] for i in ends])
        ys = [y for c in used for _, y in c] + ([] if changed else [points[i][1] for i in ends])
        frame = (
            fit_bounds((min(xs), max(xs)), (min(ys), max(ys)), width_px=900, height_px=480, max_zoom=8.0)
            if xs
            else map_frame(ds)
        )
    n = len(comparison.pairs)
    layers_rows: dict[str, list[dict[str, Any]]] = {"links": [], "loses": [], "mixed": [], "gains": []}
    unchanged_rows: list[dict[str, Any]] = []
    for r in ds.link_records:
        lid = str(r["id"])
        kind = kinds.get(lid, "unused")
        color, px = COMPARISON_STYLE[kind]
        title = _clean(r.get("name") or f"{names.get(r['from'], r['from'])} – {names.get(r['to'], r['to'])}")
        what = "border crossing" if r.get("crossing") else f"{r['mode']} link"
        status = str(r.get("status") or "")
        lines = [title, f"{what} · {status.replace('_', ' ')} · {float(r['length_km']):,.0f} km"]
        if kind != "unused":
            lines.append(f"used by {before.get(lid, 0)} of {n} pairs before, {after.get(lid, 0)} after")
        if gain.get(lid):
            lines.append(f"gains use: {gain[lid]} pair(s) take it up under the scenario")
        if loss.get(lid):
            lines.append(f"loses use: {loss[lid]} pair(s) give it up under the scenario")
        rec = {
            "id": lid,
            "tip": _tip(lines),
            "path": _round_path(r["coords"]),
            "color": list(color),
            "width": round(px * frame.m_per_px),
        }
        if kind == "loses":
            rec["dash"] = list(_LOSS_DASH)
        if kind == "unchanged":
            unchanged_rows.append(rec)  # drawn over the faint network
        else:
            layers_rows["links" if kind == "unused" else kind].append(rec)
    layers_rows["links"].extend(unchanged_rows)
    end_rows = []
    for pid, e in ends.items():
        x, y = points[pid]
        role = " and ".join(sorted(e["roles"], key=lambda s: s != "origin"))
        end_rows.append(
            {
                "id": pid,
                "tip": _tip([_clean(names.get(pid, pid)), f"{role} of {e['n']} compared pair(s)"]),
                "position": [round(float(x), 5), round(float(y), 5)],
                "color": [20, 20, 20, 240],
                "radius": round(5 * frame.m_per_px),
            }
        )
    labels = [{"text": _clean(names.get(r["id"], r["id"]), 40), "position": r["position"]} for r in end_rows]
    layers = [
        _path_layer("links", layers_rows["links"], min_px=1),
        _path_layer("loses", layers_rows["loses"], dashed=True, min_px=3),
    ]
    if layers_rows["mixed"]:
        layers.append(_path_layer("mixed", layers_rows["mixed"], min_px=3))
    layers += [
        _path_layer("gains", layers_rows["gains"], min_px=4),
        _point_layer("ends", end_rows, min_px=4, max_px=10),
        _text_layer("end_labels", declutter(labels, frame)),
    ]
    return _deck(layers, frame, basemap=basemap)


# ---------------------------------------------------------------------------------------------
# selection


def selected_feature(event: Any, layers: Iterable[str] = LAYER_IDS) -> tuple[str, str] | None:
    """``(layer id, feature id)`` of the first selected object of a pydeck selection event.

    Accepts the ``PydeckState`` Streamlit returns or a plain dict of the same shape; anything
    malformed gives None.
    """
    try:
        sel = event["selection"] if isinstance(event, Mapping) else event.selection
        objects = sel["objects"] if isinstance(sel, Mapping) else sel.objects
    except (AttributeError, KeyError, TypeError):
        return None
    if not isinstance(objects, Mapping):
        return None
    allowed = set(layers)
    for layer, objs in objects.items():
        if layer not in allowed or not isinstance(objs, list | tuple) or not objs:
            continue
        obj = objs[0]
        fid = obj.get("id") if isinstance(obj, Mapping) else None
        if isinstance(fid, str) and 0 < len(fid) <= 200:
            return str(layer), fid
    return None
