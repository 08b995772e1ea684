"""Tours: named, ordered lists of saved views to step through in presenter mode.

Add views from any page (sidebar, "Add this view to a tour"); here: create, rename, reorder, delete,
present, export as JSON and import. A database that cannot be used shows a notice; the rest of the
app keeps working.
"""

from dataclasses import replace

import streamlit as st

from corridors.share import ViewState
from corridors.tours import MAX_IMPORT_BYTES, TourImportError, TourStoreError
from pages._sharing import app_base, share_panel, tour_store
from pages._text import md_escape
from pages._urlstate import ensure_router, sync_url, url_view

ensure_router()

PAGE_FILES = {
    "overview": "pages/overview.py",
    "planner": "pages/planner.py",
    "scenarios": "pages/scenarios.py",
    "volumes": "pages/volumes.py",
    "sources": "pages/sources.py",
}
PAGE_TITLES = {
    "overview": "Corridor overview",
    "planner": "Route planner",
    "scenarios": "Scenarios",
    "volumes": "Freight volumes",
    "sources": "Data and sources",
}

state = url_view("tours")
st.title("Tours")
st.caption(
    "A tour is a named sequence of saved views. Add the view you are looking at from any "
    "page (sidebar: *Add this view to a tour*); present a tour full screen and step through "
    "it with Previous and Next. Tours are stored in "
    f"{md_escape(tour_store().path.name)} (set `CORRIDORS_TOURS_DB` to use another file)."
)

store = tour_store()


def attempt(action, *args, done: str = "", **kwargs) -> bool:
    """Run a store action; show a notice instead of failing."""
    try:
        action(*args, **kwargs)
    except (TourStoreError, TourImportError, LookupError) as exc:
        st.session_state["_tour_notice"] = ("warning", str(exc))
        return False
    if done:
        st.session_state["_tour_notice"] = ("success", done)
    return True


try:
    tours = store.tours()
except TourStoreError as exc:
    st.warning(f"Tours are unavailable: {md_escape(exc)}", icon=":material/database:")
    tours = []
    broken = True
else:
    broken = False

with st.container(border=True):
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    name = c1.text_input(
        "New tour", "", max_chars=100, key="create_name", placeholder="e.g. Middle Corridor briefing"
    )
    c2.button(
        "Create tour",
        key="create_tour",
        icon=":material/add:",
        width="stretch",
        disabled=broken,
        on_click=lambda: attempt(
            store.create, st.session_state.get("create_name") or "Untitled tour", done="Tour created."
        ),
    )
    notice = st.session_state.pop("_tour_notice", None)  # what the last action did
    if notice:
        (st.warning if notice[0] == "warning" else st.success)(md_escape(notice[1]))
    up = st.file_uploader(
        "Import a tour (JSON exported from this app)", type=["json"], key="tour_import", max_upload_size=1
    )
    if up is not None:

        def do_import(data: bytes = up.getvalue()) -> None:
            if len(data) > MAX_IMPORT_BYTES:
                st.session_state["_tour_notice"] = (
                    "warning",
                    f"Not imported: the file is larger than {MAX_IMPORT_BYTES // 1000} kB.",
                )
            elif not attempt(store.import_json, data, done="Tour imported."):
                kind, msg = st.session_state["_tour_notice"]
                st.session_state["_tour_notice"] = (kind, f"Not imported: {msg}")

        st.button("Import", key="import_tour", icon=":material/upload:", on_click=do_import)

if not tours:
    if not broken:
        st.info("No tours yet. Create one above, or add a view from any page.")
else:
    by_id = {t.id: t for t in tours}
    tid = st.selectbox(
        "Tour",
        list(by_id),
        key="tour_select",
        format_func=lambda i: f"{by_id[i].name} ({len(by_id[i].steps)} steps)",
    )
    tour = by_id[tid]
    base = app_base()
    present_link = f"{base}/?tour={tour.id}&step=1&present=1"
    st.markdown("**Link to present this tour** (copy with the button at the right)")
    st.code(present_link, language=None)
    a, b, c, d = st.columns([1.2, 1.2, 2.4, 1.2], vertical_alignment="bottom")
    if tour.steps:
        a.page_link(
            "pages/overview.py",
            label="Present",
            icon=":material/slideshow:",
            query_params={"tour": str(tour.id), "step": "1", "present": "1"},
        )
    b.download_button(
        "Export JSON",
        tour.to_json(),
        file_name=f"tour_{tour.id}.json",
        mime="application/json",
        key="export_tour",
        on_click="ignore",
        icon=":material/download:",
    )
    c.text_input("Rename", tour.name, max_chars=100, key=f"rename_{tour.id}")
    d.button(
        "Rename",
        key="rename_tour",
        width="stretch",
        on_click=lambda: attempt(
            store.rename, tour.id, st.session_state.get(f"rename_{tour.id}") or tour.name, done="Renamed."
        ),
    )

    st.subheader(f"Steps of {md_escape(tour.name)}")
    if not tour.steps:
        st.info(
            "This tour has no steps yet: open a page, set it up, and use *Add this view to a "
            "tour* in the sidebar."
        )
    for s in tour.steps:
        with st.container(border=True, key=f"step_{s.id}"):
            page = s.view.get("page", "overview")
            page = page if page in PAGE_FILES else "overview"
            query = {k: v for k, v in s.view.items() if k != "page"}
            h, o, p, u, dn, x = st.columns([5, 1, 1, 0.6, 0.6, 0.6], vertical_alignment="center")
            h.markdown(f"**{s.position}. {md_escape(s.title)}** · {PAGE_TITLES[page]}")
            if s.note:
                h.caption(md_escape(s.note))
            o.page_link(PAGE_FILES[page], label="Open", icon=":material/open_in_new:", query_params=query)
            p.page_link(
                "pages/overview.py",
                label="Present",
                icon=":material/slideshow:",
                query_params={"tour": str(tour.id), "step": str(s.position), "present": "1"},
            )
            u.button(
                "",
                key=f"up_{s.id}",
                icon=":material/arrow_upward:",
                help="Move up",
                disabled=s.position == 1,
                on_click=attempt,
                args=(store.move_step, tour.id, s.id, s.position - 1),
            )
            dn.button(
                "",
                key=f"down_{s.id}",
                icon=":material/arrow_downward:",
                help="Move down",
                disabled=s.position == len(tour.steps),
                on_click=attempt,
                args=(store.move_step, tour.id, s.id, s.position + 1),
            )
            x.button(
                "",
                key=f"remove_{s.id}",
                icon=":material/delete:",
                help="Remove step",
                on_click=attempt,
                args=(store.remove_step, tour.id, s.id),
                kwargs={"done": "Step removed."},
            )
            with st.expander("Edit title and note"):
                st.text_input("Title", s.title, max_chars=200, key=f"title_{s.id}")
                st.text_area("Note", s.note, max_chars=2000, key=f"note_{s.id}")
                st.button(
                    "Save",
                    key=f"save_{s.id}",
                    on_click=lambda sid=s.id: attempt(
                        store.update_step,
                        tour.id,
                        sid,
                        title=st.session_state.get(f"title_{sid}"),
                        note=st.session_state.get(f"note_{sid}"),
                        done="Saved.",
                    ),
                )

    with st.expander("Delete this tour"):
        sure = st.checkbox(
            f"Yes, delete {md_escape(tour.name)} and its {len(tour.steps)} steps", key=f"sure_{tour.id}"
        )
        st.button(
            "Delete tour",
            key="delete_tour",
            disabled=not sure,
            type="primary",
            on_click=attempt,
            args=(store.delete, tour.id),
            kwargs={"done": "Tour deleted."},
        )

view = replace(state, page="tours")
sync_url(view)
share_panel(ViewState(page="tours"), "Tours", addable=False)
