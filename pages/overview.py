"""Corridor overview: every corridor on one map, width by freight volume; click for details."""

from dataclasses import replace

import streamlit as st

from corridors.data import MODES, STATUSES
from corridors.export import Legend
from corridors.mapview import map_frame, selected_feature
from corridors.tables import feature_details
from corridors.volumes import SELECTION_RULE
from pages._camera import camera_inputs, camera_state, with_camera
from pages._data import (
    cached_overview_deck,
    dataset_key,
    figures_table,
    legend_image,
    network_or_stop,
    overview_choices,
)
from pages._exports import export_buttons
from pages._sharing import PRESENTER_CSS, presenter_bar, share_panel
from pages._text import md_escape
from pages._urlstate import ensure_router, seed, sync_url, url_view

ensure_router()

net = network_or_stop()
ds = net.dataset
key = dataset_key()

choices = overview_choices(key)  # computed once per dataset version
names = choices.names
colors = choices.colors
corridor_ids = list(choices.corridor_ids)
years = list(choices.years)
year0 = choices.year0
year_default = choices.year_default

state = url_view("overview", place_ids=choices.node_ids, link_ids=choices.link_ids, corridor_ids=corridor_ids)
if state.year is not None and state.year not in years:
    st.warning(
        f"No corridor freight figures for {state.year}: showing "
        f"{year0 if year0 is not None else 'no year'} instead.",
        icon=":material/link_off:",
    )
    state = replace(state, year=None)


def deck_inputs(view) -> tuple:
    """The plain, hashable inputs of the overview deck for a view."""
    year = view.year if view.year is not None else year_default
    return (
        key,
        year,
        tuple(view.corridors) or None,
        tuple(view.modes or ()),
        tuple(view.statuses or ()),
        view.labels,
    )


def legend_entries(view) -> list[Legend]:
    chosen = set(view.corridors) or set(corridor_ids)
    return [Legend(names.get(c, c), colors[c]) for c in corridor_ids if c in chosen]


def feature_layer(fid: str) -> str:
    return "nodes" if fid in ds.nodes.index else "links"


# ---- presenter mode ---------------------------------------------------------------------------
if state.present:
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)  # a fixed style: no data in it
    inputs = deck_inputs(state)
    st.title("Freight corridors of Central Asia and the Caspian")
    year = inputs[1]
    st.markdown(
        f"#### Line width = corridor freight in tonnes, {year or 'no year'}; colour = "
        "corridor; dashed = under construction, dotted = planned"
    )
    m, lg = st.columns([4.2, 1.5])
    with m:
        cam = state
        if state.lat is None and state.lon is None and state.zoom is None:  # fit the big map
            f = map_frame(ds, width_px=1000, height_px=680)
            cam = replace(state, lat=round(f.latitude, 4), lon=round(f.longitude, 4), zoom=round(f.zoom, 2))
        st.pydeck_chart(
            with_camera(cached_overview_deck(*inputs), cam, inputs), key="present_map", height=700
        )
    with lg:
        st.image(legend_image(key, year, tuple(state.corridors) or None), width="content", alt="Map legend")
        st.caption("Basemap © CARTO, © OpenStreetMap contributors. EST: an estimate.")
    if state.selected:
        details = feature_details(ds, feature_layer(state.selected), state.selected, year=year)
        if details is not None:
            st.markdown(f"**Selected:** {md_escape(details.title)}")
    presenter_bar(state)
    st.stop()

st.title("Corridor overview")
seed(
    {
        "corridor": state.corridors,
        "year": state.year if state.year is not None else year_default,
        "labels": state.labels,
        "mode": state.modes,
        "status": state.statuses,
    }
)

c1, c2, c3 = st.columns([4, 1.2, 0.8], vertical_alignment="bottom")
chosen = c1.multiselect(
    "Corridors",
    corridor_ids,
    key="corridor",
    format_func=lambda c: names.get(c, c),
    placeholder="All corridors",
)
year = c2.selectbox(
    "Volume year",
    years or [None],
    key="year",
    format_func=lambda y: "no data" if y is None else str(y),
    disabled=not years,
    help="Line width = corridor freight (t) in this year",
)
labels = c3.toggle("Labels", key="labels")
c4, c5 = st.columns([1, 2], vertical_alignment="bottom")
modes = c4.pills("Modes", MODES, selection_mode="multi", key="mode")
statuses = c5.pills(
    "Status", STATUSES, selection_mode="multi", key="status", format_func=lambda s: s.replace("_", " ")
)
camera_inputs(state)

view = replace(
    state,
    corridors=tuple(c for c in corridor_ids if c in chosen),
    year=None if year == year_default else year,
    labels=bool(labels),
    modes=tuple(m for m in MODES if m in (modes or ())),
    statuses=tuple(s for s in STATUSES if s in (statuses or ())),
    **camera_state(state.page),
)
inputs = deck_inputs(view)
deck = with_camera(cached_overview_deck(*inputs), view, inputs)

left, right = st.columns([3, 1.3])
with left:
    event = st.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object", key="overview_map", height=580
    )
with right:
    st.image(legend_image(key, year, tuple(chosen) or None), width="content", alt="Map legend")

# the selected feature: a click on the map, else the link's ``selected``
picked = selected_feature(event)
if picked != st.session_state.get("_overview_last_pick"):
    st.session_state["_overview_last_pick"] = picked
    view = replace(view, selected=picked[1] if picked else None)
if not view.modes:  # "no mode" cannot be written as a link (modes= is invalid): keep it local
    sync_url(replace(view, modes=state.modes))
else:
    sync_url(view)
st.caption(
    f"**Line width** = corridor freight in tonnes for {year or 'the chosen year'} ("
    f"{SELECTION_RULE}); a link in several corridors takes the largest of their figures. Links whose "
    "corridors have no figure for that year are drawn thin (**no volume data**). **Dashed** lines are "
    "under construction, **dotted, faded** lines planned. Red dots are border crossings; places are "
    "coloured by role. **EST** marks an estimate: a coordinate anchored on a settlement, a length "
    "from the geodesic × a circuity factor, or a country average in place of a published "
    "per-crossing figure. Click a link, crossing or place for every attribute and its sources."
)
export_buttons(
    deck,
    title="Freight corridors of Central Asia and the Caspian",
    subtitle=f"Line width: corridor freight (t), {year or 'no year'}",
    legend=legend_entries(view),
    stem="corridor_overview",
)
if not modes or not statuses:
    st.info("No mode or no status is selected, so no link is drawn.")

# ---- details panel ------------------------------------------------------------------------
details = (
    feature_details(ds, feature_layer(view.selected), view.selected, year=year) if view.selected else None
)
if details is None:
    st.info(
        "Click a link, a border crossing or a place on the map to see its details and sources.",
        icon=":material/touch_app:",
    )
else:
    with st.container(border=True, key="details"):
        st.subheader(md_escape(details.title))
        if details.estimate:
            st.warning(f"**EST — estimate.** {md_escape(details.estimate_note)}", icon=":material/info:")
        else:
            st.caption("Published figures (not flagged as an estimate).")
        a, b = st.columns([1, 1.4])
        a.dataframe(details.attributes, hide_index=True, width="stretch", key="details_attrs")
        b.markdown("**Sources**")
        b.dataframe(
            details.sources,
            hide_index=True,
            width="stretch",
            key="details_sources",
            column_order=["title", "url", "publisher", "date", "flag", "id", "note"],
            column_config={"url": st.column_config.LinkColumn("url")},
        )
        if len(details.terminals):
            st.markdown("**Transfers and gauge changes here**")
            st.dataframe(details.terminals, hide_index=True, width="stretch")
        if len(details.volumes):
            st.markdown("**Freight figures**")
            st.dataframe(
                details.volumes.drop(columns=["source_ids"]),
                hide_index=True,
                width="stretch",
                key="details_volumes",
            )

# ---- figures behind the widths (a lazy expander: the table is built only while it is open) --------
figures = st.expander(
    f"Freight figures behind the line widths ({year or 'no year'})", key="figures_open", on_change="rerun"
)
if figures.open:
    with figures:
        table = figures_table(key, year)
        if not len(table):
            st.write("The dataset has no corridor freight figure in tonnes for this year.")
        else:
            st.dataframe(table, hide_index=True, width="stretch")

# the sidebar last: it shows in the same place, after the main area reached the browser
share_panel(
    view,
    "Corridor overview"
    + (f": {', '.join(names.get(c, c) for c in view.corridors)}" if view.corridors else ""),
)
