"""Browser tests: a real ``streamlit run app.py`` driven through Debian Chromium with Playwright.

They skip when Chromium or Playwright is missing, and fail instead when ``CORRIDORS_E2E=required``
(set by ``.ci/run``). Never ``playwright install``: the browser is ``/usr/bin/chromium``. The server
starts once per session on a free loopback port. Screenshots land in ``docs/`` for the README.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks._server import ServerDidNotStart, streamlit_server
from corridors.tables import CLI_TOTALS_FORMAT

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
VIEWPORT = {"width": 1440, "height": 1000}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def tours_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's tour database (never the user's)."""
    return tmp_path_factory.mktemp("tours") / "tours.sqlite3"


@contextlib.contextmanager
def _streamlit(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """``streamlit run app.py`` with ``env`` on a free loopback port; yields its URL."""
    try:
        with streamlit_server("app.py", env=env, log_path=log_path, timeout=60) as url:
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, tours_db: Path, require_browser: None) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port with the shipped dataset."""
    env = {k: v for k, v in os.environ.items() if k != "CORRIDORS_GEODATA"}
    env["CORRIDORS_TOURS_DB"] = str(tours_db)
    with _streamlit(env, tmp_path_factory.mktemp("e2e") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser(server: str, chromium):
    """The session's Chromium (conftest), once the server is up."""
    return chromium


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    pg = ctx.new_page()
    pg.set_default_timeout(45_000)
    yield pg
    ctx.close()


def wait_for_app(page) -> None:
    """Wait until the script finished and nothing is loading (Streamlit's own e2e helper)."""
    from playwright.sync_api import expect

    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for()
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=30_000)


def assert_no_error(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.all_inner_texts()


def drawn_share(png: bytes) -> float:
    """Share of pixels that differ clearly from the most common (background) colour."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB").resize((300, 200))
    px = list(img.get_flattened_data()) if hasattr(img, "get_flattened_data") else list(img.getdata())
    bg = Counter(px).most_common(1)[0][0]
    drawn = sum(1 for p in px if sum(abs(a - b) for a, b in zip(p, bg, strict=True)) > 40)
    return drawn / len(px)


def wait_for_map(page, index: int = 0, min_share: float = 0.01) -> float:
    """Wait for a deck canvas to draw its layers; return the share of drawn pixels."""
    chart = page.get_by_test_id("stDeckGlJsonChart").nth(index)
    chart.locator("canvas").first.wait_for()
    share = 0.0
    for _ in range(30):
        page.wait_for_timeout(500)
        share = drawn_share(chart.screenshot())
        if share >= min_share:
            break
    return share


def scroll_to_top(page) -> None:
    """Scroll every scrolled container back to the top (for screenshots)."""
    page.keyboard.press("Escape")
    page.evaluate("""() => { for (const el of document.querySelectorAll('*')) {
        if (el.scrollTop > 0) el.scrollTop = 0; } window.scrollTo(0, 0); }""")
    page.wait_for_timeout(300)


def cli_totals() -> str:
    out = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "route", "altynkol", "poti"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return next(line for line in out.splitlines() if "total:" in line)


def test_overview_draws_the_corridors(page, server):
    page.goto(server + "/")
    wait_for_app(page)
    assert_no_error(page)
    assert page.get_by_role("heading", name="Corridor overview").count() == 1
    share = wait_for_map(page)
    assert share >= 0.01, f"the map canvas has only {share:.2%} drawn pixels"
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "overview.png"))


def test_overview_click_opens_the_details_panel(page, server):
    from corridors.mapview import places_frame
    from corridors.network import load_network
    from pages._overview_map import PAGE_MAP_PX

    ds = load_network().dataset
    frame = places_frame(ds, width_px=PAGE_MAP_PX[0], height_px=PAGE_MAP_PX[1])  # the default camera
    page.goto(server + "/?labels=false")
    wait_for_app(page)
    wait_for_map(page)
    box = page.get_by_test_id("stDeckGlJsonChart").first.bounding_box()
    pt = ds.nodes.at["alat", "geometry"]

    def world(lon: float, lat: float) -> tuple[float, float]:
        scale = 512 * 2**frame.zoom
        y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * scale
        return (lon + 180) / 360 * scale, y

    cx, cy = world(frame.longitude, frame.latitude)
    x, y = world(pt.x, pt.y)
    page.mouse.click(box["x"] + box["width"] / 2 + (x - cx), box["y"] + box["height"] / 2 + (y - cy))
    page.get_by_test_id("stHeading").filter(has_text="Alat").first.wait_for()
    wait_for_app(page)
    assert_no_error(page)


def test_planner_route_equals_the_cli(page, server):
    page.goto(server + "/planner?origin=dostyk")
    wait_for_app(page)
    assert_no_error(page)

    def choose(label: str, text: str, *, pick: str | None = None) -> None:
        """Type into a place box, then press Enter (adds the spelling) or click a listed option."""
        box = page.get_by_test_id("stSelectbox").filter(has_text=label).locator("input")
        box.fill(text)
        page.wait_for_timeout(400)
        if pick is None:
            box.press("Enter")
        else:
            page.get_by_role("option").filter(has_text=pick).first.click()
        wait_for_app(page)

    def chosen(label: str) -> str:
        return page.get_by_test_id("stSelectbox").filter(has_text=label).locator("input").input_value()

    assert chosen("Origin").startswith("Dostyk")
    choose("Origin", "Tashknet")  # a typo: Enter picks the place it most likely means
    assert chosen("Origin").startswith("Tashkent")
    assert_no_error(page)
    choose("Origin", "Алтынколь")  # Enter adds the Cyrillic spelling; the app resolves it
    choose("Destination", "Poti", pick="Poti (GE)")
    assert_no_error(page)
    assert chosen("Origin").startswith("Altynkol") and chosen("Destination").startswith("Poti")
    heading = page.get_by_test_id("stHeading").filter(has_text="→").first.inner_text()
    assert heading.startswith("Altynkol → Poti")
    values = dict(
        zip(
            page.get_by_test_id("stMetricLabel").all_inner_texts(),
            page.get_by_test_id("stMetricValue").all_inner_texts(),
            strict=True,
        )
    )
    total = cli_totals()
    assert len(values) == len(CLI_TOTALS_FORMAT)
    for label, value in values.items():  # the very strings of the command's table
        assert CLI_TOTALS_FORMAT[label].format(value.strip()) in total, (label, value, total)
    share = wait_for_map(page)
    assert share >= 0.01, f"the route map has only {share:.2%} drawn pixels"
    page.reload()  # the URL holds the chosen places: a fresh load shows the same view from the top
    wait_for_app(page)
    assert chosen("Origin").startswith("Altynkol") and chosen("Destination").startswith("Poti")
    wait_for_map(page)
    page.wait_for_timeout(1000)  # let the staircase charts finish drawing
    page.set_viewport_size({"width": VIEWPORT["width"], "height": 1350})
    wait_for_map(page)
    page.wait_for_timeout(1000)
    scroll_to_top(page)
    page.screenshot(path=str(DOCS / "planner.png"))


@pytest.mark.parametrize("path", ["/volumes", "/sources"])
def test_volumes_and_sources_pages_load(page, server, path):
    page.goto(server + path)
    wait_for_app(page)
    assert_no_error(page)
    if path == "/volumes":
        share = wait_for_map(page)
        assert share >= 0.01, f"the volumes map has only {share:.2%} drawn pixels"
    else:
        assert page.get_by_test_id("stDataFrame").count() >= 3
        from pages._data import DATA_FILES

        assert page.get_by_test_id("stDownloadButton").count() == len(DATA_FILES)  # every schema file


# ---- links, presenter mode, tours ------------------------------------------------------------


def metrics(page) -> dict[str, str]:
    return dict(
        zip(
            page.get_by_test_id("stMetricLabel").all_inner_texts(),
            page.get_by_test_id("stMetricValue").all_inner_texts(),
            strict=True,
        )
    )


def camera_values(page) -> list[str]:
    page.get_by_text("Map view (camera in the link)").first.wait_for()
    return [
        page.get_by_label(name, exact=True).input_value()
        for name in ("Latitude", "Longitude", "Zoom", "Pitch", "Bearing")
    ]


def image_diff(a: bytes, b: bytes) -> float:
    """Mean absolute difference of two screenshots (0-255), on a coarse grid."""
    from PIL import Image, ImageChops

    ia = Image.open(io.BytesIO(a)).convert("L").resize((160, 100))
    ib = Image.open(io.BytesIO(b)).convert("L").resize((160, 100))
    hist = ImageChops.difference(ia, ib).histogram()
    return sum(i * n for i, n in enumerate(hist)) / (160 * 100)


def settled_map(page, index: int = 0) -> bytes:
    wait_for_map(page, index)
    page.wait_for_timeout(700)
    return page.get_by_test_id("stDeckGlJsonChart").nth(index).screenshot()


def copied_link(page) -> str:
    """The link in the sidebar's "Link to this view" popover (opened, read, closed again)."""
    page.get_by_test_id("stSidebar").get_by_role("button", name="Link to this view").click()
    code = page.get_by_test_id("stPopoverBody").get_by_test_id("stCode").first
    link = code.inner_text().strip()
    page.keyboard.press("Escape")
    return link


def test_copied_link_reopens_the_same_view(browser, page, server):
    page.goto(server + "/planner")
    wait_for_app(page)
    default_map = settled_map(page)
    page.get_by_role("radio", name="cost", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Map view (camera in the link)").first.click()  # opening reruns: lazy inputs
    wait_for_app(page)
    for label, value in (("Latitude", "41.5"), ("Longitude", "52.25"), ("Zoom", "5.5"), ("Pitch", "20")):
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.press("Enter")
        wait_for_app(page)
    assert_no_error(page)
    link = copied_link(page)
    assert link.startswith(server + "/planner?") and "by=cost" in link and "zoom=5.5" in link
    shown = metrics(page)
    camera = camera_values(page)
    assert camera[:4] == ["41.5000", "52.2500", "5.50", "20.0"], camera
    first_map = settled_map(page)
    assert image_diff(default_map, first_map) > 2  # the camera moved

    ctx = browser.new_context(viewport=VIEWPORT)  # a fresh browser: no cookies, no session
    try:
        other = ctx.new_page()
        other.set_default_timeout(45_000)
        other.goto(link)
        wait_for_app(other)
        assert_no_error(other)
        assert other.get_by_role("heading", name="Route planner").count() == 1
        assert metrics(other) == shown
        other.get_by_text("Map view (camera in the link)").first.click()
        wait_for_app(other)
        assert camera_values(other) == camera
        assert other.url == link  # the link is already the canonical URL of this view
        again = settled_map(other)
        assert image_diff(first_map, again) < image_diff(default_map, first_map) / 3
    finally:
        ctx.close()


def test_cli_link_shows_the_cli_totals(page, server):
    """The lead's acceptance test for ``corridors route ... --link``."""
    args = ["Altynkol", "Poti", "--by", "cost", "--modes", "rail,sea", "--avoid-country", "TM", "--teu", "2"]
    link = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "route", *args, "--link", server],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    assert "modes=rail%2Csea" in link and "avoid_countries=TM" in link
    doc_table = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "route", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    total = next(line for line in doc_table.splitlines() if "total:" in line)
    page.goto(link)
    wait_for_app(page)
    assert_no_error(page)
    assert page.get_by_test_id("stAlertContentWarning").count() == 0
    values = metrics(page)
    assert len(values) == len(CLI_TOTALS_FORMAT)
    for label, value in values.items():  # the very strings of the command's table
        assert CLI_TOTALS_FORMAT[label].format(value.strip()) in total, (label, value, total)
    pressed = {
        m: page.get_by_role("button", name=m, exact=True).get_attribute("aria-pressed")
        for m in ("rail", "road", "sea")
    }
    assert pressed == {"rail": "true", "road": "false", "sea": "true"}
    assert page.get_by_role("radio", name="cost", exact=True).get_attribute("aria-checked") == "true"


def test_presenter_mode_hides_the_sidebar(page, server):
    page.goto(server + "/planner?origin=altynkol&destination=poti&by=cost&present=1")
    wait_for_app(page)
    assert_no_error(page)
    assert not page.get_by_test_id("stSidebar").is_visible()
    assert page.get_by_test_id("stSidebarNav").count() == 0
    assert page.get_by_test_id("stSelectbox").count() == 0
    assert page.get_by_test_id("stNumberInput").count() == 0
    title = page.locator("h1").first
    assert title.inner_text().startswith("Altynkol → Poti")
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 30
    caption = page.locator("h4").first.inner_text()
    assert "best by cost" in caption.lower() and "USD" in caption and "km" in caption
    box = page.get_by_test_id("stDeckGlJsonChart").first.bounding_box()
    assert box["width"] >= 0.7 * VIEWPORT["width"] and box["height"] >= 650
    assert page.get_by_text("Legend").count() >= 1
    wait_for_map(page)
    page.wait_for_timeout(800)
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "presenter.png"))
    page.get_by_role("button", name="Exit").click()
    wait_for_app(page)
    assert page.get_by_test_id("stSelectbox").count() >= 2 and "present" not in page.url


def test_tour_stepping_moves_the_camera(page, server, tours_db):
    from corridors.tours import TourStore

    store = TourStore(tours_db)
    tour = store.create("Stepping test")
    store.add_step(
        tour.id,
        "Caspian",
        {"page": "overview", "lat": "41", "lon": "51", "zoom": "5.5"},
        note="The Caspian crossing",
    )
    store.add_step(
        tour.id, "Route", {"page": "planner", "origin": "altynkol", "destination": "poti", "by": "cost"}
    )
    page.goto(f"{server}/?tour={tour.id}&step=1&present=1")
    wait_for_app(page)
    assert_no_error(page)
    assert (
        "step 1 of 2" in page.get_by_test_id("stMarkdown").filter(has_text="step 1 of 2").first.inner_text()
    )
    assert "zoom=5.5" in page.url and "present=1" in page.url
    first = settled_map(page)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/planner?**")
    wait_for_app(page)
    assert_no_error(page)
    assert "step=2" in page.url and "by=cost" in page.url
    assert page.locator("h1").first.inner_text() == "Route"  # the step's own title
    assert page.locator("h4").first.inner_text().startswith("Altynkol → Poti")  # the route under it
    second = settled_map(page)
    assert image_diff(first, second) > 2, "the camera did not move"
    page.get_by_role("button", name="Previous").click()
    page.wait_for_url("**/?**step=1**")
    wait_for_app(page)
    assert "zoom=5.5" in page.url
    assert image_diff(first, settled_map(page)) < image_diff(first, second) / 2


def test_two_sessions_add_to_the_same_tour_at_once(browser, server, tours_db):
    from corridors.tours import TourStore

    store = TourStore(tours_db)
    for t in store.tours():
        store.delete(t.id)
    tour = store.create("Shared")
    pages = []
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(2)]
    try:
        for ctx, path in zip(contexts, ("/planner?by=cost", "/?zoom=4"), strict=True):
            pg = ctx.new_page()
            pg.set_default_timeout(45_000)
            pg.goto(server + path)
            wait_for_app(pg)
            pg.get_by_test_id("stSidebar").get_by_text("Add this view to a tour").click()
            pg.get_by_role("button", name="Add current view").wait_for()
            wait_for_app(pg)  # the form is built by the rerun that opening the expander starts
            pages.append(pg)
        for pg in pages:  # both clicks go out before either session answers
            pg.get_by_role("button", name="Add current view").click(no_wait_after=True)
        for pg in pages:
            pg.get_by_test_id("stAlertContentSuccess").first.wait_for()
            wait_for_app(pg)
            assert_no_error(pg)
    finally:
        for ctx in contexts:
            ctx.close()
    steps = store.get(tour.id).steps
    assert len(steps) == 2
    assert sorted(s.view.get("page") for s in steps) == ["overview", "planner"]
    assert [s.position for s in steps] == [1, 2]


HOSTILE_URLS = [
    "/planner?origin=nowhere&destination=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&teu=1e309"
    "&alternatives=abc&zoom=-5&zoom=99&lat=200&lon=NaN&by=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    "&modes=air&modes=%3Cb%3E&pitch=inf&whatever=1&%3Csvg%20onload%3Dalert(1)%3E=%27%22",
    "/?year=%3Cscript%3Ealert(1)%3C%2Fscript%3E&corridors="
    + "x" * 10_000
    + "&labels=maybe&selected=%27%20onmouseover%3D%27alert(1)&zoom=99&lat=200&bearing=1e309",
    "/volumes?kind=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&metric=%22%27&subjects=node:nope&year=1e309",
    "/?present=1&tour=99999&step=abc&zoom=NaN",
]


@pytest.mark.parametrize("path", HOSTILE_URLS, ids=["planner", "overview", "volumes", "presenter"])
def test_hostile_params_show_a_notice_and_inject_nothing(page, server, path):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + path)
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    notices = page.get_by_test_id("stAlertContentWarning").all_inner_texts()
    assert notices and any("ignored" in n.lower() or "no tour" in n.lower() for n in notices)
    page.wait_for_timeout(500)
    assert dialogs == []
    injected = page.evaluate("""() => document.querySelectorAll(
        'img[src="x"], svg[onload], [onerror], [onmouseover], body script:not([src])').length""")
    assert injected == 0


# ---------------------------------------------------------------------------------------------
# U1 of the reliability probe: deck.gl's JSON prefixes in a dataset's names

#: Place names that deck.gl's JSONConverter would read as an accessor (``@@=``), a constant lookup
#: (``@@#``, which throws for an unknown one and blanks the map) or a function key (``@@function``).
JSON_PREFIX_NAMES = {"alat": "@@=x", "almaty": "@@#Math", "aktau": "@@function"}


@pytest.fixture(scope="module")
def prefix_names_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped dataset with three port/hub names starting with deck.gl's ``@@`` prefix."""
    import json
    import shutil

    data = tmp_path_factory.mktemp("prefix") / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    doc = json.loads((data / "nodes.geojson").read_text(encoding="utf-8"))
    for f in doc["features"]:
        if f["properties"]["id"] in JSON_PREFIX_NAMES:
            f["properties"]["name"] = JSON_PREFIX_NAMES[f["properties"]["id"]]
    (data / "nodes.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def prefix_names_server(
    tmp_path_factory: pytest.TempPathFactory, prefix_names_data: Path, tours_db: Path, require_browser: None
) -> Iterator[str]:
    env = {**os.environ, "CORRIDORS_GEODATA": str(prefix_names_data), "CORRIDORS_TOURS_DB": str(tours_db)}
    with _streamlit(env, tmp_path_factory.mktemp("e2e-prefix") / "streamlit.log") as url:
        yield url


def test_names_with_deckgl_json_prefixes_draw_as_text(chromium, prefix_names_server, prefix_names_data):
    from corridors.mapview import JSON_PREFIX_GUARD, places_frame
    from corridors.network import load_network
    from pages._overview_map import PAGE_MAP_PX

    errors: list[str] = []
    ctx = chromium.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.set_default_timeout(45_000)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(prefix_names_server + "/")
        wait_for_app(page)
        assert_no_error(page)
        share = wait_for_map(page)
        assert share >= 0.01, f"the map canvas has only {share:.2%} drawn pixels"
        assert not [e for e in errors if "TypeError" in e], errors
        ds = load_network(prefix_names_data).dataset
        frame = places_frame(ds, width_px=PAGE_MAP_PX[0], height_px=PAGE_MAP_PX[1])  # the default camera
        box = page.get_by_test_id("stDeckGlJsonChart").first.bounding_box()

        def world(lon: float, lat: float) -> tuple[float, float]:
            scale = 512 * 2**frame.zoom
            y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * scale
            return (lon + 180) / 360 * scale, y

        cx, cy = world(frame.longitude, frame.latitude)
        for nid, name in JSON_PREFIX_NAMES.items():
            pt = ds.nodes.at[nid, "geometry"]
            x, y = world(pt.x, pt.y)
            page.mouse.move(box["x"] + box["width"] / 2 + (x - cx), box["y"] + box["height"] / 2 + (y - cy))
            tip = page.locator(".deck-tooltip")
            tip.filter(has_text=name).first.wait_for(timeout=10_000)
            text = tip.first.inner_text().replace(JSON_PREFIX_GUARD, "")
            assert text.startswith(f"{name} ({ds.nodes.at[nid, 'country']})"), text
    finally:
        ctx.close()
