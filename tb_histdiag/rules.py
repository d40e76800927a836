"""Verdict rules: from series statistics to findings, one small function per verdict id.

Tag rules take a :class:`~tb_histdiag.stats.SeriesStats`, the tag's role and the thresholds and
return a :class:`~tb_histdiag.model.Verdict` or ``None``. Layer and run rules look at the tag
diagnoses of a layer or a run. Thresholds live in one dataclass so a config can override them;
``docs/verdicts.md`` gives each rule, its thresholds and the research tool it follows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from tb_histdiag.model import LossOutcome, TagDiagnosis, Verdict
from tb_histdiag.stats import LossTrend, SeriesStats


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """Every number a rule compares against. Override with ``dataclasses.replace``."""

    #: Spread (max - min) at or below this fraction of the largest magnitude counts as constant.
    constant_relative_spread: float = 1e-9
    #: Bucket counts sharing at least this common divisor mean values repeat in groups (symmetry).
    symmetry_min_gcd: int = 4
    #: Minimum number of consecutive unchanged logged steps before a series is called frozen.
    frozen_min_steps: int = 3
    #: A series unchanged over at least this fraction of its logged steps (at the end) is frozen.
    frozen_min_fraction: float = 0.5
    #: A layer's weights count as "moving" when W1(first, last) exceeds this fraction of their spread.
    moving_min_relative_change: float = 1e-3
    #: Logged steps at the end of a series over which persistent symptoms (dead, saturated) must hold.
    recent_steps: int = 3
    #: Dead ReLUs: share of exact zeros in an activation (DeepDiagnosis/DEFault use 0.7; healthy
    #: ReLU nets sit near 0.5, so we warn from 0.9 and call it critical from 0.99).
    dead_warning_fraction: float = 0.9
    dead_critical_fraction: float = 0.99
    #: Saturation: share of a bounded activation's values in the outer 10% of its range (|x| > 0.9
    #: for tanh, < 0.1 or > 0.9 for sigmoid) (DeepDiagnosis: > 0.5 beyond ±5 before the activation).
    saturated_fraction: float = 0.5
    #: Saturation on pre-activation tags (DeepDiagnosis): more than ``saturated_fraction`` of the
    #: values at |x| >= this bound, where tanh and sigmoid are flat (tanh(5) = 0.9999) ...
    saturated_preactivation_bound: float = 5.0
    #: ... with at least this share beyond *each* side: a pile on one side only is what a dead
    #: ReLU layer's pre-activations look like (judged by ``dead`` on its activations).
    saturated_preactivation_min_side: float = 0.1
    #: Exploding: spread grows by at least this factor from the first to the last logged step...
    exploding_growth: float = 10.0
    #: ... and reaches at least this magnitude (max |x|): weights (DEFault: |w| > 10) ...
    exploding_min_weight: float = 10.0
    #: ... activations and pre-activations ...
    exploding_min_activation: float = 100.0
    #: ... gradients (which also need the larger growth factor below; AutoTrainer uses 70).
    exploding_min_gradient: float = 10.0
    exploding_gradient_growth: float = 100.0
    #: Collapsing: a weight's spread shrinks to at most this fraction of where it started.
    collapsing_ratio: float = 0.1
    #: Vanishing gradients: mean |g| below this is vanishing on its own (DeepDiagnosis: 1e-7) ...
    vanishing_absolute: float = 1e-7
    #: ... or below ``vanishing_first_max`` and under ``vanishing_ratio`` × the last layer's
    #: (AutoTrainer: ||g_first|| / ||g_last|| < 1e-3 and ||g_first|| < 1e-4).
    vanishing_ratio: float = 1e-3
    vanishing_first_max: float = 1e-4
    #: Slow: weights that move, but less than this fraction of their spread over the whole run.
    slow_relative_change: float = 0.01
    #: The loss counts as flat when it falls by less than this fraction from start to end.
    loss_flat_improvement: float = 0.05
    #: Multimodal: all mass in at most this many narrow spikes ...
    multimodal_max_spikes: int = 10
    #: ... each holding on average at least this many values.
    multimodal_min_per_spike: float = 10.0

    def with_overrides(self, overrides: dict[str, float]) -> Thresholds:
        """Return a copy with ``overrides`` applied; unknown names raise ``KeyError`` naming them."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise KeyError(
                f"unknown threshold(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        return dataclasses.replace(self, **overrides)


DEFAULT_THRESHOLDS = Thresholds()


def _fmt(value: float) -> str:
    """A number as a short human string (3 significant digits)."""
    return f"{value:.3g}"


def _as_count(value: float) -> int | float:
    """A bucket count total as an int when it is one (crafted data may hold 1e300 or Inf)."""
    return int(value) if np.isfinite(value) and abs(value) < 2**62 else float(value)


def _step_at(stats: SeriesStats, index: int) -> int:
    return int(stats.steps[index])


def nonfinite(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """NaN or ±Inf anywhere in the series."""
    bad = np.flatnonzero(stats.nonfinite)
    if bad.size == 0:
        return None
    first, last = _step_at(stats, bad[0]), _step_at(stats, bad[-1])
    total = stats.steps.size
    finite_before = np.flatnonzero(~stats.nonfinite[: bad[0]])
    last_good = _step_at(stats, finite_before[-1]) if finite_before.size else None
    since = f"from step {first}" if bad.size > 1 else f"at step {first}"
    return Verdict(
        id="nonfinite",
        severity="critical",
        title=f"NaN or Inf values {since}",
        summary=(
            f"{bad.size} of {total} logged steps contain NaN or infinite values, the first at step "
            f"{first}. Once a value becomes NaN it spreads to everything computed from it, so the "
            "histogram stops showing a real distribution (TensorBoard drops such values from the "
            "counts or draws an empty chart). Look at the last healthy step"
            + (f" ({last_good})" if last_good is not None else "")
            + " and what changed right after it."
        ),
        evidence={
            "first_nonfinite_step": first,
            "nonfinite_steps": int(bad.size),
            "logged_steps": int(total),
            "last_finite_step": last_good,
        },
        steps=(first, last),
        fix=(
            "Lower the learning rate or clip gradients (e.g. torch.nn.utils.clip_grad_norm_, "
            "Keras clipnorm); check the loss for log(0) or division by zero; check the input data "
            "for NaN/Inf; with mixed precision, use loss scaling."
        ),
    )


def constant(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """All values identical at the last logged step, or repeating in groups (symmetry not broken)."""
    vi = stats.valid_index
    if vi.size == 0:
        return None
    last = vi[-1]
    if stats.total[last] < 2:
        return None  # a single number is trivially "constant"
    lo, hi = stats.minimum[last], stats.maximum[last]
    scale = max(abs(lo), abs(hi), 1e-30)
    spread = hi - lo
    all_equal = spread <= t.constant_relative_spread * scale
    steps = (_step_at(stats, vi[0]), _step_at(stats, last))
    thing = {"weight": "weights", "bias": "biases", "gradient": "gradients"}.get(role, "values")
    if all_equal:
        since = vi[0]
        for i in vi[::-1]:
            if stats.maximum[i] - stats.minimum[i] > t.constant_relative_spread * scale:
                break
            since = i
        return Verdict(
            id="constant",
            severity="critical" if role in ("weight", "gradient") else "warning",
            title=f"All {thing} are identical ({_fmt(float(hi))})",
            summary=(
                f"At step {_step_at(stats, last)} every one of the {_as_count(stats.total[last])} {thing} "
                f"has the same value, {_fmt(float(hi))}: the histogram is a single spike instead of "
                "a spread. "
                + (
                    "When all weights start equal, every unit in a layer computes the same thing and "
                    "receives the same update, so they stay equal for ever (the symmetry is never "
                    "broken) and the layer behaves like a single unit."
                    if role == "weight"
                    else "Nothing varies between units, so this tensor carries no information."
                )
            ),
            evidence={
                "value": float(hi),
                "spread": float(spread),
                "elements": _as_count(stats.total[last]),
                "constant_since_step": _step_at(stats, since),
            },
            steps=(_step_at(stats, since), _step_at(stats, last)),
            fix=(
                "Initialise weights randomly (Glorot/He: the framework defaults, e.g. "
                "keras.initializers.GlorotUniform or torch.nn.init.kaiming_uniform_) instead of a "
                "constant; make sure no code overwrites them with a fixed value."
                if role == "weight"
                else "Check the layer's inputs and its initialisation; a constant tensor usually "
                "means the layer gets no signal or its parameters are never updated."
            ),
        )
    if role != "weight" or vi.size < 1:
        return None
    recent = vi[-2:]
    gcds = stats.count_gcd[recent]
    spread_out = stats.nonempty_buckets[recent] >= 2
    if (gcds >= t.symmetry_min_gcd).all() and spread_out.all():
        g = int(gcds.min())
        return Verdict(
            id="constant",
            severity="critical",
            title=f"Weights repeat in groups of {g}: symmetry never broken",
            summary=(
                f"The weights are not all equal, but every bucket of the histogram holds a multiple "
                f"of {g} values: the same few numbers are repeated {g} times, typically once per "
                "unit of the layer. That is the fingerprint of weights initialised to one value: all "
                "units receive the same update and stay copies of each other, so the layer acts "
                "like a single unit and training stalls."
            ),
            evidence={
                "count_gcd": g,
                "occupied_buckets": int(stats.nonempty_buckets[last]),
                "elements": _as_count(stats.total[last]),
            },
            steps=steps,
            fix=(
                "Initialise weights randomly (the framework defaults: Glorot/He) instead of a "
                "constant; if you copy weights between units on purpose, add noise."
            ),
        )
    return None


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
    if role not in ("weight", "bias", "other"):
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
    since, last = _step_at(stats, since_index), _step_at(stats, vi[-1])
    whole_run = unchanged_steps == vi.size
    thing = {"weight": "weights", "bias": "biases"}.get(role, "values")
    shape = _init_shape(stats, vi[0])
    shape_words = {
        "uniform": " It still has the flat, plateau shape of a uniform random initialisation.",
        "normal": " It still has the bell shape of a normal random initialisation.",
        "constant": " It is still the single spike of a constant initialisation.",
        "other": "",
    }[shape]
    what = (
        f"over all {vi.size} logged steps ({since}–{last})"
        if whole_run
        else f"from step {since} to the last logged step {last} ({unchanged_steps} of {vi.size} steps)"
    )
    return Verdict(
        id="frozen",
        severity="warning",
        title=("Never changes: not learning" if whole_run else f"Stopped changing at step {since}"),
        summary=(
            f"The histogram of these {thing} is exactly the same, bucket for bucket, {what}. "
            "Training that updates a tensor, even slightly, moves its histogram; an identical "
            f"histogram means these {thing} received no updates." + shape_words
        ),
        evidence={
            "unchanged_steps": int(unchanged_steps),
            "logged_steps": int(vi.size),
            "unchanged_since_step": since,
            "init_shape": shape,
            "std": float(stats.std[vi[-1]]),
        },
        steps=(since, last),
        fix=(
            "Check that these parameters are passed to the optimizer and are trainable "
            "(requires_grad / trainable=True, not inside a frozen sub-model); check that gradients "
            "reach them (no detach()/stop_gradient on the way); check that the learning rate is not 0."
        ),
    )


def _recent(stats: SeriesStats, t: Thresholds) -> NDArray[np.int64]:
    return stats.valid_index[-t.recent_steps :]


def dead(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """ReLU-style activations that are (almost) all exactly 0 over the last logged steps."""
    if role != "activation":
        return None
    recent = _recent(stats, t)
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
            f"Since step {_step_at(stats, since_index)}, {share} of this layer's outputs sit in "
            "the spike at 0 on the left edge of the histogram. A ReLU that outputs 0 for every "
            "input also passes back a zero gradient, so it never recovers: the unit is dead. "
            "About half zeros is normal for ReLU layers; almost all zeros means the layer has "
            "stopped carrying information." + bound_note
        ),
        evidence={
            "zero_fraction": zero,
            "zero_fraction_is_exact": exact,
            "dead_since_step": _step_at(stats, since_index),
        },
        steps=(_step_at(stats, since_index), _step_at(stats, recent[-1])),
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
    recent = _recent(stats, t)
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
    b = _fmt(bound)
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
        steps=(_step_at(stats, recent[0]), _step_at(stats, recent[-1])),
        fix=(
            "Use a smaller weight initialisation (Glorot/Xavier for tanh and sigmoid); normalise "
            "the inputs and add BatchNorm/LayerNorm before the activation; lower the learning "
            "rate."
        ),
    )


def saturated(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """tanh/sigmoid outputs piled up at the ends of their range over the last logged steps, or
    pre-activations far beyond the range where tanh/sigmoid still have a slope."""
    if role == "preactivation":
        return _saturated_preactivation(stats, t)
    if role != "activation":
        return None
    recent = _recent(stats, t)
    if recent.size == 0 or stats.total[recent[-1]] < 2:
        return None
    lo, hi = float(np.min(stats.minimum[recent])), float(np.max(stats.maximum[recent]))
    eps = 1e-6
    if lo >= 0:
        # A sigmoid never outputs exactly 0; a minimum of exactly 0 is a ReLU-family output.
        if not (lo > 0 and hi <= 1 + eps):
            return None
        share, kind, ends = stats.unit_tail_mass[recent], "sigmoid", "near 0 and 1"
    elif lo >= -1 - eps and hi <= 1 + eps:
        share, kind, ends = stats.tail_mass[recent], "tanh", "near -1 and +1"
    else:
        return None  # not a bounded activation
    fraction = float(share.min())
    if fraction <= t.saturated_fraction:
        return None
    return Verdict(
        id="saturated",
        severity="warning",
        title=f"{fraction:.0%} of the outputs are saturated ({kind})",
        summary=(
            f"Over the last logged steps, {fraction:.0%} of this layer's outputs are {ends}: the "
            "histogram piles up against both edges of the activation's range instead of "
            f"spreading through the middle. Where a {kind} is flat its gradient is almost 0, so "
            "saturated units learn very slowly or not at all. (The share is measured as values "
            "in the outer 10% of the range, which histogram buckets can resolve.)"
        ),
        evidence={"saturated_fraction": fraction, "activation": kind, "min": lo, "max": hi},
        steps=(_step_at(stats, recent[0]), _step_at(stats, recent[-1])),
        fix=(
            "Use a smaller weight initialisation (Glorot/Xavier for tanh and sigmoid); normalise "
            "the inputs and add BatchNorm/LayerNorm before the activation; lower the learning "
            "rate; or switch hidden layers to ReLU-family activations."
        ),
    )


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
        title=f"{thing.capitalize()} grow {_fmt(growth)}× (up to {_fmt(peak)})",
        summary=(
            f"The spread of these {thing} grows from {_fmt(float(stats.std[first]))} at step "
            f"{_step_at(stats, first)} to {_fmt(float(stats.std[last]))} at step "
            f"{_step_at(stats, last)}, {_fmt(growth)} times wider, with values up to "
            f"{_fmt(peak)}. The histogram keeps stretching outwards instead of settling; it "
            f"starts to take off around step {_step_at(stats, onset)}. Unchecked, such growth "
            "ends in overflow (Inf/NaN) or in saturated, untrainable units."
        ),
        evidence={
            "growth": growth,
            "std_first": float(stats.std[first]),
            "std_last": float(stats.std[last]),
            "max_abs": peak,
            "onset_step": _step_at(stats, onset),
        },
        steps=(_step_at(stats, onset), _step_at(stats, last)),
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
            f"The histogram narrows from a spread of {_fmt(float(stats.std[first]))} to "
            f"{_fmt(float(stats.std[last]))}: the weights are being pulled towards 0 faster than "
            "learning pushes them apart. Typical causes are weight decay or an L2 penalty that is "
            "too strong for the learning rate; the layer loses its ability to represent anything."
        ),
        evidence={
            "std_ratio": ratio,
            "std_first": float(stats.std[first]),
            "std_last": float(stats.std[last]),
        },
        steps=(_step_at(stats, onset), _step_at(stats, last)),
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
    recent = _recent(stats, t)
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
            "Gradients are exactly 0" if all_zero else f"Gradients vanish (mean |g| {_fmt(level)})"
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
                f"The average gradient magnitude is {_fmt(level)}: the histogram is a needle "
                "around 0, far too small to move the weights in any reasonable number of steps."
            )
        ),
        evidence={"mean_abs": level},
        steps=(_step_at(stats, recent[0]), _step_at(stats, recent[-1])),
        fix=(
            "Look upstream for what blocks the gradient (dead ReLUs, saturated sigmoid/tanh, "
            "detach()/stop_gradient); use ReLU-family activations, He/Glorot initialisation, "
            "residual connections or normalisation layers."
        ),
    )


def slow(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """Weights that change, but very little over the whole run (info)."""
    if role not in ("weight", "bias"):
        return None
    vi = stats.valid_index
    if vi.size < t.frozen_min_steps:
        return None
    change = relative_change(stats)
    if change is None or change == 0.0 or change >= t.slow_relative_change:
        return None
    if stats.same_as_prev[vi[1:]].all():
        return None  # bit-identical: that is frozen, not slow
    return Verdict(
        id="slow",
        severity="info",
        title=f"Barely changes ({change:.2%} of its spread)",
        summary=(
            f"Between step {_step_at(stats, vi[0])} and step {_step_at(stats, vi[-1])} this "
            f"histogram moved by only {change:.2%} of its own width: it does change, so updates "
            "arrive, but at this pace the layer will take a very long time to learn. That can be "
            "fine late in training or for a layer that is already good; early on it usually "
            "means the learning rate (or the gradient reaching this layer) is very small."
        ),
        evidence={"relative_change": change},
        steps=(_step_at(stats, vi[0]), _step_at(stats, vi[-1])),
        fix=(
            "If the loss is also slow to fall: raise the learning rate (try a learning-rate "
            "range test), or check for vanishing gradients in this layer."
        ),
    )


def multimodal(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """All values in a few narrow spikes: many units hold identical values (info)."""
    if role not in ("weight", "bias", "other"):
        return None
    vi = stats.valid_index
    if vi.size == 0:
        return None
    last = vi[-1]
    spikes = int(stats.nonempty_buckets[last])
    total = float(stats.total[last])
    if not (
        2 <= spikes <= t.multimodal_max_spikes and total / spikes >= t.multimodal_min_per_spike
    ):
        return None
    return Verdict(
        id="multimodal",
        severity="info",
        title=f"All values sit in {spikes} narrow spikes",
        summary=(
            f"The {_as_count(total)} values of this histogram fall into only {spikes} narrow "
            "spikes instead of a continuous spread: many units hold (nearly) the same value. "
            "That happens when units are copies of each other (a symmetric initialisation), "
            "with heavy quantisation, or with weights clipped to a few levels."
        ),
        evidence={"spikes": spikes, "elements": _as_count(total)},
        steps=(_step_at(stats, last), _step_at(stats, last)),
        fix=(
            "If this is not deliberate quantisation: initialise randomly and check that no "
            "code copies one unit's weights to the others."
        ),
    )


#: The tag rules, in the order their verdicts are listed.
TAG_RULES: Sequence[Callable[[SeriesStats, str, Thresholds], Verdict | None]] = (
    nonfinite,
    constant,
    frozen,
    dead,
    saturated,
    exploding,
    collapsing,
    vanishing,
    slow,
    multimodal,
)


#: When the first verdict is found, the second says the same thing less precisely: drop it.
SUPERSEDES = {
    "nonfinite": ("exploding",),
    "dead": ("constant", "saturated", "multimodal"),
    "vanishing": ("constant", "multimodal"),
    "constant": ("multimodal", "slow"),
    "frozen": ("slow",),
}


def apply_rules(stats: SeriesStats, role: str, t: Thresholds) -> tuple[Verdict, ...]:
    """Run every tag rule and drop the verdicts a more specific one supersedes."""
    found = [v for rule in TAG_RULES if (v := rule(stats, role, t))]
    ids = {v.id for v in found}
    dropped = {d for i in ids for d in SUPERSEDES.get(i, ())}
    return tuple(v for v in found if v.id not in dropped)


def recent_mean_abs(stats: SeriesStats, t: Thresholds) -> float | None:
    """Largest mean |x| over the last logged steps (None without valid steps)."""
    recent = _recent(stats, t)
    return float(np.max(stats.mean_abs[recent])) if recent.size else None


def recent_range(stats: SeriesStats, t: Thresholds) -> tuple[float, float] | None:
    """Smallest and largest value over the last logged steps (None without valid steps)."""
    recent = _recent(stats, t)
    if recent.size == 0:
        return None
    return float(np.min(stats.minimum[recent])), float(np.max(stats.maximum[recent]))


#: Names that say what follows a pre-activation cannot saturate the way tanh and sigmoid do:
#: unbounded activations, and logits (a confident classifier's logits are far out by design).
_UNSATURABLE_NAME = re.compile(r"relu|gelu|(?<![a-z])elu|silu|swish|softplus|mish|logit", re.I)


def unsaturable_preactivations(tags: Sequence[TagDiagnosis]) -> set[str]:
    """Pre-activation tags whose ``saturated`` verdict does not apply: their layer logs an
    activation that is not bounded to [-1, 1] (e.g. a ReLU's), or their name says the
    activation is unbounded (``conv1_before_relu``) or that they are logits. Without either
    sign the pre-activation rule stands on its own (tanh and sigmoid are the usual case)."""
    unbounded_layers = {
        d.layer
        for d in tags
        if d.role == "activation"
        and (
            d.facts.get("recent_min", 0.0) < -1.0 - 1e-6
            or d.facts.get("recent_max", 0.0) > 1.0 + 1e-6
        )
    }
    return {
        d.tag
        for d in tags
        if d.role == "preactivation"
        and (d.layer in unbounded_layers or _UNSATURABLE_NAME.search(d.tag))
    }


def vanishing_relative(tags: Sequence[TagDiagnosis], t: Thresholds) -> dict[str, Verdict]:
    """Gradients of early layers orders of magnitude below the last layer's (AutoTrainer)."""
    grads = [d for d in tags if d.role == "gradient" and d.facts.get("mean_abs") is not None]
    if len(grads) < 2:
        return {}
    deepest = max(d.depth for d in grads)
    reference = max(d.facts["mean_abs"] for d in grads if d.depth == deepest)
    if not reference > 0:
        return {}
    out = {}
    for d in grads:
        level = d.facts["mean_abs"]
        if d.depth == deepest or any(v.id == "vanishing" for v in d.verdicts):
            continue
        ratio = level / reference
        if ratio < t.vanishing_ratio and level < t.vanishing_first_max:
            out[d.tag] = Verdict(
                id="vanishing",
                severity="warning",
                title=f"Gradients vanish: {ratio:.1e}× the last layer's",
                summary=(
                    f"The gradients reaching {d.layer} average {_fmt(level)} in magnitude, "
                    f"{_fmt(1 / ratio)} times smaller than those of the last layer "
                    f"({_fmt(reference)}). The backward signal shrinks layer by layer, so the "
                    "early layers hardly learn while the last ones do."
                ),
                evidence={"mean_abs": level, "last_layer_mean_abs": reference, "ratio": ratio},
                steps=(d.first_step or 0, d.last_step or 0),
                fix=(
                    "Use ReLU-family activations instead of sigmoid/tanh in deep stacks, He or "
                    "Glorot initialisation, normalisation layers, or residual connections."
                ),
            )
    return out


#: Causes whose severity depends on the outcome (AutoTrainer reports them only with a symptom).
OUTCOME_GATED = ("dead", "saturated", "vanishing")


def loss_outcome(tag: str, trend: LossTrend, t: Thresholds) -> LossOutcome:
    """Judge a loss curve: flat when it fell less than ``loss_flat_improvement`` or went NaN."""
    flat = trend.nonfinite or (
        trend.improvement is not None and trend.improvement < t.loss_flat_improvement
    )
    return LossOutcome(tag, trend.improvement, trend.nonfinite, bool(flat))


def gate_by_outcome(verdicts: tuple[Verdict, ...], loss: LossOutcome | None) -> tuple[Verdict, ...]:
    """Set the severity of cause verdicts (dead, saturated, vanishing) from the run's loss.

    A flat or NaN loss makes them critical (they explain a failure); a falling loss caps them at
    warning (training copes for now). Without a loss scalar they keep their own severity.
    """
    if loss is None or (loss.improvement is None and not loss.nonfinite):
        return verdicts
    out = []
    for v in verdicts:
        if v.id not in OUTCOME_GATED:
            out.append(v)
            continue
        if loss.flat:
            note = (
                f" The run's loss ('{loss.tag}') "
                + ("became NaN/Inf" if loss.nonfinite else "is flat")
                + ", so this is a likely cause of the failure."
            )
            severity = "critical"
        else:
            note = (
                f" The run's loss ('{loss.tag}') still falls (by {loss.improvement:.0%}), so "
                "training copes for now, but this layer is not pulling its weight."
            )
            severity = "warning"
        evidence = {**v.evidence, "loss_flat": loss.flat}
        out.append(
            dataclasses.replace(v, severity=severity, summary=v.summary + note, evidence=evidence)
        )
    return tuple(out)


def relative_change(stats: SeriesStats) -> float | None:
    """W1 distance between the first and last valid step, relative to their spread, or None."""
    vi = stats.valid_index
    if vi.size < 2:
        return None
    scale = max(float(stats.std[vi[0]]), float(stats.std[vi[-1]]))
    distance = float(np.abs(stats.quantiles[vi[-1]] - stats.quantiles[vi[0]]).mean())
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
    distance = np.abs(stats.quantiles[vi] - stats.quantiles[first]).mean(axis=1)
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


def _is_frozen(tag: TagDiagnosis) -> bool:
    return any(v.id == "frozen" for v in tag.verdicts)


def _is_moving(tag: TagDiagnosis, t: Thresholds) -> bool:
    return (
        not _is_frozen(tag)
        and tag.movement is not None
        and tag.movement > t.moving_min_relative_change
    )


def bias_only(layer: str, tags: Sequence[TagDiagnosis], t: Thresholds) -> Verdict | None:
    """A layer whose biases move while its weights are frozen."""
    weights = [d for d in tags if d.role == "weight"]
    biases = [d for d in tags if d.role == "bias"]
    if not weights or not biases:
        return None
    if not all(_is_frozen(w) for w in weights) or not any(_is_moving(b, t) for b in biases):
        return None
    first = min(w.first_step for w in weights if w.first_step is not None)
    last = max(w.last_step for w in weights if w.last_step is not None)
    return Verdict(
        id="bias_only",
        severity="warning",
        title=f"Only the biases of {layer} learn",
        summary=(
            f"In layer {layer} the bias histogram moves over training but the weight histogram "
            "stays exactly the same. The optimizer reaches the biases but not the weights, so the "
            "layer can only shift its outputs, not learn new features."
        ),
        evidence={
            "weight_tags": len(weights),
            "bias_change": max((b.movement or 0.0) for b in biases),
        },
        steps=(first, last),
        fix=(
            "Check that the weights are in the optimizer's parameter list and trainable; look for "
            "code that resets or masks them each step, or a weight decay / constraint that pins them."
        ),
        tags=tuple(d.tag for d in weights + biases),
    )


def last_layer_only(
    layers: Sequence[tuple[str, Sequence[TagDiagnosis]]], t: Thresholds
) -> Verdict | None:
    """Early layers frozen while the last layer(s) learn. ``layers`` is in depth order."""
    weight_layers = [
        (name, [d for d in tags if d.role == "weight"])
        for name, tags in layers
        if any(d.role == "weight" for d in tags)
    ]
    if len(weight_layers) < 2:
        return None
    frozen_flags = [all(_is_frozen(w) for w in ws) for _, ws in weight_layers]
    moving_flags = [any(_is_moving(w, t) for w in ws) for _, ws in weight_layers]
    # Frozen prefix followed only by moving layers.
    k = 0
    while k < len(frozen_flags) and frozen_flags[k]:
        k += 1
    if k == 0 or k == len(frozen_flags) or not all(moving_flags[k:]):
        return None
    frozen_names = [name for name, _ in weight_layers[:k]]
    moving_names = [name for name, _ in weight_layers[k:]]
    tags = tuple(w.tag for _, ws in weight_layers for w in ws)
    steps = [d.last_step for _, ws in weight_layers for d in ws if d.last_step is not None]
    firsts = [d.first_step for _, ws in weight_layers for d in ws if d.first_step is not None]
    return Verdict(
        id="last_layer_only",
        severity="warning",
        title=(
            "Only the last layer learns; "
            + (
                "the layer before it is frozen"
                if k == 1
                else f"the {k} layers before it are frozen"
            )
            if len(moving_names) == 1
            else f"Only the last {len(moving_names)} of {len(weight_layers)} layers learn"
        ),
        summary=(
            f"The weights of {', '.join(frozen_names)} never change, while "
            f"{', '.join(moving_names)} keep moving. The network trains only its top, on top of "
            "random, untrained features: in the Histograms tab the early layers look like flat, "
            "identical ridges and only the last layer's ridges shift."
        ),
        evidence={"frozen_layers": len(frozen_names), "learning_layers": len(moving_names)},
        steps=(min(firsts), max(steps)),
        fix=(
            "If the early layers should train: check requires_grad / trainable flags (e.g. a "
            "pretrained backbone left frozen), that the optimizer was built with all parameters "
            "(model.parameters(), not one layer's), and that no detach()/stop_gradient cuts the "
            "gradient path. If freezing is intended, this verdict can be ignored."
        ),
        tags=tags,
    )
