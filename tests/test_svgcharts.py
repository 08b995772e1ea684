"""Static SVG charts of the planner: ticks, escaping, bars that add up, the P10-P90 band's ends."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from corridors.charts import breakdown_frame, staircase_band, staircase_frame, time_parts
from corridors.svgcharts import Series, line_chart_svg, nice_ticks, stacked_bars_svg, staircase_svg

EVIL = '<script>alert(1)</script> & "quoted"'


@pytest.mark.parametrize(
    ("lo", "hi", "first", "last", "step"),
    [(0, 97, 0, 100, 20), (0, 4_188.7, 0, 5_000, 1_000), (0, 0.9, 0, 1.0, 0.2), (0, 180, 0, 200, 50)],
)
def test_nice_ticks_cover_the_range_in_round_steps(lo, hi, first, last, step):
    ticks = nice_ticks(lo, hi)
    assert ticks[0] == pytest.approx(first) and ticks[-1] == pytest.approx(last)
    assert all(b - a == pytest.approx(step) for a, b in zip(ticks, ticks[1:], strict=False))
    assert ticks[-1] >= hi


def test_labels_are_escaped_and_the_document_parses():
    svg = line_chart_svg(
        [Series(EVIL, "#ff0000", ((0, 0), (10, 5)), markers=((10, 5, EVIL),))], x_title=EVIL, y_title="h"
    )
    ET.fromstring(svg)  # well-formed XML
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    bars = stacked_bars_svg([(EVIL, {"a": 1.0})], parts=["a"], colors=["#000"], unit="h")
    ET.fromstring(bars)
    assert "<script>" not in bars


def test_stacked_bar_total_is_the_sum_of_its_parts():
    svg = stacked_bars_svg(
        [("Route 1", {"moving": 128.4, "border dwell": 16.2, "waiting": 35.9})],
        parts=["moving", "border dwell", "waiting"],
        colors=["#111", "#222", "#333"],
        unit="hours",
    )
    assert ">180<" in svg  # 128.4 + 16.2 + 35.9 = 180.5, labelled rounded
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="22"', svg)]
    assert len(widths) == 3 and widths[0] > widths[2] > widths[1]


def test_staircase_band_ends_at_the_route_distribution(tiny):
    best = tiny.route("a", "d", by="time", samples=2_000, seed=3)
    band = staircase_band(best, tiny.time_band(best))
    assert len(band) == len(best.legs) + 1 and band.iloc[0]["p10"] == 0
    assert band.iloc[-1]["p10"] == pytest.approx(best.distribution.p10, abs=0.01)
    assert band.iloc[-1]["p90"] == pytest.approx(best.distribution.p90, abs=0.01)
    assert (band["p90"] >= band["p10"]).all()
    svg = staircase_svg(staircase_frame([best]), y="hours", band=band)
    ET.fromstring(svg)
    assert "<polygon" in svg and "P10–P90" in svg


def test_time_parts_and_cost_items_add_up_to_the_totals(tiny):
    routes = tiny.routes("a", "d", k=2, by="cost")
    frame = breakdown_frame(routes)
    for i, r in enumerate(routes, start=1):
        hours = frame[(frame["route"] == f"Route {i}") & (frame["kind"] == "time")]["value"].sum()
        usd = frame[(frame["route"] == f"Route {i}") & (frame["kind"] == "cost")]["value"].sum()
        assert hours == pytest.approx(r.totals.time_h, abs=0.05)
        assert usd == pytest.approx(r.totals.cost_usd, abs=0.05)
        assert sum(time_parts(r).values()) == pytest.approx(r.totals.time_h, abs=0.01)
