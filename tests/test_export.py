"""Exports: standalone HTML cannot run a hostile name; PNG has title, legend and drawn layers."""

from __future__ import annotations

import io
import json
import re

from PIL import Image

from corridors.export import Legend, PngLayer, safe_json, standalone_html, static_png

HOSTILE = '<img src=x onerror=alert(1)></script><script>alert("x")</script>&amp;'


def spec_with(name):
    return {
        "initialViewState": {"latitude": 42, "longitude": 60, "zoom": 4},
        "layers": [
            {
                "@@type": "ScatterplotLayer",
                "id": "nodes",
                "data": [{"name": name, "position": [60, 42]}],
                "getPosition": "@@=position",
                "getRadius": 1000,
            }
        ],
        "mapStyle": "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json",
    }


def test_html_export_escapes_hostile_names_everywhere():
    page = standalone_html(
        spec_with(HOSTILE),
        title=HOSTILE,
        subtitle=HOSTILE,
        legend=[Legend(HOSTILE, (1, 2, 3))],
        tooltip_text="{name}",
    )
    assert "<img src=x" not in page
    assert page.count("<script") == 3  # the JSON block, deck.gl, our loader: nothing injected
    assert page.count("</script>") == 3
    block = re.search(r'<script type="application/json" id="deck-spec">(.*?)</script>', page, re.S).group(1)
    doc = json.loads(block)
    assert doc["layers"][0]["data"][0]["name"] == HOSTILE  # the data is intact once parsed
    assert "mapStyle" not in doc  # no basemap key or tile server needed
    assert "&lt;img src=x" in page  # title and legend as text


def test_safe_json_neutralises_script_breakers():
    s = safe_json({"a": "</script><!-- \u2028"})
    assert "<" not in s and ">" not in s and "\u2028" not in s
    assert json.loads(s) == {"a": "</script><!-- \u2028"}


def test_static_png_draws_layers_title_and_legend():
    route = [(60.0, 42.0), (55.0, 41.0), (49.4, 39.9), (41.7, 42.1)]
    data = static_png(
        [
            PngLayer(paths=[route], color=(200, 30, 30), width=6),
            PngLayer(points=route, color=(20, 20, 120), width=7, labels=["A", "B", "C", "D"]),
        ],
        title="Altynkol to Poti",
        subtitle="7 d 3 h",
        legend=[Legend("best route", (200, 30, 30))],
    )
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and img.size == (1600, 900)
    colors = img.convert("RGB").getcolors(maxcolors=1_000_000)
    reds = sum(n for n, c in colors if c[0] > 150 and c[1] < 80 and c[2] < 80)
    assert reds > 500  # the route line and its legend swatch were drawn


def test_camera_bounds_center_on_the_camera():
    from corridors.export import camera_bounds

    w, s, e, n = camera_bounds(42.0, 60.0, 4.0)
    assert (w + e) / 2 == 60.0 and abs((s + n) / 2 - 42.0) < 1e-9
    w2, _, e2, _ = camera_bounds(42.0, 60.0, 5.0)
    assert abs((e2 - w2) * 2 - (e - w)) < 1e-9  # one zoom level halves the span


def test_app_map_exports_carry_the_view_and_escape_hostile_names(edit_features, tiny_copy):
    """The overview and planner maps as HTML and PNG, on data with a hostile place name."""

    from app_pages._camera import camera_copy
    from app_pages._exports import map_html, map_png
    from corridors.mapview import overview_deck, route_deck
    from corridors.network import load_network

    edit_features(tiny_copy / "nodes.geojson", "a", lambda f: f["properties"].update(name=HOSTILE))
    net = load_network(tiny_copy, cache=False)
    decks = [overview_deck(net.dataset, year=None), route_deck(net.dataset, [net.route("a", "c")])]
    for deck in decks:
        deck = camera_copy(deck, 41.5, 50.25, 6.0, 10.0, 0.0)
        page = map_html(deck, HOSTILE, "sub", [Legend(HOSTILE, (1, 2, 3))])
        assert "<img src=x" not in page and page.count("<script") == 3
        block = re.search(r'id="deck-spec">(.*?)</script>', page, re.S).group(1)
        doc = json.loads(block)
        assert doc["initialViewState"]["zoom"] == 6.0 and doc["initialViewState"]["latitude"] == 41.5
        assert doc["tooltipText"] == "{tip}" and "tooltip" not in doc
        png = Image.open(io.BytesIO(map_png(deck, "Title", "sub", [Legend("x", (200, 30, 30))])))
        assert png.format == "PNG" and png.size == (1600, 900)
        assert len(png.convert("RGB").getcolors(maxcolors=1_000_000)) > 20  # layers were drawn
