"""Freight volumes by corridor, place and year: chart, table with sources, conflicts, map."""

from dataclasses import replace
from datetime import date

import streamlit as st

from corridors.charts import volumes_chart
from corridors.mapview import map_frame
from corridors.tables import volume_figures_table
from corridors.volumes import (
    SELECTION_RULE,
    conflicts_table,
    map_figures,
    volume_table,
    year_labels,
)
from pages._camera import camera_inputs, camera_state, with_camera
from pages._data import dataset_key, network_or_stop
from pages._sharing import PRESENTER_CSS, presenter_bar, share_panel
from pages._text import md_escape
from pages._urlstate import ensure_router, seed, sync_url, url_view
from pages._volume_data import filtered_volumes_deck, volume_choices

#: A source URL shown as its site's name (the cell links to the full address).
SITE = r"^https?://(?:www\.)?([^/?#]+)"

ensure_router()

net = network_or_stop()
ds = net.dataset
key = dataset_key()
vol = ds.volumes

if not len(vol):
    st.title("Freight volumes")
    st.info("This dataset has no volumes.csv figures.")
    st.stop()

this_year = date.today().year
choices = volume_choices(key, this_year)
subject_names = choices.subject_names
titles = choices.source_titles
KIND_LABEL = {"corridor": "corridors", "node": "places", "link": "links"}
kinds = [k for k in ("corridor", "node", "link") if (vol["subject_kind"] == k).any()]
metric_units = sorted({f"{m} ({u})" for m, u in zip(vol["metric"], vol["unit"], strict=True)})
map_years = list(choices.map_years)
map_year0 = choices.map_year0
subject_ids = sorted(set(subject_names))
state = url_view("volumes", subject_ids=subject_ids, metrics=metric_units)
notes = []
if state.kind is not None and state.kind not in kinds:
    notes.append("kind")
    state = replace(state, kind=None)
if state.year is not None and state.year not in map_years:
    notes.append("year")
    state = replace(state, year=None)


def link_notes() -> None:
    """Say which link parameters were ignored (under the page's title)."""
    if notes:
        st.warning(
            f"Ignored link parameter(s) {', '.join(notes)}: no figures for them in this dataset.",
            icon=":material/link_off:",
        )


def options_for(kind: str) -> list[str]:
    of_kind = vol[vol["subject_kind"] == kind]
    return sorted(
        {f"{m} ({u})" for m, u in zip(of_kind["metric"], of_kind["unit"], strict=True)},
        key=lambda s: (not s.startswith("freight (t"), s),
    )


def map_filter(kind: str, picked) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The subjects picked, as the map's (corridors, places) filter: None draws them all."""
    ids = tuple(sorted(i.split(":", 1)[1] for i in picked if i.startswith(kind + ":")))
    if not ids:
        return None, None
    return (ids, None) if kind == "corridor" else (None, ids) if kind == "node" else (None, None)


def map_panel(view, height: int, corridors, places) -> None:
    year = view.year if view.year is not None else map_year0
    inputs = (key, year, corridors, places)
    if view.present and view.lat is None and view.lon is None and view.zoom is None:
        f = map_frame(ds, width_px=1300, height_px=700)  # fit the big map
        view = replace(view, lat=round(f.latitude, 4), lon=round(f.longitude, 4), zoom=round(f.zoom, 2))
    deck = filtered_volumes_deck(*inputs)
    st.pydeck_chart(with_camera(deck, view, inputs), key="volumes_map", height=height)


MAP_KEY = (
    "Line width: a corridor's total freight (t), drawn along every line of that corridor (not the "
    "freight on each line: no line has a published figure of its own); blue circles: freight handled "
    "at a place (t, area by the square root)"
)

if state.present:
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)  # a fixed style: no data in it
    year = state.year if state.year is not None else map_year0
    st.title(f"Freight volumes, {choices.map_year_labels.get(year, year)}")
    link_notes()
    st.markdown(
        "#### Line width: each corridor's total freight (t), the same along all its lines; "
        "blue circles: freight handled at a place (t)"
    )
    map_panel(state, 720, *map_filter(state.kind or kinds[0], state.subjects))
    presenter_bar(state)
    st.stop()

st.title("Freight volumes")  # once: presenter mode and an empty dataset have their own
link_notes()
kind0 = state.kind or kinds[0]
metric_ok = state.metric in options_for(kind0)
if state.metric is not None and not metric_ok:
    st.warning(
        f"Ignored link parameter metric: no {md_escape(state.metric)} figures for "
        f"{KIND_LABEL.get(kind0, kind0)}.",
        icon=":material/link_off:",
    )
seed(
    {
        "kind": kind0,
        "metric": state.metric if metric_ok else options_for(kind0)[0],
        "subjects": [s for s in state.subjects if s.startswith(kind0 + ":")],
        "map_year": state.year if state.year is not None else map_year0,
    }
)

c1, c2, c3 = st.columns([1.6, 1.4, 4], vertical_alignment="bottom")
st.caption("Places are ports and border stations; corridors are the named corridors of corridors.csv.")


def kind_changed() -> None:  # other options: start again from the kind's first metric, all subjects
    st.session_state["metric"] = options_for(st.session_state["kind"])[0]
    st.session_state["subjects"] = []


def metric_changed() -> None:
    st.session_state["subjects"] = []


kind = c1.segmented_control(
    "Figures for",
    kinds,
    required=True,
    key="kind",
    format_func=lambda k: KIND_LABEL.get(k, k),
    on_change=kind_changed,
)
options = options_for(kind)
metric_unit = c2.selectbox("Metric", options, key="metric", on_change=metric_changed)
metric, unit = metric_unit[:-1].split(" (", 1)
table = volume_table(vol, subject_names=subject_names, source_titles=titles, kinds=[kind], metrics=[metric])
table = table[table["unit"] == unit]
shown_names = set(table["subject"])
subject_opts = [i for i in subject_ids if i.startswith(kind + ":") and subject_names[i] in shown_names]
if any(s not in subject_opts for s in st.session_state.get("subjects", [])):
    st.session_state["subjects"] = [s for s in st.session_state["subjects"] if s in subject_opts]
picked = c3.multiselect(
    "Subjects", subject_opts, key="subjects", placeholder="all", format_func=lambda i: subject_names.get(i, i)
)
if picked:
    table = table[table["subject"].isin({subject_names[i] for i in picked})]

chart_years = year_labels(
    vol, sorted(set(table["year"])), this_year=this_year, kinds=[kind], metric=metric, unit=unit
)
st.altair_chart(
    volumes_chart(
        table,
        colors=choices.colors if kind == "corridor" else None,
        reserved=() if kind == "corridor" else choices.colors.values(),  # a place never looks like one
        year_labels=chart_years,
    ),
    key="volumes_chart",
    width="stretch",
)
st.caption(
    "One bar per published figure; figures for the same year stand side by side, so "
    "conflicting sources are visible. "
    + (
        "Each corridor has the colour of its lines on the map below. "
        if kind == "corridor"
        else "Colours only tell the bars apart (none is a corridor's colour). "
    )
    + "**Filled** bars are full-year figures; **outlined** bars (a faint fill inside an outline) cover "
    "part of a year (see the period); a **dark dashed** outline marks an **estimate or forecast (EST)**. "
    "Years after this one are marked *forecast*."
)

LINK = {"display_text": SITE}
st.subheader("Figures and sources")
shown = volume_figures_table(table, source_urls=choices.source_urls)
link_cols = [c for c in shown.columns if c.startswith("source link")]
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    key="volumes_table",
    column_config={
        "value": st.column_config.NumberColumn(format="localized"),
        "year": st.column_config.NumberColumn(format="%d"),
        "EST": st.column_config.TextColumn(help="estimate or forecast"),
        "conflicting": st.column_config.TextColumn(
            help="other sources publish another figure for the same quantity (see below)"
        ),
        **{
            c: st.column_config.LinkColumn(
                c, help="open the source (its site's name; the link is the full address)", **LINK
            )
            for c in link_cols
        },
    },
)

# the conflicts among the figures shown above (kind, metric, subjects), with a link per figure
conf = conflicts_table(table, source_urls=choices.source_urls)
every = conflicts_table(volume_table(vol, subject_names=subject_names, source_titles=titles))
st.subheader("Conflicting published figures")
if len(conf):
    st.caption(
        "Sources that disagree about the same quantity, side by side. None is silently "
        "picked; the map's rule is stated below it."
    )
    st.dataframe(
        conf.drop(columns=["conflict"]),
        hide_index=True,
        width="stretch",
        key="conflicts_table",
        column_config={
            c: st.column_config.LinkColumn(c, **LINK) for c in conf.columns if c.startswith("link ")
        },
    )
elif len(every):
    st.write("No conflicting figures among those shown.")
else:
    st.write("No conflicting figures in this dataset.")
if len(every) > len(conf):
    st.caption(
        f"{len(every) - len(conf)} more conflict(s) in other metrics or subjects: change the "
        "filters above to see them."
    )

st.subheader("Map")
map_year = st.selectbox(
    "Year", map_years, key="map_year", format_func=lambda y: choices.map_year_labels.get(y, str(y))
)
camera_inputs(state)
view = replace(
    state,
    kind=None if kind == kinds[0] else kind,
    metric=None if metric_unit == options[0] else metric_unit,
    subjects=tuple(picked),
    year=None if map_year == map_year0 else map_year,
    **camera_state(state.page),
)
sync_url(view)
corridors, places = map_filter(kind, picked)
if picked and kind in ("corridor", "node"):
    st.caption(f"Only the {KIND_LABEL[kind]} picked above are drawn; clear *Subjects* to see them all.")
m1, m2 = st.columns([2.2, 1])
with m1:
    map_panel(view, 520, corridors, places)
with m2:
    st.markdown(f"**Figures on the map, {md_escape(choices.map_year_labels.get(map_year, map_year))}**")
    st.dataframe(
        map_figures(
            ds,
            map_year,
            subject_names,
            source_urls=choices.source_urls,
            corridors=corridors,
            places=places,
        ),
        hide_index=True,
        width="stretch",
        height=480,
        key="map_figures",
        column_config={
            "subject": st.column_config.TextColumn(width="medium"),  # leaves room for the link
            "source": st.column_config.LinkColumn("source", **LINK),
        },
    )
st.caption(
    f"{MAP_KEY}. The figure drawn is chosen {SELECTION_RULE}; thin lines have no "
    "figure for this year. The same rule picks one figure per place."
)
share_panel(view, f"Freight volumes, {map_year}")  # last: the sidebar shows it in the same place
