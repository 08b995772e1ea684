"""Routing speed on the shipped network and on a synthetic 20,000-place corridor-like network.

Run: ``python benchmarks/routing.py`` (add ``--quick`` for fewer repetitions). Prints one table of
medians with the targets of the routing issue. Routes are timed without their transit-time distribution
(``samples=0``): ``benchmarks/uncertainty.py`` times the Monte Carlo, scenarios and comparisons.
Machines are shared and noisy: the networkx baseline
is measured in the same run, so the ratio is the figure to trust.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_ms  # noqa: E402

from corridors.costs import CostModel  # noqa: E402
from corridors.data import Dataset  # noqa: E402
from corridors.network import Network, build_graph, load_network  # noqa: E402
from corridors.routing import weight_function  # noqa: E402


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lon, lat) points (mean Earth radius)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def synthetic(n_places: int = 20_000, n_junctions: int = 1_000, seed: int = 42) -> Network:
    """A corridor-like network: junctions joined by Delaunay links (MST + shortest extra edges up to
    1.5 links per junction), each link a chain of intermediate stations, half rail half road, with a
    rail/road terminal at every junction; section lengths are the great-circle distance x U(1.05, 1.4)
    (real routes are longer than the chord); parameters are the shipped ones."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import minimum_spanning_tree
    from scipy.spatial import Delaunay

    rng = np.random.default_rng(seed)
    pts = np.column_stack([rng.uniform(50, 80, n_junctions), rng.uniform(36, 50, n_junctions)])
    tri = Delaunay(pts)
    edges = set()
    for s in tri.simplices:
        for i in range(3):
            a, b = sorted((int(s[i]), int(s[(i + 1) % 3])))
            edges.add((a, b))
    e = np.array(sorted(edges))
    length = np.hypot(*(pts[e[:, 0]] - pts[e[:, 1]]).T)
    mst = minimum_spanning_tree(coo_matrix((length, (e[:, 0], e[:, 1])), shape=(n_junctions,) * 2))
    chosen = {tuple(sorted(x)) for x in zip(*mst.nonzero(), strict=True)}
    for i in np.argsort(length):
        if len(chosen) >= int(1.5 * n_junctions):
            break
        chosen.add(tuple(e[i]))
    links = sorted(chosen)
    per_link = (n_places - n_junctions) / len(links)
    countries = ["KZ", "UZ", "TM", "KG"]
    node_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    for j, (x, y) in enumerate(pts):
        node_rows.append(
            dict(
                id=f"j{j}",
                name=f"Junction {j}",
                country=countries[j % 4],
                kind="junction",
                modes=["rail", "road"],
                aliases=[],
                estimate=False,
                xy=(float(x), float(y)),
            )
        )
    made = n_junctions
    for k, (a, b) in enumerate(links):
        mode = "rail" if k % 2 == 0 else "road"
        stops = int(per_link * (k + 1)) - int(per_link * k)
        chain = [f"j{a}"]
        for s in range(stops):
            t = (s + 1) / (stops + 1)
            x, y = pts[a] + t * (pts[b] - pts[a])
            sid = f"s{made}"
            made += 1
            node_rows.append(
                dict(
                    id=sid,
                    name=f"Station {sid}",
                    country=countries[a % 4],
                    kind="junction",
                    modes=[mode],
                    aliases=[],
                    estimate=False,
                    xy=(float(x), float(y)),
                )
            )
            chain.append(sid)
        chain.append(f"j{b}")
        xy = {r["id"]: r["xy"] for r in node_rows[-(stops + 2) :]}
        xy[f"j{a}"], xy[f"j{b}"] = node_rows[a]["xy"], node_rows[b]["xy"]
        for i, (p, q) in enumerate(zip(chain, chain[1:], strict=False)):
            link_rows.append(
                dict(
                    id=f"l{k}_{i}",
                    name="",
                    **{"from": p, "to": q},
                    mode=mode,
                    crossing=False,
                    gauge_mm=1520 if mode == "rail" else None,
                    status="operational",
                    corridors=["syn"],
                    source=["synthetic"],
                    estimate=False,
                    length_km=max(haversine_km(xy[p], xy[q]), 0.5) * rng.uniform(1.05, 1.4),
                    duration_h=None,
                    interval_h=None,
                    speed_kmh=None,
                    dwell_h=None,
                    dwell_h_rev=None,
                    fee_usd=None,
                    fee_usd_rev=None,
                    coords=(xy[p], xy[q]),
                )
            )
    terms = [
        dict(
            node=f"j{j}",
            operation="transfer",
            between="rail/road",
            time_h=None,
            depart_interval_h=None,
            source=["synthetic"],
        )
        for j in range(n_junctions)
    ]
    shipped = load_network()
    ds = Dataset(
        ROOT,
        tuple(node_rows),
        tuple(link_rows),
        tuple(terms),
        (),
        (),
        (),
        shipped.dataset.parameter_records,
        (),
        tariff_records=shipped.dataset.tariff_records,
    )
    model = CostModel(ds.parameter_records, ds.tariff_records)
    return Network(ds, model, build_graph(ds, model))


_PEAK = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def cli_cold(reps: int) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MB) of `corridors route Altynkol Poti --format json`.

    The peak is read in a small wrapper process: a child forked from this (large) benchmark process
    would count the parent's pages until it execs.
    """
    cmd = [sys.executable, "-m", "corridors.cli", "route", "Altynkol", "Poti", "--format", "json"]
    peak = subprocess.run([sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True, cwd=ROOT)
    peak_mb = int(peak.stdout.strip()) / 1024
    walls = []
    for _ in range(reps):
        t0 = time.perf_counter()
        r = subprocess.run(
            [sys.executable, "-m", "corridors.cli", "route", "Altynkol", "Poti", "--format", "json"],
            capture_output=True,
            cwd=ROOT,
        )
        walls.append(time.perf_counter() - t0)
        assert r.returncode == 0, r.stderr
    return statistics.median(walls), peak_mb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    reps = 5 if args.quick else 21
    rows: list[tuple[str, str, str, str]] = []

    net = load_network()
    kinds = {"hub", "port", "border_post"}
    everyone = [p.id for p in net.places() if p.kind in kinds]

    def forget(network: Network, *, engines: bool = False) -> None:
        """Drop cached shortest-path trees (and compiled engines) so each call does the work."""
        if engines:
            network.__dict__.pop("_engines", None)
        for e in network.__dict__.get("_engines", {}).values():
            e._trees.clear()

    def shipped_route() -> None:
        forget(net)
        net.route("altynkol", "poti", samples=0)

    def shipped_route_cold() -> None:
        forget(net, engines=True)
        net.route("altynkol", "poti", samples=0)

    def shipped_routes() -> None:
        forget(net, engines=True)
        net.routes("altynkol", "poti", k=3, samples=0)

    rows.append(
        (
            "shipped: one route Altynkol-Poti (time)",
            f"{median_ms(shipped_route, reps * 5):.2f} ms",
            "<= 2 ms",
            "fresh Dijkstra tree, compiled weights cached",
        )
    )
    rows.append(
        (
            "shipped: same, first query with new options",
            f"{median_ms(shipped_route_cold, reps * 5):.2f} ms",
            "",
            "weights compiled from the closure",
        )
    )
    rows.append(
        (
            "shipped: routes(k=3) Altynkol-Poti",
            f"{median_ms(shipped_routes, reps):.1f} ms",
            "<= 30 ms",
            "nothing cached",
        )
    )
    t = median_ms(lambda: net.matrix(everyone, everyone), reps)
    rows.append(
        (
            f"shipped: matrix {len(everyone)} x {len(everyone)} hubs/ports/posts",
            f"{t:.1f} ms",
            "<= 100 ms",
            "CSR cached after the first call",
        )
    )
    net.__dict__.pop("_engines", None)

    def cold_matrix() -> None:
        net.__dict__.pop("_engines", None)
        net.matrix(everyone, everyone)

    rows.append(
        ("shipped: same matrix, cold (CSR rebuilt)", f"{median_ms(cold_matrix, reps):.1f} ms", "", "")
    )

    t0 = time.perf_counter()
    syn = synthetic()
    build_s = time.perf_counter() - t0
    ids = [r["id"] for r in syn.dataset.node_records]
    G = syn.graph
    junctions = [f"j{i}" for i in range(1000)]
    rng = np.random.default_rng(7)
    pairs = [tuple(rng.choice(len(ids), 2, replace=False)) for _ in range(30)]
    it = iter(pairs * 1000)

    def one_route() -> None:
        a, b = next(it)
        with contextlib.suppress(LookupError):
            syn.route(ids[a], ids[b], samples=0)

    rows.append(
        (
            f"synthetic: build ({len(ids):,} places, {G.number_of_nodes():,} graph nodes, "
            f"{G.number_of_edges():,} edges)",
            f"{build_s:.2f} s",
            "",
            "once",
        )
    )
    rows.append(
        (
            "synthetic: one route (time)",
            f"{median_ms(one_route, reps * 3):.1f} ms",
            "<= 50 ms",
            "30 fixed random pairs",
        )
    )

    def matrix_cold() -> Any:
        syn.__dict__.pop("_engines", None)
        return syn.matrix(junctions, junctions)

    mat_ms = median_ms(matrix_cold, max(3, reps // 4))
    # networkx baseline: the plain loop of single-source Dijkstra over the same weights, measured on a
    # sample of origins in this run and scaled to 1,000 origins
    w = weight_function(syn, by="time")
    ends = G.graph["endpoints"]
    sample = junctions[:: 1000 // 20]
    t0 = time.perf_counter()
    nx_rows = {o: nx.single_source_dijkstra_path_length(G, ends[o][0], weight=w) for o in sample}
    nx_ms = (time.perf_counter() - t0) * 1000 / len(sample) * len(junctions)
    m = matrix_cold()
    worst = max(
        abs(m.loc[o, d] - nx_rows[o].get(ends[d][1], math.inf)) for o in sample for d in junctions if o != d
    )
    rows.append(
        (
            "synthetic: matrix 1,000 x 1,000 (scipy, chains contracted)",
            f"{mat_ms:.0f} ms",
            "<= 1,500 ms",
            f"max |diff| vs networkx {worst:.1e} h",
        )
    )
    rows.append(
        (
            "synthetic: networkx loop, 1,000 sources (20 measured, scaled)",
            f"{nx_ms:.0f} ms",
            "",
            f"ratio {nx_ms / mat_ms:.1f}x (target >= 10x)",
        )
    )

    wall, peak = cli_cold(3 if args.quick else 7)
    rows.append(
        (
            "CLI cold: corridors route Altynkol Poti --format json",
            f"{wall:.2f} s wall",
            "<= 1.5 s",
            f"peak RSS {peak:.0f} MB (<= 250 MB)",
        )
    )

    print(
        f"python {platform.python_version()}, networkx {nx.__version__}, "
        f"{platform.machine()} x{__import__('os').cpu_count()}; medians"
    )
    w0 = max(len(r[0]) for r in rows)
    print(f"| {'measure'.ljust(w0)} | median | target | note |")
    print(f"|{'-' * (w0 + 2)}|---|---|---|")
    for r in rows:
        print(f"| {r[0].ljust(w0)} | {r[1]} | {r[2]} | {r[3]} |")


if __name__ == "__main__":
    main()
