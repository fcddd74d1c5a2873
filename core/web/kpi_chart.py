"""A KPI's series as an SVG line chart drawn on the server (no script, no CDN): one line per
area, each with its own marker and dash so that colour is never the only difference, and the
target as a labelled dashed line. The key is a list under the chart, in the page's own text, so
that it wraps and stays readable on a phone and with any number of areas. The page always shows
the same numbers in a table."""

from __future__ import annotations

from markupsafe import Markup, escape

from core.enums import KpiFrequency
from core.services.kpis.periods import period_words

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 300, 56, 90, 16, 40
# Colours with at least 3:1 contrast on white, dashes and markers told apart without colour.
STYLES = (
    ("#1d70b8", "", "circle"),
    ("#d4351c", "6 3", "square"),
    ("#00703c", "2 3", "triangle"),
    ("#4c2c92", "10 4 2 4", "diamond"),
    ("#b58840", "1 2", "circle"),
)


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} '
            f'{x + 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
        )
    if kind == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
            f'{x - 5:.1f},{y:.1f}" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def line_chart(
    title: str,
    periods: list[str],
    series: dict[str, list[float | None]],
    target: float | None = None,
    ident: str = "chart",
    *,
    breaks: frozenset[int] = frozenset(),
    frequency: KpiFrequency | None = None,
) -> Markup:
    """An SVG chart of ``series`` (name to one value or None per period) over ``periods``;
    ``ident`` keeps the ids of several charts on one page apart. At each index in ``breaks``
    the definition changed: the lines are not joined across it, and a labelled dashed line
    marks it. ``frequency``: the KPI's, to write its periods."""
    values = [v for line in series.values() for v in line if v is not None]
    if target is not None:
        values.append(target)
    if not periods or not values:
        return Markup("")
    low, high = min(0.0, min(values)), max(values)
    if high == low:
        high = low + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(periods) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(periods) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cpc-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">A line chart of {len(series)} series over {len(periods)} '
        "periods"
        + (
            f"; the lines break where the definition changed ({len(breaks)} "
            f"{'break' if len(breaks) == 1 else 'breaks'})"
            if breaks
            else ""
        )
        + "; the key is below it, and the table beside it gives every number.</desc>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        'stroke="#505a5f"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#505a5f"/>',
    ]
    for v in (low, (low + high) / 2, high):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#0b0c0c">{_number(v)}</text>'
        )
    every = max(1, len(periods) // 6)
    for i, period in enumerate(periods):
        if i % every == 0 or i == len(periods) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                f'font-size="12" fill="#0b0c0c">'
                f"{escape(period_words(period, short=True, frequency=frequency))}</text>"
            )
    for i in sorted(breaks):
        if 0 < i < len(periods):
            mid = (x(i - 1) + x(i)) / 2
            parts.append(
                f'<line x1="{mid:.1f}" y1="{TOP}" x2="{mid:.1f}" y2="{TOP + plot_h}" '
                'stroke="#505a5f" stroke-dasharray="3 3"/>'
                f'<text x="{mid + 3:.1f}" y="{TOP + 12}" font-size="11" fill="#0b0c0c">'
                "Definition changed</text>"
            )
    if target is not None:
        parts.append(
            f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{LEFT + plot_w}" y2="{y(target):.1f}" '
            'stroke="#0b0c0c" stroke-dasharray="4 4"/>'
            f'<text x="{LEFT + plot_w + 6}" y="{y(target) + 4:.1f}" font-size="12" '
            f'fill="#0b0c0c">Target {_number(target)}</text>'
        )
    for n, line in enumerate(series.values()):
        colour, dash, marker = STYLES[n % len(STYLES)]
        points = [(i, x(i), y(v)) for i, v in enumerate(line) if v is not None]
        for piece in _pieces(points, breaks):
            if len(piece) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for _i, px, py in piece)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                    + (f' stroke-dasharray="{dash}"' if dash else "")
                    + "/>"
                )
        parts += [_marker(marker, px, py, colour) for _i, px, py in points]
    parts.append("</svg>")
    return Markup("".join(parts)) + _key(series)


def _pieces(points: list, breaks: frozenset[int]) -> list[list]:
    """The points cut into runs that no definition change falls inside."""
    pieces: list[list] = [[]]
    for point in points:
        if pieces[-1] and any(pieces[-1][-1][0] < b <= point[0] for b in breaks):
            pieces.append([])
        pieces[-1].append(point)
    return pieces


def _key(series: dict[str, list[float | None]]) -> Markup:
    """The chart's key: each series' line, dash and marker, and its whole name."""
    items = []
    for n, name in enumerate(series):
        colour, dash, marker = STYLES[n % len(STYLES)]
        sample = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="36" height="14" aria-hidden="true" '
            'focusable="false">'
            f'<line x1="2" y1="7" x2="34" y2="7" stroke="{colour}" stroke-width="2"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
            + _marker(marker, 18, 7, colour)
            + "</svg>"
        )
        items.append(f"<li>{sample}<span>{escape(name)}</span></li>")
    return Markup(f'<ul class="cpc-chart-key" aria-label="Key to the chart">{"".join(items)}</ul>')
