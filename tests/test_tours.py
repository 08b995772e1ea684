"""Tour storage: atomic concurrent writes, broken databases, validated imports."""

from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3

import pytest

from corridors.tours import TourImportError, TourStore, TourStoreError

VIEW = {"origin": "altynkol", "destination": "poti", "zoom": "4.5"}


def test_create_add_reorder_rename_delete(tmp_path):
    store = TourStore(tmp_path / "t.sqlite3")
    t = store.create("Middle Corridor pitch")
    a = store.add_step(t.id, "Overview", {"zoom": "3"})
    b = store.add_step(t.id, "Altynkol to Poti", VIEW, note="7 days")
    c = store.add_step(t.id, "Avoid AZ", {**VIEW, "avoid_countries": "AZ"})
    store.move_step(t.id, c.id, 1)
    assert [s.title for s in store.get(t.id).steps] == ["Avoid AZ", "Overview", "Altynkol to Poti"]
    store.remove_step(t.id, a.id)
    steps = store.get(t.id).steps
    assert [s.position for s in steps] == [1, 2] and steps[1].view == VIEW and steps[1].note == "7 days"
    store.rename(t.id, "Pitch v2")
    store.update_step(t.id, b.id, title="Best route")
    assert store.get(t.id).name == "Pitch v2" and store.get(t.id).steps[1].title == "Best route"
    store.delete(t.id)
    assert store.tours() == []
    with pytest.raises(LookupError):
        store.get(t.id)


def _writer(path: str, tour_id: int, who: str, n: int) -> None:
    store = TourStore(path, timeout_s=30)
    for i in range(n):
        store.add_step(tour_id, f"{who}-{i}", {"step": str(i)})


def test_names_lists_tours_without_reading_their_steps(tmp_path):
    store = TourStore(tmp_path / "t.sqlite3")
    assert store.names() == []  # no database yet
    a = store.create("First")
    b = store.create("Second")
    store.add_step(b.id, "One", VIEW)
    assert store.names() == [(t.id, t.name) for t in store.tours()] == [(a.id, "First"), (b.id, "Second")]
    with sqlite3.connect(tmp_path / "t.sqlite3") as con:  # a step whose view is not JSON
        con.execute("UPDATE steps SET view = 'not json' WHERE tour_id = ?", (b.id,))
    assert store.names() == [(a.id, "First"), (b.id, "Second")]
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()  # a database file without the tables
    assert TourStore(empty).names() == []


def test_two_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "t.sqlite3"
    tour = TourStore(path).create("shared")
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), tour.id, who, 40)) for who in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    steps = TourStore(path).get(tour.id).steps
    assert len(steps) == 80
    assert sorted(s.position for s in steps) == list(range(1, 81))
    assert {s.title for s in steps} == {f"{w}-{i}" for w in "ab" for i in range(40)}


def test_eight_concurrent_writers_lose_nothing(tmp_path):
    """Issue 12 section 3 puts 8 sessions on the app: 8 processes append to one tour at once."""
    path = tmp_path / "t.sqlite3"
    tour = TourStore(path).create("shared")
    ctx = mp.get_context("spawn")
    who = "abcdefgh"
    procs = [ctx.Process(target=_writer, args=(str(path), tour.id, w, 12)) for w in who]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
        assert p.exitcode == 0
    steps = TourStore(path).get(tour.id).steps
    assert sorted(s.position for s in steps) == list(range(1, 97))
    assert {s.title for s in steps} == {f"{w}-{i}" for w in who for i in range(12)}


class _FlakyConnection:
    """A connection whose BEGIN fails with the next queued SQLite error (then works)."""

    def __init__(self, con: sqlite3.Connection, errors: list[str]) -> None:
        self.con, self.errors = con, errors

    def execute(self, sql, *args):
        if sql.startswith("BEGIN") and self.errors:
            raise sqlite3.OperationalError(self.errors.pop(0))
        return self.con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_transient_lock_errors_are_retried_until_the_timeout(tmp_path, monkeypatch):
    store = TourStore(tmp_path / "t.sqlite3", timeout_s=5)
    t = store.create("x")
    real = TourStore._connect
    errors = ["locking protocol", "database is locked", "database is busy"]
    monkeypatch.setattr(
        TourStore, "_connect", lambda self, *a, **k: _FlakyConnection(real(self, *a, **k), errors)
    )
    store.add_step(t.id, "a", VIEW)  # three transient answers, then it lands
    assert errors == [] and len(store.get(t.id).steps) == 1
    impatient = TourStore(tmp_path / "t.sqlite3", timeout_s=0.3)
    errors.extend(["database is locked"] * 10_000)
    with pytest.raises(TourStoreError, match="is locked by another program"):
        impatient.add_step(t.id, "b", VIEW)
    errors.clear()
    errors.append("disk I/O error")  # not transient: reported at once
    with pytest.raises(TourStoreError, match="failed: disk I/O error"):
        store.add_step(t.id, "c", VIEW)


def test_corrupted_database_gives_a_clear_error(tmp_path):
    path = tmp_path / "t.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    store = TourStore(path)
    with pytest.raises(TourStoreError, match="corrupted or not a tour database"):
        store.tours()
    with pytest.raises(TourStoreError, match="corrupted"):
        store.create("x")
    assert path.read_bytes().startswith(b"this is not")  # nothing overwritten


def test_locked_database_gives_a_clear_error(tmp_path):
    path = tmp_path / "t.sqlite3"
    store = TourStore(path, timeout_s=0.2)
    t = store.create("x")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(TourStoreError, match="locked"):
            store.add_step(t.id, "y", VIEW)
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.add_step(t.id, "y", VIEW)
    assert len(store.get(t.id).steps) == 1


def test_unwritable_location_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = TourStore(blocker / "sub" / "t.sqlite3")
    with pytest.raises(TourStoreError, match="cannot be created"):
        store.create("x")
    assert store.tours() == []  # reading a missing database is just empty


def test_export_import_round_trip(tmp_path):
    store = TourStore(tmp_path / "t.sqlite3")
    t = store.create("Trans-Afghan")
    store.add_step(t.id, "Termez to Karachi", {"origin": "termez", "destination": "karachi"}, note="road")
    doc = store.get(t.id).to_json()
    again = store.import_json(doc)
    assert again.id != t.id and again.name == "Trans-Afghan (2)"  # the original keeps its name
    assert [(s.title, s.note, dict(s.view)) for s in again.steps] == [
        ("Termez to Karachi", "road", {"origin": "termez", "destination": "karachi"})
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"name": "x", "steps": []}), "not a tour export"),
        (json.dumps({"format": "corridors-tour", "version": 2, "name": "x", "steps": []}), "version"),
        (json.dumps({"format": "corridors-tour", "version": 1, "name": "x", "steps": {}}), "must be a list"),
        (json.dumps({"format": "corridors-tour", "version": 1, "name": "x" * 500, "steps": []}), "longer"),
        (
            json.dumps(
                {
                    "format": "corridors-tour",
                    "version": 1,
                    "name": "x",
                    "steps": [{"title": "a", "view": "?origin=x"}],
                }
            ),
            "object of query parameters",
        ),
        (
            json.dumps(
                {
                    "format": "corridors-tour",
                    "version": 1,
                    "name": "x",
                    "steps": [{"title": "a", "view": {}}] * 101,
                }
            ),
            "at most 100 steps",
        ),
        (json.dumps({"format": "corridors-tour", "version": 1, "name": "a\x00b", "steps": []}), "control"),
        ("x" * 300_000, "larger than"),
    ],
)
def test_bad_imports_are_rejected_and_store_nothing(tmp_path, payload, message):
    store = TourStore(tmp_path / "t.sqlite3")
    with pytest.raises(TourImportError, match=message):
        store.import_json(payload)
    assert store.tours() == []


def test_hostile_strings_are_stored_as_text(tmp_path):
    store = TourStore(tmp_path / "t.sqlite3")
    hostile = "<script>alert(1)</script>\"'"
    t = store.create(hostile)
    store.add_step(t.id, hostile, {"origin": hostile})
    got = store.get(t.id)
    assert got.name == hostile and got.steps[0].title == hostile and got.steps[0].view["origin"] == hostile


def test_tours_always_have_distinct_names(tmp_path):
    store = TourStore(tmp_path / "t.sqlite3")
    a = store.create("Silk Road")
    exported = store.get(a.id).to_json()
    b = store.import_json(exported)
    c = store.import_json(exported)
    assert [t.name for t in store.tours()] == ["Silk Road", "Silk Road (2)", "Silk Road (3)"]
    assert b.name == "Silk Road (2)" and c.name == "Silk Road (3)"
    assert store.create("Silk Road").name == "Silk Road (4)"
    assert store.rename(c.id, "Silk Road") == "Silk Road (3)"  # renaming to a taken name keeps it distinct
    assert store.rename(a.id, "Silk Road") == "Silk Road"  # its own name is not taken by itself
    store.delete(b.id)
    assert store.import_json(exported).name == "Silk Road (2)"
