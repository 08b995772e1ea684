"""Dated disruptions (``events.csv``) and what they do to the routing graph on a given date.

An event targets a link (crossing links included), a place, a corridor or a country, in a direction and
for some modes. Closures, trade suspensions and dispatch bans hide the edges they touch; capacity cuts
and delays add ``delay_h`` hours to them.

When an event is in force (:meth:`Event.in_force`):

* from ``start`` to ``end`` inclusive;
* without ``end``, a closure, suspension or ban stays in force (a crossing stays closed until a source
  says it reopened; ``last_confirmed`` says when one last said it was closed);
* without ``end``, a delay or capacity cut holds until ``last_confirmed`` (a queue report is a snapshot:
  it is applied while sources confirm it, not indefinitely).

Which edges an event touches (:func:`edge_matches`), by target kind and direction:

* ``link``: the link's edges, ``forward`` from->to, ``reverse`` to->from;
* ``node``: ``inbound`` the link edges arriving at the place, ``outbound`` those leaving it, ``both``
  these and the transfers at the place;
* ``country``: ``inbound`` the crossings into it, ``outbound`` those out of it, ``both`` every edge in it;
* ``corridor``: every edge of the corridor's links.

Only edges of the event's modes are touched (a transfer counts for the modes it joins).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

__all__ = ["CLOSING", "Disruptions", "Event", "active_events", "disruptions", "edge_matches"]

#: Kinds that make their target unroutable.
CLOSING = frozenset({"closure", "trade_suspension", "dispatch_ban"})


@dataclass(frozen=True)
class Event:
    """One row of ``events.csv`` (dates as :class:`datetime.date`)."""

    id: str
    target_kind: str
    target: str
    kind: str
    start: date
    end: date | None
    last_confirmed: date | None
    direction: str
    modes: tuple[str, ...]
    delay_h: float
    title: str
    source: tuple[str, ...]
    note: str = ""

    @classmethod
    def from_record(cls, r: Mapping[str, Any]) -> Event:
        """An event from a validated ``events.csv`` record."""
        return cls(
            id=r["id"],
            target_kind=r["target_kind"],
            target=r["target"],
            kind=r["kind"],
            start=r["start"],
            end=r["end"],
            last_confirmed=r["last_confirmed"],
            direction=r["direction"],
            modes=tuple(r["modes"]),
            delay_h=float(r["delay_h"] or 0.0),
            title=r["title"],
            source=tuple(r["source"]),
            note=r.get("note", ""),
        )

    @property
    def closes(self) -> bool:
        """True for closures, suspensions and bans."""
        return self.kind in CLOSING

    @property
    def until(self) -> date | None:
        """Last day in force (None: open-ended, see the module docstring)."""
        if self.end is not None:
            return self.end
        return None if self.closes else (self.last_confirmed or self.start)

    def in_force(self, on: date) -> bool:
        """Whether the event applies on ``on``."""
        until = self.until
        return self.start <= on and (until is None or on <= until)

    def describe(self) -> str:
        """``title (from 2025-10-12, in force; last confirmed 2026-01-20)``."""
        span = f"{self.start}–{self.end}" if self.end else f"from {self.start}"
        seen = f"; last confirmed {self.last_confirmed}" if self.last_confirmed and not self.end else ""
        return f"{self.title} ({span}{seen})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (ISO dates)."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "target_kind": self.target_kind,
            "target": self.target,
            "direction": self.direction,
            "modes": list(self.modes),
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "last_confirmed": self.last_confirmed.isoformat() if self.last_confirmed else None,
            "delay_h": self.delay_h,
            "source": list(self.source),
        }


def active_events(events: Iterable[Event], on: date) -> tuple[Event, ...]:
    """The events in force on ``on``, in file order."""
    return tuple(e for e in events if e.in_force(on))


def edge_matches(e: Event, d: Mapping[str, Any], country: Mapping[str, str]) -> bool:
    """Whether event ``e`` touches the graph edge with attributes ``d`` (see the module docstring)."""
    kind = d["kind"]
    if kind == "access":
        return False
    mode = d["mode"]
    if kind in ("transfer", "gauge_change"):
        joined = {d["from_layer"].rstrip("0123456789"), d["to_layer"].rstrip("0123456789")}
        if joined.isdisjoint(e.modes):
            return False
    elif mode not in e.modes:
        return False
    a, b = d["a"], d["b"]
    t, direction = e.target, e.direction
    if e.target_kind == "link":
        if d["link"] != t:
            return False
        return direction == "both" or (direction == "reverse") == bool(d.get("reverse"))
    if e.target_kind == "node":
        if kind in ("transfer", "gauge_change"):
            return direction == "both" and a == t
        if direction == "inbound":
            return b == t
        if direction == "outbound":
            return a == t
        return t in (a, b)
    if e.target_kind == "country":
        ca, cb = country[a], country[b]
        if direction == "inbound":
            return ca != t and cb == t
        if direction == "outbound":
            return ca == t and cb != t
        return t in (ca, cb)
    return t in d["corridors"]  # corridor


@dataclass(frozen=True)
class Disruptions:
    """What a set of events does to the graph: hidden edges and added hours, each with its events.

    ``closed`` maps an edge ``(u, v)`` to the ids of the events closing it; ``delays`` maps an edge to
    ``(hours, event ids)``. ``events`` are the events considered, by id.
    """

    events: Mapping[str, Event]
    closed: Mapping[tuple[str, str], tuple[str, ...]]
    delays: Mapping[tuple[str, str], tuple[float, tuple[str, ...]]]

    @property
    def key(self) -> frozenset[str]:
        """Identity for caches: the ids of the events considered."""
        return frozenset(self.events)


NONE = Disruptions({}, {}, {})


def disruptions(G: nx.DiGraph, events: Iterable[Event], country: Mapping[str, str]) -> Disruptions:
    """Map events onto the edges of ``G`` (one pass over the edges).

    Parameters
    ----------
    G
        The frozen routing graph (edges carry ``kind``, ``mode``, ``link``, ``a``, ``b``,
        ``reverse``, ``corridors``).
    events
        The events to apply (usually :func:`active_events` of a date).
    country
        Place id -> ISO country code.
    """
    evs = {e.id: e for e in events}
    if not evs:
        return NONE
    closed: dict[tuple[str, str], tuple[str, ...]] = {}
    delays: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
    for u, v, d in G.edges(data=True):
        hits = [e for e in evs.values() if edge_matches(e, d, country)]
        if not hits:
            continue
        closing = tuple(e.id for e in hits if e.closes)
        if closing:
            closed[(u, v)] = closing
        delaying = [e for e in hits if not e.closes]
        if delaying and not v.endswith("|mid"):  # a parallel link's delay sits on its second half
            delays[(u, v)] = (sum(e.delay_h for e in delaying), tuple(e.id for e in delaying))
    return Disruptions(evs, closed, delays)
