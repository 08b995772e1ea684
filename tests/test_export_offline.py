"""The standalone HTML export opens and draws in Chromium with every request outside the file aborted.

A presenter on a filtered network must still get the map: the exports of the shipped overview and of a
planner route are written to a file, opened with ``file://`` and every other request is aborted and
counted. The deck must draw (non-white pixels on its canvas) and hovering a point or a path must show its
text tooltip. Skips without Chromium or Playwright, fails instead when ``CORRIDORS_E2E=required``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from corridors.export import Legend

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1280, "height": 800}
#: deck.gl's web-mercator world is 512 pixels wide at zoom 0.
WORLD_PX = 512
#: A target must be this far (px) from every other pickable object, so the hover hits only it.
CLEAR_PX = 24.0


@dataclass
class Opened:
    """A page opened from a file with everything else blocked."""

    page: Any
    url: str
    aborted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def network():
    from corridors.network import load_network

    return load_network()


@pytest.fixture
def open_offline(chromium, tmp_path: Path) -> Iterator[Any]:
    """``open_offline(html)``: write ``html`` to a file and open it with every other URL aborted."""
    contexts = []

    def opener(page_html: str, name: str = "export.html") -> Opened:
        path = tmp_path / name
        path.write_text(page_html, encoding="utf-8")
        ctx = chromium.new_context(viewport=VIEWPORT)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(45_000)
        opened = Opened(pg, path.as_uri())

        def block(route: Any) -> None:
            if route.request.url == opened.url:
                route.continue_()
            else:
                opened.aborted.append(route.request.url)
                route.abort()

        ctx.route("**/*", block)
        pg.on("pageerror", lambda exc: opened.errors.append(str(exc)))
        pg.goto(opened.url)
        return opened

    yield opener
    for ctx in contexts:
        ctx.close()


def drawn_share(png: bytes) -> float:
    """Share of pixels that are clearly not white (the page's background: there is no basemap)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    colors = img.getcolors(maxcolors=img.width * img.height) or []
    drawn = sum(n for n, c in colors if sum(255 - v for v in c) > 40)
    return drawn / (img.width * img.height)


def wait_for_drawing(opened: Opened, min_share: float) -> float:
    """Wait for the deck canvas, hide the title panel and attribution, return the drawn share."""
    pg = opened.page
    pg.locator("#map canvas").first.wait_for()
    pg.add_style_tag(content="#panel, #attr { visibility: hidden; }")
    share = 0.0
    for _ in range(40):
        pg.wait_for_timeout(500)
        share = drawn_share(pg.screenshot())
        if share >= min_share:
            break
    return share


def screen_xy(view: dict[str, float], lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) lands in the viewport for a MapView camera without pitch or bearing."""
    scale = WORLD_PX * 2.0 ** view["zoom"]

    def merc(lo: float, la: float) -> tuple[float, float]:
        y = math.log(math.tan(math.pi / 4 + math.radians(la) / 2))
        return (lo + 180) / 360 * scale, (1 - y / math.pi) / 2 * scale

    x, y = merc(lon, lat)
    cx, cy = merc(view["longitude"], view["latitude"])
    return VIEWPORT["width"] / 2 + x - cx, VIEWPORT["height"] / 2 + y - cy


def _inside(x: float, y: float, margin: float = 40) -> bool:
    # away from the edges and from the title panel (top left) and the attribution (bottom right)
    return (
        margin < x < VIEWPORT["width"] - margin
        and margin < y < VIEWPORT["height"] - margin
        and not (x < 480 and y < 260)
    )


def _segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay, bx, by, px, py = *a, *b, *p
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def pickables(spec: dict[str, Any]) -> tuple[list[tuple[str, tuple[float, float]]], list[tuple[str, list]]]:
    """(tip, screen point) of every pickable point and (tip, screen polyline) of every pickable path."""
    view = spec["initialViewState"]
    points, paths = [], []
    for layer in spec["layers"]:
        if not layer.get("pickable"):
            continue
        for row in layer["data"]:
            if layer["@@type"] == "ScatterplotLayer":
                points.append((row["tip"], screen_xy(view, *row["position"])))
            elif layer["@@type"] == "PathLayer":
                paths.append((row["tip"], [screen_xy(view, x, y) for x, y in row["path"]]))
    return points, paths


def clear_point(spec: dict[str, Any]) -> tuple[str, tuple[float, float]]:
    """A pickable point on screen with no other pickable point within CLEAR_PX.

    Paths may pass under it (places sit on their links): the point layers are drawn, and picked, above
    the path layers in both decks.
    """
    points, _ = pickables(spec)
    for tip, p in points:
        if _inside(*p) and sum(1 for _, q in points if math.dist(p, q) < CLEAR_PX) == 1:
            return tip, p
    raise AssertionError("no isolated point on screen to hover")


def clear_path_spot(spec: dict[str, Any], layer_id: str, prefix: str = "") -> tuple[str, tuple[float, float]]:
    """A spot on a path of ``layer_id`` (rows whose id starts with ``prefix``) away from every point and
    from the other such paths.

    Rows drawn before them (the grey network under the route, in the same layer) may share it: the row
    drawn last is picked.
    """
    points, _ = pickables(spec)
    layer = next(lay for lay in spec["layers"] if lay["id"] == layer_id)
    view = spec["initialViewState"]
    lines = [
        (row["tip"], [screen_xy(view, x, y) for x, y in row["path"]])
        for row in layer["data"]
        if str(row["id"]).startswith(prefix)
    ]
    for tip, line in lines:
        others = [ln for t, ln in lines if t != tip]
        spots = [
            (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)
            for a, b in zip(line, line[1:], strict=False)
            for f in (0.5, 0.3, 0.7, 0.15, 0.85)
        ]
        for p in spots:
            if not _inside(*p) or any(math.dist(p, q) < CLEAR_PX for _, q in points):
                continue
            if any(
                _segment_distance(p, c, d) < CLEAR_PX
                for ln in others
                for c, d in zip(ln, ln[1:], strict=False)
            ):
                continue
            return tip, p
    raise AssertionError(f"no isolated stretch of {layer_id} on screen to hover")


def hover_tooltip(opened: Opened, xy: tuple[float, float], expected: str) -> str:
    """Move the mouse to ``xy``, wait for deck.gl's tooltip to show ``expected``, return its text."""
    from playwright.sync_api import expect

    opened.page.mouse.move(*xy, steps=8)
    tip = opened.page.locator(".deck-tooltip")
    expect(tip).to_be_visible(timeout=15_000)
    expect(tip).to_contain_text(expected, timeout=15_000)
    return " ".join(tip.inner_text().split())


def first_line(tip: str) -> str:
    """The first line of a tooltip text, whitespace normalised."""
    return " ".join(tip.splitlines()[0].split())


def export_of(deck: Any, title: str) -> tuple[str, dict[str, Any]]:
    import json

    from pages._exports import map_html

    page = map_html(deck, title, "offline test", [Legend("route", (200, 30, 30))])
    return page, json.loads(deck.to_json())


def test_overview_export_draws_and_shows_tooltips_offline(network, open_offline):
    from corridors.mapview import overview_deck

    page, spec = export_of(overview_deck(network.dataset, year=None), "Freight corridors")
    opened = open_offline(page)
    share = wait_for_drawing(opened, 0.01)
    assert opened.errors == []
    assert opened.aborted == [], f"the export asked the network for {opened.aborted}"
    assert share >= 0.01, f"the export's canvas has only {share:.2%} drawn pixels"
    tip, xy = clear_point(spec)
    assert first_line(tip) in hover_tooltip(opened, xy, first_line(tip))
    assert opened.aborted == []


def test_planner_export_draws_and_shows_the_leg_tooltip_offline(network, open_offline):
    from corridors.mapview import route_deck

    routes = [network.route("altynkol", "alat")]  # one route: no alternative drawn over its legs
    page, spec = export_of(route_deck(network.dataset, routes), "Altynkol → Alat")
    opened = open_offline(page, "route.html")
    share = wait_for_drawing(opened, 0.01)
    assert opened.errors == [] and opened.aborted == [], (opened.errors, opened.aborted)
    assert share >= 0.01, f"the export's canvas has only {share:.2%} drawn pixels"
    tip, xy = clear_path_spot(spec, "routes", "leg")
    assert tip.startswith("Route 1, leg ")
    assert first_line(tip) in hover_tooltip(opened, xy, first_line(tip))
    tip, xy = clear_point(spec)  # a stop (origin, destination, crossing or transfer)
    assert first_line(tip) in hover_tooltip(opened, xy, first_line(tip))
    assert opened.aborted == []


def test_the_harness_blocks_and_counts_a_cdn_script(network, open_offline):
    """Control: the old export (deck.gl from a CDN) gets no deck.gl here, so the checks above can fail."""
    from corridors.export import vendored_js
    from corridors.mapview import route_deck

    routes = network.routes("altynkol", "poti", k=1)
    page, _ = export_of(route_deck(network.dataset, routes), "Altynkol → Poti")
    cdn = "https://unpkg.com/deck.gl@9.1.14/dist.min.js"
    old = page.replace(f"<script>\n{vendored_js()}\n</script>", f'<script src="{cdn}"></script>')
    assert old != page
    opened = open_offline(old, "old.html")
    opened.page.wait_for_timeout(1500)
    assert opened.aborted == [cdn]
    assert opened.page.locator("#map canvas").count() == 0
    assert any("deck is not defined" in e for e in opened.errors)
