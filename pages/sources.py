"""Data and sources: what the dataset holds, its validation report, sources, downloads."""

from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from corridors.tables import dataset_summary, sources_table
from pages._data import DATA_FILES, dataset_key, download_file, network_or_stop, problems
from pages._sharing import share_panel
from pages._text import md_escape
from pages._urlstate import ensure_router, sync_url, url_view

ensure_router()

key = dataset_key()
path = Path(key[0])

st.title("Data and sources")
view = url_view("sources")
sync_url(view)
share_panel(view, "Data and sources")
st.caption(
    f"Dataset directory: {md_escape(path.name)} · schema: geodata/README.md · check it "
    "from a shell with `corridors validate`."
)

st.subheader("Validation report")
found = problems(key)
if found:
    st.error(f"{len(found)} problem(s): the app cannot use this dataset until they are fixed.")
    st.dataframe(pd.DataFrame({"problem": found}), hide_index=True, width="stretch", key="problems_table")
else:
    st.success(
        "Valid: every rule of geodata/README.md holds (sources, estimates flagged, "
        "coordinates, lengths, crossings, transfers).",
        icon=":material/check_circle:",
    )

st.subheader("Downloads")
cols = st.columns(4)
for i, name in enumerate(DATA_FILES):
    f = path / name
    if not f.is_file():
        continue
    cols[i % 4].download_button(
        name,
        partial(download_file, f),
        file_name=name,
        key=f"file_{name}",
        on_click="ignore",
        mime="application/geo+json" if name.endswith(".geojson") else "text/csv",
        icon=":material/download:",
        width="stretch",
    )

net = network_or_stop()
ds = net.dataset

st.subheader("What the dataset holds")
st.dataframe(
    dataset_summary(ds),
    hide_index=True,
    width="stretch",
    key="summary_table",
    column_config={"rows": st.column_config.NumberColumn(format="%d")},
)
if len(ds.corridors):
    st.dataframe(
        ds.corridors[[c for c in ("id", "name", "description") if c in ds.corridors]],
        hide_index=True,
        width="stretch",
        key="corridors_table",
    )

st.subheader("Sources")
st.caption(
    "Every coordinate, length, time, cost and volume points to one of these. Flags: OFFICIAL "
    "(a government, operator or IFI publication), PRESS, PRESS/Wiki, UNVERIFIED, METHOD (how "
    "an estimate was made)."
)
src = sources_table(ds)
st.dataframe(
    src,
    hide_index=True,
    width="stretch",
    key="sources_table",
    column_order=["id", "title", "url", "publisher", "date", "flag", "note"],
    column_config={
        "title": st.column_config.TextColumn(width="large"),
        "url": st.column_config.LinkColumn("url", width="medium"),
    },
)

params_box = st.expander("Cost-model parameters (parameters.csv)", key="parameters_open", on_change="rerun")
if params_box.open:  # a lazy expander: the table is built only while it is open
    with params_box:
        par = ds.parameters.copy()
        if len(par):
            par["source"] = par["source"].map(lambda s: "; ".join(s))
            par["estimate"] = par["estimate"].map(lambda e: "EST" if e else "")
        st.dataframe(par, hide_index=True, width="stretch", key="parameters_table")
