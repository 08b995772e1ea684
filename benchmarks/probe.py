"""Rerun the reliability probe (issue 12 section 1): its 30 BAD cases and a sample of its OK cases.

Run: ``python benchmarks/probe.py`` from the project root (``--only B7`` for one finding, ``-v`` for the
detail of every probe). Each probe is a row of the per-area tables of the probe report
(``shared/reference/reliability-probe.md``), run with the same command against this checkout; the
verdict rules are the report's:

* CLI: the documented exit code and a one-line message on stderr, never a traceback;
* geodata and tours: a clear report or notice (exit 1 or 2, ``TourImportError``/``TourStoreError``), no
  traceback, no hang; plus the finding's own check (no ``Infinity`` in JSON, no formula cell, no raw
  control character on the terminal);
* exports: a PNG, no exception.

Prints one line per probe and the count of OK and BAD. The read-only database probe (B12) runs as
user ``nobody`` through ``setpriv`` when run as root (root ignores file permissions).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GEODATA = ROOT / "geodata"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
TMP = Path(tempfile.mkdtemp(prefix="corridors-probe-"))
CSV_FORMULA = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Probe:
    """One row of the probe report: area and row, the finding (B1-B13, or OK for a sample)."""

    area: str
    row: str
    finding: str
    what: str
    run: Callable[[], tuple[bool, str]]


def cli(
    *args: str,
    env: dict[str, str] | None = None,
    stdout: object = subprocess.PIPE,
    shell: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m corridors.cli ARGS`` (or a shell line) with this checkout on the path."""
    cmd: list[str] | str = shell if shell is not None else [sys.executable, "-m", "corridors.cli", *args]
    return subprocess.run(
        cmd,
        env=env or ENV,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        shell=shell is not None,
    )


def clean(r: subprocess.CompletedProcess[str], codes: tuple[int, ...]) -> tuple[bool, str]:
    """OK when the exit code is one of ``codes``, stderr has no traceback and is one line at most."""
    err = r.stderr or ""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    ok = r.returncode in codes and "Traceback" not in err and "Exception ignored" not in err
    return ok, f"exit {r.returncode}, stderr {len(lines)} line(s): {(lines or [''])[-1][:100]!r}"


# ------------------------------------------------------------------------------------------------
# geodata


def bad_copy(corrupt: Callable[[Path], None]) -> Path:
    """A fresh copy of geodata/ with one corruption applied."""
    dst = Path(tempfile.mkdtemp(dir=TMP)) / "bad"
    shutil.copytree(GEODATA, dst)
    corrupt(dst)
    return dst


def edit_json(name: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        doc = json.loads((d / name).read_text(encoding="utf-8"))
        change(doc)
        (d / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    return apply


def set_prop(file: str, fid: str, **props: object) -> Callable[[Path], None]:
    def change(doc: dict) -> None:
        for f in doc["features"]:
            if f["properties"].get("id") == fid:
                f["properties"].update(props)

    return edit_json(file, change)


def replace_text(name: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        t = (d / name).read_text(encoding="utf-8")
        assert old in t, (name, old)
        (d / name).write_text(t.replace(old, new, 1), encoding="utf-8")

    return apply


def replace_re(name: str, pattern: str, new: str) -> Callable[[Path], None]:
    """Replace the first match of a multi-line regex (a CSV row by its key, whatever its value)."""

    def apply(d: Path) -> None:
        t = (d / name).read_text(encoding="utf-8")
        out, n = re.subn(pattern, new, t, count=1, flags=re.M)
        assert n == 1, (name, pattern)
        (d / name).write_text(out, encoding="utf-8")

    return apply


def kz_rail_cost(value: str) -> Callable[[Path], None]:
    """The probe's ``cost_usd_per_km,rail,KZ`` row; since the tariffs merge, the KZ rail line-haul tariff."""

    def apply(d: Path) -> None:
        if "\ncost_usd_per_km,rail,KZ," in (d / "parameters.csv").read_text(encoding="utf-8"):
            replace_re("parameters.csv", r"^(cost_usd_per_km,rail,KZ,)[^,]*", rf"\g<1>{value}")(d)
        else:
            replace_re("tariffs.csv", r"^([^,]*,line_haul,rail,KZ,,,,,20ft,)[^,]*", rf"\g<1>{value}")(d)

    return apply


def write_file(name: str, content: str | bytes) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        if isinstance(content, bytes):
            (d / name).write_bytes(content)
        else:
            (d / name).write_text(content, encoding="utf-8")

    return apply


def drop_lines(name: str, prefix: str) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        lines = (d / name).read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [ln for ln in lines if not ln.startswith(prefix)]
        assert len(kept) < len(lines), (name, prefix)
        (d / name).write_text("".join(kept), encoding="utf-8")

    return apply


def self_loop(km: float, closed: bool) -> Callable[[Path], None]:
    def change(doc: dict) -> None:
        src = next(f for f in doc["features"] if f["properties"]["id"] == "altynkol_zhetygen_rail")
        f = json.loads(json.dumps(src))
        x, y = f["geometry"]["coordinates"][0]
        f["properties"].update(id="loop", to="altynkol", length_km=km)
        f["geometry"]["coordinates"] = (
            [[x, y], [x + 0.15, y], [x + 0.15, y + 0.1], [x, y]] if closed else [[x, y], [x, y]]
        )
        doc["features"].append(f)

    return edit_json("links.geojson", change)


def geo(
    corrupt: Callable[[Path], None],
    *,
    route_fmt: str = "csv",
    valid_ok: bool = False,
    check: Callable[[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]], tuple[bool, str]]
    | None = None,
) -> Callable[[], tuple[bool, str]]:
    """``validate bad`` and ``--data bad route Altynkol Poti --format csv``: a report, exit 1/2."""

    def run() -> tuple[bool, str]:
        d = bad_copy(corrupt)
        v = cli("validate", str(d))
        r = cli("--data", str(d), "route", "Altynkol", "Poti", "--format", route_fmt)
        tb = "Traceback" in v.stderr + v.stdout + r.stderr
        ok = (
            not tb and (v.returncode == 1 or valid_ok) and r.returncode in ((0, 1, 2) if valid_ok else (1, 2))
        )
        first = next((ln.strip() for ln in v.stdout.splitlines()[1:2]), v.stdout.strip()[:80])
        detail = f"validate exit {v.returncode} ({first[:90]!r}); route exit {r.returncode}"
        if tb:
            detail += "; TRACEBACK"
        if check is not None:
            ok2, more = check(v, r)
            ok, detail = ok and ok2, f"{detail}; {more}"
        return ok, detail

    return run


def no_infinity(v: subprocess.CompletedProcess[str], r: subprocess.CompletedProcess[str]) -> tuple[bool, str]:
    n = r.stdout.count("Infinity")
    return n == 0, f"{n} Infinity in the JSON"


def no_formula_cells(
    v: subprocess.CompletedProcess[str], r: subprocess.CompletedProcess[str]
) -> tuple[bool, str]:
    cells = [c for row in csv.reader(io.StringIO(r.stdout)) for c in row]
    bad = [c for c in cells if c[:1] in CSV_FORMULA and not _number(c)]
    return not bad and r.returncode == 0, f"route exit {r.returncode}, formula cells {bad[:2]}"


def _number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def no_raw_controls(
    v: subprocess.CompletedProcess[str], r: subprocess.CompletedProcess[str]
) -> tuple[bool, str]:
    p = cli("--data", str(Path(v.args[-1])), "places", "zhetygen")
    out = r.stdout + p.stdout
    raw = [c for c in ("\x1b", "\r") if c in out] + (["forged line"] if "\nFAKE LINE" in out else [])
    return not raw and r.returncode == 0, f"route exit {r.returncode}, raw on terminal: {raw}"


ZHETYGEN_ESC = set_prop("nodes.geojson", "zhetygen", name="Zhe\x1b[31mtygen\r\nFAKE LINE")


# ------------------------------------------------------------------------------------------------
# tours (in process: the verdict is the exception type)


def tour_call(
    fn: Callable[[object], object], *, expect_ok: bool | None = None
) -> Callable[[], tuple[bool, str]]:
    """OK when ``fn(store)`` returns or raises TourImportError/TourStoreError/LookupError."""

    def run() -> tuple[bool, str]:
        from corridors.tours import TourImportError, TourStore, TourStoreError

        store = TourStore(Path(tempfile.mkdtemp(dir=TMP)) / "t.sqlite3")
        try:
            got = fn(store)
        except (TourImportError, TourStoreError, LookupError) as exc:
            return expect_ok is not True, f"{type(exc).__name__}: {str(exc)[:90]}"
        except Exception as exc:  # noqa: BLE001 - the probe classifies every exception
            return False, f"{type(exc).__name__}: {str(exc)[:90]}"
        return expect_ok is not False, f"returned {str(got)[:90]}"

    return run


def tour_doc(name: object = "x", steps: object = ()) -> str:
    return json.dumps({"format": "corridors-tour", "version": 1, "name": name, "steps": list(steps)})


def step_view(view: str) -> bytes:
    return (
        '{"format":"corridors-tour","version":1,"name":"x","steps":[{"title":"a","view":{"k":' + view + "}}]}"
    ).encode()


def nested_view_in_db(store: object) -> object:
    t = store.create("x")
    store.add_step(t.id, "a", {"k": "v"})
    con = sqlite3.connect(store.path)
    con.execute("UPDATE steps SET view = ?", ("[" * 100_000 + "]" * 100_000,))
    con.commit()
    con.close()
    return store.get(t.id)


def corrupted_db(store: object) -> object:
    store.path.write_bytes(b"this is not a database" * 100)
    return store.tours()


READONLY_SCRIPT = r"""
import sys
from corridors.tours import TourStore, TourStoreError
s = TourStore(sys.argv[1])
try:
    tours = s.tours(); got = s.get(tours[0].id)
    print("viewed", [t.name for t in tours], len(got.steps))
except Exception as exc:
    print("view failed:", type(exc).__name__, exc); sys.exit(5)
try:
    s.create("y"); print("write succeeded"); sys.exit(6)
except TourStoreError as exc:
    print("write refused:", exc)
"""


def readonly_db() -> tuple[bool, str]:
    """B12: a read-only database in a read-only directory can be viewed; writes say read-only."""
    from corridors.tours import TourStore

    d = Path(tempfile.mkdtemp(dir=TMP)) / "ro"
    d.mkdir()
    s = TourStore(d / "t.sqlite3")
    t = s.create("x")
    s.add_step(t.id, "a", {"k": "v"})
    os.chmod(d, 0o777)
    os.chmod(d / "t.sqlite3", 0o444)
    os.chmod(d, 0o555)
    cmd = [sys.executable, "-c", READONLY_SCRIPT, str(d / "t.sqlite3")]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            return False, "run as root without setpriv: cannot drop privileges"
        os.chmod(TMP, 0o755)
        os.chmod(d.parent, 0o755)
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=60)
    os.chmod(d, 0o755)
    out = (r.stdout + r.stderr).strip().replace("\n", " | ")
    return r.returncode == 0 and "viewed" in r.stdout and "read-only" in r.stdout, out[:160]


# ------------------------------------------------------------------------------------------------
# exports, parse_view


def png(title: str) -> Callable[[], tuple[bool, str]]:
    def run() -> tuple[bool, str]:
        from corridors.export import static_png

        t0 = time.perf_counter()
        try:
            data = static_png([], title=title)
        except Exception as exc:  # noqa: BLE001
            return False, f"{type(exc).__name__}: {str(exc)[:80]}"
        return data[:4] == b"\x89PNG", f"{len(data)} bytes in {time.perf_counter() - t0:.1f} s"

    return run


def html_hostile() -> tuple[bool, str]:
    """The page has exactly the template's script tags (counted on a benign page) and no raw payload."""
    from corridors.export import standalone_html

    hostile = '</script><script>alert(1)</script>"><img src=x onerror=alert(2)>'

    def page(text: str) -> str:
        spec = {"layers": [{"@@type": "ScatterplotLayer", "id": "n", "data": [{"tip": text}]}]}
        return standalone_html(spec, title=text, subtitle=text, tooltip_text="{tip}")

    bad, good = page(hostile), page("Poti")
    ok = bad.count("<script") == good.count("<script") and "<img src=x" not in bad
    return ok, f"{bad.count('<script')} script tags, {good.count('<script')} in the template"


def view(params: dict[str, object]) -> Callable[[], tuple[bool, str]]:
    def run() -> tuple[bool, str]:
        from corridors.share import parse_view

        try:
            state, notices = parse_view(params)
        except Exception as exc:  # noqa: BLE001
            return False, f"{type(exc).__name__}: {exc}"
        return all(len(n) <= 200 for n in notices), f"{len(notices)} notice(s)"

    return run


def timed(
    fn: Callable[[], subprocess.CompletedProcess[str]], limit_s: float, codes: tuple[int, ...]
) -> Callable[[], tuple[bool, str]]:
    def run() -> tuple[bool, str]:
        t0 = time.perf_counter()
        r = fn()
        dt = time.perf_counter() - t0
        ok, detail = clean(r, codes)
        return ok and dt <= limit_s and len(
            r.stderr
        ) < 500, f"{detail}; {dt:.1f} s, stderr {len(r.stderr)} chars"

    return run


def run_cli(*args: str, codes: tuple[int, ...], **kw: object) -> Callable[[], tuple[bool, str]]:
    return lambda: clean(cli(*args, **kw), codes)  # type: ignore[arg-type]


def write_error(shell: str, env: dict[str, str] | None = None) -> Callable[[], tuple[bool, str]]:
    """B10: a stdout write error ends with one line on stderr and exit code 4 (not 1)."""
    return lambda: clean(cli(shell=shell, env=env), (4,))


PY = f"{sys.executable} -m corridors.cli"
LONG = "ab" * 50_000


# ------------------------------------------------------------------------------------------------


def probes() -> list[Probe]:
    p: list[Probe] = []

    def add(area: str, row: str, finding: str, what: str, run: Callable[[], tuple[bool, str]]) -> None:
        p.append(Probe(area, row, finding, what, run))

    # --- 1. CLI
    add("cli", "47", "B9", "places with a 100k-char query", timed(lambda: cli("places", LONG), 3.0, (0,)))
    add("cli", "52", "B10", "stdout closed (>&-)", write_error(f"{PY} route Altynkol Poti >&-"))
    add("cli", "53", "B10", "stdout /dev/full", write_error(f"{PY} route Altynkol Poti > /dev/full"))
    add(
        "cli",
        "54a",
        "B10",
        "PYTHONIOENCODING=ascii route",
        write_error(f"{PY} route Altynkol Poti", {**ENV, "PYTHONIOENCODING": "ascii"}),
    )
    add(
        "cli",
        "54b",
        "B10",
        "PYTHONIOENCODING=latin-1 places Алят",
        write_error(f"{PY} places Алят", {**ENV, "PYTHONIOENCODING": "latin-1"}),
    )
    # samples of OK rows
    add("cli", "1", "OK", "unknown place", run_cli("route", "Nowhereville", "Poti", codes=(2,)))
    add("cli", "4", "OK", "origin of 100k chars", run_cli("route", "x" * 100_000, "Poti", codes=(2,)))
    add("cli", "13", "OK", "--teu nan", run_cli("route", "Altynkol", "Poti", "--teu", "nan", codes=(2,)))
    add(
        "cli",
        "23",
        "OK",
        "--alternatives 11",
        run_cli("route", "Altynkol", "Poti", "--alternatives", "11", codes=(2,)),
    )
    add("cli", "31", "OK", "--modes sea", run_cli("route", "Altynkol", "Poti", "--modes", "sea", codes=(3,)))
    add(
        "cli",
        "48",
        "OK",
        "route json | head -1",
        lambda: clean(cli(shell=f"{PY} route Altynkol Poti --format json --alternatives 5 | head -1"), (0,)),
    )
    add("cli", "10", "OK", "Cyrillic places", run_cli("route", "Алтынколь", "Поти", codes=(0,)))
    add(
        "cli",
        "LC_ALL=C",
        "OK",
        "LC_ALL=C route (UTF-8 mode)",
        lambda: clean(cli("route", "Altynkol", "Poti", env={**ENV, "LC_ALL": "C"}), (0,)),
    )

    # --- 2. geodata
    add(
        "geo",
        "11",
        "B1",
        "100k nested arrays",
        geo(write_file("nodes.geojson", "[" * 100_000 + "]" * 100_000)),
    )
    add("geo", "12", "B1", "2k nested arrays", geo(write_file("nodes.geojson", "[" * 2000 + "]" * 2000)))
    add(
        "geo",
        "13",
        "B1",
        "5k nesting inside a note",
        geo(
            replace_text(
                "nodes.geojson", '"id": "almaty"', '"id": "almaty", "note": ' + "[" * 5000 + "]" * 5000
            )
        ),
    )
    add(
        "geo",
        "25",
        "B2",
        "400-digit integer length_km",
        geo(replace_text("links.geojson", '"length_km": 2456.7', '"length_km": 1' + "0" * 400)),
    )
    add(
        "geo",
        "26",
        "B2",
        "400-digit integer coordinate",
        geo(
            edit_json(
                "nodes.geojson",
                lambda d: d["features"][0]["geometry"].update(coordinates=[int("1" + "0" * 400), 40]),
            )
        ),
    )
    add(
        "geo",
        "27",
        "B2",
        "5,000-digit integer",
        geo(replace_text("links.geojson", '"length_km": 2456.7', '"length_km": 1' + "0" * 5000)),
    )
    add("geo", "34", "B6", "self-loop 1 km, zero-length", geo(self_loop(1.0, closed=False)))
    add("geo", "35", "B6", "self-loop 50 km, loop geometry", geo(self_loop(50.0, closed=True)))
    add(
        "geo",
        "51",
        "B7",
        "formula values in names and sources",
        geo(
            lambda d: [
                set_prop("nodes.geojson", "almaty", name='=HYPERLINK("http://evil.example","x")')(d),
                set_prop(
                    "links.geojson",
                    "altynkol_zhetygen_rail",
                    name="=cmd|' /C calc'!A0",
                    note="=cmd|' /C calc'!A0",
                )(d),
                set_prop("nodes.geojson", "zhetygen", name="@SUM(1+1)")(d),
                set_prop("nodes.geojson", "altynkol", name="+1+1")(d),
            ],
            valid_ok=True,
            check=no_formula_cells,
        ),
    )
    add(
        "geo",
        "59",
        "B3",
        "between 1435/²",
        geo(replace_text("terminals.csv", "dostyk,gauge_change,1435/1520", "dostyk,gauge_change,1435/²")),
    )
    add(
        "geo",
        "60",
        "B3",
        "between 1435/<5,000 digits>",
        geo(
            replace_text(
                "terminals.csv", "dostyk,gauge_change,1435/1520", "dostyk,gauge_change,1435/" + "1" * 5000
            )
        ),
    )
    add("geo", "62", "B4", "teu_tonnes row deleted", geo(drop_lines("parameters.csv", "teu_tonnes,")))
    add(
        "geo",
        "63",
        "B4",
        "speed_kmh,rail,* rows deleted",
        geo(drop_lines("parameters.csv", "speed_kmh,rail,")),
    )
    add(
        "geo",
        "64",
        "B4",
        "speed_kmh,rail,KZ = 0",
        geo(replace_re("parameters.csv", r"^(speed_kmh,rail,KZ,)[^,]*", r"\g<1>0")),
    )
    add(
        "geo",
        "66",
        "B5",
        "cost_usd_per_km,rail,KZ = 1e308",
        geo(
            kz_rail_cost("1e308"),
            route_fmt="json",
            check=no_infinity,
        ),
    )
    add(
        "geo",
        "71",
        "B8",
        "ESC/CR/LF in a node name",
        geo(ZHETYGEN_ESC, route_fmt="table", valid_ok=True, check=no_raw_controls),
    )
    # samples of OK rows
    add(
        "geo",
        "1",
        "OK",
        "truncated JSON",
        geo(
            lambda d: (d / "nodes.geojson").write_text(
                (d / "nodes.geojson").read_text(encoding="utf-8")[:5000], encoding="utf-8"
            )
        ),
    )
    add("geo", "2", "OK", "empty links.geojson", geo(write_file("links.geojson", "")))
    add(
        "geo",
        "4",
        "OK",
        "random bytes with NUL",
        geo(write_file("nodes.geojson", os.urandom(200_000) + b"\0")),
    )
    add(
        "geo",
        "7",
        "OK",
        "latin-1 nodes",
        geo(
            lambda d: (d / "nodes.geojson").write_bytes(
                (d / "nodes.geojson").read_text(encoding="utf-8").encode("latin-1", "replace")
            )
        ),
    )
    add(
        "geo",
        "14",
        "OK",
        "900-deep nested id",
        geo(replace_text("nodes.geojson", '"id": "almaty"', '"id": ' + "[" * 900 + "]" * 900)),
    )
    add(
        "geo",
        "23",
        "OK",
        "NaN literal",
        geo(replace_text("links.geojson", '"length_km": 2456.7', '"length_km": NaN')),
    )
    add(
        "geo",
        "24",
        "OK",
        "1e400 literal",
        geo(replace_text("links.geojson", '"length_km": 2456.7', '"length_km": 1e400')),
    )
    add(
        "geo",
        "29",
        "OK",
        "length -5",
        geo(replace_text("links.geojson", '"length_km": 2456.7', '"length_km": -5')),
    )
    add(
        "geo",
        "39",
        "OK",
        "endpoint atlantis",
        geo(set_prop("links.geojson", "altynkol_zhetygen_rail", to="atlantis")),
    )
    add("geo", "41", "OK", "links.geojson missing", geo(lambda d: (d / "links.geojson").unlink()))
    add(
        "geo",
        "61",
        "OK",
        "between 1435/1520/1676",
        geo(
            replace_text(
                "terminals.csv", "dostyk,gauge_change,1435/1520", "dostyk,gauge_change,1435/1520/1676"
            )
        ),
    )
    add(
        "geo",
        "65",
        "OK",
        "speed_kmh,rail,KZ = -57.9",
        geo(replace_re("parameters.csv", r"^(speed_kmh,rail,KZ,)[^,]*", r"\g<1>-57.9")),
    )

    # --- 3. tours
    add(
        "tours",
        "5",
        "B1",
        "import 100k nested arrays",
        tour_call(lambda s: s.import_json(b"[" * 100_000 + b"]" * 100_000), expect_ok=False),
    )
    add(
        "tours",
        "6",
        "B1",
        "import 2k nested arrays",
        tour_call(lambda s: s.import_json(b"[" * 2000 + b"]" * 2000), expect_ok=False),
    )
    add(
        "tours",
        "7",
        "B1",
        "3k nesting inside a view value",
        tour_call(lambda s: s.import_json(step_view("[" * 3000 + "]" * 3000)), expect_ok=False),
    )
    add(
        "tours",
        "8",
        "B2",
        "5,000-digit integer in a view",
        tour_call(lambda s: s.import_json(step_view("1" * 5000))),
    )
    add(
        "tours",
        "21",
        "B11",
        "\\ud800 in the name",
        tour_call(
            lambda s: s.import_json(b'{"format":"corridors-tour","version":1,"name":"\\ud800","steps":[]}'),
            expect_ok=False,
        ),
    )
    add(
        "tours",
        "22",
        "B11",
        "\\udfff in a view value",
        tour_call(lambda s: s.import_json(step_view('"\\udfff"')), expect_ok=False),
    )
    add(
        "tours",
        "23a",
        "B11",
        "surrogate in create()",
        tour_call(lambda s: s.create("\ud800"), expect_ok=False),
    )
    add(
        "tours",
        "23b",
        "B11",
        "surrogate in add_step() title",
        tour_call(lambda s: s.add_step(s.create("x").id, "\udcff", {}), expect_ok=False),
    )
    add("tours", "46", "B1", "steps.view of 100k nested arrays in the DB", tour_call(nested_view_in_db))
    add("tours", "50", "B12", "read-only file in a read-only directory", readonly_db)
    # samples of OK rows
    add(
        "tours",
        "1",
        "OK",
        "valid import",
        tour_call(
            lambda s: s.import_json(tour_doc("x", [{"title": "a", "view": {"k": "v"}}])), expect_ok=True
        ),
    )
    add(
        "tours",
        "2",
        "OK",
        "300 kB import",
        tour_call(lambda s: s.import_json(b" " * 300_000), expect_ok=False),
    )
    add(
        "tours",
        "9",
        "OK",
        "400-digit integer in a view",
        tour_call(lambda s: s.import_json(step_view("1" * 400))),
    )
    add("tours", "10", "OK", "1e400 in a view", tour_call(lambda s: s.import_json(step_view("1e400"))))
    add(
        "tours",
        "17",
        "OK",
        "101 steps",
        tour_call(
            lambda s: s.import_json(tour_doc("x", [{"title": "a", "view": {}}] * 101)), expect_ok=False
        ),
    )
    add(
        "tours",
        "19",
        "OK",
        "ESC in name",
        tour_call(lambda s: s.import_json(tour_doc("a\x1bb")), expect_ok=False),
    )
    add(
        "tours", "24", "OK", "invalid UTF-8", tour_call(lambda s: s.import_json(b"\xff\xfe"), expect_ok=False)
    )
    add("tours", "39", "OK", "random-bytes database", tour_call(corrupted_db, expect_ok=False))
    add("tours", "38", "OK", "missing database: tours()", tour_call(lambda s: s.tours(), expect_ok=True))

    # --- 4. exports
    add("export", "21a", "B13", "PNG title of 250k chars", png("W" * 250_000))
    add("export", "21b", "B13", "PNG title of 1M chars", png("W" * 1_000_000))
    add("export", "1", "OK", "HTML with hostile names", html_hostile)
    add("export", "7", "OK", "PNG default", png("Altynkol → Poti"))
    add("export", "20", "OK", "PNG title of 100k chars", png("W" * 100_000))

    # --- 5. parse_view
    add("view", "3", "OK", "NaN/Infinity/1e309", view({"zoom": "NaN", "lat": "Infinity", "teu": "1e309"}))
    add("view", "5", "OK", "5,000-digit numbers", view({"zoom": "1" * 5000, "year": "2e3"}))
    add("view", "8", "OK", "10M-char origin", view({"origin": "x" * 10_000_000}))
    add("view", "20", "OK", "lone surrogates", view({"origin": "\ud800", "avoid": "\udfff"}))
    return p


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="run only probes of this finding (B1..B13 or OK)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    # a report row may have run as two commands (54a/54b ...): a row is OK when all its commands are
    rows: dict[tuple[str, str, bool], bool] = {}
    try:
        for pr in probes():
            if args.only and pr.finding != args.only:
                continue
            try:
                ok, detail = pr.run()
            except Exception as exc:  # noqa: BLE001 - a probe that blows up is BAD
                ok, detail = False, f"probe raised {type(exc).__name__}: {exc}"[:200]
            key = (pr.area, pr.row.rstrip("ab"), pr.finding != "OK")
            rows[key] = rows.get(key, True) and ok
            if args.verbose or not ok:
                print(f"{'OK ' if ok else 'BAD'} {pr.area:6} #{pr.row:8} {pr.finding:4} {pr.what}: {detail}")
            else:
                print(f"OK  {pr.area:6} #{pr.row:8} {pr.finding:4} {pr.what}")
            sys.stdout.flush()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    bad_set = [ok for (_, _, was_bad), ok in rows.items() if was_bad]
    sample = [ok for (_, _, was_bad), ok in rows.items() if not was_bad]
    n_bad, n_sample = len(bad_set), len(sample)
    print(f"\nrows BAD in the report: {n_bad} rerun, {sum(bad_set)} now OK, {n_bad - sum(bad_set)} BAD")
    print(
        f"sample of rows OK in the report: {n_sample} rerun, {sum(sample)} OK, {n_sample - sum(sample)} BAD"
    )
    return 0 if all(rows.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
