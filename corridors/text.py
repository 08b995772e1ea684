"""Untrusted text in and out: JSON parsing with limits, and text made safe for terminals and spreadsheets.

A dataset (``--data``, ``CORRIDORS_GEODATA``) or an imported tour may come from anyone. Reading it,
:func:`load_json` never raises anything but :class:`JSONInputError`: nesting deeper than
:data:`MAX_JSON_DEPTH` is refused (Python's parser would raise ``RecursionError`` near 1,000 levels,
and any later walk of the value would too), and integers of more than 20 digits become floats (a
400-digit integer would overflow ``float()`` later; a 5,000-digit one exceeds Python's digit limit)
so the caller's finiteness checks see ``inf`` and report it.

Writing it out, :func:`plain_text` replaces the characters that can drive a terminal or forge lines
(C0/C1 controls such as ESC, CR and LF, line and paragraph separators, bidirectional overrides, lone
surrogates) with a space, and :func:`csv_cell` does the same for a CSV cell and also defuses a
spreadsheet formula (a text starting with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'``, the
OWASP "CSV injection" advice); numbers are left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, overload

__all__ = [
    "MAX_JSON_DEPTH",
    "JSONInputError",
    "SafeCSVWriter",
    "csv_cell",
    "has_surrogates",
    "load_json",
    "plain_text",
    "safe_csv",
]

#: Deepest nesting of arrays/objects :func:`load_json` accepts (GeoJSON and tours need fewer than 10).
MAX_JSON_DEPTH = 32
#: Integer literals longer than this many characters are parsed as floats.
_MAX_INT_CHARS = 20

#: Characters that move the cursor, colour or reorder a terminal line, or split a line or a cell: C0
#: (but LF, see below) and C1 controls, DEL, the Arabic letter mark, LRM/RLM, line and paragraph
#: separators, bidirectional embeddings, overrides and isolates, lone surrogates.
_UNSAFE_REST = r"\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_RE = re.compile(r"[\x00-\x1f" + _UNSAFE_REST + "]")
_UNSAFE_KEEP_NL_RE = re.compile(r"[\x00-\x09\x0b-\x1f" + _UNSAFE_REST + "]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@")
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class JSONInputError(ValueError):
    """Text that :func:`load_json` refuses; the message says why (and where, for syntax errors)."""


def _parse_int(literal: str) -> int | float:
    return int(literal) if len(literal) <= _MAX_INT_CHARS else float(literal)


def load_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from an untrusted source.

    Parameters
    ----------
    text
        The document (bytes are decoded by :func:`json.loads`' rules).
    max_depth
        Deepest nesting of arrays and objects allowed (the top-level value is depth 1).

    Returns
    -------
    Any
        The parsed value. Integer literals longer than 20 characters come back as floats (``inf``
        beyond about 308 digits); ``NaN`` and ``Infinity`` literals come back as floats too, so callers
        must check finiteness as before.

    Raises
    ------
    JSONInputError
        ``"not valid JSON: <reason> at line L column C"`` or ``"nested more than N levels deep"``.
    """
    try:
        doc = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise JSONInputError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise JSONInputError(f"nested more than {max_depth} levels deep") from None
    except (ValueError, TypeError) as exc:  # undecodable bytes, anything else the parser refuses
        raise JSONInputError(f"not valid JSON: {exc}") from None
    if not _depth_within(doc, max_depth):
        raise JSONInputError(f"nested more than {max_depth} levels deep")
    return doc


def _depth_within(doc: Any, limit: int) -> bool:
    """Whether no array/object in ``doc`` is nested deeper than ``limit`` (iterative, no recursion)."""
    if not isinstance(doc, dict | list):
        return True
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return True


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (from a JSON ``\\ud800`` escape): not encodable text."""
    return _SURROGATE_RE.search(text) is not None


def plain_text(value: Any, *, newlines: bool = False, limit: int | None = None) -> str:
    """``value`` as text that cannot drive a terminal: unsafe characters become spaces.

    Parameters
    ----------
    value
        Anything; ``None`` gives ``""``.
    newlines
        Keep ``\\n`` (for multi-line messages whose lines the caller built); CR is always replaced.
    limit
        Longest result in characters; longer text is cut and ends with ``…``.
    """
    s = "" if value is None else str(value)
    s = (_UNSAFE_KEEP_NL_RE if newlines else _UNSAFE_RE).sub(" ", s)
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "…"
    return s


@overload
def csv_cell(value: str) -> str: ...
@overload
def csv_cell(value: Any) -> Any: ...
def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: unsafe characters become spaces and a formula
    start (``=``, ``+``, ``-``, ``@``, also after spaces) gets a leading ``'``. Numbers, and text that
    is a plain number such as ``-12.5``, are returned unchanged."""
    if not isinstance(value, str):
        return value
    s = _UNSAFE_RE.sub(" ", value)
    if s.lstrip()[:1] in _FORMULA_START and not _NUMBER_RE.fullmatch(s.strip()):
        s = "'" + s
    return s


def _cells(row: Mapping[str, Any] | Iterable[Any]) -> dict[str, Any] | list[Any]:
    if isinstance(row, Mapping):
        return {k: csv_cell(v) for k, v in row.items()}
    return [csv_cell(v) for v in row]


class SafeCSVWriter:
    """A ``csv.writer``/``csv.DictWriter`` whose rows go through :func:`csv_cell` (see :func:`safe_csv`)."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def writerow(self, row: Mapping[str, Any] | Iterable[Any]) -> Any:
        """Write one row, every cell neutralised."""
        return self.writer.writerow(_cells(row))

    def writerows(self, rows: Iterable[Mapping[str, Any] | Iterable[Any]]) -> None:
        """Write rows, every cell neutralised."""
        for row in rows:
            self.writerow(row)

    def __getattr__(self, name: str) -> Any:  # writeheader, dialect, fieldnames ...
        return getattr(self.writer, name)


def safe_csv(writer: Any) -> SafeCSVWriter:
    """Wrap a ``csv.writer`` or ``csv.DictWriter`` so that every cell written is a :func:`csv_cell`.

    >>> import csv, io
    >>> out = io.StringIO()
    >>> _ = safe_csv(csv.writer(out, lineterminator="\\n")).writerow(["=1+1", -2.5, "Poti"])
    >>> out.getvalue()
    "'=1+1,-2.5,Poti\\n"
    """
    return SafeCSVWriter(writer)
