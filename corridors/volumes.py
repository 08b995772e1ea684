"""Freight-volume figures: which published figure stands for a corridor or place in a year.

``volumes.csv`` keeps every published figure, including ones that disagree (same ``conflict_group``)
and ones with a narrower scope (one railway, one country's ports, one direction). The map needs one
number per subject and year, chosen by a rule stated once here and quoted by the app:

1. rows of the subject kind, metric and unit asked for (by default corridor freight in tonnes);
2. prefer figures for both directions, then published figures over estimates (forecasts);
3. prefer a full-year figure, else the one covering the most months;
4. among what is left, the largest figure: partial scopes (one railway, one port) are smaller than the
   whole-corridor total they belong to.

The chosen figure carries its period and sources, and how many other figures were published for the
same subject and year, so that the page can say "one of N published figures".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = [
    "SELECTION_RULE",
    "Figure",
    "conflicts_table",
    "default_year",
    "format_quantity",
    "largest_figure",
    "map_figures",
    "pick_figures",
    "volume_table",
    "volume_years",
    "year_labels",
]

#: The selection rule in one sentence, for captions.
SELECTION_RULE = (
    "per corridor and year: freight in tonnes, both directions, published figures before estimates, "
    "a full-year figure if there is one (else the one covering the most months), and of those the "
    "largest, since partial scopes (one railway, one country's ports) are smaller than the corridor "
    "total"
)


@dataclass(frozen=True)
class Figure:
    """One chosen volume figure."""

    subject: str
    year: int
    value: float
    unit: str
    period: str
    months: float
    volume_id: str
    sources: tuple[str, ...]
    estimate: bool
    scope: str
    others: int  # other figures published for this subject, year, metric and unit

    @property
    def full_year(self) -> bool:
        """True for a full-year figure."""
        return self.months >= 12

    def label(self) -> str:
        """Short text such as ``4.6 Mt (FY 2024)`` or ``1.2 Mt (Jan-Feb 2025)``."""
        return f"{format_quantity(self.value, self.unit)} ({self.period} {self.year})"


def format_quantity(value: float, unit: str) -> str:
    """``4600000, "t"`` -> ``"4.6 Mt"``; other units with thousands separators."""
    if unit == "t":
        if value >= 1e6:
            return f"{value / 1e6:,.1f} Mt"
        if value >= 1e3:
            return f"{value / 1e3:,.0f} kt"
        return f"{value:,.0f} t"
    if unit == "USD":
        if value >= 1e9:
            return f"{value / 1e9:,.1f} bn USD"
        return f"{value / 1e6:,.0f} m USD"
    return f"{value:,.0f} {unit}"


#: Columns the selection rule reads (a frame without one of them reads it as missing).
_RULE_COLS = (
    "id",
    "subject_kind",
    "subject",
    "metric",
    "year",
    "period",
    "months",
    "value",
    "unit",
    "direction",
    "scope",
    "source",
    "estimate",
)


def _missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _is(x: Any, text: str) -> bool:
    return isinstance(x, str) and x == text


def _records(volumes: pd.DataFrame | None, kind: str, metric: str, unit: str) -> list[dict[str, Any]]:
    """Rows of this subject kind, metric and unit that have a value and a year, as plain dicts.

    The values are those of ``DataFrame.to_dict("records")`` (read column by column). The app calls
    the selection rule several times per page run from several sessions at once; filtering and
    grouping the ~100-row frame in pandas took 10 ms per call, plain Python takes well under 1 ms.
    """
    if volumes is None or not len(volumes):
        return []
    cols = {c: volumes[c].tolist() for c in _RULE_COLS if c in volumes.columns}
    out = []
    for i in range(len(volumes)):
        if not (
            _is(cols["subject_kind"][i], kind)
            and _is(cols["metric"][i], metric)
            and _is(cols["unit"][i], unit)
        ):
            continue
        if _missing(cols["value"][i]) or _missing(cols["year"][i]):
            continue
        out.append({c: v[i] for c, v in cols.items()})
    return out


def _choose(
    recs: Iterable[dict[str, Any]], year: int, subjects: Iterable[str] | None = None
) -> dict[str, Figure]:
    """The chosen figure per subject among ``recs`` (from :func:`_records`) for ``year``."""
    wanted = set(subjects) if subjects is not None else None
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in recs:
        subject = r["subject"]
        if int(r["year"]) != int(year) or _missing(subject):
            continue
        if wanted is not None and subject not in wanted:
            continue
        groups.setdefault(subject, []).append(r)
    out: dict[str, Figure] = {}
    for subject in sorted(groups):
        group = sorted(
            groups[subject],
            key=lambda r: (
                str(r.get("direction") or "both") != "both",
                bool(r.get("estimate")),
                -float(r.get("months") or 12),
                -float(r["value"]),
                str(r["id"]),
            ),
        )
        r = group[0]
        out[str(subject)] = Figure(
            subject=str(subject),
            year=int(year),
            value=float(r["value"]),
            unit=str(r["unit"]),
            period=str(r.get("period") or "FY"),
            months=float(r.get("months") or 12),
            volume_id=str(r["id"]),
            sources=tuple(r.get("source") or ()),
            estimate=bool(r.get("estimate")),
            scope=str(r.get("scope") or ""),
            others=len(group) - 1,
        )
    return out


def volume_years(
    volumes: pd.DataFrame, *, kind: str = "corridor", metric: str = "freight", unit: str = "t"
) -> list[int]:
    """Years that have at least one figure of this kind, metric and unit, ascending."""
    return sorted({int(r["year"]) for r in _records(volumes, kind, metric, unit)})


def default_year(
    volumes: pd.DataFrame,
    *,
    kind: str = "corridor",
    metric: str = "freight",
    unit: str = "t",
    latest: int | None = None,
) -> int | None:
    """The year whose chosen figures cover the most subjects with published (not estimated) figures.

    Ties go to the latest year; years after ``latest`` (e.g. forecasts) are skipped when given.
    """
    recs = _records(volumes, kind, metric, unit)
    best: tuple[int, int, int] | None = None
    for y in sorted({int(r["year"]) for r in recs}):
        if latest is not None and y > latest:
            continue
        figs = _choose(recs, y)
        published = sum(1 for f in figs.values() if not f.estimate)
        full = sum(1 for f in figs.values() if f.full_year and not f.estimate)
        key = (published, full, y)
        if best is None or key > best:
            best = key
    return best[2] if best else None


def pick_figures(
    volumes: pd.DataFrame,
    year: int | None,
    *,
    kind: str = "corridor",
    metric: str = "freight",
    unit: str = "t",
    subjects: Iterable[str] | None = None,
) -> dict[str, Figure]:
    """The chosen figure per subject for ``year`` (see the module docstring for the rule)."""
    if year is None:
        return {}
    return _choose(_records(volumes, kind, metric, unit), year, subjects)


def largest_figure(
    volumes: pd.DataFrame, *, kind: str = "corridor", metric: str = "freight", unit: str = "t"
) -> float:
    """The largest chosen figure of any year (0 when there is none): what map widths scale to."""
    recs = _records(volumes, kind, metric, unit)
    return max(
        (f.value for y in {int(r["year"]) for r in recs} for f in _choose(recs, y).values()), default=0.0
    )


def volume_table(
    volumes: pd.DataFrame,
    *,
    subject_names: dict[str, str],
    source_titles: dict[str, str],
    kinds: Iterable[str] | None = None,
    metrics: Iterable[str] | None = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Every figure as a display table: subject, year, period, value, unit, scope, sources, EST.

    ``subject_names`` maps ``"kind:id"`` to a display name; ``source_titles`` maps source ids to
    titles. Rows are sorted by subject, metric, year and period length.
    """
    cols = [
        "id",
        "subject",
        "kind",
        "metric",
        "year",
        "period",
        "value",
        "unit",
        "direction",
        "scope",
        "EST",
        "estimate_note",
        "conflict",
        "sources",
        "source_ids",
        "note",
    ]
    if volumes is None or not len(volumes):
        return pd.DataFrame(columns=cols)
    v = volumes
    if kinds is not None:
        v = v[v["subject_kind"].isin(list(kinds))]
    if metrics is not None:
        v = v[v["metric"].isin(list(metrics))]
    if years is not None:
        y = v["year"].astype(int)
        v = v[(y >= years[0]) & (y <= years[1])]
    rows = []
    for r in v.to_dict("records"):
        srcs = list(r.get("source") or ())
        rows.append(
            {
                "id": r["id"],
                "subject": subject_names.get(f"{r['subject_kind']}:{r['subject']}", r["subject"]),
                "kind": r["subject_kind"],
                "metric": r["metric"],
                "year": int(r["year"]),
                "period": r.get("period") or "FY",
                "value": float(r["value"]),
                "unit": r["unit"],
                "direction": r.get("direction") or "both",
                "scope": r.get("scope") or "",
                "EST": "EST" if r.get("estimate") else "",
                "estimate_note": r.get("estimate_note") or "",
                "conflict": r.get("conflict_group") or "",
                "sources": "; ".join(source_titles.get(s, s) for s in srcs),
                "source_ids": "; ".join(srcs),
                "note": r.get("note") or "",
                "_months": float(r.get("months") or 12),
            }
        )
    df = pd.DataFrame(rows)
    if not len(df):
        return pd.DataFrame(columns=cols)
    df = df.sort_values(
        ["subject", "metric", "year", "_months", "id"], ascending=[True, True, True, False, True]
    )
    return df[cols].reset_index(drop=True)


def _first_url(ids: str, source_urls: Mapping[str, str]) -> str:
    """URL of the first of ``"a; b"`` source ids that has one ("" when none has)."""
    for sid in str(ids or "").split(";"):
        url = source_urls.get(sid.strip(), "")
        if url:
            return url
    return ""


def conflicts_table(table: pd.DataFrame, *, source_urls: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Conflicting published figures side by side: one row per conflict group.

    Takes the output of :func:`volume_table`; columns ``conflict`` (the group id), ``quantity``, then
    ``figure 1``, ``scope 1``, ``source 1``, ``figure 2``... (as many as the largest group). With
    ``source_urls`` (source id -> URL), each figure is followed by ``link i``: the URL of its first
    source that has one ("" when none has).
    """
    if table is None or not len(table) or not (table["conflict"] != "").any():
        return pd.DataFrame(columns=["conflict", "quantity"])
    rows = []
    for group, grp in table[table["conflict"] != ""].groupby("conflict", sort=True):
        first = grp.iloc[0]
        row: dict[str, object] = {
            "conflict": group,
            "quantity": f"{first['subject']}: {first['metric']} {first['year']}",
        }
        for i, r in enumerate(grp.itertuples(index=False), start=1):
            est = " (EST)" if r.EST else ""
            row[f"figure {i}"] = f"{format_quantity(r.value, r.unit)} ({r.period}){est}"
            if source_urls is not None:
                row[f"link {i}"] = _first_url(r.source_ids, source_urls)
            row[f"scope {i}"] = r.scope
            row[f"source {i}"] = r.sources
        rows.append(row)
    return pd.DataFrame(rows).fillna("")


def map_figures(
    ds: Any,
    year: int | None,
    subject_names: dict[str, str],
    *,
    source_urls: Mapping[str, str] | None = None,
    corridors: Iterable[str] | None = None,
    places: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The figures a volumes map shows for ``year``: corridor and place freight, chosen by the rule.

    ``corridors`` / ``places`` (ids) keep only those subjects of that kind (None: all). With
    ``source_urls`` (source id -> URL) a ``source`` column holds the URL of the figure's first source
    that has one.
    """
    keep = {"corridor": corridors, "node": places}
    rows = []
    for kind in ("corridor", "node"):
        wanted = keep[kind]
        for subject, f in pick_figures(
            ds.volumes, year, kind=kind, subjects=None if wanted is None else list(wanted)
        ).items():
            row = {
                "subject": subject_names.get(f"{kind}:{subject}", subject),
                "freight": format_quantity(f.value, "t"),
                "period": f.period,
                "EST": "EST" if f.estimate else "",
                "other figures": f.others,
                "_v": f.value,
            }
            if source_urls is not None:
                row["source"] = _first_url(";".join(f.sources), source_urls)
            rows.append(row)
    link = ["source"] if source_urls is not None else []
    df = pd.DataFrame(rows, columns=["subject", "freight", *link, "period", "EST", "other figures", "_v"])
    return df.sort_values("_v", ascending=False).drop(columns="_v").reset_index(drop=True)


def year_labels(
    volumes: pd.DataFrame,
    years: Iterable[int],
    *,
    this_year: int,
    kinds: Iterable[str] = ("corridor", "node"),
    metric: str = "freight",
    unit: str = "t",
) -> dict[int, str]:
    """Labels for a year picker: ``"2030 (forecast)"`` for a year after ``this_year``, ``"2014
    (estimates only)"`` for a year whose figures (of these kinds, metric and unit) are all estimates,
    else the year.

    Parameters
    ----------
    volumes
        ``volumes.csv`` as the dataset loads it.
    years
        The years the picker offers.
    this_year
        The current calendar year (a keyword so that a test can fix it).
    kinds, metric, unit
        Which figures count for the "estimates only" mark.

    Returns
    -------
    ``{year: label}`` for every year of ``years``.
    """
    est: dict[int, list[bool]] = {}
    for kind in kinds:
        for r in _records(volumes, kind, metric, unit):
            est.setdefault(int(r["year"]), []).append(bool(r.get("estimate")))
    out = {}
    for y in years:
        y = int(y)
        if y > this_year:
            out[y] = f"{y} (forecast)"
        elif est.get(y) and all(est[y]):
            out[y] = f"{y} (estimates only)"
        else:
            out[y] = str(y)
    return out
