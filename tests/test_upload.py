"""Users' own datasets: uploads unpacked by schema name only, capped, validated with the full report."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from corridors.network import load_network
from corridors.upload import MAX_FEATURES, check_upload, problem_report

TINY = Path(__file__).parent / "data" / "tiny"


def tiny_files() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(TINY.iterdir()) if p.is_file()]


def zipped(files: list[tuple[str, bytes]], prefix: str = "mydata/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files:
            zf.writestr(prefix + name, content)
    return buf.getvalue()


def test_a_zip_of_a_valid_dataset_is_usable_and_routes(tmp_path):
    extra = [("README.txt", b"notes"), ("../../etc/passwd", b"x")]
    res = check_upload([("tiny.zip", zipped(tiny_files() + extra))], tmp_path / "up")
    assert res.ok, res.problems
    assert "nodes.geojson" in res.files and "../../etc/passwd" in res.ignored[-1] or res.ignored
    assert not (tmp_path / "etc").exists() and sorted(p.name for p in (tmp_path / "up").iterdir())
    net = load_network(res.path, cache=False)
    assert net.route("a", "b").legs


def test_loose_files_work_too_and_a_broken_dataset_lists_every_problem(tmp_path):
    files = dict(tiny_files())
    links = json.loads(files["links.geojson"])
    links["features"][0]["properties"]["to"] = "nowhere"
    links["features"][1]["properties"]["length_km"] = -5
    files["links.geojson"] = json.dumps(links).encode()
    res = check_upload(list(files.items()), tmp_path / "up")
    assert not res.ok
    text = [str(p) for p in res.problems]
    assert any("links.geojson" in t and "nowhere" in t for t in text)
    assert any("length_km" in t for t in text)
    report = list(csv.reader(io.StringIO(problem_report(res.problems))))
    assert report[0] == ["file", "feature", "field", "problem"] and len(report) == len(res.problems) + 1


def test_caps_refuse_bombs_oversized_and_foreign_uploads(tmp_path):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("nodes.geojson", b" " * 5_000_000)  # compresses far more than 100:1
    res = check_upload([("bomb.zip", bomb.getvalue())], tmp_path / "a")
    assert not res.ok and any("zip bomb" in p.message for p in res.problems)
    assert not (tmp_path / "a" / "nodes.geojson").exists()
    many = {"type": "FeatureCollection", "features": [{"type": "Feature"}] * (MAX_FEATURES + 1)}
    res = check_upload([("nodes.geojson", json.dumps(many).encode())], tmp_path / "b")
    assert any("more than" in p.message and p.file == "nodes.geojson" for p in res.problems)
    res = check_upload([("x.zip", b"not a zip")], tmp_path / "c")
    assert any("not a readable .zip" in p.message for p in res.problems)
    res = check_upload([("notes.txt", b"hello")], tmp_path / "d")
    assert not res.ok and {p.file for p in res.problems} >= {"nodes.geojson", "links.geojson", "sources.csv"}
