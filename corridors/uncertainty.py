"""Transit-time distributions: a seeded, vectorised Monte Carlo over each route's time components.

The model's time of a leg is a sum of components (:class:`corridors.routing.Leg`): moving (``run_h``),
border dwell (``dwell_h``), waiting for a departure (``departure_h``), handling (``handling_h``) and
event delays (``delay_h``). Each one's central value is the model's number (CAREC CPMM's average border
dwell, the terminal's handling time, half the sailing interval...). ``spreads.csv`` gives, for each kind of
component, a published range read as its P10-P90; this module turns it into a dispersion
``sigma = ln(high / low) / (2 x 1.2816)`` and draws:

* border dwell, handling, gauge change and moving time as **mean-preserving lognormals**:
  ``central x exp(sigma Z - sigma^2 / 2)`` (the mean stays the model's number; the median is below it,
  as for any right-skewed wait);
* a wait for a departure as ``U x I``, a uniform fraction of the interval ``I`` between departures, the
  interval itself a mean-preserving lognormal around the published one (its mean wait is half the
  interval, as in the deterministic model);
* event delays as fixed.

Components are independent (no common shock across a corridor), which understates the joint tail; the
README says so. Which spread row applies (:meth:`SpreadTable.sigma`): a row for the crossing link and
direction, sea link or terminal first, then the country (crossings *into* it; its line hauls) and mode,
then the component's default for the mode, then its default for any mode; a row with ``months`` applies
only in those months and wins over an all-year row of the same scope. No row: no spread (the component is
fixed at its central value).

:func:`time_distribution` returns P10/P50/P90 and, with a deadline, the probability of meeting it. Same
seed, same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from corridors.routing import Leg

__all__ = ["Spread", "SpreadTable", "TimeDistribution", "route_components", "time_distribution"]

#: Width of a P10-P90 interval in standard normal units (2 x 1.28155).
P10_P90_Z = 2.0 * 1.2815515655446004

#: Default number of samples and seed.
SAMPLES = 10_000
SEED = 0


@dataclass(frozen=True)
class Spread:
    """One row of ``spreads.csv``: a published range of a time component (P10-P90)."""

    id: str
    component: str
    scope: str
    target: str
    mode: str
    direction: str
    low: float
    high: float
    months: tuple[int, ...]
    basis: str
    sources: tuple[str, ...]
    estimate: bool

    @property
    def sigma(self) -> float:
        """Lognormal dispersion whose P10-P90 ratio is ``high / low``."""
        return math.log(self.high / self.low) / P10_P90_Z

    @classmethod
    def from_record(cls, r: Mapping[str, Any]) -> Spread:
        """A spread from a validated record."""
        return cls(
            id=r["id"],
            component=r["component"],
            scope=r["scope"],
            target=r.get("target", ""),
            mode=r.get("mode", ""),
            direction=r.get("direction", "both") or "both",
            low=float(r["low"]),
            high=float(r["high"]),
            months=tuple(r.get("months") or ()),
            basis=r.get("basis", ""),
            sources=tuple(r.get("source") or ()),
            estimate=bool(r.get("estimate")),
        )


class SpreadTable:
    """Lookup of the spread row that applies to a component (see the module docstring)."""

    def __init__(self, records: Iterable[Mapping[str, Any]]) -> None:
        self.rows = tuple(Spread.from_record(r) for r in records)
        index: dict[tuple[str, str, str], list[Spread]] = {}
        for s in self.rows:
            index.setdefault((s.component, s.scope, s.target), []).append(s)
        self._index = index

    def find(
        self,
        component: str,
        *,
        mode: str,
        link: str | None = None,
        reverse: bool = False,
        node: str | None = None,
        country: str | None = None,
        month: int | None = None,
    ) -> Spread | None:
        """The row for a component, most specific first; None when nothing applies."""
        direction = "reverse" if reverse else "forward"
        keys = []
        if link:
            keys.append(("link", link))
        if node:
            keys.append(("node", node))
        if country:
            keys.append(("country", country))
        keys.append(("default", ""))
        for scope, target in keys:
            rows = self._index.get((component, scope, target), ())
            best = None
            for s in rows:
                if s.mode and s.mode != mode:
                    continue
                if scope == "link" and s.direction not in ("both", direction):
                    continue
                if s.months and (month is None or month not in s.months):
                    continue
                rank = (bool(s.months), bool(s.mode), s.direction != "both")
                if best is None or rank > best[0]:
                    best = (rank, s)
            if best is not None:
                return best[1]
        return None


@dataclass(frozen=True)
class Components:
    """A route's time components as arrays (one entry per component).

    ``kind`` 0: lognormal (``central``, ``sigma``); 1: a wait for a departure, uniform over an interval
    of mean ``central`` (``sigma`` its dispersion); 2: fixed.
    """

    central: np.ndarray
    sigma: np.ndarray
    kind: np.ndarray
    labels: tuple[str, ...]
    spreads: tuple[str, ...]


def route_components(
    legs: Sequence[Leg], table: SpreadTable, country: Mapping[str, str], *, month: int | None
) -> Components:
    """The components of a route's legs with the dispersion of each (see the module docstring)."""
    central: list[float] = []
    sigma: list[float] = []
    kind: list[int] = []
    labels: list[str] = []
    used: list[str] = []

    def add(value: float, k: int, spread: Spread | None, label: str) -> None:
        if value <= 0:
            return
        central.append(value)
        sigma.append(spread.sigma if spread is not None else 0.0)
        kind.append(k)
        labels.append(label)
        if spread is not None:
            used.append(spread.id)

    for leg in legs:
        mode = leg.mode
        land = "rail" if leg.gauge_mm is not None else "road"  # a border leg's own mode
        if leg.run_h:
            line_mode = land if mode == "border" else mode
            s = table.find("line_haul", mode=line_mode, country=country.get(leg.from_id), month=month)
            add(leg.run_h, 0, s, f"{leg.from_id}->{leg.to_id} moving")
        if leg.dwell_h:
            s = table.find(
                "border",
                mode=land,
                link=leg.link,
                reverse=leg.reverse,
                country=country.get(leg.to_id),
                month=month,
            )
            add(leg.dwell_h, 0, s, f"{leg.from_id}->{leg.to_id} border")
        if leg.departure_h:
            if mode == "sea":
                s = table.find("sailing", mode="sea", link=leg.link, reverse=leg.reverse, month=month)
            else:
                s = table.find("sailing", mode="rail", node=leg.from_id, month=month)
            add(2.0 * leg.departure_h, 1, s, f"{leg.from_id}->{leg.to_id} waiting for a departure")
        if leg.handling_h:
            comp = "gauge_change" if leg.operation == "gauge_change" else "handling"
            s = table.find(comp, mode="rail", node=leg.from_id, country=country.get(leg.from_id), month=month)
            add(leg.handling_h, 0, s, f"{leg.from_id} {comp}")
        if leg.delay_h:
            add(leg.delay_h, 2, None, f"{leg.from_id}->{leg.to_id} disruption delay")
    return Components(
        np.asarray(central, dtype=float),
        np.asarray(sigma, dtype=float),
        np.asarray(kind, dtype=np.int8),
        tuple(labels),
        tuple(dict.fromkeys(used)),
    )


def p90_excess(c: Components) -> float:
    """How far the components' P90s sum above their means (a risk weight; not the P90 of the sum)."""
    if not len(c.central):
        return 0.0
    q90 = np.exp(1.2815515655446004 * c.sigma - 0.5 * c.sigma**2)
    excess = np.where(c.kind == 0, c.central * (q90 - 1.0), 0.0)
    excess += np.where(c.kind == 1, c.central * (0.9 * q90 - 0.5), 0.0)
    return float(excess.sum())


def edge_components(d: Mapping[str, Any], table: SpreadTable, country: Mapping[str, str]) -> Components:
    """The components of one routing-graph edge (attributes as :mod:`corridors.graph` builds them)."""
    kind = d["kind"]
    leg = SimpleNamespace(
        mode="border"
        if kind == "crossing"
        else ("transfer" if kind in ("transfer", "gauge_change") else d["mode"]),
        gauge_mm=d.get("gauge"),
        run_h=d["run_h"],
        dwell_h=d["dwell_h"],
        departure_h=d["departure_h"],
        handling_h=d["handling_h"],
        delay_h=0.0,
        link=d["link"],
        reverse=bool(d.get("reverse")),
        from_id=d["a"],
        to_id=d["b"],
        operation=kind if kind in ("transfer", "gauge_change") else "",
    )
    return route_components([leg], table, country, month=None)  # type: ignore[list-item]


def sample_totals(c: Components, *, samples: int = SAMPLES, seed: int = SEED) -> np.ndarray:
    """``samples`` draws of the total hours of a route's components (vectorised; seeded)."""
    rng = np.random.default_rng(seed)
    n = int(samples)
    total = np.zeros(n)
    logn = c.kind == 0
    if logn.any():
        s = c.sigma[logn]
        z = rng.standard_normal((n, int(logn.sum())))
        total += (c.central[logn] * np.exp(z * s - 0.5 * s * s)).sum(axis=1)
    wait = c.kind == 1
    if wait.any():
        s = c.sigma[wait]
        m = int(wait.sum())
        interval = c.central[wait] * np.exp(rng.standard_normal((n, m)) * s - 0.5 * s * s)
        total += (rng.random((n, m)) * interval).sum(axis=1)
    fixed = c.kind == 2
    if fixed.any():
        total += c.central[fixed].sum()
    return total


@dataclass(frozen=True)
class TimeDistribution:
    """Percentiles of a route's transit time (hours) and the chance of meeting a deadline."""

    p10: float
    p50: float
    p90: float
    mean: float
    samples: int
    seed: int
    deadline_h: float | None = None
    p_on_time: float | None = None
    spreads: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON fields of a route's totals."""
        out: dict[str, Any] = {
            "time_h_p10": round(self.p10, 2),
            "time_h_p50": round(self.p50, 2),
            "time_h_p90": round(self.p90, 2),
        }
        if self.p_on_time is not None:
            out["deadline_h"] = round(float(self.deadline_h or 0.0), 2)
            out["p_on_time"] = round(self.p_on_time, 4)
        return out


def time_distribution(
    legs: Sequence[Leg],
    table: SpreadTable,
    country: Mapping[str, str],
    *,
    month: int | None = None,
    samples: int = SAMPLES,
    seed: int = SEED,
    deadline_h: float | None = None,
) -> TimeDistribution:
    """P10/P50/P90 of a route's transit time from ``samples`` seeded draws of its components."""
    c = route_components(legs, table, country, month=month)
    totals = sample_totals(c, samples=samples, seed=seed)
    p10, p50, p90 = np.percentile(totals, [10.0, 50.0, 90.0])
    on_time = None if deadline_h is None else float(np.mean(totals <= deadline_h))
    return TimeDistribution(
        float(p10),
        float(p50),
        float(p90),
        float(totals.mean()),
        int(samples),
        int(seed),
        deadline_h,
        on_time,
        c.spreads,
    )
