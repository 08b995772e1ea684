"""The route planner page as a planner uses it (Streamlit AppTest on the shipped dataset): route cards,
where the time and money go, uncertainty, containers, dates and disruptions, forgiving input, no-route
messages that name the widget, dropped detours. Every number checked against the library."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridors.charts import time_parts
from corridors.data import validate_dataset
from corridors.network import load_network
from corridors.request import RouteRequest
from corridors.tables import route_card, totals_display

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")

pytestmark = pytest.mark.skipif(
    bool(validate_dataset()), reason="the shipped geodata/ does not validate (run `corridors validate`)"
)


@pytest.fixture(autouse=True)
def shipped_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CORRIDORS_GEODATA", raising=False)
    monkeypatch.setenv("CORRIDORS_TOURS_DB", str(tmp_path / "tours.sqlite"))


def run(params: dict[str, str] | None = None, *, open_: tuple[str, ...] = ()) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    for k in open_:
        at.session_state[k] = True
    at.switch_page("pages/planner.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    out = []
    for kind in ("markdown", "caption", "subheader", "warning", "error", "info"):
        out += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(out).replace("\\", "")  # Markdown escapes removed


def svgs(at: AppTest) -> list[str]:
    out = []
    for img in at.get("image"):
        url = img.proto.imgs[0].url
        if url.startswith("data:image/svg+xml;base64,"):
            out.append(base64.b64decode(url.split(",", 1)[1]).decode())
    return out


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_route_cards_and_breakdowns_equal_the_library():
    at = run({"origin": "altynkol", "destination": "poti", "alternatives": "2"})
    routes = load_network().plan(RouteRequest.make("altynkol", "poti", alternatives=2))
    shown = texts(at)
    for r in routes:
        card = route_card(r)
        assert card["modes"] in shown and card["days"] in shown and card["cost"] in shown
        for crossing in card["crossings"]:
            assert crossing in shown
    # where the time goes: each part of route 1 rounded as the bar labels it
    time_svg, cost_svg = svgs(at)[:2]
    parts = time_parts(routes[0])
    for name, hours in parts.items():
        if hours >= 10:  # wide enough to be labelled
            assert f">{hours:,.0f}<" in time_svg, name
    total = sum(routes[0].totals.cost_breakdown.values())
    assert abs(total - routes[0].totals.cost_usd) < 0.5
    assert f">{total:,.0f}<" in cost_svg  # the bar's total label
    # the caption gives the distribution's percentiles
    d = routes[0].distribution
    assert f"P10 {d.p10:,.0f} h, P50 {d.p50:,.0f} h, P90 {d.p90:,.0f} h" in shown


def test_container_and_deadline_reach_the_numbers():
    at = run(
        {
            "origin": "tashkent",
            "destination": "istanbul",
            "container": "40ft",
            "deadline": "12",
            "alternatives": "1",
        }
    )
    best = load_network().plan(RouteRequest.make("tashkent", "istanbul", container="40ft", deadline_days=12))[
        0
    ]
    assert metrics(at) == {k: v for k, (v, _) in totals_display(best.totals).items()}
    assert at.segmented_control(key="container").value == "40ft"
    assert f"**{best.distribution.p_on_time:.0%}** chance of arriving within 12 days" in texts(at)
    twenty = load_network().plan(RouteRequest.make("tashkent", "istanbul"))[0]
    assert best.totals.cost_usd != twenty.totals.cost_usd


def test_a_typo_picks_the_best_match_and_unknown_text_stops_with_suggestions():
    # a typed text the box does not list (a browser confirms it with Enter)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["origin"] = "Tashknet"
    at.switch_page("pages/planner.py")
    at.run()
    assert not at.exception
    assert "Tashkent →" in texts(at) and at.metric  # a route was computed from Tashkent
    assert at.query_params["origin"] in ("tashkent", ["tashkent"])

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["origin"] = "Qwxyzzy"
    at.switch_page("pages/planner.py")
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "Origin not found" in errors[0] and "Origin" in errors[0]
    assert not at.metric  # no route silently computed from another place


def test_avoid_countries_accepts_names_in_any_spelling():
    at = run({"origin": "altynkol", "destination": "poti", "alternatives": "1"})
    at.multiselect(key="avoid_countries").set_value(["Россия", "Uzbekistan"]).run()
    assert not at.exception
    assert at.multiselect(key="avoid_countries").value == ["RU", "UZ"]
    best = load_network().plan(RouteRequest.make("altynkol", "poti", avoid_countries=("RU", "UZ")))[0]
    assert "UZ" not in best.countries
    assert metrics(at) == {k: v for k, (v, _) in totals_display(best.totals).items()}


def test_no_route_names_the_widget_not_a_cli_flag():
    at = run({"origin": "termez", "destination": "peshawar", "modes": "rail", "alternatives": "1"})
    errors = [e.value for e in at.error]
    assert errors, texts(at)
    msg = errors[0]
    assert "Planned links" in msg or "Modes" in msg
    assert "--" not in msg  # no CLI flag
    lines = [ln for ln in msg.splitlines() if ln.startswith("- ")]
    assert len(lines) == len(set(lines))  # says each thing once


def test_not_running_line_is_flagged_and_drawn_dotted():
    at = run(
        {
            "origin": "termez",
            "destination": "peshawar",
            "modes": "rail",
            "include_planned": "1",
            "alternatives": "1",
        }
    )
    warnings = " ".join(w.value for w in at.warning)
    assert "does not run yet" in warnings
    import json

    layers = {ly["id"]: ly for ly in json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]}
    dotted = [r for r in layers["routes"]["data"] if r["id"].startswith("leg") and r.get("dash") == [2, 3]]
    assert dotted, "planned legs drawn dotted"


def test_dropped_detours_are_counted_and_can_be_shown():
    req = RouteRequest.make("almaty", "bishkek", alternatives=5)
    found = load_network().plan(req)
    if not found.dropped:
        pytest.skip("no alternative is a long detour on this pair in this dataset")
    at = run({"origin": "almaty", "destination": "bishkek", "alternatives": "5"})
    assert f"{found.dropped} alternative(s) dropped" in texts(at)
    at = run({"origin": "almaty", "destination": "bishkek", "alternatives": "5", "detours": "1"})
    assert "alternative(s) dropped" not in texts(at)
    kept = load_network().plan(req.with_(max_detour=0.0))
    assert len([c for c in at.markdown if re.search(r"\*\*Route \d\*\*", str(c.value))]) == len(kept)


def test_as_of_and_ignore_disruptions_change_the_route():
    net = load_network()
    closed = [e for e in net.events if e.kind in ("closure", "trade_suspension") and e.target_kind == "link"]
    assert closed, "the shipped events close some crossing"
    at = run({"origin": "kabul", "destination": "peshawar", "alternatives": "1"}, open_=("planner_more",))
    normal = run(
        {"origin": "kabul", "destination": "peshawar", "alternatives": "1", "ignore_disruptions": "1"},
        open_=("planner_more",),
    )
    assert at.toggle(key="ignore_disruptions").value is False
    assert normal.toggle(key="ignore_disruptions").value is True
    lib = net.plan(RouteRequest.make("kabul", "peshawar", ignore_disruptions=True))[0]
    assert metrics(normal) == {k: v for k, (v, _) in totals_display(lib.totals).items()}
    assert metrics(at) != metrics(normal) or at.error  # Torkham's suspension blocks or reroutes


def test_a_scenario_picked_in_more_options_routes_under_it():
    from corridors.scenarios import shipped_scenarios

    shipped = shipped_scenarios(ROOT / "geodata" / "scenarios")
    assert "trans_afghan_open" in shipped
    at = run(
        {"origin": "termez", "destination": "peshawar", "modes": "rail", "alternatives": "1"},
        open_=("planner_more",),
    )
    assert at.error  # the Trans-Afghan railway does not run yet
    at.selectbox(key="planner_scenario").set_value("trans_afghan_open").run()
    assert not at.exception and not at.error
    assert at.query_params["scenario"] in ("trans_afghan_open", ["trans_afghan_open"])
    net = load_network().with_scenario(shipped["trans_afghan_open"])
    best = net.plan(RouteRequest.make("termez", "peshawar", modes=("rail",)))[0]
    assert metrics(at) == {k: v for k, (v, _) in totals_display(best.totals).items()}
    assert "Under the scenario" in texts(at)
