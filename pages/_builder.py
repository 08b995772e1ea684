"""A scenario built with widgets on the Scenarios page: the choices a dataset offers, the scenario
document the widgets make (the document a ``geodata/scenarios/*.toml`` file holds) and its TOML text.

The document is read by :func:`corridors.scenarios.parse_scenario` and resolved by
``Network.with_scenario`` like any file, so a built scenario is validated by the library and compared
exactly as ``corridors compare --scenario FILE`` compares the TOML it shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from corridors.network import Network
from corridors.places import COUNTRY_NAMES

#: The scenario picker's value for "Build your own" (not an id: never in a link).
BUILD = "+build"
#: What "scale border dwell" applies to by default: every link (the edit only touches crossings).
EVERYWHERE = "*"
DEFAULT_NAME = "My scenario"
DESCRIPTION = "Built with the widgets of the Scenarios page."


@dataclass(frozen=True)
class BuilderChoices:
    """What the builder's widgets offer for one dataset (option value -> label).

    ``close``: crossings, then other links, then places (values ``link:<id>`` and ``place:<id>``);
    ``open``: planned and under-construction links; ``dwell_on``: every crossing or one corridor's;
    ``scale_on``: where a price, speed or interval factor applies: everything, a mode, a country
    (ISO code) or a corridor (the scenario file's own target names, so the value is the target).
    """

    close: dict[str, str]
    open: dict[str, str]
    dwell_on: dict[str, str]
    scale_on: dict[str, str]


#: The figures the builder scales besides border dwell: scenario ``what`` -> (label, help), in page order.
SCALED = {
    "tariff": (
        "Prices ×",
        "Multiplies line-haul, sea-freight and handling prices (the tariffs) where chosen; 1: unchanged",
    ),
    "speed": (
        "Speed ×",
        "Multiplies the commercial speed of trains, trucks and ships where chosen (time on the move "
        "divided by it); 1: unchanged",
    ),
    "fee": (
        "Border fees ×",
        "Multiplies the fees paid at border crossings (CPMM TFI2) where chosen; 1: unchanged",
    ),
    "interval": (
        "Sailing and train interval ×",
        "Multiplies the time between ferry sailings or onward trains (and so the wait for the next "
        "one) where chosen; 1: unchanged",
    ),
}


def _link_label(r: Mapping[str, Any], names: Mapping[str, str]) -> str:
    return str(r.get("name") or f"{names.get(r['from'], r['from'])} – {names.get(r['to'], r['to'])}")


@st.cache_data(show_spinner=False, max_entries=8)
def builder_choices(key: Any, _net: Network) -> BuilderChoices:
    """The builder's options for the dataset version ``key`` (cached; ``_net`` is its network)."""
    ds = _net.dataset
    names = {str(n["id"]): str(n["name"]) for n in ds.node_records}
    country = {str(n["id"]): str(n["country"]) for n in ds.node_records}
    links = sorted(ds.link_records, key=lambda r: _link_label(r, names).lower())
    close: dict[str, str] = {}
    for r in links:
        if r.get("crossing"):
            close[f"link:{r['id']}"] = f"Crossing: {_link_label(r, names)}"
    for r in links:
        if not r.get("crossing"):
            close[f"link:{r['id']}"] = f"Link: {_link_label(r, names)} ({r['mode']})"
    for pid in sorted(names, key=lambda i: names[i].lower()):
        close[f"place:{pid}"] = f"Place: {names[pid]} ({country[pid]})"
    shut = {
        str(r["id"]): f"{_link_label(r, names)} ({str(r['status']).replace('_', ' ')})"
        for r in links
        if r["status"] != "operational"
    }
    corridors = {str(r["id"]): str(r.get("name") or r["id"]) for r in ds.corridor_records}
    countries = sorted(set(country.values()))
    scale_on = {
        EVERYWHERE: "Everywhere",
        **{m: f"Every {m} link" for m in ("rail", "road", "sea")},
        **{c: f"{COUNTRY_NAMES.get(c, (c,))[0]} ({c})" for c in countries},
        **{k: f"The {v}" for k, v in corridors.items()},
    }
    return BuilderChoices(
        close,
        shut,
        {EVERYWHERE: "Every border crossing", **{k: f"Crossings of the {v}" for k, v in corridors.items()}},
        scale_on,
    )


def event_choices(net: Network, on: date | None) -> dict[str, str]:
    """The dataset's disruptions in force on ``on`` (default: the dataset's date): id -> title and dates."""
    return {e.id: f"{e.title} ({e.start}–{e.end or 'open'})" for e in net.events_in_force(on or net.as_of)}


def build_document(
    *,
    name: str,
    close: Sequence[str] = (),
    open_links: Sequence[str] = (),
    dwell_factor: float = 1.0,
    dwell_on: str = EVERYWHERE,
    as_of: date | None = None,
    lift: Sequence[str] = (),
    scales: Sequence[tuple[str, str, float]] = (),
) -> dict[str, Any]:
    """The scenario document of the builder's choices (the form of a scenario TOML file).

    Parameters
    ----------
    name
        The scenario's name (blank: :data:`DEFAULT_NAME`).
    close
        Values of :attr:`BuilderChoices.close` (``link:<id>`` or ``place:<id>``): one ``close`` edit each.
    open_links
        Planned or under-construction link ids: one ``open`` edit each.
    dwell_factor
        Border dwell multiplier (1: no edit).
    dwell_on
        Where the dwell factor applies: :data:`EVERYWHERE` or a corridor id.
    as_of
        The scenario's date (None: the dataset's, or the page's *As of*).
    lift
        events.csv ids: one ``lift_event`` edit each.
    scales
        ``(what, target, factor)`` triples (``what`` a key of :data:`SCALED`, ``target`` a value of
        :attr:`BuilderChoices.scale_on`): one ``scale`` edit each whose factor is not 1.

    Returns
    -------
    dict
        ``name``, ``description``, ``as_of`` (when set) and ``edit`` (a list of edit tables).
    """
    edits: list[dict[str, Any]] = []
    for value in close:
        _, _, target = str(value).partition(":")
        edits.append({"action": "close", "target": target})
    for link in open_links:
        edits.append({"action": "open", "target": str(link)})
    factor = float(dwell_factor)
    if math.isfinite(factor) and abs(factor - 1.0) > 1e-9:
        edits.append(
            {"action": "scale", "what": "dwell", "target": str(dwell_on), "factor": round(factor, 4)}
        )
    for what, target, f in scales:
        f = float(f)
        if math.isfinite(f) and abs(f - 1.0) > 1e-9:
            edits.append({"action": "scale", "what": str(what), "target": str(target), "factor": round(f, 4)})
    for eid in lift:
        edits.append({"action": "lift_event", "event": str(eid)})
    doc: dict[str, Any] = {"name": str(name).strip()[:120] or DEFAULT_NAME, "description": DESCRIPTION}
    if as_of is not None:
        doc["as_of"] = as_of
    doc["edit"] = edits
    return doc


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, lone surrogates replaced."""
    out = ['"']
    for ch in str(text):
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a scenario number must be finite")
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, Iterable):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def scenario_toml(doc: Mapping[str, Any]) -> str:
    """A scenario document as the TOML of ``geodata/scenarios/*.toml`` (``tomllib`` reads it back to
    the same document).

    Top-level keys other than ``edit`` come first (strings, dates, numbers, lists of strings); every
    edit is an ``[[edit]]`` table whose values are plain (an ``event`` table of ``add_event`` is an
    inline table).
    """
    lines = []
    for k, v in doc.items():
        if k in ("edit", "edits") or v is None:
            continue
        lines.append(f"{k} = {_toml_value(v)}")
    for e in doc.get("edit", doc.get("edits", ())):
        lines.append("")
        lines.append("[[edit]]")
        for k, v in e.items():
            if isinstance(v, Mapping):
                inner = ", ".join(f"{ik} = {_toml_value(iv)}" for ik, iv in v.items() if iv is not None)
                lines.append(f"{k} = {{ {inner} }}")
            else:
                lines.append(f"{k} = {_toml_value(v)}")
    return "\n".join(lines) + "\n"


def _keep_known(widget: str, options: Iterable[str]) -> None:
    """Drop a multiselect's chosen values another dataset (an upload, or the shipped one) lacks."""
    if widget in st.session_state:
        known = set(options)
        st.session_state[widget] = [v for v in st.session_state[widget] or () if v in known]


def _factor_row(
    slider_col: Any,
    target_col: Any,
    *,
    label: str,
    key: str,
    help_text: str,
    targets: Mapping[str, str],
    target_label: str = "applies to",
) -> tuple[float, str]:
    """A factor slider (x0.25-x3, 1: unchanged; widget ``key``) and where it applies (widget
    ``{key}_on``, one of ``targets``); returns both values."""
    factor = slider_col.slider(
        label, min_value=0.25, max_value=3.0, value=1.0, step=0.05, key=key, help=help_text
    )
    target = target_col.selectbox(
        target_label, list(targets), key=f"{key}_on", format_func=lambda v: targets.get(v, v)
    )
    return factor, target


def builder_widgets(net: Network, key: Any, *, as_of: date | None = None) -> dict[str, Any]:
    """Draw the builder (close, open, border dwell, prices, speed, intervals, date, lift disruptions,
    name); return its document.

    ``as_of``: the page's date, whose disruptions the builder lists while its own date is blank.
    """
    choices = builder_choices(key, net)
    _keep_known("build_close", choices.close)
    _keep_known("build_open", choices.open)
    for widget, options in [("build_dwell_on", choices.dwell_on)] + [
        (f"build_{what}_on", choices.scale_on) for what in SCALED
    ]:
        if st.session_state.get(widget) not in options:
            st.session_state[widget] = EVERYWHERE
    with st.container(border=True, key="scenario_builder"):
        st.markdown("**Build your own scenario**")
        c1, c2 = st.columns(2)
        close = c1.multiselect(
            "Close",
            list(choices.close),
            key="build_close",
            format_func=lambda v: choices.close.get(v, v),
            placeholder="crossings, links or places",
            help="Each one closed from the scenario's date on, in both directions and to every mode",
        )
        opened = c2.multiselect(
            "Open planned links",
            list(choices.open),
            key="build_open",
            format_func=lambda v: choices.open.get(v, v),
            placeholder="planned or under-construction links",
            help="Routed as running lines, with the dataset's figures for them",
        )
        c3, c4, c5 = st.columns([2, 2, 1.3], vertical_alignment="bottom")
        factor, dwell_on = _factor_row(
            c3,
            c4,
            label="Border dwell ×",
            key="build_dwell",
            help_text="Multiplies the border dwell (the time at a crossing) where chosen; 1: unchanged",
            targets=choices.dwell_on,
            target_label="Dwell change applies to",
        )
        day = c5.date_input(
            "Scenario date",
            value=None,
            key="build_as_of",
            min_value=date(1990, 1, 1),
            max_value=date(2100, 12, 31),
            help="The date whose disruptions apply (blank: the dataset's date)",
        )
        scales = []
        for what, (label, help_text) in SCALED.items():
            a, b, _ = st.columns([2, 2, 1.3], vertical_alignment="bottom")  # aligned with the dwell row
            f, target = _factor_row(
                a, b, label=label, key=f"build_{what}", help_text=help_text, targets=choices.scale_on
            )
            scales.append((what, target, f))
        on = day if isinstance(day, date) else None
        events = event_choices(net, on or as_of)
        _keep_known("build_lift", events)
        c6, c7 = st.columns([3, 2], vertical_alignment="bottom")
        lift = c6.multiselect(
            "Lift disruptions in force",
            list(events),
            key="build_lift",
            format_func=lambda v: events.get(v, v),
            placeholder="disruptions of events.csv on the scenario's date",
            help="Closures, bans and delays of events.csv in force on the scenario's date",
        )
        name = c7.text_input("Name", DEFAULT_NAME, max_chars=120, key="build_name")
    return build_document(
        name=name,
        close=close,
        open_links=opened,
        dwell_factor=factor,
        dwell_on=dwell_on,
        as_of=on,
        lift=lift,
        scales=scales,
    )
