"""Vectorised statistics of a whole histogram series at once.

Pure numpy; nothing here imports TensorBoard. Input is the padded ``[steps, buckets]`` form of
:class:`tb_histdiag.reading.series.Series`. Mass is treated as uniform inside a bucket and as a point mass in
a zero-width bucket, the same convention TensorBoard's Distributions and Histograms views use.
Distributions whose edges change from step to step are compared through their quantile functions.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: TensorBoard's Distributions view basis points (min, -1.5σ, -1σ, -0.5σ, median, ..., max).
BASIS_POINTS = (0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000)

#: The basis points as probabilities.
BASIS_POINTS_P = np.asarray(BASIS_POINTS, dtype=np.float64) / 10000.0

#: Probability levels of the quantile grid used for distances (midpoints of 64 equal slices).
GRID_SIZE = 64
GRID = (np.arange(GRID_SIZE) + 0.5) / GRID_SIZE

#: Both grids in one array, so :func:`compute` searches each CDF once.
_GRID_AND_BASIS = np.concatenate([GRID, BASIS_POINTS_P])

#: Width of the bucket TensorBoard-format writers put exact zeros into (torch: ``[0, 1e-12]``).
ZERO_BUCKET_WIDTH = 1e-12

#: Largest bucket limit of the legacy writers' default bins (PyTorch, tensorboardX: ``bins=
#: "tensorflow"``). Values beyond ±1e20 are left out of the bucket counts, but the proto's
#: ``min``/``max`` keep them, and TensorBoard makes those the outer edges: an outer edge beyond
#: this bound says values are missing from the counts.
BUCKET_RANGE_LIMIT = 1e20


@dataclasses.dataclass(frozen=True, eq=False)
class SeriesStats:
    """Per-step statistics of a series; every array has one entry per step (``[S]``).

    ``valid`` marks steps with finite data and positive mass; other entries of such steps are NaN.
    ``quantiles`` is ``[S, GRID_SIZE]``, ``bands`` is ``[S, 9]`` at :data:`BASIS_POINTS`.
    ``same_as_prev`` is true when a step's buckets are bit-identical to the previous step's.
    ``zero_mass`` is the fraction of values in buckets that contain 0; it is the exact share of
    zeros when ``zero_exact`` (those buckets are at most 1e-12 wide, as PyTorch writes them) and
    an upper bound otherwise (TF2's 30 equal buckets mix zeros with small values).
    ``tanh_sides`` (``[S, 2]``) is the fraction of values below -0.9 and above 0.9 (tanh
    saturation), ``unit_sides`` below 0.1 and above 0.9 (sigmoid saturation).
    ``beyond_range`` marks steps with an outer edge beyond ±:data:`BUCKET_RANGE_LIMIT`.
    ``bucket_width`` is the mean width of the buckets from the lowest to the highest occupied one
    (exact for TF2's equal-width buckets): the resolution of the step's histogram, the size of a
    move that can hide inside a bucket.
    """

    steps: NDArray[np.int64]
    valid: NDArray[np.bool_]
    nonfinite: NDArray[np.bool_]
    negative_counts: NDArray[np.bool_]
    total: NDArray[np.float64]
    minimum: NDArray[np.float64]
    maximum: NDArray[np.float64]
    mean: NDArray[np.float64]
    std: NDArray[np.float64]
    excess_kurtosis: NDArray[np.float64]
    nonempty_buckets: NDArray[np.int64]
    count_gcd: NDArray[np.int64]
    zero_mass: NDArray[np.float64]
    zero_exact: NDArray[np.bool_]
    mean_abs: NDArray[np.float64]
    tanh_sides: NDArray[np.float64]
    unit_sides: NDArray[np.float64]
    beyond_range: NDArray[np.bool_]
    quantiles: NDArray[np.float64]
    bands: NDArray[np.float64]
    same_as_prev: NDArray[np.bool_]
    bucket_width: NDArray[np.float64]

    @property
    def valid_index(self) -> NDArray[np.int64]:
        """Indices of the valid steps, in step order."""
        return np.flatnonzero(self.valid)


def sorted_buckets(
    left: NDArray[np.float64], right: NDArray[np.float64], counts: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Sort each row's buckets by left edge and make backwards buckets zero-width."""
    if left.shape[1] < 2 or bool((left[:, 1:] >= left[:, :-1]).all()):
        # Already in order (every real writer's data): skip the sort and the three gathers.
        return left, np.maximum(left, right), counts
    order = np.argsort(left, axis=1, kind="stable")
    left = np.take_along_axis(left, order, axis=1)
    right = np.take_along_axis(right, order, axis=1)
    counts = np.take_along_axis(counts, order, axis=1)
    return left, np.maximum(left, right), counts


def quantile_matrix(
    left: NDArray[np.float64],
    right: NDArray[np.float64],
    counts: NDArray[np.float64],
    probabilities: NDArray[np.float64],
    total: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Return the ``[S, P]`` quantiles of every row at the given probability levels.

    Rows must be sorted by edge, have non-negative finite counts and a positive total (``total``,
    each row's sum of ``counts``, when the caller has it). Levels 0 and 1 give the outer edges of
    the first and last non-empty bucket. All rows are searched at once (see :func:`_count_below`).
    """
    steps, width = counts.shape
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 0.0, 1.0)
    if steps == 0:
        return np.zeros((0, p.size))
    total = counts.sum(axis=1) if total is None else total
    total = total[:, None]
    cum = np.cumsum(counts, axis=1)
    cum /= total
    # The bucket holding each level: the first whose cumulative mass reaches it.
    k = np.minimum(_count_below(cum, np.clip(p, 1e-12, 1.0 - 1e-12)), width - 1)
    # Gathers through flat indices: several times faster than 2-D fancy indexing.
    at = np.arange(steps)[:, None] * width + k
    cum_before = np.where(k > 0, np.take(cum, np.maximum(at - 1, 0)), 0.0)
    bucket_mass = np.take(counts, at)
    bucket_mass /= total
    has_mass = bucket_mass > 0
    frac = np.where(has_mass, (p[None, :] - cum_before) / np.where(has_mass, bucket_mass, 1.0), 0.0)
    np.clip(frac, 0.0, 1.0, out=frac)
    lo = np.take(left, at)
    q = np.take(right, at)
    q -= lo
    q *= frac
    q += lo

    # Levels 0 and 1: the outer edges of the first and last non-empty bucket.
    ends = np.flatnonzero((p <= 0.0) | (p >= 1.0))
    if ends.size:
        nonempty = counts > 0
        r = np.arange(steps)
        first = np.argmax(nonempty, axis=1)
        last = width - 1 - np.argmax(nonempty[:, ::-1], axis=1)
        for j in ends.tolist():
            q[:, j] = left[r, first] if p[j] <= 0.0 else right[r, last]
    return q


def _count_below(cum: NDArray[np.float64], levels: NDArray[np.float64]) -> NDArray[np.int64]:
    """``[S, P]``: per row of ``cum`` (each row ascending), how many entries are below each level.

    Rather than searching every row for every level (``S * P`` binary searches over the rows),
    each entry is placed among the few sorted levels (one small ``searchsorted``), and a per-row
    histogram of those places, summed up, gives the counts: about twice as fast for a series.
    """
    steps = cum.shape[0]
    order = np.argsort(levels, kind="stable")
    size = levels.size + 1
    # place = how many levels are <= the entry; the entry is below level j exactly when place <= j.
    place = np.searchsorted(levels[order], cum, side="right")
    hist = np.bincount((np.arange(steps)[:, None] * size + place).ravel(), minlength=steps * size)
    below = np.cumsum(hist.reshape(steps, size), axis=1)[:, :-1]
    out = np.empty_like(below)
    out[:, order] = below
    return out


def compute(
    steps: NDArray[np.int64],
    left: NDArray[np.float64],
    right: NDArray[np.float64],
    counts: NDArray[np.float64],
    nonfinite: NDArray[np.bool_] | None = None,
) -> SeriesStats:
    """Compute :class:`SeriesStats` for padded ``[S, K]`` bucket arrays.

    Never raises on malformed data: non-finite steps, steps without mass and negative counts are
    marked, and their statistics are NaN.
    """
    with np.errstate(all="ignore"):
        return _compute(
            np.asarray(steps, dtype=np.int64),
            np.asarray(left, dtype=np.float64),
            np.asarray(right, dtype=np.float64),
            np.asarray(counts, dtype=np.float64),
            nonfinite,
        )


def _compute(
    steps: NDArray[np.int64],
    left: NDArray[np.float64],
    right: NDArray[np.float64],
    counts: NDArray[np.float64],
    nonfinite: NDArray[np.bool_] | None,
) -> SeriesStats:
    n, width = counts.shape if counts.ndim == 2 else (0, 1)
    if n == 0:
        left = right = counts = np.zeros((0, 1))
        width = 1

    # Every real writer's rows are finite with non-negative counts: whole-array sums (a sum is
    # finite only when every term is) and a minimum spare the per-row checks and cleaned copies.
    all_finite = bool(
        np.isfinite(left.sum()) and np.isfinite(right.sum()) and np.isfinite(counts.sum())
    )
    if all_finite:
        finite_rows = np.ones(n, dtype=bool)
    else:
        finite_rows = np.isfinite(left).all(axis=1) & np.isfinite(right).all(axis=1)
        finite_rows &= np.isfinite(counts).all(axis=1)
    flagged = np.zeros(n, dtype=bool) if nonfinite is None else np.asarray(nonfinite, dtype=bool)
    nonfinite_rows = flagged | ~finite_rows
    maybe_negative = not all_finite or bool(counts.min(initial=0.0) < 0)
    negative = (counts < 0).any(axis=1) if maybe_negative else np.zeros(n, dtype=bool)

    if not maybe_negative:  # (so all finite too)
        clean_l, clean_r, clean_c = left, right, counts  # not written to (copied first below)
    else:
        # Bad rows become one empty bucket at 0 and are masked out at the end.
        clean_l = np.where(finite_rows[:, None], left, 0.0)
        clean_r = np.where(finite_rows[:, None], right, 0.0)
        clean_c = np.where(finite_rows[:, None], np.maximum(counts, 0.0), 0.0)
    clean_l, clean_r, clean_c = sorted_buckets(clean_l, clean_r, clean_c)
    raw_counts = clean_c  # never written to: the next lines make new arrays
    total = clean_c.sum(axis=1)
    valid = ~nonfinite_rows & (total > 0)
    # Moments use counts relative to each row's largest, so huge counts cannot overflow.
    peak = clean_c.max(axis=1, keepdims=True) if width else np.ones((n, 1))
    clean_c = clean_c / np.where(peak > 0, peak, 1.0)
    invalid = ~valid
    if invalid.any():
        # Give invalid rows a dummy unit mass so the vectorised maths below stays finite.
        clean_c[invalid] = 0.0
        clean_c[invalid, 0] = 1.0
        clean_l = np.where(invalid[:, None], 0.0, clean_l)
        clean_r = np.where(invalid[:, None], 0.0, clean_r)
    mass = clean_c.sum(axis=1)

    mid = 0.5 * (clean_l + clean_r)
    span = clean_r - clean_l  # bucket widths
    half = 0.5 * span
    mean = (clean_c * mid).sum(axis=1) / mass
    dev = mid - mean[:, None]
    # Uniform mass inside a bucket adds h²/3 to the second and 2d²h² + h⁴/5 to the fourth moment.
    # (Squares are reused: numpy's ``x**4`` is a general power, several times slower.)
    dev2 = dev * dev
    half2 = half * half
    var = (clean_c * (dev2 + half2 / 3.0)).sum(axis=1) / mass
    m4 = (clean_c * (dev2 * dev2 + 2.0 * dev2 * half2 + half2 * half2 / 5.0)).sum(axis=1) / mass
    var = np.maximum(var, 0.0)
    std = np.sqrt(var)
    kurt = np.where(var > 0, m4 / np.where(var > 0, var, 1.0) ** 2 - 3.0, np.nan)

    nonempty = clean_c > 0
    first = np.argmax(nonempty, axis=1)
    last = width - 1 - np.argmax(nonempty[:, ::-1], axis=1)
    r = np.arange(n)
    minimum = clean_l[r, first]
    maximum = clean_r[r, last]
    # All mass at one point has no spread; rounding in the weighted mean must not invent one.
    point = maximum <= minimum
    std = np.where(point, 0.0, std)
    kurt = np.where(point, np.nan, kurt)

    touches_zero = (clean_l <= 0.0) & (clean_r >= 0.0) & nonempty
    zero_mass = (clean_c * touches_zero).sum(axis=1) / mass
    zero_exact = ~(touches_zero & (span > ZERO_BUCKET_WIDTH)).any(axis=1)
    # E|x| of uniform mass on [l, r]: |mid| unless the bucket straddles 0.
    straddles = (clean_l < 0.0) & (clean_r > 0.0)
    abs_mid = np.where(
        straddles,
        (clean_l**2 + clean_r**2) / (2.0 * np.where(straddles, span, 1.0)),
        np.abs(mid),
    )
    mean_abs = (clean_c * abs_mid).sum(axis=1) / mass
    cdf = _cdf_at(clean_l, span, clean_c, mass)
    below_09 = cdf(0.9)
    below_m09 = cdf(-0.9)
    below_01 = cdf(0.1)
    above_09 = 1.0 - below_09
    # [S, 2]: the low and the high side of each saturation measure.
    tanh_sides = np.stack([below_m09, above_09], axis=1)
    unit_sides = np.stack([below_01, above_09], axis=1)

    count_gcd = _count_gcd(raw_counts)
    # One search for both probability grids (the CDF is built once).
    both = quantile_matrix(clean_l, clean_r, clean_c, _GRID_AND_BASIS, mass)
    quantiles, bands = both[:, :GRID_SIZE], both[:, GRID_SIZE:]

    same = np.zeros(n, dtype=bool)
    if n > 1:
        # Compare the raw rows, not the cleaned ones, so a change of edges is always seen.
        same[1:] = (
            (left[1:] == left[:-1]).all(axis=1)
            & (right[1:] == right[:-1]).all(axis=1)
            & (counts[1:] == counts[:-1]).all(axis=1)
            & finite_rows[1:]
            & finite_rows[:-1]
        )

    all_valid = bool(valid.all())

    def masked(values: NDArray[np.float64]) -> NDArray[np.float64]:
        """NaN at invalid steps (every array passed here is a fresh one of this function)."""
        if all_valid:
            return values
        out = np.array(values, dtype=np.float64, copy=True)
        out[~valid] = np.nan
        return out

    def zeroed(values: NDArray) -> NDArray:
        return values if all_valid else np.where(valid, values, 0)

    if not all_valid:
        quantiles[~valid] = np.nan
        bands[~valid] = np.nan
    return SeriesStats(
        steps=steps,
        valid=valid,
        nonfinite=nonfinite_rows,
        negative_counts=negative,
        total=total if all_valid else np.where(valid, total, 0.0),
        minimum=masked(minimum),
        maximum=masked(maximum),
        mean=masked(mean),
        std=masked(std),
        excess_kurtosis=masked(kurt),
        nonempty_buckets=zeroed(nonempty.sum(axis=1)),
        count_gcd=zeroed(count_gcd),
        zero_mass=masked(zero_mass),
        zero_exact=valid & zero_exact,
        mean_abs=masked(mean_abs),
        tanh_sides=np.where(valid[:, None], np.clip(tanh_sides, 0.0, 1.0), np.nan),
        unit_sides=np.where(valid[:, None], np.clip(unit_sides, 0.0, 1.0), np.nan),
        beyond_range=valid & ((minimum < -BUCKET_RANGE_LIMIT) | (maximum > BUCKET_RANGE_LIMIT)),
        quantiles=quantiles,
        bands=bands,
        same_as_prev=same,
        bucket_width=masked((maximum - minimum) / (last - first + 1)),
    )


def _cdf_at(
    left: NDArray[np.float64],
    width: NDArray[np.float64],
    counts: NDArray[np.float64],
    mass: NDArray[np.float64],
):
    """Return ``x -> [S]`` fraction of each row's mass at or below ``x`` (uniform in a bucket);
    ``width`` is each bucket's right edge minus its left."""
    has_width = width > 0
    safe = np.where(has_width, width, 1.0)
    no_width = ~has_width
    points = bool(no_width.any())

    def cdf(x: float) -> NDArray[np.float64]:
        inside = x - left  # the covered fraction of each bucket, computed in place
        inside /= safe
        np.clip(inside, 0.0, 1.0, out=inside)
        if points:
            np.copyto(inside, left <= x, where=no_width)
        inside *= counts
        return inside.sum(axis=1) / mass

    return cdf


def _count_gcd(counts: NDArray[np.float64]) -> NDArray[np.int64]:
    """Greatest common divisor of each row's non-zero counts (1 when counts are not integers).

    A constant-initialised layer keeps its values in groups of the layer width, which shows as
    bucket counts that all share a large common divisor.
    """
    integral = (counts == np.round(counts)).all(axis=1) & (counts < 2.0**53).all(axis=1)
    ints = (counts if integral.all() else np.where(integral[:, None], counts, 0.0)).astype(np.int64)
    g = np.gcd.reduce(ints, axis=1) if ints.shape[1] else np.zeros(ints.shape[0], dtype=np.int64)
    return np.where(integral & (g > 0), g, 1).astype(np.int64)


def w1(q_a: ArrayLike, q_b: ArrayLike) -> NDArray[np.float64]:
    """The Wasserstein-1 distance between distributions given as quantile rows on :data:`GRID`
    (the mean absolute difference of their quantiles), over the last axis: a number for two rows,
    one per row for ``[S, GRID_SIZE]`` rows (broadcast against one row)."""
    return np.abs(np.subtract(q_a, q_b)).mean(axis=-1)


@dataclasses.dataclass(frozen=True)
class LossTrend:
    """How a loss curve developed: relative improvement from its start to its end.

    ``improvement`` is ``(start - end) / |start|`` between the medians of the first and last 10%
    of the finite points (at least 3 each); ``nonfinite`` is true when the loss became NaN/Inf.
    """

    improvement: float | None
    nonfinite: bool
    points: int


def loss_trend(values: NDArray[np.float64]) -> LossTrend:
    """Summarise a loss curve (values in step order)."""
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    nonfinite = bool(finite.size < values.size)
    window = max(3, values.size // 10)
    if finite.size < 2 * window:
        return LossTrend(None, nonfinite, int(values.size))
    start, end = float(np.median(finite[:window])), float(np.median(finite[-window:]))
    improvement = (start - end) / abs(start) if start != 0 else None
    return LossTrend(improvement, nonfinite, int(values.size))
