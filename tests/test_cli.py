"""The `corridors` command run as a subprocess: exit codes, output formats, parity with the API."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

TINY = Path(__file__).parent / "data" / "tiny"  # the tiny hand-made dataset


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "corridors.cli", "--data", str(TINY), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_route_json_shape_and_parity_with_api(tiny):
    r = cli("route", "a", "c", "--by", "cost", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)  # nothing but the result on stdout
    assert doc["origin"] == {"id": "a", "name": "Alpha"}
    assert doc["destination"] == {"id": "c", "name": "Charlie"}
    assert doc["objective"] == "cost"
    best = doc["routes"][0]
    assert set(best) >= {"totals", "countries", "legs", "geometry"}
    assert set(best["totals"]) >= {
        "distance_km",
        "time_h",
        "cost_usd",
        "co2_kg",
        "border_crossings",
        "transfers",
    }
    leg_keys = {
        "from",
        "to",
        "mode",
        "distance_km",
        "time_h",
        "cost_usd",
        "co2_kg",
        "corridors",
        "status",
        "sources",
    }
    assert all(leg_keys <= set(leg) for leg in best["legs"])
    assert {leg["mode"] for leg in best["legs"]} <= {"rail", "road", "sea", "border", "transfer"}
    assert best["geometry"]["type"] == "LineString"
    api = tiny.route("a", "c", by="cost").totals
    assert best["totals"]["cost_usd"] == pytest.approx(api.cost_usd, abs=0.01)
    assert best["totals"]["time_h"] == pytest.approx(api.time_h, abs=0.01)
    assert best["totals"]["distance_km"] == pytest.approx(api.distance_km, abs=0.1)
    assert best["countries"] == list(tiny.route("a", "c", by="cost").countries)


def test_route_alternatives_in_json(tiny):
    doc = json.loads(cli("route", "a", "b", "--alternatives", "3", "--format", "json").stdout)
    assert len(doc["routes"]) == 2
    assert doc["routes"][0]["totals"]["time_h"] <= doc["routes"][1]["totals"]["time_h"]


def test_route_csv_and_geojson():
    r = cli("route", "a", "b", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["mode"] for row in rows] == ["road", "border", "road", "total"]
    items = [f"cost_{k}_usd" for k in ("line_haul", "sea_freight", "handling", "border")]
    for row in rows:  # the items sum to the cost on every row, legs and total
        assert sum(float(row[k]) for k in items) == pytest.approx(float(row["cost_usd"]), abs=0.011)
    assert sum(float(row["cost_usd"]) for row in rows[:-1]) == pytest.approx(float(rows[-1]["cost_usd"]))
    assert float(rows[1]["cost_border_usd"]) == 400  # the road crossing's fee
    g = json.loads(cli("route", "a", "b", "--format", "geojson").stdout)
    assert g["type"] == "FeatureCollection"
    kinds = [f["properties"]["kind"] for f in g["features"]]
    assert kinds == ["route", "leg", "leg", "leg"]


def test_route_table_is_readable():
    r = cli("route", "Alpha", "Bravo")
    assert r.returncode == 0
    assert "Alpha -> Bravo" in r.stdout and "border" in r.stdout and "USD" in r.stdout


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (("route", "a", "Brvo"), 2, "closest names: Bravo (b)"),
        (("route", "a", "alpha"), 2, "same place"),
        (("route", "a", "b", "--modes", "air"), 2, "unknown mode"),
        (("route", "a", "b", "--teu", "-1"), 2, "teu"),
        (("route", "a", "b", "--teu", "nan"), 2, "teu"),
        (("route", "a", "b", "--alternatives", "0"), 2, "alternatives"),
        (("route", "a", "b", "--by", "speed"), 2, "invalid choice"),
        (("route", "a", "b", "--avoid-country", "UZ"), 3, "lies in an avoided country (UZ)"),
        (("route", "a", "b", "--avoid", "xd,xr"), 3, "avoided place or crossing"),
        (("route", "a", "b", "--modes", "sea"), 3, "allowed modes exclude"),
        (("route", "a", "b", "--avoid-country", "U1"), 2, "unknown country"),
    ],
)
def test_exit_codes(args, code, needle):
    r = cli(*args)
    assert r.returncode == code, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert needle in r.stderr
    assert "Traceback" not in r.stderr


def test_matrix_csv_and_json_equal_the_api(tiny):
    r = cli("matrix", "--from", "a,b", "--to", "c,d", "--by", "cost")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["origin", "c", "d"]
    m = tiny.matrix(["a", "b"], ["c", "d"], by="cost")
    assert float(rows[1][1]) == pytest.approx(m.loc["a", "c"], abs=1e-3)
    doc = json.loads(
        cli("matrix", "--from", "a", "--to", "b,c", "--format", "json", "--avoid-country", "UZ").stdout
    )
    assert doc["values"][0][0] is None  # no route into an avoided country
    assert doc["values"][0][1] == pytest.approx(tiny.matrix(["a"], ["c"]).loc["a", "c"], abs=1e-3)


def test_places_json_and_table():
    doc = json.loads(cli("places", "Альфа", "--format", "json").stdout)
    assert doc[0]["id"] == "a"
    r = cli("places", "--kind", "port")
    assert "p1" in r.stdout and "p2" in r.stdout and " a " not in r.stdout


def test_help_has_examples():
    for cmd in ("route", "matrix", "places", "validate"):
        r = subprocess.run(
            [sys.executable, "-m", "corridors.cli", cmd, "--help"], capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 0 and "examples:" in r.stdout


def test_link_carries_via_points():
    r = cli("route", "a", "c", "--via", "p1", "--link", "http://127.0.0.1:8501")
    assert r.returncode == 0
    assert r.stdout.startswith("http://127.0.0.1:8501/planner?origin=a&destination=c")
    assert "via=p1" in r.stdout and not r.stderr
