"""Routing on the tiny hand-made network, whose answers are worked out by hand from its files.

tests/data/tiny: hub a (KZ) reaches hub b (UZ) by a fast, expensive road crossing (dwell 2 h, fee
400 USD) or a slow, cheap rail crossing (dwell 20 h, fee 50 USD). Hub c (AZ) is reached by a long road
through a land crossing or by rail + ferry (Port One -> Port Two, 10 h sailing every 24 h) with a
transfer at each port. Delta (AZ) lies beyond a gauge change at c. Parameters (parameters.csv):
rail 50 km/h, 1 USD/km; road 60 km/h (UZ 40 km/h), 2 USD/km; sea 0.5 USD/km; 10 t per TEU.
"""

from __future__ import annotations

import math

import networkx as nx
import pytest

from corridors.places import PlaceNotFound
from corridors.routing import InvalidQuery, NoRoute


def link_km(net, lid):
    return float(net.dataset.links.at[lid, "length_km"])


def test_time_and_cost_objectives_choose_different_crossings(tiny):
    fast = tiny.route("a", "b", by="time")
    cheap = tiny.route("a", "b", by="cost")
    assert [leg.link for leg in fast.legs] == ["a_xd", "x_road", "yd_b"]
    assert [leg.link for leg in cheap.legs] == ["a_xr", "x_rail", "yr_b"]
    # road: KZ 60 km/h, the UZ side 40 km/h, 2 h dwell; 2 USD/km plus the 400 USD fee
    km = [link_km(tiny, i) for i in ("a_xd", "x_road", "yd_b")]
    assert fast.totals.time_h == pytest.approx(km[0] / 60 + km[1] / 60 + 2 + km[2] / 40)
    assert fast.totals.cost_usd == pytest.approx(2 * sum(km) + 400)
    rkm = [link_km(tiny, i) for i in ("a_xr", "x_rail", "yr_b")]
    assert cheap.totals.cost_usd == pytest.approx(sum(rkm) + 50)
    assert cheap.totals.time_h == pytest.approx(sum(rkm) / 50 + 20)
    assert fast.countries == ("KZ", "UZ") and fast.totals.border_crossings == 1


def test_closing_a_crossing_gives_the_detour_and_its_delta(tiny):
    open_ = tiny.route("a", "b", by="time")
    closed = tiny.route("a", "b", by="time", avoid=["Road Post KZ"])
    assert "x_road" not in {leg.link for leg in closed.legs}
    assert [leg.mode for leg in closed.legs] == ["rail", "border", "rail"]
    rkm = [link_km(tiny, i) for i in ("a_xr", "x_rail", "yr_b")]
    assert closed.totals.time_h - open_.totals.time_h == pytest.approx(
        sum(rkm) / 50 + 20 - open_.totals.time_h
    )
    assert closed.totals.cost_usd - open_.totals.cost_usd == pytest.approx(
        sum(rkm) + 50 - open_.totals.cost_usd
    )
    # closing by link id works the same way
    assert tiny.route("a", "b", avoid=["x_road"]).totals == closed.totals


def test_border_dwell_and_fee_follow_the_direction(tiny):
    back = tiny.route("b", "a", by="time")
    border = [leg for leg in back.legs if leg.mode == "border"][0]
    assert border.wait_h == 3  # dwell_h_rev of x_road
    assert border.from_id == "yd" and border.to_id == "xd"


def test_mode_filter_removes_the_ferry(tiny):
    with_sea = tiny.route("a", "c", by="cost")
    assert "sea" in [leg.mode for leg in with_sea.legs]
    land = tiny.route("a", "c", by="cost", modes=["rail", "road"])
    assert "sea" not in [leg.mode for leg in land.legs]
    assert [leg.link for leg in land.legs] == ["a_xk", "x_land", "ya_c"]
    assert land.totals.cost_usd == pytest.approx(
        2 * (link_km(tiny, "a_xk") + link_km(tiny, "x_land") + link_km(tiny, "ya_c")) + 100
    )


def test_each_transfer_is_charged_once(tiny):
    r = tiny.route("a", "c", by="cost")
    modes = [leg.mode for leg in r.legs]
    assert modes == ["rail", "transfer", "sea", "transfer", "rail"]
    assert r.totals.transfers == 2
    # Port One's own figures (5 h, 100 USD); Port Two has none: the rail/sea default (6 h, 150 USD)
    transfers = [leg for leg in r.legs if leg.mode == "transfer"]
    assert [(t.time_h, t.cost_usd) for t in transfers] == [(5, 100), (6, 150)]
    expected = link_km(tiny, "a_p1") + 100 + 0.5 * link_km(tiny, "ferry") + 150 + link_km(tiny, "p2_c")
    assert r.totals.cost_usd == pytest.approx(expected)


def test_ferry_waits_half_the_interval_and_gives_a_time_range(tiny):
    r = tiny.route("a", "c", by="cost")
    ferry = [leg for leg in r.legs if leg.mode == "sea"][0]
    assert ferry.time_h == pytest.approx(10 + 12)
    assert r.totals.time_h_min == pytest.approx(r.totals.time_h - 12)
    assert r.totals.time_h_max == pytest.approx(r.totals.time_h + 12)


def test_gauge_change_only_at_a_gauge_terminal_and_not_dodged_by_transfers(tiny):
    r = tiny.route("p2", "d", by="time")
    assert [leg.mode for leg in r.legs] == ["rail", "transfer", "rail"]
    assert r.legs[1].time_h == 10 and r.legs[1].cost_usd == 300
    assert "gauge" in r.legs[1].note


def test_no_route_names_the_blocking_constraint(tiny):
    with pytest.raises(NoRoute, match="destination Bravo lies in an avoided country"):
        tiny.route("a", "b", avoid_countries=["UZ"])
    with pytest.raises(NoRoute, match="avoided place or crossing"):
        tiny.route("a", "b", avoid=["xd", "xr"])
    with pytest.raises(NoRoute, match="allowed modes exclude"):
        tiny.route("a", "b", modes=["sea"])


def test_bad_input_is_rejected_with_a_message(tiny):
    with pytest.raises(InvalidQuery, match="same place"):
        tiny.route("a", "Alpha")
    with pytest.raises(InvalidQuery, match="unknown mode"):
        tiny.route("a", "b", modes=["air"])
    with pytest.raises(InvalidQuery, match="teu"):
        tiny.route("a", "b", teu=float("nan"))
    with pytest.raises(InvalidQuery, match="objective"):
        tiny.route("a", "b", by="speed")
    with pytest.raises(PlaceNotFound) as exc:
        tiny.route("a", "Brvo")
    assert exc.value.suggestions[0].id == "b"


def test_teu_scales_cost_and_co2_not_time(tiny):
    one = tiny.route("a", "b", by="cost")
    three = tiny.route("a", "b", by="cost", teu=3)
    assert three.totals.cost_usd == pytest.approx(3 * one.totals.cost_usd)
    assert three.totals.co2_kg == pytest.approx(3 * one.totals.co2_kg)
    assert three.totals.time_h == one.totals.time_h


def test_via_point_is_visited(tiny):
    r = tiny.route("a", "c", by="time", via=["p1"])
    assert "p1" in [leg.to_id for leg in r.legs]
    assert "sea" in [leg.mode for leg in r.legs]  # p1 has no road: onwards by ferry


def test_alternatives_differ_by_crossing_and_are_ordered(tiny):
    alts = tiny.routes("a", "b", k=3, by="time")
    assert len(alts) == 2  # only two crossings exist between a and b
    assert alts[0].totals.time_h <= alts[1].totals.time_h
    assert alts[0].signature != alts[1].signature
    assert alts[0].totals == tiny.route("a", "b", by="time").totals


def test_matrix_equals_networkx_routes(tiny):
    places = ["a", "b", "c", "d", "p1"]
    for by in ("time", "cost", "distance", "co2", "generalized"):
        m = tiny.matrix(places, places, by=by)
        for o in places:
            for d in places:
                if o == d:
                    assert m.loc[o, d] == 0
                    continue
                try:
                    expected = tiny.route(o, d, by=by).objective_value
                except NoRoute:
                    assert math.isnan(m.loc[o, d])
                    continue
                assert m.loc[o, d] == pytest.approx(expected, rel=1e-9, abs=1e-6), (by, o, d)


def test_matrix_respects_constraints(tiny):
    m = tiny.matrix(["a"], ["b"], by="time", avoid=["xd"])
    assert m.loc["a", "b"] == pytest.approx(tiny.route("a", "b", avoid=["xd"]).totals.time_h)
    m = tiny.matrix(["a"], ["b"], avoid_countries=["UZ"])
    assert math.isnan(m.loc["a", "b"])


def test_graph_is_frozen_and_routing_does_not_mutate_it(tiny):
    assert nx.is_frozen(tiny.graph)
    before = sorted(tiny.graph.edges(data="time_h"))
    tiny.route("a", "c", avoid=["xk"], modes=["rail", "sea"])
    assert sorted(tiny.graph.edges(data="time_h")) == before


def test_place_search_folds_case_diacritics_and_script(tiny):
    assert tiny.place("ALPHA").id == "a"
    assert tiny.place("Альфа").id == "a"
    assert tiny.place("bravo").id == "b"
    assert tiny.place("Bravö").id == "b"
    assert tiny.place("port two").id == "p2"
    assert tiny.place("Ələt Two").id == "p2"
    assert [p.id for p in tiny.find("port", kind="port")][:2] == ["p1", "p2"]


def test_masked_engine_equals_compiled_engine(tiny):
    from corridors.routing import Engine, Options

    base = Options(by="cost")
    banned = Options(by="cost", avoid=frozenset({"x_road", "p1"}))
    derived = Engine(tiny, base).without(frozenset({"x_road", "p1"}))
    compiled = Engine(tiny, banned)
    assert (derived.csr != compiled.csr).nnz == 0
    assert derived.csr.nnz == compiled.csr.nnz < Engine(tiny, base).csr.nnz


def test_alternatives_beyond_the_detour_factor_are_dropped_and_counted(tiny):
    # by cost the ferry route (491 km) is best; the land route (1,666 km) is 3.4 times as long
    found = tiny.routes("a", "c", k=2, by="cost")
    assert len(found) == 1 and found.dropped == 1 and found.max_detour == 2.0
    kept = tiny.routes("a", "c", k=2, by="cost", max_detour=0)
    assert len(kept) == 2 and kept.dropped == 0
    assert kept[1].totals.distance_km > 2 * kept[0].totals.distance_km
    assert len(tiny.routes("a", "c", k=2, by="cost", max_detour=4)) == 2
    with pytest.raises(InvalidQuery, match="max_detour"):
        tiny.routes("a", "c", k=2, max_detour=-1)


def test_avoided_countries_by_name_in_any_spelling(tiny):
    by_code = tiny.route("a", "c", avoid_countries=["UZ"])
    for name in ("Uzbekistan", "Узбекистан", "Oʻzbekiston", "uzbekstan"):
        assert tiny.route("a", "c", avoid_countries=[name]).totals == by_code.totals, name
    with pytest.raises(InvalidQuery, match="unknown country 'Narnia'"):
        tiny.route("a", "c", avoid_countries=["Narnia"])
def test_engine_memo_is_safe_across_threads_and_keeps_its_size(tiny_dir, monkeypatch):
    """The app's sessions route on one shared network from their own threads: evicting the oldest
    engine must not race (it raised KeyError / "dictionary changed size during iteration") and the
    memo stays within its size, also when an engine is derived from a base engine."""
    import sys
    import threading

    import corridors.routing as R
    from corridors.network import load_network

    net = load_network(tiny_dir, cache=False)
    monkeypatch.setattr(R, "ENGINES_CACHED", 2)
    opts = [R.Options(by=by, avoid=frozenset(av)) for by in ("time", "cost", "distance")
            for av in ([], ["p1"], ["p2"], ["xr"], ["p1", "p2"])]
    for o in opts:  # one thread: a derived engine and its base are both kept, still within the size
        R.engine(net, o, base=R.Options(by=o.by))
        assert len(net.__dict__["_engines"]) <= 2
    errors: list[str] = []
    start = threading.Barrier(8)

    def work(i: int) -> None:
        start.wait()
        for j in range(200):
            o = opts[(i * 7 + j) % len(opts)]
            try:
                eng = R.engine(net, o, base=R.Options(by=o.by) if o.avoid and j % 2 else None)
                assert eng.opts == o.engine_key()
            except Exception as exc:  # noqa: BLE001 - collected for the assertion below
                errors.append(repr(exc))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert errors == []
    assert len(net.__dict__["_engines"]) <= 2
