"""Route planner: best route and alternatives with totals, legs, staircase chart and downloads."""

from contextlib import suppress
from dataclasses import replace
from functools import partial

import streamlit as st

from corridors.costs import OBJECTIVES
from corridors.data import MODES
from corridors.export import Legend
from corridors.mapview import CROSSING_COLOR, NODE_STYLE, ROUTE_COLORS, route_frame
from corridors.places import PlaceNotFound
from corridors.share import route_request
from corridors.tables import comparison_table, leg_table, route_sources, totals_display
from pages._camera import camera_inputs, camera_state, with_camera
from pages._data import (
    dataset_key,
    network_or_stop,
    plan,
    planner_choices,
    planner_deck,
    route_file,
    staircase_specs,
)
from pages._exports import export_buttons
from pages._sharing import PRESENTER_CSS, presenter_bar, share_panel
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


def default_place(preferred: str, fallback_index: int) -> str:
    """A preferred id when the dataset has it, else a hub by position."""
    if preferred in choices.place_labels:
        return preferred
    hubs = [i for i in place_ids if choices.kinds[i] == "hub"] or place_ids
    return hubs[fallback_index]


by_label = {lab.split(" · ")[0]: i for i, lab in choices.place_labels.items()}


def find_place(text: str) -> str | None:
    """The id of a place spelled any way the library knows (names, aliases, Cyrillic...), or
    shown as the box shows it (``Poti (GE)``)."""
    if text in by_label:
        return by_label[text]
    try:
        return net.place(text).id
    except PlaceNotFound:
        return None


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


def normalize_place(widget: str) -> None:
    """A spelling typed into a place box (``Add: Алят``) becomes that place's option."""
    value = st.session_state.get(widget)
    if isinstance(value, str) and value not in choices.place_labels:
        with suppress(PlaceNotFound):  # else resolve() below falls back with a notice
            st.session_state[widget] = net.place(value).id


def route_legend(routes) -> list[Legend]:
    """Legend entries of the planner map (also used by the exports)."""
    out = [
        Legend(
            f"Route {i}{' (best)' if i == 1 else ''}: {r.summary()}",
            ROUTE_COLORS[(i - 1) % len(ROUTE_COLORS)],
        )
        for i, r in enumerate(routes, start=1)
    ]
    out.append(Legend("border crossing", CROSSING_COLOR))
    out.append(Legend("transfer or gauge change", NODE_STYLE["terminal"][0]))
    return out


def totals_line(best) -> str:
    t = best.totals
    return (
        f"{t.distance_km:,.0f} km · {t.time_h:,.1f} h (range {t.time_h_min:,.0f}-"
        f"{t.time_h_max:,.0f} h) · {t.cost_usd:,.0f} USD · {t.co2_kg:,.0f} kg CO2 · "
        f"{t.border_crossings} border crossing(s) · {t.transfers} transfer(s)"
    )


MD_COLORS = ("red", "blue", "green", "violet", "orange")

# ---- presenter mode: the map full screen, a large title, the legend, totals as the caption ----
if state.present:
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)  # a fixed style: no data in it
    request = route_request(state)  # the one query value (the CLI and links build the same)
    result = plan(key, request)
    if not result.routes:
        st.title("Route planner")
        st.warning(f"No route for this view. {md_escape(result.message)}")
        presenter_bar(state)
        st.stop()
    best = result.routes[0]
    st.title(f"{md_escape(best.query.origin.name)} → {md_escape(best.query.destination.name)}")
    st.markdown(f"#### Best by {md_escape(state.by)}: {md_escape(totals_line(best))}")
    m, lg = st.columns([5, 1.25])
    with m:
        cam = state
        if state.lat is None and state.lon is None and state.zoom is None:  # fit the big map
            f = route_frame(result.routes, width_px=980, height_px=640)
            cam = replace(state, lat=round(f.latitude, 4), lon=round(f.longitude, 4), zoom=round(f.zoom, 2))
        st.pydeck_chart(
            with_camera(planner_deck(key, request), cam, (key, request)), key="present_map", height=700
        )
    with lg:
        st.markdown("**Legend**")
        for i, r in enumerate(result.routes, start=1):
            st.markdown(
                f":{MD_COLORS[(i - 1) % len(MD_COLORS)]}[**━━ Route {i}**]"
                f"{' (best)' if i == 1 else ''}  \n{md_escape(r.summary())}  \n"
                f"{r.totals.distance_km:,.0f} km · {r.totals.time_h:,.0f} h · "
                f"{r.totals.cost_usd:,.0f} USD"
            )
        st.markdown(":red[**●**] border crossing  \n:violet[**●**] transfer, gauge change")
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
        "by": state.by,
        "modes": state.modes,
        "include_planned": state.include_planned,
        "avoid_countries": state.avoid_countries,
        "avoid": state.avoid,
    }
)

with st.container(border=True, key="planner_inputs"):
    c1, c2, c3, c4 = st.columns([3, 3, 1.1, 1.1], vertical_alignment="bottom")
    origin_v = c1.selectbox(
        "Origin",
        place_ids,
        key="origin",
        format_func=lambda i: choices.place_labels.get(i, i),
        accept_new_options=True,
        on_change=normalize_place,
        args=("origin",),
        help="Type a name or another spelling (Алят, Horgos, Termiz…)",
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
    teu = c4.number_input(
        "TEU",
        0.01,
        10_000.0,
        step=1.0,
        key="teu",
        placeholder="1 box",
        help="Shipment size in TEU: cost and CO2 scale with it, time does not (blank: one container)",
    )
    c5, c6, c7 = st.columns([3, 1.8, 1.4], vertical_alignment="bottom")
    by = c5.segmented_control(
        "Best by",
        list(OBJECTIVES),
        required=True,
        key="by",
        help="; ".join(f"{name}: {what}" for name, what in OBJECTIVES.items()),
    )
    modes = c6.pills("Modes", MODES, selection_mode="multi", key="modes")
    planned = c7.toggle(
        "Planned links",
        key="include_planned",
        help="Allow planned and under-construction links (e.g. Trans-Afghan)",
    )
    c8, c9 = st.columns([1, 2], vertical_alignment="bottom")
    avoid_c = c8.multiselect("Avoid countries", countries, key="avoid_countries", placeholder="none")
    avoid_x = c9.multiselect(
        "Avoid border crossings or places",
        avoid_ids,
        key="avoid",
        format_func=avoid_label,
        placeholder="none",
    )
    camera_inputs(state)


def resolve(value: object, fallback: str, role: str) -> str:
    """A place id for a selected or typed value; unknown text falls back with a notice."""
    text = str(value or "").strip()
    if text in choices.place_labels:
        return text
    try:
        return net.place(text).id
    except PlaceNotFound as exc:
        near = ", ".join(p.name for p in exc.suggestions[:5])
        st.warning(
            f"The {role} is not a known place{'; closest: ' + md_escape(near) if near else ''}."
            f" Showing {md_escape(names[fallback])} instead."
        )
        return fallback


origin = resolve(origin_v, d_origin, "origin")
destination = resolve(dest_v, d_dest, "destination")
if not modes:
    st.warning("Choose at least one mode.")
    st.stop()

view = replace(
    state,
    origin=origin,
    destination=destination,
    by=by or "time",
    modes=tuple(m for m in MODES if m in modes),
    avoid_countries=tuple(sorted(avoid_c)),
    avoid=tuple(sorted(avoid_x)),
    include_planned=bool(planned),
    alternatives=int(k),
    teu=None if teu is None else round(float(teu), 2),
    **camera_state(state.page),
)
sync_url(view)
request = route_request(view)  # the one query value (the CLI and links build the same)
result = plan(key, request)


def sidebar() -> None:
    """The share panel; called last (it shows in the sidebar whatever the order)."""
    share_panel(view, f"{names.get(origin, origin)} → {names.get(destination, destination)}")


if result.error == "no_route":
    st.error(f"**No route.** {md_escape(result.message)}", icon=":material/block:")
    sidebar()
    st.stop()
if result.error:
    st.warning(f"**Check the query.** {md_escape(result.message)}")
    sidebar()
    st.stop()

routes = result.routes
best = routes[0]

# ---- totals -------------------------------------------------------------------------------
st.subheader(
    f"{md_escape(best.query.origin.name)} → {md_escape(best.query.destination.name)}: "
    f"best by {by}, {md_escape(best.summary())}"
)
cols = st.columns(6)
for col, (label, (value, help_text)) in zip(cols, totals_display(best.totals).items(), strict=True):
    col.metric(label, value, help=help_text)
t = best.totals
st.caption(
    f"Countries {' > '.join(best.countries)} · corridors {md_escape(', '.join(best.corridors) or '-')}"
    f" · transit time range {t.time_h_min:,.0f}-{t.time_h_max:,.0f} h (ferry waits from none to a "
    f"full sailing interval) · {best.totals.teu:g} TEU."
    + (
        " **EST**: some legs use estimated figures (see the EST column and the sources)."
        if best.estimate
        else ""
    )
)

# ---- map and staircase --------------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    deck = with_camera(planner_deck(key, request), view, (key, request))
    st.pydeck_chart(deck, key="planner_map", height=520)
    st.caption(
        "Best route in red, alternatives in blue, green, purple; red dots are border "
        "crossings, purple dots transfers and gauge changes."
    )
    export_buttons(
        deck,
        title=f"{best.query.origin.name} → {best.query.destination.name}",
        subtitle=f"Best by {by}: {totals_line(best)}",
        legend=route_legend(routes),
        stem=f"map_{origin}_{destination}",
    )
with right:
    spec_time, spec_cost = staircase_specs(key, request)
    st.vega_lite_chart(spec=spec_time, key="stairs_time", width="stretch")
    st.vega_lite_chart(spec=spec_cost, key="stairs_cost", width="stretch")
    st.caption(
        "Time/cost-distance (UN ESCAP method): vertical steps are border dwell, "
        "transfers and ferry waits; slopes are line hauls and sailings."
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
st.dataframe(
    legs,
    hide_index=True,
    width="stretch",
    key="legs_table",
    column_config={
        "km": st.column_config.NumberColumn(format="%.0f"),
        "hours": st.column_config.NumberColumn(format="%.1f"),
        "border dwell h": st.column_config.NumberColumn(format="%.1f"),
        "other wait h": st.column_config.NumberColumn(format="%.1f", help="ferry wait or handling time"),
        "USD": st.column_config.NumberColumn(format="%.0f"),
        "kg CO2": st.column_config.NumberColumn(format="%.0f"),
        "EST": st.column_config.TextColumn(help="EST: an estimated figure"),
    },
)
st.caption(
    "**EST** marks a leg whose figures are estimates (a country-average border dwell, a "
    "geodesic length × circuity, a default speed or handling time); the note says which."
)

if len(routes) > 1:
    st.subheader("Alternatives side by side")
    st.dataframe(comparison_table(routes), width="stretch", key="compare_table")

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
        partial(route_file, key, request, fmt),
        file_name=f"route_{origin}_{destination}.{ext}",
        mime=mime,
        key=f"download_{fmt}",
        on_click="ignore",
        icon=":material/download:",
    )
sidebar()
