"""Browser tests of presenter mode (issue 13 §4): the map fits the viewport, the tour controls are in
view, the map's toolbar stays off the subtitle, the legend is not shrunk, and the arrow keys (and
PageUp/PageDown, as a presentation clicker sends) step a tour. Screenshots land in ``docs/``.

Same conventions as ``test_e2e.py`` (marker e2e; ``CORRIDORS_E2E=required`` fails instead of skipping);
the server here has a tour database of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_e2e import _streamlit, assert_no_error, wait_for_app, wait_for_map

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: The viewports whose screenshots the README shows (1440x900 is checked, not saved).
SCREENSHOTS = {(1280, 720), (1920, 1080)}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tour_server(tmp_path_factory: pytest.TempPathFactory, require_browser: None) -> Iterator[tuple[str, int]]:
    """A server with the shipped dataset and a three-step tour; yields (url, tour id)."""
    from corridors.tours import TourStore

    db = tmp_path_factory.mktemp("presenter") / "tours.sqlite3"
    store = TourStore(db)
    tour = store.create("Briefing")
    store.add_step(
        tour.id,
        "The Middle Corridor",
        {"page": "overview", "corridors": "middle_corridor"},
        note="Across the Caspian by ferry.",
    )
    store.add_step(tour.id, "All corridors on one map", {"page": "overview"})
    store.add_step(
        tour.id, "Altynkol to Poti", {"page": "planner", "origin": "altynkol", "destination": "poti"}
    )
    env = {k: v for k, v in os.environ.items() if k != "CORRIDORS_GEODATA"}
    env["CORRIDORS_TOURS_DB"] = str(db)
    with _streamlit(env, db.parent / "streamlit.log") as url:
        yield url, tour.id


def box(page, selector: str) -> dict:
    loc = page.locator(selector).first
    loc.wait_for()
    return loc.bounding_box()


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900), (1920, 1080)])
def test_presenter_map_fits_the_viewport_with_the_tour_controls_in_view(chromium, tour_server, width, height):
    from playwright.sync_api import expect

    url, tour = tour_server
    ctx = chromium.new_context(viewport={"width": width, "height": height})
    try:
        page = ctx.new_page()
        page.set_default_timeout(45_000)
        page.goto(f"{url}/?tour={tour}&step=2&present=1")
        # the tour link reruns once into the step's view: wait for that run, then for the page
        expect(page.locator("h1").first).to_have_text("All corridors on one map", timeout=45_000)
        wait_for_app(page)
        assert_no_error(page)
        chart = box(page, "[data-testid='stDeckGlJsonChart']")
        canvas = box(page, "[data-testid='stDeckGlJsonChart'] canvas")
        # the map: wide, inside the viewport, not cut (its canvas is the whole chart), most of the height
        assert chart["width"] >= 0.6 * width
        assert chart["y"] >= 0 and chart["y"] + chart["height"] <= height
        assert abs(canvas["height"] - chart["height"]) <= 2
        assert chart["height"] >= 0.55 * height
        # Previous, the step title, Next and Exit below the map, all in view without scrolling
        for sel in (".st-key-tour_prev", ".st-key-tour_next", ".st-key-present_off"):
            b = box(page, sel)
            assert b["y"] >= chart["y"] + chart["height"] - 1 and b["y"] + b["height"] <= height, sel
        step = page.get_by_text("step 2 of 3").first.bounding_box()
        assert step["y"] + step["height"] <= height
        assert page.evaluate("document.scrollingElement.scrollHeight") <= height + 1
        main = page.get_by_test_id("stMain")
        assert main.evaluate("e => e.scrollHeight - e.clientHeight") <= 1
        # the legend is not scaled down (its 15 px labels stay 15 px)
        img = page.locator("[data-testid='stImage'] img").first
        shown, natural = img.evaluate("e => [e.getBoundingClientRect().width, e.naturalWidth]")
        assert natural > 0 and shown >= natural - 1
        # the map's toolbar (fullscreen) shows inside the map, not over the subtitle
        toolbar = page.locator("[data-testid='stDeckGlJsonChart'] [data-testid='stElementToolbar']").first
        for dx in (0, 20, 40, 60, 80):  # the toolbar shows while the pointer moves over the map
            page.mouse.move(chart["x"] + chart["width"] / 2 + dx, chart["y"] + chart["height"] / 2)
            page.wait_for_timeout(200)
            if toolbar.count() and toolbar.is_visible():
                break
        toolbar.wait_for()
        t = toolbar.bounding_box()
        subtitle = box(page, "h4")
        assert t["y"] >= chart["y"] and t["y"] >= subtitle["y"] + subtitle["height"]
        if (width, height) in SCREENSHOTS:
            page.mouse.move(0, 0)  # no tooltip in the screenshot
            wait_for_map(page)
            page.wait_for_timeout(600)
            DOCS.mkdir(exist_ok=True)
            page.screenshot(path=str(DOCS / f"presenter-{width}x{height}.png"))
    finally:
        ctx.close()


def test_arrow_keys_and_clicker_keys_step_the_tour(chromium, tour_server):
    from playwright.sync_api import expect

    url, tour = tour_server
    ctx = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = ctx.new_page()
        page.set_default_timeout(45_000)
        page.goto(f"{url}/?tour={tour}&step=1&present=1")
        wait_for_app(page)
        assert page.locator("h1").first.inner_text() == "The Middle Corridor"
        page.keyboard.press("ArrowLeft")  # the first step: nothing before it
        page.wait_for_timeout(700)
        wait_for_app(page)
        assert "step=1" in page.url
        page.keyboard.press("ArrowRight")
        page.wait_for_url("**step=2**")
        expect(page.locator("h1").first).to_have_text("All corridors on one map", timeout=45_000)
        wait_for_app(page)  # the whole page, its presenter bar too
        assert "corridors=" not in page.url
        page.keyboard.press("PageDown")  # a presentation clicker's "next"
        page.wait_for_url("**/planner?**step=3**")
        expect(page.locator("h1").first).to_have_text("Altynkol to Poti", timeout=45_000)  # the step's title
        expect(page.locator("h4").first).to_contain_text("Altynkol → Poti")  # the route under it
        wait_for_app(page)  # the whole page, its presenter bar too
        assert_no_error(page)
        page.keyboard.press("PageUp")  # the clicker's "previous", from the other page
        page.wait_for_url("**step=2**")
        expect(page.locator("h1").first).to_have_text("All corridors on one map", timeout=45_000)
    finally:
        ctx.close()
