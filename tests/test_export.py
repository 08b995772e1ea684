"""Exports: standalone HTML cannot run a hostile name; PNG has title, legend and drawn layers."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from PIL import Image

from corridors.export import (
    VENDORED_JS,
    Legend,
    PngLayer,
    safe_json,
    script_safe,
    standalone_html,
    static_png,
    vendored_js,
)

ROOT = Path(__file__).resolve().parent.parent

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


def scripts(elements):
    return [attrs for tag, attrs in elements if tag == "script"]


def test_html_export_escapes_hostile_names_everywhere(html_elements):
    page = standalone_html(
        spec_with(HOSTILE),
        title=HOSTILE,
        subtitle=HOSTILE,
        legend=[Legend(HOSTILE, (1, 2, 3))],
        tooltip_text="{name}",
    )
    assert "<img src=x" not in page
    # the JSON block, deck.gl (inline), our loader: nothing injected
    assert scripts(html_elements(page)) == [{"type": "application/json", "id": "deck-spec"}, {}, {}]
    assert page.count("</script>") == 3
    assert not [tag for tag, _ in html_elements(page) if tag == "img"]
    block = re.search(r'<script type="application/json" id="deck-spec">(.*?)</script>', page, re.S).group(1)
    doc = json.loads(block)
    assert doc["layers"][0]["data"][0]["name"] == HOSTILE  # the data is intact once parsed
    assert "mapStyle" not in doc  # no basemap key or tile server needed
    assert "&lt;img src=x" in page  # title and legend as text


def test_html_export_requests_nothing_outside_the_file(html_elements):
    """deck.gl is inline: no script, stylesheet, icon, font or basemap URL to fetch when opened."""
    page = standalone_html(spec_with("Aktau"), title="t", tooltip_text="{name}")
    urls = [v for _, attrs in html_elements(page) for k, v in attrs.items() if k in ("src", "href") and v]
    assert urls == ["data:,"]  # the empty favicon, so the browser does not ask for /favicon.ico
    head = page.split('<script type="application/json"', 1)[0]  # markup and CSS, before any script
    assert "http://" not in head and "https://" not in head and "url(" not in head
    assert "basemaps.cartocdn.com" not in page  # the spec's mapStyle was dropped
    assert vendored_js() in page
    assert "JSONConverter" in page and "Copyright Vis.gl contributors" in page  # @deck.gl/json, licence


def test_vendored_deckgl_is_shipped_escaped_and_read_once():
    js = vendored_js()
    assert js is vendored_js()  # cached for the process
    assert len(js) > 1_500_000  # deck.gl's full bundle, not a stub
    assert re.search(r"</script", js, re.I) is None and "<!--" not in js
    assert js.index("deck.gl 9.1.14") < js.index("@deck.gl/json 9.1.14")  # core first: json reads it
    assert js.count("Permission is hereby granted") == 3  # deck.gl, @deck.gl/json and jsep licences


def test_vendored_files_are_package_data():
    """A non-editable install carries the bundles: every vendored path matches a package-data glob."""
    import tomllib
    from fnmatch import fnmatch
    from importlib import resources

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["corridors"]
    for _, script, licences in VENDORED_JS:
        for path in (script, *licences, script.rsplit("/", 1)[0] + "/README.md"):
            assert resources.files("corridors").joinpath(path).is_file(), path
            assert any(fnmatch(path, g) for g in globs), f"{path} is not package data"


def test_script_safe_keeps_inline_scripts_closed():
    js = 'var a = "</script><!--", b = `</SCRIPT >`;'
    out = script_safe(js)
    assert re.search(r"</script", out, re.I) is None and "<!--" not in out
    assert out == 'var a = "<\\/script><\\!--", b = `<\\/SCRIPT >`;'


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


def test_app_map_exports_carry_the_view_and_escape_hostile_names(tiny_copy, edit_features, html_elements):
    """The overview and planner maps as HTML and PNG, on data with a hostile place name."""

    from corridors.mapview import overview_deck, route_deck
    from corridors.network import load_network
    from pages._camera import camera_copy
    from pages._exports import map_html, map_png

    edit_features(tiny_copy / "nodes.geojson", "a", lambda f: f["properties"].update(name=HOSTILE))
    net = load_network(tiny_copy, cache=False)
    decks = [overview_deck(net.dataset, year=None), route_deck(net.dataset, [net.route("a", "c")])]
    for deck in decks:
        deck = camera_copy(deck, 41.5, 50.25, 6.0, 10.0, 0.0)
        page = map_html(deck, HOSTILE, "sub", [Legend(HOSTILE, (1, 2, 3))])
        assert "<img src=x" not in page and len(scripts(html_elements(page))) == 3
        block = re.search(r'id="deck-spec">(.*?)</script>', page, re.S).group(1)
        doc = json.loads(block)
        assert doc["initialViewState"]["zoom"] == 6.0 and doc["initialViewState"]["latitude"] == 41.5
        assert doc["tooltipText"] == "{tip}" and "tooltip" not in doc
        png = Image.open(io.BytesIO(map_png(deck, "Title", "sub", [Legend("x", (200, 30, 30))])))
        assert png.format == "PNG" and png.size == (1600, 900)
        assert len(png.convert("RGB").getcolors(maxcolors=1_000_000)) > 20  # layers were drawn


def test_png_legend_wraps_long_labels_and_draws_markers_as_dots():
    from PIL import Image, ImageDraw

    from corridors.export import Legend, PngLayer, _font, _wrap, static_png

    label = (
        "Route 1 (best): via Kuryk–Alat (Baku International Sea Trade Port) ferry, Red Bridge/Tsiteli Khidi"
    )
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    lines = _wrap(draw, label, _font(18), 500)
    assert len(lines) == 2 and " ".join(lines) == label  # wrapped, nothing cut
    red, blue = (220, 40, 40), (30, 90, 200)
    png = static_png(
        [PngLayer(paths=[[(50, 40), (70, 41)]], color=(0, 0, 0), width=2)],
        title="t",
        legend=[Legend(label, red, "line", 6), Legend("border crossing", blue, "dot", 10)],
        size=(1600, 900),
    )
    img = Image.open(io.BytesIO(png)).convert("RGB")
    right = img.crop((900, 90, 1600, 300))
    reds = [
        xy
        for xy in ((x, y) for x in range(right.width) for y in range(right.height))
        if right.getpixel(xy) == red
    ]
    blues = [
        xy
        for xy in ((x, y) for x in range(right.width) for y in range(right.height))
        if right.getpixel(xy) == blue
    ]
    assert reds and blues
    # the route swatch is a bar (wide, thin); the crossing swatch a dot (about as wide as high)
    rw = max(x for x, _ in reds) - min(x for x, _ in reds)
    rh = max(y for _, y in reds) - min(y for _, y in reds)
    bw = max(x for x, _ in blues) - min(x for x, _ in blues)
    bh = max(y for _, y in blues) - min(y for _, y in blues)
    assert rw > 4 * rh and abs(bw - bh) <= 2
    assert Legend.from_row({"label": "x", "color": "#ff0000", "width": 3, "mark": "planned"}).mark == "dotted"
