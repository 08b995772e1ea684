"""The Tours page (AppTest): tours with the same name, renaming with Enter, plain language.

Issue 13 §1: a Streamlit picker identifies its choice by the label it shows. Two tours with the same
label were one choice (the second could not be picked, and the delete confirmation belonged to the
other tour), and a label holding the step count changed under the browser's choice whenever a step
was added or removed.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridors.tours import TourStore, picker_labels, plain_reason

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture
def store(tmp_path, monkeypatch) -> TourStore:
    """A tour database of the test's own and the tiny dataset (quick to load)."""
    path = tmp_path / "tours.sqlite3"
    monkeypatch.setenv("CORRIDORS_TOURS_DB", str(path))
    monkeypatch.setenv("CORRIDORS_GEODATA", str(TINY))
    return TourStore(path)


def tours_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/tours.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def briefing(store: TourStore) -> str:
    """A three-step tour, exported as JSON (then deleted: only its export is kept)."""
    t = store.create("Briefing")
    for title in ("Overview", "Altynkol to Poti", "Volumes"):
        store.add_step(t.id, title, {"page": "overview", "zoom": "3"})
    doc = store.get(t.id).to_json()
    store.delete(t.id)
    return doc


def all_text(at: AppTest) -> str:
    kinds = ("markdown", "caption", "title", "subheader", "warning", "info", "success", "error", "code")
    out = [str(e.value) for k in kinds for e in getattr(at, k)]
    out += [str(w.label) for w in (*at.checkbox, *at.text_input, *at.button, *at.selectbox)]
    out += [o for sb in at.selectbox for o in sb.options]
    return "\n".join(out)


@pytest.mark.parametrize("legacy", [False, True], ids=["imported-twice", "old-database-duplicates"])
def test_second_of_two_same_named_tours_can_be_picked_and_deleted(store, legacy):
    doc = briefing(store)
    first, second = store.import_json(doc), store.import_json(doc)
    if legacy:  # a database written before names were made distinct: both are called "Briefing"
        with sqlite3.connect(store.path) as con:
            con.execute("UPDATE tours SET name = 'Briefing'")
        con.close()
    at = tours_page()
    picker = at.selectbox(key="tour_select")
    assert len(set(picker.options)) == 2  # one label per tour
    picker.set_value(second.id).run()
    assert at.selectbox(key="tour_select").value == second.id
    at.checkbox(key=f"sure_{second.id}").check().run()
    at.run()  # any other rerun (the browser sends every widget again) keeps the tick
    assert at.selectbox(key="tour_select").value == second.id
    assert at.checkbox(key=f"sure_{second.id}").value
    assert not at.button(key="delete_tour").disabled
    at.button(key="delete_tour").click().run()
    assert [t for t, _ in store.names()] == [first.id]  # the picked tour went, the other stayed
    assert any("deleted" in s.value for s in at.success)
    assert at.selectbox(key="tour_select").value == first.id


def test_picker_label_does_not_change_when_steps_change(store):
    doc = briefing(store)
    store.import_json(doc)
    t = store.import_json(doc)
    at = tours_page()
    at.selectbox(key="tour_select").set_value(t.id).run()
    before = list(at.selectbox(key="tour_select").options)
    at.button(key=f"remove_{t.steps[0].id}").click().run()
    assert len(store.get(t.id).steps) == 2
    assert list(at.selectbox(key="tour_select").options) == before
    assert at.selectbox(key="tour_select").value == t.id
    assert "2 steps" in " ".join(c.value for c in at.caption)


def test_rename_with_enter_renames_and_says_the_name_given(store):
    a, b = store.create("Briefing"), store.create("Other")
    at = tours_page()
    at.selectbox(key="tour_select").set_value(b.id).run()
    # Enter in a form's text box submits the form: the same request as the Rename button
    at.text_input(key=f"rename_{b.id}").input("Middle Corridor pitch")
    at.button(key="rename_tour").click().run()
    assert store.get(b.id).name == "Middle Corridor pitch"
    assert at.selectbox(key="tour_select").value == b.id  # its label changed; the picker stays on it
    assert at.text_input(key=f"rename_{b.id}").value == "Middle Corridor pitch"
    # a name another tour has: the tour gets a numbered one, and the notice says which
    at.text_input(key=f"rename_{b.id}").input("Briefing")
    at.button(key="rename_tour").click().run()
    assert store.get(b.id).name == "Briefing (2)" and store.get(a.id).name == "Briefing"
    (done,) = [s.value for s in at.success]
    assert "Briefing \\(2\\)" in done and "already called" in done
    assert at.text_input(key=f"rename_{b.id}").value == "Briefing (2)"


def test_create_and_import_select_the_new_tour(store):
    store.create("Briefing")
    at = tours_page()
    at.text_input(key="create_name").input("Briefing")
    at.button(key="create_tour").click().run()
    (t1, n1), (t2, n2) = store.names()
    assert n2 == "Briefing (2)" and at.selectbox(key="tour_select").value == t2
    assert any("already called" in s.value for s in at.success)


def test_sidebar_form_adds_to_the_picked_one_of_two_same_named_tours(store):
    doc = briefing(store)
    first, second = store.import_json(doc), store.import_json(doc)
    with sqlite3.connect(store.path) as con:
        con.execute("UPDATE tours SET name = 'Briefing'")
    con.close()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["tour_form"] = True  # the lazy "Add this view to a tour" expander, open
    at.run()
    pick = at.selectbox(key="tour_pick")
    assert len(set(pick.options)) == 3  # two tours and "New tour…"
    pick.set_value(second.id).run()
    at.button(key="tour_add").click().run()
    assert len(store.get(second.id).steps) == 4 and len(store.get(first.id).steps) == 3
    (done,) = [s.value for s in at.success]
    assert "step 4" in done and "Briefing" in done and f"tour {second.id}" not in done


def test_tours_page_speaks_the_users_language(store, tmp_path):
    store.create("Briefing")
    at = tours_page()
    text = all_text(at)
    for word in ("CORRIDORS_", "sqlite", store.path.name, str(tmp_path)):
        assert word not in text, word
    store.path.write_bytes(b"this is not a database" * 100)
    at = tours_page()
    text = all_text(at)
    assert any("corrupted" in w.value for w in at.warning)
    for word in ("CORRIDORS_", "sqlite", store.path.name, str(tmp_path), "database"):
        assert word not in text, word


def test_picker_labels_are_distinct_and_plain_reasons_hide_paths(tmp_path):
    labels = picker_labels(
        [(1, "A"), (2, "A"), (3, "A (tour 2)"), (4, "New tour…"), (5, "B")], reserved=["New tour…"]
    )
    assert len(set(labels.values())) == 5
    assert labels[5] == "B" and labels[1] == "A (tour 1)" and labels[4] != "New tour…"
    bad = tmp_path / "tours.sqlite3"
    bad.write_bytes(b"x" * 4096)
    with pytest.raises(Exception) as err:
        TourStore(bad).tours()
    reason = plain_reason(err.value)
    assert str(bad) in str(err.value) and not re.search(r"tours\.sqlite3|/", reason)


# ---- in the browser: what the browser sends back is the label it was shown -------------------


@pytest.fixture(scope="module")
def tour_server(tmp_path_factory: pytest.TempPathFactory, require_browser: None):
    """``streamlit run app.py`` on the tiny dataset with a tour database of its own."""
    import os

    from test_e2e import _streamlit

    d = tmp_path_factory.mktemp("tours_e2e")
    env = {**os.environ, "CORRIDORS_GEODATA": str(TINY), "CORRIDORS_TOURS_DB": str(d / "tours.sqlite3")}
    with _streamlit(env, d / "streamlit.log") as url:
        yield url, TourStore(d / "tours.sqlite3")


@pytest.mark.e2e
def test_browser_keeps_the_picked_tour_through_step_edits_delete_and_rename(tour_server, chromium):
    from test_e2e import wait_for_app

    url, store = tour_server
    doc = briefing(store)
    first, second = store.import_json(doc), store.import_json(doc)
    with sqlite3.connect(store.path) as con:  # an old database: two tours with one name
        con.execute("UPDATE tours SET name = 'Briefing'")
    con.close()
    ctx = chromium.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(45_000)
    try:
        page.goto(f"{url}/tours")
        wait_for_app(page)
        page.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option").nth(1).click()
        wait_for_app(page)
        code = page.get_by_test_id("stCode").first
        assert f"tour={second.id}&" in code.inner_text()
        # removing a step once changed the picked tour's label: the next rerun fell back to tour 1
        page.locator(f".st-key-remove_{second.steps[0].id} button").first.click()
        wait_for_app(page)
        page.get_by_text("Delete this tour").click()
        page.get_by_test_id("stCheckbox").last.click()
        wait_for_app(page)
        page.wait_for_timeout(800)
        assert f"tour={second.id}&" in code.inner_text()
        assert page.get_by_test_id("stCheckbox").last.locator("input").is_checked()
        page.get_by_role("button", name="Delete tour").click()
        wait_for_app(page)
        assert [t for t, _ in store.names()] == [first.id]
        # Enter in the Rename box renames
        box = page.get_by_label("Rename")
        box.fill("Middle Corridor pitch")
        box.press("Enter")
        wait_for_app(page)
        assert store.get(first.id).name == "Middle Corridor pitch"
        assert "Renamed to “Middle Corridor pitch”" in page.get_by_test_id("stAlert").first.inner_text()
    finally:
        ctx.close()
