"""What the Freight volumes page derives from a dataset version, cached (names, colours, links, maps)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from corridors.mapview import CompactDeck, corridor_colors, volumes_deck
from corridors.tables import source_urls
from corridors.volumes import default_year, volume_years, year_labels
from pages._data import DatasetKey, _network, frame


@dataclass(frozen=True)
class VolumeChoices:
    """Names, colours, source titles and links, years of one dataset version (built once)."""

    subject_names: dict[str, str]  # "kind:id" -> display name
    source_titles: dict[str, str]
    source_urls: dict[str, str]
    colors: dict[str, tuple[int, int, int]]  # corridor display name -> its map colour
    map_years: tuple[int, ...]
    map_year0: int | None
    map_year_labels: dict[int, str]  # "2030 (forecast)"


@st.cache_resource(max_entries=4)
def volume_choices(key: DatasetKey, this_year: int) -> VolumeChoices:
    """The page's lookups for a dataset version; years after ``this_year`` are forecasts."""
    ds = _network(key).dataset
    names = {f"node:{i}": str(n) for i, n in zip(ds.nodes["id"], ds.nodes["name"], strict=True)}
    names.update({f"link:{i}": str(n or i) for i, n in zip(ds.links["id"], ds.links["name"], strict=True)})
    names.update(
        {f"corridor:{r['id']}": str(r.get("name") or r["id"]) for r in ds.corridors.to_dict("records")}
    )
    vol = ds.volumes
    years = tuple(sorted(set(volume_years(vol)) | set(volume_years(vol, kind="node"))))
    y0 = default_year(vol)
    return VolumeChoices(
        subject_names=names,
        source_titles={str(r["id"]): str(r.get("title") or r["id"]) for r in ds.source_records},
        source_urls=source_urls(ds),
        colors={names.get(f"corridor:{c}", c): rgb for c, rgb in corridor_colors(ds).items()},
        map_years=years,
        map_year0=y0 if y0 in years else (years[-1] if years else None),
        map_year_labels=year_labels(vol, years, this_year=this_year),
    )


@st.cache_resource(max_entries=64)
def filtered_volumes_deck(
    key: DatasetKey, year: int | None, corridors: tuple[str, ...] | None, places: tuple[str, ...] | None
) -> CompactDeck:
    """The volumes map for a year, only these corridors' lines / places' markers (None: all)."""
    return volumes_deck(
        _network(key).dataset, year=year, frame=frame(key), corridors=corridors, places=places
    )
