"""The view in the URL: read and validate the query parameters, seed the widgets, write changes back.

:mod:`corridors.share` is the one URL format and the one validator; this module connects it to
``st.query_params`` and the widgets' session state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import streamlit as st

from corridors.share import ViewState, parse_view, view_query
from pages._text import md_escape


def ensure_router() -> None:
    """Make sure the page runs inside ``app.py``'s ``st.navigation``; call first on every page.

    Streamlit treats an app with a ``pages/`` folder next to its entry point as a legacy multipage
    app until some session has run ``st.navigation``. On a freshly started server, a first visit to
    ``/planner`` would run ``pages/planner.py`` alone: no page config, and every file of ``pages/``
    (even the private helpers) listed as a page. Clearing the legacy flag (what ``st.navigation``
    itself does) and rerunning sends the session through ``app.py`` to the same page (the page hash
    is the hash of its URL path in both modes) with the same query parameters. It costs one rerun,
    once per server process.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def query_dict() -> dict[str, list[str]]:
    """The current query parameters, every value as the list of its repeated keys."""
    qp = st.query_params
    return {k: qp.get_all(k) for k in qp}


def url_view(page: str, **allowlists: Any) -> ViewState:
    """The view the URL asks for, validated by :func:`corridors.share.parse_view`.

    Anything invalid falls back to its default with one visible notice (values escaped, truncated).

    Parameters
    ----------
    page
        The page key (``overview``, ``planner``...) the view belongs to.
    **allowlists
        What exists in the dataset, passed on to :func:`~corridors.share.parse_view`.
    """
    state, notices = parse_view(query_dict(), **allowlists)
    state = replace(state, page=page)
    if notices:
        shown = "; ".join(md_escape(n) for n in notices[:20])
        more = f" (and {len(notices) - 20} more)" if len(notices) > 20 else ""
        st.warning(
            f"Ignored invalid link parameter(s): {shown}{more}. Using the defaults instead.",
            icon=":material/link_off:",
        )
    return state


def seed(values: Mapping[str, Any]) -> None:
    """Start widgets from the link: a widget key not in the session yet takes the URL's value.

    Widgets of a page are dropped when another page (or presenter mode) runs, or when a lazy
    expander holding them is closed, so they start again from the URL, which always holds the
    current view.
    """
    for k, v in values.items():
        if k not in st.session_state:
            st.session_state[k] = list(v) if isinstance(v, tuple) else v


def sync_url(state: ViewState) -> None:
    """Write the view into the URL once per change (invalid and unknown parameters disappear)."""
    target = view_query(state)
    current = {k: ",".join(v) for k, v in query_dict().items()}
    if current != target:
        st.query_params.from_dict(target)
