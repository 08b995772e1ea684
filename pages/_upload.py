"""A user's own dataset for one session: the upload checked by :func:`corridors.upload.check_upload`,
unpacked into a per-session temporary directory, and used by every page until the user goes back.

How the app switches dataset: :func:`pages._data.geodata_dir` returns
``st.session_state[SESSION_DATASET]`` when it names a directory; everything cached is keyed by
:func:`pages._data.dataset_key` (the directory and its files' sizes and mtimes), so each session's
upload gets its own cached network and the shipped ``geodata/`` is never written.

The directory is a :class:`tempfile.TemporaryDirectory` kept in the session's state: it is removed when
the user goes back to the shipped dataset, uploads another one, or when the session ends and its state
is dropped (the object's finalizer deletes it).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from corridors.data import Problem
from corridors.upload import MAX_UPLOAD_BYTES, check_upload, problem_report
from pages._data import SESSION_DATASET

#: Session-state keys: the TemporaryDirectory of the dataset in use, and the last upload's outcome.
_DIR = "_session_dataset_tmp"
OUTCOME = "_upload_outcome"
#: The uploader's key takes a counter, so going back clears the widget (the same file can be re-uploaded).
_ROUND = "_upload_round"
BADGE = "Your dataset (uploaded)"


@dataclass(frozen=True)
class Outcome:
    """What the last upload gave: the files used and ignored, and the problems (none: it is in use)."""

    names: tuple[str, ...]
    files: tuple[str, ...]
    ignored: tuple[str, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Whether the upload became the session's dataset."""
        return not self.problems


def in_use() -> bool:
    """Whether this session shows an uploaded dataset."""
    own = st.session_state.get(SESSION_DATASET)
    return bool(own) and Path(own).is_dir()


def _drop() -> None:
    """Forget the session's dataset and delete its directory."""
    st.session_state.pop(SESSION_DATASET, None)
    tmp = st.session_state.pop(_DIR, None)
    if isinstance(tmp, tempfile.TemporaryDirectory):
        tmp.cleanup()


def back_to_shipped() -> None:
    """Callback of "Back to the shipped dataset"."""
    _drop()
    st.session_state.pop(OUTCOME, None)
    st.session_state[_ROUND] = int(st.session_state.get(_ROUND, 0)) + 1


def uploader_key() -> str:
    """The file uploader's widget key (a new one after going back to the shipped dataset)."""
    return f"dataset_upload_{int(st.session_state.get(_ROUND, 0))}"


def take_upload(files: Sequence[tuple[str, bytes]]) -> Outcome:
    """Check an upload; a valid one becomes the session's dataset, a broken one leaves nothing behind.

    Parameters
    ----------
    files
        ``(name, content)`` of every uploaded file (a .zip is opened by :func:`check_upload`).

    Returns
    -------
    Outcome
        Also kept in the session state (the page shows it after the rerun).
    """
    tmp = tempfile.TemporaryDirectory(prefix="corridors_upload_")
    try:
        res = check_upload(files, Path(tmp.name) / "dataset")
    except OSError as exc:  # a full disk, a read-only temporary directory
        tmp.cleanup()
        res = None
        outcome = Outcome(
            tuple(n for n, _ in files), (), (), (Problem("upload", "", "", f"cannot be stored: {exc}"),)
        )
    if res is not None:
        problems = tuple(res.problems)
        if not problems and not res.ok:
            problems = (Problem("upload", "", "", "nodes.geojson and links.geojson are required"),)
        outcome = Outcome(tuple(n for n, _ in files), tuple(res.files), tuple(res.ignored), problems)
        if outcome.ok:
            _drop()
            st.session_state[_DIR] = tmp
            st.session_state[SESSION_DATASET] = str(res.path)
        else:
            tmp.cleanup()
    st.session_state[OUTCOME] = outcome
    return outcome


def on_upload(widget: str) -> None:
    """Callback of the file uploader: check what it holds (nothing happens when it is cleared)."""
    got = st.session_state.get(widget) or []
    if not isinstance(got, list):
        got = [got]
    if not got:
        return
    total = sum(int(getattr(f, "size", 0) or 0) for f in got)
    if total > MAX_UPLOAD_BYTES:
        st.session_state[OUTCOME] = Outcome(
            tuple(f.name for f in got),
            (),
            (),
            (Problem("upload", "", "", f"{total:,} bytes, over the {MAX_UPLOAD_BYTES:,} limit"),),
        )
        return
    take_upload([(f.name, f.getvalue()) for f in got])


def problem_table(problems: Sequence[Problem]) -> pd.DataFrame:
    """The problems with plain column names and blanks (never None)."""
    return pd.DataFrame(
        [
            {"file": p.file or "", "feature": p.feature or "", "field": p.field or "", "problem": p.message}
            for p in problems
        ],
        columns=["file", "feature", "field", "problem"],
    )


def report_csv(problems: Sequence[Problem]) -> str:
    """The downloadable report: :func:`corridors.upload.problem_report`."""
    return problem_report(problems)


def sidebar_badge() -> None:
    """In the sidebar: the uploaded-dataset badge and the one-click way back (nothing otherwise)."""
    if not in_use():
        return
    with st.sidebar:
        st.badge(BADGE, icon=":material/upload_file:", color="orange")
        st.caption(
            "Every page shows your upload in this session only; links and tours you share open the "
            "shipped dataset for others (they need your files)."
        )
        st.button(
            "Back to the shipped dataset",
            key="dataset_back",
            on_click=back_to_shipped,
            icon=":material/undo:",
            width="stretch",
        )
