"""Streamlit entry point: page config, navigation over pages/, the shared sidebar notice.

Run with ``streamlit run app.py``; ``CORRIDORS_GEODATA=path`` shows another dataset in the same schema
and ``CORRIDORS_TOURS_DB=path`` another tour database. A user can also upload a dataset on the Data and
sources page: it drives every page for that session only (``pages/_upload.py``; a sidebar badge says so).

Every page calls ``pages._urlstate.ensure_router()`` first: on a fresh server a first visit to a page
URL would otherwise run the page alone, as a legacy ``pages/`` multipage app.

Links: every page keeps its view in the URL (``corridors.share`` is the format and the validator).
``present=1`` turns any view into presenter mode (no navigation or sidebar); ``tour=ID&step=N``
opens step N of a saved tour (its page and view), and the presenter's Previous/Next buttons step.
"""

import streamlit as st

from pages._data import dataset_as_of, dataset_key, geodata_dir
from pages._sharing import tour_target
from pages._text import md_escape
from pages._upload import in_use, sidebar_badge
from pages._urlstate import query_dict

st.set_page_config(page_title="Central Asia corridor map", page_icon=":material/route:", layout="wide")

PAGES = {
    "overview": st.Page(
        "pages/overview.py",
        title="Corridor overview",
        icon=":material/map:",
        url_path="overview",
        default=True,
    ),
    "planner": st.Page(
        "pages/planner.py", title="Route planner", icon=":material/route:", url_path="planner"
    ),
    "scenarios": st.Page(
        "pages/scenarios.py", title="Scenarios", icon=":material/alt_route:", url_path="scenarios"
    ),
    "volumes": st.Page(
        "pages/volumes.py", title="Freight volumes", icon=":material/bar_chart:", url_path="volumes"
    ),
    "sources": st.Page(
        "pages/sources.py", title="Data and sources", icon=":material/menu_book:", url_path="sources"
    ),
    "tours": st.Page("pages/tours.py", title="Tours", icon=":material/slideshow:", url_path="tours"),
}
params = query_dict()
present = params.get("present", [""])[-1].lower() in ("1", "true", "yes", "on")
page = st.navigation(list(PAGES.values()), position="hidden" if present else "sidebar")

# a tour link (tour=ID&step=N): go to the step's page and view, once per step
target = tour_target(params) if "tour" in params else None
if target is not None:
    marker = (target[1]["tour"], target[1]["step"], present)
    current = {k: ",".join(v) for k, v in params.items()}
    # once per step, and whenever a presenter's URL is not the step's view (presenter pages never
    # rewrite their URL, so this cannot loop)
    if st.session_state.get("_tour_applied") != marker or (present and current != target[1]):
        st.session_state["_tour_applied"] = marker
        st.switch_page(PAGES[target[0]], query_params=target[1])

if not present:
    sidebar_badge()  # an uploaded dataset (Data and sources page): the badge and the way back
    with st.sidebar:
        shown = "your upload" if in_use() else md_escape(geodata_dir().name)
        as_of = dataset_as_of(dataset_key())
        st.caption(
            f"Dataset: **{shown}**" + (f", as of **{as_of}**" if as_of else "") + ". Every figure cites a "
            "source; **EST** "
            "marks an estimate (a settlement-anchor coordinate, a geodesic length × circuity, a "
            "country average instead of a per-crossing value). Basemap © CARTO, © OpenStreetMap "
            "contributors; the corridor layers draw without it."
        )

page.run()
