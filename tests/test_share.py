"""View state <-> URL: round trips, and hostile parameters fall back to defaults with notices."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from corridors.share import ViewState, parse_view, route_link, view_link, view_query

PLACES = ["altynkol", "poti", "tashkent", "almaty"]
LINKS = ["x_road"]
CCS = ["KZ", "AZ", "GE", "UZ"]


def parse(params):
    return parse_view(params, place_ids=PLACES, link_ids=LINKS, countries=CCS)


def test_round_trip_through_the_url():
    state = ViewState(
        page="planner",
        origin="altynkol",
        destination="poti",
        by="cost",
        modes=("rail", "sea"),
        avoid_countries=("AZ",),
        avoid=("x_road",),
        include_planned=True,
        alternatives=2,
        teu=2.5,
        lat=42.1234,
        lon=60.5,
        zoom=4.25,
        pitch=30,
        bearing=-10,
        selected="poti",
        year=2024,
        corridors=("middle_corridor", "cku"),
        statuses=("operational", "planned"),
        labels=False,
        kind="node",
        metric="freight (t)",
        subjects=("node:poti", "corridor:cku"),
        present=True,
        tour=3,
        step=2,
    )
    url = view_link(state, base_url="https://maps.example.org/app")
    parts = urlsplit(url)
    assert parts.path == "/app/planner"
    params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    back, notices = parse({**params, "page": "planner"})
    assert notices == []
    assert back == state


def test_defaults_are_left_out_of_links():
    assert view_query(ViewState()) == {}
    assert view_link(ViewState(page="volumes")) == "http://localhost:8501/volumes"


HOSTILE = [
    ({"origin": "nowhere"}, "origin"),
    ({"zoom": "abc"}, "zoom"),
    ({"lat": "NaN"}, "lat"),
    ({"teu": "1e309"}, "teu"),
    ({"zoom": "-5"}, "zoom"),
    ({"zoom": "99"}, "zoom"),
    ({"lat": "200"}, "lat"),
    ({"origin": "x" * 10_000}, "origin"),
    ({"origin": "<script>alert(1)</script>"}, "origin"),
    ({"destination": "\"' onmouseover=alert(1)"}, "destination"),
    ({"by": "fastest"}, "by"),
    ({"modes": "air,<b>"}, "modes"),
    ({"avoid_countries": "ZZ,<i>"}, "avoid_countries"),
    ({"page": "../../etc/passwd"}, "page"),
    ({"alternatives": "2.5"}, "alternatives"),
    ({"whatever": "1"}, "whatever"),
    ({"present": "maybe"}, "present"),
    ({"lon": "Infinity"}, "lon"),
    ({"bearing": "1e309"}, "bearing"),
    ({"pitch": "-1"}, "pitch"),
    ({"tour": "0x10"}, "tour"),
    ({"step": "-1"}, "step"),
    ({"corridors": "middle_corridor,<svg onload=alert(1)>"}, "corridors"),
    ({"statuses": "closed"}, "statuses"),
    ({"labels": "\"'"}, "labels"),
    ({"kind": "<b>"}, "kind"),
    ({"metric": "freight (t)<script>"}, "metric"),
    ({"subjects": "node:poti,javascript:alert(1)"}, "subjects"),
    ({"modes": ",".join(["rail"] * 30)}, "modes"),
]


@pytest.mark.parametrize(("params", "key"), HOSTILE)
def test_hostile_params_fall_back_with_a_notice(params, key):
    state, notices = parse(params)
    assert any(n.startswith(f"ignored {key}=") for n in notices), notices
    default = ViewState()
    field = key if hasattr(default, key) else None
    if field and field not in ("modes", "avoid_countries", "corridors", "subjects"):  # valid items stay
        assert getattr(state, field) == getattr(default, field)
    assert all(len(n) < 200 for n in notices)


def test_repeated_keys_keep_the_last_valid_value():
    state, notices = parse({"origin": ["tashkent", "almaty"], "zoom": ["3", "5"]})
    assert state.origin == "almaty" and state.zoom == 5 and notices == []


def test_valid_values_survive_next_to_bad_ones():
    state, notices = parse({"modes": "rail,air", "avoid_countries": "AZ,QQ", "origin": "poti"})
    assert state.modes == ("rail",) and state.avoid_countries == ("AZ",) and state.origin == "poti"
    assert len(notices) == 2


def test_same_origin_and_destination_is_dropped():
    state, notices = parse({"origin": "poti", "destination": "poti"})
    assert state.destination is None and "same as the origin" in notices[0]


def test_cli_link_reproduces_the_query(tiny):
    from corridors.routing import make_query

    q = make_query(tiny, "a", "c", by="cost", avoid=["xd"], modes=["rail", "sea"], teu=3)
    url = route_link(q, base_url="http://127.0.0.1:8600", alternatives=2)
    params = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
    state, notices = parse_view({**params, "page": "planner"}, place_ids=["a", "c", "xd"])
    assert notices == []
    assert (
        state.origin,
        state.destination,
        state.by,
        state.avoid,
        state.modes,
        state.teu,
        state.alternatives,
    ) == ("a", "c", "cost", ("xd",), ("rail", "sea"), 3.0, 2)


def test_lists_are_comma_separated_ids_and_repeated_keys_are_read():
    state = ViewState(page="planner", modes=("rail", "sea"), avoid=("x_road", "poti"))
    assert view_query(state) == {"modes": "rail,sea", "avoid": "x_road,poti"}
    back, notices = parse({"modes": ["sea", "rail"], "avoid": ["x_road", "poti"]})
    assert notices == [] and back.modes == ("rail", "sea") and back.avoid == ("x_road", "poti")


def test_places_may_be_spelled_and_are_resolved():
    lookup = {"Алтынколь": "altynkol", "Poti (GE)": "poti"}
    state, notices = parse_view(
        {"origin": "Алтынколь", "destination": "Poti (GE)"}, place_ids=PLACES, resolve_place=lookup.get
    )
    assert (state.origin, state.destination, notices) == ("altynkol", "poti", [])


def test_allowlists_of_the_dataset_apply():
    state, notices = parse_view(
        {"corridors": "cku,nope", "metric": "vehicles (vehicles)", "subjects": "node:poti,node:nope"},
        corridor_ids=["cku"],
        metrics=["freight (t)"],
        subject_ids=["node:poti"],
    )
    assert state.corridors == ("cku",) and state.metric is None and state.subjects == ("node:poti",)
    assert len(notices) == 3


def test_notices_never_carry_long_or_raw_values():
    _, notices = parse({"origin": "<script>" + "x" * 10_000, "zoom": '"><img src=x>'})
    assert notices and all(len(n) < 200 for n in notices)


def test_the_model_options_round_trip_through_a_link():
    from corridors.share import ViewState, parse_view, route_request, view_query

    s = ViewState(
        page="planner",
        origin="altynkol",
        destination="poti",
        by="time_p90",
        container="40ft",
        as_of="2025-11-22",
        ignore_disruptions=True,
        deadline=12.5,
        scenario="caspian_winter_storms",
    )
    back, notices = parse_view(view_query(s))
    assert notices == [] and back == replace(s, page="overview")
    req = route_request(s)
    assert (req.container, req.as_of, req.ignore_disruptions, req.deadline_days) == (
        "40ft",
        "2025-11-22",
        True,
        12.5,
    )
    assert req.teu is None  # one container of the chosen type
    hostile, notices = parse_view(
        {"container": "53ft", "as_of": "2025-02-30", "deadline": "1e9", "scenario": "../x"}
    )
    assert hostile == ViewState() and len(notices) == 4
