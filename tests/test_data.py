"""The loader refuses bad data and lists every problem with file, feature id and field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corridors.data import GeodataError, load_dataset, validate_dataset

TINY = Path(__file__).parent / "data" / "tiny"  # the tiny hand-made dataset


def messages(path):
    return [str(p) for p in validate_dataset(path)]


def test_tiny_dataset_is_valid():
    assert validate_dataset(TINY) == []
    ds = load_dataset(TINY)
    assert set(ds.nodes["id"]) >= {"a", "b", "c", "d"}
    assert ds.links.crs.to_epsg() == 4326


def test_dangling_endpoint(edit_features, tiny_copy):
    edit_features(tiny_copy / "links.geojson", "a_xr", lambda f: f["properties"].update(to="nowhere"))
    msgs = messages(tiny_copy)
    assert "links.geojson [a_xr] to: endpoint 'nowhere' is not a node in nodes.geojson" in msgs
    with pytest.raises(GeodataError) as exc:
        load_dataset(tiny_copy)
    assert any(p.feature == "a_xr" and p.field == "to" for p in exc.value.problems)


def test_missing_and_unknown_source(edit_features, tiny_copy):
    edit_features(tiny_copy / "nodes.geojson", "a", lambda f: f["properties"].update(source=[]))
    edit_features(
        tiny_copy / "links.geojson", "ferry", lambda f: f["properties"].update(source=["no_such_source"])
    )
    msgs = messages(tiny_copy)
    assert "nodes.geojson [a] source: figure without a source" in msgs
    assert "links.geojson [ferry] source: source id 'no_such_source' is not in sources.csv" in msgs


def test_bad_coordinate_and_country_and_mode(edit_features, tiny_copy):
    edit_features(
        tiny_copy / "nodes.geojson",
        "d",
        lambda f: f.update(geometry={"type": "Point", "coordinates": [55.0, 95.0]}),
    )
    edit_features(tiny_copy / "nodes.geojson", "c", lambda f: f["properties"].update(country="XX"))
    edit_features(tiny_copy / "links.geojson", "ferry", lambda f: f["properties"].update(mode="air"))
    msgs = "\n".join(messages(tiny_copy))
    assert "nodes.geojson [d] geometry: coordinate (55, 95) is outside the region" in msgs
    assert "nodes.geojson [c] country: unknown country code 'XX'" in msgs
    assert "links.geojson [ferry] mode: unknown value 'air'" in msgs
    # the link geometry no longer ends at the moved node either
    assert "links.geojson [c_d] geometry: does not end at node 'd'" in msgs


def test_length_disagreeing_with_geometry(edit_features, tiny_copy):
    edit_features(tiny_copy / "links.geojson", "yr_b", lambda f: f["properties"].update(length_km=900))
    msgs = "\n".join(messages(tiny_copy))
    assert "links.geojson [yr_b] length_km: 900 km disagrees with the 87 km geodesic length" in msgs


def test_duplicate_ids_and_wrong_geometry_type(edit_features, tiny_copy):
    edit_features(tiny_copy / "nodes.geojson", "b", lambda f: f["properties"].update(id="a"))
    edit_features(
        tiny_copy / "links.geojson",
        "c_d",
        lambda f: f.update(geometry={"type": "Point", "coordinates": [55, 41]}),
    )
    msgs = "\n".join(messages(tiny_copy))
    assert "nodes.geojson [a] id: duplicate id" in msgs
    assert "links.geojson [c_d] geometry: is a Point, expected LineString" in msgs


def test_border_rules(edit_features, tiny_copy):
    edit_features(tiny_copy / "links.geojson", "x_road", lambda f: f["properties"].update(dwell_h=None))
    edit_features(tiny_copy / "links.geojson", "a_xd", lambda f: f["properties"].update(to="yd"))
    msgs = "\n".join(messages(tiny_copy))
    assert "links.geojson [x_road] dwell_h: a crossing needs dwell_h and dwell_h_rev" in msgs
    assert "links.geojson [a_xd] to: land link joins KZ and UZ" in msgs


def test_every_problem_is_reported_at_once(edit_features, tiny_copy):
    edit_features(tiny_copy / "links.geojson", "a_xr", lambda f: f["properties"].update(to="nowhere"))
    edit_features(tiny_copy / "nodes.geojson", "a", lambda f: f["properties"].update(kind="city"))
    (tiny_copy / "sources.csv").write_text("id,title,publisher,url,date,flag,note\n", encoding="utf-8")
    probs = validate_dataset(tiny_copy)
    files = {p.file for p in probs}
    assert {"nodes.geojson", "links.geojson", "terminals.csv", "parameters.csv"} <= files
    assert len(probs) > 20  # every feature lost its source, plus the two edits


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{", "nodes.geojson: is not valid JSON"),
        ("", "nodes.geojson: file is empty"),
        ("id,name\na,b\n", "nodes.geojson: is not valid JSON"),
        ('{"type": "Feature"}', "nodes.geojson: is not a GeoJSON FeatureCollection"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "nodes.geojson: is a binary file"),
    ],
)
def test_broken_files_get_a_clear_message(tiny_copy, content, expected):
    target = tiny_copy / "nodes.geojson"
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    msgs = messages(tiny_copy)
    assert any(m.startswith(expected) for m in msgs), msgs


def test_broken_csv_is_reported(tiny_copy):
    (tiny_copy / "sources.csv").write_text("just,some\nwords,here\n", encoding="utf-8")
    msgs = messages(tiny_copy)
    assert any("sources.csv: is not a sources.csv table: missing column(s) id" in m for m in msgs)


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "corridors.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_cli_validate_exit_codes(edit_features, tiny_copy):
    ok = run_cli("validate", str(TINY))
    assert ok.returncode == 0 and "valid" in ok.stdout
    (tiny_copy / "links.geojson").write_text("{not json", encoding="utf-8")
    edit_features(tiny_copy / "nodes.geojson", "a", lambda f: f["properties"].update(source=[]))
    bad = run_cli("validate", str(tiny_copy))
    assert bad.returncode == 1
    assert "links.geojson: is not valid JSON" in bad.stdout
    assert "nodes.geojson [a] source: figure without a source" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_cli_validate_missing_directory(tmp_path):
    r = run_cli("validate", str(tmp_path / "nope"))
    assert r.returncode == 1 and "is not a directory" in r.stdout
    assert "Traceback" not in r.stderr


def test_loader_does_not_touch_gdal_for_hostile_json(edit_features, tiny_copy):
    # a VRT document named .geojson is just invalid JSON to us, never opened by GDAL
    (tiny_copy / "nodes.geojson").write_text(
        '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>",
        encoding="utf-8",
    )
    msgs = messages(tiny_copy)
    assert any(m.startswith("nodes.geojson: is not valid JSON") for m in msgs)
    assert json.dumps(msgs).count("root:") == 0
