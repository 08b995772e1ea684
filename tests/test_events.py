"""Dated disruptions on the tiny network: closures force the known detour, delays add their hours,
the no-route message names the event, and `corridors validate` checks events.csv."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from corridors.data import validate_dataset
from corridors.events import Event
from corridors.routing import NoRoute

TINY = Path(__file__).parent / "data" / "tiny"


def cli(*args: str, data: Path = TINY) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "corridors.cli", "--data", str(data), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_dataset_states_its_date_and_routes_default_to_it(tiny):
    assert tiny.as_of == date(2026, 1, 1)
    r = tiny.route("a", "b")
    assert r.query.as_of == date(2026, 1, 1) and r.query.events == frozenset()


def test_a_closure_forces_the_known_detour_only_while_in_force(tiny):
    normal = tiny.route("a", "b", by="time")
    assert "x_road" in {leg.link for leg in normal.legs}
    closed = tiny.route("a", "b", by="time", as_of="2025-01-15")
    assert [leg.link for leg in closed.legs] == ["a_xr", "x_rail", "yr_b"]
    assert [e.id for e in closed.disruptions_in_force] == ["x_road_closed_jan"]
    # the same detour as avoiding the crossing by hand
    assert closed.totals == tiny.route("a", "b", by="time", avoid=["x_road"], as_of="2025-01-15").totals
    after = tiny.route("a", "b", by="time", as_of="2025-02-01")
    assert after.totals == normal.totals
    ignored = tiny.route("a", "b", by="time", as_of="2025-01-15", ignore_disruptions=True)
    assert ignored.totals == normal.totals


def test_a_delay_adds_its_hours_to_the_leg_and_the_total(tiny):
    base = tiny.route("a", "c", by="time", modes=["rail", "sea"])
    late = tiny.route("a", "c", by="time", modes=["rail", "sea"], as_of="2025-06-15")
    ferry = [leg for leg in late.legs if leg.mode == "sea"][0]
    assert ferry.delay_h == 30 and ferry.events == ("ferry_delay",)
    assert late.totals.time_h == pytest.approx(base.totals.time_h + 30)
    assert late.totals.delay_h == 30 and "Ferry queue" in ferry.note
    # open-ended delays hold only until last confirmed
    assert tiny.route("a", "c", by="time", modes=["rail", "sea"], as_of="2025-07-01").totals == base.totals
    # the reverse direction is not delayed
    back = tiny.route("c", "a", by="time", modes=["rail", "sea"], as_of="2025-06-15")
    assert back.totals.delay_h == 0


def test_an_inbound_dispatch_ban_at_a_port_blocks_rail_into_it(tiny):
    with pytest.raises(NoRoute, match="No trains into Port Two"):
        tiny.route("c", "p2", modes=["rail"], as_of="2025-03-15")
    assert tiny.route("c", "p2", modes=["rail"], as_of="2025-04-01").legs[-1].to_id == "p2"
    # the ferry still reaches Port Two by sea, and trains still leave it: the ban is on trains arriving
    assert tiny.route("p1", "p2", modes=["sea"], as_of="2025-03-15").legs[-1].to_id == "p2"
    assert tiny.route("p2", "c", modes=["rail"], as_of="2025-03-15").legs[-1].to_id == "c"


def test_no_route_names_the_event_and_the_way_out(tiny):
    with pytest.raises(NoRoute) as exc:
        tiny.route("a", "b", as_of="2025-09-01")
    assert [b.kind for b in exc.value.blockers] == ["disruption"]
    assert exc.value.blockers[0].items == ("uz_closed",)
    assert "Uzbekistan closed to entries" in exc.value.reason and "2025-09-01" in exc.value.reason
    r = cli("route", "a", "b", "--as-of", "2025-09-01")
    assert (
        r.returncode == 3
        and "Uzbekistan closed to entries" in r.stderr
        and "--ignore-disruptions" in r.stderr
    )
    ok = cli("route", "a", "b", "--as-of", "2025-09-01", "--ignore-disruptions", "--format", "json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["options"]["ignore_disruptions"] is True


def test_cli_reports_the_date_and_the_events_in_force():
    doc = json.loads(cli("route", "a", "b", "--as-of", "2025-01-15", "--format", "json").stdout)
    assert doc["options"]["as_of"] == "2025-01-15"
    assert [e["id"] for e in doc["disruptions_in_force"]] == ["x_road_closed_jan"]
    table = cli("route", "a", "b").stdout
    assert "as of 2026-01-01" in table.splitlines()[0]
    assert cli("route", "a", "b", "--as-of", "2025-02-30").returncode == 2
    ev = cli("events", "--as-of", "2025-06-15")
    assert ev.returncode == 0 and "ferry_delay" in ev.stdout and "x_road_closed_jan" not in ev.stdout
    everything = json.loads(cli("events", "--all", "--format", "json").stdout)
    assert len(everything["events"]) == 4


def test_event_in_force_rules():
    e = Event(
        "x",
        "link",
        "l",
        "closure",
        date(2025, 1, 1),
        None,
        date(2025, 2, 1),
        "both",
        ("road",),
        0,
        "t",
        ("s",),
    )
    assert e.in_force(date(2030, 1, 1))  # an open closure stays until a source says it reopened
    d = Event(
        "y", "link", "l", "delay", date(2025, 1, 1), None, date(2025, 2, 1), "both", ("road",), 5, "t", ("s",)
    )
    assert (
        d.in_force(date(2025, 2, 1))
        and not d.in_force(date(2025, 2, 2))
        and not d.in_force(date(2024, 12, 31))
    )


def test_validate_lists_every_problem_of_events_csv(tiny_copy):
    (tiny_copy / "events.csv").write_text(
        "id,target_kind,target,kind,start,end,last_confirmed,direction,modes,delay_h,title,source,note\n"
        "a1,link,no_such_link,closure,2025-01-01,,,both,road,,t,test_source,\n"
        "a2,node,a,delay,2025-13-01,,,inbound,rail,,t,test_source,\n"
        "a3,country,KZ,closure,2025-05-01,2025-04-01,,sideways,air,,t,nowhere,\n"
        "a4,corridor,test,flood,2025-01-01,,,both,*,,t,,\n",
        encoding="utf-8",
    )
    (tiny_copy / "dataset.toml").write_text('as_of = "soon"\n', encoding="utf-8")
    msgs = [str(p) for p in validate_dataset(tiny_copy)]
    expect = [
        ("a1", "no_such_link"),
        ("a2", "not a date"),
        ("a2", "needs delay_h"),
        ("a3", "before the start"),
        ("a3", "sideways"),
        ("a3", "air"),
        ("a3", "nowhere"),
        ("a4", "flood"),
        ("a4", "without a source"),
        ("dataset.toml", "as_of"),
    ]
    for fid, needle in expect:
        assert any(fid in m and needle in m for m in msgs), (fid, needle, msgs)
    r = cli("validate", str(tiny_copy), data=tiny_copy)
    assert r.returncode == 1 and "events.csv" in r.stdout


def test_the_overview_marks_disruptions_in_force_and_details_show_them(tiny):
    from corridors.mapview import DISRUPTION_COLORS, overview_deck
    from corridors.tables import feature_details

    on = tiny.events_in_force(date(2025, 6, 15))  # the ferry delay
    deck = overview_deck(tiny.dataset, year=None, events=on, basemap=False)
    layer = next(lay for lay in deck.layers if lay.id == "disruptions")
    (spot,) = layer.data
    assert spot["id"] == "ferry" and list(spot["color"][:3]) == list(DISRUPTION_COLORS["delay"])
    assert "Ferry queue in June 2025" in spot["tip"] and "+30 h" in spot["tip"]
    d = feature_details(tiny.dataset, "disruptions", "ferry", events=on)
    assert d.id == "ferry" and d.events.iloc[0]["effect"] == "+30 h"
    assert "disruptions" not in [
        lay.id for lay in overview_deck(tiny.dataset, year=None, basemap=False).layers
    ]
    closed = overview_deck(
        tiny.dataset, year=None, events=tiny.events_in_force(date(2025, 1, 15)), basemap=False
    )
    spot = next(lay for lay in closed.layers if lay.id == "disruptions").data[0]
    assert spot["id"] == "x_road" and list(spot["color"][:3]) == list(DISRUPTION_COLORS["closed"])
