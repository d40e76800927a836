"""Tag rules on learning: frozen (bit-identical histograms) and slow; how far a series moved."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tb_histdiag.engine.stats import SeriesStats, w1
from tb_histdiag.results import Verdict
from tb_histdiag.verdicts.table import applies
from tb_histdiag.verdicts.text import fmt, percent, step_at, thing_of
from tb_histdiag.verdicts.thresholds import Thresholds


def _init_shape(stats: SeriesStats, index: int) -> str:
    spread = stats.maximum[index] - stats.minimum[index]
    if not spread > 0:
        return "constant"
    kurt = stats.excess_kurtosis[index]
    if -1.35 <= kurt <= -1.0:
        return "uniform"
    if -0.5 <= kurt <= 0.7:
        return "normal"
    return "other"


def frozen(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """The distribution is bit-for-bit the same over the last logged steps: not learning."""
    if not applies("frozen", role):
        return None
    vi = stats.valid_index
    if vi.size < t.frozen_min_steps:
        return None
    same = stats.same_as_prev[vi[1:]]
    # Length of the trailing stretch of steps identical to their predecessor.
    trailing = int(np.argmin(same[::-1])) if not same.all() else same.size
    unchanged_steps = trailing + 1
    if unchanged_steps < t.frozen_min_steps or unchanged_steps < t.frozen_min_fraction * vi.size:
        return None
    since_index = vi[vi.size - unchanged_steps]
    since, last = step_at(stats, since_index), step_at(stats, vi[-1])
    whole_run = unchanged_steps == vi.size
    thing = thing_of(role)
    shape = _init_shape(stats, vi[0])
    # The first logged step need not be the initialisation (Keras logs after the first epoch; a
    # backbone may be pretrained): the shape is said, and what it looks like, nothing more.
    shape_words = {
        "uniform": "a flat plateau, as a uniform random initialisation gives",
        "normal": "a bell, as a normal random initialisation gives",
        "constant": "a single spike, as a constant initialisation gives",
        "other": "",
    }[shape]
    if shape_words and whole_run:
        shape_words = f" Its shape is still that of step {since}: {shape_words}."
    else:
        shape_words = ""  # the first step's shape is not what the unchanged steps show
    what = (
        f"over all {vi.size} logged steps ({since}–{last})"
        if whole_run
        else f"from step {since} to the last logged step {last} ({unchanged_steps} of {vi.size} steps)"
    )
    last_index = vi[-1]
    low, high = float(stats.minimum[last_index]), float(stats.maximum[last_index])
    width, spread = float(stats.bucket_width[last_index]), float(stats.std[last_index])
    if high > low and spread > 0:
        resolution = (
            f": its smallest and largest values ({fmt(low)} and {fmt(high)}, the histogram's "
            "outer edges) did not change at all, and no value crossed a bucket edge (the buckets "
            f"are {fmt(width)} wide, {percent(width / spread)} of the spread). So these {thing} "
            "received no updates, or updates smaller than that"
        )
    else:
        resolution = (
            f": every value is {fmt(low)} at every step. So these {thing} received no updates, or "
            "updates too small to change that number"
        )
    return Verdict(
        id="frozen",
        severity="warning",
        title=("Never changes: not learning" if whole_run else f"Stopped changing at step {since}"),
        summary=(
            f"The histogram of these {thing} is exactly the same, bucket for bucket, {what}"
            f"{resolution}." + shape_words
        ),
        evidence={
            "unchanged_steps": int(unchanged_steps),
            "logged_steps": int(vi.size),
            "unchanged_since_step": since,
            "init_shape": shape,
            "std": spread,
            "min": low,
            "max": high,
            "bucket_width": width,
        },
        steps=(since, last),
        fix=(
            "Check that these parameters are passed to the optimizer and are trainable "
            "(requires_grad / trainable=True, not inside a frozen sub-model); check that gradients "
            "reach them (no detach()/stop_gradient on the way, no saturated sigmoid/tanh or dead "
            "ReLU units upstream, which pass a zero gradient); check that the learning rate is not 0. "
            "If they are frozen on purpose (a pretrained backbone), declare it in the "
            'configuration\'s [expect] table (e.g. "^backbone\\\\." = "frozen") and this becomes '
            "an info."
        ),
    )


def slow(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """Weights that change, but very little over the whole run (info)."""
    if not applies("slow", role):
        return None
    vi = stats.valid_index
    if vi.size < t.frozen_min_steps:
        return None
    # The farthest it got from the first step, not only where it ended: weights restored to an
    # earlier epoch at the end (Keras' EarlyStopping(restore_best_weights=True)) still moved.
    path = movement_path(stats)[vi]
    change = float(np.max(path)) if bool(np.isfinite(path).all()) else relative_change(stats)
    if change is None or change == 0.0 or change >= t.slow_relative_change:
        return None
    if stats.same_as_prev[vi[1:]].all():
        return None  # bit-identical: that is frozen, not slow
    ended = relative_change(stats)
    back = (
        f" At step {step_at(stats, vi[-1])} it is back exactly where it started, as when the "
        "weights of an earlier epoch are restored at the end (early stopping)."
        if ended == 0.0
        else ""
    )
    return Verdict(
        id="slow",
        severity="info",
        title=f"Barely changes ({percent(change)} of its spread)",
        summary=(
            f"Between step {step_at(stats, vi[0])} and step {step_at(stats, vi[-1])} this "
            f"histogram moved at most {percent(change)} of its own width away from where it "
            "started: it does change, so updates arrive, but little. That can be fine late in "
            "training, for a wide layer (wide layers learn by moving little relative to their "
            "spread) or for one that is already good; early on it usually means the learning "
            f"rate (or the gradient reaching this layer) is very small.{back}"
        ),
        evidence={"relative_change": change, "relative_change_at_end": ended},
        steps=(step_at(stats, vi[0]), step_at(stats, vi[-1])),
        fix=(
            "If the loss is also slow to fall: raise the learning rate (try a learning-rate "
            "range test), or check for vanishing gradients in this layer."
        ),
    )


def first_last_distance(stats: SeriesStats) -> float | None:
    """W1 distance between the first and last valid step, in the values' own units, or None."""
    vi = stats.valid_index
    if vi.size < 2:
        return None
    return float(w1(stats.quantiles[vi[-1]], stats.quantiles[vi[0]]))


def relative_change(stats: SeriesStats) -> float | None:
    """W1 distance between the first and last valid step, relative to their spread, or None."""
    distance = first_last_distance(stats)
    if distance is None:
        return None
    vi = stats.valid_index
    scale = max(float(stats.std[vi[0]]), float(stats.std[vi[-1]]))
    if scale > 0:
        return distance / scale
    return 0.0 if distance == 0 else None


def movement_path(stats: SeriesStats) -> NDArray[np.float64]:
    """Per step, the W1 distance from the first valid step relative to that step's spread.

    0 means "still exactly the initial distribution"; 1 means the distribution has moved by one
    standard deviation of where it started. NaN on steps without valid data.
    """
    out = np.full(stats.steps.shape, np.nan)
    vi = stats.valid_index
    if vi.size == 0:
        return out
    first = vi[0]
    distance = w1(stats.quantiles[vi], stats.quantiles[first])
    # A constant start has no spread to compare with: use the widest spread the series reaches,
    # or, for a series constant throughout, the size of its value.
    scale = float(stats.std[first])
    if not scale > 0:
        spreads = stats.std[vi]
        scale = float(np.max(np.where(np.isfinite(spreads), spreads, 0.0)))
    if not scale > 0:
        scale = max(abs(float(stats.mean[first])), 1e-12)
    relative = distance / scale
    # Identical histograms can differ by float rounding in the batched quantile search (~1e-17).
    out[vi] = np.where(relative < 1e-9, 0.0, relative)
    return out
