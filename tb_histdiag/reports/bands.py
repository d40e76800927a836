"""The data behind the reports' charts: a series' distribution bands, thinned for drawing.

Pure numpy (no TensorBoard). The bands are TensorBoard's Distributions view: the quantiles at its
nine basis points (min, -1.5σ, -1σ, -0.5σ, median, +0.5σ, +1σ, +1.5σ, max of a normal), from
:func:`tb_histdiag.engine.stats.compute`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from tb_histdiag.engine import stats
from tb_histdiag.reading.series import Series

#: Most steps a chart draws: a report chart is a few hundred pixels wide, so more points only
#: make the file larger.
MAX_POINTS = 100


@dataclasses.dataclass(frozen=True, eq=False)
class BandsChart:
    """A series' distribution bands at up to :data:`MAX_POINTS` of its steps.

    ``steps`` ``[n]`` are logged steps in order, always including the first and the last;
    ``bands`` ``[n, 9]`` holds the quantiles at :data:`tb_histdiag.engine.stats.BASIS_POINTS` (NaN where
    the step has no finite values). ``nonfinite_spans`` are ``(first, last)`` step ranges, over
    every logged step, where the data held NaN or ±Inf.
    """

    steps: NDArray[np.int64]
    bands: NDArray[np.float64]
    nonfinite_spans: tuple[tuple[int, int], ...]
    total_steps: int


def _spans(steps: NDArray[np.int64], flags: NDArray[np.bool_]) -> tuple[tuple[int, int], ...]:
    """``(first, last)`` steps of each run of consecutive flagged entries."""
    if not flags.any():
        return ()
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts, ends = edges[0::2], edges[1::2] - 1
    return tuple((int(steps[a]), int(steps[b])) for a, b in zip(starts, ends))


def bands_chart(series: Series, max_points: int = MAX_POINTS) -> BandsChart:
    """Return the bands chart of ``series``: its bands at evenly spaced steps (first and last kept)."""
    s = stats.compute(series.steps, series.left, series.right, series.counts, series.nonfinite)
    n = int(s.steps.shape[0])
    if n > max_points:
        keep = np.unique(np.linspace(0, n - 1, max_points).round().astype(np.int64))
    else:
        keep = np.arange(n)
    return BandsChart(
        steps=np.asarray(s.steps[keep], dtype=np.int64),
        bands=np.asarray(s.bands[keep], dtype=np.float64),
        nonfinite_spans=_spans(s.steps, s.nonfinite),
        total_steps=n,
    )
