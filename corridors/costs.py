"""The cost model: time, money, CO2 and distance of every edge, from documented parameters.

Every default lives in one place, ``geodata/parameters.csv``, each row with its source (see the
``Sources`` page of the app or ``sources.csv``). This module only says how they are applied:

* **Units.** Costs are USD per shipment of one TEU (scale linearly with ``teu``); CO2 is kg per TEU
  (``co2_g_per_tkm`` x ``teu_tonnes`` x km / 1000); time is hours (does not scale with ``teu``).
* **Line-haul** (rail, road): time = ``duration_h`` if the link publishes one, else length /
  (link ``speed_kmh`` or ``speed_kmh`` of its mode and country, falling back to country ``*``);
  cost = length x ``cost_usd_per_km`` of its mode and country (CAREC CPMM TFI3 / 500 km, one 20-t
  load treated as one TEU).
* **Sea**: time = published ``duration_h`` (else length / sea ``speed_kmh``) plus the expected wait
  for a sailing, half of ``interval_h`` when there is no timetable; the wait also gives the range of
  transit times (0 to the full interval).
* **Border crossing**: ``dwell_h`` and ``fee_usd`` of the crossing link in the direction travelled
  (CPMM TFI1/TFI2), plus its short line-haul.
* **Transfer** between modes at a terminal and **gauge change**: the terminal's ``time_h`` /
  ``cost_usd`` when published, else ``transfer_time_h``/``transfer_cost_usd`` for that mode pair, or
  ``gauge_change_time_h``/``gauge_change_cost_usd``.
* **Generalized cost** = cost + ``value_of_time_usd_per_h`` x hours (both per TEU).

Objectives: ``time``, ``cost``, ``distance``, ``co2``, ``generalized``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["OBJECTIVES", "CostModel", "EdgeCost", "MissingParameter"]

#: Objective name -> what it minimises.
OBJECTIVES: Mapping[str, str] = MappingProxyType(
    {
        "time": "hours",
        "cost": "USD per shipment",
        "distance": "km",
        "co2": "kg CO2",
        "generalized": "USD + value of time x hours",
    }
)


class MissingParameter(LookupError):
    """A parameter the model needs has no row in parameters.csv (for that mode and country nor ``*``)."""


@dataclass(frozen=True, slots=True)
class EdgeCost:
    """Per-TEU figures of one edge. ``wait_h`` is the part of ``time_h`` spent waiting (ferry sailing,
    border dwell, handling); ``wait_max_h`` is the worst-case wait used for the time range."""

    distance_km: float
    time_h: float
    cost_usd: float
    co2_kg: float
    wait_h: float = 0.0
    wait_max_h: float = 0.0
    estimate: bool = False
    basis: str = ""


class CostModel:
    """Parameter lookup and edge pricing. Built once from the parameters frame; immutable."""

    def __init__(self, parameters: Iterable[Mapping[str, Any]] | pd.DataFrame) -> None:
        rows = parameters.to_dict("records") if hasattr(parameters, "to_dict") else parameters
        table: dict[tuple[str, str, str], tuple[float, bool, tuple[str, ...]]] = {}
        for r in rows:
            table[(str(r["param"]), str(r["mode"]), str(r["country"]))] = (
                float(r["value"]),
                bool(r["estimate"]),
                tuple(r["source"]),
            )
        self._table = MappingProxyType(table)

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

    def _co2(self, mode: str, country: str, km: float) -> float:
        return self.param("co2_g_per_tkm", mode, country) * self.param("teu_tonnes") * km / 1000.0

    def line(self, link: Mapping[str, Any], country: str, *, reverse: bool = False) -> EdgeCost:
        """Price one traversal of a rail/road/sea link or crossing (``reverse``: to -> from)."""
        mode = link["mode"]
        km = float(link["length_km"])
        est = bool(link.get("estimate"))
        duration = _num(link.get("duration_h"))
        speed = _num(link.get("speed_kmh"))
        if duration is not None:
            run_h = duration
        else:
            s_val, s_est, _ = self.lookup("speed_kmh", mode, country)
            est = est or (speed is None and s_est)
            run_h = km / (speed if speed else s_val)
        c_val, c_est, _ = self.lookup("cost_usd_per_km", mode, country)
        cost = km * c_val
        est = est or c_est
        wait = wait_max = 0.0
        basis = ""
        if mode == "sea":
            interval = _num(link.get("interval_h"))
            if interval:
                wait, wait_max = interval / 2.0, interval
                basis = f"sailing every ~{interval:g} h: expected wait {wait:g} h"
        if link.get("crossing"):
            dwell = _num(link.get("dwell_h_rev" if reverse else "dwell_h")) or 0.0
            fee = _num(link.get("fee_usd_rev" if reverse else "fee_usd")) or 0.0
            wait = wait_max = dwell
            cost += fee
            basis = f"border dwell {dwell:g} h, fee {fee:g} USD"
        return EdgeCost(
            distance_km=km,
            time_h=run_h + wait,
            cost_usd=cost,
            co2_kg=self._co2(mode, country, km),
            wait_h=wait,
            wait_max_h=wait_max,
            estimate=est,
            basis=basis,
        )

    def transfer(self, between: str, time_h: float | None, cost_usd: float | None) -> EdgeCost:
        """Price a mode transfer (``between`` like ``rail/sea``) with the terminal's own figures if any."""
        return self._handling("transfer", between, time_h, cost_usd, f"transfer {between}")

    def gauge_change(self, between: str, time_h: float | None, cost_usd: float | None) -> EdgeCost:
        """Price a break of gauge (``between`` like ``1435/1520``) with the terminal's figures if any."""
        return self._handling("gauge_change", "rail", time_h, cost_usd, f"gauge change {between} mm")

    def _handling(
        self, op: str, mode: str, time_h: float | None, cost_usd: float | None, label: str
    ) -> EdgeCost:
        """A handling step: the terminal's published time/cost, else ``<op>_time_h``/``<op>_cost_usd``."""
        t_val, t_est, _ = self.lookup(f"{op}_time_h", mode)
        c_val, c_est, _ = self.lookup(f"{op}_cost_usd", mode)
        t = time_h if time_h is not None else t_val
        c = cost_usd if cost_usd is not None else c_val
        est = (time_h is None and t_est) or (cost_usd is None and c_est)
        return EdgeCost(
            0.0, t, c, 0.0, wait_h=t, wait_max_h=t, estimate=est, basis=f"{label}: {t:g} h, {c:g} USD"
        )


def _num(x: Any) -> float | None:
    """A float from a frame cell, None for missing/NaN."""
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if f != f else f
