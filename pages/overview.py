"""Corridor overview: every corridor on one map, width by freight volume; click for details."""

import pandas as pd
import streamlit as st

from corridors.charts import legend_chart
from corridors.data import MODES, STATUSES
from corridors.mapview import corridor_colors, corridor_names, legend_rows, selected_feature
from corridors.tables import feature_details, sources_table
from corridors.volumes import SELECTION_RULE, default_year, format_quantity, pick_figures, volume_years
from pages._common import (
    cached_overview_deck,
    check_params,
    dataset_key,
    ensure_router,
    frame,
    md_escape,
    network_or_stop,
    one_of,
    subset_of,
)

ensure_router()

net = network_or_stop()
ds = net.dataset
key = dataset_key()

st.title("Corridor overview")
names = corridor_names(ds)
corridor_ids = list(corridor_colors(ds))
years = volume_years(ds.volumes)
year0 = default_year(ds.volumes)
check_params({
    "year": one_of(years),
    "corridor": subset_of(names.get(c, c) for c in corridor_ids),
    "mode": subset_of(MODES),
    "status": subset_of(STATUSES),
    "labels": lambda vs: vs[0].lower() in ("true", "false"),
})

c1, c2, c3 = st.columns([4, 1.2, 0.8], vertical_alignment="bottom")
chosen = c1.multiselect("Corridors", corridor_ids, default=[], key="corridor", bind="query-params",
                        format_func=lambda c: names.get(c, c), placeholder="All corridors")
year = c2.selectbox("Volume year", years or [None], index=years.index(year0) if year0 in years else 0,
                    key="year", bind="query-params" if years else None,
                    format_func=lambda y: "no data" if y is None else str(y),
                    disabled=not years, help="Line width = corridor freight (t) in this year")
labels = c3.toggle("Labels", value=True, key="labels", bind="query-params")
c4, c5 = st.columns([1, 2], vertical_alignment="bottom")
modes = c4.pills("Modes", MODES, selection_mode="multi", default=list(MODES), key="mode",
                 bind="query-params")
statuses = c5.pills("Status", STATUSES, selection_mode="multi", default=list(STATUSES),
                    key="status", bind="query-params", format_func=lambda s: s.replace("_", " "))

deck = cached_overview_deck(key, year, tuple(chosen) if chosen else None,
                            tuple(modes or ()), tuple(statuses or ()), labels)

left, right = st.columns([3, 1.3])
with left:
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object",
                            key="overview_map", height=580)
with right:
    st.altair_chart(legend_chart(legend_rows(ds, year=year, corridors=chosen or None,
                                             frame=frame(key))),
                    key="overview_legend", width="content")

st.caption(
    f"**Line width** = corridor freight in tonnes for {year or 'the chosen year'} ("
    f"{SELECTION_RULE}); a link in several corridors takes the largest of their figures. Links whose "
    "corridors have no figure for that year are drawn thin (**no volume data**). **Dashed** lines are "
    "under construction, **dotted, faded** lines planned. Red dots are border crossings; places are "
    "coloured by role. **EST** marks an estimate: a coordinate anchored on a settlement, a length "
    "from the geodesic × a circuity factor, or a country average in place of a published "
    "per-crossing figure. Click a link, crossing or place for every attribute and its sources."
)
if not modes or not statuses:
    st.info("No mode or no status is selected, so no link is drawn.")

# ---- details panel ------------------------------------------------------------------------
picked = selected_feature(event)
details = feature_details(ds, *picked, year=year) if picked else None
if details is None:
    st.info("Click a link, a border crossing or a place on the map to see its details and sources.",
            icon=":material/touch_app:")
else:
    with st.container(border=True, key="details"):
        st.subheader(md_escape(details.title))
        if details.estimate:
            st.warning(f"**EST — estimate.** {md_escape(details.estimate_note)}",
                       icon=":material/info:")
        else:
            st.caption("Published figures (not flagged as an estimate).")
        a, b = st.columns([1, 1.4])
        a.dataframe(details.attributes, hide_index=True, width="stretch", key="details_attrs")
        b.markdown("**Sources**")
        b.dataframe(details.sources, hide_index=True, width="stretch", key="details_sources",
                    column_order=["title", "url", "publisher", "date", "flag", "id", "note"],
                    column_config={"url": st.column_config.LinkColumn("url")})
        if len(details.terminals):
            st.markdown("**Transfers and gauge changes here**")
            st.dataframe(details.terminals, hide_index=True, width="stretch")
        if len(details.volumes):
            st.markdown("**Freight figures**")
            st.dataframe(details.volumes.drop(columns=["source_ids"]), hide_index=True,
                         width="stretch", key="details_volumes")

# ---- figures behind the widths -----------------------------------------------------------
with st.expander(f"Freight figures behind the line widths ({year or 'no year'})"):
    figs = pick_figures(ds.volumes, year)
    if not figs:
        st.write("The dataset has no corridor freight figure in tonnes for this year.")
    else:
        rows = []
        for cid, f in figs.items():
            src = sources_table(ds, f.sources)
            rows.append({
                "corridor": names.get(cid, cid), "freight": format_quantity(f.value, "t"),
                "period": f"{f.period} {f.year}", "scope": f.scope,
                "EST": "EST" if f.estimate else "", "other figures": f.others,
                "sources": "; ".join(src["title"]),
            })
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
