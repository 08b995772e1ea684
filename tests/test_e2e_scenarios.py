"""Browser test of the Scenarios page: a link to a shipped scenario shows the numbers of
``corridors compare`` in a real ``streamlit run`` server (Debian Chromium through Playwright).

The server, browser and page fixtures are those of tests/test_e2e.py (same skip/fail rules).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_e2e import assert_no_error, browser, page, server, tours_db, wait_for_app  # noqa: F401

from corridors.network import load_network
from pages._compare import FORMATS

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.e2e


def test_scenario_link_shows_the_numbers_of_corridors_compare(page, server):  # noqa: F811
    doc = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-m",
                "corridors.cli",
                "compare",
                "--scenario",
                str(ROOT / "geodata" / "scenarios" / "trans_afghan_open.toml"),
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    )
    page.goto(server + "/scenarios?scenario=trans_afghan_open")
    # a fresh server's first visit reruns once through app.py (ensure_router): wait for the comparison
    page.get_by_test_id("stMetricLabel").filter(has_text="Best route changes").first.wait_for()
    wait_for_app(page)
    assert_no_error(page)
    assert page.get_by_test_id("stHeading").filter(has_text="Trans-Afghan railway open").count() == 1
    metrics = dict(
        zip(
            page.get_by_test_id("stMetricLabel").all_inner_texts(),
            page.get_by_test_id("stMetricValue").all_inner_texts(),
            strict=True,
        )
    )
    assert metrics["Best route changes"].strip() == str(doc["changed"])
    assert metrics["Pairs compared"].strip() == str(len(doc["pairs"]))

    # the comparison grid: its accessible table holds the text of the drawn cells
    grid = page.get_by_test_id("stDataFrame").filter(has_text="Δ P50 (h)").first
    grid.locator("[role=gridcell]").first.wait_for(state="attached")
    headers = [h.strip() for h in grid.locator("[role=columnheader]").all_text_contents()]
    names = load_network().dataset.nodes["name"].to_dict()
    by_pair = {f"{names[p['origin']]} → {names[p['destination']]}": p for p in doc["pairs"]}
    seen = 0
    rows = grid.locator("[role=row]")
    for i in range(rows.count()):
        cells = [c.strip() for c in rows.nth(i).locator("[role=gridcell]").all_text_contents()]
        if len(cells) != len(headers):
            continue
        row = dict(zip(headers, cells, strict=True))
        pair = by_pair[row["pair"]]
        assert row["P50 before (h)"] == FORMATS["P50 before (h)"].format(pair["baseline"]["time_h_p50"])
        assert row["P50 after (h)"] == FORMATS["P50 after (h)"].format(pair["scenario"]["time_h_p50"])
        assert row["Δ P50 (h)"] == FORMATS["Δ P50 (h)"].format(pair["delta"]["time_h_p50"])
        assert row["changed"] == ("yes" if pair["changed"] else "")
        seen += 1
    assert seen == len(doc["pairs"]), (seen, headers)
    assert "scenario=trans_afghan_open" in page.url
