"""Data and sources: what the dataset holds, its validation report, your own dataset (upload), downloads,
the model against published figures (``corridors check-model``), sources."""

from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from corridors.checks import check_model
from corridors.tables import check_tables, dataset_summary, safe_url, sources_table
from corridors.upload import MAX_FEATURES, MAX_FILES, MAX_UPLOAD_BYTES
from pages._data import DATA_FILES, dataset_key, download_file, network_or_stop, problems
from pages._sharing import share_panel
from pages._text import md_escape
from pages._upload import OUTCOME, back_to_shipped, in_use, on_upload, problem_table, report_csv, uploader_key
from pages._urlstate import ensure_router, sync_url, url_view

ensure_router()

key = dataset_key()
path = Path(key[0])

st.title("Data and sources")
view = url_view("sources")
sync_url(view)
share_panel(view, "Data and sources")
shown = "your upload (this session only)" if in_use() else md_escape(path.name)
st.caption(
    f"Dataset directory: {shown} · schema: geodata/README.md · check it from a shell with "
    "`corridors validate`."
)

st.subheader("Validation report")
found = problems(key)
if found:
    st.error(f"{len(found)} problem(s): the app cannot use this dataset until they are fixed.")
    st.dataframe(pd.DataFrame({"problem": found}), hide_index=True, width="stretch", key="problems_table")
else:
    st.success(
        "Valid: every rule of geodata/README.md holds (sources, estimates flagged, "
        "coordinates, lengths, crossings, transfers).",
        icon=":material/check_circle:",
    )

st.subheader("Use your own dataset")
st.caption(
    "Upload your own crossings, tariffs or volumes in the schema of geodata/README.md: a .zip of the "
    "files or the files themselves (nodes.geojson, links.geojson and sources.csv at least; the files "
    "below are a template). It is checked with the same rules as `corridors validate`; a valid one "
    "drives every page for this session only, and the shipped files are never changed. Limits: "
    f"{MAX_UPLOAD_BYTES // 1_000_000} MB, {MAX_FILES} files, {MAX_FEATURES:,} features per GeoJSON file."
)
st.file_uploader(
    "Dataset files or a .zip",
    type=["zip", "geojson", "csv", "toml", "json"],
    accept_multiple_files=True,
    key=uploader_key(),
    on_change=on_upload,
    args=(uploader_key(),),
    max_upload_size=MAX_UPLOAD_BYTES // 1_000_000,
)
outcome = st.session_state.get(OUTCOME)
if outcome is not None and not outcome.ok:
    st.error(
        f"**Your upload has {len(outcome.problems)} problem(s)** and is not used"
        + (" (the app keeps your previous upload)." if in_use() else " (the app keeps the shipped dataset).")
        + " Fix them and upload again.",
        icon=":material/error:",
    )
    st.dataframe(problem_table(outcome.problems), hide_index=True, width="stretch", key="upload_problems")
    st.download_button(
        "Problem report (CSV)",
        report_csv(outcome.problems),
        file_name="upload_problems.csv",
        mime="text/csv",
        key="upload_report",
        on_click="ignore",
        icon=":material/download:",
    )
if in_use():
    used = ", ".join(outcome.files) if outcome is not None and outcome.ok else ""
    st.success(
        "**Your dataset is in use** on every page of this session"
        + (f": {md_escape(used)}" if used else "")
        + "."
        + (
            f" Ignored (not files of the schema): {md_escape(', '.join(outcome.ignored[:10]))}."
            if outcome is not None and outcome.ok and outcome.ignored
            else ""
        ),
        icon=":material/upload_file:",
    )
    st.button(
        "Back to the shipped dataset",
        key="dataset_back_page",
        on_click=back_to_shipped,
        icon=":material/undo:",
    )

st.subheader("Downloads")
cols = st.columns(4)
for i, name in enumerate(DATA_FILES):
    f = path / name
    if not f.is_file():
        continue
    cols[i % 4].download_button(
        name,
        partial(download_file, f),
        file_name=name,
        key=f"file_{name}",
        on_click="ignore",
        mime="application/geo+json" if name.endswith(".geojson") else "text/csv",
        icon=":material/download:",
        width="stretch",
    )

net = network_or_stop()
ds = net.dataset

st.subheader("What the dataset holds")
st.dataframe(
    dataset_summary(ds),
    hide_index=True,
    width="stretch",
    key="summary_table",
    column_config={"rows": st.column_config.NumberColumn(format="%d")},
)
if len(ds.corridors):
    st.dataframe(
        ds.corridors[[c for c in ("id", "name", "description") if c in ds.corridors]],
        hide_index=True,
        width="stretch",
        key="corridors_table",
    )

st.subheader("How close are these numbers to published ones?")


@st.cache_data(show_spinner="Checking the model against published figures…", max_entries=4)
def model_check(dataset: object, _net: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``corridors check-model`` as two tables (summary, cases) with place names, source titles and
    one-click source links (cached per dataset version)."""
    check = check_model(_net)
    cases, summary = check_tables(check)
    ds_ = _net.dataset
    place = dict(zip(ds_.nodes["id"], ds_.nodes["name"], strict=True))
    recs = {str(r["id"]): r for r in ds_.source_records}
    if len(cases):
        cases["from → to"] = [
            f"{place.get(r.case['origin'], r.case['origin'])} → "
            f"{place.get(r.case['destination'], r.case['destination'])}"
            for r in check.results
        ]
        ids = [str(r.case["source"][0]) if r.case["source"] else "" for r in check.results]
        cases["source"] = [str(recs.get(i, {}).get("title") or i) for i in ids]
        cases["link"] = [safe_url(recs.get(i, {}).get("url")) for i in ids]
        # the strings of `corridors check-model`'s table (blank where it prints "-" or "no route")
        cases["model"] = ["" if r.model is None else f"{r.model:,.0f}" for r in check.results]
        cases["ratio"] = ["" if r.ratio is None else f"x{r.ratio:.2f}" for r in check.results]
        cases["in range"] = [{True: "yes", False: "no", None: ""}[r.in_range] for r in check.results]
        cases["no route"] = [r.message for r in check.results]
    return _blank(summary), _blank(cases)


def _blank(df: pd.DataFrame) -> pd.DataFrame:
    """Missing values as blanks (a table never shows "None"), whole numbers without decimals."""
    out = df.copy()
    for col in out.columns:
        if out[col].isna().any():
            out[col] = [
                "" if v is None or v != v else (f"{v:.0f}" if isinstance(v, float) else v) for v in out[col]
            ]
    return out


st.caption(
    "The model against published end-to-end figures (geodata/validation.csv: schedules, operator-"
    "reported times, through-rates, route lengths), the same report as `corridors check-model`. These "
    "figures only check the model: no parameter is tuned to them. Model: the route's value (hours, USD, "
    "km); ratio: the model (the P50 for a schedule) over the published midpoint; in range: inside the "
    "published range; a realised time is checked for falling inside the model's P10–P90."
)
if not ds.validation_records:
    st.info("This dataset has no validation.csv: nothing to compare with.", icon=":material/info:")
else:
    summary, cases = model_check(key, net)
    st.dataframe(summary, hide_index=True, width="stretch", key="check_summary")
    st.dataframe(
        cases,
        hide_index=True,
        width="stretch",
        key="check_cases",
        column_order=[
            "from → to",
            "what",
            "kind",
            "published",
            "link",
            "model",
            "P10–P50–P90",
            "ratio",
            "in range",
            "inside P10–P90",
            "year",
            "source",
            "as printed",
            "no route",
        ],
        column_config={
            "link": st.column_config.LinkColumn(
                "source", display_text=r"https?://(?:www\.)?([^/]+)", help="the published source (opens it)"
            ),
            "source": st.column_config.TextColumn("source title", width="medium"),
            "as printed": st.column_config.TextColumn(width="large"),
        },
    )

st.subheader("Sources")
st.caption(
    "Every coordinate, length, time, cost and volume points to one of these. Flags: OFFICIAL "
    "(a government, operator or IFI publication), PRESS, PRESS/Wiki, UNVERIFIED, METHOD (how "
    "an estimate was made)."
)
src = sources_table(ds)
st.dataframe(
    src,
    hide_index=True,
    width="stretch",
    key="sources_table",
    column_order=["id", "title", "url", "publisher", "date", "flag", "note"],
    column_config={
        "title": st.column_config.TextColumn(width="large"),
        "url": st.column_config.LinkColumn("url", width="medium"),
    },
)

params_box = st.expander("Cost-model parameters (parameters.csv)", key="parameters_open", on_change="rerun")
if params_box.open:  # a lazy expander: the table is built only while it is open
    with params_box:
        par = ds.parameters.copy()
        if len(par):
            par["source"] = par["source"].map(lambda s: "; ".join(s))
            par["estimate"] = par["estimate"].map(lambda e: "EST" if e else "")
        st.dataframe(par, hide_index=True, width="stretch", key="parameters_table")
