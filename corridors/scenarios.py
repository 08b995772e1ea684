"""Scenarios: named sets of edits to the network, applied as a view over the frozen graph.

A scenario file (TOML, read with :mod:`tomllib`, or JSON) has a ``name``, an optional
``description``, an optional ``as_of`` date and a list of ``[[edit]]`` tables:

======================  =============================================================================
``action``              what it does (other keys)
======================  =============================================================================
``close``               hides a link, crossing, place, corridor or country (``target``; optional
                        ``modes``, ``direction``) from the scenario's date on, like a dated closure
``reopen``              lifts every dated disruption on ``target`` (a crossing closed by events.csv)
``open``                opens a planned or under-construction link, or all of a corridor's (``target``)
``lift_event``          removes one event of events.csv (``event``: its id)
``add_event``           adds a dated disruption (``event``: a table with the events.csv columns)
``scale``               multiplies ``what`` by ``factor`` on ``target`` (a link, crossing, place,
                        corridor, country, mode or ``*``)
``set``                 sets ``what`` to ``value`` on ``target``
``as_of``               sets the date (``value``: ``YYYY-MM-DD``)
======================  =============================================================================

``what`` for ``scale``: ``dwell`` (border dwell), ``fee`` (border fee), ``spread`` (the published range
of a waiting component, ``component`` one of border, sailing, handling, gauge_change, line_haul),
``speed``, ``tariff`` (line haul, sea freight and handling prices), ``interval`` (between sailings or
onward trains), ``handling`` (handling time). For ``set``: ``dwell`` (h), ``fee`` (USD), ``speed``
(km/h), ``interval`` (h).

Targets are ids or names: a link or crossing id, a place (any spelling the place search knows; a
border post stands for its crossings), a corridor id, an ISO country code, a mode (rail, road, sea) or
``*``. Every edit is validated against the network and every problem is reported at once
(:class:`ScenarioError`); nothing is evaluated or imported from the file.

:func:`view` returns the edits resolved on a network: the edge overrides the routing engine reads
instead of the graph's attributes, the events and date routing honours, and the spreads. The base
graph is never copied or mutated (``Network.with_scenario``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors.costs import COST_ITEMS, Price
from corridors.data import CLOSING_EVENTS, EVENT_KINDS, MODES
from corridors.events import Event

if TYPE_CHECKING:
    import networkx as nx

    from corridors.uncertainty import SpreadTable

__all__ = [
    "ACTIONS",
    "Edit",
    "Scenario",
    "ScenarioError",
    "ScenarioView",
    "load_scenario",
    "parse_scenario",
    "view",
]

ACTIONS = ("close", "reopen", "open", "lift_event", "add_event", "scale", "set", "as_of")
SCALABLE = ("dwell", "fee", "spread", "speed", "tariff", "interval", "handling")
SETTABLE = ("dwell", "fee", "speed", "interval")
SPREAD_COMPONENTS = ("border", "sailing", "handling", "gauge_change", "line_haul")
MAX_EDITS = 200
MAX_FILE_BYTES = 256_000


class ScenarioError(ValueError):
    """A scenario file or edit is invalid; ``problems`` lists every problem (one line each)."""

    def __init__(self, problems: Sequence[str], *, origin: str = "scenario") -> None:
        self.problems = list(problems)
        self.origin = origin
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{origin}: {len(self.problems)} problem(s)\n{lines}")


@dataclass(frozen=True)
class Edit:
    """One edit as written in the file (validated for form; targets resolved by :func:`view`)."""

    action: str
    target: str = ""
    what: str = ""
    factor: float | None = None
    value: Any = None
    component: str = ""
    modes: tuple[str, ...] = ()
    direction: str = "both"
    event: tuple[tuple[str, Any], ...] = ()

    def describe(self) -> str:
        """One line: ``scale dwell x0.5 on middle_corridor``."""
        if self.action == "as_of":
            return f"as of {self.value}"
        if self.action in ("scale", "set"):
            how = f"x{self.factor:g}" if self.action == "scale" else f"= {self.value:g}"
            comp = f" ({self.component})" if self.component else ""
            return f"{self.action} {self.what}{comp} {how} on {self.target}"
        if self.action == "lift_event":
            return f"lift event {self.value}"
        if self.action == "add_event":
            return f"add event {dict(self.event).get('id', '')}"
        return f"{self.action} {self.target}" + (f" ({', '.join(self.modes)})" if self.modes else "")


@dataclass(frozen=True)
class Scenario:
    """A named, ordered set of edits (hashable, so it can key caches)."""

    name: str
    edits: tuple[Edit, ...]
    description: str = ""
    as_of: date | None = None
    origin: str = ""
    source: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: name, description, date, sources and the edits as written."""
        return {
            "name": self.name,
            "description": self.description,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "source": list(self.source),
            "edits": [_edit_dict(e) for e in self.edits],
        }


def _edit_dict(e: Edit) -> dict[str, Any]:
    out: dict[str, Any] = {"action": e.action}
    for key in ("target", "what", "component"):
        if getattr(e, key):
            out[key] = getattr(e, key)
    if e.factor is not None:
        out["factor"] = e.factor
    if e.value is not None:
        out["value"] = e.value if not isinstance(e.value, date) else e.value.isoformat()
    if e.modes:
        out["modes"] = list(e.modes)
    if e.direction != "both":
        out["direction"] = e.direction
    if e.event:
        out["event"] = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in e.event}
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (``.toml`` or ``.json``); raises :class:`ScenarioError` listing problems."""
    import tomllib

    p = Path(path)
    origin = p.name
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError([f"cannot read the file: {exc.strerror or exc}"], origin=origin) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([f"the file is over {MAX_FILE_BYTES // 1000} kB"], origin=origin)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(["the file is not UTF-8 text"], origin=origin) from None
    try:
        doc = json.loads(text) if p.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        kind = "JSON" if p.suffix.lower() == ".json" else "TOML"
        raise ScenarioError([f"not valid {kind}: {str(exc)[:160]}"], origin=origin) from None
    return parse_scenario(doc, origin=origin)


def parse_scenario(doc: Any, *, origin: str = "scenario") -> Scenario:
    """Check the form of a scenario document (a mapping); every problem is listed at once."""
    problems: list[str] = []
    if not isinstance(doc, Mapping):
        raise ScenarioError(["the scenario must be a table/object with name and edits"], origin=origin)
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("name: missing (a short title)")
        name = ""
    description = doc.get("description", "")
    if not isinstance(description, str):
        problems.append("description: must be text")
        description = ""
    as_of = _date_value(doc.get("as_of"), "as_of", problems)
    unknown = sorted(set(doc) - {"name", "description", "as_of", "source", "edit", "edits"})
    for key in unknown:
        problems.append(f"{str(key)[:30]}: unknown key (use name, description, as_of, source, edit)")
    source = doc.get("source", [])
    if isinstance(source, str):
        source = [source]
    if not isinstance(source, list) or not all(isinstance(x, str) and len(x) <= 80 for x in source):
        problems.append("source: must be a list of sources.csv ids")
        source = []
    raw_edits = doc.get("edit", doc.get("edits", []))
    if not isinstance(raw_edits, list):
        problems.append("edit: must be a list of tables ([[edit]] in TOML)")
        raw_edits = []
    if len(raw_edits) > MAX_EDITS:
        problems.append(f"edit: more than {MAX_EDITS} edits")
        raw_edits = raw_edits[:MAX_EDITS]
    edits = []
    for i, raw in enumerate(raw_edits, start=1):
        e = _parse_edit(raw, f"edit {i}", problems)
        if e is not None:
            edits.append(e)
    if problems:
        raise ScenarioError(problems, origin=origin)
    return Scenario(name.strip()[:120], tuple(edits), description.strip()[:800], as_of, origin, tuple(source))


def _date_value(value: Any, label: str, problems: list[str]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(f"{label}: not a date YYYY-MM-DD ({str(value)[:30]!r})")
        return None


def _number(value: Any, label: str, problems: list[str], *, positive: bool = True) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.append(f"{label}: must be a number")
        return None
    try:
        x = float(value)
    except ValueError:
        problems.append(f"{label}: must be a number ({str(value)[:20]!r})")
        return None
    if not math.isfinite(x) or (positive and x <= 0) or (not positive and x < 0) or x > 1e6:
        problems.append(f"{label}: {str(value)[:20]} is out of range")
        return None
    return x


def _parse_edit(raw: Any, label: str, problems: list[str]) -> Edit | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{label}: must be a table with an action")
        return None
    allowed = {"action", "target", "what", "factor", "value", "component", "modes", "direction", "event"}
    for key in sorted(set(raw) - allowed):
        problems.append(f"{label}: unknown key {str(key)[:30]!r}")
    action = raw.get("action")
    if action not in ACTIONS:
        problems.append(f"{label}: action {str(action)[:30]!r} is not one of {', '.join(ACTIONS)}")
        return None
    target = raw.get("target", "")
    if not isinstance(target, str) or len(target) > 100:
        problems.append(f"{label}: target must be a short text")
        target = ""
    target = target.strip()
    modes = raw.get("modes", [])
    if isinstance(modes, str):
        modes = [modes]
    if not isinstance(modes, list) or not all(isinstance(m, str) and m in MODES for m in modes):
        problems.append(f"{label}: modes must be a list of rail, road, sea")
        modes = []
    direction = raw.get("direction", "both")
    if direction not in ("both", "forward", "reverse", "inbound", "outbound"):
        problems.append(f"{label}: direction must be both, forward, reverse, inbound or outbound")
        direction = "both"
    edit = Edit(action, target=target, modes=tuple(modes), direction=direction)
    if action in ("close", "reopen", "open", "scale", "set") and not target:
        problems.append(f"{label}: {action} needs a target")
    if action in ("scale", "set"):
        what = raw.get("what", "")
        options = SCALABLE if action == "scale" else SETTABLE
        if what not in options:
            problems.append(f"{label}: what {str(what)[:30]!r} is not one of {', '.join(options)}")
            return None
        component = raw.get("component", "")
        if what == "spread" and component not in SPREAD_COMPONENTS:
            problems.append(f"{label}: a spread edit needs component, one of {', '.join(SPREAD_COMPONENTS)}")
        if action == "scale":
            factor = _number(raw.get("factor"), f"{label}: factor", problems)
            return replace(edit, what=what, factor=factor, component=component or "")
        value = _number(raw.get("value"), f"{label}: value", problems, positive=what != "fee")
        return replace(edit, what=what, value=value)
    if action == "as_of":
        day = _date_value(raw.get("value"), f"{label}: value", problems)
        if day is None and not any(p.startswith(f"{label}:") for p in problems):
            problems.append(f"{label}: as_of needs value = YYYY-MM-DD")
        return replace(edit, value=day)
    if action == "lift_event":
        eid = raw.get("event", raw.get("value", ""))
        if not isinstance(eid, str) or not eid:
            problems.append(f"{label}: lift_event needs event = <events.csv id>")
        return replace(edit, value=eid if isinstance(eid, str) else "")
    if action == "add_event":
        ev = raw.get("event")
        if not isinstance(ev, Mapping):
            problems.append(f"{label}: add_event needs an event table")
            return None
        return replace(edit, event=tuple(sorted((str(k), v) for k, v in ev.items())))
    return edit


# ---------------------------------------------------------------------------------------------
# resolving a scenario on a network


@dataclass(frozen=True)
class _Match:
    """Which edges a target names: by link, place, corridor, country, mode or all."""

    scope: str
    ids: frozenset[str]

    def edge(self, d: Mapping[str, Any], country: Mapping[str, str]) -> bool:
        if self.scope == "all":
            return True
        if self.scope == "link":
            return d["link"] in self.ids
        if self.scope == "node":
            return d["a"] in self.ids or d["b"] in self.ids
        if self.scope == "corridor":
            return not self.ids.isdisjoint(d["corridors"])
        if self.scope == "country":
            return country[d["a"]] in self.ids or country[d["b"]] in self.ids
        return d["mode"] in self.ids  # mode


@dataclass
class ScenarioView:
    """A scenario resolved on a network: what routing reads instead of the base figures.

    ``events`` and ``as_of`` replace the dataset's; ``open_links`` are links routed as operational;
    :meth:`override` gives an edge's attributes under the edits (None: unchanged); ``spreads`` the
    spread table with the scenario's spread edits.
    """

    scenario: Scenario
    events: tuple[Event, ...]
    as_of: date
    open_links: frozenset[str]
    edge_edits: tuple[tuple[Edit, _Match], ...]
    spread_edits: tuple[tuple[Edit, _Match], ...]
    country: Mapping[str, str]
    _overrides: dict[tuple[str, str], dict[str, Any]] | None = field(default=None, repr=False)

    def overrides(self, G: nx.DiGraph) -> dict[tuple[str, str], dict[str, Any]]:
        """Per edge, its attributes under the edits (only edges that change), computed once."""
        if self._overrides is None:
            out = {}
            for u, v, d in G.edges(data=True):
                new = _apply(d, self.edge_edits, self.open_links, self.country)
                if new is not None:
                    out[(u, v)] = new
            self._overrides = out
        return self._overrides

    def spreads(self, table: SpreadTable) -> SpreadTable:
        """The spread table with the spread edits (each a power on the matching rows' P90/P10 ratio)."""
        if not self.spread_edits:
            return table
        from corridors.uncertainty import SpreadTable as Table

        rows = []
        for s in table.rows:
            f = 1.0
            for e, m in self.spread_edits:
                if e.component == s.component and (m.scope == "all" or s.target in m.ids or _mode_hit(m, s)):
                    f *= float(e.factor or 1.0)
            rows.append(s if f == 1.0 else replace(s, high=s.low * (s.high / s.low) ** f))
        return Table.from_spreads(rows)


def _mode_hit(m: _Match, s: Any) -> bool:
    return m.scope == "mode" and s.mode in m.ids


def view(net: Any, scenario: Scenario) -> ScenarioView:
    """Resolve ``scenario`` on ``net`` (a base network); raises :class:`ScenarioError` listing every
    edit that names something the network does not have."""
    problems: list[str] = []
    events = list(net.events)
    as_of = scenario.as_of or net.as_of
    open_links: set[str] = set()
    edge_edits: list[tuple[Edit, _Match]] = []
    spread_edits: list[tuple[Edit, _Match]] = []
    links = net.lookup.links
    known_sources = {r["id"] for r in net.dataset.source_records}
    for s_id in scenario.source:
        if s_id not in known_sources:
            problems.append(f"source: {s_id[:40]!r} is not in sources.csv")
    for i, e in enumerate(scenario.edits, start=1):
        label = f"edit {i} ({e.describe()})"
        if e.action == "as_of":
            as_of = e.value
            continue
        if e.action == "lift_event":
            if e.value not in {x.id for x in events}:
                problems.append(f"{label}: no event {str(e.value)[:40]!r} in events.csv")
            events = [x for x in events if x.id != e.value]
            continue
        if e.action == "add_event":
            ev = _event_from(dict(e.event), net, label, problems)
            if ev is not None:
                events.append(ev)
            continue
        m = _resolve(net, e.target, label, problems)
        if m is None:
            continue
        if e.action == "close":
            kind, target = _event_target(m)
            if kind is None:
                problems.append(
                    f"{label}: close a link, crossing, place, corridor or country, not a {m.scope}"
                )
                continue
            direction = e.direction
            if kind == "link" and direction in ("inbound", "outbound"):
                direction = "both"
            if kind in ("node", "country") and direction in ("forward", "reverse"):
                direction = "both"
            for t in target:
                events.append(
                    Event(
                        id=f"scenario_{i}_{t}",
                        target_kind=kind,
                        target=t,
                        kind="closure",
                        start=date.min,
                        end=None,
                        last_confirmed=None,
                        direction=direction,
                        modes=e.modes or tuple(MODES),
                        delay_h=0.0,
                        title=f"Scenario {scenario.name!r}: {e.target} closed",
                        source=(),
                    )
                )
        elif e.action == "reopen":
            before = len(events)
            events = [x for x in events if not _targets(x, m, net)]
            if len(events) == before:
                problems.append(f"{label}: no dated disruption on {e.target!r} to lift")
        elif e.action == "open":
            ids = _link_ids(m, net)
            shut = {i for i in ids if links[i]["status"] != "operational"}
            if not shut:
                problems.append(f"{label}: {e.target!r} has no planned or under-construction link")
            open_links |= shut
        elif e.what == "spread":
            spread_edits.append((e, m))
        else:
            edge_edits.append((e, m))
    if problems:
        raise ScenarioError(problems, origin=scenario.origin or scenario.name)
    return ScenarioView(
        scenario,
        tuple(events),
        as_of,
        frozenset(open_links),
        tuple(edge_edits),
        tuple(spread_edits),
        net.lookup.country,
    )


def _resolve(net: Any, text: str, label: str, problems: list[str]) -> _Match | None:
    """A target name -> the edges it names (ids first, then a place by any spelling)."""
    from corridors.places import PlaceNotFound

    t = text.strip()
    if t == "*":
        return _Match("all", frozenset())
    if t in MODES:
        return _Match("mode", frozenset({t}))
    if t in net.lookup.links:
        return _Match("link", frozenset({t}))
    corridors = {r["id"] for r in net.dataset.corridor_records}
    if t in corridors:
        return _Match("corridor", frozenset({t}))
    if len(t) == 2 and t.isalpha() and t.upper() == t and t in set(net.lookup.country.values()):
        return _Match("country", frozenset({t}))
    try:
        return _Match("node", frozenset({net.place(t).id}))
    except PlaceNotFound as exc:
        near = ", ".join(p.name for p in exc.suggestions[:4])
        problems.append(
            f"{label}: {t[:40]!r} is not a link, place, corridor, country or mode"
            + (f" (closest: {near})" if near else "")
        )
        return None


def _event_target(m: _Match) -> tuple[str | None, tuple[str, ...]]:
    if m.scope in ("link", "node", "corridor", "country"):
        return m.scope, tuple(sorted(m.ids))
    return None, ()


def _targets(e: Event, m: _Match, net: Any) -> bool:
    """Whether a dated event is on the target (its link, place, corridor or country; or a link of a
    place/corridor named)."""
    if e.target_kind == m.scope and e.target in m.ids:
        return True
    if e.target_kind == "link" and m.scope == "node":
        link = net.lookup.links.get(e.target)
        return link is not None and not m.ids.isdisjoint({link["from"], link["to"]})
    if e.target_kind == "link" and m.scope == "corridor":
        link = net.lookup.links.get(e.target)
        return link is not None and not m.ids.isdisjoint(link["corridors"])
    return False


def _link_ids(m: _Match, net: Any) -> set[str]:
    links = net.lookup.links
    if m.scope == "link":
        return set(m.ids)
    if m.scope == "corridor":
        return {i for i, r in links.items() if not m.ids.isdisjoint(r["corridors"])}
    if m.scope == "node":
        return {i for i, r in links.items() if r["from"] in m.ids or r["to"] in m.ids}
    if m.scope == "country":
        c = net.lookup.country
        return {i for i, r in links.items() if c[r["from"]] in m.ids or c[r["to"]] in m.ids}
    if m.scope == "mode":
        return {i for i, r in links.items() if r["mode"] in m.ids}
    return set(links)


def _event_from(raw: Mapping[str, Any], net: Any, label: str, problems: list[str]) -> Event | None:
    need = ("id", "target_kind", "target", "kind", "start", "title")
    missing = [k for k in need if not raw.get(k)]
    if missing:
        problems.append(f"{label}: the event needs {', '.join(missing)}")
        return None
    kind = raw["kind"]
    if kind not in EVENT_KINDS:
        problems.append(f"{label}: event kind {str(kind)[:30]!r} is not one of {', '.join(EVENT_KINDS)}")
        return None
    tkind, target = raw["target_kind"], str(raw["target"])
    known = {
        "link": set(net.lookup.links),
        "node": set(net.lookup.name),
        "corridor": {r["id"] for r in net.dataset.corridor_records},
        "country": set(net.lookup.country.values()),
    }
    if tkind not in known or target not in known[tkind]:
        problems.append(f"{label}: event target {str(tkind)[:20]} {target[:40]!r} is not in the dataset")
        return None
    start = _date_value(raw["start"], f"{label}: start", problems)
    end = _date_value(raw.get("end"), f"{label}: end", problems)
    delay = 0.0
    if kind not in CLOSING_EVENTS:
        d = _number(raw.get("delay_h"), f"{label}: delay_h", problems)
        delay = d or 0.0
    modes = raw.get("modes", list(MODES))
    if isinstance(modes, str):
        modes = list(MODES) if modes == "*" else modes.split(";")
    if start is None or (end is not None and end < start) or not set(modes) <= set(MODES):
        if start is not None:
            problems.append(f"{label}: the event's end is before its start, or a mode is unknown")
        return None
    return Event(
        id=str(raw["id"])[:80],
        target_kind=tkind,
        target=target,
        kind=kind,
        start=start,
        end=end,
        last_confirmed=end or start,
        direction=str(raw.get("direction", "both")),
        modes=tuple(modes),
        delay_h=delay,
        title=str(raw["title"])[:200],
        source=tuple(raw.get("source", ()) if isinstance(raw.get("source"), list) else ()),
    )


def _apply(
    d: Mapping[str, Any],
    edits: Iterable[tuple[Edit, _Match]],
    open_links: frozenset[str],
    country: Mapping[str, str],
) -> dict[str, Any] | None:
    """An edge's attributes under the edits, or None when nothing changes."""
    if d["kind"] == "access":
        return None
    out: dict[str, Any] | None = None
    if d["link"] in open_links and d["status"] != "operational":
        out = {**d, "status": "operational"}
    for e, m in edits:
        cur = out or d
        if e.modes and cur["mode"] not in e.modes:
            continue
        if not m.edge(cur, country):
            continue
        new = _edit_edge(cur, e)
        if new is not None:
            out = new
    return out


def _edit_edge(d: Mapping[str, Any], e: Edit) -> dict[str, Any] | None:
    """One edit on one edge (None when it does not apply to this kind of edge)."""
    kind, what = d["kind"], e.what
    scale = e.action == "scale"
    f = float(e.factor) if scale and e.factor is not None else None
    x = float(e.value) if not scale and e.value is not None else None
    new = dict(d)
    if what == "dwell":
        if kind != "crossing":
            return None
        new["dwell_h"] = d["dwell_h"] * f if f is not None else x
    elif what == "handling":
        if kind not in ("transfer", "gauge_change"):
            return None
        new["handling_h"] = d["handling_h"] * (f or 1.0)
    elif what == "speed":
        if kind not in ("link", "crossing") or not d["run_h"]:
            return None
        new["run_h"] = d["run_h"] / f if f is not None else d["distance_km"] / x if x else d["run_h"]
    elif what == "interval":
        if not d["interval_h"]:
            return None
        interval = d["interval_h"] * f if f is not None else x
        new["interval_h"] = interval
        new["departure_h"] = interval / 2.0
    elif what in ("fee", "tariff"):
        items = ("border",) if what == "fee" else ("line_haul", "sea_freight", "handling")
        prices = {}
        for c, p in d["prices"].items():
            vals = {k: getattr(p, k) for k in COST_ITEMS}
            for k in items:
                if what == "fee" and x is not None:
                    vals[k] = x if kind == "crossing" else vals[k]
                else:
                    vals[k] = vals[k] * (f if f is not None else 1.0)
            prices[c] = Price(**vals, basis=p.basis, sources=p.sources, estimate=p.estimate)
        new["prices"] = prices
        for c, p in prices.items():
            new[f"cost_{c}"] = p.total
    else:
        return None
    new["time_h"] = new["run_h"] + new["dwell_h"] + new["departure_h"] + new["handling_h"]
    new["scenario"] = True
    return new


# ---------------------------------------------------------------------------------------------
# comparing a scenario with the baseline


@dataclass(frozen=True)
class PairChange:
    """One origin-destination pair: the chosen route before and after, and the changes."""

    origin: str
    destination: str
    base: Any  # Route | None
    scen: Any  # Route | None
    base_reason: str = ""
    scen_reason: str = ""

    @property
    def changed(self) -> bool:
        """Whether the chosen route differs (or a route appears or disappears)."""
        if self.base is None or self.scen is None:
            return (self.base is None) != (self.scen is None)
        return [leg.link for leg in self.base.legs] != [leg.link for leg in self.scen.legs]

    def delta(self, attr: str) -> float | None:
        """Scenario minus baseline of a totals field, or of ``p50``/``p90`` of the distributions."""
        if self.base is None or self.scen is None:
            return None
        if attr in ("p50", "p90"):
            if self.base.distribution is None or self.scen.distribution is None:
                return None
            return getattr(self.scen.distribution, attr) - getattr(self.base.distribution, attr)
        return getattr(self.scen.totals, attr) - getattr(self.base.totals, attr)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""

        def side(r: Any, reason: str) -> dict[str, Any]:
            if r is None:
                return {"route": None, "no_route": reason}
            d = r.distribution
            return {
                "route": r.summary(),
                "time_h": round(r.totals.time_h, 2),
                "time_h_p50": round(d.p50, 2) if d else None,
                "time_h_p90": round(d.p90, 2) if d else None,
                "cost_usd": round(r.totals.cost_usd, 2),
                "co2_kg": round(r.totals.co2_kg, 1),
            }

        return {
            "origin": self.origin,
            "destination": self.destination,
            "changed": self.changed,
            "baseline": side(self.base, self.base_reason),
            "scenario": side(self.scen, self.scen_reason),
            "delta": {
                k: (None if (v := self.delta(a)) is None else round(v, 2))
                for k, a in (
                    ("time_h_p50", "p50"),
                    ("time_h_p90", "p90"),
                    ("cost_usd", "cost_usd"),
                    ("co2_kg", "co2_kg"),
                )
            },
        }


@dataclass(frozen=True)
class Comparison:
    """A scenario against the baseline over a list of pairs, and the links that gain or lose use."""

    scenario: Scenario
    pairs: tuple[PairChange, ...]
    link_gain: Mapping[str, int]
    link_loss: Mapping[str, int]

    @property
    def lost(self) -> tuple[PairChange, ...]:
        """Pairs that had a route and lose every route."""
        return tuple(p for p in self.pairs if p.base is not None and p.scen is None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the scenario, each pair, and the link-use changes."""
        return {
            "scenario": self.scenario.to_dict(),
            "pairs": [p.to_dict() for p in self.pairs],
            "changed": sum(p.changed for p in self.pairs),
            "lost": [
                {"origin": p.origin, "destination": p.destination, "reason": p.scen_reason} for p in self.lost
            ],
            "links_gaining_use": dict(self.link_gain),
            "links_losing_use": dict(self.link_loss),
        }


def compare(base: Any, scen: Any, pairs: Iterable[tuple[str, str]], **options: Any) -> Comparison:
    """The best route of every pair on the baseline network and on its scenario view.

    ``options`` are those of ``Network.route`` (objective, modes, container, samples...); a pair
    without a route on either side keeps the blocking reason.
    """
    from corridors.routing import NoRoute

    rows = []
    gain: dict[str, int] = {}
    loss: dict[str, int] = {}
    for o, d in pairs:
        sides: list[Any] = []
        reasons: list[str] = []
        for net in (base, scen):
            try:
                sides.append(net.route(o, d, **options))
                reasons.append("")
            except NoRoute as exc:
                sides.append(None)
                reasons.append(exc.reason)
        change = PairChange(o, d, sides[0], sides[1], reasons[0], reasons[1])
        before = {leg.link for leg in change.base.legs if leg.link} if change.base else set()
        after = {leg.link for leg in change.scen.legs if leg.link} if change.scen else set()
        for link in after - before:
            gain[link] = gain.get(link, 0) + 1
        for link in before - after:
            loss[link] = loss.get(link, 0) + 1
        rows.append(change)
    return Comparison(
        scen.scenario or Scenario("baseline", ()),
        tuple(rows),
        {k: gain[k] for k in sorted(gain, key=lambda k: (-gain[k], k))},
        {k: loss[k] for k in sorted(loss, key=lambda k: (-loss[k], k))},
    )


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """Origin-destination pairs from a CSV file with ``origin`` and ``destination`` columns."""
    import csv
    import io

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"cannot read the pairs file: {exc}"], origin=p.name) from None
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "origin" not in rows[0] or "destination" not in rows[0]:
        raise ScenarioError(["the pairs file needs origin and destination columns"], origin=p.name)
    if len(rows) > 2_000:
        raise ScenarioError(["more than 2,000 pairs"], origin=p.name)
    return [((r["origin"] or "").strip(), (r["destination"] or "").strip()) for r in rows]


# ---------------------------------------------------------------------------------------------
# scenario ids: shipped files and saved documents


def shipped_scenarios(directory: str | Path) -> dict[str, Path]:
    """Shipped scenario files of a dataset (``<geodata>/scenarios/*.toml`` or ``.json``) by id (the stem)."""
    d = Path(directory)
    if not d.is_dir():
        return {}
    return {
        p.stem: p for p in sorted(d.iterdir()) if p.suffix in (".toml", ".json") and p.stem.isidentifier()
    }


def scenario_id_for_saved(saved_id: int) -> str:
    """The link id of a scenario saved in the app's database (``saved_12``)."""
    return f"saved_{int(saved_id)}"


def resolve_scenario_id(scenario_id: str, *, shipped: Mapping[str, Path], store: Any = None) -> Scenario:
    """The scenario a link names: a shipped file's id or ``saved_<n>`` from ``store`` (a TourStore).

    Raises :class:`ScenarioError` (unknown id, unreadable document) listing what is wrong.
    """
    if scenario_id in shipped:
        return load_scenario(shipped[scenario_id])
    if scenario_id.startswith("saved_") and scenario_id[6:].isdigit() and store is not None:
        try:
            doc = store.scenario(int(scenario_id[6:]))
        except LookupError:
            raise ScenarioError([f"no saved scenario {scenario_id}"], origin=scenario_id) from None
        return parse_scenario(doc, origin=scenario_id)
    raise ScenarioError(
        [f"no scenario {scenario_id!r}; shipped: {', '.join(shipped) or 'none'}"], origin="link"
    )
