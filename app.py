"""Streamlit entry point: page config, navigation over pages/, the shared sidebar notice.

Run with ``streamlit run app.py``; ``CORRIDORS_GEODATA=path`` shows another dataset in the same schema.
"""

import streamlit as st

from pages._common import geodata_dir, md_escape

st.set_page_config(page_title="Central Asia corridor map", page_icon=":material/route:",
                   layout="wide")

page = st.navigation([
    st.Page("pages/overview.py", title="Corridor overview", icon=":material/map:",
            url_path="overview", default=True),
    st.Page("pages/planner.py", title="Route planner", icon=":material/route:", url_path="planner"),
    st.Page("pages/volumes.py", title="Freight volumes", icon=":material/bar_chart:",
            url_path="volumes"),
    st.Page("pages/sources.py", title="Data and sources", icon=":material/menu_book:",
            url_path="sources"),
])

with st.sidebar:
    st.caption(
        f"Dataset: **{md_escape(geodata_dir().name)}**. Every figure cites a source; **EST** marks "
        "an estimate (a settlement-anchor coordinate, a geodesic length × circuity, a country "
        "average instead of a per-crossing value). Basemap © CARTO, © OpenStreetMap contributors; "
        "the corridor layers draw without it."
    )

page.run()
