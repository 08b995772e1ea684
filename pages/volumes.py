"""Freight volumes by corridor, place and year: chart, table with sources, conflicts, map."""

import streamlit as st

from corridors.charts import volumes_chart
from corridors.volumes import (
    SELECTION_RULE,
    conflicts_table,
    default_year,
    map_figures,
    volume_table,
    volume_years,
)
from pages._common import (
    cached_volumes_deck,
    check_params,
    dataset_key,
    ensure_router,
    network_or_stop,
    one_of,
)

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
subject_names.update({f"link:{i}": str(n or i) for i, n in zip(ds.links["id"], ds.links["name"],
                                                                strict=True)})
subject_names.update({f"corridor:{r['id']}": str(r.get("name") or r["id"])
                      for r in ds.corridors.to_dict("records")})
titles = {str(r["id"]): str(r.get("title") or r["id"]) for r in ds.sources.to_dict("records")}
KIND_LABEL = {"corridor": "corridors", "node": "places", "link": "links"}
kinds = [k for k in ("corridor", "node", "link") if (vol["subject_kind"] == k).any()]
metric_units = sorted({f"{m} ({u})" for m, u in zip(vol["metric"], vol["unit"], strict=True)})
map_years = sorted(set(volume_years(vol)) | set(volume_years(vol, kind="node")))
check_params({
    "kind": one_of(kinds),
    "metric": one_of(metric_units),
    "subjects": lambda vs: True,  # validated by the widget against the current options
    "map_year": one_of(map_years),
})

c1, c2, c3 = st.columns([1.6, 1.4, 4], vertical_alignment="bottom")
st.caption("Places are ports and border stations; corridors are the named corridors of corridors.csv.")
kind = c1.segmented_control("Figures for", kinds, default=kinds[0], required=True, key="kind",
                            bind="query-params", format_func=lambda k: KIND_LABEL.get(k, k))
of_kind = vol[vol["subject_kind"] == kind]
options = sorted({f"{m} ({u})" for m, u in zip(of_kind["metric"], of_kind["unit"], strict=True)},
                 key=lambda s: (not s.startswith("freight (t"), s))
metric_unit = c2.selectbox("Metric", options, key="metric", bind="query-params")
metric, unit = metric_unit[:-1].split(" (", 1)
table = volume_table(vol, subject_names=subject_names, source_titles=titles, kinds=[kind],
                     metrics=[metric])
table = table[table["unit"] == unit]
subjects = sorted(set(table["subject"]))
picked = c3.multiselect("Subjects", subjects, default=[], key="subjects", bind="query-params",
                        placeholder="all")
if picked:
    table = table[table["subject"].isin(picked)]

st.altair_chart(volumes_chart(table), key="volumes_chart", width="stretch")
st.caption("One bar per published figure; figures for the same year stand side by side, so "
           "conflicting sources are visible. Pale bars cover part of a year (see the period); "
           "bars outlined with a dashed line are **estimates or forecasts (EST)**.")

st.subheader("Figures and sources")
st.dataframe(table.drop(columns=["kind", "metric"]), hide_index=True, width="stretch",
             key="volumes_table",
             column_config={"value": st.column_config.NumberColumn(format="localized"),
                            "EST": st.column_config.TextColumn(help="estimate or forecast")})

conf = conflicts_table(volume_table(vol, subject_names=subject_names, source_titles=titles))
st.subheader("Conflicting published figures")
if len(conf):
    st.caption("Sources that disagree about the same quantity, side by side. None is silently "
               "picked; the map's rule is stated below it.")
    st.dataframe(conf, hide_index=True, width="stretch", key="conflicts_table")
else:
    st.write("No conflicting figures in this dataset.")

st.subheader("Map")
y0 = default_year(vol)
map_year = st.selectbox("Year", map_years, index=map_years.index(y0) if y0 in map_years else
                        max(len(map_years) - 1, 0), key="map_year", bind="query-params")
m1, m2 = st.columns([2.2, 1])
with m1:
    st.pydeck_chart(cached_volumes_deck(key, map_year), key="volumes_map", height=520)
with m2:
    st.markdown(f"**Figures on the map, {map_year}**")
    st.dataframe(map_figures(ds, map_year, subject_names), hide_index=True, width="stretch",
                 height=480, key="map_figures")
st.caption(f"Line width: corridor freight in tonnes ({SELECTION_RULE}); thin lines have no "
           "figure for this year. Blue circles: freight handled at a place (port, border station) "
           "in tonnes, area by the square root; the same rule picks one figure per place.")
