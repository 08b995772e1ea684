"""Browser test of users' own datasets (issue 12, section 2): a real ``streamlit run`` server driven by
Debian Chromium through Playwright uploads an altered copy of geodata/ on the Data and sources page, and
the Scenarios page and the planner of that browser session compute on it (the numbers of ``compare()`` and
``load_network(copy).plan(...)``), the link says that it needs the upload, and one click goes back; a
broken upload shows its problem report, without an exception element or a traceback.

The altered dataset is the shipped one with one real border crossing removed (Zhibek Zholy – Gisht
Kuprik, the road crossing north of Tashkent): no invented figure, and the default planner route Altynkol
→ Poti, which crosses there, has to take another crossing. The server, browser and page fixtures are
those of tests/test_e2e.py (same skip/fail rules; the server starts once per session on a free port).
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from test_e2e import assert_no_error, browser, page, server, tours_db, wait_for_app, wait_for_map  # noqa: F401

from corridors.data import validate_dataset
from corridors.network import load_network
from corridors.scenarios import compare, read_pairs
from corridors.share import ViewState, route_request
from corridors.tables import totals_display
from pages._compare import FORMATS
from pages._sharing import UPLOAD_NOTICE

ROOT = Path(__file__).resolve().parent.parent
REMOVED = "zhibek_zholy_gisht_kuprik_road"

pytestmark = pytest.mark.e2e


def _zip(directory: Path) -> bytes:
    """The dataset files of ``directory`` as a .zip (as a user would pack them, in a folder)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(directory.iterdir()):
            if f.is_file() and f.suffix in (".geojson", ".csv", ".toml"):
                zf.write(f, f"mydata/{f.name}")
        for f in sorted((directory / "scenarios").glob("*.toml")):
            zf.write(f, f"mydata/scenarios/{f.name}")
    return buf.getvalue()


def _without_link(src: Path, dst: Path, link: str) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("README.md"))
    p = dst / "links.geojson"
    doc = json.loads(p.read_text(encoding="utf-8"))
    kept = [f for f in doc["features"] if f["properties"]["id"] != link]
    assert len(kept) == len(doc["features"]) - 1
    doc["features"] = kept
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return dst


def _upload(page, data: bytes, name: str) -> None:  # noqa: F811
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": "application/zip", "buffer": data}]
    )


def _metrics(page) -> dict[str, str]:  # noqa: F811
    return dict(
        zip(
            page.get_by_test_id("stMetricLabel").all_inner_texts(),
            (v.strip() for v in page.get_by_test_id("stMetricValue").all_inner_texts()),
            strict=True,
        )
    )


def _no_traceback(page) -> None:  # noqa: F811
    assert page.locator("[data-testid='stException']").count() == 0
    text = page.locator("body").inner_text()
    assert "Traceback" not in text and 'File "' not in text


def test_an_uploaded_dataset_drives_the_pages_of_that_session(page, server, tmp_path):  # noqa: F811
    altered = _without_link(ROOT / "geodata", tmp_path / "altered", REMOVED)
    assert validate_dataset(altered) == []
    request = route_request(ViewState(page="planner", origin="altynkol", destination="poti"))
    want = load_network(altered).plan(request)[0]
    shipped = load_network().plan(request)[0]
    assert REMOVED in {leg.link for leg in shipped.legs} and REMOVED not in {leg.link for leg in want.legs}
    expected = {label: value for label, (value, _) in totals_display(want.totals).items()}
    before = {label: value for label, (value, _) in totals_display(shipped.totals).items()}
    assert expected != before  # the route changes in a way the metrics show

    page.goto(server + "/sources")
    wait_for_app(page)
    _upload(page, _zip(altered), "mydata.zip")
    page.get_by_test_id("stAlertContentSuccess").filter(has_text="Your dataset is in use").wait_for()
    wait_for_app(page)
    assert_no_error(page)
    assert page.get_by_test_id("stSidebar").get_by_text("Your dataset (uploaded)").count() == 1

    # the Scenarios page of this session (a sidebar link keeps the session) compares on the upload
    # and draws its comparison map
    pair = ("shymkent", "tashkent")  # crossed at Zhibek Zholy – Gisht Kuprik in the shipped data
    scen_file = altered / "scenarios" / "trans_afghan_open.toml"
    pairs = read_pairs(ROOT / "geodata" / "scenarios" / "pairs.csv")
    assert pair in pairs
    mine, theirs = (
        next(
            p.to_dict()
            for p in compare(net, net.with_scenario(scen_file), pairs, samples=2_000, seed=0).pairs
            if (p.origin, p.destination) == pair
        )
        for net in (load_network(altered), load_network())
    )
    p50 = FORMATS["P50 before (h)"].format(mine["baseline"]["time_h_p50"])
    assert p50 != FORMATS["P50 before (h)"].format(theirs["baseline"]["time_h_p50"])
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Scenarios").click()
    page.get_by_test_id("stMetricLabel").filter(has_text="Best route changes").first.wait_for()
    wait_for_app(page)
    assert_no_error(page)
    grid = page.get_by_test_id("stDataFrame").filter(has_text="Δ P50 (h)").first
    grid.locator("[role=gridcell]").first.wait_for(state="attached")
    headers = [h.strip() for h in grid.locator("[role=columnheader]").all_text_contents()]
    found = None
    for row in grid.locator("[role=row]").all():
        cells = [c.strip() for c in row.locator("[role=gridcell]").all_text_contents()]
        if len(cells) == len(headers) and cells[0] == "Shymkent → Tashkent":
            found = dict(zip(headers, cells, strict=True))
    assert found is not None and found["P50 before (h)"] == p50
    assert wait_for_map(page) >= 0.01  # the comparison map draws
    _no_traceback(page)

    # the planner of this session: the default Altynkol → Poti
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Route planner").click()
    page.get_by_test_id("stMetricLabel").filter(has_text="Transit time (h)").first.wait_for()
    wait_for_app(page)
    assert_no_error(page)
    assert _metrics(page) == expected
    cards = page.get_by_test_id("stMarkdown").filter(has_text="Kaplanbek")
    assert cards.count() >= 1  # the route now crosses at Kaplanbek
    # the link to this view says that it needs the upload
    page.get_by_test_id("stSidebar").get_by_text("Link to this view").click()
    page.get_by_test_id("stAlertContentWarning").filter(has_text=UPLOAD_NOTICE[:40]).first.wait_for()
    _no_traceback(page)

    # every other page of this session runs on the upload too: no error, the badge, a drawn map
    page.keyboard.press("Escape")
    for nav, has_map in (("Corridor overview", True), ("Freight volumes", True), ("Tours", False)):
        page.get_by_test_id("stSidebarNavLink").filter(has_text=nav).click()
        wait_for_app(page)
        assert_no_error(page)
        assert page.get_by_test_id("stSidebar").get_by_text("Your dataset (uploaded)").count() == 1, nav
        if has_map:
            assert wait_for_map(page) >= 0.01, nav
        _no_traceback(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Route planner").click()
    page.get_by_test_id("stMetricLabel").filter(has_text="Transit time (h)").first.wait_for()
    wait_for_app(page)
    assert _metrics(page) == expected  # still the upload's numbers after visiting the other pages

    # one click back: the shipped dataset's numbers again (the planner reruns on geodata/)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Back to the shipped dataset").click()
    page.get_by_test_id("stMetricValue").filter(has_text=before["Transit time (h)"]).first.wait_for()
    wait_for_app(page)
    assert _metrics(page) == before
    assert page.get_by_test_id("stSidebar").get_by_text("Your dataset (uploaded)").count() == 0


def test_a_broken_upload_shows_the_report_without_a_traceback(page, server, tmp_path):  # noqa: F811
    broken = _without_link(ROOT / "geodata", tmp_path / "broken", REMOVED)
    p = broken / "links.geojson"
    doc = json.loads(p.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["to"] = "nowhere"
    doc["features"][1]["properties"]["length_km"] = -5
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    problems = validate_dataset(broken)
    assert len(problems) >= 2

    page.goto(server + "/sources")
    wait_for_app(page)
    _upload(page, _zip(broken), "broken.zip")
    error = page.get_by_test_id("stAlertContentError").filter(has_text="problem(s)").first
    error.wait_for()
    wait_for_app(page)
    assert "is not used" in error.inner_text()
    # the problem table names the file and the bad feature; the report downloads
    grid = page.get_by_test_id("stDataFrame").filter(has_text="problem").first
    grid.locator("[role=gridcell]").first.wait_for(state="attached")
    cells = " ".join(grid.locator("[role=gridcell]").all_text_contents())
    assert "links.geojson" in cells and "nowhere" in cells
    assert page.get_by_test_id("stDownloadButton").filter(has_text="Problem report (CSV)").count() == 1
    assert page.get_by_test_id("stSidebar").get_by_text("Your dataset (uploaded)").count() == 0
    _no_traceback(page)
