"""A user's own dataset, uploaded as a .zip or as loose files: read safely, validated, kept apart.

An upload is untrusted. :func:`unpack_upload` writes only the files of the dataset schema
(``geodata/README.md``: ``nodes.geojson``, ``links.geojson``, the CSV tables, ``dataset.toml``, and TOML/JSON
files under ``scenarios/``) into a fresh directory, by their base names, so no path from an archive is ever
used; everything else is listed as ignored. Caps: the upload's total size, the number of files and of archive
members, each member's uncompressed size and compression ratio (a zip bomb is refused before it is inflated),
and the features of a GeoJSON file. Nothing is parsed with GDAL: :func:`corridors.data.validate_dataset`
reads the files with the project's own parsers, which cap JSON nesting and numbers.

:func:`check_upload` returns the problems (file, feature id, field, what) the app shows and offers as a
CSV report; a dataset with none can become a session's dataset. The shipped ``geodata/`` is never written.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from corridors.data import Problem, validate_dataset
from corridors.text import plain_text, safe_csv

__all__ = [
    "DATASET_FILES",
    "MAX_FEATURES",
    "MAX_FILES",
    "MAX_UPLOAD_BYTES",
    "UploadResult",
    "check_upload",
    "problem_report",
    "unpack_upload",
    "upload_summary",
]

#: The files of the dataset schema (anything else in an upload is ignored).
DATASET_FILES = frozenset(
    {
        "nodes.geojson",
        "links.geojson",
        "projects.geojson",
        "terminals.csv",
        "corridors.csv",
        "volumes.csv",
        "parameters.csv",
        "tariffs.csv",
        "sources.csv",
        "events.csv",
        "spreads.csv",
        "validation.csv",
        "dataset.toml",
    }
)
#: Caps (the app's upload widget also caps the request size).
MAX_UPLOAD_BYTES = 25_000_000
MAX_FILES = 40
MAX_MEMBER_BYTES = 20_000_000
MAX_RATIO = 100  # uncompressed / compressed size of one archive member
MAX_FEATURES = 20_000  # per GeoJSON file
MAX_SCENARIOS = 20


@dataclass
class UploadResult:
    """Where an upload was unpacked, what it held and what is wrong with it."""

    path: Path
    files: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the dataset is valid and can drive the app."""
        return not self.problems and "nodes.geojson" in self.files and "links.geojson" in self.files


def _target(name: str) -> str | None:
    """The schema file an uploaded name stands for (``data/nodes.geojson`` -> ``nodes.geojson``;
    ``x/scenarios/a.toml`` -> ``scenarios/a.toml``), None for anything else."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts:
        return None
    base = parts[-1]
    if base in DATASET_FILES:
        return base
    stem, _, ext = base.rpartition(".")
    if len(parts) >= 2 and parts[-2] == "scenarios" and ext in ("toml", "json") and stem.isidentifier():
        return f"scenarios/{base}"
    return None


def unpack_upload(files: Sequence[tuple[str, bytes]], dest: str | Path) -> UploadResult:
    """Write the schema files of an upload (a .zip, or loose files) into ``dest`` (created, must be empty).

    Parameters
    ----------
    files
        ``(name, content)`` of every uploaded file; a ``.zip`` is opened and its members taken instead.
    dest
        A fresh directory of the caller's (the app uses one temporary directory per session).
    """
    out = Path(dest)
    out.mkdir(parents=True, exist_ok=True)
    res = UploadResult(out)
    total = sum(len(b) for _, b in files)
    if total > MAX_UPLOAD_BYTES:
        res.problems.append(
            Problem("upload", "", "", f"{total:,} bytes, over the {MAX_UPLOAD_BYTES:,} limit")
        )
        return res
    members: list[tuple[str, bytes]] = []
    for name, content in files:
        if name.lower().endswith(".zip"):
            members += _unzip(name, content, res)
        else:
            members.append((name, content))
    if len(members) > MAX_FILES:
        res.problems.append(Problem("upload", "", "", f"{len(members)} files, more than {MAX_FILES}"))
        return res
    scenarios = 0
    for name, content in members:
        target = _target(name)
        if target is None:
            res.ignored.append(plain_text(name, limit=120))
            continue
        if target in res.files:
            res.problems.append(Problem(target, "", "", "given twice in the upload"))
            continue
        if target.startswith("scenarios/"):
            scenarios += 1
            if scenarios > MAX_SCENARIOS:
                res.ignored.append(target)
                continue
            (out / "scenarios").mkdir(exist_ok=True)
        if target.endswith(".geojson"):
            n = _feature_count(content)
            if n is not None and n > MAX_FEATURES:
                res.problems.append(Problem(target, "", "", f"{n:,} features, more than {MAX_FEATURES:,}"))
                continue
        (out / target).write_bytes(content)
        res.files.append(target)
    return res


def _unzip(name: str, content: bytes, res: UploadResult) -> list[tuple[str, bytes]]:
    """The members of an uploaded archive, refusing bombs and oversized members before inflating them."""
    label = plain_text(PurePosixPath(name).name, limit=80)
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        res.problems.append(Problem(label, "", "", "is not a readable .zip archive"))
        return []
    out = []
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_FILES * 5:
            res.problems.append(Problem(label, "", "", f"{len(infos)} members, more than {MAX_FILES * 5}"))
            return []
        for info in infos:
            member = plain_text(info.filename, limit=120)
            if _target(info.filename) is None:
                res.ignored.append(member)
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                res.problems.append(
                    Problem(member, "", "", f"{info.file_size:,} bytes unpacked, over the limit")
                )
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                res.problems.append(
                    Problem(member, "", "", "compressed more than 100:1 (refused as a zip bomb)")
                )
                continue
            try:
                with zf.open(info) as fh:
                    data = fh.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, RuntimeError, OSError, ValueError, EOFError) as exc:
                res.problems.append(Problem(member, "", "", f"cannot be unpacked: {str(exc)[:80]}"))
                continue
            if len(data) > MAX_MEMBER_BYTES:
                res.problems.append(Problem(member, "", "", "over the size limit once unpacked"))
                continue
            out.append((info.filename, data))
    return out


def _feature_count(content: bytes) -> int | None:
    """How many ``"type": "Feature"`` objects a GeoJSON text holds, counted without parsing it (None when
    the bytes are not text: the validator reports that)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.count('"Feature"')  # not '"FeatureCollection"', whose quote comes later


def check_upload(files: Sequence[tuple[str, bytes]], dest: str | Path) -> UploadResult:
    """:func:`unpack_upload`, then every problem of the dataset it holds (none: it can be used)."""
    res = unpack_upload(files, dest)
    if res.problems:
        return res
    missing = [f for f in ("nodes.geojson", "links.geojson", "sources.csv") if f not in res.files]
    if missing:
        res.problems += [Problem(f, "", "", "is missing from the upload") for f in missing]
        return res
    res.problems += validate_dataset(res.path)
    return res


def problem_report(problems: Iterable[Problem]) -> str:
    """The problems as CSV (file, feature id, field, problem), cells neutralised for spreadsheets."""
    buf = io.StringIO()
    w = safe_csv(csv.writer(buf, lineterminator="\n"))
    w.writerow(["file", "feature", "field", "problem"])
    for p in problems:
        w.writerow([p.file, p.feature, p.field, p.message])
    return buf.getvalue()


def upload_summary(res: UploadResult) -> str:
    """One JSON line describing an upload (what the app logs; no file content)."""
    return json.dumps({"files": res.files, "ignored": res.ignored[:20], "problems": len(res.problems)})
