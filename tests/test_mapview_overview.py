"""The overview's frames (every place, a corridor, one feature) and its highlight (corridors.mapview)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from corridors.export import spec_png_layers
from corridors.mapview import (
    HIGHLIGHT_COLOR,
    corridor_frame,
    crossing_records,
    feature_frame,
    highlight_layer,
    map_frame,
    overview_deck,
    places_frame,
)
from corridors.network import load_network

TINY = Path(__file__).parent / "data" / "tiny"
SIZE = (660, 580)


@pytest.fixture(scope="module")
def tiny_ds():
    return load_network(TINY).dataset


def visible(frame, size=SIZE) -> tuple[float, float, float, float]:
    """(west, south, east, north) a deck.gl web-mercator map of ``size`` pixels shows at ``frame``."""
    scale = 512 * 2.0**frame.zoom
    cx = (frame.longitude + 180) / 360 * scale
    lat = math.radians(frame.latitude)
    cy = (1 - math.log(math.tan(math.pi / 4 + lat / 2)) / math.pi) / 2 * scale

    def lat_at(y: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))

    w, h = size
    return (
        (cx - w / 2) / scale * 360 - 180,
        lat_at(cy + h / 2),
        (cx + w / 2) / scale * 360 - 180,
        lat_at(cy - h / 2),
    )


def outside(points, frame, size=SIZE) -> list:
    w, s, e, n = visible(frame, size)
    return [p for p in points if not (w <= p[0] <= e and s <= p[1] <= n)]


def test_places_frame_shows_every_place_the_trimmed_frame_cuts_off(net_shipped):
    ds = net_shipped.dataset
    places = [r["xy"] for r in ds.node_records]
    assert outside(places, map_frame(ds, width_px=SIZE[0], height_px=SIZE[1]))  # Xi'an, Constanța...
    assert outside(places, places_frame(ds, width_px=SIZE[0], height_px=SIZE[1])) == []
    # a wider, shorter map (the presenter's) too
    assert outside(places, places_frame(ds, width_px=880, height_px=470), (880, 470)) == []


def test_corridor_frame_shows_each_corridor_and_nothing_for_unknown_ones(net_shipped):
    ds = net_shipped.dataset
    whole = places_frame(ds)
    for cid in ds.corridors["id"]:
        coords = [c for r in ds.link_records if cid in r["corridors"] for c in r["coords"]]
        frame = corridor_frame(ds, [cid])
        assert coords and outside(coords, frame) == [], cid
        assert frame.zoom >= whole.zoom, cid
    assert corridor_frame(ds, ["no_such_corridor"]) is None
    assert corridor_frame(ds, []) is None


def test_feature_frame_moves_to_a_place_or_a_link_and_never_zooms_out(net_shipped):
    ds = net_shipped.dataset
    base = places_frame(ds)
    f = feature_frame(ds, "aktau", base=base)
    x, y = ds.nodes.loc["aktau", "geometry"].coords[0]
    assert abs(f.longitude - x) < 0.01 and abs(f.latitude - y) < 0.01
    assert f.zoom == round(base.zoom + 2.5, 1)
    shrink = math.cos(math.radians(f.latitude)) / math.cos(math.radians(base.latitude))
    assert f.m_per_px == pytest.approx(base.m_per_px * shrink / 2 ** (f.zoom - base.zoom), rel=0.01)
    longest = max(ds.link_records, key=lambda r: r["length_km"])
    f = feature_frame(ds, longest["id"], base=base)
    assert base.zoom <= f.zoom <= base.zoom + 2.5
    assert outside(longest["coords"], f) == []
    assert feature_frame(ds, "nowhere", base=base) is None
    # a closer base: the camera never zooms out of it
    close = feature_frame(ds, "aktau", base=base)
    assert feature_frame(ds, longest["id"], base=close).zoom >= close.zoom


def test_highlight_layer_marks_a_place_a_crossing_and_a_link(tiny_ds):
    frame = map_frame(tiny_ds)
    place = highlight_layer(tiny_ds, "b", frame=frame)
    x, y = tiny_ds.nodes.loc["b", "geometry"].coords[0]
    assert place.type == "ScatterplotLayer" and place.id == "highlight" and place.pickable is False
    assert place.data[0]["position"] == [round(x, 5), round(y, 5)]
    crossing = highlight_layer(tiny_ds, "x_rail", frame=frame)
    mid = next(c["position"] for c in crossing_records(tiny_ds) if c["id"] == "x_rail")
    assert crossing.type == "ScatterplotLayer" and crossing.data[0]["position"] == mid
    line = highlight_layer(tiny_ds, "ya_c", frame=frame)
    coords = next(r["coords"] for r in tiny_ds.link_records if r["id"] == "ya_c")
    assert line.type == "PathLayer" and line.pickable is False
    assert line.data[0]["path"] == [[round(a, 5), round(b, 5)] for a, b in coords]
    assert highlight_layer(tiny_ds, "nowhere", frame=frame) is None


def test_overview_deck_draws_the_highlight_under_the_rest_and_in_the_png(tiny_ds):
    plain = json.loads(overview_deck(tiny_ds, year=None).to_json())
    assert "highlight" not in [ly["id"] for ly in plain["layers"]]
    spec = json.loads(overview_deck(tiny_ds, year=None, highlight="b").to_json())
    ids = [ly["id"] for ly in spec["layers"]]
    assert ids[0] == "highlight" and ids[1:] == [ly["id"] for ly in plain["layers"]]
    assert (
        json.loads(overview_deck(tiny_ds, year=None, highlight="nowhere").to_json())["layers"]
        == plain["layers"]
    )
    png = spec_png_layers(spec)
    assert png[0].color == HIGHLIGHT_COLOR and png[0].points  # drawn first: the marker stays on top
