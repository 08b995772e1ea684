"""The Freight volumes page on the shipped dataset (AppTest): issue 13 §3, §10, §11.

One heading; the same colour per corridor in the chart and on the map; the subject filter narrowing
the conflicts table and the map; a link from every figure to its source; forecast years marked;
blanks instead of raw ids or "None"; the figures equal the library's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridors.data import validate_dataset
from corridors.mapview import corridor_colors, corridor_names
from corridors.network import load_network
from corridors.tables import source_urls
from corridors.volumes import format_quantity, pick_figures

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")

pytestmark = pytest.mark.skipif(
    bool(validate_dataset()), reason="the shipped geodata/ does not validate (run `corridors validate`)"
)


@pytest.fixture(scope="module")
def ds():
    return load_network().dataset


@pytest.fixture(autouse=True)
def shipped_data(tmp_path, monkeypatch):
    monkeypatch.delenv("CORRIDORS_GEODATA", raising=False)
    monkeypatch.setenv("CORRIDORS_TOURS_DB", str(tmp_path / "tours.sqlite3"))


def volumes_page(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.switch_page("pages/volumes.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at: AppTest, *columns: str):
    """The dataframe element shown with all these columns."""
    for d in at.dataframe:
        if all(c in d.value.columns for c in columns):
            return d
    raise AssertionError(f"no table with columns {columns}")


def layers(at: AppTest) -> dict[str, dict]:
    (deck,) = at.get("deck_gl_json_chart")
    return {x["id"]: x for x in json.loads(deck.proto.json)["layers"]}


def chart_colors(at: AppTest) -> dict[str, str]:
    (chart,) = at.get("vega_lite_chart")
    scale = json.loads(chart.proto.spec)["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"], strict=True))


def test_heading_shows_once():
    at = volumes_page()
    headings = [t.value for t in at.title] + [h.value for h in at.header]
    assert headings.count("Freight volumes") == 1 and len(at.title) == 1
    at = volumes_page({"present": "1"})
    assert [t.value for t in at.title] == ["Freight volumes, 2024"]


def test_corridor_colour_is_the_same_in_chart_and_map(ds):
    at = volumes_page()
    chart = chart_colors(at)
    names, colors = corridor_names(ds), corridor_colors(ds)
    drawn = {r["id"]: r["color"] for r in layers(at)["links"]["data"]}
    checked = 0
    for cid, name in names.items():
        if name not in chart:
            continue
        own = [str(r["id"]) for r in ds.links.to_dict("records") if list(r["corridors"])[:1] == [cid]]
        assert own, cid
        for lid in own:  # every line drawn in this corridor's colour has the chart's colour
            assert (
                "#{:02x}{:02x}{:02x}".format(*drawn[lid][:3])
                == chart[name]
                == "#{:02x}{:02x}{:02x}".format(*colors[cid])
            )
        checked += 1
    assert checked >= 4  # Middle Corridor, China feeders, Kazakhstan–Uzbekistan, Trans-Afghan...
    assert len(set(chart.values())) == len(chart)
    # places: a colour each, none of them a corridor's (a port's bar never reads as a corridor)
    at.segmented_control(key="kind").set_value("node").run()
    places = chart_colors(at)
    assert len(places) >= 10 and len(set(places.values())) == len(places)
    assert not set(places.values()) & {"#{:02x}{:02x}{:02x}".format(*c) for c in colors.values()}


def test_subject_filter_applies_to_conflicts_and_map(ds):
    at = volumes_page()
    mc = corridor_names(ds)["middle_corridor"]
    every = frame_with(at, "quantity", "figure 1").value
    assert {q.split(":")[0] for q in every["quantity"]} > {mc}  # other corridors' conflicts too
    at.multiselect(key="subjects").set_value(["corridor:middle_corridor"]).run()
    conf = frame_with(at, "quantity", "figure 1").value
    assert len(conf) and all(q.startswith(mc + ":") for q in conf["quantity"])
    assert len(conf) == sum(q.startswith(mc + ":") for q in every["quantity"])
    mc_links = {str(r["id"]) for r in ds.links.to_dict("records") if "middle_corridor" in r["corridors"]}
    drawn = {r["id"] for r in layers(at)["links"]["data"]}
    assert drawn == mc_links
    figures = frame_with(at, "subject", "freight").value
    assert list(figures.loc[~figures["subject"].isin(set(ds.nodes["name"])), "subject"]) == [mc]
    assert dict(at.query_params)["subjects"] == "corridor:middle_corridor"
    # places: only the picked places' circles
    at.segmented_control(key="kind").set_value("node").run()
    at.multiselect(key="subjects").set_value(["node:alat"]).run()
    assert [r["id"] for r in layers(at)["node_volumes"]["data"]] == ["alat"]
    assert len(layers(at)["links"]["data"]) == len(ds.links)


def test_every_figure_links_to_its_source_and_tables_show_no_raw_ids(ds):
    at = volumes_page()
    urls = source_urls(ds)
    el = frame_with(at, "subject", "value", "source link")
    shown = el.value
    config = json.loads(el.proto.columns)
    assert config["source link"]["type_config"]["type"] == "link"
    vol = ds.volumes[(ds.volumes["subject_kind"] == "corridor") & (ds.volumes["metric"] == "freight")]
    assert len(shown) == len(vol)
    for r in vol.to_dict("records"):
        first = next((urls[s] for s in r["source"] if urls.get(s)), "")
        rows = shown[(shown["value"] == r["value"]) & (shown["year"] == r["year"])]
        assert first in set(rows["source link"]), r["id"]
    assert shown["source link"].str.startswith("http").mean() > 0.9
    raw = set(ds.volumes["id"]) | {s for ss in ds.volumes["source"] for s in ss}
    raw |= {g for g in ds.volumes["conflict_group"] if isinstance(g, str) and g}
    for d in at.dataframe:
        for col in d.value.columns:
            cells = {str(v) for v in d.value[col]}
            assert not cells & {"None", "nan", "NaN", "<NA>"}, col
            assert not cells & raw, col
    conf = frame_with(at, "quantity", "figure 1")
    assert json.loads(conf.proto.columns)["link 1"]["type_config"]["type"] == "link"
    assert "conflict" not in conf.value.columns


def test_forecast_years_are_marked_and_map_figures_equal_the_library(ds):
    at = volumes_page()
    year = at.selectbox(key="map_year")
    assert "2030 (forecast)" in year.options and "2024" in year.options
    figures = frame_with(at, "subject", "freight").value
    names = corridor_names(ds)
    for cid, f in pick_figures(ds.volumes, 2024).items():
        assert list(figures.loc[figures["subject"] == names[cid], "freight"]) == [
            format_quantity(f.value, "t")
        ]
    year.set_value(2030).run()
    assert any("Figures on the map, 2030 \\(forecast\\)" in m.value for m in at.markdown)
