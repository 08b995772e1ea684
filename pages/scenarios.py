"""Scenarios: a shipped, saved, uploaded or pasted scenario, or one built with widgets, against the baseline
over origin-destination pairs, with the numbers of ``corridors compare`` (the same function, options and
rounding), and a map of the links that gain and lose use (below the summary metrics)."""

from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

import streamlit as st

from corridors.costs import OBJECTIVES
from corridors.data import MODES
from corridors.formats import render_comparison
from corridors.places import PlaceNotFound
from corridors.request import CONTAINERS
from corridors.routing import InvalidQuery
from corridors.scenarios import (
    ScenarioError,
    parse_scenario,
    resolve_scenario_id,
    scenario_id_for_saved,
    shipped_scenarios,
)
from corridors.share import MAX_LIST_ITEMS
from corridors.tours import TourImportError, TourStoreError
from pages._builder import BUILD, builder_widgets, scenario_toml
from pages._compare import (
    DEFAULT_SCENARIO,
    FORMATS,
    MAX_PASTE_CHARS,
    SAMPLES,
    SEED,
    compare_options,
    comparison,
    comparison_frame,
    comparison_map,
    default_pairs,
    display_frame,
    files_signature,
    link_use_frame,
    pair_key,
    pasted_name,
    plain_edit,
    problem_frame,
    problems_csv,
    scenario_digest,
    scenario_dir,
    scenario_from_bytes,
    scenario_sources,
    shipped_names,
    split_pair,
)
from pages._data import dataset_key, network_or_stop, planner_choices
from pages._sharing import PRESENTER_CSS, presenter_bar, share_panel, tour_store
from pages._text import md_escape
from pages._urlstate import ensure_router, seed, sync_url, url_view

ensure_router()

CUSTOM = "+custom"  # not an id: a scenario uploaded or pasted on the page (never in a link)
EXTRA_PAIRS = "_scenario_extra_pairs"
NOTICE = "_scenario_notice"

net = network_or_stop()
key = dataset_key()
geodata = Path(key[0])
choices = planner_choices(key)
names = choices.names

# ---- what can be compared: shipped files, saved scenarios, an upload --------------------------
sdir = scenario_dir(geodata)
shipped_paths = shipped_scenarios(sdir)
shipped = shipped_names(str(sdir), files_signature(sdir))
store = tour_store()
store_problem = ""
try:
    saved = {scenario_id_for_saved(i): f"{n} (saved)" for i, n in store.scenarios()}
except TourStoreError as exc:
    saved, store_problem = {}, str(exc)
labels = {**shipped, **saved, BUILD: "Build your own…", CUSTOM: "Upload or paste a scenario file…"}
UNLINKED = (CUSTOM, BUILD)  # a scenario made on the page: no link until it is saved
default_id = DEFAULT_SCENARIO if DEFAULT_SCENARIO in shipped else next(iter(shipped), CUSTOM)

state = url_view("scenarios", place_ids=list(choices.place_labels))
if state.scenario is not None and state.scenario not in labels:
    st.warning(
        f"The link names no scenario {md_escape(state.scenario)!s} in this dataset or the saved "
        f"scenarios; showing {md_escape(labels[default_id])} instead.",
        icon=":material/link_off:",
    )
    state = replace(state, scenario=None)
    st.session_state.pop("scenario_pick", None)

base_pairs, pair_notes = default_pairs(geodata, choices.place_labels)
default_keys = [pair_key(*p) for p in base_pairs]
extra_pairs: list[str] = st.session_state.setdefault(EXTRA_PAIRS, [])
for k in state.pairs:  # pairs a link names beyond the defaults
    if k not in default_keys and k not in extra_pairs:
        extra_pairs.append(k)
pair_options = default_keys + [
    k for k in extra_pairs if k not in default_keys and all(x in choices.place_labels for x in split_pair(k))
]
# widget values from another dataset (an upload, or back to the shipped one) that this one lacks
if "scenario_pairs" in st.session_state:
    st.session_state["scenario_pairs"] = [k for k in st.session_state["scenario_pairs"] if k in pair_options]
for box in ("pair_from", "pair_to"):
    if st.session_state.get(box) is not None and st.session_state[box] not in choices.place_labels:
        st.session_state[box] = None


def pair_label(k: str) -> str:
    o, d = split_pair(k)
    return f"{names.get(o, o)} → {names.get(d, d)}"


def add_pair() -> None:
    """Callback of "Add pair": the two place boxes become a pair, chosen at once."""
    o, d = st.session_state.get("pair_from"), st.session_state.get("pair_to")
    if not o or not d or o == d:
        st.session_state[NOTICE] = "Choose two different places for the pair."
        return
    k = pair_key(o, d)
    if k not in st.session_state[EXTRA_PAIRS] and k not in pair_options:
        st.session_state[EXTRA_PAIRS].append(k)
    chosen = list(st.session_state.get("scenario_pairs") or [])
    if k not in chosen:
        st.session_state["scenario_pairs"] = [*chosen, k]


def save_scenario(scenario) -> None:
    """Callback of "Save": store the scenario in the tour database and select it (its link id)."""
    doc = scenario.to_dict()
    doc["name"] = str(st.session_state.get("scenario_save_name") or scenario.name).strip()[:120]
    try:
        sid = store.save_scenario(doc)
    except (TourStoreError, TourImportError) as exc:
        st.session_state[NOTICE] = f"Not saved: {exc}"
        return
    st.session_state["scenario_pick"] = scenario_id_for_saved(sid)
    st.session_state[NOTICE] = f"Saved as “{doc['name']}”: its link opens it (id saved_{sid})."


def delete_saved(link_id: str) -> None:
    """Callback of "Delete": remove a saved scenario and go back to the default one."""
    try:
        store.delete_scenario(int(link_id.removeprefix("saved_")))
    except (TourStoreError, ValueError) as exc:
        st.session_state[NOTICE] = f"Not deleted: {exc}"
        return
    st.session_state["scenario_pick"] = default_id


def show_problems(exc: ScenarioError, *, where: str) -> None:
    """Every problem of a scenario, with its file (or link id), and a CSV of them; no traceback."""
    st.error(
        f"**{md_escape(where)} has {len(exc.problems)} problem(s)**: fix them and try again.",
        icon=":material/error:",
    )
    st.dataframe(problem_frame(exc), hide_index=True, width="stretch", key="scenario_problems")
    st.download_button(
        "Problems (CSV)",
        problems_csv(exc),
        file_name="scenario_problems.csv",
        mime="text/csv",
        key="scenario_problems_csv",
        on_click="ignore",
        icon=":material/download:",
    )


# ---- widgets, started from the link ----------------------------------------------------------
seed(
    {
        "scenario_pick": state.scenario or default_id,
        "scenario_by": state.by,
        "scenario_container": state.container,
        "scenario_modes": state.modes,
        "scenario_planned": state.include_planned,
        "scenario_as_of": date.fromisoformat(state.as_of) if state.as_of else None,
        "scenario_pairs": list(state.pairs) or default_keys,
    }
)
if st.session_state.get("scenario_pick") not in labels:  # a deleted saved scenario
    st.session_state["scenario_pick"] = default_id

if state.present:
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)  # a fixed style: no data in it
    pick = state.scenario or default_id
    by, container, modes = state.by, state.container, state.modes
    planned, as_of = state.include_planned, state.as_of
    chosen_pairs = list(state.pairs) or default_keys
else:
    st.title("Scenarios")
    st.caption(
        "What if a crossing closes, a ferry slows or a planned railway opens? Pick a scenario, the "
        "origin–destination pairs and the options: each pair's best route on today's network "
        "(baseline) and under the scenario, with the same numbers as `corridors compare`."
    )
    with st.container(border=True, key="scenario_inputs"):
        c1, c2, c3 = st.columns([3, 1.2, 1.3], vertical_alignment="bottom")
        pick = c1.selectbox(
            "Scenario",
            list(labels),
            key="scenario_pick",
            format_func=lambda i: labels.get(i, i),
            help="Shipped with the dataset (geodata/scenarios/), saved from this page, or your own file",
        )
        container = c2.segmented_control(
            "Container", list(CONTAINERS), required=True, key="scenario_container"
        )
        as_of_v = c3.date_input(
            "As of",
            key="scenario_as_of",
            min_value=date(1990, 1, 1),
            max_value=date(2100, 12, 31),
            help="The date whose disruptions apply (blank: the scenario's date, else the dataset's)",
        )
        c4, c5, c6 = st.columns([3, 1.8, 1.3], vertical_alignment="bottom")
        by = c4.segmented_control(
            "Best by",
            list(OBJECTIVES),
            required=True,
            key="scenario_by",
            help="; ".join(f"{name}: {what}" for name, what in OBJECTIVES.items()),
        )
        modes = c5.pills("Modes", MODES, selection_mode="multi", key="scenario_modes")
        planned = c6.toggle(
            "Planned links",
            key="scenario_planned",
            help="Allow planned and under-construction links in both the baseline and the scenario",
        )
        chosen_pairs = st.multiselect(
            "Origin–destination pairs",
            pair_options,
            key="scenario_pairs",
            format_func=pair_label,
            placeholder="choose pairs",
            help="Default: the main corridor pairs of geodata/scenarios/pairs.csv",
        )
        p1, p2, p3 = st.columns([3, 3, 1.2], vertical_alignment="bottom")
        p1.selectbox(
            "Add a pair: from",
            list(choices.place_labels),
            index=None,
            key="pair_from",
            format_func=lambda i: choices.place_labels.get(i, i),
            placeholder="type a place",
        )
        p2.selectbox(
            "to",
            list(choices.place_labels),
            index=None,
            key="pair_to",
            format_func=lambda i: choices.place_labels.get(i, i),
            placeholder="type a place",
        )
        p3.button("Add pair", key="pair_add", on_click=add_pair, icon=":material/add:", width="stretch")
    as_of = as_of_v.isoformat() if isinstance(as_of_v, date) else None
    if pair_notes:
        st.caption(
            f"{len(pair_notes)} of the default pairs (geodata/scenarios/pairs.csv) left out: their places "
            "are not in this dataset. Add pairs with the place boxes."
        )
    if len(chosen_pairs) > MAX_LIST_ITEMS:
        st.caption(f"More than {MAX_LIST_ITEMS} pairs: the link to this view holds the default pairs.")
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.info(md_escape(notice), icon=":material/info:")
    if store_problem:
        st.warning(f"Saved scenarios are unavailable: {md_escape(store_problem)}", icon=":material/database:")

view = replace(
    state,
    scenario=None if pick in UNLINKED else pick,
    by=by or "time",
    container=container or "20ft",
    modes=tuple(m for m in MODES if m in (modes or ())) or state.modes,
    include_planned=bool(planned),
    as_of=as_of,
    # the link names the pairs only when they are not the defaults (and not too many for a link)
    pairs=()
    if list(chosen_pairs) == default_keys or len(chosen_pairs) > MAX_LIST_ITEMS
    else tuple(chosen_pairs),
)
if not state.present:
    sync_url(view)


def sidebar() -> None:
    """The share panel (last: the sidebar shows it in the same place whatever the order)."""
    if not state.present:
        share_panel(view, f"Scenario: {labels.get(pick, pick)}")


# ---- the scenario: resolved, then validated against the network ------------------------------
scenario = None
try:
    if pick == CUSTOM:
        up = st.file_uploader(
            "Scenario file (TOML or JSON)",
            type=["toml", "json"],
            key="scenario_file",
            max_upload_size=1,
            help="The format of geodata/scenarios/*.toml: name, description, as_of and [[edit]] tables",
        )
        text = st.text_area(
            "…or paste it here",
            key="scenario_text",
            height=180,
            max_chars=MAX_PASTE_CHARS,
            placeholder='name = "Khorgos closed"\n\n[[edit]]\naction = "close"\ntarget = "Khorgos"',
        )
        if up is not None:
            scenario = scenario_from_bytes(up.name, up.getvalue())
        elif text.strip():
            scenario = scenario_from_bytes(pasted_name(text), text.encode("utf-8"))
        else:
            st.info(
                "Upload a scenario file or paste one: a `name`, an optional `description` and "
                "`as_of`, and `[[edit]]` tables (close, reopen, open, lift_event, add_event, scale, "
                "set, as_of). The shipped ones in geodata/scenarios/ are examples.",
                icon=":material/upload_file:",
            )
            sidebar()
            st.stop()
    elif pick == BUILD:
        built = builder_widgets(net, key, as_of=date.fromisoformat(view.as_of) if view.as_of else None)
        scenario = parse_scenario(built, origin="your scenario")
        if not scenario.edits and scenario.as_of is None:
            st.info(
                "Choose what the scenario changes: crossings, links or places to close, planned links "
                "to open, border dwell, a date, or disruptions to lift.",
                icon=":material/tune:",
            )
            sidebar()
            st.stop()
    else:
        scenario = resolve_scenario_id(pick, shipped=shipped_paths, store=store)
    scen_net = net.with_scenario(scenario)
except ScenarioError as exc:
    show_problems(exc, where=exc.origin or "The scenario")
    sidebar()
    st.stop()
except TourStoreError as exc:
    st.warning(f"The saved scenario cannot be read: {md_escape(exc)}", icon=":material/database:")
    sidebar()
    st.stop()

# ---- what it changes ------------------------------------------------------------------------
(st.title if state.present else st.subheader)(md_escape(scenario.name))
if scenario.description:
    st.markdown(md_escape(" ".join(scenario.description.split())))
st.markdown(
    "**What it changes**\n\n"
    + "\n".join(f"- {md_escape(plain_edit(net, e))}" for e in scenario.edits)
    + (f"\n- Date: {md_escape(scenario.as_of.isoformat())}" if scenario.as_of else "")
    if scenario.edits or scenario.as_of
    else "**What it changes**: nothing (no edits)."
)
if scenario.source:
    st.dataframe(
        scenario_sources(net, scenario),
        hide_index=True,
        width="stretch",
        key="scenario_sources",
        column_config={
            "url": st.column_config.LinkColumn("source", display_text=r"https?://(?:www\.)?([^/]+)")
        },
    )

if pick == BUILD:
    toml_text = scenario_toml(built)
    as_file = st.expander(
        "This scenario as a file (TOML)",
        icon=":material/description:",
        key="build_toml_open",
        on_change="rerun",
    )
    if as_file.open:  # lazy: the code box (and its highlighter) only while open
        with as_file:
            st.code(toml_text, language="toml")
            st.download_button(
                "Scenario file (TOML)",
                toml_text,
                file_name="my_scenario.toml",
                mime="application/toml",
                key="build_toml_download",
                on_click="ignore",
                icon=":material/download:",
            )
            st.caption(
                "The format of geodata/scenarios/*.toml: `corridors compare --scenario my_scenario.toml` "
                "gives the numbers below; *Upload or paste a scenario file* reads it back."
            )

# ---- the comparison ---------------------------------------------------------------------------
if not modes and not state.present:
    st.warning("Choose at least one mode.")
    sidebar()
    st.stop()
pairs = tuple(split_pair(k) for k in chosen_pairs)
if not pairs:
    st.info("Choose at least one origin–destination pair.")
    sidebar()
    st.stop()
options = compare_options(
    by=view.by,
    container=view.container,
    modes=view.modes,
    include_planned=view.include_planned,
    as_of=view.as_of,
)
try:
    comp = comparison(key, scenario_digest(scenario), pairs, options, net, scen_net)
except (PlaceNotFound, InvalidQuery) as exc:
    st.warning(f"**Check the pairs and options.** {md_escape(exc)}")
    sidebar()
    st.stop()
table = comparison_frame(comp, names)

st.subheader("Baseline and scenario, pair by pair")
m1, m2, m3 = st.columns(3)
m1.metric("Pairs compared", len(comp.pairs))
m2.metric("Best route changes", sum(p.changed for p in comp.pairs))
m3.metric("Pairs that lose every route", len(comp.lost))
st.pydeck_chart(
    comparison_map(key, scenario_digest(scenario), pairs, options, net, comp), key="scenario_map", height=480
)
st.caption(
    ":green[**━━ green, wide**]: links more of the pairs take up under the scenario; "
    ":red[**╍╍ red, dashed**]: links more of them give up; :orange[**━━ amber**]: as many take them up "
    "as give them up; :gray[**── grey**]: used alike before and after; **●** the pairs' ends. Hover a "
    "line for how many pairs use, gain and lose it. Basemap © CARTO, © OpenStreetMap contributors."
)
st.dataframe(
    display_frame(table),  # formatted as text: a missing number is a blank, never "None"
    hide_index=True,
    width="stretch",
    height=min(36 * (len(table) + 1) + 3, 620),
    key="scenario_table",
    column_config={
        "pair": st.column_config.TextColumn(pinned=True, width="medium"),
        **{c: st.column_config.TextColumn(alignment="right") for c in FORMATS},
        "Δ P50 (h)": st.column_config.TextColumn(help="scenario minus baseline", alignment="right"),
        "Δ P90 (h)": st.column_config.TextColumn(help="scenario minus baseline", alignment="right"),
        "route before": st.column_config.TextColumn(width="large"),
        "route after": st.column_config.TextColumn(width="large"),
    },
)
st.caption(
    f"Best by {md_escape(view.by)}, one {md_escape(view.container)} container; P10/P50/P90 transit "
    f"times in hours from {SAMPLES:,} Monte Carlo draws (seed {SEED}), as `corridors compare`. Δ is the "
    "scenario minus the baseline; a blank number: no route on that side (the route column says why)."
)
if comp.lost:
    st.markdown("**Pairs that lose every route**")
    st.markdown(
        "\n".join(
            f"- {md_escape(pair_label(pair_key(p.origin, p.destination)))}: {md_escape(p.scen_reason)}"
            for p in comp.lost
        )
    )

use = st.expander("Links that gain or lose use", key="scenario_links_open", on_change="rerun")
if use.open:  # a lazy expander: built only while open
    with use:
        st.dataframe(link_use_frame(net, comp), hide_index=True, width="stretch", key="scenario_links")

if state.present:
    presenter_bar(state)
    st.stop()

st.markdown("**Download** (the same files as `corridors compare … --format …`)")
dl = st.columns(4)
stem = pick if pick not in UNLINKED else "custom"
for col, (fmt, ext, mime) in zip(
    dl[:3],
    (("csv", "csv", "text/csv"), ("json", "json", "application/json"), ("table", "txt", "text/plain")),
    strict=True,
):
    col.download_button(
        fmt.upper() if fmt != "table" else "Table",
        partial(render_comparison, comp, fmt),
        file_name=f"compare_{stem}.{ext}",
        mime=mime,
        key=f"scenario_download_{fmt}",
        on_click="ignore",
        icon=":material/download:",
    )

# ---- save -----------------------------------------------------------------------------------
box = st.expander("Save this scenario", icon=":material/save:", key="scenario_save_open", on_change="rerun")
if box.open:
    with box:
        st.text_input("Name", scenario.name, max_chars=120, key="scenario_save_name")
        st.caption(
            "Saved scenarios live in the tour database (the same file as tours) and get a link of "
            "their own (`?scenario=saved_N`)."
        )
        b1, b2 = st.columns(2)
        b1.button(
            "Save",
            key="scenario_save",
            on_click=save_scenario,
            args=(scenario,),
            icon=":material/save:",
            width="stretch",
        )
        if pick.startswith("saved_"):
            b2.button(
                "Delete this saved scenario",
                key="scenario_delete",
                on_click=delete_saved,
                args=(pick,),
                icon=":material/delete:",
                width="stretch",
            )
if pick in UNLINKED:
    st.caption(
        "A scenario "
        + ("built here" if pick == BUILD else "from a file")
        + " has no link until it is saved (*Save this scenario* above)."
    )
sidebar()
