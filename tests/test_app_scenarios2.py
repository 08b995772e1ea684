"""AppTest of the Scenarios page, second pass: the comparison map, a scenario built with widgets (the same
comparison as ``compare()`` and ``corridors compare`` for the TOML it shows), and the notice links and
tours carry while a session uses an uploaded dataset."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import test_app_scenarios as first_pass
from streamlit.testing.v1 import AppTest
from test_app_scenarios import assert_page_equals_cli, cli_compare, run, table_of, url_value
from test_app_sources import tiny_files, zipped

from corridors.mapview import comparison_deck
from corridors.network import load_network
from corridors.scenarios import compare, parse_scenario, read_pairs
from corridors.tours import TourStore
from pages._builder import build_document, scenario_toml
from pages._compare import comparison_frame, display_frame
from pages._sharing import UPLOAD_NOTICE, UPLOAD_STEP_NOTE, with_upload_note

# the first pass's dataset guard, constants and autouse fixture (the shipped dataset, a throw-away tour
# database): pytest applies a module's `pytestmark` and the fixtures bound in it
APP, ROOT, SCENARIOS = first_pass.APP, first_pass.ROOT, first_pass.SCENARIOS
pytestmark = first_pass.pytestmark
env = first_pass.env


def walk(node):
    """Every element of an AppTest tree, in page order."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def deck_layers(at: AppTest) -> dict[str, list[dict]]:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.json)
    return {layer["id"]: layer.get("data") or [] for layer in spec["layers"]}


def test_the_comparison_map_is_the_decks_of_the_library_below_the_metrics():
    at = run({"scenario": "trans_afghan_open"})
    net = load_network()
    scen = net.with_scenario(SCENARIOS / "trans_afghan_open.toml")
    lib = compare(net, scen, read_pairs(SCENARIOS / "pairs.csv"), samples=2_000, seed=0)
    want = json.loads(comparison_deck(net.dataset, lib).to_json())
    got = deck_layers(at)
    assert got == {layer["id"]: layer["data"] for layer in want["layers"]}
    assert {r["id"] for r in got["gains"]} >= {"naibabad_kharlachi_rail", "kharlachi_peshawar_rail"}
    # the map comes after the metrics (the summary first), before the table
    shown = [e.type for e in walk(at.main) if e.type in ("metric", "deck_gl_json_chart", "dataframe")]
    first = shown.index("metric")
    assert shown[first : first + 5] == ["metric", "metric", "metric", "deck_gl_json_chart", "dataframe"], (
        shown
    )


def choose_built(at: AppTest) -> dict:
    """Build a scenario with every widget of the builder; return the choices."""
    at.selectbox(key="scenario_pick").set_value("+build").run()
    assert not at.exception, [e.value for e in at.exception]
    choices = {
        "close": ["link:atameken_gulistan_road", "place:kashgar"],
        "open_links": ["naibabad_kharlachi_rail", "kharlachi_af_pk_rail", "kharlachi_peshawar_rail"],
        "dwell_factor": 0.5,
        "dwell_on": "middle_corridor",
        "as_of": date(2025, 11, 22),
        "lift": ["saryagash_2025_11_full_ban"],
        "name": "Built: Trans-Afghan open, Kashgar shut",
    }
    at.multiselect(key="build_close").set_value(choices["close"]).run()
    at.multiselect(key="build_open").set_value(choices["open_links"]).run()
    at.slider(key="build_dwell").set_value(choices["dwell_factor"]).run()
    at.selectbox(key="build_dwell_on").set_value(choices["dwell_on"]).run()
    at.date_input(key="build_as_of").set_value(choices["as_of"]).run()
    at.multiselect(key="build_lift").set_value(choices["lift"]).run()
    at.text_input(key="build_name").input(choices["name"]).run()
    assert not at.exception, [e.value for e in at.exception]
    return choices


def test_a_built_scenario_compares_as_compare_does_for_the_same_document(tmp_path: Path):
    at = run()
    choices = choose_built(at)
    doc = build_document(**choices)
    scenario = parse_scenario(doc, origin="your scenario")
    assert [e.action for e in scenario.edits] == [
        "close",
        "close",
        "open",
        "open",
        "open",
        "scale",
        "lift_event",
    ]
    net = load_network()
    pairs = read_pairs(SCENARIOS / "pairs.csv")
    lib = compare(net, net.with_scenario(scenario), pairs, samples=2_000, seed=0)
    names = net.dataset.nodes["name"].to_dict()
    pd.testing.assert_frame_equal(table_of(at, "scenario_table"), display_frame(comparison_frame(lib, names)))
    assert sum(p.changed for p in lib.pairs) >= 1  # the built scenario changes routes: worth comparing
    assert {m.label: m.value for m in at.metric}["Best route changes"] == str(
        sum(p.changed for p in lib.pairs)
    )
    # the edits in plain words, the date included
    words = " ".join(m.value for m in at.markdown)
    assert "Kashgar" in words and "Date: 2025\\-11\\-22" in words
    # built scenarios have no link until saved
    assert url_value(at, "scenario") is None

    # the TOML it shows reads back to the same scenario, and `corridors compare` gives the page's numbers
    at.session_state["build_toml_open"] = True
    at.run()
    text = at.code[0].value
    assert text.rstrip("\n") == scenario_toml(doc).rstrip("\n")  # st.code drops the last newline
    assert parse_scenario(tomllib.loads(text), origin="your scenario") == scenario
    f = tmp_path / "built.toml"
    f.write_text(text, encoding="utf-8")
    cli = cli_compare("--scenario", str(f))
    assert_page_equals_cli(at, cli)


def test_a_built_scenario_saved_to_the_tour_database_reopens_from_its_link(env: Path):
    at = run()
    choices = choose_built(at)
    at.session_state["scenario_save_open"] = True
    at.run()
    assert at.text_input(key="scenario_save_name").value == choices["name"]
    at.button(key="scenario_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert url_value(at, "scenario") == "saved_1"
    saved = TourStore(env).scenario(1)
    assert saved["name"] == choices["name"] and len(saved["edits"]) == 7
    again = run({"scenario": "saved_1"})
    pd.testing.assert_frame_equal(table_of(again, "scenario_table"), table_of(at, "scenario_table"))


def test_an_empty_builder_asks_for_a_change_and_a_stale_choice_is_dropped():
    at = run()
    at.selectbox(key="scenario_pick").set_value("+build").run()
    assert not at.exception
    assert any("Choose what the scenario changes" in i.value for i in at.info)
    assert not at.get("deck_gl_json_chart")
    # an event chosen for one date and not in force on another leaves the choice
    at.date_input(key="build_as_of").set_value(date(2025, 11, 22)).run()
    at.multiselect(key="build_lift").set_value(["saryagash_2025_11_full_ban"]).run()
    assert at.get("deck_gl_json_chart")
    at.date_input(key="build_as_of").set_value(date(2026, 3, 1)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="build_lift").value == []
    assert "saryagash_2025_11_full_ban" not in at.multiselect(key="build_lift").options


def test_toml_of_hostile_names_reads_back_as_the_same_text():
    name = 'He said "hi" \\ \x7f\t<b>x</b> \ud800 ü'
    doc = build_document(name=name, close=["link:x"], dwell_factor=0.35, as_of=date(2026, 1, 2))
    back = tomllib.loads(scenario_toml(doc))
    assert back["name"] == doc["name"].replace("\ud800", "\ufffd")
    assert back["as_of"] == date(2026, 1, 2)
    assert back["edit"] == doc["edit"]


# ---------------------------------------------------------------------------------------------
# uploaded datasets: links and tours say that they need the upload


def sidebar_texts(at: AppTest) -> list[str]:
    return [w.value for w in at.sidebar.warning]


def test_links_and_tours_from_an_uploaded_dataset_say_they_need_it(env: Path):
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("pages/sources.py")
    at.run()
    assert not at.exception
    assert not any(UPLOAD_NOTICE in t for t in sidebar_texts(at))  # the shipped dataset: no notice
    at.get("file_uploader")[0].set_value([("mine.zip", zipped(tiny_files()), "application/zip")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/planner.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(UPLOAD_NOTICE in t for t in sidebar_texts(at))  # in the link popover
    at.session_state["tour_form"] = True
    at.run()
    warnings = [w.value for w in at.sidebar.warning]
    assert sum(UPLOAD_NOTICE in w for w in warnings) == 2  # the popover and the tour form
    at.text_input(key="tour_new_name").input("Upload tour").run()
    at.text_area(key="tour_step_note").input("Tiny network, a to c").run()
    at.button(key="tour_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    tours = TourStore(env)
    ((tid, _),) = tours.names()
    step = tours.get(tid).steps[0]
    assert step.note == f"{UPLOAD_STEP_NOTE}\nTiny network, a to c"
    # back to the shipped dataset: no notice, and a new step's note is the user's alone
    at.switch_page("pages/sources.py").run()
    at.button(key="dataset_back_page").click().run()
    at.switch_page("pages/planner.py").run()
    assert not any(UPLOAD_NOTICE in t for t in sidebar_texts(at))


def test_the_step_note_fits_the_tour_store():
    long = "x" * 2_000
    note = with_upload_note(long)
    assert note.startswith(UPLOAD_STEP_NOTE) and len(note) == 2_000
    assert with_upload_note(note) == note and with_upload_note("") == UPLOAD_STEP_NOTE


def test_the_builder_and_the_map_work_on_an_uploaded_dataset():
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("pages/sources.py")
    at.run()
    at.get("file_uploader")[0].set_value([("mine.zip", zipped(tiny_files()), "application/zip")])
    at.run()
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="scenario_pick").set_value("+build").run()
    options = at.multiselect(key="build_close").options
    assert any(o.startswith("Crossing: ") for o in options) and any(o.startswith("Place: ") for o in options)
    at.multiselect(key="build_close").set_value(["link:x_road"]).run()
    at.selectbox(key="pair_from").set_value("a")
    at.selectbox(key="pair_to").set_value("b")
    at.button(key="pair_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # the tiny network's known detour: the road crossing closed, a → b takes the rail crossing
    tiny = load_network(ROOT / "tests" / "data" / "tiny")
    scen = tiny.with_scenario(parse_scenario(build_document(name="x", close=["link:x_road"])))
    lib = compare(tiny, scen, [("a", "b")], samples=2_000, seed=0)
    table = table_of(at, "scenario_table")
    assert list(table["route after"]) == [lib.pairs[0].scen.summary()]
    got = deck_layers(at)
    assert {r["id"] for r in got["gains"]} == {"a_xr", "x_rail", "yr_b"}
    assert {r["id"] for r in got["loses"]} == {"a_xd", "x_road", "yd_b"}


def test_a_dwell_change_everywhere_reads_as_every_border_crossing():
    from pages._compare import plain_edit

    net = load_network()
    scenario = parse_scenario(build_document(name="x", dwell_factor=0.5))
    assert [plain_edit(net, e) for e in scenario.edits] == ["Border dwell × 0.5 on every border crossing"]
    # nothing chosen: no edit at all (the page asks for a change)
    assert build_document(name="")["edit"] == [] and build_document(name="")["name"] == "My scenario"


def test_prices_speed_and_intervals_built_with_widgets_compare_as_compare_does():
    """What-if on figures, not only on closures: a cheaper Caspian crossing, faster Kazakh trains and
    more frequent sailings, built with the builder's sliders, give the library's comparison."""
    at = run()
    at.selectbox(key="scenario_pick").set_value("+build").run()
    at.slider(key="build_tariff").set_value(0.5).run()
    at.selectbox(key="build_tariff_on").set_value("sea").run()
    at.slider(key="build_speed").set_value(1.5).run()
    at.selectbox(key="build_speed_on").set_value("KZ").run()
    at.slider(key="build_interval").set_value(0.5).run()
    at.slider(key="build_fee").set_value(2.0).run()
    at.selectbox(key="build_interval_on").set_value("middle_corridor").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="build_speed_on").format_func("KZ") == "Kazakhstan (KZ)"
    doc = build_document(
        name="My scenario",
        scales=[
            ("tariff", "sea", 0.5),
            ("speed", "KZ", 1.5),
            ("fee", "*", 2.0),
            ("interval", "middle_corridor", 0.5),
        ],
    )
    assert [(e["what"], e["target"], e["factor"]) for e in doc["edit"]] == [
        ("tariff", "sea", 0.5),
        ("speed", "KZ", 1.5),
        ("fee", "*", 2.0),
        ("interval", "middle_corridor", 0.5),
    ]
    scenario = parse_scenario(doc, origin="your scenario")
    net = load_network()
    lib = compare(
        net, net.with_scenario(scenario), read_pairs(SCENARIOS / "pairs.csv"), samples=2_000, seed=0
    )
    names = net.dataset.nodes["name"].to_dict()
    pd.testing.assert_frame_equal(table_of(at, "scenario_table"), display_frame(comparison_frame(lib, names)))
    # the edits reach the numbers: over the Caspian, on an unchanged route, sea freight halves, border fees
    # double and the trip is quicker (faster Kazakh trains, more frequent Middle Corridor sailings)
    crossing = [
        p
        for p in lib.pairs
        if p.base and p.scen and not p.changed and any(leg.mode == "sea" for leg in p.base.legs)
    ]
    assert crossing, "pairs.csv has a pair over the Caspian whose route stays"
    for p in crossing:
        before, after = p.base.totals.cost_breakdown, p.scen.totals.cost_breakdown
        assert after["sea_freight"] == pytest.approx(before["sea_freight"] * 0.5)
        assert after["border"] == pytest.approx(before["border"] * 2.0)
        assert p.scen.totals.time_h < p.base.totals.time_h
    from pages._compare import plain_edit
    from pages._text import md_escape

    said = [plain_edit(net, e) for e in scenario.edits]
    assert said[0].endswith("× 0.5 on every sea link") and said[1].endswith("× 1.5 on country KZ"), said
    words = " ".join(m.value for m in at.markdown)
    assert all(md_escape(x) in words for x in said), (said, words)
    # unchanged sliders add no edit
    assert build_document(name="x", scales=[("speed", "*", 1.0)])["edit"] == []
