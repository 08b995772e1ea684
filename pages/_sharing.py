"""Sharing a view: its link, presenter mode, saved tours (the sidebar panel and the presenter bar)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import streamlit as st

from corridors.share import PAGES, ViewState, parse_view, query_string, view_query
from corridors.tours import MAX_NOTE, TourImportError, TourStore, TourStoreError, picker_labels, plain_reason
from pages._text import md_escape

#: Presenter mode (a fixed string: no data in it). It hides the sidebar, its toggle and the header;
#: keeps the slide title on one line; gives the map the viewport's height less what the title,
#: subtitle and presenter bar take (``--present-reserve``; :func:`presenter_bar` raises it when a
#: tour step has a note), so the map is never cut and the bar stays in view from 1280x720 to
#: 1920x1080; lets the legend column scroll rather than push the bar down; puts the map's toolbar
#: (fullscreen) inside the map, left of its zoom buttons, instead of over the subtitle, and hides
#: the other elements' toolbars (the legend image's sat on the subtitle too). The map's own
#: fullscreen view keeps Streamlit's sizes.
PRESENTER_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stExpandSidebarButton"] { display: none !important; }
:root { --present-reserve: 200px; }
[data-testid="stMainBlockContainer"] { padding: 0.9rem 2rem 0.4rem; max-width: 100%; }
[data-testid="stMainBlockContainer"] h1 { padding: 0 0 0.1rem; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
[data-testid="stMainBlockContainer"] h4 { padding: 0; }
[data-testid="stElementContainer"]:has(> [data-testid="stFullScreenFrame"]
  > [data-testid="stDeckGlJsonChart"]),
[data-testid="stFullScreenFrame"]:not(:has([aria-label="Close fullscreen"])):has(
  > [data-testid="stDeckGlJsonChart"]),
[data-testid="stFullScreenFrame"]:not(:has([aria-label="Close fullscreen"]))
  > [data-testid="stDeckGlJsonChart"],
[data-testid="stFullScreenFrame"]:not(:has([aria-label="Close fullscreen"]))
  > [data-testid="stDeckGlJsonChart"] > div:not([data-testid]) {
  flex: 0 0 auto !important; height: max(280px, calc(100vh - var(--present-reserve))) !important; }
[data-testid="stHorizontalBlock"]:has([data-testid="stDeckGlJsonChart"])
  > [data-testid="stColumn"]:last-child {
  max-height: max(280px, calc(100vh - var(--present-reserve))); overflow-y: auto; }
[data-testid="stDeckGlJsonChart"] > [data-testid="stElementToolbar"] { top: 0.5rem !important;
  right: 3.4rem !important; z-index: 3; }
[data-testid="stElementToolbar"]:not([data-testid="stDeckGlJsonChart"] > *) { display: none !important; }
</style>"""

#: What the link box and the tour form say while the session uses an uploaded dataset.
UPLOAD_NOTICE = (
    "This view uses your uploaded dataset; whoever opens the link sees the shipped data unless they "
    "upload the same files too."
)
#: What a tour step saved from an uploaded dataset records in its note.
UPLOAD_STEP_NOTE = (
    "[Made with an uploaded dataset: whoever opens this step sees the shipped data unless they upload "
    "the same files too.]"
)


def uses_upload() -> bool:
    """Whether this session shows an uploaded dataset (:func:`pages._upload.in_use`)."""
    from pages._upload import in_use  # imported when a sidebar is drawn, not before the map

    return in_use()


def with_upload_note(note: str) -> str:
    """A step's note with :data:`UPLOAD_STEP_NOTE` first (the user's note cut to fit the tour store's
    limit; a note that already says it is left as it is)."""
    if UPLOAD_STEP_NOTE in note:
        return note
    room = MAX_NOTE - len(UPLOAD_STEP_NOTE) - 1
    return f"{UPLOAD_STEP_NOTE}\n{note[:room]}" if note else UPLOAD_STEP_NOTE


#: Presenter mode with a tour step note under the bar: a little more room below the map.
_NOTE_CSS = "<style>:root { --present-reserve: 232px; }</style>"

#: Arrow keys and a presentation clicker (PageUp/PageDown) step a tour: the keys click the
#: presenter bar's Previous/Next buttons. Installed once per browser tab; a key does nothing
#: (keeps its usual job) where there is no such button, or while typing in a box; it is
#: swallowed while the page reruns (the buttons on screen may still be the last step's).
_TOUR_KEYS_JS = """<script>
(() => {
  const w = window;
  if (w.__corridorsTourKeys) return;
  w.__corridorsTourKeys = true;
  w.document.addEventListener("keydown", (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    const t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    const next = ev.key === "ArrowRight" || ev.key === "PageDown";
    const prev = ev.key === "ArrowLeft" || ev.key === "PageUp";
    if (!next && !prev) return;
    const button = w.document.querySelector(next ? ".st-key-tour_next button" : ".st-key-tour_prev button");
    if (!button) return;
    ev.preventDefault();
    ev.stopPropagation();
    // while the page reruns, the bar may still be the last step's (a stale button)
    const running = w.document.querySelector("[data-test-script-state='running']");
    if (ev.repeat || running || button.closest("[data-stale='true']") || button.disabled) return;
    button.click();
  }, true);
})();
</script>"""


if TYPE_CHECKING:  # annotations only
    from corridors.tours import Step, Tour


def app_base() -> str:
    """``scheme://host[:port][/base]`` of the app as the browser sees it ("" when unknown)."""
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - outside a browser session (AppTest)
        url = ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    path = parts.path.rstrip("/")
    for slug in PAGES.values():
        if slug and path.endswith("/" + slug):
            path = path[: -len(slug) - 1]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


def page_link(state: ViewState) -> str:
    """The absolute link of a view (relative when the app's address is unknown)."""
    q = query_string(state)
    url = f"{app_base()}/{PAGES.get(state.page, '')}"
    return f"{url}?{q}" if q else url


def step_view(state: ViewState) -> dict[str, str]:
    """What a tour step stores: the page and the view's parameters (no presenter flags)."""
    plain = replace(state, present=False, tour=None, step=None)
    return {"page": state.page, **view_query(plain)}


def tour_store() -> TourStore:
    """The tour database (``CORRIDORS_TOURS_DB`` or the user's data directory)."""
    return TourStore()


def _present(on: bool) -> None:
    if on:
        st.query_params["present"] = "1"
    else:
        st.session_state.pop("_tour_applied", None)
        for k in ("present", "tour", "step"):
            if k in st.query_params:
                del st.query_params[k]


def share_panel(state: ViewState, title: str, *, addable: bool = True) -> None:
    """Sidebar: the link of this view (with a copy button), presenter mode, add to a tour.

    Pages call it last: the sidebar shows it in the same place whatever the call order, and the
    elements of the main area (the map first) reach the browser before it. The link box sits in a
    popover (the browser renders it on opening; its code highlighter is 1.5 MB of script a page load
    would otherwise evaluate before the map); the tour form is a lazy expander, built (and the tour
    database read) only while it is open.
    """
    with st.sidebar:
        # a popover: the browser builds the code box (and loads its highlighter) only when opened
        with st.popover("Link to this view", icon=":material/link:", width="stretch"):
            if uses_upload():
                st.warning(UPLOAD_NOTICE, icon=":material/upload_file:")
            st.code(page_link(state), language=None, wrap_lines=True)
            st.caption(
                "Copy it with the button at the right of the box; it reopens this page with "
                "the same options, route and camera. The address bar holds the same link."
            )
        st.button(
            "Presenter mode",
            key="present_on",
            on_click=_present,
            args=(True,),
            icon=":material/slideshow:",
            width="stretch",
        )
        if addable:
            box = st.expander(
                "Add this view to a tour", icon=":material/playlist_add:", key="tour_form", on_change="rerun"
            )
            if box.open:
                with box:
                    add_to_tour_form(state, title)


def add_to_tour_form(state: ViewState, title: str) -> None:
    """Pick a tour (or a new one), a title and a note; save the current view as its last step.

    While the session uses an uploaded dataset the form says so, and the step's note records it.
    """
    if uses_upload():
        st.warning(UPLOAD_NOTICE + " The step's note will say so.", icon=":material/upload_file:")
    store = tour_store()
    try:
        # ids and names in one query (not every tour's steps); one distinct label per tour
        names = picker_labels(store.names(), reserved=["New tour…"])
    except TourStoreError as exc:  # in the user's words: no file names or settings
        st.warning(f"Tours are unavailable. {md_escape(plain_reason(exc))}", icon=":material/database:")
        return
    options = [*names, 0]
    tid = st.selectbox(
        "Tour",
        options,
        key="tour_pick",
        format_func=lambda i: names.get(i, "New tour…") if i else "New tour…",
    )
    new_name = (
        st.text_input("New tour name", "My tour", max_chars=100, key="tour_new_name") if tid == 0 else ""
    )
    st.text_input("Step title", title[:200], max_chars=200, key="tour_step_title")
    st.text_area("Note (optional)", "", max_chars=2000, key="tour_step_note", height=68)
    st.button(
        "Add current view",
        key="tour_add",
        icon=":material/add:",
        width="stretch",
        on_click=_add_view,
        args=(store, tid, new_name, step_view(state)),
    )
    done = st.session_state.pop("_tour_added", None)
    if done:
        (st.success if done[0] == "success" else st.warning)(md_escape(done[1]))


def _add_view(store: TourStore, tid: int, new_name: str, view: dict[str, str]) -> None:
    """Save a view as the last step of a tour (a callback: runs before the script)."""
    title = str(st.session_state.get("tour_step_title") or "View")
    note = str(st.session_state.get("tour_step_note") or "")
    if uses_upload():
        note = with_upload_note(note)
    try:
        if tid == 0:
            tour = store.create(new_name)
            tid, name = tour.id, tour.name
        else:
            name = store.get(int(tid)).name
        step = store.add_step(int(tid), title, view, note=note)
    except (TourStoreError, TourImportError, LookupError) as exc:
        st.session_state["_tour_added"] = ("warning", f"Not saved. {plain_reason(exc)}")
    else:
        st.session_state["_tour_added"] = ("success", f"Added as step {step.position} of “{name}”.")
        st.session_state["tour_pick"] = tid


def tour_step(state: ViewState) -> tuple[Tour, int, Step] | None:
    """The tour, step number and step a presenter view shows (None: no tour, or none readable)."""
    if state.tour is None:
        return None
    try:
        tour = tour_store().get(state.tour)
    except (LookupError, TourStoreError):
        return None  # the presenter bar says why
    if not tour.steps:
        return None
    n = max(1, min(state.step or 1, len(tour.steps)))
    return tour, n, tour.steps[n - 1]


def slide_title(state: ViewState, title: str) -> str:
    """The presenter's slide title: a tour step's own title, else ``title`` (the page's title of
    the view, e.g. a corridor's name). Plain text: escape it for Markdown."""
    step = tour_step(state)
    return step[2].title if step is not None and step[2].title.strip() else title


def presenter_bar(state: ViewState) -> None:
    """Presenter controls: tour step title and note, previous / next (also the Left/Right arrow and
    PageUp/PageDown keys, as a presentation clicker sends), exit."""
    tour = None
    if state.tour is not None:
        try:
            tour = tour_store().get(state.tour)
        except LookupError:
            st.warning("This tour no longer exists (it may have been deleted on the Tours page).")
        except TourStoreError as exc:
            st.warning(f"Tours are unavailable: {md_escape(plain_reason(exc))}", icon=":material/database:")
    cols = st.columns([1, 5, 1, 1], vertical_alignment="center")
    if tour is not None and tour.steps:
        n = max(1, min(state.step or 1, len(tour.steps)))
        step = tour.steps[n - 1]
        cols[0].button(
            "Previous",
            key="tour_prev",
            disabled=n <= 1,
            on_click=_go_step,
            args=(n - 1,),
            icon=":material/arrow_back:",
            width="stretch",
            help="Left arrow or PageUp",
        )
        with cols[1]:
            st.markdown(
                f"**{md_escape(tour.name)}** · step {n} of {len(tour.steps)}: {md_escape(step.title)}"
            )
            if step.note:
                st.caption(md_escape(step.note))
                st.markdown(_NOTE_CSS, unsafe_allow_html=True)  # a fixed style: no data in it
        cols[2].button(
            "Next",
            key="tour_next",
            disabled=n >= len(tour.steps),
            on_click=_go_step,
            args=(n + 1,),
            icon=":material/arrow_forward:",
            width="stretch",
            help="Right arrow or PageDown",
        )
        st.html(_TOUR_KEYS_JS, unsafe_allow_javascript=True)  # a fixed script: no data in it
    cols[3].button(
        "Exit",
        key="present_off",
        on_click=_present,
        args=(False,),
        icon=":material/close_fullscreen:",
        width="stretch",
    )


def _go_step(n: int) -> None:
    st.query_params["step"] = str(n)


def tour_target(params: Mapping[str, list[str]]) -> tuple[str, dict[str, str]] | None:
    """Where a tour link (``tour=ID&step=N``) goes: the step's page and its full query.

    None when the link has no valid tour; problems are shown as notices.
    """
    state, _ = parse_view({k: v for k, v in params.items() if k in ("tour", "step", "present")})
    if state.tour is None:
        return None
    try:
        tour = tour_store().get(state.tour)
    except (LookupError, TourStoreError):
        return None  # the page's presenter bar says why
    if not tour.steps:
        return None
    n = max(1, min(state.step or 1, len(tour.steps)))
    view = dict(tour.steps[n - 1].view)
    page = view.pop("page", "overview")
    if page not in PAGES or page == "tours":
        page = "overview"
    view = {k: v for k, v in view.items() if k not in ("present", "tour", "step")}
    view.update(tour=str(tour.id), step=str(n))
    if state.present:
        view["present"] = "1"
    return page, view
