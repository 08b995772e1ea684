"""The Scenarios page's data: scenario lists, uploaded or pasted scenario files, the cached comparison,
its table with plain labels, and every edit in plain words.

The comparison is :func:`corridors.scenarios.compare` with the options ``corridors compare`` passes
(:func:`compare_options`), and the table's numbers are the values of ``corridors compare --format json``
(:meth:`corridors.scenarios.PairChange.to_dict`), so the page and the command agree by construction.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from corridors.data import DEFAULT_GEODATA
from corridors.mapview import CompactDeck, comparison_deck
from corridors.network import Network
from corridors.scenarios import (
    Comparison,
    Edit,
    Scenario,
    ScenarioError,
    compare,
    load_scenario,
    read_pairs,
    shipped_scenarios,
)
from corridors.tables import safe_url
from corridors.text import safe_csv

#: Options of ``corridors compare`` the page does not expose, at the command's defaults.
SAMPLES = 2_000
SEED = 0
#: The scenario the bare page shows (when the dataset ships it).
DEFAULT_SCENARIO = "trans_afghan_open"
MAX_PASTE_CHARS = 256_000

_WHAT = {
    "dwell": "border dwell",
    "fee": "border fee",
    "spread": "spread of the waiting time",
    "speed": "speed",
    "tariff": "tariffs (line haul, sea freight and handling)",
    "interval": "interval between sailings or onward trains",
    "handling": "handling time",
}
_UNIT = {"dwell": "h", "fee": "USD", "speed": "km/h", "interval": "h"}
_COMPONENT = {
    "border": "border crossings",
    "sailing": "waiting for a sailing",
    "handling": "port and terminal handling",
    "gauge_change": "gauge changes",
    "line_haul": "line haul",
}


def scenario_dir(geodata: Path) -> Path:
    """Where a dataset keeps its scenario files."""
    return Path(geodata) / "scenarios"


@st.cache_data(show_spinner=False, max_entries=8)
def shipped_names(directory: str, signature: tuple[tuple[str, int, int], ...]) -> dict[str, str]:
    """Shipped scenario id -> its name (``signature``: the files' names, sizes and mtimes, for the cache).

    A file that does not parse keeps its id as the name; choosing it shows its problems.
    """
    out = {}
    for sid, path in shipped_scenarios(directory).items():
        try:
            out[sid] = load_scenario(path).name
        except ScenarioError:
            out[sid] = f"{sid} (invalid file)"
    return out


def files_signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes of a scenario directory's files (a cache key)."""
    if not directory.is_dir():
        return ()
    sig = []
    for p in sorted(directory.iterdir()):
        try:
            s = p.stat()
        except OSError:
            continue
        sig.append((p.name, s.st_size, s.st_mtime_ns))
    return tuple(sig)


_SAFE_STEM = re.compile(r"[^A-Za-z0-9_.-]+")


def scenario_from_bytes(name: str, data: bytes) -> Scenario:
    """Read an uploaded or pasted scenario exactly as ``corridors compare --scenario FILE`` reads a file.

    Parameters
    ----------
    name
        The file's name (``.json`` is read as JSON, anything else as TOML); problems name it.
    data
        The file's bytes.

    Raises
    ------
    ScenarioError
        Every problem of the file (TOML/JSON errors carry their line and column).
    """
    base = Path(str(name).replace("\\", "/")).name or "scenario.toml"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, "toml"
    ext = "json" if ext.lower() == "json" else "toml"
    stem = _SAFE_STEM.sub("_", stem)[:60].strip("._") or "scenario"
    with tempfile.TemporaryDirectory(prefix="corridors_scenario_") as tmp:
        path = Path(tmp) / f"{stem}.{ext}"
        path.write_bytes(data)
        return load_scenario(path)


def pasted_name(text: str) -> str:
    """The name a pasted scenario is reported under: JSON when it starts with ``{``, else TOML."""
    return "pasted.json" if text.lstrip().startswith("{") else "pasted.toml"


def pair_key(origin: str, destination: str) -> str:
    """The option value of a pair (``altynkol>poti``)."""
    return f"{origin}>{destination}"


def split_pair(key: str) -> tuple[str, str]:
    """``altynkol>poti`` -> ``("altynkol", "poti")``."""
    o, _, d = key.partition(">")
    return o, d


def default_pairs(geodata: Path, known: Iterable[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """The dataset's ``scenarios/pairs.csv`` (else the shipped one), keeping pairs whose places exist.

    Returns the pairs and a notice per pair left out.
    """
    own = scenario_dir(geodata) / "pairs.csv"
    path = own if own.is_file() else DEFAULT_GEODATA / "scenarios" / "pairs.csv"
    try:
        pairs = read_pairs(path)
    except ScenarioError as exc:
        return [], [f"{exc.origin}: {p}" for p in exc.problems]
    ids = set(known)
    keep, notes = [], []
    for o, d in pairs:
        if o in ids and d in ids and o != d:
            if (o, d) not in keep:
                keep.append((o, d))
        else:
            notes.append(f"{o} → {d} (not in this dataset)")
    return keep, notes


def compare_options(
    *, by: str, container: str, modes: Sequence[str] | None, include_planned: bool, as_of: str | None
) -> tuple[tuple[str, Any], ...]:
    """The options ``corridors compare`` passes to :func:`~corridors.scenarios.compare`, as a hashable
    tuple (the command's defaults for what the page does not expose)."""
    all_modes = modes is None or set(modes) >= {"rail", "road", "sea"}
    return (
        ("by", by),
        ("modes", None if all_modes else list(modes or ())),
        ("avoid_countries", []),
        ("avoid", []),
        ("include_planned", bool(include_planned)),
        ("teu", None),
        ("container", container),
        ("as_of", as_of),
        ("ignore_disruptions", False),
        ("samples", SAMPLES),
        ("seed", SEED),
    )


def scenario_digest(scenario: Scenario) -> str:
    """A cache key of a scenario (its JSON form and origin)."""
    return json.dumps([scenario.origin, scenario.to_dict()], sort_keys=True, default=str)


@st.cache_resource(show_spinner="Comparing with the baseline…", max_entries=32)
def comparison(
    key: Any,
    digest: str,
    pairs: tuple[tuple[str, str], ...],
    options: tuple[tuple[str, Any], ...],
    _base: Network,
    _scen: Network,
) -> Comparison:
    """:func:`corridors.scenarios.compare` of a scenario view over ``pairs`` (cached by the dataset
    version, the scenario's digest, the pairs and the options; the result is never mutated)."""
    opts = {k: (list(v) if isinstance(v, tuple) else v) for k, v in options}
    return compare(_base, _scen, list(pairs), **opts)


@st.cache_resource(show_spinner=False, max_entries=32)
def comparison_map(
    key: Any,
    digest: str,
    pairs: tuple[tuple[str, str], ...],
    options: tuple[tuple[str, Any], ...],
    _net: Network,
    _comp: Comparison,
) -> CompactDeck:
    """:func:`corridors.mapview.comparison_deck` of the cached comparison with the same key (decks are
    never mutated once serialized)."""
    return comparison_deck(_net.dataset, _comp)


# ---------------------------------------------------------------------------------------------
# plain words and tables


def target_label(net: Network, target: str) -> str:
    """A scenario target in words: a link's or corridor's name, a place's name, a country, a mode."""
    t = str(target).strip()
    if t == "*":
        return "every link"
    if t in ("rail", "road", "sea"):
        return f"every {t} link"
    link = net.lookup.links.get(t)
    if link is not None:
        return str(link.get("name") or t)
    for r in net.dataset.corridor_records:
        if r["id"] == t:
            return str(r.get("name") or t)
    if len(t) == 2 and t.isalpha() and t.isupper():
        return f"country {t}"
    try:
        return net.place(t).name
    except Exception:  # noqa: BLE001 - an unresolved target is shown as written (view() reports it)
        return t


def plain_edit(net: Network, e: Edit) -> str:
    """One edit in plain words (``Border dwell × 0.5 on Middle Corridor``)."""
    if e.action == "as_of":
        return f"Date set to {e.value}"
    if e.action == "lift_event":
        title = next((x.title for x in net.events if x.id == e.value), str(e.value))
        return f"Lift the disruption “{title}”"
    if e.action == "add_event":
        ev = dict(e.event)
        span = f"from {ev.get('start', '')}" + (f" to {ev['end']}" if ev.get("end") else "")
        where = target_label(net, str(ev.get("target", "")))
        return f"Add a disruption on {where}: {ev.get('title', '')} ({ev.get('kind', '')}, {span})"
    t = target_label(net, e.target)
    if e.what in ("dwell", "fee") and e.target.strip() == "*":
        t = "every border crossing"  # dwell and fees are a crossing's
    if e.action == "close":
        how = f" to {', '.join(e.modes)}" if e.modes else ""
        way = f" ({e.direction})" if e.direction != "both" else ""
        return f"Close {t}{how}{way}"
    if e.action == "reopen":
        return f"Reopen {t} (its dated disruptions lifted)"
    if e.action == "open":
        link = net.lookup.links.get(e.target.strip())
        if link is None:
            return f"Open the planned and under-construction links of {t}"
        status = str(link.get("status") or "").replace("_", " ")
        return f"Open {t}" + ("" if not status or status in t.lower() else f" (now {status})")
    what = _WHAT.get(e.what, e.what)
    if e.component:
        what += f" ({_COMPONENT.get(e.component, e.component)})"
    what = what[:1].upper() + what[1:]
    modes = f", {', '.join(e.modes)} only" if e.modes else ""
    if e.action == "scale":
        return f"{what} × {e.factor:g} on {t}{modes}"
    return f"{what} set to {float(e.value):g} {_UNIT.get(e.what, '')} on {t}{modes}".replace("  ", " ")


def _p10_p90(route: Any) -> str:
    d = route.distribution if route is not None else None
    return "" if d is None else f"{d.p10:,.0f}–{d.p90:,.0f}"


#: Columns of the comparison table and the JSON field each one shows (side, field).
COLUMNS = {
    "P50 before (h)": ("baseline", "time_h_p50"),
    "P50 after (h)": ("scenario", "time_h_p50"),
    "Δ P50 (h)": ("delta", "time_h_p50"),
    "Δ P90 (h)": ("delta", "time_h_p90"),
    "cost before (USD)": ("baseline", "cost_usd"),
    "cost after (USD)": ("scenario", "cost_usd"),
    "Δ cost (USD)": ("delta", "cost_usd"),
    "Δ CO2 (kg)": ("delta", "co2_kg"),
}


def comparison_frame(c: Comparison, names: Mapping[str, str]) -> pd.DataFrame:
    """One row per pair with plain labels: the values ``corridors compare --format json`` prints.

    Numbers are the JSON's (rounded as it rounds them); a side without a route leaves its numbers blank
    and says why in its route column; P10–P90 comes from the same routes' distributions.
    """
    rows = []
    for p in c.pairs:
        d = p.to_dict()
        row: dict[str, Any] = {
            "pair": f"{names.get(p.origin, p.origin)} → {names.get(p.destination, p.destination)}",
            "changed": "yes" if d["changed"] else "",
        }
        for col, (side, field) in COLUMNS.items():
            v = d[side].get(field)
            row[col] = float(v) if v is not None else None
        row["P10–P90 before (h)"] = _p10_p90(p.base)
        row["P10–P90 after (h)"] = _p10_p90(p.scen)
        for label, side in (("route before", "baseline"), ("route after", "scenario")):
            s = d[side]
            row[label] = s["route"] if s["route"] is not None else f"no route: {s.get('no_route') or ''}"
        rows.append(row)
    order = [
        "pair",
        "changed",
        "P50 before (h)",
        "P50 after (h)",
        "Δ P50 (h)",
        "P10–P90 before (h)",
        "P10–P90 after (h)",
        "Δ P90 (h)",
        "cost before (USD)",
        "cost after (USD)",
        "Δ cost (USD)",
        "Δ CO2 (kg)",
        "route before",
        "route after",
    ]
    return pd.DataFrame(rows, columns=order)


#: Display formats of the comparison's number columns (the values stay the JSON's).
FORMATS = {
    "P50 before (h)": "{:,.1f}",
    "P50 after (h)": "{:,.1f}",
    "Δ P50 (h)": "{:+,.1f}",
    "Δ P90 (h)": "{:+,.1f}",
    "cost before (USD)": "{:,.0f}",
    "cost after (USD)": "{:,.0f}",
    "Δ cost (USD)": "{:+,.0f}",
    "Δ CO2 (kg)": "{:+,.0f}",
}


def display_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison table as the page shows it: numbers formatted (:data:`FORMATS`), a missing number
    blank (a table never shows "None"; Streamlit draws a missing number as "None" whatever its format)."""
    out = table.copy()
    for col, fmt in FORMATS.items():
        if col in out:
            out[col] = ["" if v is None or v != v else fmt.format(v) for v in table[col]]
    return out


def link_use_frame(net: Network, c: Comparison) -> pd.DataFrame:
    """Links that gain or lose use (how many pairs), with their names."""
    rows = [
        {"link": target_label(net, k), "change": "gains use", "pairs": v} for k, v in c.link_gain.items()
    ] + [{"link": target_label(net, k), "change": "loses use", "pairs": v} for k, v in c.link_loss.items()]
    return pd.DataFrame(rows, columns=["link", "change", "pairs"])


def scenario_sources(net: Network, scenario: Scenario) -> pd.DataFrame:
    """The sources a scenario cites: title, publisher, date and URL (one click)."""
    recs = {str(r["id"]): r for r in net.dataset.source_records}
    rows = []
    for sid in scenario.source:
        r = recs.get(sid, {})
        rows.append(
            {
                "title": str(r.get("title") or sid),
                "publisher": str(r.get("publisher") or ""),
                "date": str(r.get("date") or ""),
                "url": safe_url(r.get("url")),
            }
        )
    return pd.DataFrame(rows, columns=["title", "publisher", "date", "url"])


def problem_frame(exc: ScenarioError) -> pd.DataFrame:
    """A scenario's problems, one row each, with the file (or link) they come from."""
    return pd.DataFrame(
        [{"file": exc.origin, "problem": p} for p in exc.problems], columns=["file", "problem"]
    )


def problems_csv(exc: ScenarioError) -> str:
    """The problems as CSV (file, problem), cells neutralised for spreadsheets."""
    buf = io.StringIO()
    w = safe_csv(csv.writer(buf, lineterminator="\n"))
    w.writerow(["file", "problem"])
    for p in exc.problems:
        w.writerow([exc.origin, p])
    return buf.getvalue()
