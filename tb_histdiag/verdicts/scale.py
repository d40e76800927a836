"""Tag rules on magnitudes: exploding, collapsing and vanishing values."""

from __future__ import annotations

import numpy as np

from tb_histdiag.model import Verdict
from tb_histdiag.stats import SeriesStats
from tb_histdiag.verdicts.table import applies
from tb_histdiag.verdicts.text import fmt, percent, recent_steps, step_at
from tb_histdiag.verdicts.thresholds import Thresholds


def _growth(stats: SeriesStats) -> tuple[float, int, int] | None:
    vi = stats.valid_index
    if vi.size < 2:
        return None
    first, last = vi[0], vi[-1]
    if not stats.std[first] > 0:
        return None  # e.g. biases initialised at 0: any later spread is not "growth"
    return float(stats.std[last] / stats.std[first]), int(first), int(last)


def _size(stats: SeriesStats) -> np.ndarray:
    """Per step, the root mean square of the values: their spread and their offset from 0 (a
    single bias has no spread, but can still explode)."""
    return np.sqrt(stats.std**2 + stats.mean**2)


def _reference(stats: SeriesStats, size: np.ndarray) -> tuple[int, bool] | None:
    """The step growth is measured from: the first valid one, or, when its values are all 0
    (biases initialised at 0), the first step with non-zero values. Also says which case."""
    vi = stats.valid_index
    if vi.size < 2:
        return None
    if size[vi[0]] > 0:
        return int(vi[0]), False
    nonzero = vi[size[vi] > 0]
    return (int(nonzero[0]), True) if nonzero.size else None


def _sustained_peak(stats: SeriesStats, size: np.ndarray, start: int) -> tuple[float, int]:
    """The largest size held over two consecutive logged steps from ``start`` on (one noisy
    step is not an explosion), and the step index by which it held."""
    vi = stats.valid_index
    vi = vi[vi >= start]
    std = size[vi]
    if vi.size < 3:
        return float(std[-1]), int(vi[-1])
    held = np.minimum(std[:-1], std[1:])
    k = int(np.argmax(held))
    return float(held[k]), int(vi[k + 1])


def exploding(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """Magnitudes grow by orders of magnitude over training: the size (root mean square) held at
    its peak against the first step's (or, from an all-zero start, the first non-zero one's), and
    the largest value."""
    if not applies("exploding", role):
        return None
    size = _size(stats)
    found = _reference(stats, size)
    if found is None:
        return None
    ref, from_zero = found
    level, peak_at = _sustained_peak(stats, size, ref)
    start = float(size[ref])
    growth = level / start
    vi = stats.valid_index
    sizes = np.maximum(np.abs(stats.minimum[vi]), np.abs(stats.maximum[vi]))
    largest = float(np.max(sizes))
    if role == "gradient":
        needed, floor = t.exploding_gradient_growth, t.exploding_min_gradient
    elif role in ("activation", "preactivation"):
        needed, floor = t.exploding_growth, t.exploding_min_activation
    else:
        needed, floor = t.exploding_growth, t.exploding_min_weight
    if from_zero:
        floor = max(floor, t.exploding_from_zero_min)
    if not (growth >= needed and largest >= floor):
        return None
    after = vi[vi >= ref]
    onset = int(next((i for i in after if size[i] >= 10.0 * start), peak_at))
    thing = {"weight": "weights", "bias": "biases", "gradient": "gradients"}.get(role, "values")
    first_step, peak_step = step_at(stats, vi[0]), step_at(stats, peak_at)
    if from_zero:
        opening = (
            f"These {thing} are all exactly 0 at step {first_step}. From step "
            f"{step_at(stats, ref)} on their size (root mean square) grows from {fmt(start)} to "
            f"{fmt(level)} at step {peak_step}, {fmt(growth)} times larger, with values up to "
            f"{fmt(largest)}: zero-initialised {thing} that learn normally stay far below that."
        )
    else:
        opening = (
            f"The size of these {thing} (root mean square) grows from {fmt(start)} at step "
            f"{first_step} to {fmt(level)} at step {peak_step}, {fmt(growth)} times larger, "
            f"with values up to {fmt(largest)}. It passed 10 times its starting size at step "
            f"{step_at(stats, onset)}."
        )
    last = vi[-1]
    story = [opening]
    if 0 < size[last] < level / 10:
        story.append(
            f"After the peak it falls back to {fmt(float(size[last]))} by step "
            f"{step_at(stats, last)}."
        )
    beyond = np.flatnonzero(stats.beyond_range[vi])
    if beyond.size:
        story.append(
            f"From step {step_at(stats, vi[beyond[0]])} some values lie beyond ±1e20, which PyTorch "
            "and tensorboardX leave out of the bucket counts (only the outer edges, the tensor's "
            "min and max, still show them): the histogram draws only what is left of the tensor."
        )
    story.append(
        "Unchecked, such growth ends in overflow (Inf/NaN) or in saturated, untrainable units."
    )
    return Verdict(
        id="exploding",
        severity="critical" if growth >= needed * 100 else "warning",
        title=f"{thing.capitalize()} grow {fmt(growth)}× (up to {fmt(largest)})",
        summary=" ".join(story),
        evidence={
            "growth": growth,
            "size_start": start,
            "size_peak": level,
            "peak_step": peak_step,
            "max_abs": largest,
            "onset_step": step_at(stats, onset),
            "from_zero": from_zero,
            **({"beyond_range_step": step_at(stats, vi[beyond[0]])} if beyond.size else {}),
        },
        steps=(step_at(stats, onset), step_at(stats, last)),
        fix=(
            "Lower the learning rate; clip gradients (clip_grad_norm_, Keras clipnorm); add "
            "weight decay or normalisation layers; check for a loss that rewards ever larger "
            "outputs."
        ),
    )


def collapsing(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """The spread of weights (or biases) shrinks towards zero during training."""
    if not applies("collapsing", role):
        return None
    grown = _growth(stats)
    if grown is None:
        return None
    ratio, first, last = grown
    if ratio > t.collapsing_ratio:
        return None
    vi = stats.valid_index
    onset = next((i for i in vi if stats.std[i] <= 0.5 * stats.std[first]), last)
    thing = "biases" if role == "bias" else "weights"
    return Verdict(
        id="collapsing",
        severity="warning",
        title=f"{thing.capitalize()} shrink to {percent(ratio)} of their initial spread",
        summary=(
            f"The histogram narrows from a spread of {fmt(float(stats.std[first]))} to "
            f"{fmt(float(stats.std[last]))}: the {thing} are being pulled towards 0 faster than "
            "learning pushes them apart. Typical causes are weight decay or an L2 penalty that is "
            "too strong for the learning rate; the layer loses its ability to represent anything."
        ),
        evidence={
            "std_ratio": ratio,
            "std_first": float(stats.std[first]),
            "std_last": float(stats.std[last]),
        },
        steps=(step_at(stats, onset), step_at(stats, last)),
        fix=(
            "Reduce weight decay / the L2 coefficient (1e-4 to 1e-2 is typical for AdamW, much "
            "less for Adam with L2); check that the regulariser is not added once per layer "
            "on top of a global one."
        ),
    )


def vanishing(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """Gradients whose mean magnitude is tiny in absolute terms (cross-layer: see
    :func:`~tb_histdiag.verdicts.cross_tag.vanishing_relative`)."""
    if not applies("vanishing", role):
        return None
    recent = recent_steps(stats, t)
    if recent.size == 0:
        return None
    level = float(np.max(stats.mean_abs[recent]))
    if level >= t.vanishing_absolute:
        return None
    vi = stats.valid_index
    since = int(recent[0])
    for i in vi[::-1]:
        if not stats.mean_abs[i] < t.vanishing_absolute:
            break
        since = int(i)
    all_zero = level == 0.0
    since_words = (
        "at every logged step" if since == vi[0] else f"from step {step_at(stats, since)} on"
    )
    return Verdict(
        id="vanishing",
        severity="critical",
        title=(
            "Gradients are exactly 0" if all_zero else f"Gradients vanish (mean |g| {fmt(level)})"
        ),
        summary=(
            (
                f"Every gradient in this histogram is exactly 0 {since_words}: the spike at 0 "
                "holds all the mass, so these parameters receive no learning signal at all. "
                "Upstream, something blocks the gradient: dead ReLUs, saturated units, a detached "
                "tensor, or a layer outside the loss."
            )
            if all_zero
            else (
                f"The average gradient magnitude is below {fmt(t.vanishing_absolute)} "
                f"{since_words} ({fmt(level)} at most over the last logged steps): the histogram "
                "is a needle around 0, far too small to move the weights in any reasonable number "
                "of steps."
            )
        ),
        evidence={"mean_abs": level, "vanishing_since_step": step_at(stats, since)},
        steps=(step_at(stats, since), step_at(stats, recent[-1])),
        fix=(
            "Look upstream for what blocks the gradient (dead ReLUs, saturated sigmoid/tanh, "
            "detach()/stop_gradient); use ReLU-family activations, He/Glorot initialisation, "
            "residual connections or normalisation layers."
        ),
    )
