"""Transit-time distributions: closed forms, seeds, the P90 objective on a constructed case, the CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corridors.uncertainty import P10_P90_Z, Components, sample_totals

TINY = Path(__file__).parent / "data" / "tiny"
Z90 = 1.2815515655446004


def components(central, sigma, kind):
    n = len(central)
    return Components(
        np.asarray(central, float),
        np.asarray(sigma, float),
        np.asarray(kind, np.int8),
        tuple(f"c{i}" for i in range(n)),
        (),
    )


def test_a_lognormal_component_matches_its_closed_form():
    c, low, high = 30.0, 6.0, 72.0  # a border dwell of mean 30 h whose published range is 6-72 h
    sigma = math.log(high / low) / P10_P90_Z
    x = sample_totals(components([c], [sigma], [0]), samples=400_000, seed=7)
    mu = math.log(c) - sigma**2 / 2  # mean-preserving: the mean stays the model's 30 h
    for q, z in ((10, -Z90), (50, 0.0), (90, Z90)):
        assert np.percentile(x, q) == pytest.approx(math.exp(mu + z * sigma), rel=0.01)
    assert x.mean() == pytest.approx(c, rel=0.01)
    assert np.percentile(x, 90) / np.percentile(x, 10) == pytest.approx(high / low, rel=0.02)


def test_a_wait_for_a_departure_is_uniform_over_the_interval():
    x = sample_totals(components([10.0, 24.0], [0.0, 0.0], [2, 1]), samples=400_000, seed=1)
    # 10 h fixed plus U(0, 24): P10 = 12.4, P50 = 22, P90 = 31.6
    assert np.percentile(x, [10, 50, 90]) == pytest.approx([12.4, 22.0, 31.6], abs=0.1)


def test_same_seed_same_numbers_and_another_seed_other_numbers(tiny):
    a = tiny.route("a", "c", seed=3)
    b = tiny.route("a", "c", seed=3)
    c = tiny.route("a", "c", seed=4)
    assert a.distribution == b.distribution
    assert a.distribution.p90 != c.distribution.p90
    assert tiny.route("a", "c", samples=0).distribution is None


def test_the_mean_of_the_draws_is_the_model_time(tiny):
    r = tiny.route("a", "c", modes=["rail", "sea"], samples=200_000)
    assert r.distribution.mean == pytest.approx(r.totals.time_h, rel=0.01)
    # the ferry route: rail 50 km/h, transfers 5 h and 6 h, 10 h sailing, wait U(0, 24)
    d = r.distribution
    assert d.p10 < r.totals.time_h_min + 3 and d.p90 > r.totals.time_h + 8


def test_time_p90_picks_the_reliable_route_that_time_does_not(tiny):
    fast = tiny.route("a", "c", by="time")
    sure = tiny.route("a", "c", by="time_p90")
    assert "x_land" in {leg.link for leg in fast.legs}  # the long erratic road is faster on average
    assert "ferry" in {leg.link for leg in sure.legs}  # the ferry route has the better P90
    assert sure.totals.time_h > fast.totals.time_h
    fast_p90 = tiny.route("a", "c", by="time").distribution.p90
    assert sure.distribution.p90 < fast_p90 and sure.objective_value == sure.distribution.p90


def test_deadline_gives_the_share_of_draws_on_time(tiny):
    r = tiny.route("a", "c", modes=["rail", "sea"], deadline_h=37.2)
    assert 0.3 < r.distribution.p_on_time < 0.7
    late = tiny.route("a", "c", modes=["rail", "sea"], deadline_h=24)
    early = tiny.route("a", "c", modes=["rail", "sea"], deadline_h=60)
    assert late.distribution.p_on_time < r.distribution.p_on_time < early.distribution.p_on_time == 1.0


def test_a_seasonal_spread_applies_in_its_months_only(tiny):
    winter = tiny.route("a", "c", modes=["road"], as_of="2025-01-15")
    summer = tiny.route("a", "c", modes=["road"], as_of="2025-07-15")
    assert winter.totals.time_h == summer.totals.time_h
    assert (
        "x_land_winter" in winter.distribution.spreads and "x_land_winter" not in summer.distribution.spreads
    )


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "corridors.cli", "--data", str(TINY), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_reports_percentiles_and_on_time_probability(tiny):
    doc = json.loads(run("route", "a", "c", "--deadline", "2", "--seed", "5", "--format", "json").stdout)
    t = doc["routes"][0]["totals"]
    api = tiny.route("a", "c", seed=5, deadline_h=48).distribution
    assert t["time_h_p50"] == pytest.approx(api.p50, abs=0.01) and t["p_on_time"] == pytest.approx(
        api.p_on_time
    )
    assert t["time_h_p10"] <= t["time_h_p50"] <= t["time_h_p90"] and t["deadline_h"] == 48
    table = run("route", "a", "c", "--by", "time_p90").stdout
    assert "P10-P50-P90" in table and "best by time_p90" in table
    assert run("route", "a", "c", "--samples", "-1").returncode == 2
    assert "p_on_time" not in run("route", "a", "c", "--format", "json").stdout
