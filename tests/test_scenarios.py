"""Scenarios on the tiny network: a closure forces the known detour, a slower ferry flips the best route
at the known threshold, bad files get the full report, the base graph is never touched; and the shipped
scenarios resolve on the shipped network and agree between the API and `corridors compare`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corridors.scenarios import ScenarioError, compare, load_scenario, parse_scenario

TINY = Path(__file__).parent / "data" / "tiny"
SHIPPED = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"


def scen(*edits, **top):
    return parse_scenario({"name": top.pop("name", "test"), "edit": list(edits), **top})


def test_a_closure_forces_the_known_detour_and_the_base_is_untouched(tiny):
    before = dict(tiny.graph.edges["xd|road", "yd|road"])
    base = tiny.route("a", "b", by="time")
    closed = tiny.with_scenario(scen({"action": "close", "target": "x_road"}))
    r = closed.route("a", "b", by="time")
    assert [leg.link for leg in r.legs] == ["a_xr", "x_rail", "yr_b"]
    assert r.totals.time_h - base.totals.time_h == pytest.approx(
        tiny.route("a", "b", by="time", avoid=["x_road"]).totals.time_h - base.totals.time_h
    )
    # a view: the base network and its graph are unchanged, and route the same as before
    assert dict(tiny.graph.edges["xd|road", "yd|road"]) == before
    assert tiny.route("a", "b", by="time").totals == base.totals
    assert closed.graph is tiny.graph and closed.scenario.name == "test"


def test_a_slower_ferry_flips_the_best_route_at_the_known_threshold(tiny):
    # worked out from the files: the ferry route is rail a-p1 at 50 km/h, 5 h transfer, 10 h sailing plus
    # half the interval I, the 6 h default transfer, rail p2-c; the land route is road at 60 km/h plus the
    # 5 h crossing.
    km = {
        lid: float(tiny.dataset.links.at[lid, "length_km"])
        for lid in ("a_p1", "p2_c", "a_xk", "x_land", "ya_c")
    }
    sea_fixed = km["a_p1"] / 50 + 5 + 10 + 6 + km["p2_c"] / 50
    land = (km["a_xk"] + km["x_land"] + km["ya_c"]) / 60 + 5
    assert tiny.route("a", "c", by="time", modes=["road"]).totals.time_h == pytest.approx(land)
    threshold = 2 * (land - sea_fixed)

    def best(interval):
        v = tiny.with_scenario(
            scen({"action": "set", "what": "interval", "target": "ferry", "value": interval})
        )
        return {leg.mode for leg in v.route("a", "c", by="time").legs}

    assert "sea" in best(threshold - 0.2)
    assert "sea" not in best(threshold + 0.2)
    assert 14 < threshold < 17  # 15.3 h with the tiny files


def test_scaling_dwell_fees_and_tariffs_changes_exactly_those_figures(tiny):
    base = tiny.route("a", "b", by="time")
    v = tiny.with_scenario(
        scen(
            {"action": "scale", "what": "dwell", "target": "x_road", "factor": 0.5},
            {"action": "set", "what": "fee", "target": "x_road", "value": 100},
            {"action": "scale", "what": "tariff", "target": "road", "factor": 2},
        )
    )
    r = v.route("a", "b", by="time")
    border = [leg for leg in r.legs if leg.mode == "border"][0]
    assert border.dwell_h == 1.0 and border.cost_breakdown["border"] == 100
    assert r.totals.time_h == pytest.approx(base.totals.time_h - 1.0)
    assert r.totals.cost_breakdown["line_haul"] == pytest.approx(2 * base.totals.cost_breakdown["line_haul"])


def test_opening_a_planned_link_and_lifting_events(tiny):
    with_planned = tiny.route("b", "yr", by="distance", include_planned=True)
    opened = tiny.with_scenario(scen({"action": "open", "target": "b_c_planned"}))
    assert opened.route("b", "yr", by="distance").totals == with_planned.totals
    lifted = tiny.with_scenario(scen({"action": "lift_event", "event": "uz_closed"}, as_of="2025-09-01"))
    assert lifted.as_of.isoformat() == "2025-09-01"
    assert lifted.route("a", "b").legs  # the September closure is gone
    reopened = tiny.with_scenario(scen({"action": "reopen", "target": "UZ"}, as_of="2025-09-01"))
    assert reopened.route("a", "b").legs


def test_every_bad_edit_is_reported_at_once(tiny, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "broken"\nwhat = 1\n'
        '[[edit]]\naction = "close"\ntarget = "Atlantis"\n'
        '[[edit]]\naction = "scale"\nwhat = "speed"\ntarget = "road"\nfactor = -2\n'
        '[[edit]]\naction = "teleport"\n'
        '[[edit]]\naction = "open"\ntarget = "x_road"\n'
        '[[edit]]\naction = "lift_event"\nevent = "no_such_event"\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as exc:
        tiny.with_scenario(bad)
    text = str(exc.value)
    assert "what: unknown key" in text and "factor" in text and "teleport" in text  # form errors together
    fixed = tmp_path / "names.toml"
    fixed.write_text(
        'name = "names"\n[[edit]]\naction = "close"\ntarget = "Atlantis"\n'
        '[[edit]]\naction = "open"\ntarget = "x_road"\n[[edit]]\naction = "lift_event"\nevent = "nope"\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as exc2:
        tiny.with_scenario(fixed)
    assert len(exc2.value.problems) == 3
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridors.cli",
            "--data",
            str(TINY),
            "route",
            "a",
            "b",
            "--scenario",
            str(fixed),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "Atlantis" in r.stderr and "nope" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid JSON"):
        load_scenario(tmp_path / "x.json")


def test_compare_reports_changes_lost_pairs_and_link_use(tiny):
    closed = tiny.with_scenario(
        scen({"action": "close", "target": "x_road"}, {"action": "close", "target": "x_rail"})
    )
    c = compare(tiny, closed, [("a", "b"), ("a", "c")], by="time", seed=1)
    ab, ac = c.pairs
    assert ab.scen is None and "closed" in ab.scen_reason and c.lost == (ab,)
    assert not ac.changed and ac.delta("p50") == 0
    assert c.link_loss["x_road"] == 1


def test_shipped_scenarios_resolve_and_cli_compare_equals_the_api(net_shipped):
    files = sorted(SHIPPED.glob("*.toml"))
    assert len(files) >= 6
    for f in files:
        assert net_shipped.with_scenario(f).scenario.name
    f = SHIPPED / "trans_afghan_open.toml"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridors.cli",
            "compare",
            "--scenario",
            str(f),
            "--format",
            "json",
            "--seed",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    pair = next(p for p in doc["pairs"] if p["origin"] == "termez" and p["destination"] == "karachi")
    api = net_shipped.with_scenario(f).route("termez", "karachi", samples=2_000, seed=2)
    assert pair["changed"] and pair["scenario"]["time_h_p50"] == pytest.approx(api.distribution.p50, abs=0.01)
    assert "naibabad_kharlachi_rail" in doc["links_gaining_use"]


def test_scenarios_are_saved_beside_tours_and_named_by_link_ids(tmp_path, tiny):
    from corridors.scenarios import resolve_scenario_id, scenario_id_for_saved, shipped_scenarios
    from corridors.tours import TourStore

    store = TourStore(tmp_path / "app.sqlite3")
    s = scen({"action": "close", "target": "x_road"}, name="Road crossing shut")
    sid = store.save_scenario(s.to_dict())
    store.create("a tour")  # the same database holds tours
    assert store.scenarios() == [(sid, "Road crossing shut")] and [t.name for t in store.tours()] == [
        "a tour"
    ]
    back = resolve_scenario_id(scenario_id_for_saved(sid), shipped={}, store=store)
    assert back.edits == s.edits and back.name == s.name
    assert tiny.with_scenario(back).route("a", "b").legs[1].link == "x_rail"
    shipped = shipped_scenarios(SHIPPED)
    assert "trans_afghan_open" in shipped
    assert resolve_scenario_id("trans_afghan_open", shipped=shipped).name == "Trans-Afghan railway open"
    with pytest.raises(ScenarioError, match="no scenario"):
        resolve_scenario_id("nope", shipped=shipped, store=store)
    with pytest.raises(ScenarioError, match="no saved scenario"):
        resolve_scenario_id("saved_999", shipped=shipped, store=store)
    store.delete_scenario(sid)
    assert store.scenarios() == []
