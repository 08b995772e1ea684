"""Corridor overview: every corridor on one map, width by freight volume; click for details.

The disruptions (``events.csv``) in force on the "As of" date are marked on the map and listed in a
feature's details, as ``corridors events --as-of DATE`` lists them. The camera follows the view when
the link has none of its own: every place by default, the chosen corridors, a selected feature
(:mod:`pages._overview_map`).
"""

from dataclasses import replace
from datetime import date

import streamlit as st

from corridors.data import MODES, STATUSES
from corridors.export import Legend
from corridors.mapview import legend_rows, selected_feature
from corridors.tables import feature_details
from corridors.volumes import SELECTION_RULE
from pages._camera import camera_inputs, camera_state, with_camera
from pages._data import dataset_key, figures_table, network_or_stop, overview_choices
from pages._exports import export_buttons
from pages._overview_map import (
    PAGE_MAP_PX,
    PRESENT_MAP_PX,
    disruptions_on,
    drawn_events,
    overview_legend,
    overview_map,
    view_frame,
)
from pages._sharing import PRESENTER_CSS, presenter_bar, share_panel, slide_title
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


APP_TITLE = "Freight corridors of Central Asia and the Caspian"
as_of0 = net.as_of  # the dataset's own date, the default of "As of"


def deck_inputs(view, size: tuple[int, int]) -> tuple:
    """The plain, hashable inputs of the overview deck for a view (the map of ``size`` pixels)."""
    year = view.year if view.year is not None else year_default
    corridors = tuple(view.corridors) or None
    dis = disruptions_on(key, view.as_of, not view.ignore_disruptions)
    return (
        key,
        year,
        corridors,
        tuple(view.modes or ()),
        tuple(view.statuses or ()),
        view.labels,
        dis.ids,
        view.selected,
        view_frame(key, corridors, view.selected, size),
    )


def legend_entries(view) -> list[Legend]:
    """The export's legend: the corridors shown, the freight width scale and the line statuses (the
    rows of the map's own legend)."""
    year = view.year if view.year is not None else year_default
    rows = legend_rows(ds, year=year, corridors=tuple(view.corridors) or None)
    return [Legend.from_row(r) for r in rows]


def feature_layer(fid: str) -> str:
    return "nodes" if fid in ds.nodes.index else "links"


def disruptions_caption(view) -> str:
    """How many disruptions are in force on the view's date, how many have a marker, and the CLI."""
    dis = disruptions_on(key, view.as_of, True)
    day = dis.day.isoformat()
    cli = f"`corridors events --as-of {day}`"
    if view.ignore_disruptions:
        return (
            f"**Disruptions hidden** (normal operations). {len(dis.events)} in force on {day}; "
            f"{cli} lists them."
        )
    if not dis.events:
        return f"**No disruption in force on {day}** (closures, suspensions, bans, delays); {cli} agrees."
    drawn = drawn_events(key, dis.events, tuple(view.corridors) or None, view.modes, view.statuses)
    delays = len(dis.events) - dis.closures
    off = len(dis.events) - len(drawn)
    return (
        f"**{len(dis.events)} disruption(s) in force on {day}**: {dis.closures} closure(s), suspension(s) "
        f"or ban(s) (dark red markers), {delays} delay(s) (amber)"
        + (f"; {off} not on the map (a corridor or country, or filtered out)" if off else "")
        + f". {cli} lists them with their sources; click a marker for its details."
    )


# ---- presenter mode ---------------------------------------------------------------------------
if state.present:
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)  # a fixed style: no data in it
    inputs = deck_inputs(state, PRESENT_MAP_PX)
    year, corrs = inputs[1], inputs[2]
    title = names.get(state.corridors[0], APP_TITLE) if len(state.corridors) == 1 else APP_TITLE
    st.title(md_escape(slide_title(state, title)))
    dis = disruptions_on(key, state.as_of, not state.ignore_disruptions)
    drawn = drawn_events(key, dis.events, corrs, state.modes, state.statuses)
    st.markdown(
        f"#### Line width = corridor freight (t), {year or 'no year'} · colour = corridor · "
        "dashed = under construction, dotted = planned"
    )
    m, lg = st.columns([3, 1.4])
    with m:
        st.pydeck_chart(with_camera(overview_map(*inputs), state, inputs), key="present_map", height=560)
    with lg:
        st.image(
            overview_legend(
                key,
                year,
                corrs,
                dis.day.isoformat() if drawn else None,
                font_px=15,
                width=375,
                selected=bool(state.selected),
                status_rows=False,
            ),
            width="content",
            alt="Map legend",
        )
        if state.selected:
            details = feature_details(ds, feature_layer(state.selected), state.selected, year=year)
            if details is not None:
                st.markdown(f"**Selected:** {md_escape(details.title)}")
        st.caption("Basemap © CARTO, © OpenStreetMap contributors. EST: an estimate.")
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
        "as_of": date.fromisoformat(state.as_of) if state.as_of else as_of0,
        "disruptions": not state.ignore_disruptions,
    }
)

c1, c2, c3 = st.columns([4, 1.2, 0.8], vertical_alignment="bottom")
chosen = c1.multiselect(
    "Corridors",
    corridor_ids,
    key="corridor",
    format_func=lambda c: names.get(c, c),
    placeholder="All corridors",
    help="The map fits the chosen corridors",
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
c4, c5, c6, c7 = st.columns([1, 1.9, 1, 1], vertical_alignment="bottom")
modes = c4.pills("Modes", MODES, selection_mode="multi", key="mode")
statuses = c5.pills(
    "Status", STATUSES, selection_mode="multi", key="status", format_func=lambda s: s.replace("_", " ")
)
as_of = c6.date_input(
    "As of",
    key="as_of",
    min_value=date(1990, 1, 1),
    max_value=date(2100, 12, 31),
    format="YYYY-MM-DD",
    help=f"Disruptions in force on this date (the dataset describes {as_of0.isoformat()})",
)
show_disruptions = c7.toggle(
    "Show disruptions", key="disruptions", help="Off: normal operations, no closure or delay marked"
)
camera_inputs(state)

as_of = as_of if isinstance(as_of, date) else as_of0  # a cleared box: the dataset's date
view = replace(
    state,
    corridors=tuple(c for c in corridor_ids if c in chosen),
    year=None if year == year_default else year,
    labels=bool(labels),
    modes=tuple(m for m in MODES if m in (modes or ())),
    statuses=tuple(s for s in STATUSES if s in (statuses or ())),
    as_of=None if as_of == as_of0 else as_of.isoformat(),
    ignore_disruptions=not show_disruptions,
    **camera_state(state.page),
)

# the selected feature: a click on the map (its state from the last run: the camera and the
# highlight follow it in this run), else the link's ``selected``
picked = selected_feature(st.session_state.get("overview_map"))
if picked != st.session_state.get("_overview_last_pick"):
    st.session_state["_overview_last_pick"] = picked
    view = replace(view, selected=picked[1] if picked else None)
if st.session_state.pop("_overview_clear", False):  # the details panel's "Deselect"
    view = replace(view, selected=None)

inputs = deck_inputs(view, PAGE_MAP_PX)
deck = with_camera(overview_map(*inputs), view, inputs)
dis = disruptions_on(key, view.as_of, not view.ignore_disruptions)
drawn = drawn_events(key, dis.events, inputs[2], view.modes, view.statuses)

left, right = st.columns([3, 1.3])
with left:
    st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="overview_map", height=580)
with right:
    st.image(
        overview_legend(
            key,
            year,
            tuple(chosen) or None,
            dis.day.isoformat() if drawn else None,
            selected=bool(view.selected),
        ),
        width="content",
        alt="Map legend",
    )

if not view.modes:  # "no mode" cannot be written as a link (modes= is invalid): keep it local
    sync_url(replace(view, modes=state.modes))
else:
    sync_url(view)
st.caption(disruptions_caption(view))
st.caption(
    f"**Line width** = corridor freight in tonnes for {year or 'the chosen year'} ("
    f"{SELECTION_RULE}); a link in several corridors takes the largest of their figures. Links whose "
    "corridors have no figure for that year are drawn thin (**no volume data**). **Dashed** lines are "
    "under construction, **dotted, faded** lines planned. Red dots are border crossings; places are "
    "coloured by role. **EST** marks an estimate: a coordinate anchored on a settlement, a length "
    "from the geodesic × a circuity factor, or a country average in place of a published "
    "per-crossing figure. Click a link, crossing or place for every attribute and its sources; "
    "the map moves to it and rings it in yellow."
)
export_buttons(
    deck,
    title=APP_TITLE,
    subtitle=f"Line width: corridor freight (t), {year or 'no year'}",
    legend=legend_entries(view),
    stem="corridor_overview",
)
if not modes or not statuses:
    st.info("No mode or no status is selected, so no link is drawn.")

# ---- details panel ------------------------------------------------------------------------
details = (
    feature_details(ds, feature_layer(view.selected), view.selected, year=year, events=dis.events)
    if view.selected
    else None
)
if details is None:
    st.info(
        "Click a link, a border crossing or a place on the map to see its details and sources.",
        icon=":material/touch_app:",
    )
else:
    with st.container(border=True, key="details"):
        head, clear = st.columns([5, 1], vertical_alignment="center")
        head.subheader(md_escape(details.title))
        clear.button(
            "Deselect",
            key="clear_selected",
            icon=":material/close:",
            on_click=st.session_state.__setitem__,
            args=("_overview_clear", True),
            help="Clear the selection: the map goes back to its view without it",
        )
        if len(details.events):
            st.markdown(f":red[**Disruptions in force on {dis.day.isoformat()}**]")
            st.dataframe(
                details.events,
                hide_index=True,
                width="stretch",
                key="details_events",
                column_order=["event", "effect", "from", "until", "direction", "modes", "source", "url"],
                column_config={"url": st.column_config.LinkColumn("url")},
            )
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
