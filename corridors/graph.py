"""The intermodal routing graph of a dataset, and plain lookups that route building reads.

Graph model (built once from a validated :class:`~corridors.data.Dataset`, then frozen):

* Each place has one node per mode layer it serves: ``"<place>|road"``, ``"<place>|sea"`` and one
  rail layer per track gauge that reaches it (``"<place>|rail1520"``, ``"<place>|rail1435"``...).
* Each link gives two directed edges between layers of its end places (crossings carry the dwell and
  fee of their direction). Parallel links between the same layers get a midpoint node so that both
  stay routable.
* Mode transfers (``terminals.csv`` ``transfer`` rows) and gauge changes (``gauge_change`` rows) are
  edges between layers of one place; nowhere else can a route change mode or gauge.
* A place with several layers gets ``"<place>|out"`` (to every layer) and ``"<place>|in"`` (from
  every layer), zero-cost access nodes for origins and destinations that nothing passes through; a
  place with one layer is entered and left at that layer's node. ``G.graph["endpoints"]`` maps a place
  id to its (source, target) graph nodes.

Edge attributes are per container (see :mod:`corridors.costs`). Constraints are applied by the weight
function in :mod:`corridors.routing`, never by copying or filtering the graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from corridors.costs import CONTAINERS, CostModel, EdgeCost, Price
from corridors.data import Dataset

__all__ = ["Lookup", "build_graph", "layer_of", "place_labels"]


def layer_of(mode: str, gauge: int | None) -> str:
    """Layer name of a mode (rail layers are per gauge)."""
    if mode != "rail":
        return mode
    g = _opt(gauge)
    return f"rail{int(g)}" if g is not None else "rail"


def _edge(cost: EdgeCost, **attrs: Any) -> dict[str, Any]:
    """Edge attributes: the time components and prices of ``cost`` plus ``attrs`` (identity, status).

    ``cost_<container>`` holds the total price per container for the weight function; ``prices`` the
    itemized :class:`~corridors.costs.Price` per container type.
    """
    out = {
        "distance_km": cost.distance_km,
        "run_h": cost.run_h,
        "dwell_h": cost.dwell_h,
        "departure_h": cost.departure_h,
        "handling_h": cost.handling_h,
        "interval_h": cost.interval_h,
        "speed_kmh": cost.speed_kmh,
        "time_h": cost.time_h,
        "co2_kg": cost.co2_kg,
        "prices": cost.prices,
        "estimate": cost.estimate,
        "basis": cost.basis,
        **attrs,
    }
    out["sources"] = tuple(dict.fromkeys((*attrs.get("sources", ()), *cost.sources)))
    for c, price in cost.prices.items():
        out[f"cost_{c}"] = price.total
    return out


def build_graph(ds: Dataset, model: CostModel) -> nx.DiGraph:
    """Build the frozen intermodal graph of a dataset (see the module docstring)."""
    G = nx.DiGraph()
    nodes = {r["id"]: r for r in ds.node_records}
    layers: dict[str, set[str]] = {pid: set() for pid in nodes}
    for link in ds.link_records:
        lay = layer_of(link["mode"], link.get("gauge_mm"))
        layers[link["from"]].add(lay)
        layers[link["to"]].add(lay)

    # layer nodes, and access nodes where a place has several layers
    endpoints: dict[str, tuple[str, str]] = {}
    for pid, lays in layers.items():
        for lay in lays:
            G.add_node(f"{pid}|{lay}", place=pid, layer=lay)
        if len(lays) == 1:
            only = f"{pid}|{next(iter(lays))}"
            endpoints[pid] = (only, only)
            continue
        if not lays:  # a place no link reaches: routable to nothing
            G.add_node(f"{pid}|none", place=pid, layer="none")
            endpoints[pid] = (f"{pid}|none", f"{pid}|none")
            continue
        G.add_node(f"{pid}|out", place=pid, layer="out")
        G.add_node(f"{pid}|in", place=pid, layer="in")
        endpoints[pid] = (f"{pid}|out", f"{pid}|in")
        zero = EdgeCost(0.0, prices={c: Price() for c in CONTAINERS})
        access: dict[str, Any] = dict(
            kind="access",
            mode="access",
            link=None,
            status="operational",
            corridors=(),
            sources=(),
            countries=frozenset({nodes[pid]["country"]}),
            places=(pid,),
            a=pid,
            b=pid,
        )
        for lay in lays:
            G.add_edge(f"{pid}|out", f"{pid}|{lay}", **_edge(zero, **access))
            G.add_edge(f"{pid}|{lay}", f"{pid}|in", **_edge(zero, **access))
    G.graph["endpoints"] = endpoints

    for link in ds.link_records:
        a, b = nodes[link["from"]], nodes[link["to"]]
        lay = layer_of(link["mode"], link.get("gauge_mm"))
        country = "*" if link["mode"] == "sea" else a["country"]
        common: dict[str, Any] = dict(
            kind="crossing" if link.get("crossing") else "link",
            mode=link["mode"],
            link=link["id"],
            status=link["status"],
            corridors=tuple(link["corridors"]),
            sources=tuple(link["source"]),
            countries=frozenset({a["country"], b["country"]}),
            gauge=int(link["gauge_mm"]) if _opt(link.get("gauge_mm")) is not None else None,
            name=link.get("name") or "",
        )
        for u, v, rev in ((a["id"], b["id"], False), (b["id"], a["id"], True)):
            cost = model.line(link, country, reverse=rev)
            attrs = _edge(cost, places=(u, v), a=u, b=v, reverse=rev, **common)
            su, sv = f"{u}|{lay}", f"{v}|{lay}"
            if G.has_edge(su, sv):  # a parallel link: route it through its own midpoint node
                mid = f"{link['id']}|mid"
                G.add_node(mid, place=None, layer=lay)
                half = halved(attrs)
                G.add_edge(su, mid, **half)
                G.add_edge(mid, sv, **{**half, "half": True})
            else:
                G.add_edge(su, sv, **attrs)

    # Transfers and gauge changes lead to a "departure" copy of the target layer, whose only exits
    # are that layer's links and the destination: two handling steps cannot be chained at one place
    # (no rail -> road -> rail at a terminal to dodge a gauge change).
    for t in ds.terminal_records:
        pid = t["node"]
        if pid not in layers:
            continue
        c = frozenset({nodes[pid]["country"]})
        x, y = t["between"].split("/")
        kind = t["operation"]
        if kind == "transfer":
            from_l = [lay for lay in layers[pid] if lay.startswith(x)]
            to_l = [lay for lay in layers[pid] if lay.startswith(y)]
        else:
            from_l = [f"rail{x}"] if f"rail{x}" in layers[pid] else []
            to_l = [f"rail{y}"] if f"rail{y}" in layers[pid] else []
        for la in from_l:
            for lb in to_l:
                for u, v in ((la, lb), (lb, la)):
                    cost = model.handling(
                        node=pid,
                        operation=kind,
                        between=t["between"],
                        time_h=_opt(t["time_h"]),
                        depart_interval_h=_opt(t.get("depart_interval_h")),
                        onto_rail=kind == "transfer" and v.startswith("rail"),
                    )
                    G.add_edge(
                        f"{pid}|{u}",
                        _departure(G, pid, v),
                        **_edge(
                            cost,
                            kind=kind,
                            mode="transfer",
                            link=None,
                            status="operational",
                            corridors=(),
                            sources=tuple(t["source"]),
                            countries=c,
                            places=(pid,),
                            a=pid,
                            b=pid,
                            between=t["between"],
                            from_layer=u,
                            to_layer=v,
                        ),
                    )
    nx.freeze(G)
    return G


def _departure(G: nx.DiGraph, pid: str, lay: str) -> str:
    """The departure node of a layer: a copy with only the layer's link edges and the exit."""
    dep = f"{pid}|{lay}|dep"
    if dep not in G:
        G.add_node(dep, place=pid, layer=lay)
        for _, v, d in list(G.out_edges(f"{pid}|{lay}", data=True)):
            if d["kind"] in ("link", "crossing") or v == f"{pid}|in":
                G.add_edge(dep, v, **d)
    return dep


#: Edge attributes that add up along a path (a parallel link's halves each carry half).
ADDITIVE = (
    "distance_km",
    "run_h",
    "dwell_h",
    "departure_h",
    "handling_h",
    "interval_h",
    "time_h",
    "co2_kg",
    *(f"cost_{c}" for c in CONTAINERS),
)


def halved(attrs: dict[str, Any]) -> dict[str, Any]:
    """Edge attributes with every additive figure (and every price item) halved."""
    out = {k: (v / 2 if k in ADDITIVE else v) for k, v in attrs.items()}
    out["prices"] = {c: p.scaled(0.5) for c, p in attrs["prices"].items()}
    return out


def _opt(x: Any) -> float | None:
    return None if x is None or x != x else float(x)


def place_labels(nodes: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Short, unambiguous names for headlines: a name whose base (before `` (``) another place shares is
    shown as ``base (country)`` — ``Alat (UZ)`` and ``Alat (AZ)``, ``Torkham (AF)`` and ``Torkham (PK)``;
    other names stay as they are (and get the place id if even that collides)."""
    rows = list(nodes)
    base = {r["id"]: str(r["name"]).split(" (")[0] for r in rows}
    counts = Counter(base.values())
    out = {
        r["id"]: (f"{base[r['id']]} ({r['country']})" if counts[base[r["id"]]] > 1 else str(r["name"]))
        for r in rows
    }
    dup = Counter(out.values())
    return {pid: (f"{lab} [{pid}]" if dup[lab] > 1 else lab) for pid, lab in out.items()}


class Lookup:
    """Dict views of the frames that leg building reads many times per route."""

    def __init__(self, ds: Dataset) -> None:
        self.name = {r["id"]: r["name"] for r in ds.node_records}
        self.label = place_labels(ds.node_records)
        self.country = {r["id"]: r["country"] for r in ds.node_records}
        self.point = {r["id"]: r["xy"] for r in ds.node_records}
        self.line = {r["id"]: r["coords"] for r in ds.link_records}
        self.links = {r["id"]: r for r in ds.link_records}
