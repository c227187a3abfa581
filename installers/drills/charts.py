"""Small PNG charts for the drill reports, drawn with Pillow (already a dependency for the
receipt QR codes): a drill's report must open anywhere, without a plotting stack."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT, MARGIN = 900, 360, 60


def line_chart(path: Path, title: str, xs: Sequence[float], ys: Sequence[float], *,
               x_label: str, y_label: str, markers: Sequence[tuple[float, str]] = ()) -> Path:
    """One series as a line, with vertical markers (x, label) such as "restore target"."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = MARGIN, 40, WIDTH - 20, HEIGHT - MARGIN
    draw.text((left, 12), title, fill="black")
    draw.rectangle((left, top, right, bottom), outline="#888888")
    x_max = max([*xs, *(m[0] for m in markers), 1e-9])
    y_max = max([*ys, 1e-9]) * 1.1

    def at(x: float, y: float) -> tuple[float, float]:
        return (left + (right - left) * x / x_max, bottom - (bottom - top) * y / y_max)

    for i in range(5):  # horizontal grid with its values
        y = y_max * i / 4
        _, py = at(0, y)
        draw.line((left, py, right, py), fill="#eeeeee")
        draw.text((8, py - 6), f"{y:.0f}", fill="#444444")
    if len(xs) > 1:
        draw.line([at(x, y) for x, y in zip(xs, ys, strict=True)], fill="#1f77b4", width=2)
    for x, label in markers:
        px, _ = at(x, 0)
        draw.line((px, top, px, bottom), fill="#d62728", width=2)
        draw.text((px + 4, top + 4), label, fill="#d62728")
    draw.text((left, bottom + 20), f"{x_label} (0 .. {x_max:.0f})", fill="black")
    draw.text((right - 200, bottom + 20), y_label, fill="black")
    image.save(path)
    return path


def bar_chart(path: Path, title: str, labels: Sequence[str], values: Sequence[float], *,
              unit: str) -> Path:
    """Horizontal bars, one per label, largest first as given, with their values."""
    rows = max(len(labels), 1)
    height = 50 + 22 * rows
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 12), title, fill="black")
    left, right = 230, WIDTH - 120
    top = max([*values, 1e-9])
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 40 + 22 * i
        draw.text((10, y + 3), label[:34], fill="#444444")
        draw.rectangle((left, y, left + (right - left) * value / top, y + 16), fill="#1f77b4")
        draw.text((right + 8, y + 3), f"{value:,.1f} {unit}", fill="black")
    image.save(path)
    return path


SERIES_COLOURS = ("#1f77b4", "#ff7f0e", "#d62728", "#2ca02c")


def grouped_bar_chart(path: Path, title: str, labels: Sequence[str],
                      series: Sequence[tuple[str, Sequence[float]]], *, unit: str) -> Path:
    """Horizontal grouped bars: one group per label (an operation), one bar per series (p50,
    p95, p99), each with its value; tall enough for every label to be read."""
    bar, gap, name_width = 7, 10, 330
    group = bar * len(series) + gap
    height = 70 + group * len(labels)
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    left, top, right = name_width, 40, WIDTH - 70
    draw.text((10, 12), title, fill="black")
    for i, (name, _) in enumerate(series):
        draw.rectangle((left + i * 80, 16, left + i * 80 + 10, 26),
                       fill=SERIES_COLOURS[i % len(SERIES_COLOURS)])
        draw.text((left + i * 80 + 14, 14), name, fill="black")
    v_max = max([v for _, values in series for v in values] + [1e-9])
    for row, label in enumerate(labels):
        y = top + row * group
        draw.text((10, y + bar * len(series) / 2 - 6), label[-52:], fill="black")
        for i, (_, values) in enumerate(series):
            x = left + (right - left) * values[row] / v_max
            draw.rectangle((left, y + i * bar, max(left + 1, x), y + (i + 1) * bar - 1),
                           fill=SERIES_COLOURS[i % len(SERIES_COLOURS)])
            if i == len(series) - 1:
                draw.text((x + 4, y), f"{values[row]:.0f}", fill="#444444")
    draw.text((left, height - 22), f"{unit} (0 .. {v_max:.0f})", fill="black")
    image.save(path)
    return path
