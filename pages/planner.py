"""Route planner: best route and alternatives with totals, legs, staircase chart and downloads."""

from contextlib import suppress
from functools import partial

import streamlit as st

from corridors.costs import OBJECTIVES
from corridors.data import MODES
from corridors.places import PlaceNotFound
from corridors.tables import comparison_table, leg_table, route_sources, totals_display
from pages._common import (
    boolean,
    check_params,
    dataset_key,
    ensure_router,
    md_escape,
    network_or_stop,
    number_in,
    one_of,
    plan,
    planner_choices,
    planner_deck,
    route_file,
    staircase_specs,
    subset_of,
)

ensure_router()

net = network_or_stop()
ds = net.dataset
key = dataset_key()

st.title("Route planner")

# ---- options ------------------------------------------------------------------------------
choices = planner_choices(key)
place_ids = list(choices.place_labels)
crossing_ids = list(choices.crossing_labels)
countries = list(choices.countries)
names = choices.names


def default_place(preferred: str, fallback_index: int) -> str:
    """A preferred id when the dataset has it, else a hub by position."""
    if preferred in choices.place_labels:
        return preferred
    hubs = [i for i in place_ids if choices.kinds[i] == "hub"] or place_ids
    return hubs[fallback_index]


d_origin = default_place("altynkol", 0)
d_dest = default_place("poti", -1)

check_params({
    "origin": lambda vs: len(vs) == 1,  # any text: resolved below, with a notice when unknown
    "destination": lambda vs: len(vs) == 1,
    "by": one_of(OBJECTIVES),
    "modes": subset_of(MODES),
    "avoid_countries": subset_of(countries),
    "avoid": subset_of(choices.crossing_labels.values()),
    "include_planned": boolean,
    "alternatives": number_in(1, 5),
    "teu": number_in(1, 1000),
})

def normalize_place(widget: str) -> None:
    """A spelling typed into a place box (``Add: Алят``) becomes that place's option."""
    value = st.session_state.get(widget)
    if isinstance(value, str) and value not in choices.place_labels:
        with suppress(PlaceNotFound):  # else resolve() below falls back with a notice
            st.session_state[widget] = net.place(value).id


with st.container(border=True, key="planner_inputs"):
    c1, c2, c3, c4 = st.columns([3, 3, 1.1, 1.1], vertical_alignment="bottom")
    origin_v = c1.selectbox("Origin", place_ids, index=place_ids.index(d_origin), key="origin",
                            format_func=choices.place_labels.get, accept_new_options=True,
                            bind="query-params", on_change=normalize_place, args=("origin",),
                            help="Type a name or another spelling (Алят, Horgos, Termiz…)")
    dest_v = c2.selectbox("Destination", place_ids, index=place_ids.index(d_dest),
                          key="destination", format_func=choices.place_labels.get,
                          accept_new_options=True, bind="query-params", on_change=normalize_place,
                          args=("destination",))
    k = c3.number_input("Routes", 1, 5, 3, step=1, key="alternatives", bind="query-params",
                        help="Best route plus meaningfully different alternatives")
    teu = c4.number_input("TEU", 1.0, 1000.0, 1.0, step=1.0, key="teu", bind="query-params",
                          help="Shipment size: cost and CO2 scale with it, time does not")
    c5, c6, c7 = st.columns([3, 1.8, 1.4], vertical_alignment="bottom")
    by = c5.segmented_control("Best by", list(OBJECTIVES), default="time", required=True,
                              key="by", bind="query-params",
                              help="; ".join(f"{name}: {what}" for name, what in OBJECTIVES.items()))
    modes = c6.pills("Modes", MODES, selection_mode="multi", default=list(MODES), key="modes",
                     bind="query-params")
    planned = c7.toggle("Planned links", value=False, key="include_planned", bind="query-params",
                        help="Allow planned and under-construction links (e.g. Trans-Afghan)")
    c8, c9 = st.columns([1, 2], vertical_alignment="bottom")
    avoid_c = c8.multiselect("Avoid countries", countries, default=[], key="avoid_countries",
                             bind="query-params", placeholder="none")
    avoid_x = c9.multiselect("Avoid border crossings", crossing_ids, default=[], key="avoid",
                             format_func=choices.crossing_labels.get, bind="query-params", placeholder="none")


def resolve(value: object, fallback: str, role: str) -> str:
    """A place id for a selected or typed value; unknown text falls back with a notice."""
    text = str(value or "").strip()
    if text in choices.place_labels:
        return text
    try:
        return net.place(text).id
    except PlaceNotFound as exc:
        near = ", ".join(p.name for p in exc.suggestions[:5])
        st.warning(f"The {role} is not a known place{'; closest: ' + md_escape(near) if near else ''}."
                   f" Showing {md_escape(names[fallback])} instead.")
        return fallback


origin = resolve(origin_v, d_origin, "origin")
destination = resolve(dest_v, d_dest, "destination")
if not modes:
    st.warning("Choose at least one mode.")
    st.stop()

inputs = (key, origin, destination, by or "time", tuple(sorted(modes)), tuple(sorted(avoid_c)),
          tuple(sorted(avoid_x)), bool(planned), int(k), float(teu))
result = plan(*inputs)

if result.error == "no_route":
    st.error(f"**No route.** {md_escape(result.message)}", icon=":material/block:")
    st.stop()
if result.error:
    st.warning(f"**Check the query.** {md_escape(result.message)}")
    st.stop()

routes = result.routes
best = routes[0]

# ---- totals -------------------------------------------------------------------------------
st.subheader(f"{md_escape(best.query.origin.name)} → {md_escape(best.query.destination.name)}: "
             f"best by {by}, {md_escape(best.summary())}")
cols = st.columns(6)
for col, (label, (value, help_text)) in zip(cols, totals_display(best.totals).items(), strict=True):
    col.metric(label, value, help=help_text)
t = best.totals
st.caption(
    f"Countries {' > '.join(best.countries)} · corridors {md_escape(', '.join(best.corridors) or '-')}"
    f" · transit time range {t.time_h_min:,.0f}-{t.time_h_max:,.0f} h (ferry waits from none to a "
    f"full sailing interval) · {teu:g} TEU."
    + (" **EST**: some legs use estimated figures (see the EST column and the sources)."
       if best.estimate else "")
)

# ---- map and staircase --------------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    st.pydeck_chart(planner_deck(*inputs), key="planner_map", height=520)
    st.caption("Best route in red, alternatives in blue, green, purple; red dots are border "
               "crossings, purple dots transfers and gauge changes.")
with right:
    spec_time, spec_cost = staircase_specs(*inputs)
    st.vega_lite_chart(spec=spec_time, key="stairs_time", width="stretch")
    st.vega_lite_chart(spec=spec_cost, key="stairs_cost", width="stretch")
    st.caption("Time/cost-distance (UN ESCAP method): vertical steps are border dwell, "
               "transfers and ferry waits; slopes are line hauls and sailings.")

# ---- legs ---------------------------------------------------------------------------------
st.subheader("Legs")
which = 1
if len(routes) > 1:
    which = st.segmented_control("Legs of", list(range(1, len(routes) + 1)), default=1,
                                 required=True, key="legs_of",
                                 format_func=lambda i: f"Route {i}" + (" (best)" if i == 1 else ""))
legs = leg_table(routes[(which or 1) - 1])
st.dataframe(legs, hide_index=True, width="stretch", key="legs_table",
             column_config={
                 "km": st.column_config.NumberColumn(format="%.0f"),
                 "hours": st.column_config.NumberColumn(format="%.1f"),
                 "border dwell h": st.column_config.NumberColumn(format="%.1f"),
                 "other wait h": st.column_config.NumberColumn(
                     format="%.1f", help="ferry wait or handling time"),
                 "USD": st.column_config.NumberColumn(format="%.0f"),
                 "kg CO2": st.column_config.NumberColumn(format="%.0f"),
                 "EST": st.column_config.TextColumn(help="EST: an estimated figure"),
             })
st.caption("**EST** marks a leg whose figures are estimates (a country-average border dwell, a "
           "geodesic length × circuity, a default speed or handling time); the note says which.")

if len(routes) > 1:
    st.subheader("Alternatives side by side")
    st.dataframe(comparison_table(routes), width="stretch", key="compare_table")

with st.expander("Sources of these routes"):
    st.dataframe(route_sources(ds, routes), hide_index=True, width="stretch",
                 column_order=["id", "title", "url", "publisher", "date", "flag", "note"],
                 column_config={"url": st.column_config.LinkColumn("url")})

st.markdown("**Download** (the same files as `corridors route … --format …`)")
dl = st.columns(4)
for col, (fmt, ext, mime) in zip(dl, (("json", "json", "application/json"),
                                      ("csv", "csv", "text/csv"),
                                      ("geojson", "geojson", "application/geo+json"),
                                      ("table", "txt", "text/plain")), strict=True):
    col.download_button(fmt.upper() if fmt != "table" else "Table", partial(route_file, *inputs, fmt),
                        file_name=f"route_{origin}_{destination}.{ext}", mime=mime,
                        key=f"download_{fmt}", on_click="ignore", icon=":material/download:")
