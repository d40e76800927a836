"""Tag rules on activations: dead ReLUs and saturated tanh/sigmoid units."""

from __future__ import annotations

import numpy as np

from tb_histdiag.engine.stats import SeriesStats
from tb_histdiag.results import Verdict
from tb_histdiag.verdicts.table import applies
from tb_histdiag.verdicts.text import fmt, recent_steps, step_at
from tb_histdiag.verdicts.thresholds import Thresholds


def dead(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """ReLU-style activations that are (almost) all exactly 0 over the last logged steps."""
    if not applies("dead", role):
        return None
    recent = recent_steps(stats, t)
    if recent.size == 0 or stats.total[recent[-1]] < 2:
        return None
    if (stats.minimum[recent] < 0).any():
        return None  # not a ReLU-like output: negative values are alive
    zero = float(stats.zero_mass[recent].min())
    if zero < t.dead_warning_fraction:
        return None
    exact = bool(stats.zero_exact[recent].all())
    since_index = recent[0]
    for i in stats.valid_index[::-1]:
        if stats.minimum[i] < 0 or stats.zero_mass[i] < t.dead_warning_fraction:
            break
        since_index = i
    share = f"{zero:.1%}" if exact else f"up to {zero:.1%}"
    bound_note = (
        ""
        if exact
        else " (This logger's buckets are wide, so zeros cannot be told apart from small "
        "positive values: the share of exact zeros is at most this.)"
    )
    return Verdict(
        id="dead",
        severity="critical" if exact and zero >= t.dead_critical_fraction else "warning",
        title=f"{share} of the outputs are exactly 0: dead ReLUs",
        summary=(
            f"Since step {step_at(stats, since_index)}, {share} of this layer's outputs sit in "
            "the spike at 0 on the left edge of the histogram. A ReLU that outputs 0 for every "
            "input also passes back a zero gradient, so it never recovers: the unit is dead. "
            "About half zeros is normal for ReLU layers; almost all zeros means the layer has "
            "stopped carrying information." + bound_note
        ),
        evidence={
            "zero_fraction": zero,
            "zero_fraction_is_exact": exact,
            "dead_since_step": step_at(stats, since_index),
        },
        steps=(step_at(stats, since_index), step_at(stats, recent[-1])),
        fix=(
            "Lower the learning rate (a too large step pushes biases far negative); use He "
            "initialisation; try LeakyReLU/ELU/GELU; check for a large negative bias "
            "initialisation; normalise the inputs (BatchNorm/LayerNorm)."
        ),
    )


def _saturated_preactivation(stats: SeriesStats, t: Thresholds) -> Verdict | None:
    """Pre-activations far out where a tanh/sigmoid after them is flat (DeepDiagnosis: > 0.5 of
    the values beyond ±5), on both sides. The share beyond the bound is read off the quantile
    grid (64 levels: ±1/128 resolution), which assumes uniform mass inside each bucket."""
    recent = recent_steps(stats, t)
    if recent.size == 0 or stats.total[recent[-1]] < 2:
        return None
    bound = t.saturated_preactivation_bound
    q = stats.quantiles[recent]
    below = (q <= -bound).mean(axis=1)
    above = (q >= bound).mean(axis=1)
    fraction = float((below + above).min())
    smaller_side = float(np.minimum(below, above).min())
    if fraction <= t.saturated_fraction or smaller_side < t.saturated_preactivation_min_side:
        return None
    lo, hi = float(np.min(stats.minimum[recent])), float(np.max(stats.maximum[recent]))
    b = fmt(bound)
    return Verdict(
        id="saturated",
        severity="warning",
        title=f"{fraction:.0%} of the pre-activations are beyond ±{b}",
        summary=(
            f"Over the last logged steps, {fraction:.0%} of the values going into this layer's "
            f"activation are below -{b} or above +{b}: the histogram is split into two far-out "
            f"humps with little mass in the middle. A tanh or sigmoid is flat out there (tanh({b}) "
            "= 0.9999), so those units output ±1 (or 0/1) whatever the input and pass back "
            "almost no gradient: they are saturated. (If this layer feeds a ReLU instead, values "
            "this large mean its outputs are very large; look at the weights' scale.)"
        ),
        evidence={
            "saturated_fraction": fraction,
            "below_fraction": float(below.min()),
            "above_fraction": float(above.min()),
            "bound": bound,
            "min": lo,
            "max": hi,
        },
        steps=(step_at(stats, recent[0]), step_at(stats, recent[-1])),
        fix=(
            "Use a smaller weight initialisation (Glorot/Xavier for tanh and sigmoid); normalise "
            "the inputs and add BatchNorm/LayerNorm before the activation; lower the learning "
            "rate."
        ),
    )


def saturated(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """tanh/sigmoid outputs piled up at the ends of their range over the last logged steps, or
    pre-activations far beyond the range where tanh/sigmoid still have a slope.

    A sigmoid output needs mass at both ends (values that only sit near 0 may be no sigmoid at
    all: small ReLU or softplus outputs look the same); a tanh output may pile at one end. The
    summary names the ends the mass really sits at.
    """
    if role == "preactivation":
        return _saturated_preactivation(stats, t)
    if not applies("saturated", role):
        return None
    recent = recent_steps(stats, t)
    if recent.size == 0 or stats.total[recent[-1]] < 2:
        return None
    lo, hi = float(np.min(stats.minimum[recent])), float(np.max(stats.maximum[recent]))
    eps = 1e-6
    if lo >= 0:
        # A sigmoid never outputs exactly 0; a minimum of exactly 0 is a ReLU-family output.
        if not (lo > 0 and hi <= 1 + eps):
            return None
        sides, kind, names = stats.unit_sides, "sigmoid", ("near 0", "near 1")
    elif lo >= -1 - eps and hi <= 1 + eps:
        sides, kind, names = stats.tanh_sides, "tanh", ("near -1", "near +1")
    else:
        return None  # not a bounded activation
    low, high = float(sides[recent, 0].min()), float(sides[recent, 1].min())
    fraction = float((sides[recent, 0] + sides[recent, 1]).min())
    if fraction <= t.saturated_fraction:
        return None
    both = min(low, high) >= t.saturated_preactivation_min_side
    if kind == "sigmoid" and not both:
        return None
    vi = stats.valid_index
    share = sides[:, 0] + sides[:, 1]
    since = int(recent[0])
    for i in vi[::-1]:
        if not share[i] > t.saturated_fraction:
            break
        since = int(i)
    if both:
        where = f"{low:.0%} {names[0]} and {high:.0%} {names[1]}"
        shape = "the histogram piles up against both edges of the activation's range"
    else:
        where = f"{max(low, high):.0%} {names[0] if low > high else names[1]}"
        shape = "the histogram piles up against one edge of the activation's range"
    return Verdict(
        id="saturated",
        severity="warning",
        title=f"{fraction:.0%} of the outputs are saturated ({kind})",
        summary=(
            f"Since step {step_at(stats, since)}, {fraction:.0%} of this layer's outputs sit "
            f"in the outer 10% of the {kind} range (over the last logged steps at least {where}): "
            f"{shape} instead of spreading through the middle. Where a {kind} is flat its "
            "gradient is almost 0, so saturated units learn very slowly or not at all. (The "
            "outer 10% is what histogram buckets can resolve.)"
        ),
        evidence={
            "saturated_fraction": fraction,
            "low_fraction": low,
            "high_fraction": high,
            "activation": kind,
            "min": lo,
            "max": hi,
            "saturated_since_step": step_at(stats, since),
        },
        steps=(step_at(stats, since), step_at(stats, recent[-1])),
        fix=(
            "Use a smaller weight initialisation (Glorot/Xavier for tanh and sigmoid); normalise "
            "the inputs and add BatchNorm/LayerNorm before the activation; lower the learning "
            "rate; or switch hidden layers to ReLU-family activations."
        ),
    )
