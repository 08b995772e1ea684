"""Shared fixtures: the tiny hand-made network and copies of it to corrupt."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
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
