"""One route query as a plain, frozen, hashable value: what a page, the CLI and a link all ask for.

A :class:`RouteRequest` holds what the user typed (place ids or any spelling, option values); it is
not validated against a dataset (``Network.plan`` does that and raises the library's errors). Pages
build one from their widgets and cache on it, the CLI builds one from its arguments, and
:mod:`corridors.share` turns a link into one, so the three agree by construction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

__all__ = ["CONTAINERS", "MODES", "RouteRequest"]

MODES = ("rail", "road", "sea")
#: Container types priced by their own tariffs, and the TEU each one is.
CONTAINERS = {"20ft": 1.0, "40ft": 2.0}


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """A route query: endpoints, constraints and what to report.

    Attributes
    ----------
    origin, destination
        Place ids, names or aliases.
    by
        Objective: ``time``, ``cost``, ``distance``, ``co2``, ``generalized``.
    modes
        Allowed modes (subset of rail, road, sea).
    avoid_countries
        ISO alpha-2 codes no leg may touch.
    avoid
        Places, border posts or link ids no leg may use.
    via
        Places to pass through in order.
    include_planned
        Allow planned and under-construction links.
    alternatives
        Number of meaningfully different routes (1 = the best only).
    container
        ``20ft`` or ``40ft``: the box whose tariffs price the route.
    teu
        Shipment size in TEU (cost and CO2 scale with it; time does not). ``None`` means one container
        of the chosen type (1 TEU for a 20-ft box, 2 for a 40-ft one).
    as_of
        ISO date (``YYYY-MM-DD``) whose disruptions in force apply; ``None``: the dataset's own date.
    ignore_disruptions
        Normal operations: no dated disruption applies.
    samples, seed
        Monte Carlo draws (0: none) and seed of the transit-time distribution (P10/P50/P90).
    deadline_days
        Report the probability of arriving within this many days.
    max_detour
        Drop alternatives longer than this many times the best route's distance (None or 0: keep all).
    """

    origin: str
    destination: str
    by: str = "time"
    modes: tuple[str, ...] = MODES
    avoid_countries: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    include_planned: bool = False
    alternatives: int = 1
    container: str = "20ft"
    teu: float | None = None
    as_of: str | None = None
    ignore_disruptions: bool = False
    samples: int = 10_000
    seed: int = 0
    deadline_days: float | None = None
    max_detour: float | None = 2.0

    @classmethod
    def make(cls, origin: str, destination: str, **options: Any) -> RouteRequest:
        """A request from loose option values (lists, sets, None), normalised so equal queries hash equal.

        Lists become sorted tuples (``modes`` keeps rail, road, sea order), ``None`` options take the
        defaults. Nothing is checked against a dataset here.
        """
        norm: dict[str, Any] = {}
        for key, value in options.items():
            if value is None and key != "teu":
                continue
            if key == "modes":
                wanted = {str(m).strip().lower() for m in value if str(m).strip()}
                known = tuple(m for m in MODES if m in wanted)
                norm[key] = known + tuple(sorted(wanted - set(MODES)))
            elif key in ("avoid_countries", "avoid"):
                norm[key] = tuple(sorted({str(x).strip() for x in value if str(x).strip()}))
            elif key == "via":
                norm[key] = tuple(str(x).strip() for x in value if str(x).strip())
            elif key in ("include_planned", "ignore_disruptions"):
                norm[key] = bool(value)
            elif key == "as_of":
                norm[key] = str(value)
            elif key in ("deadline_days", "max_detour"):
                norm[key] = float(value)
            elif key == "teu":
                norm[key] = None if value is None else float(value)
            elif key in ("alternatives", "k"):
                norm["alternatives"] = value
            else:
                norm[key] = value
        return cls(origin=str(origin), destination=str(destination), **norm)

    def options(self) -> dict[str, Any]:
        """Keyword options of ``Network.route``/``routes`` for this request (without the endpoints)."""
        out = asdict(self)
        for key in ("origin", "destination", "alternatives"):
            out.pop(key)
        days = out.pop("deadline_days")
        out["deadline_h"] = None if days is None else days * 24.0
        return out

    def with_(self, **changes: Any) -> RouteRequest:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return replace(self, **changes)
