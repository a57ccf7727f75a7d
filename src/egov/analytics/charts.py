"""Charts drawn on the server: SVG for pages (no JavaScript needed), PNG for exports (Pillow).

Both draw the same geometry from one layout, so the picture a person downloads is the one they
saw. Values are scaled from zero (bars) or from the data's range (lines); a target, when given,
is a dashed horizontal line.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48
BRAND = "#00798f"
TARGET = "#b00020"


@dataclass(frozen=True)
class Layout:
    kind: str  # line | bar
    labels: list[str]
    values: list[float]
    low: float
    high: float
    target: float | None

    def x(self, index: int) -> float:
        span = WIDTH - LEFT - RIGHT
        count = max(len(self.values), 1)
        if self.kind == "bar":
            return LEFT + span * (index + 0.5) / count
        return LEFT + (span * index / (count - 1) if count > 1 else span / 2)

    def y(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - self.low) / span)

    def bar_width(self) -> float:
        return (WIDTH - LEFT - RIGHT) / max(len(self.values), 1) * 0.7

    def ticks(self) -> list[float]:
        return [self.low + (self.high - self.low) * i / 4 for i in range(5)]


def layout(kind: str, points: Sequence[tuple[str, float]], target: float | None = None) -> Layout:
    labels = [str(p[0]) for p in points]
    values = [float(p[1]) for p in points]
    candidates = [*values, *([target] if target is not None else [])] or [0.0]
    low, high = min(candidates), max(candidates)
    if kind == "bar" or low > 0:
        low = min(0.0, low)
    if high == low:
        high = low + 1
    return Layout(kind, labels, values, low, high, target)


def short(value: float) -> str:
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:.4g}"


def _label_every(count: int) -> int:
    return max(1, count // 8)


def svg(
    kind: str, points: Sequence[tuple[str, float]], title: str, target: float | None = None
) -> str:
    shape = layout(kind, points, target)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in shape.ticks():
        y = shape.y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(short(tick))}</text>"
        )
    every = _label_every(len(shape.labels))
    for index, label in enumerate(shape.labels):
        if index % every == 0:
            parts.append(
                f'<text x="{shape.x(index):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'font-size="11">{escape(label[:12])}</text>'
            )
    if kind == "bar":
        width = shape.bar_width()
        base = shape.y(max(shape.low, 0.0))
        for index, value in enumerate(shape.values):
            top = shape.y(value)
            parts.append(
                f'<rect x="{shape.x(index) - width / 2:.1f}" y="{min(top, base):.1f}" '
                f'width="{width:.1f}" height="{abs(base - top):.1f}" fill="{BRAND}">'
                f"<title>{escape(shape.labels[index])}: {escape(short(value))}</title></rect>"
            )
    elif shape.values:
        path = " ".join(f"{shape.x(i):.1f},{shape.y(v):.1f}" for i, v in enumerate(shape.values))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BRAND}" stroke-width="2"/>')
    if target is not None:
        y = shape.y(target)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{TARGET}" stroke-dasharray="6 4"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def png(
    kind: str, points: Sequence[tuple[str, float]], title: str, target: float | None = None
) -> bytes:
    from PIL import Image, ImageDraw

    scale = 2  # crisp on high-density screens
    shape = layout(kind, points, target)
    image = Image.new("RGB", (WIDTH * scale, (HEIGHT + 24) * scale), "white")
    draw = ImageDraw.Draw(image)

    def p(x: float, y: float) -> tuple[float, float]:
        return x * scale, (y + 24) * scale

    draw.text(p(LEFT, -18), title[:90], fill="black", font_size=14 * scale)
    for tick in shape.ticks():
        y = shape.y(tick)
        draw.line([p(LEFT, y), p(WIDTH - RIGHT, y)], fill="#dddddd", width=scale)
        draw.text(p(4, y - 6), short(tick), fill="black", font_size=11 * scale)
    every = _label_every(len(shape.labels))
    for index, label in enumerate(shape.labels):
        if index % every == 0:
            draw.text(
                p(shape.x(index) - 24, HEIGHT - BOTTOM + 6),
                label[:12],
                fill="black",
                font_size=11 * scale,
            )
    if kind == "bar":
        width = shape.bar_width()
        base = shape.y(max(shape.low, 0.0))
        for index, value in enumerate(shape.values):
            top = shape.y(value)
            x0, y0 = p(shape.x(index) - width / 2, min(top, base))
            x1, y1 = p(shape.x(index) + width / 2, max(top, base))
            draw.rectangle([x0, y0, x1, y1], fill=BRAND)
    elif len(shape.values) > 1:
        draw.line(
            [p(shape.x(i), shape.y(v)) for i, v in enumerate(shape.values)],
            fill=BRAND,
            width=2 * scale,
        )
    if target is not None:
        y = shape.y(target)
        x = LEFT
        while x < WIDTH - RIGHT:
            draw.line([p(x, y), p(min(x + 6, WIDTH - RIGHT), y)], fill=TARGET, width=scale)
            x += 10
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
