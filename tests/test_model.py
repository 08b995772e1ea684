"""The cost model on the shipped dataset: prices by container type, itemized costs, check-model."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from corridors.checks import check_model
from corridors.costs import COST_ITEMS


@pytest.fixture(scope="module")
def net():
    from corridors.network import load_network

    return load_network()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "corridors.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_a_40ft_box_on_a_ferry_route_costs_between_1_1_and_1_9_times_a_20ft_one(net):
    for o, d in (("Altynkol", "Alat"), ("Tashkent", "Istanbul"), ("Altynkol", "Poti")):
        small = net.route(o, d, by="cost", container="20ft")
        big = net.route(o, d, by="cost", container="40ft")
        assert "sea" in {leg.mode for leg in small.legs} and "sea" in {leg.mode for leg in big.legs}
        assert 1.1 <= big.totals.cost_usd / small.totals.cost_usd <= 1.9, (o, d)
        assert big.totals.teu == 2 and big.totals.containers == 1


def test_breakdowns_sum_to_totals_for_every_leg_and_route(net):
    for container in ("20ft", "40ft"):
        for r in net.routes("Altynkol", "Istanbul", k=3, by="cost", container=container):
            for leg in r.legs:
                assert sum(leg.cost_breakdown.values()) == pytest.approx(leg.cost_usd)
                assert set(leg.cost_breakdown) == set(COST_ITEMS)
                if leg.cost_usd:
                    assert leg.price_basis  # every priced leg says what the price is
            t = r.totals
            assert sum(t.cost_breakdown.values()) == pytest.approx(t.cost_usd)
            assert t.cost_breakdown["sea_freight"] > 0 and t.cost_breakdown["border"] > 0
            d = r.to_dict()["totals"]
            assert sum(d["cost_breakdown_usd"].values()) == pytest.approx(d["cost_usd"], abs=0.005)


def test_time_items_sum_to_the_total_and_the_range_brackets_it(net):
    r = net.route("Altynkol", "Poti")
    t = r.totals
    assert t.run_h + t.dwell_h + t.departure_h + t.handling_h == pytest.approx(t.time_h)
    assert t.time_h_min < t.time_h < t.time_h_max
    assert t.departure_h > 0  # waiting for the Caspian sailing at least


def test_the_ferry_leg_is_priced_by_the_official_container_tariff(net):
    r = net.route("Kuryk", "Alat", modes=["sea"], by="cost")
    sea = [leg for leg in r.legs if leg.mode == "sea"]
    assert len(sea) == 1 and sea[0].cost_usd == 600  # ASCO Kuryk-Alat 20-ft tariff
    r40 = net.route("Kuryk", "Alat", modes=["sea"], by="cost", container="40ft")
    assert [leg.cost_usd for leg in r40.legs if leg.mode == "sea"] == [1200]


def test_cli_container_option_and_breakdown_in_json_csv_and_table():
    doc = json.loads(
        cli("route", "Altynkol", "Alat", "--by", "cost", "--container", "40ft", "--format", "json").stdout
    )
    t = doc["routes"][0]["totals"]
    assert doc["options"]["container"] == "40ft" and t["container"] == "40ft" and t["teu"] == 2
    assert sum(t["cost_breakdown_usd"].values()) == pytest.approx(t["cost_usd"], abs=0.005)
    for leg in doc["routes"][0]["legs"]:
        assert sum(leg["cost_breakdown_usd"].values()) == pytest.approx(leg["cost_usd"], abs=0.005)
    rows = list(
        csv.DictReader(
            io.StringIO(cli("route", "Altynkol", "Alat", "--by", "cost", "--format", "csv").stdout)
        )
    )
    total = rows[-1]
    assert total["mode"] == "total"
    assert sum(float(total[f"cost_{k}_usd"]) for k in COST_ITEMS) == pytest.approx(
        float(total["cost_usd"]), abs=0.011
    )
    table = cli("route", "Altynkol", "Alat", "--by", "cost").stdout
    assert "cost:" in table and "sea freight" in table and "prices (basis, year):" in table
    assert "1 x 20ft container = 1 TEU" in table


def test_check_model_runs_and_its_numbers_equal_the_engine(net):
    r = cli("check-model", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc["cases"]) == len(net.dataset.validation_records) > 20
    by_id = {c["id"]: c for c in net.dataset.validation_records}
    for case in doc["cases"][:: max(1, len(doc["cases"]) // 8)]:  # a spread of cases through the engine
        rec = by_id[case["id"]]
        route = net.route(
            rec["origin"],
            rec["destination"],
            by=rec["by"],
            modes=rec["modes"],
            avoid_countries=rec["avoid_countries"],
            via=rec["via"],
            container=rec["container"],
        )
        value = getattr(route.totals, rec["metric"])
        assert case["model"] == pytest.approx(value, abs=0.01)
        assert case["ratio"] == pytest.approx(value / ((rec["low"] + rec["high"]) / 2), abs=0.001)
    kinds = {(g["metric"], g["kind"]) for g in doc["summary"]}
    assert {("cost_usd", "tariff"), ("time_h", "schedule"), ("distance_km", "distance")} <= kinds
    table = cli("check-model").stdout
    assert "Summary" in table and "median |error|" in table


def test_every_validation_case_cites_a_source_and_is_routable(net):
    check = check_model(net)
    assert all(r.case["source"] for r in check.results)
    assert [r.case["id"] for r in check.results if r.model is None] == []
