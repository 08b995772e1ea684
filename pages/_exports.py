"""Exports of the current map: a standalone HTML page and a PNG for slides (download buttons)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial

import streamlit as st

from corridors.export import Legend, PngLayer, camera_bounds, spec_png_layers, standalone_html, static_png
from corridors.mapview import CompactDeck
from pages._camera import deck_camera


def map_html(deck: CompactDeck, title: str, subtitle: str, legend: Sequence[Legend]) -> str:
    """The current map as a standalone HTML page (escaped; text tooltips)."""
    return standalone_html(
        deck.to_json(), title=title, subtitle=subtitle, legend=legend, tooltip_text="{tip}"
    )


def map_png(deck: CompactDeck, title: str, subtitle: str, legend: Sequence[Legend]) -> bytes:
    """The current map as a PNG for slides: the camera's area, title, legend, attribution."""
    spec = json.loads(deck.to_json())
    lat, lon, zoom = deck_camera(deck)
    layers: list[PngLayer] = spec_png_layers(spec)
    return static_png(
        layers,
        title=title,
        subtitle=subtitle,
        legend=legend,
        bounds=camera_bounds(lat, lon, zoom),
        attribution="Data: corridors geodata (sources.csv); EST marks estimates. Drawn without a basemap.",
    )


def export_buttons(
    deck: CompactDeck, *, title: str, subtitle: str, legend: Sequence[Legend], stem: str
) -> None:
    """Download buttons: the map as standalone HTML and as PNG."""
    a, b = st.columns(2)
    a.download_button(
        "Map as HTML",
        partial(map_html, deck, title, subtitle, tuple(legend)),
        file_name=f"{stem}.html",
        mime="text/html",
        key="export_html",
        on_click="ignore",
        icon=":material/html:",
        width="stretch",
    )
    b.download_button(
        "Map as PNG",
        partial(map_png, deck, title, subtitle, tuple(legend)),
        file_name=f"{stem}.png",
        mime="image/png",
        key="export_png",
        on_click="ignore",
        icon=":material/image:",
        width="stretch",
    )
