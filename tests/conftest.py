"""Shared fixtures: the tiny hand-made network and copies of it to corrupt; Debian Chromium."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

TINY = Path(__file__).parent / "data" / "tiny"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def tiny():
    """The tiny network (figures chosen so that answers can be worked out by hand)."""
    from corridors.network import load_network

    return load_network(TINY)


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    """A writable copy of the tiny dataset."""
    dst = tmp_path / "tiny"
    shutil.copytree(TINY, dst)
    return dst


def _edit_features(path: Path, fid: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``change`` to the feature with id ``fid`` of a GeoJSON file, in place."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    hits = [f for f in doc["features"] if f["properties"].get("id") == fid]
    assert hits, f"{fid} not in {path}"
    for f in hits:
        change(f)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="session")
def tiny_dir() -> Path:
    """Path of the tiny dataset (read-only; use ``tiny_copy`` to change it)."""
    return TINY


@pytest.fixture(scope="session")
def edit_features() -> Callable[[Path, str, Callable[[dict[str, Any]], None]], None]:
    """``edit_features(path, fid, change)``: apply ``change`` to feature ``fid`` of a GeoJSON file."""
    return _edit_features


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _html_elements(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser.found


@pytest.fixture(scope="session")
def html_elements() -> Callable[[str], list[tuple[str, dict[str, str | None]]]]:
    """``html_elements(page)``: (tag, attributes) of every element an HTML parser finds, in order.

    Script contents are raw text to the parser, so text inside a script is never counted as an element.
    """
    return _html_elements


# ---------------------------------------------------------------------------------------------
# browser tests (marker e2e): Debian Chromium through Playwright, never `playwright install`

from benchmarks._server import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402  (shared with the benchmarks)


def _browser_unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"Debian Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def require_browser() -> None:
    """Skip without Chromium or Playwright; fail instead when ``CORRIDORS_E2E=required`` (CI)."""
    reason = _browser_unavailable()
    if reason is None:
        return
    if os.environ.get("CORRIDORS_E2E", "").lower() == "required":
        pytest.fail(f"CORRIDORS_E2E=required but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium(require_browser: None) -> Iterator[Any]:
    """Headless Debian Chromium (a Playwright ``Browser``), one per test session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def net_shipped():
    """The shipped dataset's network (built once per session)."""
    from corridors.network import load_network

    return load_network()
