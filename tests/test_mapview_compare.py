"""The scenario comparison map (corridors.mapview.comparison_deck): links that gain use and links that lose
use in their own layers, with their counts in the tooltips; worked out by hand on the tiny network."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from corridors.mapview import COMPARISON_STYLE, comparison_classes, comparison_deck
from corridors.scenarios import compare, parse_scenario, read_pairs

SHIPPED = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"
LINK_LAYERS = ("links", "loses", "mixed", "gains")


def layers(deck) -> dict[str, list[dict]]:
    """Layer id -> its data, from the JSON the browser gets."""
    return {layer["id"]: layer.get("data") or [] for layer in json.loads(deck.to_json())["layers"]}


def ids(rows: list[dict]) -> set[str]:
    return {r["id"] for r in rows}


@pytest.fixture(scope="module")
def road_closed(tiny):
    """On the tiny network, the road crossing closed: a→b moves from the road to the rail crossing,
    a→c and a→d keep their land route (worked out in tests/test_scenarios.py)."""
    s = parse_scenario({"name": "road shut", "edit": [{"action": "close", "target": "x_road"}]})
    return compare(tiny, tiny.with_scenario(s), [("a", "b"), ("a", "c"), ("a", "d")], by="time", seed=1)


def test_gaining_losing_and_unchanged_links_are_in_their_layers(tiny, road_closed):
    data = layers(comparison_deck(tiny.dataset, road_closed, basemap=False))
    assert list(data) == ["links", "loses", "gains", "ends", "end_labels"]  # no mixed link: no mixed layer
    assert ids(data["gains"]) == {"a_xr", "x_rail", "yr_b"}
    assert ids(data["loses"]) == {"a_xd", "x_road", "yd_b"}
    # every other link of the dataset is in the base layer, once; the land route used alike is dark grey
    every = {str(r["id"]) for r in tiny.dataset.link_records}
    assert ids(data["links"]) == every - ids(data["gains"]) - ids(data["loses"])
    assert sum(len(data[k]) for k in ("links", "loses", "gains")) == len(every)
    grey = {r["id"] for r in data["links"] if tuple(r["color"]) == COMPARISON_STYLE["unchanged"][0]}
    assert grey == {"a_xk", "x_land", "ya_c", "c_d"}
    # gains stand out: wider than losses, wider than unchanged; losses dashed
    width = {r["id"]: r["width"] for k in ("links", "loses", "gains") for r in data[k]}
    assert width["x_rail"] > width["x_road"] > width["x_land"] > width["ferry"]
    assert all(r["dash"] == [3, 2] for r in data["loses"])
    assert ids(data["ends"]) == {"a", "b", "c", "d"}


def test_tooltips_count_the_pairs_that_use_gain_and_lose_a_link(tiny, road_closed):
    data = layers(comparison_deck(tiny.dataset, road_closed, basemap=False))
    tips = {r["id"]: r["tip"] for k in ("links", "loses", "gains") for r in data[k]}
    assert "used by 0 of 3 pairs before, 1 after" in tips["x_rail"]
    assert "gains use: 1 pair(s)" in tips["x_rail"] and "loses use" not in tips["x_rail"]
    assert "used by 1 of 3 pairs before, 0 after" in tips["x_road"]
    assert "loses use: 1 pair(s)" in tips["x_road"]
    assert "used by 2 of 3 pairs before, 2 after" in tips["x_land"]
    assert "gains use" not in tips["x_land"] and "loses use" not in tips["x_land"]
    assert "used by" not in tips["ferry"]  # a link no compared pair uses
    names = {str(r["id"]): r for r in tiny.dataset.link_records}
    assert tips["x_rail"].startswith(str(names["x_rail"]["name"]))


def test_a_link_that_gains_and_loses_as_many_pairs_is_mixed(tiny, road_closed):
    # the counts decide the layer (more gain: gains; more loss: loses; as many: mixed)
    comp = replace(
        road_closed,
        link_gain={**road_closed.link_gain, "x_road": 1, "yd_b": 2},
        link_loss={**road_closed.link_loss, "x_rail": 2},
    )
    assert comparison_classes(comp)["x_road"] == "mixed"
    assert comparison_classes(comp)["yd_b"] == "gains"
    assert comparison_classes(comp)["x_rail"] == "loses"
    data = layers(comparison_deck(tiny.dataset, comp, basemap=False))
    assert ids(data["mixed"]) == {"x_road"}
    assert "x_rail" in ids(data["loses"]) and "yd_b" in ids(data["gains"])
    assert road_closed.link_gain == {"a_xr": 1, "x_rail": 1, "yr_b": 1}  # the input is not mutated


def test_nothing_changes_nothing_stands_out(tiny):
    same = parse_scenario({"name": "nothing", "edit": []})
    comp = compare(tiny, tiny.with_scenario(same), [("a", "b")], by="time", seed=1)
    data = layers(comparison_deck(tiny.dataset, comp, basemap=False))
    assert data["gains"] == [] and data["loses"] == []
    grey = {r["id"] for r in data["links"] if tuple(r["color"]) == COMPARISON_STYLE["unchanged"][0]}
    assert grey == {leg.link for leg in comp.pairs[0].base.legs if leg.link}


def test_shipped_trans_afghan_comparison_on_the_map(net_shipped):
    scen = net_shipped.with_scenario(SHIPPED / "trans_afghan_open.toml")
    comp = compare(net_shipped, scen, read_pairs(SHIPPED / "pairs.csv"), samples=500, seed=0)
    deck = comparison_deck(net_shipped.dataset, comp)
    data = layers(deck)
    assert comp.link_gain and comp.link_loss
    net_gain = {k for k in comp.link_gain if comp.link_gain[k] > comp.link_loss.get(k, 0)}
    net_loss = {k for k in comp.link_loss if comp.link_loss[k] > comp.link_gain.get(k, 0)}
    assert ids(data["gains"]) == net_gain and ids(data["loses"]) == net_loss
    assert "naibabad_kharlachi_rail" in ids(data["gains"])
    # the camera frames the changed links: the new railway is inside the initial view's box
    view = json.loads(deck.to_json())["initialViewState"]
    assert 60 < view["longitude"] < 80 and view["zoom"] >= 2.5
