"""Tours: named, ordered lists of saved views to step through in presenter mode.

Add views from any page (sidebar, "Add this view to a tour"); here: create, rename, reorder, delete,
present, export as JSON and import. A database that cannot be used shows a notice; the rest of the
app keeps working.
"""

from dataclasses import replace

import streamlit as st

from corridors.share import ViewState
from corridors.tours import (
    MAX_IMPORT_BYTES,
    TourImportError,
    TourStoreError,
    picker_labels,
    plain_reason,
)
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
    "it with Previous and Next. Tours are saved with this app: everyone who opens it sees them."
)

store = tour_store()


def notice(kind: str, text: str) -> None:
    """Show ``text`` after the next run (a callback's outcome)."""
    st.session_state["_tour_notice"] = (kind, text)


def attempt(action, *args, done: str = "", **kwargs):
    """Run a store action; on failure show a plain notice and return None (never a traceback)."""
    try:
        out = action(*args, **kwargs)
    except (TourStoreError, TourImportError, LookupError) as exc:
        notice("warning", plain_reason(exc))
        return None
    if done:
        notice("success", done)
    return out if out is not None else True


def select(tour_id: int) -> None:
    """Make ``tour_id`` the picked tour (a callback: runs before the picker is drawn)."""
    st.session_state["tour_select"] = tour_id


def do_create() -> None:
    asked = (st.session_state.get("create_name") or "").strip() or "Untitled tour"
    t = attempt(store.create, asked)
    if t is not None:
        select(t.id)
        notice("success", f"Tour “{t.name}” created." + taken_note(asked, t.name))


def taken_note(asked: str, given: str) -> str:
    """Why a tour got another name than the one asked for (every tour has its own name)."""
    return f" Another tour is already called “{asked}”." if given != asked else ""


def do_rename(tour_id: int) -> None:
    asked = (st.session_state.get(f"rename_{tour_id}") or "").strip()
    if not asked:
        notice("warning", "Type a new name first.")
        return
    given = attempt(store.rename, tour_id, asked)
    if given is not None:
        st.session_state[f"rename_{tour_id}"] = given  # the box shows the name the tour now has
        select(tour_id)  # its label changed: the picker stays on it
        notice("success", f"Renamed to “{given}”." + taken_note(asked, given))


def do_save(tour_id: int, step_id: int) -> None:
    attempt(
        store.update_step,
        tour_id,
        step_id,
        title=st.session_state.get(f"title_{step_id}"),
        note=st.session_state.get(f"note_{step_id}"),
        done="Saved.",
    )


try:
    tours = store.tours()
except TourStoreError as exc:
    st.warning(plain_reason(exc), icon=":material/database:")
    tours = []
    broken = True
else:
    broken = False

with st.container(border=True):
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    c1.text_input(
        "New tour", "", max_chars=100, key="create_name", placeholder="e.g. Middle Corridor briefing"
    )
    c2.button(
        "Create tour",
        key="create_tour",
        icon=":material/add:",
        width="stretch",
        disabled=broken,
        on_click=do_create,
    )
    shown = st.session_state.pop("_tour_notice", None)  # what the last action did
    if shown:
        (st.warning if shown[0] == "warning" else st.success)(md_escape(shown[1]))
    up = st.file_uploader(
        "Import a tour (JSON exported from this app)", type=["json"], key="tour_import", max_upload_size=1
    )
    if up is not None:

        def do_import(data: bytes = up.getvalue()) -> None:
            if len(data) > MAX_IMPORT_BYTES:
                notice("warning", f"Not imported: the file is larger than {MAX_IMPORT_BYTES // 1000} kB.")
                return
            t = attempt(store.import_json, data)
            if t is None:
                notice("warning", "Not imported. " + st.session_state["_tour_notice"][1])
            else:
                select(t.id)
                notice("success", f"Imported as “{t.name}” ({len(t.steps)} steps).")

        st.button("Import", key="import_tour", icon=":material/upload:", on_click=do_import)

if not tours:
    if not broken:
        st.info("No tours yet. Create one above, or add a view from any page.")
else:
    by_id = {t.id: t for t in tours}
    labels = picker_labels([(t.id, t.name) for t in tours])
    # options are tour ids; a label is the tour's (distinct) name, so the same label never stands
    # for two tours, and adding or removing a step does not change it
    tid = st.selectbox(
        "Tour", list(by_id), key="tour_select", format_func=lambda i: labels.get(i, "(deleted tour)")
    )
    tour = by_id[tid]
    st.caption(f"{len(tour.steps)} step{'' if len(tour.steps) == 1 else 's'}")
    base = app_base()
    present_link = f"{base}/?tour={tour.id}&step=1&present=1"
    st.markdown("**Link to present this tour** (copy with the button at the right)")
    st.code(present_link, language=None)
    a, b, c = st.columns([1.2, 1.2, 3.6], vertical_alignment="bottom")
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
    # a form: Enter in the box renames, as the Rename button does
    with c.form(key=f"rename_form_{tour.id}", border=False, enter_to_submit=True):
        r1, r2 = st.columns([3, 1], vertical_alignment="bottom")
        st.session_state.setdefault(f"rename_{tour.id}", tour.name)  # then set by do_rename only
        r1.text_input("Rename", max_chars=100, key=f"rename_{tour.id}")
        r2.form_submit_button(
            "Rename", key="rename_tour", width="stretch", on_click=do_rename, args=(tour.id,)
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
            # a form: Enter in the title saves
            with st.expander("Edit title and note"), st.form(key=f"edit_{s.id}", border=False):
                st.text_input("Title", s.title, max_chars=200, key=f"title_{s.id}")
                st.text_area("Note", s.note, max_chars=2000, key=f"note_{s.id}")
                st.form_submit_button("Save", key=f"save_{s.id}", on_click=do_save, args=(tour.id, s.id))

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
            kwargs={"done": f"Tour “{tour.name}” deleted."},
        )

view = replace(state, page="tours")
sync_url(view)
share_panel(ViewState(page="tours"), "Tours", addable=False)
