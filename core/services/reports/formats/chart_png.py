"""A chart block drawn as a PNG for the Word file (Pillow): the same chart as the web page's
SVG, one line per series with its own colour, dash and marker (colour is never the only
difference), the target as a labelled dashed line, and a key under it."""

from __future__ import annotations

import io
import itertools
import math

from core.hooks.report import Chart

SCALE = 2  # drawn at twice the size, for print
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, KEY = 640, 300, 56, 90, 16, 40, 24
STYLES = (
    ((29, 112, 184), None, "circle"),
    ((212, 53, 28), (6, 3), "square"),
    ((0, 112, 60), (2, 3), "triangle"),
    ((76, 44, 146), (10, 4), "diamond"),
)
INK, GREY = (11, 12, 12), (80, 90, 95)


def _font(size: int):
    from PIL import ImageFont

    return ImageFont.load_default(size=size * SCALE)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _dashed(draw, points, colour, dash) -> None:
    if dash is None:
        draw.line(points, fill=colour, width=2 * SCALE)
        return
    on, off = (d * SCALE for d in dash)
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        length = math.hypot(x2 - x1, y2 - y1)
        at = 0.0
        while at < length:
            end = min(at + on, length)
            draw.line(
                [
                    (x1 + (x2 - x1) * at / length, y1 + (y2 - y1) * at / length),
                    (x1 + (x2 - x1) * end / length, y1 + (y2 - y1) * end / length),
                ],
                fill=colour,
                width=2 * SCALE,
            )
            at = end + off


def _marker(draw, kind: str, x: float, y: float, colour) -> None:
    r = 4 * SCALE
    if kind == "square":
        draw.rectangle([x - r, y - r, x + r, y + r], fill=colour)
    elif kind == "triangle":
        draw.polygon([(x, y - r - 2), (x - r - 1, y + r), (x + r + 1, y + r)], fill=colour)
    elif kind == "diamond":
        draw.polygon([(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)], fill=colour)
    else:
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)


def png(chart: Chart) -> bytes:
    from PIL import Image, ImageDraw

    values = [v for line in chart.series.values() for v in line if v is not None]
    if chart.target is not None:
        values.append(chart.target)
    low, high = min(0.0, *values), max(values)
    if high == low:
        high = low + 1
    height = HEIGHT + KEY * len(chart.series)
    image = Image.new("RGB", (WIDTH * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    small = _font(12)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(chart.labels)
    step = plot_w / max(count - 1, 1)

    def x(i: int) -> float:
        return (LEFT + i * step) * SCALE

    def y(v: float) -> float:
        return (TOP + plot_h * (1 - (v - low) / (high - low))) * SCALE

    base, left = (TOP + plot_h) * SCALE, LEFT * SCALE
    draw.line([(left, base), ((LEFT + plot_w) * SCALE, base)], fill=GREY, width=SCALE)
    draw.line([(left, TOP * SCALE), (left, base)], fill=GREY, width=SCALE)
    for v in (low, (low + high) / 2, high):
        draw.text((left - 6 * SCALE, y(v)), _number(v), fill=INK, font=small, anchor="rm")
    for i, label in enumerate(chart.labels):
        draw.text((x(i), base + 8 * SCALE), label, fill=INK, font=small, anchor="mt")
    if chart.target is not None:
        line = [(left, y(chart.target)), ((LEFT + plot_w) * SCALE, y(chart.target))]
        _dashed(draw, line, INK, (4, 4))
        draw.text(
            ((LEFT + plot_w + 6) * SCALE, y(chart.target)),
            f"Target {_number(chart.target)}",
            fill=INK,
            font=small,
            anchor="lm",
        )
    for n, (name, series) in enumerate(chart.series.items()):
        colour, dash, marker = STYLES[n % len(STYLES)]
        points = [(x(i), y(v)) for i, v in enumerate(series) if v is not None]
        if len(points) > 1:
            _dashed(draw, points, colour, dash)
        for px, py in points:
            _marker(draw, marker, px, py, colour)
        key_y = (HEIGHT + KEY * n + KEY / 2) * SCALE
        _dashed(draw, [(left, key_y), (left + 34 * SCALE, key_y)], colour, dash)
        _marker(draw, marker, left + 17 * SCALE, key_y, colour)
        draw.text((left + 44 * SCALE, key_y), name, fill=INK, font=small, anchor="lm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def alt_text(chart: Chart) -> str:
    """The chart in words, for a screen reader (the table beside it gives every number)."""
    lines = []
    for name, series in chart.series.items():
        shown = [
            f"{label} {_number(v)}"
            for label, v in zip(chart.labels, series, strict=True)
            if v is not None
        ]
        lines.append(f"{name}: {', '.join(shown) or 'no figures'}")
    target = f" Target: {_number(chart.target)}." if chart.target is not None else ""
    return f"{chart.title}. " + "; ".join(lines) + "." + target
