"""AppTest of the overview: disruptions at a date, the camera of a view (every place, a corridor, a
selected feature), the highlight, and the presenter's slide title and legend."""

from __future__ import annotations

import base64
import json
import math
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridors.data import validate_dataset
from corridors.mapview import crossing_records
from corridors.network import load_network

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
#: The overview map's size the page fits its camera to (pages/_overview_map.py PAGE_MAP_PX).
MAP_PX = (660, 580)

pytestmark = pytest.mark.skipif(
    bool(validate_dataset()), reason="the shipped geodata/ does not validate (run `corridors validate`)"
)


@pytest.fixture(autouse=True)
def shipped_data(monkeypatch, tmp_path):
    """The shipped dataset and a tour database of the test's own."""
    monkeypatch.delenv("CORRIDORS_GEODATA", raising=False)
    monkeypatch.setenv("CORRIDORS_TOURS_DB", str(tmp_path / "tours.sqlite3"))
    return tmp_path / "tours.sqlite3"


@pytest.fixture(scope="module")
def net():
    return load_network()


def run(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def spec(at: AppTest) -> dict:
    (deck,) = at.get("deck_gl_json_chart")
    return json.loads(deck.proto.json)


def layer_ids(at: AppTest, layer: str) -> set[str]:
    found = [ly for ly in spec(at)["layers"] if ly["id"] == layer]
    return {r["id"] for r in found[0]["data"]} if found else set()


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def visible(view: dict, size: tuple[int, int] = MAP_PX) -> tuple[float, float, float, float]:
    """(west, south, east, north) a deck.gl web-mercator map of ``size`` pixels shows at ``view``."""
    scale = 512 * 2.0 ** float(view["zoom"])  # deck.gl: 512 px world at zoom 0
    cx = (float(view["longitude"]) + 180) / 360 * scale
    lat = math.radians(float(view["latitude"]))
    cy = (1 - math.log(math.tan(math.pi / 4 + lat / 2)) / math.pi) / 2 * scale

    def lat_at(y: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))

    w, h = size
    return (
        (cx - w / 2) / scale * 360 - 180,
        lat_at(cy + h / 2),
        (cx + w / 2) / scale * 360 - 180,
        lat_at(cy - h / 2),
    )


def inside(points, box) -> list:
    w, s, e, n = box
    return [p for p in points if not (w <= p[0] <= e and s <= p[1] <= n)]


# ---- disruptions at a date -------------------------------------------------------------------


def test_default_date_is_the_datasets_and_its_disruptions_are_drawn(net):
    at = run()
    assert at.date_input(key="as_of").value == net.as_of == date(2026, 3, 6)
    assert at.toggle(key="disruptions").value is True
    assert "as_of" not in dict(at.query_params)  # the default date is the bare link
    in_force = net.events_in_force(net.as_of)
    on_map = {e.target for e in in_force if e.target_kind in ("link", "node")}
    assert on_map and layer_ids(at, "disruptions") == on_map
    assert f"{len(in_force)} disruption(s) in force on 2026-03-06" in captions(at)
    assert "corridors events --as-of 2026-03-06" in captions(at)


def test_a_closure_shows_from_its_start_and_not_before(net):
    torkham = next(e for e in net.events if e.id == "torkham_2025_10_trade_suspension")
    assert torkham.start == date(2025, 10, 12)
    at = run({"as_of": "2025-10-15"})
    assert at.date_input(key="as_of").value == date(2025, 10, 15)
    assert torkham.target in layer_ids(at, "disruptions")
    n = len(net.events_in_force(date(2025, 10, 15)))  # the numbers `corridors events` prints
    assert f"{n} disruption(s) in force on 2025-10-15" in captions(at)
    # the day before it started (and after the February closure ended): no marker there
    at.date_input(key="as_of").set_value(date(2025, 10, 11)).run()
    assert torkham.target not in layer_ids(at, "disruptions")
    assert dict(at.query_params)["as_of"] == "2025-10-11"
    n = len(net.events_in_force(date(2025, 10, 11)))
    assert f"{n} disruption(s) in force on 2025-10-11" in captions(at)


def test_the_toggle_hides_disruptions_and_stays_in_the_link():
    at = run({"as_of": "2025-10-15"})
    at.toggle(key="disruptions").set_value(False).run()
    assert "disruptions" not in {ly["id"] for ly in spec(at)["layers"]}
    assert dict(at.query_params)["ignore_disruptions"] == "1"
    assert "Disruptions hidden" in captions(at)
    again = run(dict(at.query_params))  # the link reopens the same view
    assert again.toggle(key="disruptions").value is False
    assert again.date_input(key="as_of").value == date(2025, 10, 15)
    assert "disruptions" not in {ly["id"] for ly in spec(again)["layers"]}


def test_details_list_the_events_of_the_feature_with_their_source(net):
    at = run({"as_of": "2025-11-01", "selected": "torkham_af_pk_road"})
    events = next(d.value for d in at.dataframe if "event" in d.value.columns)
    assert list(events["event"]) == [
        e.title for e in net.events_in_force(date(2025, 11, 1)) if e.target == "torkham_af_pk_road"
    ]
    assert events["url"].str.startswith("http").all()
    assert any("Disruptions in force on 2025-11-01" in m.value for m in at.markdown)
    # before the suspension: the same feature has no event table
    at = run({"as_of": "2025-06-01", "selected": "torkham_af_pk_road"})
    assert not any("event" in d.value.columns for d in at.dataframe)


def test_a_date_far_from_any_event_says_none_is_in_force(net):
    assert not net.events_in_force(date(2000, 1, 1))
    at = run({"as_of": "2000-01-01"})
    assert "disruptions" not in {ly["id"] for ly in spec(at)["layers"]}
    assert "No disruption in force on 2000-01-01" in captions(at)


# ---- camera of a view ------------------------------------------------------------------------


def test_default_view_shows_every_shipped_place(net):
    view = spec(run())["initialViewState"]
    places = [(p.x, p.y) for p in net.dataset.nodes.geometry]
    names = dict(zip(net.dataset.nodes["id"], net.dataset.nodes["name"], strict=True))
    assert {"constanta", "urumqi"} <= set(names)
    assert inside(places, visible(view)) == []


def test_choosing_a_corridor_refits_the_map_to_it(net):
    at = run()
    before = spec(at)["initialViewState"]
    at.multiselect(key="corridor").set_value(["kz_tm_ir"]).run()
    after = spec(at)["initialViewState"]
    assert after != before and after["zoom"] > before["zoom"]
    coords = [c for r in net.dataset.link_records if "kz_tm_ir" in r["corridors"] for c in r["coords"]]
    assert coords and inside(coords, visible(after)) == []
    # the camera does not move while the other filters change
    at.pills(key="mode").set_value(["rail"]).run()
    assert spec(at)["initialViewState"] == after
    # a camera of the link's own wins
    at = run({"corridors": "kz_tm_ir", "zoom": "3", "lat": "40", "lon": "60"})
    view = spec(at)["initialViewState"]
    assert (view["zoom"], view["latitude"], view["longitude"]) == (3, 40, 60)


def test_a_selected_feature_is_highlighted_and_the_camera_moves_to_it(net):
    at = run()
    before = spec(at)["initialViewState"]
    assert "highlight" not in {ly["id"] for ly in spec(at)["layers"]}
    # a click on a place, as Streamlit delivers it: highlighted in the same run
    at.session_state["overview_map"] = {
        "selection": {"indices": {"nodes": [0]}, "objects": {"nodes": [{"id": "aktau"}]}}
    }
    at.run()
    layers = spec(at)["layers"]
    assert layers[0]["id"] == "highlight"  # under the rest: the marker stays on top
    x, y = net.dataset.nodes.loc["aktau", "geometry"].coords[0]
    assert layers[0]["data"][0]["position"] == [round(x, 5), round(y, 5)]
    view = spec(at)["initialViewState"]
    assert view["zoom"] > before["zoom"]
    assert abs(view["longitude"] - x) < 0.01 and abs(view["latitude"] - y) < 0.01
    assert dict(at.query_params)["selected"] == "aktau"
    assert any("Aktau" in s.value for s in at.subheader)
    # a border crossing: a disc at the middle of its link, where its marker is
    at = run({"selected": "torkham_af_pk_road"})
    hl = spec(at)["layers"][0]
    marker = next(c for c in crossing_records(net.dataset) if c["id"] == "torkham_af_pk_road")
    assert hl["id"] == "highlight" and hl["@@type"] == "ScatterplotLayer"
    assert hl["data"][0]["position"] == marker["position"]
    # a link: a halo along its line
    plain = next(r for r in net.dataset.link_records if not r["crossing"] and len(r["coords"]) > 2)
    at = run({"selected": plain["id"]})
    hl = spec(at)["layers"][0]
    assert hl["id"] == "highlight" and hl["@@type"] == "PathLayer"
    assert hl["data"][0]["path"] == [[round(a, 5), round(b, 5)] for a, b in plain["coords"]]
    # clearing the selection drops the highlight, and the camera goes back
    at.button(key="clear_selected").click().run()
    assert "highlight" not in {ly["id"] for ly in spec(at)["layers"]}
    assert spec(at)["initialViewState"] == before and "selected" not in dict(at.query_params)


# ---- presenter ------------------------------------------------------------------------------


def test_slide_title_follows_the_view(net, shipped_data):
    from corridors.tours import TourStore

    at = run({"present": "1"})
    assert at.title[0].value == "Freight corridors of Central Asia and the Caspian"
    at = run({"present": "1", "corridors": "kz_tm_ir"})
    name = net.dataset.corridors.set_index("id").loc["kz_tm_ir", "name"]
    assert at.title[0].value == name
    at = run({"present": "1", "corridors": "kz_tm_ir,cku"})  # several: the app's title
    assert at.title[0].value.startswith("Freight corridors")
    store = TourStore(shipped_data)
    tour = store.create("Briefing")
    store.add_step(tour.id, "Grain <b>via</b> Iran", {"page": "overview", "corridors": "kz_tm_ir"})
    store.add_step(tour.id, "Everything", {"page": "overview"})
    at = run({"tour": str(tour.id), "step": "1", "present": "1"})
    assert at.title[0].value == r"Grain \<b\>via\</b\> Iran"  # the step's own title, escaped
    at.button(key="tour_next").click().run()
    assert at.title[0].value == "Everything"
    assert dict(at.query_params)["step"] == "2"


def legend_markup(at: AppTest) -> str:
    """The SVG of the page's (one) legend image."""
    (img,) = at.get("image")
    url = img.proto.imgs[0].url
    assert url.startswith("data:image/svg+xml;base64,")
    return base64.b64decode(url.split(",", 1)[1]).decode()


def test_presenter_legend_is_large_dark_text_and_lists_the_disruptions():
    at = run({"present": "1"})
    markup = legend_markup(at)
    sizes = [int(s) for s in re.findall(r'font-size="(\d+)"', markup)]
    assert sizes and min(sizes) >= 15
    assert 'fill="#31333f"' in markup  # dark text
    assert "Disruptions on 2026-03-06" in markup
    # a slide's legend: disruptions right after the widths; the statuses are in the subtitle instead
    assert markup.index("Freight (width)") < markup.index("Disruptions on") < markup.index("Markers")
    assert ">Status<" not in markup and "dashed = under construction" in at.markdown[1].value
    assert ">Status<" in legend_markup(run())  # the page's legend keeps them
    at = run({"present": "1", "ignore_disruptions": "1"})
    assert "Disruptions on" not in legend_markup(at)
    assert "Disruptions on 2026-03-06" in legend_markup(run())  # the page's legend too
