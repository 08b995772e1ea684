"""AppTest page tests: every page runs, has its widgets, and shows the library's numbers.

The app reads ``CORRIDORS_GEODATA``; tests set it per test (shipped ``geodata/`` when unset).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridors.data import validate_dataset
from corridors.network import load_network
from corridors.tables import CLI_TOTALS_FORMAT, totals_display
from pages._data import DATA_FILES

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = ["pages/overview.py", "pages/planner.py", "pages/volumes.py", "pages/sources.py"]
EVIL = "<img src=x onerror=alert(1)>"
MAX_PAGE_BYTES = 400_000

shipped = pytest.mark.skipif(
    bool(validate_dataset()), reason="the shipped geodata/ does not validate (run `corridors validate`)"
)


@pytest.fixture
def use_data(monkeypatch: pytest.MonkeyPatch):
    """Point the app at a dataset directory (None: the shipped geodata/)."""

    def use(path: Path | None) -> None:
        if path is None:
            monkeypatch.delenv("CORRIDORS_GEODATA", raising=False)
        else:
            monkeypatch.setenv("CORRIDORS_GEODATA", str(path))

    use(None)
    return use


def run(
    page: str = "pages/overview.py", params: dict | None = None, *, open_: tuple[str, ...] = ()
) -> AppTest:
    """Run a page as a link opens it; ``open_`` names lazy expanders to open (their widget keys)."""
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    for k in open_:
        at.session_state[k] = True
    if page != "pages/overview.py":  # open that page's URL directly, as a link does
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def decks(at: AppTest) -> list:
    return list(at.get("deck_gl_json_chart"))


def layers_of(deck) -> dict[str, dict]:
    return {layer["id"]: layer for layer in json.loads(deck.proto.json)["layers"]}


def page_bytes(at: AppTest) -> int:
    """Serialized size of every element the page sent (deck specs, tables, charts...)."""
    total = 0
    stack = [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())
    return total


def table(at: AppTest, *columns: str):
    """The first dataframe or static table shown with all these columns (display tables carry no key)."""
    for d in [*at.dataframe, *at.table]:
        df = d.value
        if all(c in df.columns for c in columns):
            return df
    raise AssertionError(f"no table with columns {columns}")


def texts(at: AppTest) -> list[str]:
    """Text of every markdown-like element (markdown, captions, headers, alerts)."""
    out = []
    for kind in (
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
        "warning",
        "error",
        "info",
        "success",
    ):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


# ---- every page ----------------------------------------------------------------------------


def svg_images(at) -> list[str]:
    """The SVG documents of a page's images (data URLs), in page order."""
    import base64

    out = []
    for img in at.get("image"):
        url = img.proto.imgs[0].url
        if url.startswith("data:image/svg+xml;base64,"):
            out.append(base64.b64decode(url.split(",", 1)[1]).decode())
    return out


@shipped
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_with_its_widgets(use_data, page):
    at = run(page)
    assert not at.error, [e.value for e in at.error]
    if page.endswith("overview.py"):
        assert at.multiselect(key="corridor") and at.selectbox(key="year").value == 2024
        assert at.pills(key="mode").value == ["rail", "road", "sea"]
        assert at.pills(key="status") and at.toggle(key="labels").value is True
        assert len(decks(at)) == 1 and decks(at)[0].proto.selection_mode
    elif page.endswith("planner.py"):
        for kind, key in (
            ("selectbox", "origin"),
            ("selectbox", "destination"),
            ("segmented_control", "by"),
            ("number_input", "alternatives"),
            ("number_input", "teu"),
            ("pills", "modes"),
            ("multiselect", "avoid_countries"),
            ("multiselect", "avoid"),
            ("toggle", "include_planned"),
        ):
            assert getattr(at, kind)(key=key) is not None, key
        assert [m.label for m in at.metric] == [
            "Distance (km)",
            "Transit time (h)",
            "Cost (USD)",
            "CO2 (kg)",
            "Borders",
            "Transfers",
        ]
        table(at, "border dwell h", "EST", "sources")  # legs
        assert list(table(at, "Route 1 (best)").columns)[:1] == ["Route 1 (best)"]
        assert len(decks(at)) == 1
        # the time parts, cost items and the two staircases, as static SVG images (no chart library)
        svgs = svg_images(at)
        assert len(svgs) == 4 and all(s.startswith("<svg") for s in svgs)
        assert {b.key for b in at.download_button} >= {"download_json", "download_csv", "download_geojson"}
    elif page.endswith("volumes.py"):
        assert at.segmented_control(key="kind").value == "corridor"
        assert at.selectbox(key="metric").value == "freight (t)"
        assert at.selectbox(key="map_year") and at.multiselect(key="subjects")
        assert len(table(at, "subject", "period", "EST", "sources"))
        assert len(table(at, "quantity", "figure 1", "link 1", "figure 2"))
        assert layers_of(decks(at)[0]).keys() == {"links", "node_volumes", "labels"}
    else:
        assert at.success and "Valid" in at.success[0].value
        assert len(table(at, "table", "rows", "breakdown")) >= 8
        src = table(at, "id", "title", "publisher", "url", "flag")
        assert len(src) == len(load_network().dataset.sources)
        assert src["url"].str.startswith("http").sum() > 0
        assert len(at.download_button) == len(DATA_FILES)  # every schema file of the dataset
    assert page_bytes(at) <= MAX_PAGE_BYTES


@shipped
def test_overview_deck_spec(use_data):
    at = run()
    deck = decks(at)[0]
    assert deck.proto.id and json.loads(deck.proto.tooltip) == {"text": "{tip}"}
    layers = layers_of(deck)
    # the disruptions in force on the dataset's date (Torkham, Chaman) are marked by default
    assert list(layers) == ["links", "crossings", "nodes", "disruptions", "labels"]
    net = load_network()
    links = net.dataset.links
    link_rows = layers["links"]["data"]
    assert {r["id"] for r in link_rows} == set(links["id"])
    assert all(isinstance(r["width"], int | float) and r["width"] > 0 for r in link_rows)
    assert layers["links"]["getWidth"] == "@@=width"
    # 2024 has corridor freight figures: corridors with one are wider than those without
    tips = {r["id"]: r["tip"] for r in link_rows}
    widths = {r["id"]: r["width"] for r in link_rows}
    with_data = [widths[i] for i in widths if "no volume data" not in tips[i]]
    without = [widths[i] for i in widths if "no volume data" in tips[i]]
    assert with_data and without and min(with_data) > max(without)
    assert {r["id"] for r in layers["crossings"]["data"]} == set(links.index[links["crossing"]])
    assert len(deck.proto.json.encode()) <= MAX_PAGE_BYTES


@shipped
def test_overview_filters_and_details_panel(use_data):
    at = run()
    at.pills(key="mode").set_value(["sea"]).run()
    layers = layers_of(decks(at)[0])
    modes = set(load_network().dataset.links.loc[[r["id"] for r in layers["links"]["data"]], "mode"])
    assert modes == {"sea"}
    # a click on a place (the selection event as Streamlit delivers it)
    at.session_state["overview_map"] = {
        "selection": {"indices": {"nodes": [0]}, "objects": {"nodes": [{"id": "alat"}]}}
    }
    at.run()
    assert not at.exception
    assert any("Alat" in s.value for s in at.subheader)
    attrs = table(at, "field", "value")
    assert {"id", "name", "aliases", "country", "kind", "source", "estimate"} <= set(attrs["field"])
    assert len(table(at, "id", "title", "publisher", "url"))


# ---- planner -------------------------------------------------------------------------------


def _number(text: str) -> float:
    return float(re.sub(r"[^\d.\-]", "", text.split("(")[0]))


@shipped
def test_planner_totals_equal_library_and_cli(use_data):
    at = run("pages/planner.py")
    assert at.selectbox(key="origin").value == "altynkol"
    assert at.selectbox(key="destination").value == "poti"
    shown = {m.label: m.value for m in at.metric}
    best = load_network().route("altynkol", "poti")
    assert shown == {k: v for k, (v, _) in totals_display(best.totals).items()}

    doc = json.loads(
        subprocess.run(
            [sys.executable, "-m", "corridors.cli", "route", "altynkol", "poti", "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    )
    t = doc["routes"][0]["totals"]
    assert abs(_number(shown["Distance (km)"]) - t["distance_km"]) <= 0.5 + 0.05
    assert abs(_number(shown["Transit time (h)"]) - t["time_h"]) <= 0.05 + 0.005
    assert abs(_number(shown["Cost (USD)"]) - t["cost_usd"]) <= 0.5 + 0.005
    assert abs(_number(shown["CO2 (kg)"]) - t["co2_kg"]) <= 0.5 + 0.05
    assert int(shown["Borders"]) == t["border_crossings"]
    assert int(shown["Transfers"]) == t["transfers"]
    cli_table = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "route", "altynkol", "poti"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    total_line = next(line for line in cli_table.splitlines() if "total:" in line)
    for label, value in shown.items():  # the very strings of the command's table
        assert CLI_TOTALS_FORMAT[label].format(value) in total_line, (label, value, total_line)

    legs = table(at, "border dwell h", "EST")
    assert len(legs) == len(doc["routes"][0]["legs"])
    assert list(legs["mode"].str.split().str[0]) == [
        {"sea": "sea", "border": "border"}.get(leg["mode"], leg["mode"]) for leg in doc["routes"][0]["legs"]
    ]
    assert legs["km"].sum() == pytest.approx(t["distance_km"], abs=1)


@shipped
def test_planner_downloads_equal_cli_output(use_data):
    from corridors.share import ViewState, route_request
    from pages._data import dataset_key, route_file

    # the request the planner builds from its default view (three routes)
    request = route_request(ViewState(page="planner", origin="altynkol", destination="poti"))
    for fmt in ("json", "csv", "geojson", "table"):
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "corridors.cli",
                "route",
                "altynkol",
                "poti",
                "--alternatives",
                "3",
                "--format",
                fmt,
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        assert route_file(dataset_key(), request, fmt) == cli, fmt


@shipped
def test_planner_reruns_on_widget_changes(use_data):
    at = run("pages/planner.py")
    before = {m.label: m.value for m in at.metric}
    at.number_input(key="teu").set_value(2.0).run()
    after = {m.label: m.value for m in at.metric}
    assert after["Transit time (h)"] == before["Transit time (h)"]
    assert after["Cost (USD)"] != before["Cost (USD)"]
    at.segmented_control(key="by").set_value("cost").run()
    best = load_network().route("altynkol", "poti", by="cost", teu=2)
    assert {m.label: m.value for m in at.metric} == {
        k: v for k, (v, _) in totals_display(best.totals).items()
    }


@shipped
def test_planner_opens_the_cli_link(use_data):
    from urllib.parse import parse_qsl, urlsplit

    link = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridors.cli",
            "route",
            "altynkol",
            "poti",
            "--by",
            "cost",
            "--alternatives",
            "2",
            "--teu",
            "2",
            "--link",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    params = dict(parse_qsl(urlsplit(link).query))
    at = run("pages/planner.py", params=params)
    assert at.selectbox(key="origin").value == "altynkol"
    assert at.segmented_control(key="by").value == "cost"
    assert at.number_input(key="alternatives").value == 2 and at.number_input(key="teu").value == 2
    best = load_network().route("altynkol", "poti", by="cost", teu=2)
    assert {m.label: m.value for m in at.metric} == {
        k: v for k, (v, _) in totals_display(best.totals).items()
    }


@shipped
def test_planner_no_route_says_which_constraint_blocks(use_data):
    at = run("pages/planner.py")
    at.pills(key="modes").set_value(["sea"]).run()
    assert not at.exception
    msg = " ".join(e.value for e in at.error)
    assert "No route" in msg and "modes" in msg
    assert not at.metric


def test_planner_on_tiny_and_place_typed_by_alias(use_data):
    use_data(ROOT / "tests" / "data" / "tiny")
    at = run("pages/planner.py")
    assert at.selectbox(key="origin").value == "a"  # no altynkol here: the first hub
    # any spelling typed into the box (here from a link) is resolved by the library's place search
    at = run("pages/planner.py", params={"origin": "Альфа", "destination": "Delta (AZ)"})
    assert not at.warning and at.metric
    assert at.subheader[0].value.startswith("Alpha → Delta")
    at = run("pages/planner.py", params={"origin": "alpha", "destination": "a"})
    assert "same as the origin" in " ".join(w.value for w in at.warning)


# ---- safety --------------------------------------------------------------------------------


def test_hostile_place_name_is_shown_as_text(edit_features, use_data, tiny_copy):

    edit_features(tiny_copy / "nodes.geojson", "a", lambda f: f["properties"].update(name=EVIL))
    use_data(tiny_copy)
    for page in PAGES:
        at = run(page)
        for deck in decks(at):
            assert json.loads(deck.proto.tooltip) == {"text": "{tip}"}  # set as innerText
        for el in at.markdown:
            assert not (el.allow_html and "<img" in el.value)
        for t in texts(at):
            assert "<img" not in t.replace("\\<img", ""), t  # escaped for Markdown where shown
        if page.endswith("planner.py"):
            assert any("\\<img" in s.value for s in at.subheader)


#: The issue's hostile-parameter list: unknown ids, non-numbers, NaN, 1e309, zoom -5 / 99,
#: latitude 200, 10,000 characters, repeated keys, script and quote characters, unknown keys.
HOSTILE_PLANNER = {
    "origin": "nowhere_at_all",
    "destination": '"><img src=x onerror=alert(1)>',
    "teu": "1e309",
    "alternatives": "abc",
    "zoom": ["-5", "99"],
    "lat": "200",
    "lon": "NaN",
    "by": "<script>alert(1)</script>",
    "avoid_countries": "x" * 10_000,
    "modes": ["air", "<b>"],
    "pitch": "inf",
    "whatever": "1",
    "<svg onload=alert(1)>": "'\"",
    "present": "maybe",
}
HOSTILE_OVERVIEW = {
    "year": "<script>alert(1)</script>",
    "modes": ["zzz", "rail"],
    "corridors": "x" * 10_000,
    "labels": "maybe",
    "selected": "' onmouseover='alert(1)",
    "bearing": "1e309",
    "zoom": "99",
    "lat": "200",
    "statuses": "planned,<i>",
}


def no_raw(at: AppTest, *values: str) -> None:
    """No hostile value reaches the page unescaped (nor a long echo of a huge one)."""
    for t in texts(at):
        if t.startswith("<style>"):  # presenter mode's fixed style
            continue
        assert not re.search(r"(?<!\\)<", t), t  # every "<" escaped for Markdown
        for v in values:  # shown, if at all, only escaped
            assert v not in t.replace("\\<", "&lt;"), (v, t)
        assert "x" * 41 not in t
    for el in at.markdown:
        if el.allow_html:
            assert el.value.startswith("<style>") and "alert" not in el.value


def test_hostile_query_params_fall_back_with_a_notice(use_data):
    use_data(ROOT / "tests" / "data" / "tiny")
    at = run(params=HOSTILE_OVERVIEW)
    warned = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "Ignored invalid link parameter" in warned
    for k in ("year", "corridors", "labels", "selected", "bearing", "zoom", "lat", "statuses"):
        assert f"ignored {k}=" in warned, k
    assert at.pills(key="mode").value == ["rail"]  # the valid item survives
    assert at.toggle(key="labels").value is True and at.multiselect(key="corridor").value == []
    no_raw(at, "<script>", "<i>")
    at = run("pages/planner.py", params=HOSTILE_PLANNER, open_=("planner_camera",))
    warned = " ".join(w.value for w in at.warning).replace("\\", "")
    for k in (
        "origin",
        "destination",
        "teu",
        "alternatives",
        "zoom",
        "lat",
        "lon",
        "by",
        "avoid_countries",
        "modes",
        "pitch",
        "whatever",
        "present",
    ):
        assert f"ignored {k}=" in warned, k
    assert "unknown parameter" in warned
    no_raw(at, "<img", "<script>", "<svg", "<b>")
    assert at.metric  # the defaults still give a route
    assert at.number_input(key="planner_zoom").value is None  # zoom fell back to "fit"
    assert at.number_input(key="teu").value is None  # the default: one container
    qp = dict(at.query_params)  # the URL is rewritten to the valid view
    assert not any(k in qp for k in ("whatever", "teu", "zoom", "lat", "by")), qp


def test_invalid_dataset_shows_its_problems_not_a_traceback(use_data, tiny_copy):
    (tiny_copy / "links.geojson").write_text("{not json", encoding="utf-8")
    use_data(tiny_copy)
    at = run()
    assert any("invalid" in e.value for e in at.error)
    at = run("pages/sources.py")
    assert any("problem" in e.value for e in at.error)
    problems = table(at, "problem")
    assert problems["problem"].str.contains("links.geojson").any()


# ---- links, presenter mode, tours, exports -------------------------------------------------


@pytest.fixture
def tours_db(tmp_path, monkeypatch):
    """A tour database of the test's own (never the user's)."""
    path = tmp_path / "tours.sqlite3"
    monkeypatch.setenv("CORRIDORS_TOURS_DB", str(path))
    return path


@shipped
def test_planner_view_round_trips_through_the_url(use_data, tours_db):
    at = run("pages/planner.py", open_=("planner_camera",))
    at.segmented_control(key="by").set_value("cost").run()
    at.pills(key="modes").set_value(["rail", "sea"]).run()
    at.multiselect(key="avoid_countries").set_value(["TM"]).run()
    at.number_input(key="teu").set_value(2.0).run()
    at.number_input(key="planner_zoom").set_value(5.5).run()
    at.number_input(key="planner_lat").set_value(41.25).run()
    qp = dict(at.query_params)
    assert qp == {
        "origin": "altynkol",
        "destination": "poti",
        "by": "cost",
        "modes": "rail,sea",
        "avoid_countries": "TM",
        "teu": "2",
        "lat": "41.25",
        "zoom": "5.5",
    }, qp
    shown = {m.label: m.value for m in at.metric}
    spec = json.loads(decks(at)[0].proto.json)["initialViewState"]
    assert spec["zoom"] == 5.5 and spec["latitude"] == 41.25
    # closing the (lazy) camera controls drops their widgets, never the view: twice, as the
    # first run without them still holds their values and the second starts from the link
    for _ in range(2):
        at.session_state["planner_camera"] = False
        at.run()
        assert not [w for w in at.number_input if w.key == "planner_zoom"]
        assert dict(at.query_params) == qp
        assert json.loads(decks(at)[0].proto.json)["initialViewState"] == spec
    link = next(c.value for c in at.code)
    assert link.endswith("/planner?" + "&".join(f"{k}={v}" for k, v in qp.items()).replace(",", "%2C"))
    again = run("pages/planner.py", params=qp)  # a fresh session opens the link
    assert not again.warning
    assert {m.label: m.value for m in again.metric} == shown
    assert json.loads(decks(again)[0].proto.json)["initialViewState"] == spec
    assert again.pills(key="modes").value == ["rail", "sea"]
    assert again.number_input(key="teu").value == 2.0


@shipped
def test_overview_view_round_trips_and_keeps_the_selection(use_data, tours_db):
    at = run(
        "pages/overview.py",
        params={
            "corridors": "middle_corridor,cku",
            "labels": "0",
            "selected": "alat",
            "zoom": "4",
            "statuses": "operational",
        },
    )
    assert not any("link" in w.value for w in at.warning)
    assert at.multiselect(key="corridor").value == ["middle_corridor", "cku"]
    assert at.toggle(key="labels").value is False and at.pills(key="status").value == ["operational"]
    assert any("Alat" in s.value for s in at.subheader)  # the linked feature's details
    assert json.loads(decks(at)[0].proto.json)["initialViewState"]["zoom"] == 4
    assert dict(at.query_params)["selected"] == "alat"


@shipped
def test_presenter_mode_has_no_widgets(use_data, tours_db):
    at = run("pages/planner.py", params={"present": "1", "by": "cost"})
    assert not at.selectbox and not at.number_input and not at.multiselect
    assert at.title[0].value.startswith("Altynkol → Poti")
    assert any(m.allow_html and m.value.startswith("<style>") for m in at.markdown)
    best = load_network().route("altynkol", "poti", by="cost")
    caption = " ".join(m.value for m in at.markdown)
    assert f"{best.totals.cost_usd:,.0f} USD" in caption and f"{best.totals.distance_km:,.0f} km" in caption
    assert [b.key for b in at.button] == ["present_off"]
    assert len(decks(at)) == 1
    at = run("pages/overview.py", params={"present": "1"})
    assert not at.multiselect and not at.pills and len(decks(at)) == 1
    assert at.title[0].value.startswith("Freight corridors")


@shipped
def test_tour_pages_create_step_and_present(use_data, tours_db):
    from corridors.tours import TourStore

    at = run("pages/tours.py")
    assert any("No tours yet" in i.value for i in at.info)
    at.text_input(key="create_name").input("Briefing").run()
    at.button(key="create_tour").click().run()
    store = TourStore(tours_db)
    (tour,) = store.tours()
    assert tour.name == "Briefing"
    # add the current planner view from the sidebar form (a lazy expander: opened first)
    at = run("pages/planner.py", params={"by": "cost", "zoom": "5"})
    assert "tour_pick" not in [w.key for w in at.selectbox]  # closed: the form is not built
    at.session_state["tour_form"] = True
    at.run()
    assert at.selectbox(key="tour_pick").value == tour.id
    at.button(key="tour_add").click().run()
    assert any("step 1" in s.value for s in at.success)
    (step,) = store.get(tour.id).steps
    assert step.view == {
        "page": "planner",
        "origin": "altynkol",
        "destination": "poti",
        "by": "cost",
        "zoom": "5",
    }
    store.add_step(tour.id, "Overview", {"page": "overview", "zoom": "3"})
    # a tour link goes to the step's page and view, in presenter mode
    at = run("pages/overview.py", params={"tour": str(tour.id), "step": "1", "present": "1"})
    assert at.title[0].value.startswith("Altynkol → Poti")
    assert dict(at.query_params) == {
        "origin": "altynkol",
        "destination": "poti",
        "by": "cost",
        "zoom": "5",
        "tour": str(tour.id),
        "step": "1",
        "present": "1",
    }
    assert "step 1 of 2" in " ".join(m.value for m in at.markdown)
    at.button(key="tour_next").click().run()
    assert at.title[0].value == "Overview"  # the slide title is the step's own
    assert dict(at.query_params)["step"] == "2"
    assert json.loads(decks(at)[0].proto.json)["initialViewState"]["zoom"] == 3
    # the tours page lists the steps; moving one reorders them
    at = run("pages/tours.py")
    assert any("Altynkol" in m.value for m in at.markdown)
    at.button(key=f"down_{step.id}").click().run()
    assert [s.title for s in store.get(tour.id).steps][0] == "Overview"


def test_broken_tour_database_gives_a_notice_and_the_app_works(use_data, tours_db):
    use_data(ROOT / "tests" / "data" / "tiny")
    tours_db.write_bytes(b"this is not a database" * 100)
    at = run("pages/tours.py")
    assert any("corrupted" in w.value for w in at.warning)
    at = run("pages/planner.py")
    assert at.metric and not at.warning  # the tour form (and its database) is lazy
    at = run("pages/planner.py", open_=("tour_form",))
    assert at.metric and any("Tours are unavailable" in w.value for w in at.warning)
    at = run("pages/overview.py", params={"tour": "1", "step": "2", "present": "1"})
    assert not at.exception and decks(at)
    assert any("unavailable" in w.value for w in at.warning)


def test_hostile_tour_strings_are_escaped(use_data, tours_db):
    from corridors.tours import TourStore

    use_data(ROOT / "tests" / "data" / "tiny")
    store = TourStore(tours_db)
    t = store.create(EVIL)
    store.add_step(t.id, EVIL, {"page": "overview", "zoom": EVIL}, note=EVIL)
    for page, params in (
        ("pages/tours.py", {}),
        ("pages/overview.py", {"tour": str(t.id), "step": "1", "present": "1"}),
    ):
        at = run(page, params=params)
        for text in texts(at):
            if not text.startswith("<style>"):  # presenter mode's fixed style
                assert not re.search(r"(?<!\\)<", text), text


@shipped
def test_planner_downloads_with_options_equal_cli_output(use_data, tours_db):
    from corridors.share import ViewState, route_request
    from pages._data import dataset_key, route_file

    request = route_request(
        ViewState(
            page="planner",
            origin="altynkol",
            destination="poti",
            by="cost",
            modes=("rail", "sea"),
            avoid_countries=("TM",),
            alternatives=2,
            teu=2.0,
        )
    )
    for fmt in ("json", "csv", "geojson"):
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "corridors.cli",
                "route",
                "Altynkol",
                "Poti",
                "--by",
                "cost",
                "--modes",
                "rail,sea",
                "--avoid-country",
                "TM",
                "--teu",
                "2",
                "--alternatives",
                "2",
                "--format",
                fmt,
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        assert route_file(dataset_key(), request, fmt) == cli, fmt
    at = run("pages/planner.py")
    assert {b.key for b in at.download_button} >= {"export_html", "export_png"}
    at = run("pages/overview.py")
    assert {b.key for b in at.download_button} >= {"export_html", "export_png"}


def test_tour_steps_on_the_same_page_move_the_camera(use_data, tours_db):
    from corridors.tours import TourStore

    use_data(ROOT / "tests" / "data" / "tiny")
    store = TourStore(tours_db)
    t = store.create("Zooms")
    store.add_step(t.id, "Wide", {"page": "overview", "zoom": "3"})
    store.add_step(t.id, "Close", {"page": "overview", "zoom": "6", "lat": "40", "lon": "50"})
    at = run(params={"tour": str(t.id), "step": "1", "present": "1"})
    assert json.loads(decks(at)[0].proto.json)["initialViewState"]["zoom"] == 3
    at.button(key="tour_next").click().run()
    view = json.loads(decks(at)[0].proto.json)["initialViewState"]
    assert (view["zoom"], view["latitude"], view["longitude"]) == (6, 40, 50)
    at.button(key="present_off").click().run()  # exit: the normal page at the same view
    assert at.multiselect(key="corridor") is not None and "present" not in dict(at.query_params)
    at.session_state["overview_camera"] = True  # open the (lazy) camera controls
    at.run()
    assert at.number_input(key="overview_zoom").value == 6
    at = run(params={"tour": str(t.id), "step": "1", "present": "1"})  # the same link again
    assert json.loads(decks(at)[0].proto.json)["initialViewState"]["zoom"] == 3
