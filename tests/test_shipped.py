"""The shipped dataset and network: valid, connected corridors, published lengths, known routes."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import networkx as nx
import pytest

from corridors.data import validate_dataset
from corridors.routing import NoRoute, disruptions_of, weight_function


@pytest.fixture(scope="module")
def net():
    from corridors.network import load_network

    return load_network()


def test_shipped_dataset_validates():
    assert [str(p) for p in validate_dataset()] == []


def corridor_graph(net, corridor, *, statuses=("operational",), modes=("rail", "road", "sea")):
    links = net.dataset.links
    sel = links[
        links["corridors"].map(lambda cs: corridor in cs)
        & links["status"].isin(statuses)
        & links["mode"].isin(modes)
    ]
    return nx.from_edgelist(zip(sel["from"], sel["to"], strict=True))


def test_middle_corridor_connects_altynkol_to_poti_on_its_own_links(net):
    G = corridor_graph(net, "middle_corridor")
    path = nx.shortest_path(G, "altynkol", "poti")
    assert {"aktau", "alat"} & set(path) or {"kuryk", "alat"} & set(path)
    assert nx.has_path(G, "dostyk", "batumi")
    assert nx.has_path(G, "altynkol", "istanbul")


def test_trans_afghan_connects_termez_to_peshawar(net):
    road = corridor_graph(net, "trans_afghan", modes=("road",))
    assert nx.has_path(road, "termez", "peshawar")
    planned_rail = corridor_graph(
        net, "trans_afghan", statuses=("operational", "planned", "under_construction"), modes=("rail",)
    )
    assert nx.has_path(planned_rail, "termez", "peshawar")
    assert not nx.has_path(corridor_graph(net, "trans_afghan", modes=("rail",)), "termez", "peshawar")


def test_every_named_crossing_is_a_pair_of_posts(net):
    links = net.dataset.links
    nodes = net.dataset.nodes
    crossings = links[links["crossing"]]
    assert len(crossings) >= 24
    for r in crossings.to_dict("records"):
        assert nodes.at[r["from"], "kind"] == "border_post" or nodes.at[r["to"], "kind"] == "border_post"
        assert nodes.at[r["from"], "country"] != nodes.at[r["to"], "country"]
    named = " ".join(crossings["name"].str.lower())
    for word in (
        "atameken",
        "zhibek",
        "saryagash",
        "tazhen",
        "oazis",
        "altynkol",
        "nur zholy",
        "dostyk",
        "hairatan",
        "torkham",
        "chaman",
        "bolashak",
        "incheh",
        "sarakhs",
        "farap",
        "imamnazar",
        "torghundi",
        "islam qala",
        "shamtigh",
        "gardabani",
        "kartsakhi",
        "sarp",
        "torugart",
        "irkeshtam",
        "kaplanbek",
        "konysbayev",
        "maktaaral",
        "fotehobod",
        "tursunzoda",
        "panji poyon",
        "taftan",
        "bazargan",
        "khunjerab",
        "korday",
        "temir-baba",
        "bakhty",
    ):
        assert word in named, word


def test_every_estimate_says_how_it_was_made(net):
    for frame in (net.dataset.nodes, net.dataset.links):
        est = frame[frame["estimate"]]
        assert (est["estimate_note"].str.len() > 10).all()


def test_altynkol_to_poti_by_time_crosses_the_caspian(net):
    r = net.route("Altynkol", "Poti", by="time")
    modes = [leg.mode for leg in r.legs]
    assert "sea" in modes
    sea = [leg for leg in r.legs if leg.mode == "sea"][0]
    assert sea.to_id == "alat" and sea.from_id in ("aktau", "kuryk", "turkmenbashi")
    assert r.countries[0] == "KZ" and r.countries[-2:] == ("AZ", "GE")
    # no gauge change: Altynkol is on 1520 already, and so is everything up to Georgia
    assert not [leg for leg in r.legs if leg.mode == "transfer" and "gauge" in leg.note]
    assert 2 * 24 < r.totals.time_h < 30 * 24  # between two days and a month, whatever the model says


def test_avoiding_azerbaijan_detours_or_explains(net):
    try:
        r = net.route("Altynkol", "Poti", avoid_countries=["AZ"])
    except NoRoute as exc:
        assert "AZ" in exc.reason
    else:
        assert "AZ" not in r.countries


def test_trans_afghan_railway_only_with_planned_links(net):
    r = net.route("Termez", "Karachi", by="time", ignore_disruptions=True)  # normal operations
    assert all(leg.status == "operational" for leg in r.legs)
    assert "AF" in r.countries and r.countries[-1] == "PK"
    with pytest.raises(NoRoute, match="planned"):
        net.route("Termez", "Karachi", modes=["rail"])
    rail = net.route("Termez", "Karachi", modes=["rail"], include_planned=True)
    planned = [leg for leg in rail.legs if leg.status != "operational"]
    assert planned and any("trans_afghan" in leg.corridors for leg in planned)


def test_tashkent_to_almaty_crosses_kazakhstan_uzbekistan_border(net):
    r = net.route("Tashkent", "Almaty")
    border = [leg for leg in r.legs if leg.mode == "border"]
    assert len(border) == 1
    assert {net.lookup.country[border[0].from_id], net.lookup.country[border[0].to_id]} == {"UZ", "KZ"}
    assert "kz_uz" in border[0].corridors


def test_closing_the_used_kz_uz_crossing_gives_another_one(net):
    r = net.route("Tashkent", "Almaty")
    used = [leg.link for leg in r.legs if leg.mode == "border"][0]
    detour = net.route("Tashkent", "Almaty", avoid=[used])
    other = [leg.link for leg in detour.legs if leg.mode == "border"]
    assert other and used not in other
    assert detour.totals.time_h >= r.totals.time_h


def test_alternatives_differ_in_crossing_or_port(net):
    alts = net.routes("altynkol", "poti", k=3)
    assert len(alts) == 3
    sigs = [a.signature for a in alts]
    assert len(set(sigs)) == 3
    times = [a.totals.time_h for a in alts]
    assert times == sorted(times)


def test_place_search_spellings(net):
    for text in ("Alyat", "Ələt", "Алят"):
        assert net.place(text).id == "alat", text
    assert net.place("Horgos").id in ("khorgos", "nur_zholy", "altynkol")
    assert net.place("Termiz").id == "termez"
    assert net.place("Toshkent").id == "tashkent"
    assert net.place("almaty").id == "almaty"
    hits = [p.id for p in net.find("Aktao")]
    assert "aktau" in hits[:3]


def test_matrix_equals_networkx_on_the_shipped_network(net):
    ids = ["altynkol", "dostyk", "tashkent", "almaty", "termez", "aktau", "poti", "karachi", "kabul"]
    m = net.matrix(ids, ids, by="time")  # the events in force on the dataset's date apply
    G = net.graph
    in_force = frozenset(e.id for e in net.events_in_force())
    assert in_force  # Torkham and Chaman closed in 2026
    w = weight_function(net, by="time", disrupted=disruptions_of(net, in_force))
    ends = G.graph["endpoints"]
    for o in ids:
        ref = nx.single_source_dijkstra_path_length(G, ends[o][0], weight=w)
        for d in ids:
            if o == d:
                continue
            expected = ref.get(ends[d][1], math.inf)
            if math.isinf(expected):
                assert math.isnan(m.loc[o, d])
            else:
                assert m.loc[o, d] == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_route_equals_networkx_dijkstra(net):
    for by in ("time", "cost", "distance", "co2", "generalized"):
        r = net.route("altynkol", "istanbul", by=by, ignore_disruptions=True)
        G = net.graph
        w = weight_function(net, by=by)
        ends = G.graph["endpoints"]
        ref = nx.dijkstra_path_length(G, ends["altynkol"][0], ends["istanbul"][1], weight=w)
        assert r.objective_value == pytest.approx(ref, rel=1e-9)


def test_cli_json_equals_api(net):
    out = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "route", "Altynkol", "Poti", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    t = net.route("Altynkol", "Poti").totals
    got = doc["routes"][0]["totals"]
    assert got["time_h"] == pytest.approx(t.time_h, abs=0.01)
    assert got["cost_usd"] == pytest.approx(t.cost_usd, abs=0.01)
    assert got["co2_kg"] == pytest.approx(t.co2_kg, abs=0.1)
    assert doc["routes"][0]["countries"][0] == "KZ"


@pytest.mark.parametrize(
    ("link", "km"),
    [
        ("dostyk_aktogay_rail", 304),  # Aktogay-Dostyk line
        ("altynkol_zhetygen_rail", 293),  # UIC eNews 327
        ("beyneu_mangistau_rail", 404),  # Kazakh Ministry of Transport
        ("tbilisi_poti_rail", 310),
        ("marabda_akhalkalaki_rail", 153),  # Baku-Tbilisi-Kars, Railway Magazine
        ("hairatan_naibabad_rail", 75),  # Hairatan-Mazar-i-Sharif railway, ADB-funded 2010
        ("jalalabad_torkham_road", 72.8),  # WFP Logistics Cluster
        ("zhanaozen_bolashak_rail", 146),  # Kazinform 2013
    ],
)
def test_published_lengths_hold(net, link, km):
    rec = net.lookup.links[link]
    assert rec["length_km"] == pytest.approx(km)
    assert not rec["estimate"] or "length" not in rec["estimate_note"].split(";")[0]
    assert rec["source"]


def test_zhezkazgan_beyneu_new_line_is_near_its_published_988_km(net):
    # the 2014 line is two new sections (Zhezkazgan-Saksaulskaya, Shalkar-Beyneu), 988 km in all (UIC)
    links = net.lookup.links
    total = links["zhezkazgan_saksaulskaya_rail"]["length_km"] + links["shalkar_beyneu_rail"]["length_km"]
    assert total == pytest.approx(988, abs=0.1)


def test_china_gateways_are_slower_westbound_than_eastbound(net):
    # CPMM: Kazakhstan's rail inbound time (78.0 h, 2022) far exceeds its outbound time (6.8 h); the
    # per-crossing PRC outbound figures (Alashankou 30.5 h, Horgos 34.8 h) are the westbound times
    links = net.lookup.links
    for lid in ("alashankou_dostyk_rail", "khorgos_altynkol_rail"):
        rec = links[lid]
        assert net.lookup.country[rec["from"]] == "CN"
        assert rec["dwell_h"] > rec["dwell_h_rev"], lid
    west = net.route("Alashankou", "Dostyk", modes=["rail"])
    east = net.route("Dostyk", "Alashankou", modes=["rail"])
    assert west.totals.time_h > east.totals.time_h


def test_same_gauge_kz_crossings_do_not_carry_the_china_gateway_dwell(net):
    links = net.lookup.links
    gateway = links["alashankou_dostyk_rail"]["dwell_h"]
    for lid in ("saryagash_keles_rail", "oazis_karakalpakiya_rail", "bolashak_serhetyaka_rail"):
        assert max(links[lid]["dwell_h"], links[lid]["dwell_h_rev"]) < gateway / 2, lid


def test_no_crossing_link_is_a_long_land_section(net):
    links = net.dataset.links
    crossings = links[links["crossing"]]
    assert (crossings["length_km"] < 15).all(), crossings.loc[crossings["length_km"] >= 15, "length_km"]


def test_kars_to_ankara_by_rail_is_the_published_eastern_express_1310_km(net):
    # GoTurkiye / Daily Sabah 2022: the Eastern Express runs 1,310 km Ankara-Kirikkale-Kayseri-Sivas-Erzincan-
    # Erzurum-Kars; the geometry used to skip Kayseri (817.7 + 195 km = 1,013 km)
    r = net.route("Kars", "Ankara", modes=["rail"], by="distance")
    assert r.totals.distance_km == pytest.approx(1310, abs=1)
    assert net.lookup.links["ankara_istanbul_rail"]["length_km"] == pytest.approx(576.6)  # Haydarpasa-Ankara


def test_termez_to_kharlachi_by_planned_rail_is_the_published_647_km(net):
    # TASS 2025-07-21: 647 km is the whole Termez-Naibabad-Maidan Shar-Logar-Kharlachi route
    r = net.route("Termez", "kharlachi_pk", modes=["rail"], include_planned=True)
    assert r.totals.distance_km == pytest.approx(647, rel=0.10)
    assert "AF" in r.countries


@pytest.mark.parametrize("origin", ["Karachi", "Quetta"])
def test_pakistan_to_istanbul_by_road_avoiding_afghanistan_goes_through_iran(net, origin):
    r = net.route(origin, "Istanbul", modes=["road"], avoid_countries=["AF"])
    assert "AF" not in r.countries
    assert r.countries[0] == "PK" and "IR" in r.countries and r.countries[-1] == "TR"
    assert {leg.mode for leg in r.legs} <= {"road", "border"}


def test_tashkent_to_karachi_avoiding_afghanistan_is_routable(net):
    r = net.route("Tashkent", "Karachi", avoid_countries=["AF"])
    assert "AF" not in r.countries and r.countries[-1] == "PK"
    via_iran = net.route("Tashkent", "Karachi", avoid_countries=["AF", "CN"])
    assert "IR" in via_iran.countries and "AF" not in via_iran.countries


@pytest.mark.parametrize(
    ("crossing", "a", "b", "kw"),
    [
        ("kaplanbek_navoiy_road", "Shymkent", "Tashkent", {}),
        ("konysbayev_yallama_road", "Shymkent", "Tashkent", {}),
        ("oybek_fotehobod_road", "Tashkent", "Khujand", {}),
        ("sariosiyo_tursunzoda_road", "Termez", "Dushanbe", {}),
        ("panji_poyon_sherkhan_bandar_road", "Dushanbe", "Kunduz", {}),
        ("taftan_mirjaveh_road", "Quetta", "Zahedan", {}),
        ("bazargan_gurbulak_road", "Tabriz", "Erzurum", {}),
        ("khunjerab_road", "Kashgar", "Rawalpindi", {}),
        ("korday_ak_zhol_road", "Almaty", "Bishkek", {}),
        ("temir_baba_garabogaz_road", "Aktau", "Turkmenbashi", {}),
        ("maktaaral_syrdarya_rail", "darbaza", "sirdaryo", {"include_planned": True}),
        ("tacheng_bakhty_rail", "Karamay", "Ayagoz", {"include_planned": True}),
    ],
)
def test_new_named_crossings_are_routable(net, crossing, a, b, kw):
    # parallel crossings may be quicker: closing them one by one, the new crossing must carry the route
    modes = [net.lookup.links[crossing]["mode"]]
    closed: list[str] = []
    for _ in range(8):
        r = net.route(a, b, modes=modes, avoid=closed, **kw)
        used = [leg.link for leg in r.legs if leg.mode == "border"]
        if crossing in used:
            break
        closed += used
    assert crossing in used


def test_afghan_pakistani_crossings_closed_on_the_dataset_date_are_avoided(net):
    closed = {"torkham_af_pk_road", "wesh_chaman_road"}
    # China is avoided: at commercial truck speeds the Karakoram detour (Irkeshtam-Kashgar-Khunjerab,
    # ~3,000 km) beats Torkham's 120-h inbound dwell (CPMM 2021), which is not what this test is about
    normal = net.route("Termez", "Peshawar", modes=["road"], avoid_countries=["CN"], ignore_disruptions=True)
    assert closed & {leg.link for leg in normal.legs}
    now = net.route("Termez", "Peshawar", modes=["road"], avoid_countries=["CN"])  # as of the dataset's date
    assert not closed & {leg.link for leg in now.legs}
    assert now.totals.time_h > normal.totals.time_h


def test_termez_to_peshawar_by_road_blocked_by_the_suspension_names_the_events(net):
    with pytest.raises(NoRoute) as exc:
        net.route(
            "Termez", "Peshawar", modes=["road"], avoid_countries=["IR", "CN", "TJ"], as_of="2025-11-15"
        )
    kinds = {b.kind for b in exc.value.blockers}
    assert "disruption" in kinds
    assert "Torkham" in exc.value.reason and "Chaman" in exc.value.reason and "2025-11-15" in exc.value.reason
    before = net.route(
        "Termez", "Peshawar", modes=["road"], avoid_countries=["IR", "CN", "TJ"], as_of="2025-06-01"
    )
    assert before.countries[-1] == "PK"


def test_an_open_ended_delay_holds_while_confirmed_and_adds_its_hours(net):
    # Saryagash: trains idle 5-6 days (delay 120 h, confirmed 2025-12-09)
    on = net.route("Shymkent", "Tashkent", modes=["rail"], as_of="2025-12-09")
    off = net.route("Shymkent", "Tashkent", modes=["rail"], ignore_disruptions=True)
    if "saryagash_keles_rail" in {leg.link for leg in on.legs}:
        assert on.totals.delay_h == 120 and on.totals.time_h == pytest.approx(off.totals.time_h + 120)
    else:  # the delay pushed the route to another crossing
        assert on.totals.time_h > off.totals.time_h
    later = net.route("Shymkent", "Tashkent", modes=["rail"], as_of="2026-03-01")
    assert later.totals.delay_h == 0


def test_a_typo_in_a_place_box_picks_the_place_it_clearly_means(net):
    assert net.best_place("Tashknet").id == "tashkent"
    assert net.best_place("Almati").id == "almaty"
    assert net.best_place("Kurik").id == "kuryk"
    assert net.best_place("Nowhere") is None  # nothing close
    assert net.best_place("Alat").id == "alat"  # exact names win outright
