"""What the browser tests and the browser benchmarks share: a Streamlit server on a free loopback port and
the Chromium they drive (Debian's ``/usr/bin/chromium`` through Playwright, never ``playwright install``).

``tests/`` import it as ``benchmarks._server`` (pytest puts the checkout on ``sys.path``); the scripts here
import it as ``_server``.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
#: Launch flags verified for headless Chromium >= 139 on SwiftShader (streamlit-pydeck notes, 3.2).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--enable-unsafe-swiftshader",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class ServerDidNotStart(RuntimeError):
    """The Streamlit server exited or did not answer its health check in time."""


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(script: str, *, port: int, env: Mapping[str, str], log: object) -> subprocess.Popen:
    """``streamlit run script`` headless on ``127.0.0.1:port`` (no file watcher, no usage stats), its
    output to ``log`` (an open file); returns the process without waiting for it."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=dict(env),
        stdout=log,  # type: ignore[arg-type]
        stderr=subprocess.STDOUT,
    )


def wait_healthy(url: str, proc: subprocess.Popen, *, timeout: float = 90) -> None:
    """Return once ``url``'s ``/_stcore/health`` says ok; raise :class:`ServerDidNotStart` if the process
    exits or ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            if r.read().strip() == b"ok":
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise ServerDidNotStart(f"streamlit did not start (exit code {proc.poll()})")
        time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server (kill it after 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def streamlit_server(
    script: str, *, env: Mapping[str, str], log_path: Path, timeout: float = 90
) -> Iterator[str]:
    """``streamlit run script`` on a free loopback port; yields its base URL and stops it afterwards.

    Raises :class:`ServerDidNotStart` (naming the log) when it does not come up.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = start(script, port=port, env=env, log=log)
        try:
            try:
                wait_healthy(url, proc, timeout=timeout)
            except ServerDidNotStart as exc:
                raise ServerDidNotStart(f"{script}: {exc}; see {log_path}") from None
            yield url
        finally:
            stop(proc)
