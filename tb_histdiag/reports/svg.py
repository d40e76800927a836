"""The inline SVG chart of the HTML report: a series' distribution bands (TensorBoard's
Distributions view) with each verdict's steps marked, and the escaping of data text for HTML that
the chart and the report share."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from tb_histdiag.reports.bands import BandsChart
from tb_histdiag.reports.phrases import (
    clean_text,
    format_number,
    format_verdict_steps,
)
from tb_histdiag.results import Verdict

# Chart geometry, in SVG user units (the chart scales to the card's width).
_W, _PLOT_H = 480.0, 120.0
_LEFT, _RIGHT, _LANE, _BOTTOM = 58.0, 10.0, 13.0, 22.0


def escape_html(value: object) -> str:
    """Data text for HTML: control characters made visible, then escaped."""
    return html.escape(clean_text("" if value is None else value), quote=True)


def _num(value: float) -> str:
    """An SVG coordinate: one decimal is finer than a pixel."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _points(xs: Sequence[float], ys: Sequence[float]) -> str:
    """``x,y x,y …`` for a path (after ``M``, further pairs are implicit line-tos); trailing
    ``.0`` dropped, because charts of many tags make the file large."""
    text = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys)) + " "
    return text.replace(".0,", ",").replace(".0 ", " ").rstrip()


# Charts.


def _scale(values: np.ndarray) -> tuple[float, float]:
    """The value range of a chart, widened when flat so the scale has a span."""
    finite = values[np.isfinite(values)]
    lo, hi = float(finite.min()), float(finite.max())
    if not hi > lo:
        pad = max(abs(lo) * 0.1, 1e-12) if lo != 0 else 1.0
        lo, hi = lo - pad, hi + pad
    return lo, hi


def _segments(valid: np.ndarray) -> list[np.ndarray]:
    """Index runs of consecutive valid points (gaps where a step has no finite values)."""
    idx = np.flatnonzero(valid)
    if idx.size == 0:
        return []
    return np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)


def bands_svg(
    chart: BandsChart, verdicts: Sequence[Verdict], label: str, first: int, last: int
) -> str:
    """An inline SVG of a series' distribution bands (TensorBoard's Distributions view) with
    each verdict's steps marked: a labelled bar above the plot and a tint over the plot."""
    lanes = len(verdicts)
    top = 4.0 + lanes * _LANE
    height = top + _PLOT_H + _BOTTOM
    x0, x1 = _LEFT, _W - _RIGHT
    y0, y1 = top + _PLOT_H, top
    s0, s1 = float(first), float(last)
    if not s1 > s0:
        s0, s1 = s0 - 1, s1 + 1

    def sx(step: float) -> float:
        return x0 + (step - s0) / (s1 - s0) * (x1 - x0)

    names = ", ".join(v.id for v in verdicts)
    desc = f"Distribution of {label} over steps {first}–{last}" + (
        f"; marked: {names}" if names else ""
    )
    out = [
        f'<svg class="chart" viewBox="0 0 {_num(_W)} {_num(height)}" role="img" '
        f'aria-label="{escape_html(desc)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape_html(desc)}</title>",
    ]
    for i, v in enumerate(verdicts):
        a, b = sx(v.steps[0]), sx(v.steps[-1])
        width = max(b - a, 2.0)
        lane_y = 4.0 + i * _LANE
        where = format_verdict_steps(v.steps)
        out.append(
            f'<g class="lane"><title>{escape_html(f"{v.id} ({v.severity}): {where}")}</title>'
            f'<rect class="span sev-{escape_html(v.severity)}" x="{_num(a)}" y="{_num(y1)}" '
            f'width="{_num(width)}" height="{_num(_PLOT_H)}"/>'
            f'<rect class="bar sev-{escape_html(v.severity)}" x="{_num(a)}" y="{_num(lane_y)}" '
            f'width="{_num(width)}" height="{_num(_LANE - 4)}"/>'
            f'<text x="{_num(4)}" y="{_num(lane_y + _LANE - 5)}">{escape_html(v.id)}</text></g>'
        )
    bands = chart.bands
    finite_rows = np.isfinite(bands).all(axis=1)
    if finite_rows.any():
        lo, hi = _scale(bands[finite_rows])
        # Halves keep the span finite even for values near the float64 limits.
        half_span = hi / 2 - lo / 2

        def sy(value: np.ndarray) -> np.ndarray:
            return y0 - (value / 2 - lo / 2) / half_span * (y0 - y1)

        xs = x0 + (chart.steps.astype(np.float64) - s0) / (s1 - s0) * (x1 - x0)
        for segment in _segments(finite_rows):
            for band in range(4):
                upper = sy(bands[segment, 8 - band])
                lower = sy(bands[segment, band])
                if segment.size == 1:
                    x = xs[segment[0]]
                    out.append(
                        f'<rect class="band b{band}" x="{_num(x - 1.5)}" y="{_num(upper[0])}" '
                        f'width="3" height="{_num(max(lower[0] - upper[0], 0.5))}"/>'
                    )
                    continue
                points = _points(
                    np.concatenate([xs[segment], xs[segment][::-1]]),
                    np.concatenate([upper, lower[::-1]]),
                )
                out.append(f'<path class="band b{band}" d="M{points}Z"/>')
            median = sy(bands[segment, 4])
            if segment.size == 1:
                out.append(
                    f'<circle class="dot" cx="{_num(xs[segment[0]])}" cy="{_num(median[0])}" r="2"/>'
                )
            else:
                out.append(f'<path class="median" d="M{_points(xs[segment], median)}"/>')
        if lo < 0 < hi:
            zy = float(sy(np.array(0.0)))
            out.append(
                f'<path class="zero" d="M{_num(x0)},{_num(zy)} L{_num(x1)},{_num(zy)}"/>'
                f'<text x="{_num(x0 - 4)}" y="{_num(zy + 3)}" text-anchor="end">0</text>'
            )
        out.append(
            f'<text x="{_num(x0 - 4)}" y="{_num(y1 + 9)}" text-anchor="end">'
            f"{escape_html(format_number(hi))}</text>"
            f'<text x="{_num(x0 - 4)}" y="{_num(y0)}" text-anchor="end">'
            f"{escape_html(format_number(lo))}</text>"
        )
    else:
        out.append(
            f'<text x="{_num((x0 + x1) / 2)}" y="{_num((y0 + y1) / 2)}" text-anchor="middle">'
            "no finite values to draw</text>"
        )
    for a, b in chart.nonfinite_spans:
        left, right = sx(a), sx(b)
        out.append(
            f'<rect class="nonfinite" x="{_num(left - 1)}" y="{_num(y0 + 1)}" '
            f'width="{_num(max(right - left + 2, 2.0))}" height="4">'
            f"<title>{escape_html(f'NaN/Inf at steps {a}–{b}' if a != b else f'NaN/Inf at step {a}')}"
            "</title></rect>"
        )
    out.append(
        f'<path class="axis" d="M{_num(x0)},{_num(y1)} L{_num(x0)},{_num(y0)} '
        f'L{_num(x1)},{_num(y0)}"/>'
        f'<text x="{_num(x0)}" y="{_num(height - 6)}">step {first}</text>'
        f'<text x="{_num(x1)}" y="{_num(height - 6)}" text-anchor="end">step {last}</text>'
    )
    if chart.total_steps > chart.steps.size:
        out.append(
            f'<text x="{_num((x0 + x1) / 2)}" y="{_num(height - 6)}" text-anchor="middle">'
            f"{chart.steps.size} of {chart.total_steps} steps drawn</text>"
        )
    out.append("</svg>")
    return "".join(out)


# Report parts.
