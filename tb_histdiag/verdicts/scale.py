"""Tag rules on magnitudes: exploding, collapsing and vanishing values."""

from __future__ import annotations

import numpy as np

from tb_histdiag.model import Verdict
from tb_histdiag.stats import SeriesStats
from tb_histdiag.verdicts.text import fmt, recent_steps, step_at
from tb_histdiag.verdicts.thresholds import Thresholds


def _growth(stats: SeriesStats) -> tuple[float, int, int] | None:
    vi = stats.valid_index
    if vi.size < 2:
        return None
    first, last = vi[0], vi[-1]
    if not stats.std[first] > 0:
        return None  # e.g. biases initialised at 0: any later spread is not "growth"
    return float(stats.std[last] / stats.std[first]), int(first), int(last)


def exploding(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """Magnitudes grow by orders of magnitude from the first to the last logged step."""
    grown = _growth(stats)
    if grown is None:
        return None
    growth, first, last = grown
    peak = float(max(abs(stats.minimum[last]), abs(stats.maximum[last])))
    if role == "gradient":
        needed, floor = t.exploding_gradient_growth, t.exploding_min_gradient
    elif role in ("activation", "preactivation"):
        needed, floor = t.exploding_growth, t.exploding_min_activation
    elif role in ("weight", "bias", "other"):
        needed, floor = t.exploding_growth, t.exploding_min_weight
    else:
        return None
    if not (growth >= needed and peak >= floor):
        return None
    vi = stats.valid_index
    onset = next((i for i in vi if stats.std[i] >= 2 * stats.std[first]), last)
    thing = {"weight": "weights", "bias": "biases", "gradient": "gradients"}.get(role, "values")
    return Verdict(
        id="exploding",
        severity="critical" if growth >= needed * 100 else "warning",
        title=f"{thing.capitalize()} grow {fmt(growth)}× (up to {fmt(peak)})",
        summary=(
            f"The spread of these {thing} grows from {fmt(float(stats.std[first]))} at step "
            f"{step_at(stats, first)} to {fmt(float(stats.std[last]))} at step "
            f"{step_at(stats, last)}, {fmt(growth)} times wider, with values up to "
            f"{fmt(peak)}. The histogram keeps stretching outwards instead of settling; it "
            f"starts to take off around step {step_at(stats, onset)}. Unchecked, such growth "
            "ends in overflow (Inf/NaN) or in saturated, untrainable units."
        ),
        evidence={
            "growth": growth,
            "std_first": float(stats.std[first]),
            "std_last": float(stats.std[last]),
            "max_abs": peak,
            "onset_step": step_at(stats, onset),
        },
        steps=(step_at(stats, onset), step_at(stats, last)),
        fix=(
            "Lower the learning rate; clip gradients (clip_grad_norm_, Keras clipnorm); add "
            "weight decay or normalisation layers; check for a loss that rewards ever larger "
            "outputs."
        ),
    )


def collapsing(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """A weight's spread shrinks towards zero during training."""
    if role != "weight":
        return None
    grown = _growth(stats)
    if grown is None:
        return None
    ratio, first, last = grown
    if ratio > t.collapsing_ratio:
        return None
    vi = stats.valid_index
    onset = next((i for i in vi if stats.std[i] <= 0.5 * stats.std[first]), last)
    return Verdict(
        id="collapsing",
        severity="warning",
        title=f"Weights shrink to {ratio:.1%} of their initial spread",
        summary=(
            f"The histogram narrows from a spread of {fmt(float(stats.std[first]))} to "
            f"{fmt(float(stats.std[last]))}: the weights are being pulled towards 0 faster than "
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
    :func:`vanishing_relative`)."""
    if role != "gradient":
        return None
    recent = recent_steps(stats, t)
    if recent.size == 0:
        return None
    level = float(np.max(stats.mean_abs[recent]))
    if level >= t.vanishing_absolute:
        return None
    all_zero = level == 0.0
    return Verdict(
        id="vanishing",
        severity="critical",
        title=(
            "Gradients are exactly 0" if all_zero else f"Gradients vanish (mean |g| {fmt(level)})"
        ),
        summary=(
            (
                "Every gradient in this histogram is exactly 0 over the last logged steps: the "
                "spike at 0 holds all the mass, so these parameters receive no learning signal "
                "at all. Upstream, something blocks the gradient: dead ReLUs, a detached tensor, "
                "or a layer outside the loss."
            )
            if all_zero
            else (
                f"The average gradient magnitude is {fmt(level)}: the histogram is a needle "
                "around 0, far too small to move the weights in any reasonable number of steps."
            )
        ),
        evidence={"mean_abs": level},
        steps=(step_at(stats, recent[0]), step_at(stats, recent[-1])),
        fix=(
            "Look upstream for what blocks the gradient (dead ReLUs, saturated sigmoid/tanh, "
            "detach()/stop_gradient); use ReLU-family activations, He/Glorot initialisation, "
            "residual connections or normalisation layers."
        ),
    )
