"""Speed of transit-time distributions and scenarios on the shipped network (issue 10 targets).

Run: ``python benchmarks/uncertainty.py`` (``--quick`` for fewer repetitions). Prints medians and, for each,
a baseline measured in the same run so that the ratio survives a noisy shared machine:

* 10,000 Monte Carlo samples of one route (Altynkol -> Poti) against the same draws made in a plain Python
  loop (one sample at a time; 300 samples timed and scaled to 10,000);
* the P90-optimal route against the best route by mean time (same options, both with their distribution);
* ``Network.with_scenario`` against one route without a distribution;
* a comparison of 100 origin-destination pairs (2,000 samples per route, the CLI default) against the same
  200 routes without distributions.
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_ms  # noqa: E402

from corridors.network import load_network  # noqa: E402
from corridors.routing import spread_table  # noqa: E402
from corridors.scenarios import compare, load_scenario, read_pairs  # noqa: E402
from corridors.uncertainty import Components, route_components, sample_totals  # noqa: E402


def python_loop(c: Components, n: int, seed: int = 0) -> list[float]:
    """The same model as :func:`sample_totals`, one sample and one component at a time."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        total = 0.0
        for central, sigma, kind in zip(c.central.tolist(), c.sigma.tolist(), c.kind.tolist(), strict=True):
            if kind == 0:
                total += central * math.exp(rng.gauss(0.0, 1.0) * sigma - 0.5 * sigma * sigma)
            elif kind == 1:
                interval = central * math.exp(rng.gauss(0.0, 1.0) * sigma - 0.5 * sigma * sigma)
                total += rng.random() * interval
            else:
                total += central
        out.append(total)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    reps = 5 if args.quick else 15
    net = load_network()
    rows: list[tuple[str, str, str, str]] = []

    r = net.route("altynkol", "poti", samples=0)
    comps = route_components(r.legs, spread_table(net), net.lookup.country, month=net.as_of.month)
    mc = median_ms(lambda: sample_totals(comps, samples=10_000, seed=1), reps)
    loop = median_ms(lambda: python_loop(comps, 300), max(3, reps // 3)) * 10_000 / 300
    rows.append(
        (
            f"10,000 samples of one route ({len(comps.central)} components)",
            f"{mc:.1f} ms",
            "<= 100 ms",
            f"Python loop {loop:,.0f} ms: x{loop / mc:,.0f} faster",
        )
    )
    p90 = median_ms(lambda: net.route("altynkol", "poti", by="time_p90"), reps)
    mean = median_ms(lambda: net.route("altynkol", "poti", by="time"), reps)
    rows.append(
        (
            "P90-optimal route Altynkol-Poti",
            f"{p90:.1f} ms",
            "<= 50 ms",
            f"by mean time {mean:.1f} ms: x{p90 / mean:.1f}",
        )
    )
    scen = load_scenario(ROOT / "geodata" / "scenarios" / "trans_afghan_open.toml")
    ws = median_ms(lambda: net.with_scenario(scen), reps * 10)
    one = median_ms(lambda: net.route("altynkol", "poti", samples=0), reps * 10)
    rows.append(
        (
            "with_scenario (Trans-Afghan open)",
            f"{ws:.2f} ms",
            "<= 50 ms",
            f"one route {one:.2f} ms: x{ws / one:.2f}",
        )
    )
    pairs = (read_pairs(ROOT / "geodata" / "scenarios" / "pairs.csv") * 8)[:100]
    view = net.with_scenario(scen)
    cmp_ms = median_ms(lambda: compare(net, view, pairs, samples=2_000), max(2, reps // 5))

    def plain() -> None:
        for o, d in pairs:
            for n in (net, view):
                n.route(o, d, samples=0)

    base = median_ms(plain, max(2, reps // 5))
    rows.append(
        (
            "compare 100 pairs (2,000 samples per route)",
            f"{cmp_ms:,.0f} ms",
            "<= 2,000 ms",
            f"200 routes without distributions {base:,.0f} ms: x{cmp_ms / base:.1f}",
        )
    )
    widths = [
        max(len(row[i]) for row in rows + [("measure", "median", "target", "baseline, same run")])
        for i in range(4)
    ]
    head = ("measure", "median", "target", "baseline, same run")
    cpu = platform.processor() or platform.machine()
    print(f"benchmarks/uncertainty.py on {platform.node()} ({cpu}), {reps} reps")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
