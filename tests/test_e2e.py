"""Browser tests: a real ``streamlit run app.py`` driven through Debian Chromium with Playwright.

They skip when Chromium or Playwright is missing, and fail instead when ``CORRIDORS_E2E=required``
(set by ``.ci/run``). Never ``playwright install``: the browser is ``/usr/bin/chromium``. The server
starts once per session on a free loopback port. Screenshots land in ``docs/`` for the README.
"""

from __future__ import annotations

import io
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from corridors.tables import CLI_TOTALS_FORMAT

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
DOCS = ROOT / "docs"
#: Launch flags verified for headless Chromium >= 139 on SwiftShader (streamlit-pydeck notes, 3.2).
FLAGS = [
    "--no-sandbox", "--enable-unsafe-swiftshader", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic",
]
VIEWPORT = {"width": 1440, "height": 1000}

pytestmark = pytest.mark.e2e


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"Debian Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[test]')"
    return None


def _require_browser() -> None:
    reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("CORRIDORS_E2E", "").lower() == "required":
        pytest.fail(f"CORRIDORS_E2E=required but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port with the shipped dataset."""
    _require_browser()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CORRIDORS_GEODATA"}
    log_path = tmp_path_factory.mktemp("e2e") / "streamlit.log"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start (exit code {proc.poll()}); see {log_path}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def browser(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


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
    out = subprocess.run([sys.executable, "-m", "corridors.cli", "route", "altynkol", "poti"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
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
    from corridors.mapview import map_frame
    from corridors.network import load_network

    ds = load_network().dataset
    frame = map_frame(ds)
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
    choose("Origin", "Алтынколь")  # Enter adds the Cyrillic spelling; the app resolves it
    choose("Destination", "Poti", pick="Poti (GE)")
    assert_no_error(page)
    assert chosen("Origin").startswith("Altynkol") and chosen("Destination").startswith("Poti")
    heading = page.get_by_test_id("stHeading").filter(has_text="→").first.inner_text()
    assert heading.startswith("Altynkol → Poti")
    values = dict(zip(page.get_by_test_id("stMetricLabel").all_inner_texts(),
                      page.get_by_test_id("stMetricValue").all_inner_texts(), strict=True))
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
        assert page.get_by_test_id("stDownloadButton").count() == 8
