"""Concurrent sessions against a real ``streamlit run app.py``: errors, time to a drawn map, memory.

Starts the app on a free loopback port (headless, the repository's ``.streamlit/config.toml``, a
throw-away tour database), launches Debian ``/usr/bin/chromium`` through Playwright (never
``playwright install``) and drives N concurrent browser sessions for a fixed time. Each loops through

* the overview (``/``),
* the planner, opened by URL with a varying query (origin, destination, ``by``, ``modes``, ``teu``,
  ``alternatives``, ``include_planned`` drawn from the shipped places and options), then one widget
  change by clicking in the page (another "Best by" objective),
* the volumes page (``/volumes``),

each session starting on another page so that the pages overlap. Every visit is a full page load
(``page.goto``), so every visit is a new server session, as a user following links would be.

    python benchmarks/load.py                            # 8 sessions, 120 s (issue 12, section 3)
    python benchmarks/load.py --seconds 60 --sessions 4  # quick check, under 4 minutes
    python benchmarks/load.py --sessions 2 --protocol-sessions 8   # more load on the server

Browser sessions: **one Chromium process, one browser context per session.** A context has its own
cookies, storage, renderer process and websocket, so the server sees N independent users; one browser
keeps the client side affordable (N browsers would also start N GPU processes). All contexts share
the browser's software-WebGL (SwiftShader) GPU process, and on a small machine the browsers, not the
server, use most of the CPU: the report splits the CPU used between server, client and the rest of
the machine.

``--protocol-sessions M`` adds M sessions that speak Streamlit's websocket protocol directly (no
browser: a ``BackMsg`` asking for a script run of a page with a query string, then the
``ForwardMsg`` stream read to ``script_finished``), one new session per visit, the same pages and
queries. They put load on the server that a small machine cannot produce with real browsers; they
draw nothing, and their figures are reported apart.

Measures (each defined once, the same way for every page):

* **page errors** (goal 0): a ``[data-testid="stException"]`` element after a page settled (and
  after the widget change), a ``console.error`` of the page, or an uncaught page error
  (``pageerror``); for protocol sessions, an ``exception`` element in the stream; and for both, a
  Vega-Lite chart message whose spec names a dataset that neither the spec nor the message carries
  (an empty chart, which a browser draws without complaint). Counted apart,
  not as page errors: failed requests to other hosts (Google's Material icon font on a closed
  network), and the 404s of Streamlit's own base-path probe (``/planner/_stcore/health``,
  streamlit/streamlit#7074). The CARTO basemap style request is answered by the benchmark with an
  empty style (the basemap draws nothing, as on a closed network, but without a fetch error).
  A visit whose map is not drawn within ``--timeout`` counts as a *timeout*.
* **time to a drawn map**: from just before ``page.goto`` until the first deck.gl chart's overlay
  canvas has at least 1 % of its pixels drawn (non-transparent), read back in the page with
  ``gl.readPixels`` every 0.15 s. The benchmark asks WebGL to preserve drawing buffers (an init
  script; the app does not) so that the pixels can be read back; nothing else in the page changes.
  Element screenshots, the browser tests' way, took 2-5 s each under load and would have measured
  themselves. Also printed: **goto -> script done**, from ``page.goto`` to the first successful
  ``script_finished`` message (page boot, websocket, script run), and the protocol sessions'
  **script run**, from the request to ``script_finished`` (the server alone).
* **reruns per second**: script runs the server finished, counted without any app change: every
  websocket frame the pages receive is decoded as Streamlit's ``ForwardMsg`` protobuf and the
  ``script_finished`` messages are counted (all statuses; the breakdown is printed).
* **widget rerun**: from the click on "Best by" until the next ``script_finished`` frame.
* **server RSS**: ``VmRSS`` of the server process and its descendants from ``/proc``, polled every
  0.5 s; printed at start (server up, no session yet), peak, end of the load, and after the
  browsers closed and a settle pause.

Visits still running 10 s after the end are cut (counted as *cut at the end*, not as errors).
The exit status is 1 when there was a page error or a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _server import CHROMIUM, CHROMIUM_FLAGS, ServerDidNotStart, free_port, start, stop, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1280, "height": 900}
#: Share of the deck canvas's pixels that must be drawn for a map to count as drawn.
DRAWN_SHARE = 0.01
RSS_POLL_S = 0.5
#: Visits still running this long after the end of the load are cut.
GRACE_S = 10.0

#: Planner queries: east-side origins, west- and south-side destinations (ids of the shipped places;
#: those missing from another dataset are dropped at start).
ORIGINS = (
    "altynkol",
    "dostyk",
    "khorgos",
    "xian",
    "urumqi",
    "kashgar",
    "almaty",
    "tashkent",
    "bishkek",
    "astana",
    "samarkand",
)
DESTINATIONS = (
    "poti",
    "batumi",
    "baku",
    "alat",
    "istanbul",
    "constanta",
    "tehran",
    "bandar_abbas",
    "karachi",
    "moscow",
    "turkmenbashi",
    "aktau",
)
OBJECTIVES = ("time", "cost", "distance", "co2", "generalized", "time_p90")
MODES = ("rail,road,sea", "rail,sea", "rail,road")
PAGES = ("overview", "planner", "volumes")
PAGE_PATHS = {"overview": "", "planner": "planner", "volumes": "volumes"}

#: Make WebGL canvases keep their drawing buffer so that the page can read its pixels back (a
#: measuring hook of the benchmark; Streamlit's deck does not ask for it). Runs before page scripts.
PRESERVE_BUFFER = """(() => {
  const orig = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, attrs) {
    if (type === 'webgl2' || type === 'webgl' || type === 'experimental-webgl') {
      attrs = Object.assign({}, attrs || {}, {preserveDrawingBuffer: true});
    }
    return orig.call(this, type, attrs);
  };
})();"""
#: In the page: the share of drawn (non-transparent) pixels of the first deck's overlay canvas once
#: it reaches ``minShare``; -1 when the page says there is no route (nothing to draw); else false.
DRAWN_JS = """(minShare) => {
  const c = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas#deckgl-overlay');
  if (!c) {
    for (const e of document.querySelectorAll('[data-testid="stAlertContentError"]')) {
      if (e.textContent.includes('No route')) return -1;
    }
    return false;
  }
  const gl = c.getContext('webgl2') || c.getContext('webgl');
  if (!gl || !gl.drawingBufferWidth) return false;
  const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
  const px = new Uint8Array(w * h * 4);
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
  let drawn = 0, n = 0;
  for (let i = 3; i < px.length; i += 16) { n++; if (px[i] > 0) drawn++; }
  return drawn / n >= minShare ? drawn / n : false;
}"""
#: An empty MapLibre style, the answer to the CARTO basemap style request.
EMPTY_STYLE = '{"version": 8, "sources": {}, "layers": []}'
#: Streamlit's frontend probes ``/<page>/_stcore/health`` and ``host-config`` before the real base
#: path when a page URL is opened directly (404s; streamlit/streamlit#7074, open).
BASE_PATH_PROBE = re.compile(r"/[^/?#]+/_stcore/(health|host-config)$")


# ---------------------------------------------------------------------------------------------
# the server and its memory


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (from ``/proc/<pid>/task/*/children``)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{p}/task"):
                with contextlib.suppress(OSError), open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
    return out


def rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of ``pid`` and its descendants, in MB."""
    total_kb = 0
    for p in descendants(pid):
        with contextlib.suppress(OSError), open(f"/proc/{p}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
                    break
    return total_kb / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (utime + stime of ``/proc/<pid>/stat``); 0 when gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (``/proc/stat``: all but idle and iowait)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


class Poller(threading.Thread):
    """Every ``every`` seconds: the server's RSS (:func:`rss_mb`), and the CPU time of the server's
    and the benchmark's own process trees (Playwright's driver and Chromium), per process, so that
    processes that end between samples lose at most one interval of their CPU time."""

    def __init__(self, server_pid: int, every: float = RSS_POLL_S) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = server_pid, every
        self.samples: list[tuple[float, float]] = []
        self.cpu: dict[str, dict[int, float]] = {"server": {}, "client": {}}
        self._stop_event = threading.Event()
        self.t0 = time.monotonic()

    def sample(self) -> None:
        self.samples.append((time.monotonic() - self.t0, rss_mb(self.pid)))
        server = descendants(self.pid)
        client = [p for p in descendants(os.getpid()) if p not in server]
        for kind, pids in (("server", server), ("client", client)):
            seen = self.cpu[kind]
            for p in pids:
                seen[p] = max(seen.get(p, 0.0), cpu_seconds(p))

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)

    def cpu_total(self, kind: str) -> float:
        return sum(self.cpu[kind].values())

    @property
    def peak(self) -> float:
        return max((mb for _, mb in self.samples), default=float("nan"))


def metrics(url: str) -> dict[str, float]:
    """The server's ``/_stcore/metrics`` (OpenMetrics text) as ``{name{labels}: value}``."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10) as r:
            text = r.read().decode("utf-8", "replace")
    except OSError:
        return {}
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            with contextlib.suppress(ValueError):
                out[name] = float(value)
    return out


def cache_mb(m: dict[str, float]) -> float:
    """Total bytes Streamlit reports for its caches (``cache_memory_bytes``), in MB."""
    return sum(v for k, v in m.items() if k.startswith("cache_memory_bytes")) / 1e6


def start_server(port: int, tours_db: Path, log: Any, geodata: str | None) -> subprocess.Popen:
    """``streamlit run app.py`` on loopback with a throw-away tour database; output to ``log``."""
    env = {k: v for k, v in os.environ.items() if k != "CORRIDORS_GEODATA"}
    env["CORRIDORS_TOURS_DB"] = str(tours_db)
    if geodata:
        env["CORRIDORS_GEODATA"] = geodata
    return start("app.py", port=port, env=env, log=log)


# ---------------------------------------------------------------------------------------------
# measurements


@dataclass
class Stats:
    """Everything the sessions record (one event loop: no locks needed)."""

    map_ms: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    boot_ms: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    widget_ms: list[float] = field(default_factory=list)
    loads: Counter = field(default_factory=Counter)
    timeouts: Counter = field(default_factory=Counter)
    cut: int = 0
    failures: list[str] = field(default_factory=list)
    no_route: int = 0
    widget_changes: int = 0
    exceptions: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external: Counter = field(default_factory=Counter)
    probes: int = 0
    finished: Counter = field(default_factory=Counter)
    # protocol sessions
    run_ms: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    proto_visits: int = 0
    proto_exceptions: list[str] = field(default_factory=list)
    empty_charts: list[str] = field(default_factory=list)
    proto_finished: Counter = field(default_factory=Counter)
    loading: bool = True

    @property
    def errors(self) -> int:
        return (
            len(self.exceptions)
            + len(self.console_errors)
            + len(self.page_errors)
            + len(self.proto_exceptions)
            + len(self.empty_charts)
        )


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of values; NaN when empty."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def p50_p95(values: list[float]) -> str:
    """``p50 / p95`` of milliseconds, in seconds; a visit that timed out counts as infinitely long
    (so a p95 among more than 5 % timeouts reads "timeout", not the p95 of the maps that drew)."""

    def sec(x: float) -> str:
        return "timeout" if math.isinf(x) else f"{x / 1000:.2f}"

    return f"{sec(pct(values, 0.5))} / {sec(pct(values, 0.95))} s"


def planner_query(rng: random.Random, origins: list[str], destinations: list[str]) -> str:
    q = [
        f"origin={rng.choice(origins)}",
        f"destination={rng.choice(destinations)}",
        f"by={rng.choice(OBJECTIVES)}",
    ]
    modes = rng.choice(MODES)
    if modes != MODES[0]:
        q.append(f"modes={modes.replace(',', '%2C')}")
    if rng.random() < 0.3:
        q.append(f"teu={rng.choice((2, 5, 40))}")
    if rng.random() < 0.3:
        q.append(f"alternatives={rng.choice((1, 2, 5))}")
    if rng.random() < 0.2:
        q.append("include_planned=true")
    return "&".join(q)


class Session:
    """One browser context looping through the pages until the deadline."""

    def __init__(self, n: int, base: str, stats: Stats, places: tuple[list, list], args: Any) -> None:
        self.n, self.base, self.stats = n, base, stats
        self.origins, self.destinations = places
        self.timeout_s, self.think_s, self.pages = args.timeout, args.think, args.pages
        self.rng = random.Random(args.seed * 1000 + n)
        self.finished = 0  # script_finished frames this session received
        self.last_success = 0.0  # when the last successful script run finished (monotonic)
        self.kind = ""
        self.page: Any = None

    # -- listeners ------------------------------------------------------------------------------
    def on_frame(self, payload: bytes | str) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg: nothing to count
            return
        if (
            msg.WhichOneof("type") == "delta"
            and msg.delta.WhichOneof("type") == "new_element"
            and msg.delta.new_element.WhichOneof("type") == "vega_lite_chart"
        ):
            missing = missing_datasets(msg.delta.new_element.vega_lite_chart)
            if missing:
                self.stats.empty_charts.append(
                    f"s{self.n} {self.page_url()}: a chart without its data (dataset "
                    f"{', '.join(sorted(missing))} is neither in the spec nor in the message)"
                )
        if msg.WhichOneof("type") == "script_finished":
            self.finished += 1
            if msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.last_success = time.monotonic()
            if self.stats.loading:
                self.stats.finished[ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)] += 1

    def on_console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "") or ""
        if where and not where.startswith(self.base):
            self.stats.external[re.sub(r"^(https?://[^/]+).*", r"\1", where)] += 1
        elif BASE_PATH_PROBE.search(where) and "404" in msg.text:
            self.stats.probes += 1
        else:
            self.stats.console_errors.append(f"s{self.n} {self.page_url()}: {msg.text[:300]}")

    def page_url(self) -> str:
        return self.page.url.removeprefix(self.base) if self.page is not None else ""

    # -- one visit ------------------------------------------------------------------------------
    async def wait_idle(self) -> None:
        await self.page.wait_for_timeout(250)
        await self.page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
            timeout=self.timeout_s * 1000
        )

    async def time_to_map(self, t0: float) -> float | None:
        """Seconds from ``t0`` until the first deck's canvas has drawn pixels (see the module notes);
        None on a timeout, or when the page says there is no route (nothing to draw)."""
        left = max(0.1, t0 + self.timeout_s - time.monotonic())
        try:
            handle = await self.page.wait_for_function(
                DRAWN_JS, arg=DRAWN_SHARE, polling=150, timeout=left * 1000
            )
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError
            self.stats.timeouts[self.kind] += 1
            self.stats.map_ms[self.kind].append(math.inf)
            return None
        took = time.monotonic() - t0
        if await handle.json_value() == -1:
            self.stats.no_route += 1
            return None
        return took

    async def check_exceptions(self) -> None:
        exc = self.page.locator("[data-testid='stException']")
        for text in await exc.all_inner_texts():
            self.stats.exceptions.append(f"s{self.n} {self.page_url()}: {' '.join(text.split())[:300]}")

    async def visit(self, kind: str) -> None:
        self.kind = kind
        query = planner_query(self.rng, self.origins, self.destinations) if kind == "planner" else ""
        path = "/" + PAGE_PATHS[kind] + ("?" + query if query else "")
        self.stats.loads[kind] += 1
        t0 = time.monotonic()
        try:
            await self.page.goto(
                self.base + path, wait_until="domcontentloaded", timeout=self.timeout_s * 1000
            )
        except Exception as exc:  # noqa: BLE001 - the page did not even load: no map
            self.stats.timeouts[kind] += 1
            self.stats.map_ms[kind].append(math.inf)
            self.stats.failures.append(f"s{self.n} {path}: {str(exc).splitlines()[0][:200]}")
            return
        took = await self.time_to_map(t0)
        if took is not None:
            self.stats.map_ms[kind].append(took * 1000)
        with contextlib.suppress(Exception):
            await self.wait_idle()
        if self.last_success > t0:
            self.stats.boot_ms[kind].append((self.last_success - t0) * 1000)
        await self.check_exceptions()
        if kind == "planner" and took is not None:
            await self.change_objective()

    async def change_objective(self) -> None:
        """Click another "Best by" option; time it to the next finished script run."""
        group = self.page.get_by_test_id("stButtonGroup").filter(
            has=self.page.get_by_role("radio", name="generalized", exact=True)
        )
        radios = group.get_by_role("radio")
        others = []
        for i in range(await radios.count()):
            r = radios.nth(i)
            if await r.get_attribute("aria-checked") != "true":
                others.append(" ".join((await r.inner_text()).split()))
        if not others:
            return
        before = self.finished
        t0 = time.monotonic()
        await group.get_by_role("radio", name=self.rng.choice(others), exact=True).click()
        self.stats.widget_changes += 1
        while self.finished == before and time.monotonic() - t0 < self.timeout_s:
            await asyncio.sleep(0.02)
        if self.finished > before:
            self.stats.widget_ms.append((time.monotonic() - t0) * 1000)
        with contextlib.suppress(Exception):
            await self.wait_idle()
        await self.check_exceptions()

    async def run(self, browser: Any, deadline: float) -> None:
        ctx = await browser.new_context(viewport=VIEWPORT)
        await ctx.add_init_script(PRESERVE_BUFFER)
        await ctx.route(
            "https://basemaps.cartocdn.com/**/style.json",
            lambda route: route.fulfill(status=200, content_type="application/json", body=EMPTY_STYLE),
        )
        self.page = await ctx.new_page()
        self.page.set_default_timeout(self.timeout_s * 1000)
        self.page.on("console", self.on_console)
        self.page.on(
            "pageerror",
            lambda e: self.stats.page_errors.append(f"s{self.n} {self.page_url()}: {str(e)[:300]}"),
        )
        self.page.on("websocket", lambda ws: ws.on("framereceived", self.on_frame))
        try:
            await loop_visits(self.n, self.visit, deadline, self.stats, self.rng, self.think_s, self.pages)
        finally:
            await ctx.close()


async def loop_visits(
    n: int,
    visit: Any,
    deadline: float,
    stats: Stats,
    rng: random.Random,
    think_s: float,
    pages: tuple[str, ...],
) -> None:
    """Call ``visit(page)`` over ``pages`` (starting at number ``n``) until the deadline; a visit still
    running ``GRACE_S`` after it is cut."""
    i = n
    while time.monotonic() < deadline:
        kind = pages[i % len(pages)]
        try:
            await asyncio.wait_for(visit(kind), timeout=deadline + GRACE_S - time.monotonic())
        except TimeoutError:
            stats.cut += 1
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a widget that never became clickable
            stats.failures.append(f"session {n} {kind}: {str(exc).splitlines()[0][:200]}")
        i += 1
        if think_s:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)


def missing_datasets(chart: Any) -> set[str]:
    """Names of datasets a Vega-Lite chart message refers to but does not carry (an empty chart)."""
    import json

    spec = json.loads(chart.spec or "{}")
    have = {d.name for d in chart.datasets} | set(spec.get("datasets") or {})
    wanted: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                wanted.add(data["name"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: v for k, v in spec.items() if k != "datasets"})
    return wanted - have


class ProtocolSession:
    """A session without a browser: one websocket (a new server session) per visit, asking for a
    script run of the page with a query string, reading the stream to ``script_finished``."""

    def __init__(self, n: int, base: str, stats: Stats, places: tuple[list, list], args: Any) -> None:
        self.n, self.base, self.stats = n, base, stats
        self.origins, self.destinations = places
        self.timeout_s, self.think_s, self.pages = args.timeout, args.think, args.pages
        self.rng = random.Random(args.seed * 1000 + n)

    async def visit(self, kind: str) -> None:
        import websockets
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        query = planner_query(self.rng, self.origins, self.destinations) if kind == "planner" else ""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = PAGE_PATHS[kind]
        self.stats.proto_visits += 1
        url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        where = f"p{self.n - 500} /{PAGE_PATHS[kind]}{'?' + query if query else ''}"
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            t0 = time.monotonic()
            await ws.send(msg.SerializeToString())
            while True:
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=t0 + self.timeout_s - time.monotonic())
                except TimeoutError:
                    self.stats.failures.append(f"{where}: no script_finished in {self.timeout_s:g} s")
                    return
                if isinstance(raw, str):
                    continue
                fwd = ForwardMsg.FromString(raw)
                kind_of = fwd.WhichOneof("type")
                element = (
                    fwd.delta.new_element.WhichOneof("type")
                    if kind_of == "delta" and fwd.delta.WhichOneof("type") == "new_element"
                    else None
                )
                if element == "exception":
                    exc = fwd.delta.new_element.exception
                    self.stats.proto_exceptions.append(f"{where}: {exc.type}: {exc.message[:300]}")
                elif element == "vega_lite_chart":
                    missing = missing_datasets(fwd.delta.new_element.vega_lite_chart)
                    if missing:
                        self.stats.empty_charts.append(
                            f"{where}: a chart without its data (dataset {', '.join(sorted(missing))} "
                            "is neither in the spec nor in the message)"
                        )
                elif kind_of == "script_finished":
                    if self.stats.loading:
                        status = ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)
                        self.stats.proto_finished[status] += 1
                    if fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                        self.stats.run_ms[kind].append((time.monotonic() - t0) * 1000)
                        return

    async def run(self, deadline: float) -> None:
        await loop_visits(self.n, self.visit, deadline, self.stats, self.rng, self.think_s, self.pages)


# ---------------------------------------------------------------------------------------------
# the run


def shipped_places(geodata: str | None) -> tuple[list[str], list[str]]:
    import json

    path = Path(geodata) if geodata else ROOT / "geodata"
    doc = json.loads((path / "nodes.geojson").read_text(encoding="utf-8"))
    ids = {f["properties"]["id"] for f in doc["features"]}
    origins = [o for o in ORIGINS if o in ids]
    dests = [d for d in DESTINATIONS if d in ids]
    if not origins or not dests:
        raise SystemExit("the dataset has none of the benchmark's planner places")
    return origins, dests


async def drive(
    url: str, args: argparse.Namespace, stats: Stats, places: tuple[list, list], poller: Poller
) -> tuple[float, float]:
    """Run the sessions; (start of the load on the poller's clock, seconds it took)."""
    async with contextlib.AsyncExitStack() as stack:
        browser = None
        if args.sessions:
            from playwright.async_api import async_playwright

            p = await stack.enter_async_context(async_playwright())
            browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            stack.push_async_callback(browser.close)
        t0 = time.monotonic()
        deadline = t0 + args.seconds
        jobs = [Session(n, url, stats, places, args).run(browser, deadline) for n in range(args.sessions)]
        jobs += [
            ProtocolSession(500 + n, url, stats, places, args).run(deadline)
            for n in range(args.protocol_sessions)
        ]
        await asyncio.gather(*jobs)
        stats.loading = False
        elapsed = time.monotonic() - t0
    return t0 - poller.t0, elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120, help="duration of the load (default 120)")
    ap.add_argument("--sessions", type=int, default=8, help="concurrent browser sessions (default 8)")
    ap.add_argument(
        "--protocol-sessions",
        type=int,
        default=0,
        help="extra sessions speaking Streamlit's websocket protocol, no browser (default 0)",
    )
    ap.add_argument(
        "--think",
        type=float,
        default=0.5,
        help="mean pause between visits, seconds (uniform 0.5-1.5 x; default 0.5)",
    )
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for a map (default 60)")
    ap.add_argument(
        "--settle",
        type=float,
        default=10,
        help="seconds to wait after the browsers closed before the last RSS reading",
    )
    ap.add_argument(
        "--pages",
        type=lambda v: tuple(p for p in v.split(",") if p),
        default=PAGES,
        help="comma-separated pages to loop through (default overview,planner,volumes)",
    )
    ap.add_argument("--seed", type=int, default=12, help="random seed of the planner queries")
    ap.add_argument("--geodata", help="another dataset directory (CORRIDORS_GEODATA)")
    args = ap.parse_args()
    if not args.pages or any(p not in PAGES for p in args.pages):
        ap.error(f"--pages takes some of {','.join(PAGES)}")
    if args.sessions and not CHROMIUM.exists():
        raise SystemExit(f"Debian Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    import streamlit

    places = shipped_places(args.geodata)
    stats = Stats()
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="corridors-load-") as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = Path(tmp) / "streamlit.log"
        with open(log_path, "w") as log:
            proc = start_server(port, Path(tmp) / "tours.sqlite3", log, args.geodata)
        poller = Poller(proc.pid)
        try:
            try:
                wait_healthy(url, proc)
            except ServerDidNotStart as exc:
                raise SystemExit(str(exc)) from None
            time.sleep(1.0)
            rss_start = rss_mb(proc.pid)
            m0 = metrics(url)
            poller.start()
            time.sleep(0.2)
            cpu0 = {k: poller.cpu_total(k) for k in ("server", "client")}
            busy0 = machine_busy_seconds()
            start_at, elapsed = asyncio.run(drive(url, args, stats, places, poller))
            busy = machine_busy_seconds() - busy0
            poller.sample()
            cpu = {k: poller.cpu_total(k) - cpu0[k] for k in cpu0}
            cpu["other"] = busy - cpu["server"] - cpu["client"]
            during = [mb for t, mb in poller.samples if start_at <= t <= start_at + elapsed]
            rss_end = during[-1] if during else rss_mb(proc.pid)
            m1 = metrics(url)
            time.sleep(args.settle)
            rss_settled = rss_mb(proc.pid)
            m2 = metrics(url)
            load1 = os.getloadavg()
            log_text = log_path.read_text(errors="replace")
        finally:
            poller.stop()
            stop(proc)

    report(
        args,
        stats,
        elapsed=elapsed,
        rss=(rss_start, poller.peak, rss_end, rss_settled),
        samples=[(t - start_at, mb) for t, mb in poller.samples],
        metrics_=(m0, m1, m2),
        cpu=cpu,
        loads=(load0, load1),
        streamlit_version=streamlit.__version__,
        log_errors=log_text.count("Traceback"),
    )
    if "Traceback" in log_text:
        print("\nserver log from its first traceback:")
        for ln in log_text[log_text.index("Traceback") :].splitlines()[:40]:
            print("  " + ln[:200])
    return 1 if stats.errors or sum(stats.timeouts.values()) or stats.failures else 0


def report(
    args: argparse.Namespace,
    s: Stats,
    *,
    elapsed: float,
    rss: tuple[float, ...],
    samples: list[tuple[float, float]],
    metrics_: tuple[dict[str, float], ...],
    cpu: dict[str, float],
    loads: tuple[tuple[float, ...], ...],
    streamlit_version: str,
    log_errors: int,
) -> None:
    """Print the table (and the first distinct errors)."""
    all_map = [x for v in s.map_ms.values() for x in v]
    all_boot = [x for v in s.boot_ms.values() for x in v]
    all_run = [x for v in s.run_ms.values() for x in v]
    runs = sum(s.finished.values())
    proto_runs = sum(s.proto_finished.values())
    m0, m1, m2 = metrics_
    connects = m1.get('session_events_total{type="connect"}', float("nan"))

    def per_page(d: dict[str, list[float]]) -> str:
        return "; ".join(f"{k} {p50_p95(v).removesuffix(' s')}" for k, v in d.items() if v)

    def statuses(c: Counter) -> str:
        return ", ".join(f"{k.removeprefix('FINISHED_').lower()} {v}" for k, v in c.most_common())

    print(
        f"\nLoad: {args.sessions} concurrent Chromium sessions (1 browser, {args.sessions} contexts)"
        + (f" and {args.protocol_sessions} protocol sessions" if args.protocol_sessions else "")
        + f" for {elapsed:.0f} s against streamlit run app.py on loopback"
    )
    print(
        f"python {platform.python_version()}, streamlit {streamlit_version}, {os.cpu_count()} CPU(s); "
        f"load average {loads[0][0]:.1f} before, {loads[1][0]:.1f} after; think time {args.think:g} s; "
        f"seed {args.seed}"
    )
    rows = [
        (
            "sessions",
            f"{args.sessions} browser"
            + (f" + {args.protocol_sessions} protocol" if args.protocol_sessions else ""),
        ),
        (
            "duration",
            f"{elapsed:.0f} s ({args.seconds:g} s asked; visits then running may finish "
            f"within {GRACE_S:g} s)",
        ),
        (
            "page loads",
            f"{sum(s.loads.values())} (overview {s.loads['overview']}, planner "
            f"{s.loads['planner']}, volumes {s.loads['volumes']}); widget changes "
            f"{s.widget_changes}; cut at the end {s.cut}",
        ),
        (
            "page errors (goal 0)",
            f"{s.errors} (Streamlit exceptions {len(s.exceptions)}, console errors "
            f"{len(s.console_errors)}, uncaught {len(s.page_errors)}"
            + (f", protocol-session exceptions {len(s.proto_exceptions)}" if args.protocol_sessions else "")
            + f", charts without their data {len(s.empty_charts)})",
        ),
        (
            "maps not drawn in time",
            f"{sum(s.timeouts.values())}"
            + (f" ({dict(s.timeouts)})" if s.timeouts else "")
            + f" (timeout {args.timeout:g} s); no route (not an error) {s.no_route}",
        ),
        ("failed visits", f"{len(s.failures)} (a page or widget that did not answer; listed below)"),
        ("time to drawn map p50 / p95", f"{p50_p95(all_map)}  ({per_page(s.map_ms)})"),
        ("goto -> script done p50 / p95", f"{p50_p95(all_boot)}  ({per_page(s.boot_ms)})"),
        (
            "widget rerun p50 / p95",
            f"{p50_p95(s.widget_ms)} (click on Best by -> script finished, n={len(s.widget_ms)})",
        ),
        (
            "reruns per second",
            f"{runs / elapsed:.2f} in the browsers ({runs} script runs: {statuses(s.finished)})",
        ),
    ]
    if args.protocol_sessions:
        rows += [
            (
                "protocol: visits",
                f"{s.proto_visits}; {proto_runs / elapsed:.2f} script runs per second "
                f"({statuses(s.proto_finished)})",
            ),
            ("protocol: script run p50 / p95", f"{p50_p95(all_run)}  ({per_page(s.run_ms)})"),
        ]
    rows += [
        (
            f"CPU used (cores of {os.cpu_count()})",
            ", ".join(f"{k} {v / elapsed:.2f}" for k, v in cpu.items())
            + " (client: this script, Playwright, Chromium; other: the rest of the machine)",
        ),
        (
            "server RSS start / peak / end",
            f"{rss[0]:.0f} / {rss[1]:.0f} / {rss[2]:.0f} MB; "
            f"{rss[3]:.0f} MB {args.settle:g} s after the load",
        ),
        (
            "server sessions (metrics)",
            f"{connects:.0f} opened; {m1.get('active_sessions', float('nan')):.0f} "
            f"active at the end, {m2.get('active_sessions', float('nan')):.0f} "
            f"{args.settle:g} s later",
        ),
        ("Streamlit caches (metrics)", f"{cache_mb(m0):.1f} MB at start, {cache_mb(m1):.1f} MB at the end"),
        (
            "not page errors",
            f"{sum(s.external.values())} failed requests to other hosts ("
            + ", ".join(f"{k} {v}" for k, v in s.external.most_common(3))
            + f"); {s.probes} base-path 404 probes (streamlit#7074)",
        ),
        ("server log", f"{log_errors} traceback(s)"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    marks = [t for t in range(0, int(elapsed) + 1, 30)] + [round(elapsed)]
    shown = []
    for t in dict.fromkeys(marks):
        before = [mb for at, mb in samples if at <= t]
        if before:
            shown.append(f"{t:.0f} s {before[-1]:.0f}")
    print("  server RSS over the load (MB): " + ", ".join(shown))
    for title, items in (
        ("Streamlit exceptions", s.exceptions),
        ("console errors", s.console_errors),
        ("uncaught page errors", s.page_errors),
        ("protocol-session exceptions", s.proto_exceptions),
        ("charts without their data", s.empty_charts),
        ("failed visits", s.failures),
    ):
        if items:
            print(f"\n{title} ({len(items)}; first distinct ones):")
            for text in list(dict.fromkeys(items))[:8]:
                print("  " + text)


if __name__ == "__main__":
    sys.exit(main())
