"""The baseline of ``benchmarks/pageload.py``: a bare Streamlit page with one pydeck map of 300 paths.

Nothing else is on the page (no title, widgets, charts or sidebar), so its time to a drawn map is
what Streamlit, pydeck and deck.gl cost on this machine. The paths are synthetic, seeded random walks
over the app's region (not data): 300 polylines of 20 vertices, widths in metres with a pixel
minimum, compact JSON, the same Carto basemap setting, map height and wide layout as the app's
overview map.

    streamlit run benchmarks/minimal_map.py
"""

from __future__ import annotations

import json
import random

import pydeck as pdk
import streamlit as st

N_PATHS = 300
VERTICES = 20


class _Compact(pdk.Deck):
    """JSON without pydeck's indentation, computed once (as the app sends it), so the baseline is
    not slowed by a bigger message than the app's."""

    def to_json(self) -> str:
        if "_json" not in self.__dict__:
            self.__dict__["_json"] = json.dumps(json.loads(super().to_json()), separators=(",", ":"))
        return self.__dict__["_json"]


@st.cache_resource
def deck() -> pdk.Deck:
    """The one map (built once per server, as the app caches its decks)."""
    rnd = random.Random(11)
    rows = []
    for i in range(N_PATHS):
        lon, lat = rnd.uniform(48.0, 86.0), rnd.uniform(37.0, 53.0)
        path = []
        for _ in range(VERTICES):
            lon, lat = lon + rnd.uniform(-0.6, 0.6), lat + rnd.uniform(-0.4, 0.4)
            path.append([round(lon, 5), round(lat, 5)])
        rows.append(
            {
                "id": f"p{i}",
                "path": path,
                "color": [rnd.randrange(40, 220), 90, 160],
                "width": rnd.choice((6000, 12000, 24000)),
            }
        )
    layer = pdk.Layer(
        "PathLayer",
        data=rows,
        id="paths",
        get_path="path",
        get_color="color",
        get_width="width",
        width_min_pixels=1,
        pickable=True,
    )
    view = pdk.ViewState(latitude=45.0, longitude=67.0, zoom=3.6)
    return _Compact(
        layers=[layer],
        initial_view_state=view,
        map_provider="carto",
        map_style="light",
        tooltip={"text": "{id}"},
    )


st.set_page_config(page_title="Minimal map", layout="wide")
st.pydeck_chart(deck(), height=580)
