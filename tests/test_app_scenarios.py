"""AppTest of the Scenarios page: the numbers of ``corridors compare``, bad scenario files listed problem by
problem, saved scenarios and their links, pairs added with the place boxes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridors.data import validate_dataset
from corridors.network import load_network
from corridors.scenarios import compare, load_scenario, read_pairs, shipped_scenarios
from pages._compare import FORMATS, comparison_frame, plain_edit

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SCENARIOS = ROOT / "geodata" / "scenarios"

pytestmark = pytest.mark.skipif(
    bool(validate_dataset()), reason="the shipped geodata/ does not validate (run `corridors validate`)"
)


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The shipped dataset and a fresh tour database (never the user's)."""
    monkeypatch.delenv("CORRIDORS_GEODATA", raising=False)
    db = tmp_path / "tours.sqlite3"
    monkeypatch.setenv("CORRIDORS_TOURS_DB", str(db))
    return db


def run(params: dict | None = None) -> AppTest:
    """Open the Scenarios page as a link does."""
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.switch_page("pages/scenarios.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


#: A column that only each table has (display dataframes carry no key).
_MARK = {"scenario_table": "route after", "scenario_problems": "problem"}


def table_of(at: AppTest, key: str):
    """The page's table ``key`` (found by its columns)."""
    hits = [d.value for d in at.dataframe if _MARK[key] in d.value.columns]
    assert len(hits) == 1, [list(d.value.columns) for d in at.dataframe]
    return hits[0]


def url_value(at: AppTest, key: str) -> str | None:
    """A query parameter of the page's URL after the run (the last value of a repeated key)."""
    v = at.query_params.get(key)
    return v if v is None or isinstance(v, str) else v[-1]


def cli_compare(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "compare", *args, "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return json.loads(out)


def assert_page_equals_cli(at: AppTest, doc: dict) -> None:
    """Every number the page's table shows is the command's JSON value in the page's format."""
    names = load_network().dataset.nodes["name"].to_dict()
    table = table_of(at, "scenario_table")
    assert len(table) == len(doc["pairs"])
    sides = {"before": "baseline", "after": "scenario"}
    for (_, row), pair in zip(table.iterrows(), doc["pairs"], strict=True):
        assert row["pair"] == f"{names[pair['origin']]} → {names[pair['destination']]}"
        assert row["changed"] == ("yes" if pair["changed"] else "")
        for word, side in sides.items():
            p50 = pair[side].get("time_h_p50")
            assert row[f"P50 {word} (h)"] == ("" if p50 is None else FORMATS["P50 before (h)"].format(p50))
            cost = pair[side].get("cost_usd")
            assert row[f"cost {word} (USD)"] == ("" if cost is None else f"{cost:,.0f}")
            route = pair[side]["route"]
            assert row[f"route {word}"] == (
                route if route is not None else f"no route: {pair[side]['no_route']}"
            )
        for col, field in (
            ("Δ P50 (h)", "time_h_p50"),
            ("Δ P90 (h)", "time_h_p90"),
            ("Δ cost (USD)", "cost_usd"),
        ):
            v = pair["delta"][field]
            assert row[col] == ("" if v is None else FORMATS[col].format(v)), (col, row[col], v)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Pairs compared"] == str(len(doc["pairs"]))
    assert metrics["Best route changes"] == str(doc["changed"])
    assert metrics["Pairs that lose every route"] == str(len(doc["lost"]))


def test_shipped_scenario_shows_the_numbers_of_corridors_compare():
    at = run({"scenario": "trans_afghan_open"})
    doc = cli_compare("--scenario", str(SCENARIOS / "trans_afghan_open.toml"))
    assert doc["changed"] >= 1  # the railway changes some best routes: a comparison worth checking
    assert_page_equals_cli(at, doc)
    # the link holds the scenario; the edits are in plain words (link names, not ids)
    assert url_value(at, "scenario") == "trans_afghan_open"
    words = " ".join(m.value for m in at.markdown)
    assert "naibabad\\_kharlachi\\_rail" not in words and "Kharlachi" in words


def test_options_from_the_link_reach_the_comparison_like_the_cli_flags():
    at = run({"scenario": "atameken_gulistan_closed", "by": "cost", "container": "40ft"})
    doc = cli_compare(
        "--scenario", str(SCENARIOS / "atameken_gulistan_closed.toml"), "--by", "cost", "--container", "40ft"
    )
    assert_page_equals_cli(at, doc)
    # the underlying numbers are the library's, not re-derived: compare() with the CLI's options
    net = load_network()
    scen = net.with_scenario(SCENARIOS / "atameken_gulistan_closed.toml")
    pairs = read_pairs(SCENARIOS / "pairs.csv")
    lib = compare(net, scen, pairs, by="cost", container="40ft", samples=2_000, seed=0)
    frame = comparison_frame(lib, net.dataset.nodes["name"].to_dict())
    assert list(frame["Δ cost (USD)"]) == [p["delta"]["cost_usd"] for p in doc["pairs"]]


def test_a_scenario_that_closes_a_country_lists_the_pairs_that_lose_their_route():
    text = 'name = "Kazakhstan closed"\n[[edit]]\naction = "close"\ntarget = "KZ"\n'
    at = run()
    at.selectbox(key="scenario_pick").set_value("+custom").run()
    at.text_area(key="scenario_text").input(text).run()
    assert not at.exception
    table = table_of(at, "scenario_table")
    lost = table[table["route after"].str.startswith("no route: ")]
    assert len(lost) >= 1
    assert (lost["P50 after (h)"] == "").all()  # blanks, never "None"
    assert not table.isna().any().any()
    words = " ".join(m.value for m in at.markdown)
    assert "Pairs that lose every route" in words and "KZ" in words


def test_bad_scenarios_list_every_problem_with_file_and_line_or_edit():
    at = run()
    at.selectbox(key="scenario_pick").set_value("+custom").run()
    at.text_area(key="scenario_text").input('name = "x"\n[[edit]]\naction = close\n').run()
    assert not at.exception
    problems = table_of(at, "scenario_problems")
    assert list(problems["file"]) == ["pasted.toml"]
    assert "line 3" in problems["problem"][0]
    bad = (
        'name = "Two bad edits"\n'
        '[[edit]]\naction = "close"\ntarget = "Atlantis"\n'
        '[[edit]]\naction = "scale"\nwhat = "dwell"\ntarget = "middle_corridor"\nfactor = -2\n'
        '[[edit]]\naction = "explode"\n'
    )
    at.text_area(key="scenario_text").input(bad).run()
    assert not at.exception
    problems = table_of(at, "scenario_problems")
    text = " | ".join(problems["problem"])
    assert "edit 2" in text and "edit 3" in text  # every form problem at once
    # a well-formed file naming something the network lacks: reported with its edit
    at.text_area(key="scenario_text").input(
        'name = "x"\n[[edit]]\naction = "close"\ntarget = "Atlantis"\n'
    ).run()
    problems = table_of(at, "scenario_problems")
    assert "edit 1" in problems["problem"][0] and "Atlantis" in problems["problem"][0]
    assert at.get("download_button")  # the problems as CSV


def test_a_pasted_scenario_saved_gets_a_link_that_reopens_it(env):
    text = (SCENARIOS / "digital_border_middle_corridor.toml").read_text(encoding="utf-8")
    at = run()
    at.selectbox(key="scenario_pick").set_value("+custom").run()
    at.text_area(key="scenario_text").input(text).run()
    at.session_state["scenario_save_open"] = True
    at.run()
    at.text_input(key="scenario_save_name").input("Paperless borders").run()
    at.button(key="scenario_save").click().run()
    assert not at.exception
    assert url_value(at, "scenario") == "saved_1"
    again = run({"scenario": "saved_1"})
    doc = cli_compare("--scenario", str(SCENARIOS / "digital_border_middle_corridor.toml"))
    doc["scenario"]["name"] = "Paperless borders"
    assert_page_equals_cli(again, doc)
    assert any("Paperless borders" in s.value for s in again.subheader)


def test_unknown_scenario_in_a_link_falls_back_with_a_notice():
    at = run({"scenario": "atlantis_open"})
    assert any("atlantis" in w.value for w in at.warning)
    assert url_value(at, "scenario") == "trans_afghan_open"


def test_a_pair_added_with_the_place_boxes_is_compared():
    at = run({"scenario": "torkham_chaman_reopened"})
    n = len(table_of(at, "scenario_table"))
    at.selectbox(key="pair_from").set_value("kabul").run()
    at.selectbox(key="pair_to").set_value("peshawar").run()
    at.button(key="pair_add").click().run()
    assert not at.exception
    table = table_of(at, "scenario_table")
    assert len(table) == n + 1
    net = load_network()
    row = table.iloc[-1]
    assert row["pair"] == f"{net.place('kabul').name} → {net.place('peshawar').name}"
    scen = net.with_scenario(SCENARIOS / "torkham_chaman_reopened.toml")
    lib = compare(net, scen, [("kabul", "peshawar")], samples=2_000, seed=0).pairs[0].to_dict()
    assert row["P50 after (h)"] == f"{lib['scenario']['time_h_p50']:,.1f}"


def test_every_shipped_edit_reads_in_plain_words():
    net = load_network()
    ids = set(net.lookup.links) | {r["id"] for r in net.dataset.corridor_records}
    for path in shipped_scenarios(SCENARIOS).values():
        for e in load_scenario(path).edits:
            words = plain_edit(net, e)
            assert words, (path.name, e)
            if e.target in ids:  # a link or corridor id becomes its name
                assert e.target not in words, (path.name, words)


EVIL = "<img src=x onerror=alert(1)>"


def test_hostile_scenario_text_is_shown_as_text():
    text = (
        f'name = "{EVIL} **bold**"\n'
        f'description = "[click](javascript:alert(1)) {EVIL}"\n'
        '[[edit]]\naction = "scale"\nwhat = "dwell"\ntarget = "middle_corridor"\nfactor = 0.5\n'
    )
    at = run()
    at.selectbox(key="scenario_pick").set_value("+custom").run()
    at.text_area(key="scenario_text").input(text).run()
    assert not at.exception
    shown = [s.value for s in at.subheader] + [m.value for m in at.markdown if "style" not in m.value]
    assert not any(re.search(r"(?<!\\)<img", v) for v in shown)  # every < escaped
    assert not any(re.search(r"(?<!\\)\]\(javascript", v) for v in shown)
    assert any("\\<img" in v for v in shown)
    assert at.query_params.get("scenario") in (None, [], "")  # a pasted scenario is not in the link


def test_presenter_mode_shows_the_comparison_without_widgets():
    at = run({"scenario": "caspian_winter_storms", "present": "1"})
    assert not at.selectbox and not at.multiselect and not at.text_area
    assert any("Caspian winter storms" in t.value for t in at.title)
    assert {m.label for m in at.metric} >= {"Pairs compared", "Best route changes"}


def test_pairs_round_trip_through_the_link_and_bad_ones_fall_back():
    at = run({"scenario": "torkham_chaman_reopened", "pairs": "kabul>peshawar,tashkent>karachi"})
    table = table_of(at, "scenario_table")
    net = load_network()
    assert list(table["pair"]) == [
        f"{net.place('kabul').name} → {net.place('peshawar').name}",
        f"{net.place('tashkent').name} → {net.place('karachi').name}",
    ]
    assert url_value(at, "pairs") == "kabul>peshawar,tashkent>karachi"
    at = run({"scenario": "torkham_chaman_reopened", "pairs": "atlantis>poti,kabul>kabul"})
    assert any("pairs" in w.value for w in at.warning)
    assert len(table_of(at, "scenario_table")) == len(read_pairs(SCENARIOS / "pairs.csv"))
    assert url_value(at, "pairs") is None  # the defaults: left out of the link
