"""Saved tours: named, ordered lists of views, in an embedded SQLite database.

The database lives in the user's data directory (``$XDG_DATA_HOME/corridors/tours.sqlite3``, else
``~/.local/share/corridors/tours.sqlite3``); ``CORRIDORS_TOURS_DB`` or the ``path`` argument points
elsewhere. Every write is one ``BEGIN IMMEDIATE`` transaction, in WAL mode, so sessions saving at the
same time all land: a transaction that meets a lock (SQLite's busy, locked or "locking protocol"
answers, which under heavy load can come back without waiting) is retried with back-off until
``timeout_s`` has passed. A database that is missing a directory, locked, read-only or not a database
raises :class:`TourStoreError` with a plain message; callers show it and carry on. A read-only database
in a read-only directory (a shared mount) can still be viewed: SQLite cannot create the WAL index
there, so it is then opened as an immutable file.

A view is stored as its URL query parameters (``dict[str, str]``, see :mod:`corridors.share`), never
pickled. Imports are JSON (:func:`corridors.text.load_json`: nesting and number limits), size-capped and
validated field by field (:class:`TourImportError`); text must be valid Unicode without control
characters.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridors.text import JSONInputError, has_surrogates, load_json

__all__ = [
    "MAX_IMPORT_BYTES",
    "Step",
    "Tour",
    "TourImportError",
    "TourStore",
    "TourStoreError",
    "default_path",
    "picker_labels",
    "plain_reason",
]

MAX_IMPORT_BYTES = 256_000
MAX_STEPS = 100
MAX_NAME = 100
MAX_TITLE = 200
MAX_NOTE = 2_000
MAX_VIEW_KEYS = 30
MAX_VIEW_VALUE = 2_000
FORMAT = "corridors-tour"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tours (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tour_id INTEGER NOT NULL REFERENCES tours(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    view TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS steps_by_tour ON steps(tour_id, position);
CREATE TABLE IF NOT EXISTS scenarios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now'))
);
"""
MAX_SCENARIO_BYTES = 64_000


class TourStoreError(RuntimeError):
    """The tour database cannot be used (missing, locked, read-only, corrupted)."""


class TourImportError(ValueError):
    """An imported tour is malformed, oversized or hostile; the message says what."""


@dataclass(frozen=True)
class Step:
    """One saved view of a tour."""

    id: int
    position: int
    title: str
    note: str
    view: Mapping[str, str]


@dataclass(frozen=True)
class Tour:
    """A named, ordered list of steps."""

    id: int
    name: str
    steps: tuple[Step, ...] = field(default=())

    def to_json(self) -> str:
        """The export document (importable with :meth:`TourStore.import_json`)."""
        doc = {
            "format": FORMAT,
            "version": 1,
            "name": self.name,
            "steps": [{"title": s.title, "note": s.note, "view": dict(s.view)} for s in self.steps],
        }
        return json.dumps(doc, ensure_ascii=False, indent=1)


def default_path() -> Path:
    """Where tours are stored unless told otherwise (see the module docstring)."""
    env = os.environ.get("CORRIDORS_TOURS_DB")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "corridors" / "tours.sqlite3"


def _clean_text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise TourImportError(f"{what} must be text")
    if len(value) > limit:
        raise TourImportError(f"{what} is longer than {limit} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise TourImportError(f"{what} contains control characters")
    if has_surrogates(value):
        raise TourImportError(f"{what} is not valid Unicode text (a lone surrogate such as \\ud800)")
    return value


def _clean_view(view: Any, what: str) -> dict[str, str]:
    if not isinstance(view, dict):
        raise TourImportError(f"{what} must be an object of query parameters")
    if len(view) > MAX_VIEW_KEYS:
        raise TourImportError(f"{what} has more than {MAX_VIEW_KEYS} parameters")
    out = {}
    for k, v in view.items():
        key = _clean_text(k, f"{what} key", 40)
        if isinstance(v, int | float) and not isinstance(v, bool):
            v = str(v)
        out[key] = _clean_text(v, f"{what} value of {key!r}", MAX_VIEW_VALUE)
    return out


#: SQLite answers that mean "another connection holds a lock now": retried until the timeout.
_TRANSIENT = ("locked", "busy", "locking protocol")


def _is_readonly(msg: str) -> bool:
    return "readonly" in msg or "read-only" in msg


def _why(exc: sqlite3.Error, *, write: bool) -> str:
    """The plain-language end of a :class:`TourStoreError` message for an SQLite error."""
    msg = str(exc)
    if any(k in msg for k in _TRANSIENT):
        return "is locked by another program; try again"
    if _is_readonly(msg):
        return "is read-only; tours can be viewed but not saved" if write else f"cannot be read: {msg}"
    if "not a database" in msg or "malformed" in msg or "no such table" in msg:
        return "is corrupted or not a tour database; move it aside to start a new one"
    return f"failed: {msg}"


class TourStore:
    """Tours in one SQLite file. Cheap to create; every call opens its own connection.

    ``timeout_s`` is how long a call waits for other writers before giving up with "locked".
    """

    def __init__(self, path: str | Path | None = None, *, timeout_s: float = 5.0) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.timeout_s = timeout_s
        self._ready = False

    # -- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def _db(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        where = f"the tour database at {self.path}"
        if write:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise TourStoreError(f"{where} cannot be created: {exc.strerror or exc}") from None
        elif not self._exists():
            raise TourStoreError(f"{where} does not exist yet (save a tour to create it)")
        con = self._begin(where, write=write)
        try:
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise TourStoreError(f"{where} {_why(exc, write=write)}") from None
        finally:
            con.close()

    def _exists(self) -> bool:
        try:
            return self.path.exists()
        except OSError as exc:  # e.g. a directory on the way that this user may not enter
            raise TourStoreError(
                f"the tour database at {self.path} cannot be opened: {exc.strerror}"
            ) from None

    def _connect(self, deadline: float, *, immutable: bool) -> sqlite3.Connection:
        timeout = max(deadline - time.monotonic(), 0.001)
        if immutable:  # read-only, no locks, no WAL index: for a file nobody can write
            uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
            return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        return sqlite3.connect(self.path, timeout=timeout, isolation_level=None)

    def _begin(self, where: str, *, write: bool) -> sqlite3.Connection:
        """A connection inside a started transaction (a write lock, or a read snapshot).

        Lock conflicts are retried with jittered back-off until ``timeout_s`` has passed; a read that
        SQLite refuses as read-only (a WAL database in a read-only directory) is retried immutable.
        """
        deadline = time.monotonic() + self.timeout_s
        immutable, pause = False, 0.005
        while True:
            try:
                con = self._connect(deadline, immutable=immutable)
            except sqlite3.Error as exc:
                raise TourStoreError(f"{where} cannot be opened: {exc}") from None
            try:
                con.execute("PRAGMA foreign_keys = ON")
                if write and not self._ready:
                    if str(con.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                        con.execute("PRAGMA journal_mode = WAL")
                    con.executescript(_SCHEMA)
                    self._ready = True
                con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                if not write:  # take the read snapshot here, where a lock conflict can be retried
                    con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return con
            except sqlite3.DatabaseError as exc:
                con.close()
                msg = str(exc)
                if not write and not immutable and (_is_readonly(msg) or "unable to open" in msg):
                    immutable = True
                    continue
                left = deadline - time.monotonic()
                if any(k in msg for k in _TRANSIENT) and left > 0:
                    time.sleep(min(pause * random.uniform(0.5, 1.5), left))
                    pause = min(pause * 2, 0.2)
                    continue
                raise TourStoreError(f"{where} {_why(exc, write=write)}") from None

    def _steps(self, con: sqlite3.Connection, tour_id: int) -> tuple[Step, ...]:
        rows = con.execute(
            "SELECT id, position, title, note, view FROM steps WHERE tour_id = ? ORDER BY position, id",
            (tour_id,),
        ).fetchall()
        out = []
        for sid, pos, title, note, view in rows:
            try:
                parsed = load_json(view)
            except JSONInputError:
                parsed = {}
            if not isinstance(parsed, dict):
                parsed = {}
            out.append(Step(sid, pos, title, note, {str(k): str(v) for k, v in parsed.items()}))
        return tuple(out)

    def _renumber(self, con: sqlite3.Connection, tour_id: int, order: list[int]) -> None:
        for pos, sid in enumerate(order, start=1):
            con.execute("UPDATE steps SET position = ? WHERE id = ?", (pos, sid))

    def _require(self, con: sqlite3.Connection, tour_id: int) -> str:
        row = con.execute("SELECT name FROM tours WHERE id = ?", (tour_id,)).fetchone()
        if row is None:
            raise LookupError(f"no tour with id {tour_id}")
        return str(row[0])

    # -- reading ----------------------------------------------------------------------------
    def tours(self) -> list[Tour]:
        """Every tour with its steps, oldest first (empty when no database exists yet)."""
        if not self._exists():
            return []
        with self._db(write=False) as con:
            return [Tour(tid, name, self._steps(con, tid)) for tid, name in self._names(con)]

    def names(self) -> list[tuple[int, str]]:
        """(id, name) of every tour, oldest first (empty when no database exists yet).

        One query and no steps: what a tour picker needs on every page run. :meth:`tours` reads
        and parses every step of every tour (155 ms for 200 tours of 50 steps).
        """
        if not self._exists():
            return []
        with self._db(write=False) as con:
            return self._names(con)

    @staticmethod
    def _names(con: sqlite3.Connection) -> list[tuple[int, str]]:
        """(id, name) of every tour on an open connection (empty before the table exists)."""
        try:
            rows = con.execute("SELECT id, name FROM tours ORDER BY id").fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise
        return [(int(tid), str(name)) for tid, name in rows]

    # -- saved scenarios (same database) --------------------------------------------------------
    def save_scenario(self, doc: Mapping[str, Any]) -> int:
        """Store a scenario document (the JSON form of :meth:`corridors.scenarios.Scenario.to_dict`);
        returns its id. The document must already have been validated by the caller."""
        text = json.dumps(dict(doc), ensure_ascii=False)
        if len(text.encode("utf-8")) > MAX_SCENARIO_BYTES:
            raise TourImportError(f"the scenario is larger than {MAX_SCENARIO_BYTES // 1000} kB")
        name = _clean_text(
            str(doc.get("name", "")).strip() or "Untitled scenario", "the scenario name", MAX_NAME
        )
        with self._db(write=True) as con:
            cur = con.execute("INSERT INTO scenarios(name, doc) VALUES (?, ?)", (name, text))
            return int(cur.lastrowid or 0)

    def scenarios(self) -> list[tuple[int, str]]:
        """``(id, name)`` of every saved scenario, oldest first (empty when there is none)."""
        if not self._exists():
            return []
        with self._db(write=False) as con:
            try:
                return [
                    (int(i), str(n)) for i, n in con.execute("SELECT id, name FROM scenarios ORDER BY id")
                ]
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    return []
                raise

    def scenario(self, scenario_id: int) -> dict[str, Any]:
        """A saved scenario document; LookupError when there is none with that id."""
        if not self._exists():
            raise LookupError(f"no saved scenario {scenario_id}")
        with self._db(write=False) as con:
            try:
                row = con.execute("SELECT doc FROM scenarios WHERE id = ?", (scenario_id,)).fetchone()
            except sqlite3.OperationalError:
                row = None
        if row is None:
            raise LookupError(f"no saved scenario {scenario_id}")
        try:
            doc = load_json(row[0])
        except JSONInputError as exc:
            raise TourStoreError(f"saved scenario {scenario_id} is unreadable: {exc}") from None
        if not isinstance(doc, dict):
            raise TourStoreError(f"saved scenario {scenario_id} is not a scenario")
        return doc

    def delete_scenario(self, scenario_id: int) -> None:
        """Delete a saved scenario."""
        with self._db(write=True) as con:
            con.execute("DELETE FROM scenarios WHERE id = ?", (scenario_id,))

    def get(self, tour_id: int) -> Tour:
        """One tour; LookupError when it does not exist."""
        with self._db(write=False) as con:
            return Tour(tour_id, self._require(con, tour_id), self._steps(con, tour_id))

    # -- writing ----------------------------------------------------------------------------
    @staticmethod
    def _unique(con: sqlite3.Connection, name: str, *, other_than: int | None = None) -> str:
        """``name``, or ``name (2)``, ``name (3)``... when another tour already has it: every tour keeps a
        distinct name, so a list of names can never hide one tour behind another."""
        taken = {
            n
            for (tid, n) in con.execute("SELECT id, name FROM tours").fetchall()
            if other_than is None or tid != other_than
        }
        if name not in taken:
            return name
        stem = name[: MAX_NAME - 6]
        i = 2
        while f"{stem} ({i})" in taken:
            i += 1
        return f"{stem} ({i})"

    def create(self, name: str) -> Tour:
        """A new empty tour (a name already used gets a number: ``Silk Road (2)``)."""
        name = _clean_text(name.strip() or "Untitled tour", "the tour name", MAX_NAME)
        with self._db(write=True) as con:
            name = self._unique(con, name)
            cur = con.execute("INSERT INTO tours(name) VALUES (?)", (name,))
            return Tour(int(cur.lastrowid or 0), name)

    def rename(self, tour_id: int, name: str) -> str:
        """Rename a tour; returns the name given (numbered when another tour has it)."""
        name = _clean_text(name.strip() or "Untitled tour", "the tour name", MAX_NAME)
        with self._db(write=True) as con:
            self._require(con, tour_id)
            name = self._unique(con, name, other_than=tour_id)
            con.execute("UPDATE tours SET name = ? WHERE id = ?", (name, tour_id))
            return name

    def delete(self, tour_id: int) -> None:
        """Delete a tour and its steps."""
        with self._db(write=True) as con:
            self._require(con, tour_id)
            con.execute("DELETE FROM tours WHERE id = ?", (tour_id,))

    def add_step(self, tour_id: int, title: str, view: Mapping[str, str], *, note: str = "") -> Step:
        """Append a view to a tour (atomic: concurrent appends all land, in some order)."""
        title = _clean_text(title.strip() or "View", "the step title", MAX_TITLE)
        note = _clean_text(note, "the step note", MAX_NOTE)
        clean = _clean_view(dict(view), "the view")
        with self._db(write=True) as con:
            self._require(con, tour_id)
            (count,) = con.execute("SELECT COUNT(*) FROM steps WHERE tour_id = ?", (tour_id,)).fetchone()
            if count >= MAX_STEPS:
                raise TourImportError(f"a tour holds at most {MAX_STEPS} steps")
            (last,) = con.execute(
                "SELECT COALESCE(MAX(position), 0) FROM steps WHERE tour_id = ?", (tour_id,)
            ).fetchone()
            cur = con.execute(
                "INSERT INTO steps(tour_id, position, title, note, view) VALUES (?, ?, ?, ?, ?)",
                (tour_id, last + 1, title, note, json.dumps(clean, ensure_ascii=False)),
            )
            return Step(int(cur.lastrowid or 0), last + 1, title, note, clean)

    def update_step(
        self, tour_id: int, step_id: int, *, title: str | None = None, note: str | None = None
    ) -> None:
        """Change a step's title or note."""
        with self._db(write=True) as con:
            self._require(con, tour_id)
            if title is not None:
                t = _clean_text(title.strip() or "View", "the step title", MAX_TITLE)
                con.execute("UPDATE steps SET title = ? WHERE id = ? AND tour_id = ?", (t, step_id, tour_id))
            if note is not None:
                n = _clean_text(note, "the step note", MAX_NOTE)
                con.execute("UPDATE steps SET note = ? WHERE id = ? AND tour_id = ?", (n, step_id, tour_id))

    def remove_step(self, tour_id: int, step_id: int) -> None:
        """Remove a step and close the gap."""
        with self._db(write=True) as con:
            self._require(con, tour_id)
            con.execute("DELETE FROM steps WHERE id = ? AND tour_id = ?", (step_id, tour_id))
            self._renumber(con, tour_id, [s.id for s in self._steps(con, tour_id)])

    def move_step(self, tour_id: int, step_id: int, position: int) -> None:
        """Move a step to ``position`` (1-based, clamped)."""
        with self._db(write=True) as con:
            self._require(con, tour_id)
            order = [s.id for s in self._steps(con, tour_id)]
            if step_id not in order:
                raise LookupError(f"no step {step_id} in tour {tour_id}")
            order.remove(step_id)
            order.insert(max(0, min(position - 1, len(order))), step_id)
            self._renumber(con, tour_id, order)

    def import_json(self, data: str | bytes) -> Tour:
        """Validate an exported tour and store it as a new tour (nothing is stored if invalid)."""
        if isinstance(data, bytes):
            if len(data) > MAX_IMPORT_BYTES:
                raise TourImportError(f"the file is larger than {MAX_IMPORT_BYTES // 1000} kB")
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise TourImportError("the file is not UTF-8 text") from None
        if len(data.encode("utf-8", "surrogatepass")) > MAX_IMPORT_BYTES:
            raise TourImportError(f"the file is larger than {MAX_IMPORT_BYTES // 1000} kB")
        try:
            doc = load_json(data)
        except JSONInputError as exc:
            raise TourImportError(f"the file is {exc}") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise TourImportError(f'not a tour export (expected "format": "{FORMAT}")')
        if doc.get("version") != 1:
            raise TourImportError("unsupported tour version (expected 1)")
        name = _clean_text(doc.get("name", ""), "the tour name", MAX_NAME)
        steps = doc.get("steps")
        if not isinstance(steps, list):
            raise TourImportError("steps must be a list")
        if len(steps) > MAX_STEPS:
            raise TourImportError(f"a tour holds at most {MAX_STEPS} steps")
        clean = []
        for i, s in enumerate(steps, start=1):
            if not isinstance(s, dict):
                raise TourImportError(f"step {i} must be an object")
            clean.append(
                (
                    _clean_text(s.get("title", ""), f"step {i} title", MAX_TITLE) or "View",
                    _clean_text(s.get("note", ""), f"step {i} note", MAX_NOTE),
                    _clean_view(s.get("view", {}), f"step {i} view"),
                )
            )
        with self._db(write=True) as con:
            name = self._unique(con, name.strip() or "Imported tour")
            cur = con.execute("INSERT INTO tours(name) VALUES (?)", (name,))
            tid = int(cur.lastrowid or 0)
            for pos, (title, note, view) in enumerate(clean, start=1):
                con.execute(
                    "INSERT INTO steps(tour_id, position, title, note, view) VALUES (?, ?, ?, ?, ?)",
                    (tid, pos, title, note, json.dumps(view, ensure_ascii=False)),
                )
            return Tour(tid, name, self._steps(con, tid))


def picker_labels(tours: Iterable[tuple[int, str]], *, reserved: Iterable[str] = ()) -> dict[int, str]:
    """A distinct, stable label per tour for a picker: the tour's name, numbered only when shared.

    A Streamlit picker identifies its choice by the label it shows, so two tours with the same
    label (a database written before names were made distinct) would be one choice: the second
    could never be picked. A label depends on the name alone (not on the number of steps), so
    adding or removing a step never changes it and the browser's choice stays valid.

    Parameters
    ----------
    tours
        ``(id, name)`` pairs, as :meth:`TourStore.names` gives them.
    reserved
        Labels the picker uses for other choices (e.g. "New tour…"): no tour gets one of them.

    Returns
    -------
    ``{id: label}``: the name, or ``"name (tour 7)"`` when several tours (or a reserved label) have it.
    """
    pairs = [(int(i), str(n)) for i, n in tours]
    taken = set(reserved)
    counts: dict[str, int] = {}
    for _, n in pairs:
        counts[n] = counts.get(n, 0) + 1
    out: dict[int, str] = {}
    for tid, name in pairs:
        label = name if counts[name] == 1 and name not in taken else f"{name} (tour {tid})"
        while label in taken:  # a name that itself reads "x (tour 7)"
            label = f"{label} (tour {tid})"
        taken.add(label)
        out[tid] = label
    return out


def plain_reason(exc: BaseException) -> str:
    """What a failed tour action means to the person using the app (no file names or settings).

    Parameters
    ----------
    exc
        A :class:`TourStoreError`, :class:`TourImportError` or :class:`LookupError` raised here.

    Returns
    -------
    One sentence. Import problems keep their own message (they describe the file the user chose).
    """
    msg = str(exc)
    if isinstance(exc, TourImportError):
        return msg[:1].upper() + msg[1:] + ("" if msg.endswith(".") else ".")
    if isinstance(exc, LookupError):
        return "That tour or step no longer exists (it may have been deleted in another window)."
    if "locked" in msg:
        return "Someone else is saving a tour right now; try again in a moment."
    if "read-only" in msg:
        return "Tours can be viewed here but not saved: the tour storage is read-only."
    if "corrupted" in msg:
        return (
            "The saved tours cannot be read: the tour storage is corrupted. Whoever runs this app can "
            "move it aside to start a new one."
        )
    if "does not exist yet" in msg:
        return "No tour has been saved yet."
    return "The saved tours cannot be opened on the server this app runs on."
