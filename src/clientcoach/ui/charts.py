"""Charts as inline SVG, for the review page: a few shapes each, drawn here, so the page
needs no library, no script and nothing fetched.

Every chart is one ``<svg>`` with a ``viewBox`` (it scales to the width of its column),
``role="img"``, an ``aria-label`` and a ``<title>``; every text in it goes through
:func:`clientcoach.ui.escape.html`. The numbers are drawn as given: how a value is
written (a percent, a decimal comma) is the caller's, passed in as text.
"""

from __future__ import annotations

from collections.abc import Sequence

from clientcoach.i18n import _
from clientcoach.ui import escape
from clientcoach.ui.messages import joined


def _labelled(name: str, value: str) -> str:
    """A tooltip's "name: value", in the reader's typography (French spaces its colon)."""
    return _("{name}: {value}").format(name=name, value=value)


WIDTH = 480
FONT = 13
# The width of one character at FONT, on average: labels are cut to fit, never overlap.
CHAR = 7.0
ROW = 26
BAR = 16
# Colours that keep apart for the common colour blindnesses, and print on white.
PALETTE = ("#2f6db5", "#d9822b", "#3a9a5b", "#8c5fb0")
MUTED = "#6b7280"
GRID = "#d1d5db"

Number = int | float
Series = tuple[str, Sequence[Number | None]]


def _n(value: float) -> str:
    """A coordinate, short and exact enough."""
    return f"{value:.1f}".removesuffix(".0")


def _cut(text: str, room: float) -> str:
    """``text`` cut with an ellipsis to fit ``room`` units at FONT (the full text is in
    the chart's table and in the bar's own title)."""
    most = max(3, int(room / CHAR))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def svg(label: str, height: float, body: list[str], width: float = WIDTH, desc: str = "") -> str:
    """The chart's frame: its size, its name for a screen reader, its description."""
    name = escape.html(label)
    head = (
        f'<svg class="chart" viewBox="0 0 {_n(width)} {_n(height)}" width="100%"'
        f' preserveAspectRatio="xMinYMin meet" role="img" aria-label="{name}"'
        f' font-size="{FONT}">'
    )
    parts = [head, f"<title>{name}</title>"]
    if desc:
        parts.append(f"<desc>{escape.html(desc)}</desc>")
    return "".join([*parts, *body, "</svg>"])


def no_data(label: str, message: str, width: float = WIDTH) -> str:
    """A chart with nothing to draw yet keeps its place on the page and says so."""
    height = 72
    body = [
        f'<rect x="1" y="1" width="{_n(width - 2)}" height="{height - 2}" rx="6"'
        f' fill="none" stroke="{GRID}" stroke-dasharray="4 4"/>',
        f'<text x="{_n(width / 2)}" y="{height / 2 + 4:.0f}" text-anchor="middle"'
        f' fill="{MUTED}">{escape.html(message)}</text>',
    ]
    return svg(label, height, body, width, desc=message)


def _label_room(labels: Sequence[str], width: float) -> float:
    longest = max((len(text) for text in labels), default=0)
    return min(longest * CHAR + 10, width * 0.42)


def bars(
    label: str,
    rows: Sequence[tuple[str, Number]],
    shown: Sequence[str],
    maximum: Number | None = None,
    colour: str = PALETTE[0],
) -> str:
    """Horizontal bars, one a row, longest first as given; ``shown`` writes each value."""
    room = _label_room([text for text, _value in rows], WIDTH)
    left, right = room, WIDTH - 56
    most = max([maximum or 0, *(value for _text, value in rows)]) or 1
    body: list[str] = []
    for index, ((text, value), value_text) in enumerate(zip(rows, shown, strict=True)):
        top = 6 + index * ROW
        length = max(0.0, (right - left) * value / most)
        middle = top + BAR / 2 + 4.5
        body += [
            f"<g><title>{escape.html(_labelled(text, value_text))}</title>",
            f'<text x="{_n(left - 6)}" y="{_n(middle)}" text-anchor="end">'
            f"{escape.html(_cut(text, left - 8))}</text>",
            f'<rect x="{_n(left)}" y="{top}" width="{_n(length)}" height="{BAR}" rx="2"'
            f' fill="{colour}"/>',
            f'<text x="{_n(left + length + 5)}" y="{_n(middle)}">{escape.html(value_text)}</text>',
            "</g>",
        ]
    body.insert(
        0,
        f'<line x1="{_n(left)}" y1="2" x2="{_n(left)}" y2="{_n(8 + len(rows) * ROW)}"'
        f' stroke="{MUTED}"/>',
    )
    return svg(label, 12 + len(rows) * ROW, body)


def _legend(series: Sequence[str], width: float) -> list[str]:
    body: list[str] = []
    x = 4.0
    for index, name in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        body += [
            f'<rect x="{_n(x)}" y="4" width="12" height="12" rx="2" fill="{colour}"/>',
            f'<text x="{_n(x + 17)}" y="14.5">{escape.html(_cut(name, width / 2 - 30))}</text>',
        ]
        x += 30 + min(len(name) * CHAR, width / 2 - 30)
    return body


def grouped(
    label: str,
    categories: Sequence[str],
    series: Sequence[Series],
    shown: Sequence[Sequence[str]],
    maximum: Number | None = None,
) -> str:
    """Horizontal bars in groups: for each category, one bar per series (a legend on top
    names them); ``shown[s][c]`` writes series ``s``'s value for category ``c``. A missing
    value draws no bar, and its text says so."""
    room = _label_room(categories, WIDTH)
    left, right = room, WIDTH - 56
    known = [v for _name, values in series for v in values if v is not None]
    most = max([maximum or 0, *known]) or 1
    step = 11
    group = len(series) * step + 10
    body = _legend([name for name, _values in series], WIDTH)
    top0 = 26
    for index, category in enumerate(categories):
        top = top0 + index * group
        body += [
            "<g>",
            "<title>"
            + escape.html(
                _labelled(
                    category,
                    joined(f"{name} {shown[s][index]}" for s, (name, _v) in enumerate(series)),
                )
            )
            + "</title>",
            f'<text x="{_n(left - 6)}" y="{_n(top + len(series) * step / 2 + 4.5)}"'
            f' text-anchor="end">{escape.html(_cut(category, left - 8))}</text>',
        ]
        for s, (_name, values) in enumerate(series):
            value = values[index]
            y = top + s * step
            length = 0.0 if value is None else max(0.0, (right - left) * value / most)
            body.append(
                f'<rect x="{_n(left)}" y="{_n(y)}" width="{_n(length)}" height="{step - 2}"'
                f' rx="1.5" fill="{PALETTE[s % len(PALETTE)]}"/>'
            )
            body.append(
                f'<text x="{_n(left + length + 4)}" y="{_n(y + step - 3)}" font-size="10">'
                f"{escape.html(shown[s][index])}</text>"
            )
        body.append("</g>")
    bottom = top0 + len(categories) * group
    body.insert(
        0,
        f'<line x1="{_n(left)}" y1="{top0 - 4}" x2="{_n(left)}" y2="{_n(bottom)}"'
        f' stroke="{MUTED}"/>',
    )
    return svg(label, bottom + 4, body)


def lines(
    label: str,
    months: Sequence[str],
    series: Sequence[Series],
    shown: Sequence[Sequence[str]],
    ticks: Sequence[tuple[Number, str]],
    width: float = 320,
    height: float = 150,
    desc: str = "",
) -> str:
    """One line per series over the months, broken where a month has no value; the
    horizontal lines at ``ticks`` give the scale (the lowest and highest tick bound it).
    ``months`` labels the axis (every other month is written, ending on the last)."""
    low = min(value for value, _text in ticks)
    high = max(value for value, _text in ticks)
    span = (high - low) or 1
    # A legend names the lines when there are several; it takes the top of the chart.
    top = 28.0 if len(series) > 1 else 8.0
    left, right, bottom = 40.0, width - 10, height - 22
    count = len(months)

    def x(index: int) -> float:
        return left + (right - left) * (index / (count - 1) if count > 1 else 0.5)

    def y(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / span

    body: list[str] = []
    for value, text in ticks:
        body += [
            f'<line x1="{_n(left)}" y1="{_n(y(value))}" x2="{_n(right)}" y2="{_n(y(value))}"'
            f' stroke="{GRID}"/>',
            f'<text x="{_n(left - 4)}" y="{_n(y(value) + 4)}" text-anchor="end" font-size="10"'
            f' fill="{MUTED}">{escape.html(text)}</text>',
        ]
    for index, month in enumerate(months):
        if (count - 1 - index) % 2 == 0:
            body.append(
                f'<text x="{_n(x(index))}" y="{_n(height - 6)}" text-anchor="middle"'
                f' font-size="10" fill="{MUTED}">{escape.html(month)}</text>'
            )
    if len(series) > 1:
        body = _legend([name for name, _values in series], width) + body
    # Lines first, the points over them: a point's title shows on hover.
    strokes: list[str] = []
    points: list[str] = []
    for s, (_name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        run: list[str] = []
        ended: list[Number | None] = [*values, None]  # a None ends the last run too
        for index, point in enumerate(ended):
            if point is None:
                if len(run) > 1:
                    strokes.append(_polyline(run, colour))
                run = []
                continue
            px, py = _n(x(index)), _n(y(min(max(point, low), high)))
            run.append(f"{px},{py}")
            points.append(
                f'<circle cx="{px}" cy="{py}" r="3" fill="{colour}">'
                f"<title>{escape.html(_labelled(months[index], shown[s][index]))}</title></circle>"
            )
    return svg(label, height, body + strokes + points, width, desc)


def _polyline(points: list[str], colour: str) -> str:
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}"'
        ' stroke-width="2" stroke-linejoin="round"/>'
    )
