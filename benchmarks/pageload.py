"""Time to a drawn map in a real browser: the overview and the planner against a bare one-map page.

Starts two servers on free loopback ports (``streamlit run app.py`` and ``streamlit run
benchmarks/minimal_map.py``), drives Debian Chromium (``/usr/bin/chromium``, headless, SwiftShader
WebGL) through Playwright, warms every page, then loads each page N times, interleaved (minimal,
overview, planner, minimal, ...) so that load from other jobs hits all three alike.

A load is timed from navigation start to the first animation frame in which a canvas inside the
deck.gl chart (``stDeckGlJsonChart``) has drawn pixels: at least 1 % of a 96 x 64 downscale differs
clearly from its most common colour. The check runs in the page, on the animation frames after WebGL
drew into that canvas (draw calls are counted; WebGL contexts get ``preserveDrawingBuffer`` so the
canvas can be read back); the definition is the same for all three pages. Each load also records when
the chart element appeared and when the script run ended (the app went from running to not running).

    python benchmarks/pageload.py          # N = 7 warm loads per page
    python benchmarks/pageload.py -n 11

Target (issue 11, section 2): overview and planner median <= 1.3 x the minimal page's median, same run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _server import CHROMIUM, CHROMIUM_FLAGS, streamlit_server

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1440, "height": 1000}
TARGET_RATIO = 1.3
PAGES = {  # name: (server, path)
    "minimal page": ("minimal", "/"),
    "overview": ("app", "/"),
    "planner Altynkol-Poti": ("app", "/planner?origin=altynkol&destination=poti"),
}

#: Runs in every document before its scripts: marks the first frame with a drawn deck canvas.
PROBE = """
(() => {
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, attrs) {
    if (type === "webgl" || type === "webgl2" || type === "experimental-webgl") {
      attrs = Object.assign({}, attrs || {}, { preserveDrawingBuffer: true });
    }
    return getContext.call(this, type, attrs);
  };
  // Only canvases that WebGL drew into since the last check are read back (a read-back is costly on
  // SwiftShader; reading every frame slowed the pages it measured by seconds).
  const dirty = new Set();
  for (const proto of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    if (!proto) continue;
    for (const name of ["drawArrays", "drawElements", "drawArraysInstanced", "drawElementsInstanced"]) {
      const draw = proto.prototype[name];
      if (!draw) continue;
      proto.prototype[name] = function (...args) {
        if (this.getParameter(this.FRAMEBUFFER_BINDING) === null) dirty.add(this.canvas);
        return draw.apply(this, args);
      };
    }
  }
  const marks = { chart: null, drawn: null, done: null, share: 0, runs: 0 };
  window.__pageload = marks;
  const probe = document.createElement("canvas");
  probe.width = 96;
  probe.height = 64;
  const ctx = probe.getContext("2d", { willReadFrequently: true });
  function drawnShare(canvas) {
    ctx.clearRect(0, 0, 96, 64);
    ctx.drawImage(canvas, 0, 0, 96, 64);
    const px = ctx.getImageData(0, 0, 96, 64).data;
    const counts = new Map();
    for (let i = 0; i < px.length; i += 4) {
      const key = (px[i] << 24) ^ (px[i + 1] << 16) ^ (px[i + 2] << 8) ^ px[i + 3];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    let bg = 0, best = -1;
    for (const [key, n] of counts) if (n > best) { best = n; bg = key; }
    const b = [(bg >>> 24) & 255, (bg >>> 16) & 255, (bg >>> 8) & 255, bg & 255];
    let drawn = 0;
    for (let i = 0; i < px.length; i += 4) {
      const d = Math.abs(px[i] - b[0]) + Math.abs(px[i + 1] - b[1]) + Math.abs(px[i + 2] - b[2])
        + Math.abs(px[i + 3] - b[3]);
      if (d > 40) drawn++;
    }
    return drawn / (px.length / 4);
  }
  // script runs: the app's data-test-script-state attribute going to "running"; done: the end of
  // the first run
  let last = null;
  new MutationObserver(() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute("data-test-script-state");
    if (state === last) return;
    if (state === "running") marks.runs++;
    if (state === "notRunning" && marks.runs > 0 && marks.done === null) marks.done = performance.now();
    last = state;
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-test-script-state"] });
  function tick() {
    const charts = document.querySelectorAll('[data-testid="stDeckGlJsonChart"]');
    if (charts.length && marks.chart === null) marks.chart = performance.now();
    if (marks.drawn === null) {
      for (const chart of charts) {
        for (const canvas of chart.querySelectorAll("canvas")) {
          if (!dirty.has(canvas) || !canvas.width || !canvas.height) continue;
          dirty.delete(canvas);
          const share = drawnShare(canvas);
          if (share >= 0.01) {
            marks.drawn = performance.now();
            marks.share = share;
            break;
          }
        }
        if (marks.drawn !== null) break;
      }
    }
    if (marks.drawn === null || marks.done === null) requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();
"""


@contextlib.contextmanager
def server(script: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """``streamlit run script`` on a free loopback port; yields its base URL, stops it afterwards."""
    with streamlit_server(script, env=env, log_path=log) as url:
        yield url


def load(context, url: str, timeout_ms: int = 60_000) -> dict[str, float]:
    """Open ``url`` in a new tab; milliseconds from navigation start to the chart element, the drawn
    map and the end of the script run (the first time the app goes from running to not running)."""
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_function(
            "() => window.__pageload && window.__pageload.drawn !== null && window.__pageload.done !== null",
            timeout=timeout_ms,
            polling=100,
        )
        marks = page.evaluate("() => window.__pageload")
        return {k: float(marks[k]) for k in ("chart", "drawn", "done", "share", "runs")}
    finally:
        page.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=7, help="timed warm loads per page (default 7, at least 5)")
    ap.add_argument("--warm", type=int, default=2, help="untimed loads per page first (default 2)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every load to stderr")
    args = ap.parse_args()
    if not CHROMIUM.exists():
        print(f"Debian Chromium is not installed at {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="pageload-"))
    env = {k: v for k, v in os.environ.items() if k != "CORRIDORS_GEODATA"}
    env["CORRIDORS_TOURS_DB"] = str(tmp / "tours.sqlite3")  # never the user's tour database
    load_before = os.getloadavg()
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in PAGES}
    with (
        server("app.py", env, tmp / "app.log") as app_url,
        server("benchmarks/minimal_map.py", env, tmp / "minimal.log") as minimal_url,
        sync_playwright() as p,
    ):
        base = {"app": app_url, "minimal": minimal_url}
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            contexts = {}
            for name in PAGES:  # one context per page: its HTTP cache stays warm between loads
                ctx = browser.new_context(viewport=VIEWPORT)
                ctx.add_init_script(PROBE)
                contexts[name] = ctx
            for _ in range(args.warm):
                for name, (srv, path) in PAGES.items():
                    load(contexts[name], base[srv] + path, timeout_ms=180_000)
            for _ in range(args.n):
                for name, (srv, path) in PAGES.items():
                    samples[name].append(load(contexts[name], base[srv] + path))
                    if args.verbose:
                        print(name, {k: round(v, 2) for k, v in samples[name][-1].items()}, file=sys.stderr)
                    time.sleep(0.3)
        finally:
            browser.close()
    load_after = os.getloadavg()

    from importlib.metadata import version

    import streamlit

    chromium = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"Time to a drawn map, warm loads (N={args.n} per page, interleaved; headless {chromium}, "
        f"SwiftShader)"
    )
    print(
        f"python {platform.python_version()}, streamlit {streamlit.__version__}, playwright "
        f"{version('playwright')}, {os.cpu_count()} CPU(s); load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after\n"
    )
    base_median = statistics.median(s["drawn"] for s in samples["minimal page"])
    print("| page | median ms | min ms | max ms | ratio to minimal | chart element ms | script done ms |")
    print("|---|---|---|---|---|---|---|")
    worst = 0.0
    for name, rows in samples.items():
        drawn = [r["drawn"] for r in rows]
        med = statistics.median(drawn)
        ratio = med / base_median
        if name != "minimal page":
            worst = max(worst, ratio)
        print(
            f"| {name} | {med:,.0f} | {min(drawn):,.0f} | {max(drawn):,.0f} | {ratio:.2f} | "
            f"{statistics.median(r['chart'] for r in rows):,.0f} | "
            f"{statistics.median(r['done'] for r in rows):,.0f} |"
        )
    verdict = "meets" if worst <= TARGET_RATIO else "MISSES"
    print(f"\nworst ratio {worst:.2f}: {verdict} the {TARGET_RATIO} x target")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
