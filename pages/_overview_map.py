"""The overview's own cached pieces: the camera of a view, the map at a date, the legend, disruptions.

Everything is cached on the dataset key plus plain hashable inputs (dates as ISO strings, event ids,
frames), as in :mod:`pages._data`.

The camera of a view (:func:`view_frame`), when the link has none of its own:

* the default view shows every shipped place (:func:`corridors.mapview.places_frame`);
* chosen corridors: their links (:func:`corridors.mapview.corridor_frame`);
* a selected link or place: centred on it, somewhat closer (:func:`corridors.mapview.feature_frame`).

The deck is built for that frame, so line widths and labels suit its zoom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from corridors.charts import legend_svg
from corridors.events import Event
from corridors.mapview import (
    DISRUPTION_COLORS,
    HIGHLIGHT_COLOR,
    CompactDeck,
    MapFrame,
    corridor_frame,
    feature_frame,
    legend_rows,
    overview_deck,
    places_frame,
)
from pages._data import DatasetKey, _network

#: The overview map's size on the page (pixels) and the presenter map's smallest size (1280x720).
PAGE_MAP_PX = (660, 580)
PRESENT_MAP_PX = (880, 470)


@dataclass(frozen=True)
class Disruptions:
    """The disruptions of a view: the date, whether they are shown, the events in force then."""

    day: date
    shown: bool
    events: tuple[Event, ...]  # in force on ``day`` (empty when not shown)

    @property
    def ids(self) -> tuple[str, ...]:
        """Event ids (the deck's cache input)."""
        return tuple(e.id for e in self.events)

    @property
    def closures(self) -> int:
        """How many close their target (closures, suspensions, bans)."""
        return sum(e.closes for e in self.events)


def disruptions_on(key: DatasetKey, as_of: str | None, shown: bool) -> Disruptions:
    """The events in force on ``as_of`` (ISO; None: the dataset's date), as ``corridors events``
    lists them; none when not ``shown``."""
    net = _network(key)
    day = date.fromisoformat(as_of) if as_of else net.as_of
    return Disruptions(day, shown, net.events_in_force(day) if shown else ())


@st.cache_resource(max_entries=64)
def view_frame(
    key: DatasetKey,
    corridors: tuple[str, ...] | None,
    selected: str | None,
    size: tuple[int, int] = PAGE_MAP_PX,
) -> MapFrame:
    """The camera of a view without a camera of its own (see the module docstring)."""
    ds = _network(key).dataset
    w, h = size
    base = (corridor_frame(ds, corridors, width_px=w, height_px=h) if corridors else None) or places_frame(
        ds, width_px=w, height_px=h
    )
    if selected:
        return feature_frame(ds, selected, base=base, width_px=w, height_px=h) or base
    return base


def drawn_events(
    key: DatasetKey,
    events: tuple[Event, ...],
    corridors: tuple[str, ...] | None,
    modes: tuple[str, ...],
    statuses: tuple[str, ...],
) -> tuple[Event, ...]:
    """The events with a marker on the map: on a link the filters show, or on a place such a link touches.

    Events on a corridor or a country have no single spot, so no marker.
    """
    ds = _network(key).dataset
    chosen = set(corridors or ())
    shown_links = {
        r["id"]: r
        for r in ds.link_records
        if r["mode"] in modes
        and r["status"] in statuses
        and (not chosen or chosen.intersection(r["corridors"]))
    }
    touched = {r[k] for r in shown_links.values() for k in ("from", "to")}
    return tuple(
        e
        for e in events
        if (e.target_kind == "link" and e.target in shown_links)
        or (e.target_kind == "node" and e.target in touched)
    )


@st.cache_resource(max_entries=64)
def overview_map(
    key: DatasetKey,
    year: int | None,
    corridors: tuple[str, ...] | None,
    modes: tuple[str, ...],
    statuses: tuple[str, ...],
    labels: bool,
    event_ids: tuple[str, ...],
    selected: str | None,
    frame: MapFrame,
) -> CompactDeck:
    """The overview map of a view: filters, the disruptions ``event_ids`` (drawn where the filters
    show their target), the highlighted ``selected`` feature, built for ``frame`` (built once per input)."""
    net = _network(key)
    ids = set(event_ids)
    events = tuple(e for e in net.events if e.id in ids)
    return overview_deck(
        net.dataset,
        year=year,
        corridors=corridors,
        modes=modes,
        statuses=statuses,
        labels=labels,
        frame=frame,
        events=drawn_events(key, events, corridors, modes, statuses),
        highlight=selected,
    )


def _hex(c: tuple[int, ...]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c[:3])


@st.cache_data(show_spinner=False, max_entries=64)
def overview_legend(
    key: DatasetKey,
    year: int | None,
    corridors: tuple[str, ...] | None,
    disruptions_day: str | None,
    *,
    font_px: int = 13,
    width: int = 340,
    selected: bool = False,
    status_rows: bool = True,
) -> str:
    """The overview legend (SVG): :func:`corridors.mapview.legend_rows`, plus the disruption markers
    of ``disruptions_day`` (None: disruptions not shown; their group follows the freight widths) and
    the highlight of a selected feature. ``status_rows=False`` leaves out the line styles of the
    statuses (the presenter's subtitle says them), so a slide's legend is shorter."""
    rows = [
        r
        for r in legend_rows(_network(key).dataset, year=year, corridors=corridors)
        if status_rows or r["group"] != "Status"
    ]
    extra = []
    if disruptions_day:
        group = f"Disruptions on {disruptions_day}"
        for label, color in (
            ("closed, suspended, dispatch ban", DISRUPTION_COLORS["closed"]),
            ("extra delay", DISRUPTION_COLORS["delay"]),
        ):
            extra.append({"group": group, "label": label, "color": _hex(color), "width": 12, "mark": "dot"})
    if selected:
        extra.append(
            {
                "group": "Markers",
                "label": "selected",
                "color": _hex(HIGHLIGHT_COLOR),
                "width": 14,
                "mark": "dot",
            }
        )
    groups = list(dict.fromkeys(r["group"] for r in rows))
    if disruptions_day and "Freight (width)" in groups:
        groups.insert(groups.index("Freight (width)") + 1, f"Disruptions on {disruptions_day}")
    groups += [g for g in dict.fromkeys(r["group"] for r in extra) if g not in groups]
    order = {g: i for i, g in enumerate(groups)}
    rows = sorted(rows + extra, key=lambda r: order[r["group"]])  # stable: rows keep their order
    return legend_svg(rows, width=width, font_px=font_px)
