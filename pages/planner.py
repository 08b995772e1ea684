"""Route planner: route cards, the map, where the time and money go, legs, alternatives, downloads."""

from contextlib import suppress
from dataclasses import replace
from datetime import date
from functools import partial

import streamlit as st

from corridors.costs import OBJECTIVES
from corridors.data import MODES
from corridors.export import Legend
from corridors.mapview import CROSSING_COLOR, NODE_STYLE, ROUTE_COLORS, route_frame
from corridors.places import COUNTRY_NAMES, CountryNotFound, PlaceNotFound, resolve_country
from corridors.request import CONTAINERS
from corridors.share import route_request
from corridors.tables import comparison_table, leg_table, route_card, route_sources, totals_display
from corridors.tours import TourStoreError
from pages._camera import camera_inputs, camera_state, with_camera
from pages._data import (
    dataset_key,
    geodata_dir,
    network_for,
    network_or_stop,
    plan,
    planner_charts,
    planner_choices,
    planner_deck,
    route_file,
)
from pages._exports import export_buttons
from pages._sharing import PRESENTER_CSS, presenter_bar, share_panel, slide_title
from pages._text import md_escape
from pages._urlstate import ensure_router, seed, sync_url, url_view

ensure_router()

net = network_or_stop()
ds = net.dataset
key = dataset_key()

# ---- options ------------------------------------------------------------------------------
choices = planner_choices(key)
place_ids = list(choices.place_labels)
crossing_ids = list(choices.crossing_labels)
countries = list(choices.countries)
names = choices.names
link_ids = list(choices.link_ids)
OBJECTIVE_LABELS = {"time_p90": "time (P90)"}


def default_place(preferred: str, fallback_index: int) -> str:
    """A preferred id when the dataset has it, else a hub by position."""
    if preferred in choices.place_labels:
        return preferred
    hubs = [i for i in place_ids if choices.kinds[i] == "hub"] or place_ids
    return hubs[fallback_index]


by_label = {lab.split(" · ")[0]: i for i, lab in choices.place_labels.items()}


def find_place(text: str) -> str | None:
    """The id of a place spelled any way the library knows (names, aliases, Cyrillic, a typo it is sure
    of), or shown as the box shows it (``Poti (GE)``)."""
    if text in by_label:
        return by_label[text]
    try:
        return net.place(text).id
    except PlaceNotFound:
        best = net.best_place(text)
        return best.id if best is not None else None


d_origin = default_place("altynkol", 0)
d_dest = default_place("poti", -1)

# the link, validated once (corridors.share.parse_view); invalid parts fall back with a notice
state = url_view(
    "planner", place_ids=place_ids, link_ids=link_ids, countries=countries, resolve_place=find_place
)
state = replace(
    state,
    origin=state.origin or d_origin,
    destination=state.destination or (d_dest if state.origin != d_dest else d_origin),
)
# avoid: border crossings, then any place, then other links a link (or the CLI) names
avoid_ids = (
    crossing_ids
    + place_ids
    + [a for a in state.avoid if a not in crossing_ids and a not in choices.place_labels]
)


def avoid_label(i: str) -> str:
    if i in choices.crossing_labels:
        return choices.crossing_labels[i]
    if i in names:
        return f"{names[i]} (place)"
    return f"{i} (link)"


def country_label(code: str) -> str:
    known = COUNTRY_NAMES.get(code)
    return f"{known[0]} ({code})" if known else code


def normalize_place(widget: str) -> None:
    """A spelling typed into a place box and confirmed with Enter (``Алят``, ``Tashknet``) becomes the
    place it most likely means; text nothing matches stays, and the page says so."""
    value = st.session_state.get(widget)
    if isinstance(value, str) and value not in choices.place_labels:
        found = find_place(value)
        if found is not None:
            st.session_state[widget] = found


def normalize_countries() -> None:
    """Country names typed in any spelling (``Russia``, ``Россия``, ``Türkiye``) become their codes."""
    picked = st.session_state.get("avoid_countries") or []
    out: list[str] = []
    bad: list[str] = []
    for v in picked:
        try:
            code = v if v in countries else resolve_country(str(v), countries)
        except CountryNotFound:
            bad.append(str(v))
            continue
        if code not in out:
            out.append(code)
    st.session_state["avoid_countries"] = out
    st.session_state["_country_unknown"] = bad


def route_legend(routes) -> list[Legend]:
    """Legend entries of the planner map (also used by the exports)."""
    out = [
        Legend(
            f"Route {i}{' (best)' if i == 1 else ''}: {r.summary()}",
            ROUTE_COLORS[(i - 1) % len(ROUTE_COLORS)],
        )
        for i, r in enumerate(routes, start=1)
    ]
    out.append(Legend("border crossing", CROSSING_COLOR, mark="dot", width=10))
    out.append(Legend("transfer or gauge change", NODE_STYLE["terminal"][0], mark="dot", width=10))
    return out


def days_text(route) -> str:
    d = route.distribution
    if d is None:
        return f"{route.totals.time_h / 24:,.1f} days"
    return f"{d.p50 / 24:,.1f} days (P10–P90 {d.p10 / 24:,.1f}–{d.p90 / 24:,.1f})"


def totals_line(best) -> str:
    t = best.totals
    return (
        f"{t.distance_km:,.0f} km · {days_text(best)} · {t.cost_usd:,.0f} USD "
        f"({best.query.container}) · {t.co2_kg:,.0f} kg CO2 · {t.border_crossings} border crossing(s)"
    )


def scenario_choices(geodata) -> dict[str, str]:
    """ "" (none) first, then shipped scenario ids and saved ones (``saved_<n>``) with their names."""
    from pages._compare import files_signature, scenario_dir, shipped_names
    from pages._sharing import tour_store

    out = {"": ""}
    folder = scenario_dir(geodata)
    out |= shipped_names(str(folder), files_signature(folder))
    with suppress(TourStoreError):  # an unreadable tour database: shipped scenarios only
        out |= {f"saved_{i}": f"{name} (saved)" for i, name in tour_store().scenarios()}
    return out


MD_COLORS = ("red", "blue", "green", "violet", "orange")

# ---- presenter mode: the map full screen, a large title, the legend, totals as the caption ----
if state.present:
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)  # a fixed style: no data in it
    request = route_request(state)  # the one query value (the CLI and links build the same)
    result = plan(key, request, state.scenario)
    if not result.routes:
        st.title("Route planner")
        st.warning(f"No route for this view. {md_escape(result.message)}")
        presenter_bar(state)
        st.stop()
    best = result.routes[0]
    st.title(md_escape(slide_title(state, f"{best.query.origin.name} → {best.query.destination.name}")))
    route_name = f"{best.query.origin.name} → {best.query.destination.name}"
    st.markdown(
        f"#### {md_escape(route_name)}, best by {md_escape(OBJECTIVE_LABELS.get(state.by, state.by))}: "
        f"{md_escape(totals_line(best))}"
    )
    m, lg = st.columns([5, 1.25])
    with m:
        cam = state
        if state.lat is None and state.lon is None and state.zoom is None:  # fit the big map
            f = route_frame(result.routes, width_px=980, height_px=640)
            cam = replace(state, lat=round(f.latitude, 4), lon=round(f.longitude, 4), zoom=round(f.zoom, 2))
        st.pydeck_chart(
            with_camera(planner_deck(key, request, state.scenario), cam, (key, request, state.scenario)),
            key="present_map",
            height=700,
        )
    with lg:
        st.markdown("**Legend**")
        for i, r in enumerate(result.routes, start=1):
            st.markdown(
                f":{MD_COLORS[(i - 1) % len(MD_COLORS)]}[**━━ Route {i}**]"
                f"{' (best)' if i == 1 else ''}  \n{md_escape(r.summary())}  \n"
                f"{r.totals.distance_km:,.0f} km · {days_text(r)} · {r.totals.cost_usd:,.0f} USD"
            )
        st.markdown(
            ":red[**●**] border crossing  \n:violet[**●**] transfer, gauge change  \n"
            "dashed: ferry · dotted, faded: not running yet"
        )
        st.caption("Basemap © CARTO, © OpenStreetMap contributors.")
    presenter_bar(state)
    st.stop()

st.title("Route planner")
seed(
    {
        "origin": state.origin,
        "destination": state.destination,
        "alternatives": state.alternatives,
        "teu": state.teu,
        "container": state.container,
        "by": state.by,
        "modes": state.modes,
        "include_planned": state.include_planned,
        "avoid_countries": state.avoid_countries,
        "avoid": state.avoid,
        # the "More options" expander is lazy: closed, these keep the link's values
        "via": state.via,
        "as_of": None if state.as_of is None else date.fromisoformat(state.as_of),
        "ignore_disruptions": state.ignore_disruptions,
        "deadline": state.deadline,
        "detours": state.detours,
        "planner_scenario": state.scenario or "",
    }
)

with st.container(border=True, key="planner_inputs"):
    c1, c2, c3, c4, c5 = st.columns([3, 3, 1.0, 1.5, 1.1], vertical_alignment="bottom")
    origin_v = c1.selectbox(
        "Origin",
        place_ids,
        key="origin",
        format_func=lambda i: choices.place_labels.get(i, i),
        accept_new_options=True,
        on_change=normalize_place,
        args=("origin",),
        help="Type a name or another spelling (Алят, Horgos, Termiz…) and press Enter",
    )
    dest_v = c2.selectbox(
        "Destination",
        place_ids,
        key="destination",
        format_func=lambda i: choices.place_labels.get(i, i),
        accept_new_options=True,
        on_change=normalize_place,
        args=("destination",),
    )
    k = c3.number_input(
        "Routes", 1, 5, step=1, key="alternatives", help="Best route plus meaningfully different alternatives"
    )
    container = c4.segmented_control(
        "Container",
        list(CONTAINERS),
        required=True,
        key="container",
        help="Priced by each box's own tariffs (a 40-ft box is not twice a 20-ft one)",
    )
    teu = c5.number_input(
        "TEU",
        0.01,
        10_000.0,
        step=1.0,
        key="teu",
        placeholder="1 box",
        help="Shipment size in TEU: cost and CO2 scale with it, time does not (blank: one container)",
    )
    c6, c7, c8 = st.columns([3, 1.8, 1.4], vertical_alignment="bottom")
    by = c6.segmented_control(
        "Best by",
        list(OBJECTIVES),
        required=True,
        key="by",
        format_func=lambda o: OBJECTIVE_LABELS.get(o, o),
        help="; ".join(f"{OBJECTIVE_LABELS.get(n, n)}: {what}" for n, what in OBJECTIVES.items()),
    )
    modes = c7.pills("Modes", MODES, selection_mode="multi", key="modes")
    planned = c8.toggle(
        "Planned links",
        key="include_planned",
        help="Allow planned and under-construction links (e.g. Trans-Afghan)",
    )
    c9, c10 = st.columns([1, 2], vertical_alignment="bottom")
    c9.multiselect(
        "Avoid countries",
        countries,
        key="avoid_countries",
        format_func=country_label,
        accept_new_options=True,
        on_change=normalize_countries,
        placeholder="none (type a name: Russia, Россия…)",
    )
    avoid_x = c10.multiselect(
        "Avoid border crossings or places",
        avoid_ids,
        key="avoid",
        format_func=avoid_label,
        placeholder="none",
    )
    more = st.expander(
        "More options: via, date and disruptions, deadline, detours",
        icon=":material/tune:",
        key="planner_more",
        on_change="rerun",
    )
    if more.open:  # lazy: built only while open; closed, the link's values apply
        with more:
            m1, m2 = st.columns([2, 1], vertical_alignment="bottom")
            m1.multiselect(
                "Via (in order)",
                place_ids,
                key="via",
                format_func=lambda i: choices.place_labels.get(i, i),
                placeholder="none",
                help="Places the route must pass through, in the order picked",
            )
            m2.number_input(
                "Deadline (days)",
                0.1,
                365.0,
                value=None,
                step=1.0,
                key="deadline",
                placeholder="none",
                help="Shows the chance of arriving within it (from the transit-time distribution)",
            )
            m3, m4, m5 = st.columns([1, 1, 1], vertical_alignment="bottom")
            m3.date_input(
                "As of",
                value=None,
                min_value=date(1990, 1, 1),
                max_value=date(2100, 12, 31),
                key="as_of",
                help=f"Disruptions in force on this date apply (blank: the dataset's date, {ds.as_of})",
            )
            m4.toggle(
                "Ignore disruptions",
                key="ignore_disruptions",
                help="Normal operations: no dated event applies",
            )
            m5.toggle(
                "Long detours",
                key="detours",
                help="Keep alternatives longer than twice the best route (dropped by default)",
            )
            scen_names = scenario_choices(geodata_dir())
            if st.session_state.get("planner_scenario") not in scen_names:  # a link's unknown id stays
                scen_names[st.session_state["planner_scenario"]] = st.session_state["planner_scenario"]
            st.selectbox(
                "Scenario",
                list(scen_names),
                key="planner_scenario",
                format_func=lambda i: scen_names.get(i, i) or "none (the baseline)",
                help="Route under a shipped or saved scenario (see the Scenarios page)",
            )
    camera_inputs(state)

if st.session_state.pop("_country_unknown", None):
    st.warning("Some typed countries are not known and were left out; pick them from the list.")


def resolve(value: object, role: str) -> str | None:
    """A place id for a selected or typed value; unknown text stops the page with suggestions."""
    text = str(value or "").strip()
    if text in choices.place_labels:
        return text
    found = find_place(text)
    if found is not None:
        return found
    try:
        net.place(text)
    except PlaceNotFound as exc:
        near = ", ".join(p.name for p in exc.suggestions[:5])
        st.error(
            f"**{role.capitalize()} not found:** {md_escape(text[:80])!s} is not a known place."
            + (f" Closest names: {md_escape(near)}." if near else "")
            + f" Pick one in the **{role.capitalize()}** box.",
            icon=":material/search_off:",
        )
    return None


origin = resolve(origin_v, "origin")
destination = resolve(dest_v, "destination")
if origin is None or destination is None:
    st.stop()
if not modes:
    st.warning("Choose at least one mode in **Modes**.")
    st.stop()

as_of_v = st.session_state.get("as_of")
deadline_v = st.session_state.get("deadline")
view = replace(
    state,
    origin=origin,
    destination=destination,
    by=by or "time",
    modes=tuple(m for m in MODES if m in modes),
    avoid_countries=tuple(sorted(st.session_state.get("avoid_countries") or [])),
    avoid=tuple(sorted(avoid_x)),
    via=tuple(v for v in (st.session_state.get("via") or []) if v in choices.place_labels),
    include_planned=bool(planned),
    alternatives=int(k),
    teu=None if teu is None else round(float(teu), 2),
    container=container or "20ft",
    as_of=as_of_v.isoformat() if isinstance(as_of_v, date) else None,
    ignore_disruptions=bool(st.session_state.get("ignore_disruptions")),
    deadline=None if deadline_v is None else round(float(deadline_v), 2),
    detours=bool(st.session_state.get("detours")),
    scenario=st.session_state.get("planner_scenario") or None,
    **camera_state(state.page),
)
sync_url(view)
scenario = view.scenario
request = route_request(view)  # the one query value (the CLI and links build the same)
result = plan(key, request, scenario)


def sidebar() -> None:
    """The share panel; called last (it shows in the sidebar whatever the order)."""
    share_panel(view, f"{names.get(origin, origin)} → {names.get(destination, destination)}")


#: How to relax each kind of blocker on this page (the library's sentences name no widget).
WIDGET_HINTS = {
    "planned": "turn on **Planned links**",
    "modes": "add modes in **Modes**",
    "avoid_countries": "remove it from **Avoid countries**",
    "avoid": "remove it from **Avoid border crossings or places**",
    "via": "change **Via** under *More options*",
    "disruption": "turn on **Ignore disruptions** or pick another **As of** date under *More options*",
}

if scenario:
    st.info(
        f"Under the scenario **{md_escape(scenario)}** (see the *Scenarios* page).", icon=":material/science:"
    )
if result.error == "no_route":
    lines = [
        f"- {md_escape(b.text)}" + (f": {WIDGET_HINTS[b.kind]}." if b.kind in WIDGET_HINTS else ".")
        for b in result.blockers
    ]
    st.error(
        "**No route.** " + ("\n" + "\n".join(lines) if lines else md_escape(result.message)),
        icon=":material/block:",
    )
    sidebar()
    st.stop()
if result.error:
    st.warning(f"**Check the query.** {md_escape(result.message)}")
    sidebar()
    st.stop()

routes = result.routes
best = routes[0]
cards = [route_card(r) for r in routes]

# ---- headline, banners; the map beside the route cards --------------------------------------
st.subheader(
    f"{md_escape(best.query.origin.name)} → {md_escape(best.query.destination.name)} · "
    f"best by {OBJECTIVE_LABELS.get(view.by, view.by)}"
)
if cards[0]["not_running"]:
    st.warning(
        "**The best route depends on a line that does not run yet** (planned or under construction: "
        f"{md_escape(', '.join(cards[0]['not_running']))}). Its figures are what the line is planned to "
        "do; turn off **Planned links** to see what runs today.",
        icon=":material/construction:",
    )
left, right = st.columns([3, 2])
with left:
    deck = with_camera(planner_deck(key, request, scenario), view, (key, request, scenario))
    st.pydeck_chart(deck, key="planner_map", height=520)
    st.caption(
        "Best route in red, alternatives in blue, green, purple; ferry legs dashed; lines that do not run "
        "yet dotted and faded; road narrower than rail. Red dots are border crossings, purple dots "
        "transfers and gauge changes."
    )
with right:
    for i, card in enumerate(cards, start=1):
        with st.container(border=True):
            st.markdown(
                f":{MD_COLORS[(i - 1) % len(MD_COLORS)]}[**Route {i}**]{' (best)' if i == 1 else ''} · "
                f"{md_escape(card['modes'])}  \n**{md_escape(card['days'])}** · **{md_escape(card['cost'])}**"
                f"  \nCrossings: {md_escape(', '.join(card['crossings']) or 'none')}"
                f"  \nPorts: {md_escape(', '.join(card['ports']) or 'none')}"
                + (
                    f"  \n:orange[Not running yet: {md_escape(', '.join(card['not_running']))}]"
                    if card["not_running"]
                    else ""
                )
            )
    notes = []
    if result.dropped:
        notes.append(
            f"{result.dropped} alternative(s) dropped: longer than {result.max_detour:g}× the best route's "
            "distance (turn on **Long detours** under *More options* to see them)."
        )
    if len(routes) > 1 and all(r.distribution for r in routes):
        p10s = [r.distribution.p10 for r in routes]  # type: ignore[union-attr]
        p90s = [r.distribution.p90 for r in routes]  # type: ignore[union-attr]
        if max(p10s) <= min(p90s):
            notes.append(
                "The routes' transit times overlap within their P10–P90 ranges: which one is quicker on a "
                "given shipment is uncertain."
            )
    in_force = best.disruptions_in_force
    if in_force:
        on_route = {e for leg in best.legs for e in leg.events}
        here = [e.title for e in in_force if e.id in on_route]
        elsewhere = [e.title for e in in_force if e.id not in on_route]
        notes.append(
            f":orange[**{len(in_force)} disruption(s) in force on "
            f"{best.query.as_of or network_for(key, scenario).as_of}**] (closures avoided, delays added). "
            + (f"On this route: {md_escape('; '.join(here))}. " if here else "None on this route. ")
            + (f"Elsewhere: {md_escape('; '.join(elsewhere))}." if elsewhere else "")
        )
    for note in notes:
        st.caption(note)
with left:
    export_buttons(
        deck,
        title=f"{best.query.origin.name} → {best.query.destination.name}",
        subtitle=f"Best by {OBJECTIVE_LABELS.get(view.by, view.by)}: {totals_line(best)}",
        legend=route_legend(routes),
        stem=f"map_{origin}_{destination}",
    )

charts = planner_charts(key, request, scenario)
b1, b2 = st.columns(2)
with b1:
    st.markdown("**Where the time goes** (hours)")
    st.image(charts.time_parts, width="stretch")
with b2:
    st.markdown(f"**Where the money goes** (USD, {view.container} container)")
    st.image(charts.cost_items, width="stretch")

# ---- totals -------------------------------------------------------------------------------
cols = st.columns(6)
for col, (label, (value, help_text)) in zip(cols, totals_display(best.totals).items(), strict=True):
    col.metric(label, value, help=help_text)
t = best.totals
d = best.distribution
st.caption(
    f"Countries {' > '.join(best.countries)} · corridors {md_escape(', '.join(best.corridors) or '-')}"
    + (
        f" · transit time P10 {d.p10:,.0f} h, P50 {d.p50:,.0f} h, P90 {d.p90:,.0f} h ({d.samples:,} draws)"
        if d is not None
        else f" · transit time range {t.time_h_min:,.0f}-{t.time_h_max:,.0f} h"
    )
    + (
        f" · **{d.p_on_time:.0%}** chance of arriving within {view.deadline:g} days"
        if d is not None and d.p_on_time is not None and view.deadline
        else ""
    )
    + f" · {t.teu:g} TEU in {view.container} containers"
    + (
        " · **EST**: some legs use estimated figures (see the EST column and the sources)."
        if best.estimate
        else "."
    )
)

s1, s2 = st.columns(2)
with s1:
    st.image(charts.time, width="stretch")
with s2:
    st.image(charts.cost, width="stretch")
st.caption(
    "Time/cost-distance (UN ESCAP method): vertical steps are border dwell, transfers and ferry waits; "
    "slopes are line hauls and sailings; the shaded band is the best route's P10–P90 cumulative time."
)

# ---- legs ---------------------------------------------------------------------------------
st.subheader("Legs")
which = 1
if len(routes) > 1:
    which = st.segmented_control(
        "Legs of",
        list(range(1, len(routes) + 1)),
        default=1,
        required=True,
        key="legs_of",
        format_func=lambda i: f"Route {i}" + (" (best)" if i == 1 else ""),
    )
legs = leg_table(routes[(which or 1) - 1])
one, zero = "{:,.1f}", "{:,.0f}"
formats = {
    "km": zero,
    "hours": one,
    "border dwell h": one,
    "other wait h": one,
    "delay h": one,
    "kg CO2": zero,
}
formats |= {c: zero for c in legs.columns if c.endswith("USD")}
# static tables (st.table): the grid library of st.dataframe is half a megabyte of script the page
# would load before its map could draw (README, *Page load*)
st.table(
    legs.style.format(formats, na_rep=""), hide_index=True, alt="Legs of the route"
)  # blanks, never "None"
st.caption(
    "**EST** marks a leg whose figures are estimates (a country-average border dwell, a "
    "geodesic length × circuity, a default speed or handling time); the note says which. *Other wait h*: "
    "ferry wait or handling time; *delay h*: added by a disruption in force; *price basis*: the tariff or "
    "estimate the price comes from, and its year."
)

if len(routes) > 1:
    st.subheader("Alternatives side by side")
    st.table(comparison_table(routes), alt="The routes side by side")

sources = st.expander("Sources of these routes", key="route_sources_open", on_change="rerun")
if sources.open:  # a lazy expander: the table is built only while it is open
    with sources:
        st.dataframe(
            route_sources(ds, routes),
            hide_index=True,
            width="stretch",
            column_order=["id", "title", "url", "publisher", "date", "flag", "note"],
            column_config={"url": st.column_config.LinkColumn("url")},
        )

st.markdown("**Download** (the same files as `corridors route … --format …`)")
dl = st.columns(4)
for col, (fmt, ext, mime) in zip(
    dl,
    (
        ("json", "json", "application/json"),
        ("csv", "csv", "text/csv"),
        ("geojson", "geojson", "application/geo+json"),
        ("table", "txt", "text/plain"),
    ),
    strict=True,
):
    col.download_button(
        fmt.upper() if fmt != "table" else "Table",
        partial(route_file, key, request, fmt, scenario),
        file_name=f"route_{origin}_{destination}.{ext}",
        mime=mime,
        key=f"download_{fmt}",
        on_click="ignore",
        icon=":material/download:",
    )
sidebar()
