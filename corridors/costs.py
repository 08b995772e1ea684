"""The cost model: time, money, CO2 and distance of every edge, built from component figures.

Every figure comes from a row of the dataset with its source: prices from ``tariffs.csv``, speeds,
default handling times, CO2 factors and the value of time from ``parameters.csv``, sailing intervals,
crossing times and border dwell from the links, port dwell and departure intervals from
``terminals.csv``. End-to-end figures (``validation.csv``) only check the model
(``corridors check-model``); nothing here is fitted to them.

**Money, per container**, by type (``20ft``, ``40ft``; each priced by its own tariff rows) and
itemized into the four items of :data:`COST_ITEMS`:

* ``line_haul`` (rail, road): rate x km. Rail: USD per container-km of the link's country (a row for
  the link itself first, then the country, then ``*``); road: USD per truck-km (one container per
  truck). A border-crossing link's short line haul is priced like its origin country's.
* ``sea_freight``: the sailing's tariff per container (a row for the link and direction), else the
  ``*`` rate per container-km.
* ``handling``: per container at the terminal for a mode transfer or a gauge change (a row for the
  place, then ``*``, by ``between``).
* ``border``: the crossing's fee in the direction travelled (CAREC CPMM TFI2), the same for any box.

**Time, per shipment** (does not scale with its size), itemized into the components of
:class:`EdgeCost`: ``run_h`` (line haul: published ``duration_h``, else length / commercial speed of
the link or of its mode and country), ``dwell_h`` (border dwell in the direction travelled),
``departure_h`` (waiting for a departure: half the sailing interval of a sea link, half the departure
interval of the onward train after a transfer onto rail), ``handling_h`` (transfer or gauge change:
the terminal's own time, else the default of its kind). ``interval_h`` keeps the full interval: the
transit time ranges from no wait to a full interval at every departure.

**CO2** per TEU: ``co2_g_per_tkm`` x ``teu_tonnes`` x km / 1000 (a 40-ft box counts as 2 TEU).

Objectives: ``time``, ``cost``, ``distance``, ``co2``, ``generalized`` (cost + value of time x
hours, per container).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONTAINERS",
    "COST_ITEMS",
    "OBJECTIVES",
    "CostModel",
    "EdgeCost",
    "MissingParameter",
    "MissingTariff",
    "Price",
]

#: Objective name -> what it minimises.
OBJECTIVES: Mapping[str, str] = MappingProxyType(
    {
        "time": "hours",
        "time_p90": "hours within which 90 % of shipments arrive",
        "cost": "USD per shipment",
        "distance": "km",
        "co2": "kg CO2",
        "generalized": "USD + value of time x hours",
    }
)

#: The items of an itemized cost, in display order.
COST_ITEMS = ("line_haul", "sea_freight", "handling", "border")

#: Container types and how many TEU each is.
CONTAINERS: Mapping[str, float] = MappingProxyType({"20ft": 1.0, "40ft": 2.0})


class MissingParameter(LookupError):
    """A parameter the model needs has no row in parameters.csv (for that mode and country nor ``*``)."""


class MissingTariff(LookupError):
    """A price the model needs has no row in tariffs.csv (for that link, place or country nor ``*``)."""


@dataclass(frozen=True, slots=True)
class Price:
    """The price of one edge for one container, itemized (:data:`COST_ITEMS`), with its basis.

    ``basis`` says what the price is, per unit and year ("rail KZ 0.15 USD/container-km (2023) x
    304 km"); ``sources`` are the tariff rows' sources; ``estimate`` is true when any tariff used is.
    """

    line_haul: float = 0.0
    sea_freight: float = 0.0
    handling: float = 0.0
    border: float = 0.0
    basis: str = ""
    sources: tuple[str, ...] = ()
    estimate: bool = False

    @property
    def total(self) -> float:
        """The sum of the items."""
        return self.line_haul + self.sea_freight + self.handling + self.border

    def items(self) -> dict[str, float]:
        """The items as a dict in :data:`COST_ITEMS` order."""
        return {k: getattr(self, k) for k in COST_ITEMS}

    def scaled(self, factor: float) -> Price:
        """The same price with every item multiplied by ``factor`` (basis kept)."""
        return replace(self, **{k: getattr(self, k) * factor for k in COST_ITEMS})


@dataclass(frozen=True, slots=True)
class EdgeCost:
    """Figures of one edge: time components for the shipment, prices per container type.

    ``time_h`` is ``run_h + dwell_h + departure_h + handling_h``; ``interval_h`` is the full interval
    behind ``departure_h``, the expected wait for a departure (the wait ranges from 0 to it).
    ``speed_kmh`` is the speed behind ``run_h`` (0 when a published duration was used).
    """

    distance_km: float
    run_h: float = 0.0
    dwell_h: float = 0.0
    departure_h: float = 0.0
    handling_h: float = 0.0
    interval_h: float = 0.0
    speed_kmh: float = 0.0
    co2_kg: float = 0.0
    prices: Mapping[str, Price] = field(default_factory=dict)
    estimate: bool = False
    basis: str = ""
    sources: tuple[str, ...] = ()

    @property
    def time_h(self) -> float:
        """Total hours on this edge."""
        return self.run_h + self.dwell_h + self.departure_h + self.handling_h

    def cost(self, container: str) -> float:
        """USD for one container of that type."""
        return self.prices[container].total


class CostModel:
    """Parameter and tariff lookup, and edge pricing. Built once from the dataset's rows; immutable."""

    def __init__(
        self,
        parameters: Iterable[Mapping[str, Any]] | pd.DataFrame,
        tariffs: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        rows = parameters.to_dict("records") if hasattr(parameters, "to_dict") else parameters
        table: dict[tuple[str, str, str], tuple[float, bool, tuple[str, ...]]] = {}
        for r in rows:
            table[(str(r["param"]), str(r["mode"]), str(r["country"]))] = (
                float(r["value"]),
                bool(r["estimate"]),
                tuple(r["source"]),
            )
        self._table = MappingProxyType(table)
        line: dict[tuple[str, str, str], Mapping[str, Any]] = {}
        sea: dict[tuple[str, str, str], Mapping[str, Any]] = {}
        handling: dict[tuple[str, str, str], Mapping[str, Any]] = {}
        for t in tariffs:
            c = t["container"]
            if t["item"] == "line_haul":
                line[(t["mode"], t.get("link") or t["country"], c)] = t
            elif t["item"] == "sea_freight":
                key = t.get("link") or "*"
                both = t.get("direction", "both") == "both"
                for d in ("forward", "reverse") if both else (t["direction"],):
                    sea[(key, d, c)] = t
            elif t["item"] == "handling":
                handling[(t["node"], t["between"], c)] = t
        self._line = MappingProxyType(line)
        self._sea = MappingProxyType(sea)
        self._handling = MappingProxyType(handling)

    # -- parameters ------------------------------------------------------------------------------
    def param(self, name: str, mode: str = "*", country: str = "*") -> float:
        """Return a parameter for (mode, country), falling back to country ``*`` then mode ``*``."""
        return self.lookup(name, mode, country)[0]

    def lookup(self, name: str, mode: str = "*", country: str = "*") -> tuple[float, bool, tuple[str, ...]]:
        """Return ``(value, estimate, sources)`` of a parameter with the same fallbacks as :meth:`param`."""
        for key in ((name, mode, country), (name, mode, "*"), (name, "*", country), (name, "*", "*")):
            hit = self._table.get(key)
            if hit is not None:
                return hit
        msg = f"parameters.csv has no {name!r} for mode {mode!r}, country {country!r} or '*'"
        raise MissingParameter(msg)

    @property
    def value_of_time(self) -> float:
        """USD per TEU-hour used by the generalized cost."""
        return self.param("value_of_time_usd_per_h")

    # -- tariffs ---------------------------------------------------------------------------------
    def line_rate(self, mode: str, country: str, container: str, link: str = "") -> Mapping[str, Any]:
        """The line-haul tariff row for a link (its own row, then its country's, then ``*``)."""
        for key in ((mode, link, container), (mode, country, container), (mode, "*", container)):
            hit = self._line.get(key)
            if hit is not None:
                return hit
        raise MissingTariff(f"tariffs.csv has no {mode} line_haul rate for {container} in {country!r} or '*'")

    def sea_tariff(self, link: str, container: str, *, reverse: bool) -> Mapping[str, Any]:
        """The sea-freight row for a sailing (the link's own, else the ``*`` per container-km rate)."""
        d = "reverse" if reverse else "forward"
        for key in ((link, d, container), ("*", d, container)):
            hit = self._sea.get(key)
            if hit is not None:
                return hit
        raise MissingTariff(f"tariffs.csv has no sea_freight for link {link!r} ({container}) nor a '*' rate")

    def handling_tariff(self, node: str, between: str, container: str) -> Mapping[str, Any]:
        """The handling charge at a terminal (the place's own row, else ``*``) for ``between``."""
        for key in ((node, between, container), ("*", between, container)):
            hit = self._handling.get(key)
            if hit is not None:
                return hit
        raise MissingTariff(f"tariffs.csv has no handling charge for {between} at {node!r} or '*'")

    # -- edges -----------------------------------------------------------------------------------
    def line(self, link: Mapping[str, Any], country: str, *, reverse: bool = False) -> EdgeCost:
        """Price one traversal of a rail/road/sea link or crossing (``reverse``: to -> from)."""
        mode = link["mode"]
        km = float(link["length_km"])
        est = bool(link.get("estimate"))
        duration = _num(link.get("duration_h"))
        speed = _num(link.get("speed_kmh"))
        srcs: list[str] = []
        if duration is not None:
            run_h, used_speed = duration, 0.0
        else:
            s_val, s_est, s_src = self.lookup("speed_kmh", mode, country)
            used_speed = speed if speed else s_val
            est = est or (speed is None and s_est)
            run_h = km / used_speed
            if speed is None:
                srcs.extend(s_src)
        dwell = wait = interval = 0.0
        fee = 0.0
        notes: list[str] = []
        if mode == "sea":
            interval = _num(link.get("interval_h")) or 0.0
            wait = interval / 2.0
            if interval:
                notes.append(f"sailing every ~{interval:g} h: expected wait {wait:g} h")
        if link.get("crossing"):
            dwell = _num(link.get("dwell_h_rev" if reverse else "dwell_h")) or 0.0
            fee = _num(link.get("fee_usd_rev" if reverse else "fee_usd")) or 0.0
            notes.append(f"border dwell {dwell:g} h, fee {fee:g} USD")
        prices = {c: self._line_price(link, mode, country, km, c, fee, reverse=reverse) for c in CONTAINERS}
        return EdgeCost(
            distance_km=km,
            run_h=run_h,
            dwell_h=dwell,
            departure_h=wait,
            interval_h=interval,
            speed_kmh=used_speed,
            co2_kg=self._co2(mode, country, km),
            prices=MappingProxyType(prices),
            estimate=est or any(p.estimate for p in prices.values()),
            basis="; ".join(notes),
            sources=tuple(dict.fromkeys(srcs)),
        )

    def _line_price(
        self,
        link: Mapping[str, Any],
        mode: str,
        country: str,
        km: float,
        container: str,
        fee: float,
        *,
        reverse: bool,
    ) -> Price:
        if mode == "sea":
            t = self.sea_tariff(link["id"], container, reverse=reverse)
            per_km = t["unit"].endswith("-km")
            amount = t["value"] * km if per_km else t["value"]
            basis = _basis(t, km if per_km else None)
            return Price(
                sea_freight=amount,
                border=fee,
                basis=basis,
                sources=tuple(t["source"]),
                estimate=bool(t["estimate"]),
            )
        t = self.line_rate(mode, country, container, link["id"])
        return Price(
            line_haul=t["value"] * km,
            border=fee,
            basis=_basis(t, km),
            sources=tuple(t["source"]),
            estimate=bool(t["estimate"]),
        )

    def handling(
        self,
        *,
        node: str,
        operation: str,
        between: str,
        time_h: float | None,
        depart_interval_h: float | None = None,
        onto_rail: bool = False,
    ) -> EdgeCost:
        """Price a mode transfer (``between`` like ``rail/sea``) or a gauge change (``1435/1520``).

        Time: the terminal's own ``time_h``, else ``transfer_time_h``/``gauge_change_time_h`` of
        ``parameters.csv``; after a transfer onto rail, half the terminal's ``depart_interval_h``
        waiting for the onward train. Money: the handling tariff of the place (else ``*``).
        """
        mode = "rail" if operation == "gauge_change" else between
        t_val, t_est, t_src = self.lookup(f"{operation}_time_h", mode)
        t = time_h if time_h is not None else t_val
        interval = depart_interval_h if (onto_rail and depart_interval_h) else 0.0
        prices = {}
        for c in CONTAINERS:
            row = self.handling_tariff(node, between, c)
            prices[c] = Price(
                handling=row["value"],
                basis=_basis(row, None),
                sources=tuple(row["source"]),
                estimate=bool(row["estimate"]),
            )
        label = "gauge change" if operation == "gauge_change" else "transfer"
        notes = [f"{label} {between}: {t:g} h"]
        if interval:
            notes.append(f"onward train every ~{interval:g} h: expected wait {interval / 2:g} h")
        return EdgeCost(
            distance_km=0.0,
            handling_h=t,
            departure_h=interval / 2.0,
            interval_h=interval,
            prices=MappingProxyType(prices),
            estimate=(time_h is None and t_est) or any(p.estimate for p in prices.values()),
            basis="; ".join(notes),
            sources=tuple(t_src) if time_h is None else (),
        )

    def _co2(self, mode: str, country: str, km: float) -> float:
        return self.param("co2_g_per_tkm", mode, country) * self.param("teu_tonnes") * km / 1000.0


def _basis(row: Mapping[str, Any], km: float | None) -> str:
    """``"<scope>: <basis>, <value> <unit> (<year>)"`` of a tariff row, ``x km`` for a per-km rate.

    The scope names what the row prices: ``rail KZ``, ``sea kuryk_alat_sea``, ``handling rail/sea at
    kuryk`` (``*`` rows say ``default``).
    """
    item = row["item"]
    if item == "line_haul":
        scope = f"{row['mode']} {row.get('link') or row['country']}"
    elif item == "sea_freight":
        scope = f"sea {row.get('link') or 'default'}"
    else:
        where = "default" if row["node"] == "*" else f"at {row['node']}"
        scope = f"handling {row['between']} {where}"
    scope = scope.replace(" *", " default")
    what = f"{row['basis']}, " if row.get("basis") else ""
    year = f" ({row['year']})" if row.get("year") else ""
    text = f"{scope}: {what}{row['value']:g} {row['unit']}{year}"
    return f"{text} x {km:,.0f} km" if km is not None else text


def _num(x: Any) -> float | None:
    """A float from a frame cell, None for missing/NaN."""
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if f != f else f
