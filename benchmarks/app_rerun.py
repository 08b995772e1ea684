"""Server-side rerun time of the route planner after a widget change, warm cache (AppTest).

Each scenario flips one planner widget between two values. A first pass warms the caches (network,
routes, decks); then every flip is timed as ``AppTest.run()``: the whole script, all elements built
and serialized, no browser. Prints the median and 90th percentile of N flips per scenario.

    python benchmarks/app_rerun.py            # shipped geodata/, N = 15
    python benchmarks/app_rerun.py -n 30
    CORRIDORS_GEODATA=tests/data/tiny python benchmarks/app_rerun.py

Target (issue: the Streamlit app): 250 ms or less per warm rerun on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 250.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=15, help="timed flips per scenario (default 15)")
    args = ap.parse_args()

    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    import streamlit
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    t0 = time.perf_counter()
    at.run()
    at.switch_page("app_pages/planner.py").run()
    cold = (time.perf_counter() - t0) * 1000
    if at.exception:
        print(at.exception[0].value, file=sys.stderr)
        return 1

    def setter(kind: str, key: str):
        return lambda v: getattr(at, kind)(key=key).set_value(v)

    scenarios = [
        ("shipment size (TEU 1 <-> 2)", setter("number_input", "teu"), (2.0, 1.0)),
        ("objective (time <-> cost)", setter("segmented_control", "by"), ("cost", "time")),
        ("alternatives (3 <-> 2)", setter("number_input", "alternatives"), (2, 3)),
        ("planned links (off <-> on)", setter("toggle", "include_planned"), (True, False)),
        ("legs of route (1 <-> 2)", setter("segmented_control", "legs_of"), (2, 1)),
    ]
    rows = []
    for name, set_value, values in scenarios:
        for v in values:  # warm every state once
            set_value(v)
            at.run()
        times = []
        for i in range(args.n):
            set_value(values[i % 2])
            t = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - t) * 1000)
            if at.exception:
                print(at.exception[0].value, file=sys.stderr)
                return 1
        times.sort()
        p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
        rows.append((name, statistics.median(times), p90, times[0]))

    data = os.environ.get("CORRIDORS_GEODATA") or "geodata/ (shipped)"
    print(f"Planner rerun after a widget change, warm cache (AppTest, N={args.n} per scenario)")
    print(
        f"dataset: {data}; python {platform.python_version()}, streamlit {streamlit.__version__}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}"
    )
    print(f"cold first load (network build, first routes): {cold:,.0f} ms\n")
    print(f"| {'widget change':<30} | median ms | p90 ms | min ms |")
    print(f"|{'-' * 32}|-----------|--------|--------|")
    for name, med, p90, lo in rows:
        print(f"| {name:<30} | {med:9.0f} | {p90:6.0f} | {lo:6.0f} |")
    worst = max(r[1] for r in rows)
    verdict = "meets" if worst <= TARGET_MS else "MISSES"
    print(f"\nworst median {worst:.0f} ms: {verdict} the {TARGET_MS:.0f} ms target")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
