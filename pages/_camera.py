"""The map camera of a view: its controls, its values, and the deck copy that opens at it."""

from __future__ import annotations

from typing import Any

import pydeck as pdk
import streamlit as st

from corridors.mapview import CompactDeck
from corridors.share import ViewState
from pages._urlstate import seed

#: The camera controls' keys (also the URL parameters); blank lat/lon/zoom = fit to the data.
CAMERA_KEYS = ("lat", "lon", "zoom", "pitch", "bearing")


def camera_state(page: str) -> dict[str, Any]:
    """The camera widgets' values, rounded as in a link (None: fit)."""
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

    The expander is lazy: its number inputs are built and sent only while it is open (opening it
    reruns the page), so a page load does not pay for five widgets nobody sees. Closed, the values
    come from the link (seeded into the session), which always holds the current view.

    Widget keys carry the page (``planner_lat``): a key shared by two pages would still hold the
    other page's widget when this page's script starts.
    """
    p = state.page
    seed({f"{p}_{k}": getattr(state, k) for k in CAMERA_KEYS})
    box = st.expander(
        "Map view (camera in the link)", icon=":material/videocam:", key=f"{p}_camera", on_change="rerun"
    )
    if not box.open:
        return
    with box:
        st.caption(
            "The map opens at this view, and so does a copied link. Blank latitude, "
            "longitude or zoom: fit to the data. Panning with the mouse is not saved."
        )
        c = st.columns([1, 1, 1, 1, 1, 0.9], vertical_alignment="bottom")
        c[0].number_input(
            "Latitude", -85.0, 85.0, value=None, step=0.5, format="%.4f", key=f"{p}_lat", placeholder="fit"
        )
        c[1].number_input(
            "Longitude", -180.0, 180.0, value=None, step=0.5, format="%.4f", key=f"{p}_lon", placeholder="fit"
        )
        c[2].number_input(
            "Zoom", 0.0, 20.0, value=None, step=0.25, format="%.2f", key=f"{p}_zoom", placeholder="fit"
        )
        c[3].number_input("Pitch", 0.0, 85.0, step=5.0, format="%.1f", key=f"{p}_pitch")
        c[4].number_input("Bearing", -360.0, 360.0, step=5.0, format="%.1f", key=f"{p}_bearing")
        c[5].button(
            "Fit to data",
            key=f"{p}_fit_camera",
            on_click=_fit_camera,
            args=(p,),
            icon=":material/fit_screen:",
        )


def with_camera(deck: CompactDeck, state: ViewState, deck_key: Any) -> CompactDeck:
    """The (cached, frozen) deck, or a copy whose initial view is the link's camera.

    ``deck_key`` is the plain, hashable input the deck was built from (it keys the copy's cache).
    """
    if (
        state.lat is None
        and state.lon is None
        and state.zoom is None
        and not state.pitch
        and not state.bearing
    ):
        return deck
    return _camera_deck(deck, deck_key, state.lat, state.lon, state.zoom, state.pitch, state.bearing)


@st.cache_resource(max_entries=64)
def _camera_deck(
    _deck: CompactDeck,
    deck_key: Any,
    lat: float | None,
    lon: float | None,
    zoom: float | None,
    pitch: float,
    bearing: float,
) -> CompactDeck:
    return camera_copy(_deck, lat, lon, zoom, pitch, bearing)


def camera_copy(
    deck: CompactDeck, lat: float | None, lon: float | None, zoom: float | None, pitch: float, bearing: float
) -> CompactDeck:
    """A copy of ``deck`` with another initial view (layers are shared, never mutated; the copy is
    taken under the deck's serialization lock, see :meth:`CompactDeck.with_view`)."""
    vs = deck.initial_view_state
    return deck.with_view(
        pdk.ViewState(
            latitude=vs.latitude if lat is None else lat,
            longitude=vs.longitude if lon is None else lon,
            zoom=vs.zoom if zoom is None else zoom,
            pitch=pitch,
            bearing=bearing,
        )
    )


def deck_camera(deck: CompactDeck) -> tuple[float, float, float]:
    """(lat, lon, zoom) of a deck's initial view."""
    vs = deck.initial_view_state
    return float(vs.latitude), float(vs.longitude), float(vs.zoom)
