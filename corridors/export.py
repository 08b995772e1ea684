"""Exports of a map view: a standalone HTML file and a static PNG for slides.

The HTML is our own template, not pydeck's ``to_html``: the deck spec travels as JSON inside a
``<script type="application/json">`` block with ``<``, ``>``, ``&`` and the line separators escaped,
and is read with ``JSON.parse``; tooltips use deck.gl's ``text`` mode (set as text, never as HTML); the
title and legend are escaped with :func:`html.escape`. A hostile place name in the data therefore shows
as text and cannot run script. The page needs no network: deck.gl and ``@deck.gl/json`` are shipped in
``corridors/vendor-js/`` (npm bundles, MIT, with their licences and a README naming version and sha256) and
inlined in the page with their licence notices; there is no basemap, font or other URL, so the layers
draw on white.

The PNG is drawn with Pillow (no browser): an equirectangular plot of the paths and points with a
title, a legend and an attribution line. Texts are cut to the width they can use (a name in the title
may be a megabyte long: Pillow would otherwise build a mask image as wide as the whole text), and the
image is at most :data:`MAX_PNG_PX` pixels a side.
"""

from __future__ import annotations

import functools
import html
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from corridors.text import plain_text

__all__ = [
    "Legend",
    "PngLayer",
    "camera_bounds",
    "safe_json",
    "script_safe",
    "spec_png_layers",
    "standalone_html",
    "static_png",
    "vendored_js",
]

#: deck.gl version of the vendored bundles (``corridors/vendor-js/*/README.md``).
DECKGL_VERSION = "9.1.14"
#: The vendored scripts, inlined in this order, each with the licence files before it. ``vendor-js`` is
#: not a Python identifier on purpose: setuptools ships it as package data, not as a namespace package.
VENDORED_JS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("deck.gl", "vendor-js/deckgl/dist.min.js", ("vendor-js/deckgl/LICENSE",)),
    (
        "@deck.gl/json",
        "vendor-js/deckgl-json/dist.min.js",
        ("vendor-js/deckgl-json/LICENSE", "vendor-js/deckgl-json/LICENSE.jsep"),
    ),
)
#: Largest PNG side in pixels (a 10,000 x 10,000 image takes about 550 MB).
MAX_PNG_PX = 10_000
#: Longest text drawn on a PNG before fitting it to its width (no line of the image holds more).
_MAX_DRAWN_CHARS = 500
ATTRIBUTION = "Data: corridors geodata (sources.csv). Figures marked EST are estimates."


def safe_json(obj: Any) -> str:
    """JSON that cannot close a ``<script>`` element or start an HTML comment."""
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def script_safe(js: str) -> str:
    """JavaScript source that can sit inside an inline ``<script>`` element.

    ``</script`` (any case) would end the element and ``<!--`` can switch the HTML parser into a
    state where ``</script>`` no longer ends it; both become ``<\\/script`` and ``<\\!--``, which
    mean the same inside JavaScript strings, template literals and (non-unicode) regular expressions.
    """
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")


@functools.cache
def vendored_js() -> str:
    """The shipped deck.gl and ``@deck.gl/json`` bundles as one inline script (read once per process).

    Each bundle is preceded by its licence texts in a ``/*! ... */`` comment, as their licences ask of
    copies. The result is :func:`script_safe`.

    Raises
    ------
    FileNotFoundError
        When a vendored file is missing from the installed package.
    """
    root = resources.files("corridors")
    parts = []
    for name, script, licences in VENDORED_JS:
        try:
            notices = [root.joinpath(p).read_text(encoding="utf-8") for p in licences]
            code = root.joinpath(script).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise FileNotFoundError(
                f"the vendored {name} bundle is missing from the corridors package ({exc.filename}); "
                "reinstall corridors"
            ) from exc
        header = "\n\n".join(n.strip().replace("*/", "* /") for n in notices)
        parts.append(
            f"/*! {name} {DECKGL_VERSION} from npm (corridors/{script})\n\n{header}\n*/\n{code.rstrip()}\n;"
        )
    return script_safe("\n".join(parts))


@dataclass(frozen=True)
class Legend:
    """One legend entry: a label, an RGB(A) colour, how the swatch is drawn and its width.

    ``mark``: ``line`` (a bar ``width`` px thick: routes, corridors, the freight width scale), ``dashed`` or
    ``dotted`` (a status), ``dot`` (a marker of diameter ``width``: crossings, ports, terminals).
    """

    label: str
    color: Sequence[int]
    mark: str = "line"
    width: float = 6.0

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Legend:
        """An entry from a :func:`corridors.mapview.legend_rows` row (hex colour, px width, mark)."""
        hex_color = str(row.get("color", "#555555")).lstrip("#")
        try:
            rgb = tuple(int(hex_color[i : i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            rgb = (85, 85, 85)
        mark = {"under_construction": "dashed", "planned": "dotted"}.get(
            str(row.get("mark")), str(row.get("mark"))
        )
        return cls(
            str(row.get("label", "")),
            rgb,
            mark if mark in ("line", "dashed", "dotted", "dot") else "line",
            float(row.get("width") or 6.0),
        )


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>
html, body {{ margin: 0; height: 100%; font-family: system-ui, sans-serif; }}
#map {{ position: absolute; inset: 0; }}
#panel {{ position: absolute; top: 12px; left: 12px; background: rgba(255,255,255,.92); padding: 10px 14px;
  border-radius: 6px; max-width: 420px; box-shadow: 0 1px 4px rgba(0,0,0,.25); z-index: 1; }}
#panel h1 {{ font-size: 18px; margin: 0 0 6px; }}
#panel p {{ margin: 4px 0; font-size: 13px; }}
.sw {{ display: inline-block; width: 14px; height: 6px; margin-right: 6px; vertical-align: middle; }}
#attr {{ position: absolute; bottom: 4px; right: 8px; font-size: 11px; background: rgba(255,255,255,.8);
  padding: 2px 6px; z-index: 1; }}
</style></head>
<body>
<div id="map"></div>
<div id="panel"><h1>{title}</h1>{subtitle}{legend}</div>
<div id="attr">{attribution}</div>
<script type="application/json" id="deck-spec">{spec}</script>
<script>
{deckgl}
</script>
<script>
(function () {{
  var spec = JSON.parse(document.getElementById("deck-spec").textContent);
  var converter = new deck.JSONConverter({{configuration: new deck.JSONConfiguration({{
    classes: Object.assign({{}}, deck, {{MapView: deck.MapView}})}})}});
  var props = converter.convert(spec);
  var tip = spec.tooltipText;
  new deck.DeckGL(Object.assign(props, {{
    container: "map",
    getTooltip: tip ? function (info) {{
      if (!info.object) return null;
      var text = tip.replace(/\\{{(\\w+)\\}}/g, function (_, k) {{
        var v = info.object[k];
        return v === undefined || v === null ? "" : String(v);
      }});
      return {{text: text}};
    }} : null
  }}));
}})();
</script>
</body></html>
"""


def standalone_html(
    spec: dict[str, Any] | str,
    *,
    title: str,
    subtitle: str = "",
    legend: Sequence[Legend] = (),
    attribution: str = ATTRIBUTION,
    tooltip_text: str | None = None,
) -> str:
    """A self-contained HTML page of a deck spec (dict or pydeck ``to_json()`` string).

    ``tooltip_text`` is a template such as ``"{name} ({kind})"``, filled with plain text.
    Mapbox/Carto basemap styles are dropped so the page needs no key and no network; the layers draw
    on white. deck.gl is inlined (:func:`vendored_js`, about 1.6 MB), so the page opens offline.
    """
    doc = json.loads(spec) if isinstance(spec, str) else dict(spec)
    doc.pop("mapStyle", None)
    doc.pop("mapProvider", None)
    doc.pop("tooltip", None)
    if tooltip_text:
        doc["tooltipText"] = tooltip_text
    items = "".join(
        f'<p><span class="sw" style="background: rgb({int(c[0])},{int(c[1])},{int(c[2])})"></span>'
        f"{html.escape(e.label)}</p>"
        for e in legend
        for c in [e.color]
    )
    return _TEMPLATE.format(
        title=html.escape(title),
        subtitle=f"<p>{html.escape(subtitle)}</p>" if subtitle else "",
        legend=items,
        attribution=html.escape(attribution),
        spec=safe_json(doc),
        deckgl=vendored_js(),
    )


#: TrueType fonts with Cyrillic, Latin Extended and arrows (Pillow's own font lacks "→", "ț").
_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)


def _font(size: int, *, bold: bool = False) -> Any:
    from PIL import ImageFont

    for d in _FONT_DIRS:
        for name in (("DejaVuSans-Bold.ttf",) if bold else ()) + ("DejaVuSans.ttf",):
            try:
                return ImageFont.truetype(f"{d}/{name}", size)
            except OSError:
                continue
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


@dataclass(frozen=True)
class PngLayer:
    """Paths (lists of (lon, lat)) or points to draw, with one colour and a width/radius in px."""

    paths: Sequence[Sequence[tuple[float, float]]] = ()
    points: Sequence[tuple[float, float]] = ()
    color: Sequence[int] = (60, 60, 60)
    width: int = 2
    labels: Sequence[str] = field(default=())


def static_png(
    layers: Sequence[PngLayer],
    *,
    title: str,
    subtitle: str = "",
    legend: Sequence[Legend] = (),
    attribution: str = ATTRIBUTION,
    size: tuple[int, int] = (1600, 900),
    bounds: tuple[float, float, float, float] | None = None,
) -> bytes:
    """A PNG of the layers (equirectangular, scaled by the cosine of the mid latitude).

    Title, subtitle, legend labels and attribution are cut (ending with ``…``) to fit the image;
    point labels to 60 characters. ``size`` is at most :data:`MAX_PNG_PX` a side (ValueError).
    """
    from PIL import Image, ImageDraw

    w, h = size
    if not (1 <= w <= MAX_PNG_PX and 1 <= h <= MAX_PNG_PX):
        raise ValueError(f"size must be 1 to {MAX_PNG_PX} pixels a side, got {w} x {h}")
    img = Image.new("RGB", size, (248, 248, 244))
    draw = ImageDraw.Draw(img)
    font, big, small = (_font(18), _font(34, bold=True), _font(14))
    xs = [x for lay in layers for p in lay.paths for x, _ in p] + [x for lay in layers for x, _ in lay.points]
    ys = [y for lay in layers for p in lay.paths for _, y in p] + [y for lay in layers for _, y in lay.points]
    if bounds is None:
        bounds = (min(xs, default=40), min(ys, default=30), max(xs, default=80), max(ys, default=50))
    x0, y0, x1, y1 = bounds
    kx = math.cos(math.radians((y0 + y1) / 2))
    top, pad = 90, 40
    legend_w = _legend_width(draw, legend, font, min(w * 0.42, 620)) + pad / 2 if legend else 0.0
    map_w = w - 2 * pad - legend_w  # the map keeps clear of the legend panel
    span_x = max((x1 - x0) * kx, 1e-6)
    span_y = max(y1 - y0, 1e-6)
    scale = min(map_w / span_x, (h - top - pad - 40) / span_y)
    ox = pad + (map_w - span_x * scale) / 2
    oy = top + ((h - top - pad - 40) - span_y * scale) / 2

    def proj(lon: float, lat: float) -> tuple[float, float]:
        return ox + (lon - x0) * kx * scale, oy + (y1 - lat) * scale

    for lay in layers:
        col = tuple(int(c) for c in lay.color[:3])
        for path in lay.paths:
            pts = [proj(x, y) for x, y in path]
            if len(pts) >= 2:
                draw.line(pts, fill=col, width=lay.width, joint="curve")
        for i, (x, y) in enumerate(lay.points):
            px, py = proj(x, y)
            r = lay.width
            draw.ellipse((px - r, py - r, px + r, py + r), fill=col, outline=(255, 255, 255))
            if i < len(lay.labels) and lay.labels[i]:
                draw.text(
                    (px + r + 3, py - 9),
                    plain_text(lay.labels[i], limit=60),
                    fill=(30, 30, 30),
                    font=small,
                    stroke_width=2,
                    stroke_fill=(255, 255, 255),
                )
    draw.rectangle((0, 0, w, top - 10), fill=(255, 255, 255))
    draw.text((pad, 14), _fit(draw, title, big, w - 2 * pad), fill=(20, 20, 20), font=big)
    if subtitle:
        draw.text((pad, 56), _fit(draw, subtitle, font, w - 2 * pad), fill=(70, 70, 70), font=font)
    if legend:
        _draw_legend(draw, legend, font, box=(w - pad, top + 10, h - 40), max_width=min(w * 0.42, 620))
    draw.text((pad, h - 28), _fit(draw, attribution, small, w - 2 * pad), fill=(90, 90, 90), font=small)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _draw_legend(
    draw: Any, legend: Sequence[Legend], font: Any, *, box: tuple[float, float, float], max_width: float
) -> None:
    """The legend as a white panel anchored at the top right (``box`` = right, top, bottom): labels wrap
    onto as many lines as they need within ``max_width`` (never cut at the edge), swatches are drawn by
    kind (a bar of the line's width, a dashed or dotted bar, a dot), entries that do not fit the height are
    summed up in a last line."""
    right, top, bottom = box
    sw, gap, line_h = _SWATCH_W, 10, 22
    wrapped = [(e, _wrap(draw, e.label, font, max_width - sw - gap - 24)) for e in legend]
    x0 = right - _legend_width(draw, legend, font, max_width)
    y, shown = top + 10, 0
    heights = [max(line_h * len(lines), 18) + 6 for _, lines in wrapped]
    room = bottom - top - 20
    while shown < len(wrapped) and sum(heights[: shown + 1]) <= room:
        shown += 1
    panel_h = sum(heights[:shown]) + (line_h if shown < len(wrapped) else 0) + 20
    draw.rectangle((x0, top, right, top + panel_h), fill=(255, 255, 255), outline=(210, 210, 210))
    for (e, lines), hgt in zip(wrapped[:shown], heights[:shown], strict=True):
        col = tuple(int(c) for c in e.color[:3])
        cy, sx = y + 10, x0 + 12
        if e.mark == "dot":
            r = max(3.0, min(e.width / 2, 9.0))
            draw.ellipse(
                (sx + sw / 2 - r, cy - r, sx + sw / 2 + r, cy + r), fill=col, outline=(255, 255, 255)
            )
        else:
            th = max(1, min(int(round(e.width)), 16))
            step = {"dashed": (10, 6), "dotted": (3, 5)}.get(e.mark)
            x = sx
            while x < sx + sw:
                end = sx + sw if step is None else min(x + step[0], sx + sw)
                draw.line((x, cy, end, cy), fill=col, width=th)
                x = end + (step[1] if step else 0)
        for j, ln in enumerate(lines):
            draw.text((sx + sw + gap, y + j * line_h), ln, fill=(30, 30, 30), font=font)
        y += hgt
    if shown < len(wrapped):
        draw.text(
            (x0 + 12, y), f"+ {len(wrapped) - shown} more in the app's legend", fill=(90, 90, 90), font=font
        )


_SWATCH_W = 44


def _legend_width(draw: Any, legend: Sequence[Legend], font: Any, max_width: float) -> float:
    """Width of the legend panel: the widest wrapped label plus the swatch, at most ``max_width``."""
    text_w = max_width - _SWATCH_W - 10 - 24
    used = max(
        (draw.textlength(ln, font=font) for e in legend for ln in _wrap(draw, e.label, font, text_w)),
        default=0,
    )
    return min(max_width, _SWATCH_W + 10 + used + 24)


def _wrap(draw: Any, text: str, font: Any, width: float, *, max_lines: int = 3) -> list[str]:
    """``text`` broken at spaces into lines of at most ``width`` pixels (a long word is cut with ``…``),
    at most ``max_lines`` lines (the last ends with ``…`` when text remains)."""
    words = plain_text(text, limit=_MAX_DRAWN_CHARS).split()
    lines: list[str] = []
    cur = ""
    for wd in words:
        trial = f"{cur} {wd}".strip()
        if draw.textlength(trial, font=font) <= width:
            cur = trial
            continue
        if cur:
            lines.append(cur)
        cur = wd if draw.textlength(wd, font=font) <= width else _fit(draw, wd, font, width)
    if cur:
        lines.append(cur)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _fit(draw, " ".join(lines[max_lines - 1 :]) + " …", font, width)]
    return lines or [""]


def _fit(draw: Any, text: str, font: Any, width: float) -> str:
    """``text`` on one line (control characters as spaces), cut with ``…`` to fit ``width`` pixels."""
    s = plain_text(text, limit=_MAX_DRAWN_CHARS)
    if draw.textlength(s, font=font) <= width:
        return s
    lo, hi = 0, len(s)  # the longest prefix that fits with the ellipsis
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if draw.textlength(s[:mid] + "…", font=font) <= width:
            lo = mid
        else:
            hi = mid - 1
    return s[:lo] + "…"


_WORLD_PX = 512  # deck.gl's web-mercator world width at zoom 0
_EARTH_M = 40_075_016.686


def camera_bounds(
    lat: float, lon: float, zoom: float, *, width_px: int = 1000, height_px: int = 560
) -> tuple[float, float, float, float]:
    """(west, south, east, north) that a map of ``width_px`` x ``height_px`` shows at this camera."""
    deg_per_px = 360.0 / (_WORLD_PX * 2.0**zoom)
    half_w = width_px / 2 * deg_per_px
    half_h = height_px / 2 * deg_per_px * math.cos(math.radians(lat))
    return (
        max(lon - half_w, -180.0),
        max(lat - half_h, -85.0),
        min(lon + half_w, 180.0),
        min(lat + half_h, 85.0),
    )


def _rgb(c: Any) -> tuple[int, int, int]:
    try:
        return int(c[0]), int(c[1]), int(c[2])
    except (TypeError, ValueError, IndexError):
        return (60, 60, 60)


def spec_png_layers(spec: dict[str, Any], *, px_scale: float = 1.5) -> list[PngLayer]:
    """:class:`PngLayer` s for the path, point and text layers of a deck spec (pydeck JSON).

    Widths and radii in meters become pixels at the spec's camera (``px_scale`` for the PNG's
    larger size), clamped to the layer's min/max pixels; one PngLayer per colour and width.
    """
    vs = spec.get("initialViewState") or {}
    lat = float(vs.get("latitude", 42.0))
    zoom = float(vs.get("zoom", 3.0))
    m_per_px = _EARTH_M * math.cos(math.radians(lat)) / (_WORLD_PX * 2.0**zoom)
    out: list[PngLayer] = []
    for layer in spec.get("layers", []):
        kind = layer.get("@@type")
        rows = layer.get("data") or []
        if not isinstance(rows, list):
            continue
        groups: dict[tuple[tuple[int, int, int], int], list[Any]] = {}
        if kind == "PathLayer":
            lo, hi = float(layer.get("widthMinPixels", 1)), float(layer.get("widthMaxPixels", 24))
            for r in rows:
                w = float(r.get("width", 1) or 1) / m_per_px
                px = round(min(max(w, lo), hi) * px_scale)
                groups.setdefault((_rgb(r.get("color")), max(1, px)), []).append(
                    [(float(x), float(y)) for x, y in r.get("path", [])]
                )
            out += [PngLayer(paths=paths, color=c, width=w) for (c, w), paths in groups.items()]
        elif kind == "ScatterplotLayer":
            lo, hi = float(layer.get("radiusMinPixels", 2)), float(layer.get("radiusMaxPixels", 16))
            for r in rows:
                rad = float(r.get("radius", 1) or 1) / m_per_px
                px = round(min(max(rad, lo), hi) * px_scale * 0.7)
                pos = r.get("position") or [0, 0]
                groups.setdefault((_rgb(r.get("color")), max(2, px)), []).append(
                    (float(pos[0]), float(pos[1]))
                )
            out += [PngLayer(points=pts, color=c, width=w) for (c, w), pts in groups.items()]
        elif kind == "TextLayer":
            pts = [(float(r["position"][0]), float(r["position"][1])) for r in rows if r.get("position")]
            labels = [str(r.get("text", ""))[:60] for r in rows if r.get("position")]
            out.append(PngLayer(points=pts, labels=labels, color=(40, 40, 40), width=1))
    return out
