"""Freight volumes by corridor, place and year: chart, table with sources, conflicts, map."""

from dataclasses import replace

import streamlit as st

from corridors.charts import volumes_chart
from corridors.mapview import map_frame
from corridors.volumes import (
    SELECTION_RULE,
    conflicts_table,
    default_year,
    map_figures,
    volume_table,
    volume_years,
)
from pages._camera import camera_inputs, camera_state, with_camera
from pages._data import cached_volumes_deck, dataset_key, network_or_stop
from pages._sharing import PRESENTER_CSS, presenter_bar, share_panel
from pages._text import md_escape
from pages._urlstate import ensure_router, seed, sync_url, url_view

ensure_router()

net = network_or_stop()
ds = net.dataset
key = dataset_key()
vol = ds.volumes

st.title("Freight volumes")
if not len(vol):
    st.info("This dataset has no volumes.csv figures.")
    st.stop()

subject_names = {f"node:{i}": str(n) for i, n in zip(ds.nodes["id"], ds.nodes["name"], strict=True)}
subject_names.update(
    {f"link:{i}": str(n or i) for i, n in zip(ds.links["id"], ds.links["name"], strict=True)}
)
subject_names.update(
    {f"corridor:{r['id']}": str(r.get("name") or r["id"]) for r in ds.corridors.to_dict("records")}
)
titles = {str(r["id"]): str(r.get("title") or r["id"]) for r in ds.source_records}
KIND_LABEL = {"corridor": "corridors", "node": "places", "link": "links"}
kinds = [k for k in ("corridor", "node", "link") if (vol["subject_kind"] == k).any()]
metric_units = sorted({f"{m} ({u})" for m, u in zip(vol["metric"], vol["unit"], strict=True)})
map_years = sorted(set(volume_years(vol)) | set(volume_years(vol, kind="node")))
y0 = default_year(vol)
map_year0 = y0 if y0 in map_years else (map_years[-1] if map_years else None)
subject_ids = sorted(set(subject_names))
state = url_view("volumes", subject_ids=subject_ids, metrics=metric_units)
notes = []
if state.kind is not None and state.kind not in kinds:
    notes.append("kind")
    state = replace(state, kind=None)
if state.year is not None and state.year not in map_years:
    notes.append("year")
    state = replace(state, year=None)
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


def map_panel(view, height: int) -> None:
    year = view.year if view.year is not None else map_year0
    inputs = (key, year)
    if view.present and view.lat is None and view.lon is None and view.zoom is None:
        f = map_frame(ds, width_px=1300, height_px=700)  # fit the big map
        view = replace(view, lat=round(f.latitude, 4), lon=round(f.longitude, 4), zoom=round(f.zoom, 2))
    st.pydeck_chart(with_camera(cached_volumes_deck(*inputs), view, inputs), key="volumes_map", height=height)


if state.present:
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)  # a fixed style: no data in it
    year = state.year if state.year is not None else map_year0
    st.title(f"Freight volumes, {year}")
    st.markdown(
        "#### Line width: corridor freight (t); blue circles: freight handled at a place "
        "(t, area by the square root)"
    )
    map_panel(state, 720)
    presenter_bar(state)
    st.stop()

st.title("Freight volumes")
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

st.altair_chart(volumes_chart(table), key="volumes_chart", width="stretch")
st.caption(
    "One bar per published figure; figures for the same year stand side by side, so "
    "conflicting sources are visible. Pale bars cover part of a year (see the period); "
    "bars outlined with a dashed line are **estimates or forecasts (EST)**."
)

st.subheader("Figures and sources")
st.dataframe(
    table.drop(columns=["kind", "metric"]),
    hide_index=True,
    width="stretch",
    key="volumes_table",
    column_config={
        "value": st.column_config.NumberColumn(format="localized"),
        "EST": st.column_config.TextColumn(help="estimate or forecast"),
    },
)

conf = conflicts_table(volume_table(vol, subject_names=subject_names, source_titles=titles))
st.subheader("Conflicting published figures")
if len(conf):
    st.caption(
        "Sources that disagree about the same quantity, side by side. None is silently "
        "picked; the map's rule is stated below it."
    )
    st.dataframe(conf, hide_index=True, width="stretch", key="conflicts_table")
else:
    st.write("No conflicting figures in this dataset.")

st.subheader("Map")
map_year = st.selectbox("Year", map_years, key="map_year")
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
m1, m2 = st.columns([2.2, 1])
with m1:
    map_panel(view, 520)
with m2:
    st.markdown(f"**Figures on the map, {map_year}**")
    st.dataframe(
        map_figures(ds, map_year, subject_names),
        hide_index=True,
        width="stretch",
        height=480,
        key="map_figures",
    )
st.caption(
    f"Line width: corridor freight in tonnes ({SELECTION_RULE}); thin lines have no "
    "figure for this year. Blue circles: freight handled at a place (port, border station) "
    "in tonnes, area by the square root; the same rule picks one figure per place."
)
share_panel(view, f"Freight volumes, {map_year}")  # last: the sidebar shows it in the same place
