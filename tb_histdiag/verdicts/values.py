"""Tag rules on the values themselves: NaN/Inf, all values identical, a few spikes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tb_histdiag.engine.stats import SeriesStats
from tb_histdiag.results import Verdict
from tb_histdiag.verdicts.table import applies
from tb_histdiag.verdicts.text import as_count, fmt, step_at, thing_of
from tb_histdiag.verdicts.thresholds import Thresholds


def nonfinite(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """NaN or ±Inf anywhere in the series."""
    bad = np.flatnonzero(stats.nonfinite)
    if bad.size == 0:
        return None
    first, last = step_at(stats, bad[0]), step_at(stats, bad[-1])
    total = stats.steps.size
    finite_before = np.flatnonzero(~stats.nonfinite[: bad[0]])
    last_good = step_at(stats, finite_before[-1]) if finite_before.size else None
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


def _spread_is_zero(stats: SeriesStats, index: int, t: Thresholds) -> bool:
    lo, hi = float(stats.minimum[index]), float(stats.maximum[index])
    return hi - lo <= t.constant_relative_spread * max(abs(lo), abs(hi), 1e-30)


def constant(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """All values identical at the last logged step, or repeating in groups (symmetry not broken).

    The symmetry story is told only where the series starts that way; a tensor that became
    constant later (a collapse, units that stopped) gets its own sentence. A step whose values
    partly lie beyond the legacy writers' bucket range is never called constant: its buckets
    show only what is left.
    """
    if not applies("constant", role):
        return None
    vi = stats.valid_index
    if vi.size == 0:
        return None
    last = vi[-1]
    if stats.total[last] < 2 or stats.beyond_range[last]:
        return None  # a single number is trivially "constant"
    hi = float(stats.maximum[last])
    if last == vi[0] and (role == "bias" or (role == "other" and hi == 0 == stats.minimum[last])):
        # One valid step, at its start: biases start equal by design (0, 0.1, an LSTM's forget
        # gate at 1), and so do learned offsets at 0 (a transformer's positional parameter).
        return None
    thing = thing_of(role)
    if _spread_is_zero(stats, last, t):
        since = vi[0]
        for i in vi[::-1]:
            if not _spread_is_zero(stats, i, t):
                break
            since = i
        from_start = since == vi[0]
        value = "exactly 0" if hi == 0 else f"the same value, {fmt(hi)}"
        if from_start and role == "weight":
            story = (
                "It has been so since the first logged step. When all weights start equal, every "
                "unit in a layer computes the same thing and receives the same update, so they "
                "stay equal for ever (the symmetry is never broken) and the layer behaves like a "
                "single unit."
            )
            fix = (
                "Initialise weights randomly (Glorot/He: the framework defaults, e.g. "
                "keras.initializers.GlorotUniform or torch.nn.init.kaiming_uniform_) instead of a "
                "constant; make sure no code overwrites them with a fixed value."
            )
        elif from_start:
            story = (
                "It has been so since the first logged step: nothing varies between units, so "
                "this tensor carries no information."
            )
            fix = (
                "Check the layer's inputs and its initialisation; a constant tensor usually means "
                "the layer gets no signal or its parameters are never updated."
            )
        else:
            story = (
                f"Up to step {step_at(stats, vi[vi.searchsorted(since) - 1])} the values were spread "
                f"out; from step {step_at(stats, since)} on they are all equal: the units stopped "
                "differing, as when values collapse to 0 or the signal feeding them stops."
            )
            fix = (
                "Look at what happened just before it became constant: a learning-rate spike, "
                "weight decay, saturated or dead units upstream."
            )
        return Verdict(
            id="constant",
            severity="critical" if role in ("weight", "gradient") else "warning",
            title=f"All {thing} are identical ({fmt(hi)})",
            summary=(
                f"At step {step_at(stats, last)} every one of the "
                f"{as_count(stats.total[last])} {thing} is {value}: the histogram is a single "
                "spike instead of a spread. " + story
            ),
            evidence={
                "value": hi,
                "spread": float(stats.maximum[last] - stats.minimum[last]),
                "elements": as_count(stats.total[last]),
                "constant_since_step": step_at(stats, since),
                "from_start": bool(from_start),
            },
            steps=(step_at(stats, since), step_at(stats, last)),
            fix=fix,
        )
    return _repeating_groups(stats, role, t)


def _repeating_groups(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """Weights whose bucket counts all share a large divisor at the first and the last steps: the
    same few values repeated once per unit. Only where that is unlikely by chance: enough
    occupied buckets (a small tensor over 2-3 buckets shares a divisor easily) and values."""
    if role != "weight":
        return None
    vi = stats.valid_index
    if vi.size < 2:
        return None

    def groups(min_gcd: int, min_buckets: int) -> Callable[[int], bool]:
        return lambda i: bool(
            stats.count_gcd[i] >= min_gcd and stats.nonempty_buckets[i] >= min_buckets
        )

    # Many buckets sharing a small divisor, or a few sharing a large one (a GRU or LSTM kept
    # one value per gate): from the first step (or one value there) to the last two.
    starts_equal = _spread_is_zero(stats, vi[0], t)
    recent = vi[-2:]
    if not any(
        (starts_equal or signature(vi[0])) and all(signature(i) for i in recent)
        for signature in (
            groups(t.symmetry_min_gcd, t.symmetry_min_buckets),
            groups(t.symmetry_min_gcd_few_buckets, 2),
        )
    ):
        return None
    last = vi[-1]
    g = int(stats.count_gcd[recent].min())
    return Verdict(
        id="constant",
        severity="critical",
        title=f"Weights repeat in groups of {g}: symmetry never broken",
        summary=(
            f"The weights are not all equal, but at step {step_at(stats, last)} each of the "
            f"{int(stats.nonempty_buckets[last])} occupied buckets holds a multiple of {g} "
            f"values: the same few numbers are repeated {g} times, typically once per unit of "
            "the layer. That is the fingerprint of weights initialised to one value: all units "
            "receive the same update and stay copies of each other, so the layer acts like a "
            "single unit: it learns far less than its size allows."
        ),
        evidence={
            "count_gcd": g,
            "occupied_buckets": int(stats.nonempty_buckets[last]),
            "elements": as_count(stats.total[last]),
        },
        steps=(step_at(stats, vi[0]), step_at(stats, last)),
        fix=(
            "Initialise weights randomly (the framework defaults: Glorot/He) instead of a "
            "constant; if you copy weights between units on purpose, add noise."
        ),
    )


def multimodal(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """All values in a few narrow spikes: many units hold identical values (info)."""
    if not applies("multimodal", role):
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
            f"The {as_count(total)} values of this histogram fall into only {spikes} narrow "
            "spikes instead of a continuous spread: many units hold (nearly) the same value. "
            "That happens when units are copies of each other (a symmetric initialisation), "
            "with heavy quantisation, or with weights clipped to a few levels."
        ),
        evidence={"spikes": spikes, "elements": as_count(total)},
        steps=(step_at(stats, last), step_at(stats, last)),
        fix=(
            "If this is not deliberate quantisation: initialise randomly and check that no "
            "code copies one unit's weights to the others."
        ),
    )
