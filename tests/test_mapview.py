"""Pure map, chart and table builders of the app (corridors.mapview, charts, tables, volumes)."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from corridors.charts import legend_svg, staircase, staircase_frame, volumes_chart
from corridors.mapview import (
    LAYER_IDS,
    CompactDeck,
    legend_rows,
    link_records,
    map_frame,
    overview_deck,
    route_deck,
    selected_feature,
    volume_px,
    volumes_deck,
)
from corridors.network import load_network
from corridors.tables import (
    comparison_table,
    dataset_summary,
    feature_details,
    leg_table,
    safe_url,
    sources_table,
    totals_display,
)
from corridors.volumes import (
    conflicts_table,
    default_year,
    largest_figure,
    pick_figures,
    volume_table,
    volume_years,
)

TINY = Path(__file__).parent / "data" / "tiny"

_VOLUMES_HEADER = (
    "id,subject_kind,subject,metric,year,period,months,value,unit,direction,scope,conflict_group,"
    "source,estimate,estimate_note,note\n"
)
VOLUMES = _VOLUMES_HEADER + (
    """t24_a,corridor,test,freight,2024,FY,12,1000000,t,both,whole corridor (ministry),g24,test_source,false,,
t24_b,corridor,test,freight,2024,FY,12,1200000,t,both,whole corridor (operator),g24,test_source,false,,
t24_west,corridor,test,freight,2024,FY,12,2000000,t,westbound,one direction only,,test_source,false,,
t24_fc,corridor,test,freight,2024,FY,12,5000000,t,both,forecast,,test_source,true,a forecast,
t25_h1,corridor,test,freight,2025,Jan-Jun,6,600000,t,both,whole corridor,,test_source,false,,
t25_9m,corridor,test,freight,2025,Jan-Sep,9,900000,t,both,whole corridor,,test_source,false,,
t24_teu,corridor,test,containers,2024,FY,12,9000,TEU,both,containers,,test_source,false,,
p1_24,node,p1,freight,2024,FY,12,300000,t,both,Port One all cargo,,test_source,false,,
"""
)


@pytest.fixture(scope="module")
def vol_net(tmp_path_factory: pytest.TempPathFactory):
    """The tiny network plus a volumes.csv with conflicting, partial and estimated figures."""
    d = tmp_path_factory.mktemp("tinyvol") / "tiny"
    shutil.copytree(TINY, d)
    (d / "volumes.csv").write_text(VOLUMES, encoding="utf-8")
    return load_network(d, cache=False)


@pytest.fixture(scope="module")
def tiny_net():
    return load_network(TINY)


def _layers(deck: CompactDeck) -> dict[str, dict]:
    spec = json.loads(deck.to_json())
    return {layer["id"]: layer for layer in spec["layers"]}


# ---- volumes -------------------------------------------------------------------------------


def test_pick_figures_prefers_both_directions_published_full_year_then_largest(vol_net):
    figs = pick_figures(vol_net.dataset.volumes, 2024)
    f = figs["test"]
    assert f.volume_id == "t24_b" and f.value == 1_200_000  # not the westbound 2 Mt, not the 5 Mt forecast
    assert f.full_year and not f.estimate and f.others == 3
    assert f.label() == "1.2 Mt (FY 2024)"


def test_pick_figures_falls_back_to_the_longest_period(vol_net):
    f = pick_figures(vol_net.dataset.volumes, 2025)["test"]
    assert f.volume_id == "t25_9m" and f.period == "Jan-Sep" and not f.full_year


def test_years_and_default_year(vol_net, tiny_net):
    assert volume_years(vol_net.dataset.volumes) == [2024, 2025]
    assert default_year(vol_net.dataset.volumes) == 2024  # a full-year figure beats a partial one
    assert default_year(vol_net.dataset.volumes, latest=2023) is None
    assert volume_years(tiny_net.dataset.volumes) == [] and default_year(tiny_net.dataset.volumes) is None
    assert pick_figures(vol_net.dataset.volumes, None) == {}


def test_largest_figure_is_the_largest_chosen_one_of_any_year(vol_net, tiny_net):
    vol = vol_net.dataset.volumes
    # 2024 chooses 1.2 Mt (not the 2 Mt westbound or the 5 Mt forecast), 2025 chooses 0.9 Mt
    assert largest_figure(vol) == 1_200_000
    assert largest_figure(vol, kind="node") == 300_000
    assert largest_figure(vol, metric="containers", unit="TEU") == 9000
    assert largest_figure(tiny_net.dataset.volumes) == 0.0


def test_pick_figures_reads_missing_values_as_the_frame_holds_them(vol_net):
    vol = vol_net.dataset.volumes.copy()
    vol.loc[vol["id"] == "t24_b", "value"] = float("nan")  # no value: not a figure
    vol.loc[vol["id"] == "t24_a", "direction"] = None  # a missing direction is not "both"
    figs = pick_figures(vol, 2024)
    # the only both-directions figure left is the forecast: direction ranks before published/estimate
    assert figs["test"].volume_id == "t24_fc" and figs["test"].estimate and figs["test"].others == 2
    assert pick_figures(vol, 2024, subjects=["p1"]) == {}
    assert set(pick_figures(vol, 2024, kind="node", subjects=["p1", "nowhere"])) == {"p1"}
    assert vol_net.dataset.volumes.loc[vol_net.dataset.volumes["id"] == "t24_b", "value"].item() == 1_200_000


def test_volume_table_and_conflicts_side_by_side(vol_net):
    ds = vol_net.dataset
    table = volume_table(
        ds.volumes,
        subject_names={"corridor:test": "Test corridor"},
        source_titles={"test_source": "Hand-made"},
    )
    assert set(table["EST"]) == {"", "EST"}
    assert table.loc[table["id"] == "t24_fc", "EST"].item() == "EST"
    assert (table["sources"] == "Hand-made").all()
    conf = conflicts_table(table)
    assert len(conf) == 1
    row = conf.iloc[0]
    assert row["quantity"] == "Test corridor: freight 2024"
    assert {row["figure 1"], row["figure 2"]} == {"1.0 Mt (FY)", "1.2 Mt (FY)"}


# ---- overview deck -------------------------------------------------------------------------


def test_overview_deck_layers_ids_tooltip_and_width_column(vol_net):
    ds = vol_net.dataset
    deck = overview_deck(ds, year=2024)
    spec = json.loads(deck.to_json())
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert list(layers) == ["links", "crossings", "nodes", "labels"]
    assert set(LAYER_IDS) - {"disruptions"} <= set(layers)  # disruptions only with events in force
    links = layers["links"]
    assert links["@@type"] == "PathLayer"
    assert links["getWidth"] == "@@=width" and links["widthUnits"] == "meters"
    assert links["widthMinPixels"] >= 1
    assert all(set(r) >= {"id", "tip", "path", "color", "width", "dash"} for r in links["data"])
    # one layer for every status: dashes per row, solid ones first (dashed lines draw on top)
    assert links["extensions"][0]["@@type"] == "PathStyleExtension" and links["getDashArray"] == "@@=dash"
    dashed = [r for r in links["data"] if r["dash"] != [0, 0]]
    assert [r["id"] for r in dashed] == ["b_c_planned"] and links["data"][-1]["id"] == "b_c_planned"
    frame = map_frame(ds)
    assert dashed[0]["width"] >= round(2 * frame.m_per_px)  # at least 2 px at the initial zoom
    assert {r["id"] for r in layers["crossings"]["data"]} == {"x_rail", "x_road", "x_land"}
    assert layers["nodes"]["radiusUnits"] == "meters"
    assert deck._tooltip == {"text": "{tip}"}  # innerText: data can never become markup
    assert spec["mapProvider"] == "carto" and "positron" in spec["mapStyle"]


def test_volume_widths_thin_without_data(vol_net, tiny_net):
    with_data = {r["id"]: r for r in link_records(vol_net.dataset, year=2024)}
    without = {r["id"]: r for r in link_records(tiny_net.dataset, year=2024)}
    assert with_data["a_xr"]["width"] > 2 * without["a_xr"]["width"]
    assert "1.2 Mt (FY 2024)" in with_data["a_xr"]["tip"]
    assert "no volume data" in without["a_xr"]["tip"]
    assert volume_px(None, 1e6) < volume_px(1, 1e6) < volume_px(1e6, 1e6)


def test_filters_keep_only_matching_links(vol_net):
    ds = vol_net.dataset
    rail = link_records(ds, year=2024, modes=["rail"])
    assert rail and all(ds.links.at[r["id"], "mode"] == "rail" for r in rail)
    assert link_records(ds, year=2024, corridors=["nope"]) == []
    assert [r["id"] for r in link_records(ds, year=None, statuses=["planned"])] == ["b_c_planned"]
    layers = _layers(overview_deck(ds, year=2024, modes=["sea"]))
    assert [r["id"] for r in layers["links"]["data"]] == ["ferry"]
    assert layers["crossings"]["data"] == []
    assert {r["id"] for r in layers["nodes"]["data"]} == {"p1", "p2"}


def test_deck_json_is_compact_rounded_and_memoized(vol_net):
    deck = overview_deck(vol_net.dataset, year=2024)
    text = deck.to_json()
    assert "\n" not in text and '": ' not in text and '", "' not in text
    assert deck.to_json() is text
    for num in re.findall(r"-?\d+\.\d+", text):
        assert len(num.split(".")[1]) <= 5, num


def test_legend_says_no_volume_data(vol_net, tiny_net):
    rows = legend_rows(tiny_net.dataset, year=None)
    assert any(r["label"] == "no volume data" for r in rows)
    assert any("no data" in r["label"] for r in rows if r["group"].startswith("Corridor"))
    rows = legend_rows(vol_net.dataset, year=2024)
    assert any(r["label"].endswith("1.2 Mt") for r in rows)
    widths = [r["width"] for r in rows if r["group"].startswith("Freight")]
    assert widths[-1] < min(widths[:-1])
    svg = legend_svg(rows)
    doc = ET.fromstring(svg)  # well-formed SVG, one text per heading and per row
    texts = [t.text for t in doc.iter("{http://www.w3.org/2000/svg}text")]
    groups = list(dict.fromkeys(r["group"] for r in rows))
    assert texts == [x for g in groups for x in [g] + [r["label"] for r in rows if r["group"] == g]]
    lines = list(doc.iter("{http://www.w3.org/2000/svg}line"))
    assert len(lines) == sum(r["mark"] != "dot" for r in rows)
    assert [float(x.get("stroke-width")) for x in lines] == [
        pytest.approx(r["width"], abs=0.01) for r in rows if r["mark"] != "dot"
    ]
    dashes = [x.get("stroke-dasharray") for x in lines if x.get("stroke-dasharray")]
    assert len(dashes) == 2  # under construction (dashed) and planned (dotted)


def test_legend_svg_escapes_names():
    rows = [
        {
            "group": "Corridor <b>",
            "label": '<img src=x onerror="alert(1)"> & co',
            "color": "#123456",
            "width": 4,
            "mark": "line",
        }
    ]
    svg = legend_svg(rows)
    assert "<img" not in svg and "<b>" not in svg
    doc = ET.fromstring(svg)
    assert [t.text for t in doc.iter("{http://www.w3.org/2000/svg}text")] == [
        "Corridor <b>",
        '<img src=x onerror="alert(1)"> & co',
    ]


def test_map_frame_fits_the_dataset(tiny_net):
    f = map_frame(tiny_net.dataset)
    xs = [p.x for p in tiny_net.dataset.nodes.geometry]
    assert min(xs) < f.longitude < max(xs)
    assert 1 <= f.zoom <= 11 and f.m_per_px > 0


# ---- planner deck, tables, staircase --------------------------------------------------------


@pytest.fixture(scope="module")
def routes(tiny_net):
    return tiny_net.routes("a", "d", k=3, by="cost")


def rows_of(layer: dict, prefix: str) -> list[dict]:
    return [r for r in layer["data"] if str(r["id"]).startswith(prefix)]


def test_route_deck_layers(tiny_net, routes):
    layers = _layers(route_deck(tiny_net.dataset, routes))
    assert list(layers) == ["routes", "stops", "stop_labels"]  # one path layer: one setup in the browser
    paths = layers["routes"]
    assert paths["extensions"][0]["@@type"] == "PathStyleExtension" and paths["getDashArray"] == "@@=dash"
    ids = [r["id"] for r in paths["data"]]
    n_net = len(tiny_net.dataset.links)
    assert set(ids[:n_net]) == set(tiny_net.dataset.links.index)  # the network first (drawn underneath)
    assert ids[n_net : n_net + len(routes) - 1] == [f"route{i}" for i in range(2, len(routes) + 1)]
    legs = rows_of(paths, "leg")
    assert legs and all(len(r["path"]) >= 2 for r in legs) and ids[-len(legs) :] == [r["id"] for r in legs]
    stops = {r["id"] for r in layers["stops"]["data"]}
    assert {"origin", "destination"} <= stops


def test_planner_map_draws_ferries_dashed_and_lines_not_yet_running_dotted(tiny_net):
    best = tiny_net.route("a", "c", modes=["rail", "sea"])
    layers = _layers(route_deck(tiny_net.dataset, [best]))
    dashed = [r for r in rows_of(layers["routes"], "leg") if r["dash"] != [0, 0]]
    assert [r["dash"] for r in dashed] == [[6, 4]] and "sea" in dashed[0]["tip"]  # the ferry
    planned = tiny_net.route("b", "yr", include_planned=True, avoid=["yr_b"])  # only the planned link
    layers = _layers(route_deck(tiny_net.dataset, [planned]))
    (leg,) = rows_of(layers["routes"], "leg")
    assert leg["dash"] == [2, 3] and leg["color"][3] < 200 and "not running yet: planned" in leg["tip"]


def test_staircase_waits_are_vertical_and_ends_at_totals(routes):
    best = routes[0]
    st = staircase(best)
    assert st["km"].is_monotonic_increasing and st["hours"].is_monotonic_increasing
    t = best.totals
    last = st.iloc[-1]
    assert last["km"] == pytest.approx(t.distance_km, abs=1e-2)
    assert last["hours"] == pytest.approx(t.time_h, abs=1e-2)
    assert last["usd"] == pytest.approx(t.cost_usd, abs=1e-1)
    waits = st[st["kind"] == "wait"]
    assert len(waits) >= 1
    for i in waits.index:  # a wait adds time without distance
        assert st.at[i, "km"] == st.at[i - 1, "km"] and st.at[i, "hours"] > st.at[i - 1, "hours"]
    frame = staircase_frame(routes)
    assert list(dict.fromkeys(frame["route"])) == [f"Route {i}" for i in range(1, len(routes) + 1)]


def test_leg_table_and_comparison(routes):
    legs = leg_table(routes[0])
    assert list(legs["#"]) == list(range(1, len(routes[0].legs) + 1))
    assert {"mode", "km", "hours", "border dwell h", "USD", "kg CO2", "status", "EST", "sources"} <= set(
        legs.columns
    )
    assert legs["USD"].sum() == pytest.approx(routes[0].totals.cost_usd, abs=0.1)
    cmp = comparison_table(routes)
    assert list(cmp.columns)[0] == "Route 1 (best)" and len(cmp.columns) == len(routes)
    assert "distance" in cmp.index
    shown = totals_display(routes[0].totals)
    assert shown["Distance (km)"][0] == f"{routes[0].totals.distance_km:,.0f}"


# ---- selection and details -----------------------------------------------------------------


def test_selected_feature_reads_dicts_and_objects_and_rejects_junk():
    ev = {"selection": {"indices": {"nodes": [0]}, "objects": {"nodes": [{"id": "a", "tip": "x"}]}}}
    assert selected_feature(ev) == ("nodes", "a")

    class Sel:
        objects = {"links": [{"id": "a_xr"}]}

    class Ev:
        selection = Sel()

    assert selected_feature(Ev()) == ("links", "a_xr")
    for junk in (
        None,
        {},
        {"selection": None},
        {"selection": {"objects": {"evil": [{"id": "a"}]}}},
        {"selection": {"objects": {"nodes": [{"id": 5}]}}},
        {"selection": {"objects": []}},
    ):
        assert selected_feature(junk) is None


def test_feature_details_of_link_crossing_node(vol_net):
    ds = vol_net.dataset
    d = feature_details(ds, "links", "a_xr", year=2024)
    fields = set(d.attributes["field"])
    assert {"id", "mode", "status", "length_km", "corridors", "source", "estimate"} <= fields
    assert list(d.sources["id"]) == ["test_source"] and d.estimate is False
    assert "t24_b" in set(d.volumes["id"])  # the figure behind the width
    c = feature_details(ds, "crossings", "x_road")
    assert c.kind == "crossing" and c.title.startswith("Border crossing")
    assert {"dwell_h", "dwell_h_rev", "fee_usd", "fee_usd_rev"} <= set(c.attributes["field"])
    n = feature_details(ds, "nodes", "p1")
    assert n.title == "Port One" and "p1_24" in set(n.volumes["id"])
    assert list(n.terminals["between"]) == ["rail/sea"]
    assert feature_details(ds, "nodes", "nope") is None
    assert feature_details(ds, "evil", "a") is None


def test_feature_details_flags_estimates(edit_features, tmp_path):

    d = tmp_path / "tiny"
    shutil.copytree(TINY, d)

    def flag(f):
        f["properties"].update(estimate=True, estimate_note="length from the geodesic x 1.1")

    edit_features(d / "links.geojson", "a_xr", flag)
    ds = load_network(d, cache=False).dataset
    det = feature_details(ds, "links", "a_xr")
    assert det.estimate and "geodesic" in det.estimate_note
    assert "EST" in next(r["tip"] for r in link_records(ds) if r["id"] == "a_xr")


def test_sources_and_summary_tables(tiny_net):
    ds = tiny_net.dataset
    src = sources_table(ds)
    assert list(src["id"]) == ["test_source"]
    assert sources_table(ds, ["missing"])["title"].item() == "(not in sources.csv)"
    assert safe_url("javascript:alert(1)") == "" and safe_url("https://x.org/a") == "https://x.org/a"
    summary = dataset_summary(ds)
    assert summary.set_index("table").at["nodes.geojson", "rows"] == len(ds.nodes)


def test_volumes_deck_and_chart(vol_net):
    layers = _layers(volumes_deck(vol_net.dataset, year=2024))
    assert list(layers) == ["links", "node_volumes", "labels"]
    assert [r["id"] for r in layers["node_volumes"]["data"]] == ["p1"]
    table = volume_table(vol_net.dataset.volumes, subject_names={}, source_titles={}, metrics=["freight"])
    spec = volumes_chart(table[table["unit"] == "t"]).to_dict()
    assert spec["encoding"]["xOffset"]["field"] == "slot"


def test_hostile_names_stay_plain_text_in_tips(edit_features, tmp_path):

    d = tmp_path / "tiny"
    shutil.copytree(TINY, d)
    evil = "<img src=x onerror=alert(1)>"
    edit_features(d / "nodes.geojson", "p1", lambda f: f["properties"].update(name=evil))
    ds = load_network(d, cache=False).dataset
    deck = overview_deck(ds, year=None)
    assert deck._tooltip == {"text": "{tip}"}
    spec = json.loads(deck.to_json())
    tips = [r["tip"] for layer in spec["layers"] for r in layer["data"] if "tip" in r]
    assert any(evil in t for t in tips)  # shown as text through innerText, never parsed as HTML
    assert "html" not in json.dumps(deck._tooltip)


def test_a_shared_deck_is_serialized_once_across_threads(vol_net, monkeypatch):
    """The app caches decks for every session (each session's script runs in its own thread). A
    second thread finishing the deck's JSON while a first one reads the deck's attributes must not
    leak the memo into the first one's JSON."""
    import threading
    import time

    from pydeck.bindings import json_tools

    deck = overview_deck(vol_net.dataset, year=2024)
    real = json_tools.default_serialize
    first_inside = threading.Event()

    def slow_first(o, *args, **kwargs):
        if o is deck and threading.current_thread().name == "first" and not first_inside.is_set():
            first_inside.set()
            for _ in range(100):  # give the other thread up to 1 s to store its JSON
                if "_compact_json" in deck.__dict__:
                    break
                time.sleep(0.01)
        return real(o, *args, **kwargs)

    monkeypatch.setattr(json_tools, "default_serialize", slow_first)
    out: dict[str, str] = {}

    def first() -> None:
        out["first"] = deck.to_json()

    def second() -> None:
        first_inside.wait(5)
        out["second"] = deck.to_json()

    threads = [threading.Thread(target=first, name="first"), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "compactJson" not in out["first"] and out["first"] == out["second"]
    assert json.loads(out["first"])["layers"]


def test_with_view_copies_a_deck_with_another_camera(vol_net):
    import pydeck as pdk

    deck = overview_deck(vol_net.dataset, year=2024)
    before = deck.to_json()
    moved = deck.with_view(pdk.ViewState(latitude=41.5, longitude=52.25, zoom=5.5, pitch=20, bearing=0))
    spec = json.loads(moved.to_json())
    assert spec["initialViewState"]["zoom"] == 5.5 and spec["initialViewState"]["pitch"] == 20
    assert spec["layers"] == json.loads(before)["layers"]
    assert deck.to_json() == before and deck.initial_view_state.zoom != 5.5  # the original is unchanged
