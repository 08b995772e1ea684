"""The model against published end-to-end figures (``validation.csv``): ``corridors check-model``.

Each case of ``validation.csv`` is a published figure (a schedule, an operator-reported realised
time, a through-rate, a route length) with the query that makes the model comparable: endpoints, via
points, modes, avoided countries, objective, container and the date it describes. The model answers
the query with the same engine as ``corridors route``; the ratio is the model's value over the
midpoint of the published range. Nothing here feeds back into the model: these figures only check it.

For times the model also gives its transit-time distribution (:mod:`corridors.uncertainty`): a
**schedule** (timetable, launch or plan) is compared with the P50, the typical run; a **realised** time
(operator-reported) is checked for falling inside the P10-P90 band. Costs and distances are compared with
the model's single value.

The summary groups cases by metric and kind and reports the median absolute error and the share of
cases within 25 %, with the targets the project holds itself to (:data:`TARGETS`), and for realised
times the share inside P10-P90.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridors.network import Network
    from corridors.routing import Route

__all__ = ["TARGETS", "CaseResult", "CrossCheck", "GroupSummary", "ModelCheck", "check_model"]


@dataclass(frozen=True)
class Target:
    """What a group of cases must meet: a median absolute error and a band every ratio stays in."""

    median_abs_error_pct: float | None
    ratio_low: float
    ratio_high: float

    def describe(self) -> str:
        """One line: ``median |error| <= 20 %, every case x0.6-x1.6``."""
        med = f"median |error| <= {self.median_abs_error_pct:g} %, " if self.median_abs_error_pct else ""
        return f"{med}every case x{self.ratio_low:g}-x{self.ratio_high:g}"


#: (metric, kind) -> target (issue 8). Realised times are checked against the P10-P90 band instead.
TARGETS: Mapping[tuple[str, str], Target] = {
    ("cost_usd", "tariff"): Target(20.0, 0.6, 1.6),
    ("time_h", "schedule"): Target(20.0, 0.7, 1.4),
    ("distance_km", "distance"): Target(None, 0.9, 1.1),
}

_TOTAL_KEY = {"time_h": "time_h", "cost_usd": "cost_usd", "distance_km": "distance_km"}


@dataclass(frozen=True)
class CaseResult:
    """One published figure and the model's answer to its query (``model`` None: no route)."""

    case: Mapping[str, Any]
    model: float | None
    summary: str = ""
    message: str = ""
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None

    @property
    def compared(self) -> float | None:
        """The model value compared with the published midpoint: the P50 for a schedule, else the model's
        value (the mean time, the cost, the distance)."""
        if self.case["kind"] == "schedule" and self.p50 is not None:
            return self.p50
        return self.model

    @property
    def in_band(self) -> bool | None:
        """For a time: whether the published midpoint lies inside the model's P10-P90."""
        if self.p10 is None or self.p90 is None or self.model is None:
            return None
        return self.p10 <= self.published_mid <= self.p90

    @property
    def published_mid(self) -> float:
        """Midpoint of the published range."""
        return (float(self.case["low"]) + float(self.case["high"])) / 2.0

    @property
    def ratio(self) -> float | None:
        """:attr:`compared` / published midpoint."""
        v = self.compared
        return None if v is None else v / self.published_mid

    @property
    def error_pct(self) -> float | None:
        """Signed error of the model against the midpoint, in percent."""
        r = self.ratio
        return None if r is None else (r - 1.0) * 100.0

    @property
    def in_range(self) -> bool | None:
        """Whether the model falls inside the published range."""
        v = self.compared
        if v is None:
            return None
        return float(self.case["low"]) <= v <= float(self.case["high"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""
        c = self.case
        return {
            "id": c["id"],
            "origin": c["origin"],
            "destination": c["destination"],
            "metric": c["metric"],
            "kind": c["kind"],
            "container": c["container"],
            "year": c["year"],
            "published": c["published"],
            "published_low": c["low"],
            "published_high": c["high"],
            "model": None if self.model is None else round(self.model, 2),
            "model_p10": _round(self.p10, 2),
            "model_p50": _round(self.p50, 2),
            "model_p90": _round(self.p90, 2),
            "compared": "p50" if self.case["kind"] == "schedule" and self.p50 is not None else "value",
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "in_p10_p90": self.in_band,
            "error_pct": None if self.error_pct is None else round(self.error_pct, 1),
            "in_range": self.in_range,
            "route": self.summary,
            "message": self.message,
            "source": list(c["source"]),
        }


@dataclass(frozen=True)
class GroupSummary:
    """Cases of one metric and kind: how close the model is."""

    metric: str
    kind: str
    cases: int
    routed: int
    median_abs_error_pct: float | None
    within_25_pct: float | None
    ratio_min: float | None
    ratio_max: float | None
    target: Target | None
    in_band_share: float | None = None

    @property
    def meets_target(self) -> bool | None:
        """True/False against :data:`TARGETS`; None when the group has no target or no routed case."""
        t = self.target
        if t is None or not self.routed or self.ratio_min is None or self.ratio_max is None:
            return None
        ok = t.ratio_low <= self.ratio_min and self.ratio_max <= t.ratio_high and self.routed == self.cases
        if t.median_abs_error_pct is not None and self.median_abs_error_pct is not None:
            ok = ok and self.median_abs_error_pct <= t.median_abs_error_pct
        return ok

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""
        return {
            "metric": self.metric,
            "kind": self.kind,
            "cases": self.cases,
            "routed": self.routed,
            "median_abs_error_pct": _round(self.median_abs_error_pct, 1),
            "within_25_pct_share": _round(self.within_25_pct, 3),
            "ratio_min": _round(self.ratio_min, 3),
            "ratio_max": _round(self.ratio_max, 3),
            "in_p10_p90_share": _round(self.in_band_share, 3),
            "target": self.target.describe() if self.target else "",
            "meets_target": self.meets_target,
        }


@dataclass(frozen=True)
class CrossCheck:
    """The model's line-haul price over 500 km for a 20-ft box against CAREC CPMM TFI3 (USD to move 20 t
    over 500 km), per mode and country: the documented cross-check CPMM's cost figures now serve."""

    mode: str
    country: str
    cpmm_usd: float
    model_usd: float
    basis: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""
        return {
            "mode": self.mode,
            "country": self.country,
            "cpmm_tfi3_usd_per_500km": self.cpmm_usd,
            "model_usd_per_500km_20ft": round(self.model_usd, 2),
            "ratio": round(self.model_usd / self.cpmm_usd, 3) if self.cpmm_usd else None,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class ModelCheck:
    """Every case's result, the summary per metric and kind, and the CPMM TFI3 cross-check."""

    results: tuple[CaseResult, ...]
    groups: tuple[GroupSummary, ...]
    cross_check: tuple[CrossCheck, ...] = ()


def _round(x: float | None, n: int) -> float | None:
    return None if x is None else round(x, n)


def case_route(net: Network, case: Mapping[str, Any], *, samples: int = 2_000, seed: int = 0) -> Route:
    """The model's route for a case's query (raises the library's errors when there is none).

    The case's ``as_of`` date picks the disruptions in force and the season of the spreads.
    """
    return net.route(
        case["origin"],
        case["destination"],
        by=case["by"],
        modes=case["modes"],
        avoid_countries=case["avoid_countries"],
        via=case["via"],
        container=case["container"],
        as_of=case["as_of"],
        samples=samples if case["metric"] == "time_h" else 0,
        seed=seed,
    )


def check_model(
    net: Network, *, cases: Iterable[Mapping[str, Any]] | None = None, samples: int = 2_000, seed: int = 0
) -> ModelCheck:
    """Run every case of the dataset's ``validation.csv`` (or ``cases``) through the engine.

    Parameters
    ----------
    net
        The network whose model is checked.
    cases
        Validation records (as the loader makes them); the dataset's own by default.
    samples, seed
        Monte Carlo draws for the time cases' P10/P50/P90.

    Returns
    -------
    ModelCheck
        Per-case results in file order and a summary per (metric, kind), in a stable order.
    """
    from corridors.places import PlaceNotFound
    from corridors.routing import InvalidQuery, NoRoute

    results = []
    for case in net.dataset.validation_records if cases is None else cases:
        try:
            r = case_route(net, case, samples=samples, seed=seed)
        except (NoRoute, InvalidQuery, PlaceNotFound) as exc:
            results.append(CaseResult(case, None, message=str(exc)))
            continue
        value = float(getattr(r.totals, _TOTAL_KEY[case["metric"]]))
        d = r.distribution
        results.append(
            CaseResult(
                case,
                value,
                summary=r.summary(),
                p10=d.p10 if d else None,
                p50=d.p50 if d else None,
                p90=d.p90 if d else None,
            )
        )
    return ModelCheck(tuple(results), tuple(_groups(results)), tuple(tfi3_cross_check(net)))


def tfi3_cross_check(net: Network) -> list[CrossCheck]:
    """Per ``cpmm_tfi3_usd_per_500km`` row of parameters.csv: the model's 20-ft line haul over 500 km."""
    from corridors.costs import MissingTariff

    out = []
    for r in net.dataset.parameter_records:
        if r["param"] != "cpmm_tfi3_usd_per_500km":
            continue
        try:
            t = net.model.line_rate(r["mode"], r["country"], "20ft")
        except MissingTariff:
            continue
        basis = f"{t['mode']} {t.get('link') or t['country']}: {t['value']:g} {t['unit']}"
        out.append(CrossCheck(r["mode"], r["country"], float(r["value"]), 500 * float(t["value"]), basis))
    return out


def _groups(results: Sequence[CaseResult]) -> list[GroupSummary]:
    order = [
        ("cost_usd", "tariff"),
        ("time_h", "schedule"),
        ("time_h", "realised"),
        ("distance_km", "distance"),
    ]
    keys = list(dict.fromkeys([*order, *((r.case["metric"], r.case["kind"]) for r in results)]))
    out = []
    for metric, kind in keys:
        group = [r for r in results if r.case["metric"] == metric and r.case["kind"] == kind]
        if not group:
            continue
        ratios = [r.ratio for r in group if r.ratio is not None]
        errors = [abs(r.error_pct) for r in group if r.error_pct is not None]
        bands = [r.in_band for r in group if r.in_band is not None]
        out.append(
            GroupSummary(
                metric=metric,
                kind=kind,
                cases=len(group),
                routed=len(ratios),
                median_abs_error_pct=statistics.median(errors) if errors else None,
                within_25_pct=sum(e <= 25.0 for e in errors) / len(errors) if errors else None,
                ratio_min=min(ratios) if ratios else None,
                ratio_max=max(ratios) if ratios else None,
                target=TARGETS.get((metric, kind)),
                in_band_share=sum(bands) / len(bands) if bands else None,
            )
        )
    return out
