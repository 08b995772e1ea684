"""What the Freight volumes page draws, as pure functions (issue 13 §10, §11).

Colours per corridor shared by chart and map, partial years outlined (not paler), forecast years
marked, the subject filter on the map, corridor totals said to be totals, a link to every source,
plain blanks instead of raw ids or "None".
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from corridors.charts import volumes_chart
from corridors.mapview import corridor_colors, volumes_deck
from corridors.network import load_network
from corridors.tables import source_urls, volume_figures_table
from corridors.volumes import conflicts_table, map_figures, pick_figures, volume_table, year_labels

TINY = Path(__file__).parent / "data" / "tiny"
# a real source row (from the shipped geodata/sources.csv), so that a figure has a URL to link to
URL = (
    "https://astanatimes.com/2023/05/cargo-transportation-along-middle-corridor-increases-to-1-5-"
    "million-tons-in-2022/"
)
SOURCES_ROW = (
    f"v_astanatimes_20230523_titr2022,Cargo transportation along Middle Corridor increases to 1.5 "
    f"million tons in 2022,The Astana Times,{URL},2023-05-23,PRESS,\n"
)
VOLUMES = (
    "id,subject_kind,subject,metric,year,period,months,value,unit,direction,scope,conflict_group,"
    "source,estimate,estimate_note,note\n"
    "t24_a,corridor,test,freight,2024,FY,12,1000000,t,both,ministry,g24,"
    "test_source;v_astanatimes_20230523_titr2022,false,,\n"
    "t24_b,corridor,test,freight,2024,FY,12,1200000,t,both,operator,g24,test_source,false,,\n"
    "t25_9m,corridor,test,freight,2025,Jan-Sep,9,900000,t,both,whole corridor,,test_source,false,,\n"
    "t30_fc,corridor,test,freight,2030,FY,12,5000000,t,both,forecast,,test_source,true,a forecast,\n"
    "t23_est,corridor,test,freight,2023,FY,12,800000,t,both,derived,,test_source,true,backcast,\n"
    "two_24,corridor,second,freight,2024,FY,12,400000,t,both,all,,v_astanatimes_20230523_titr2022,false,,\n"
    "p1_24,node,p1,freight,2024,FY,12,300000,t,both,Port One,,test_source,false,,\n"
    "p2_24,node,p2,freight,2024,FY,12,200000,t,both,Port Two,,test_source,false,,\n"
)


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory):
    """The tiny network with a second corridor (two of its links), volumes and a source with a URL."""
    d = tmp_path_factory.mktemp("volview") / "tiny"
    shutil.copytree(TINY, d)
    (d / "volumes.csv").write_text(VOLUMES, encoding="utf-8")
    with (d / "sources.csv").open("a", encoding="utf-8") as f:
        f.write(SOURCES_ROW)
    with (d / "corridors.csv").open("a", encoding="utf-8") as f:
        f.write("second,Second corridor,hand-made,test_source\n")
    links = json.loads((d / "links.geojson").read_text(encoding="utf-8"))
    for feat in links["features"]:
        if feat["properties"]["id"] in ("c_d", "p2_c"):
            feat["properties"]["corridors"] = ["second"]
    (d / "links.geojson").write_text(json.dumps(links), encoding="utf-8")
    return load_network(d, cache=False)


NAMES = {"corridor:test": "Test corridor", "corridor:second": "Second corridor"}


def _table(net, **kw):
    titles = {str(r["id"]): str(r["title"]) for r in net.dataset.source_records}
    return volume_table(net.dataset.volumes, subject_names=NAMES, source_titles=titles, **kw)


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


def test_year_labels_mark_forecasts_and_estimate_only_years(net):
    vol = net.dataset.volumes
    labels = year_labels(vol, [2023, 2024, 2025, 2030], this_year=2026)
    assert labels == {2023: "2023 (estimates only)", 2024: "2024", 2025: "2025", 2030: "2030 (forecast)"}
    assert year_labels(vol, [2030], this_year=2031) == {2030: "2030 (estimates only)"}
    assert year_labels(vol, [2024], this_year=2023)[2024] == "2024 (forecast)"


def test_chart_uses_the_map_colour_of_each_corridor(net):
    ds = net.dataset
    colors = corridor_colors(ds)
    table = _table(net, metrics=["freight"], kinds=["corridor"])
    by_name = {NAMES[f"corridor:{c}"]: rgb for c, rgb in colors.items()}
    spec = volumes_chart(table, colors=by_name).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    chart = dict(zip(scale["domain"], scale["range"], strict=True))
    layer = {r["id"]: r for r in json.loads(volumes_deck(ds, year=2024).to_json())["layers"][0]["data"]}
    assert chart["Second corridor"] == _hex(layer["c_d"]["color"]) == _hex(colors["second"])
    assert chart["Test corridor"] == _hex(layer["a_xr"]["color"]) == _hex(colors["test"])
    assert chart["Second corridor"] != chart["Test corridor"]
    # subjects without a map colour (places) get distinct colours, none of them a corridor's
    places = volumes_chart(_table(net, kinds=["node"]), reserved=colors.values()).to_dict()
    scale = places["encoding"]["color"]["scale"]
    assert len(set(scale["range"])) == len(scale["domain"]) == 2
    assert not set(scale["range"]) & {_hex(c) for c in colors.values()}


def test_partial_years_are_outlined_not_paler_and_years_are_labelled(net):
    table = _table(net, metrics=["freight"], kinds=["corridor"])
    labels = year_labels(net.dataset.volumes, sorted(set(table["year"])), this_year=2026)
    spec = volumes_chart(table, year_labels=labels).to_dict()
    enc = spec["encoding"]
    assert "opacity" not in enc  # a paler colour read as another corridor's
    assert enc["fillOpacity"]["condition"]["value"] == 1.0 and enc["fillOpacity"]["value"] < 0.3
    assert enc["stroke"]["field"] == "subject"  # the outline keeps the subject's colour
    assert enc["stroke"]["scale"] == enc["color"]["scale"]
    rows = {r["id"]: r for r in spec["data"]["values"]} if "values" in spec["data"] else None
    rows = rows or {r["id"]: r for r in spec["datasets"][spec["data"]["name"]]}
    assert rows["t25_9m"]["full"] is False and rows["t24_b"]["full"] is True
    assert rows["t24_a"]["conflicting"] == "yes" and rows["t25_9m"]["conflicting"] == ""
    expr = enc["x"]["axis"]["labelExpr"]
    assert "'2030', 'forecast'" in expr and "'2023', 'estimates only'" in expr and "2024 ?" not in expr


def test_map_filter_and_corridor_totals_in_tooltips(net):
    ds = net.dataset
    layers = {x["id"]: x for x in json.loads(volumes_deck(ds, year=2024).to_json())["layers"]}
    tips = {r["id"]: r["tip"] for r in layers["links"]["data"]}
    assert "Test corridor as a whole: 1.2 Mt (FY 2024)" in tips["a_xr"]
    assert "not a figure for this line alone" in tips["a_xr"]
    assert "Second corridor as a whole: 400 kt" in tips["c_d"]
    only = {
        x["id"]: x for x in json.loads(volumes_deck(ds, year=2024, corridors=["second"]).to_json())["layers"]
    }
    assert {r["id"] for r in only["links"]["data"]} == {"c_d", "p2_c"}
    assert {r["id"] for r in only["node_volumes"]["data"]} == {"p1", "p2"}  # other kind: unfiltered
    one = {x["id"]: x for x in json.loads(volumes_deck(ds, year=2024, places=["p2"]).to_json())["layers"]}
    assert [r["id"] for r in one["node_volumes"]["data"]] == ["p2"]
    assert len(one["links"]["data"]) == len(ds.links)
    names = {**NAMES, "node:p1": "Port One", "node:p2": "Port Two"}
    figs = map_figures(ds, 2024, names, source_urls=source_urls(ds), corridors=["second"], places=["p1"])
    assert list(figs["subject"]) == ["Second corridor", "Port One"]
    assert list(figs["source"]) == [URL, ""]
    assert pick_figures(ds.volumes, 2024)["second"].value == 400_000 and figs.loc[0, "freight"] == "400 kt"


def test_figures_table_links_every_source_and_shows_no_raw_ids(net):
    urls = source_urls(net.dataset)
    shown = volume_figures_table(_table(net), source_urls=urls)
    assert list(shown.columns[:6]) == ["subject", "year", "period", "value", "unit", "source link"]
    row = shown[(shown["subject"] == "Test corridor") & (shown["value"] == 1_000_000)].iloc[0]
    assert row["source link"] == URL and row["conflicting"] == "yes"  # the 2nd source has the URL
    assert (shown.loc[shown["subject"] == "Second corridor", "source link"] == URL).all()
    assert (shown.loc[shown["subject"] == "Port One", "source link"] == "").all()  # no URL: a blank
    for col in shown.columns:
        cells = {str(v) for v in shown[col]}
        assert not cells & {"None", "nan", "NaN", "<NA>"}, col
        assert not cells & {"t24_a", "g24", "test_source", "v_astanatimes_20230523_titr2022"}, col
    assert "id" not in shown.columns and "source_ids" not in shown.columns


def test_conflicts_table_links_each_figure(net):
    conf = conflicts_table(_table(net), source_urls=source_urls(net.dataset))
    (row,) = conf.to_dict("records")
    by_figure = {row["figure 1"]: row["link 1"], row["figure 2"]: row["link 2"]}
    assert by_figure == {"1.0 Mt (FY)": URL, "1.2 Mt (FY)": ""}
    assert list(conf.columns[:4]) == ["conflict", "quantity", "figure 1", "link 1"]
    assert "link 1" not in conflicts_table(_table(net)).columns  # without URLs: as before
