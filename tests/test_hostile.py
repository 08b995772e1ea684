"""Hostile inputs of the reliability probe (issue 12 section 1): one test per root cause B1-B13 and U1.

Each reproduces the probe's input on the tiny dataset (or the shipped one where the probe used it) and
asserts the clear answer: a reported problem, the documented exit code, a neutralised cell or line.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from corridors.data import validate_dataset
from corridors.text import JSONInputError, csv_cell, load_json, plain_text
from corridors.tours import TourImportError, TourStore

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run(*args: str, **kw):
    """``python -m corridors.cli ARGS``: the probe ran the installed command the same way."""
    return subprocess.run(
        [sys.executable, "-m", "corridors.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        **kw,
    )


def problems(path: Path) -> list[str]:
    return [str(p) for p in validate_dataset(path)]


def assert_reported(path: Path, needle: str) -> None:
    """``validate`` lists the problem and ``route`` refuses the dataset, both without a traceback."""
    msgs = problems(path)
    assert any(needle in m for m in msgs), msgs
    v = run("validate", str(path))
    r = run("--data", str(path), "route", "a", "c")
    assert v.returncode == 1 and needle in v.stdout
    assert r.returncode == 1 and "the dataset is invalid" in r.stderr and r.stdout == ""
    assert "Traceback" not in v.stderr + r.stderr


# -- B1: nesting depth ------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 2_000, 100_000])
def test_b1_deep_nesting_in_geojson_is_a_problem_not_a_recursion_error(tiny_copy, depth):
    (tiny_copy / "nodes.geojson").write_text("[" * depth + "]" * depth, encoding="utf-8")
    assert_reported(tiny_copy, "nodes.geojson: is nested more than 32 levels deep")


def test_b1_deep_nesting_inside_one_property(tiny_copy):
    text = (tiny_copy / "links.geojson").read_text(encoding="utf-8")
    deep = '"note": ' + "[" * 5000 + "]" * 5000 + ', "id": "ferry"'
    (tiny_copy / "links.geojson").write_text(text.replace('"id": "ferry"', deep, 1), encoding="utf-8")
    assert_reported(tiny_copy, "links.geojson: is nested more than 32 levels deep")


def test_b1_deep_nesting_in_tours(tmp_path):
    store = TourStore(tmp_path / "t.sqlite3")
    for doc in (b"[" * 2000 + b"]" * 2000, b"[" * 100_000 + b"]" * 100_000):
        with pytest.raises(TourImportError, match="nested more than 32 levels"):
            store.import_json(doc)
    view = '{"format":"corridors-tour","version":1,"name":"x","steps":[{"view":{"k":' + "[" * 3000
    with pytest.raises(TourImportError, match="nested"):
        store.import_json(view + "]" * 3000 + "}}]}")
    # a stored view that is nested too deep (written behind the store's back) reads as an empty view
    t = store.create("x")
    store.add_step(t.id, "a", {"k": "v"})
    with sqlite3.connect(store.path) as con:
        con.execute("UPDATE steps SET view = ?", ("[" * 100_000 + "]" * 100_000,))
    con.close()
    assert dict(store.get(t.id).steps[0].view) == {}


def test_load_json_limits():
    assert load_json("[[1]]", max_depth=2) == [[1]]
    with pytest.raises(JSONInputError, match="nested more than 2 levels deep"):
        load_json("[[[1]]]", max_depth=2)
    with pytest.raises(JSONInputError, match=r"not valid JSON: Expecting value at line 1 column 2"):
        load_json("[")
    assert load_json("12345678901234567890") == 12345678901234567890  # 20 digits: an int
    assert load_json("1" + "0" * 400) == math.inf  # would overflow float() later
    assert load_json("1" * 5000) == math.inf  # over Python's 4,300-digit limit for int()


# -- B2: huge integers ------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [400, 5000])
def test_b2_huge_integer_length_is_not_a_finite_number(tiny_copy, edit_features, digits):
    text = (tiny_copy / "links.geojson").read_text(encoding="utf-8")
    (tiny_copy / "links.geojson").write_text(
        text.replace('"length_km": 283.4', '"length_km": 1' + "0" * digits, 1), encoding="utf-8"
    )
    assert_reported(tiny_copy, "links.geojson [ferry] length_km: is not a finite number")


def test_b2_huge_integer_coordinate(tiny_copy):
    doc = json.loads((tiny_copy / "nodes.geojson").read_text(encoding="utf-8"))
    doc["features"][0]["geometry"]["coordinates"][0] = "HUGE"
    text = json.dumps(doc).replace('"HUGE"', "1" + "0" * 400)
    (tiny_copy / "nodes.geojson").write_text(text, encoding="utf-8")
    assert_reported(tiny_copy, "nodes.geojson [a] geometry: has invalid Point coordinates")


def test_b2_huge_integer_in_a_tour_view_is_stored_as_text(tmp_path):
    doc = '{"format":"corridors-tour","version":1,"name":"x","steps":[{"view":{"k":' + "1" * 5000 + "}}]}"
    tour = TourStore(tmp_path / "t.sqlite3").import_json(doc)
    assert dict(tour.steps[0].view) == {"k": "inf"}


# -- B3: gauge pairs --------------------------------------------------------------------------


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("other", ["²", "1" * 5000, "01520", "1435"])
def test_b3_gauge_pair_of_odd_digits(tiny_copy, other):
    _replace(tiny_copy / "terminals.csv", "c,gauge_change,1435/1520", f"c,gauge_change,1435/{other}")
    assert_reported(tiny_copy, "terminals.csv [c (line 4)] between: '1435/")


@pytest.mark.parametrize("other", ["²", "1" * 5000])
def test_b3_gauge_pair_and_month_numbers_in_the_newer_files(tiny_copy, other):
    _replace(tiny_copy / "tariffs.csv", ",c,1435/1520,,20ft,", f",c,1435/{other},,20ft,")
    assert_reported(tiny_copy, "tariffs.csv [c_gauge_20] between: '1435/")
    (tiny_copy / "spreads.csv").write_text(
        f"id,component,scope,target,low,high,months,source\nrain,line_haul,default,,1,2,3;{other},test_source\n",
        encoding="utf-8",
    )
    assert_reported(tiny_copy, "spreads.csv [rain] months: ")


# -- B4: parameters the model needs -----------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "prefix", "needle"),
    [
        ("parameters.csv", "teu_tonnes,", "parameters.csv: has no 'teu_tonnes' for mode '*', country '*'"),
        (
            "parameters.csv",
            "speed_kmh,rail,",
            "parameters.csv: has no 'speed_kmh' for mode 'rail', country 'KZ'",
        ),
        ("parameters.csv", "transfer_time_h,rail/sea", "has no 'transfer_time_h' for mode 'rail/sea'"),
        ("parameters.csv", "gauge_change_time_h,", "has no 'gauge_change_time_h' for mode 'rail'"),
        ("parameters.csv", "value_of_time_usd_per_h,", "the generalized cost needs it"),
        ("tariffs.csv", "rail_20,", "tariffs.csv: has no rail line_haul rate for 20ft in 'KZ' or '*'; link"),
        ("tariffs.csv", "railsea_40,", "tariffs.csv: has no handling charge for rail/sea at 'p2' or '*'"),
    ],
)
def test_b4_missing_parameter_or_tariff_the_model_needs(tiny_copy, file, prefix, needle):
    f = tiny_copy / file
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith(prefix)]
    assert len(kept) < len(lines)
    f.write_text("".join(kept), encoding="utf-8")
    assert_reported(tiny_copy, needle)


def test_b4_zero_speed(tiny_copy):
    _replace(tiny_copy / "parameters.csv", "speed_kmh,rail,*,50,", "speed_kmh,rail,*,0,")
    assert_reported(tiny_copy, "parameters.csv [speed_kmh/rail/* (line 2)] value: must be positive, got 0")


# -- B5: absurd numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "needle"),
    [
        (
            "tariffs.csv",
            ",20ft,1,USD/container-km",
            ",20ft,1e308,USD/container-km",
            "tariffs.csv [rail_20] value: is out of range: 1e+308 (at most 1000)",
        ),
        (
            "parameters.csv",
            "speed_kmh,rail,*,50,",
            "speed_kmh,rail,*,1e308,",
            "value: is out of range: 1e+308",
        ),
        ("links.geojson", '"length_km": 283.4', '"length_km": 1e300', "length_km: is out of range: 1e+300"),
        (
            "terminals.csv",
            "p1,transfer,rail/sea,5,",
            "p1,transfer,rail/sea,1e300,",
            "time_h: is out of range",
        ),
    ],
)
def test_b5_absurd_figures_are_refused(tiny_copy, file, old, new, needle):
    _replace(tiny_copy / file, old, new)
    assert_reported(tiny_copy, needle)


def test_b5_route_json_never_holds_infinity(tiny):
    from corridors.formats import render_matrix, render_route

    route = tiny.route("a", "c")
    broken = dataclasses.replace(route, totals=dataclasses.replace(route.totals, cost_usd=math.inf))
    for fmt in ("json", "geojson"):
        text = render_route([broken], fmt)
        assert "Infinity" not in text and "NaN" not in text
        json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    import pandas as pd

    matrix = pd.DataFrame([[math.inf, math.nan]], index=["a"], columns=["b", "c"])
    assert json.loads(render_matrix(matrix, "json", objective="cost"))["values"] == [[None, None]]


# -- B6: self-loops ---------------------------------------------------------------------------


def test_b6_self_loop_is_refused(tiny_copy, edit_features):
    def loop(f):
        f["properties"]["to"] = "a"
        f["geometry"]["coordinates"] = [f["geometry"]["coordinates"][0]] * 2

    edit_features(tiny_copy / "links.geojson", "a_p1", loop)
    assert_reported(tiny_copy, "links.geojson [a_p1] to: the link starts and ends at 'a'")


# -- B7: CSV formula injection ----------------------------------------------------------------


def test_b7_formula_names_are_neutralised_in_csv(tiny_copy, edit_features):
    payloads = {"a": '=HYPERLINK("http://evil.example","x")', "p1": "@SUM(1+1)", "c": "+1+1"}
    for nid, name in payloads.items():
        edit_features(tiny_copy / "nodes.geojson", nid, lambda f, n=name: f["properties"].update(name=n))
    edit_features(
        tiny_copy / "links.geojson", "ya_c", lambda f: f["properties"].update(name="-2+3+cmd|' /C calc'!A0")
    )
    assert problems(tiny_copy) == []  # names are text; the output is what must be safe
    r = run("--data", str(tiny_copy), "route", "a", "c", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    cells = [c for row in rows for c in row.values()]
    assert not [c for c in cells if c[:1] in "=+-@" and c[:1] and not _is_number(c)]
    names = {row["from_name"] for row in rows} | {row["to_name"] for row in rows}
    assert "'" + payloads["a"] in names and "'" + payloads["c"] in names
    assert any(row["note"].startswith("'-2+3+cmd|' /C calc'!A0") for row in rows), rows


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def test_csv_cell_rules():
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("  @x") == "'  @x" and csv_cell("\t=x") == "' =x"
    assert csv_cell("-12.5") == "-12.5" and csv_cell("+3e5") == "+3e5" and csv_cell(-3.0) == -3.0
    assert csv_cell("Poti") == "Poti" and csv_cell("a\r\nb") == "a  b"


# -- B8: control characters on a terminal -----------------------------------------------------


def test_b8_control_characters_never_reach_the_terminal(tiny_copy, edit_features):
    evil = "Cha\x1b[31mrlie\r\nFAKE LINE\u202e"
    edit_features(tiny_copy / "nodes.geojson", "c", lambda f: f["properties"].update(name=evil))
    table = run("--data", str(tiny_copy), "route", "a", "c")
    places = run("--data", str(tiny_copy), "places", "c")
    unknown = run("--data", str(tiny_copy), "route", "a", "Cha\x1b[31mrlie")  # suggestions name it
    for out in (table.stdout, places.stdout, unknown.stderr):
        assert "Cha" in out
        assert not any(ch in out for ch in "\x1b\r\u202e")
        assert not any(line.startswith("FAKE LINE") for line in out.splitlines())
    assert table.returncode == 0 and places.returncode == 0 and unknown.returncode == 2
    assert plain_text("a\nb\x1b", newlines=True) == "a\nb "


# -- B9: input size caps ----------------------------------------------------------------------


def test_b9_long_query_is_not_fuzzy_matched(tiny, monkeypatch):
    import corridors.places

    def no_fuzzy(*a, **k):
        raise AssertionError("a 100k-character query reached difflib")

    monkeypatch.setattr(corridors.places.difflib, "SequenceMatcher", no_fuzzy)
    assert tiny.find("ab" * 50_000) == []
    assert [p.id for p in tiny.find("Alpha" + " " * 300)] == ["a"]  # exact matches still work
    r = run("places", "ab" * 50_000)
    assert r.returncode == 0 and len(r.stderr) < 100 and r.stderr.startswith("no place matches 'abab")


# -- B10: stdout write errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "env", "reason"),
    [
        ("route Altynkol Poti >&-", {}, "standard output is closed"),
        ("route Altynkol Poti > /dev/full", {}, "No space left on device"),
        ("validate > /dev/full", {}, "No space left on device"),
        ("--help > /dev/full", {}, "No space left on device"),  # argparse swallows the error itself
        ("route Altynkol Poti", {"PYTHONIOENCODING": "ascii"}, "'ascii' cannot represent '\\u2013'"),
        ("places Алят", {"PYTHONIOENCODING": "latin-1"}, "'latin-1' cannot represent"),
    ],
)
def test_b10_write_errors_exit_4_with_one_line(shell, env, reason):
    if "/dev/full" in shell and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    r = subprocess.run(
        f"{sys.executable} -m corridors.cli {shell}",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        env={**ENV, **env},
        cwd=ROOT,
    )
    assert r.returncode == 4, (r.returncode, r.stderr)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: could not write the output: ")
    assert reason in r.stderr


def test_b10_closed_pipe_is_still_fine():
    r = subprocess.run(
        f"{sys.executable} -m corridors.cli places | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        cwd=ROOT,
    )
    assert r.returncode == 0 and r.stderr == ""


# -- B11: lone surrogates in tours ------------------------------------------------------------


def test_b11_lone_surrogates_are_refused(tmp_path):
    store = TourStore(tmp_path / "t.sqlite3")
    with pytest.raises(TourImportError, match="not valid Unicode"):
        store.import_json(b'{"format":"corridors-tour","version":1,"name":"\\ud800","steps":[]}')
    with pytest.raises(TourImportError, match="not valid Unicode"):
        store.import_json(
            '{"format":"corridors-tour","version":1,"name":"x","steps":[{"view":{"k":"\udfff"}}]}'
        )
    with pytest.raises(TourImportError, match="not valid Unicode"):
        store.create("\ud800")
    t = store.create("ok")
    with pytest.raises(TourImportError, match="not valid Unicode"):
        store.add_step(t.id, "\udcff", {})
    assert [x.name for x in store.tours()] == ["ok"]


def test_b11_lone_surrogates_in_geodata_text(tiny_copy):
    text = (tiny_copy / "nodes.geojson").read_text(encoding="utf-8")
    (tiny_copy / "nodes.geojson").write_text(text.replace('"Alpha"', '"Al\\ud800pha"', 1), encoding="utf-8")
    assert_reported(tiny_copy, "nodes.geojson [a] name: is not valid Unicode text")


# -- B12: read-only database ------------------------------------------------------------------

_READ_ONLY = """
import sys
from corridors.tours import TourStore, TourStoreError
s = TourStore(sys.argv[1])
print([t.name for t in s.tours()], len(s.get(s.tours()[0].id).steps))
try:
    s.create("y")
except TourStoreError as exc:
    print(exc)
"""


@pytest.mark.parametrize("dir_writable", [False, True])
def test_b12_read_only_database_can_be_viewed(dir_writable):
    base = Path(tempfile.mkdtemp(prefix="corridors-ro-"))  # not under pytest's private tmp: nobody reads it
    d = base / "ro"
    try:
        store = TourStore(d / "t.sqlite3")
        t = store.create("shared")
        store.add_step(t.id, "a", {"k": "v"})
        cmd = [sys.executable, "-c", _READ_ONLY, str(d / "t.sqlite3")]
        if os.geteuid() == 0:  # root ignores permissions: run as nobody
            if not shutil.which("setpriv"):
                pytest.skip("running as root without setpriv to drop privileges")
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        base.chmod(0o755)
        (d / "t.sqlite3").chmod(0o444)
        d.chmod(0o777 if dir_writable else 0o555)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=ENV)
    finally:
        if d.exists():
            d.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.splitlines()[:2]
    assert first == "['shared'] 1"
    assert second.endswith("is read-only; tours can be viewed but not saved")


# -- B13: PNG text sizes ----------------------------------------------------------------------


def test_b13_long_png_title_is_cut_not_a_decompression_bomb():
    from PIL import Image

    from corridors.export import MAX_PNG_PX, static_png

    for n in (250_000, 1_000_000):
        data = static_png([], title="W" * n, subtitle="x" * n)
        assert Image.open(io.BytesIO(data)).size == (1600, 900)
    with pytest.raises(ValueError, match="pixels a side"):
        static_png([], title="x", size=(MAX_PNG_PX + 1, 10))


# -- U1: deck.gl JSON prefixes ----------------------------------------------------------------


def test_u1_data_strings_with_deckgl_prefixes_are_guarded(tiny_copy, edit_features):
    from corridors.data import load_dataset
    from corridors.mapview import JSON_PREFIX_GUARD, overview_deck

    names = {"a": "@@=x", "b": "@@#Math", "c": "@@function"}
    for nid, name in names.items():
        edit_features(tiny_copy / "nodes.geojson", nid, lambda f, n=name: f["properties"].update(name=n))
    spec = json.loads(overview_deck(load_dataset(tiny_copy), year=None, basemap=False).to_json())
    data = [
        v for layer in spec["layers"] for row in layer["data"] for v in row.values() if isinstance(v, str)
    ]
    assert not [v for v in data if v.startswith("@@")]  # nothing deck.gl would convert
    tips = {v for v in data if v.startswith(JSON_PREFIX_GUARD)}
    assert any(t.startswith(JSON_PREFIX_GUARD + "@@=x (KZ)") for t in tips)  # the same text behind it
    layer_props = [layer.get("getPosition") for layer in spec["layers"]]
    assert "@@=position" in layer_props  # pydeck's own accessors are untouched
