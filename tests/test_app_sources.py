"""AppTest of the Data and sources page: the model-versus-published report (the numbers of
``corridors check-model``, one-click sources, no "None"), and users' own datasets for a session."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridors.checks import check_model
from corridors.data import validate_dataset
from corridors.network import load_network
from pages._data import SESSION_DATASET

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TINY = Path(__file__).parent / "data" / "tiny"

shipped = pytest.mark.skipif(
    bool(validate_dataset()), reason="the shipped geodata/ does not validate (run `corridors validate`)"
)


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The shipped dataset and a fresh tour database."""
    monkeypatch.delenv("CORRIDORS_GEODATA", raising=False)
    monkeypatch.setenv("CORRIDORS_TOURS_DB", str(tmp_path / "tours.sqlite3"))


def run(page: str = "pages/sources.py") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, *columns: str):
    """The first dataframe with all these columns (display dataframes carry no key)."""
    for d in at.dataframe:
        if all(c in d.value.columns for c in columns):
            return d
    raise AssertionError(f"no table with columns {columns}")


def zipped(files: dict[str, bytes], prefix: str = "mydata/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(prefix + name, content)
    return buf.getvalue()


def tiny_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(TINY.iterdir()) if p.is_file()}


@shipped
def test_model_check_shows_the_numbers_of_check_model_with_one_click_sources():
    at = run()
    doc = json.loads(
        subprocess.run(
            [sys.executable, "-m", "corridors.cli", "check-model", "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    )
    cases = table(at, "from → to", "ratio", "link").value
    assert len(cases) == len(doc["cases"])
    net = load_network()
    names = net.dataset.nodes["name"].to_dict()
    urls = {str(r["id"]): r["url"] for r in net.dataset.source_records}
    results = check_model(net).results
    for (_, row), case, res in zip(cases.iterrows(), doc["cases"], results, strict=True):
        assert case["id"] == res.case["id"]
        assert row["from → to"] == f"{names[case['origin']]} → {names[case['destination']]}"
        # the strings of the command's table (which formats the unrounded values), and the JSON's value
        assert row["model"] == ("" if res.model is None else f"{res.model:,.0f}")
        assert row["ratio"] == ("" if res.ratio is None else f"x{res.ratio:.2f}")
        if case["model"] is not None:
            assert abs(float(row["model"].replace(",", "")) - case["model"]) <= 0.5 + 1e-9
            assert abs(float(row["ratio"][1:]) - case["ratio"]) <= 0.005 + 1e-9
        assert row["link"] == urls[case["source"][0]]  # the URL itself: one click in the LinkColumn
    summary = table(at, "cases", "within 25 %", "target").value
    assert list(summary["cases"]) == [g["cases"] for g in doc["summary"]]
    # plain labels and blanks: no raw None/NaN anywhere in either table
    for df in (cases, summary):
        assert not df.isna().any().any()
        assert not (df.astype(str) == "None").any().any()
    # the link column is a LinkColumn (the browser opens the URL in one click)
    config = json.loads(table(at, "from → to", "link").proto.columns)
    assert config["link"]["type_config"]["type"] == "link"


def test_a_valid_upload_drives_every_page_and_one_click_goes_back():
    files = tiny_files()
    at = run()
    assert SESSION_DATASET not in at.session_state
    uploader = at.get("file_uploader")[0]
    uploader.set_value([("mydata.zip", zipped(files), "application/zip")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    own = Path(at.session_state[SESSION_DATASET])
    assert own.is_dir() and (own / "nodes.geojson").read_bytes() == files["nodes.geojson"]
    assert any("Your dataset is in use" in s.value for s in at.success)
    assert any("Your dataset (uploaded)" in m.value for m in at.sidebar.markdown)  # the badge
    # the planner of this session routes on the upload (the tiny network's places)
    at.switch_page("pages/planner.py").run()
    assert not at.exception, [e.value for e in at.exception]
    tiny = load_network(TINY)
    assert {o.split(" (")[0] for o in at.selectbox(key="origin").options} == set(tiny.dataset.nodes["name"])
    # the scenarios page too: no shipped scenario in the upload, so it asks for a file; pairs from the
    # place boxes are the upload's places
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="scenario_pick").value == "+custom"
    at.text_area(key="scenario_text").input(
        'name = "Bravo closed"\n[[edit]]\naction = "close"\ntarget = "b"\n'
    )
    at.selectbox(key="pair_from").set_value("a")
    at.selectbox(key="pair_to").set_value("c")
    at.button(key="pair_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    pairs = [d.value for d in at.dataframe if "route after" in d.value.columns][0]["pair"]
    assert list(pairs) == [f"{tiny.place('a').name} → {tiny.place('c').name}"]
    # back to the shipped dataset: the directory is removed, the pages show geodata/ again
    at.switch_page("pages/sources.py").run()
    at.button(key="dataset_back_page").click().run()
    assert not at.exception
    assert SESSION_DATASET not in at.session_state or not at.session_state[SESSION_DATASET]
    assert not own.exists()
    assert not any("Your dataset is in use" in s.value for s in at.success)
    # the scenarios page forgets the upload's pair and shows the shipped scenarios again
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Trans-Afghan railway open" in o for o in at.selectbox(key="scenario_pick").options)


def test_a_broken_upload_lists_every_problem_and_keeps_the_shipped_dataset():
    files = tiny_files()
    links = json.loads(files["links.geojson"])
    links["features"][0]["properties"]["to"] = "nowhere"
    links["features"][1]["properties"]["length_km"] = -5
    files["links.geojson"] = json.dumps(links).encode()
    at = run()
    at.get("file_uploader")[0].set_value([(n, b, "application/octet-stream") for n, b in files.items()])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert SESSION_DATASET not in at.session_state or not at.session_state[SESSION_DATASET]
    problems = table(at, "file", "feature", "field", "problem").value
    assert len(problems) >= 2
    assert (problems["file"] == "links.geojson").sum() >= 2
    assert any("nowhere" in p for p in problems["problem"])
    assert not problems.isna().any().any()
    assert any("problem(s)" in e.value for e in at.error)
    assert any(b.proto.label == "Problem report (CSV)" for b in at.get("download_button"))
