"""Tag rules on the values themselves: NaN/Inf, all values identical, a few spikes."""

from __future__ import annotations

import numpy as np

from tb_histdiag.model import Verdict
from tb_histdiag.stats import SeriesStats
from tb_histdiag.verdicts.text import as_count, fmt, step_at
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
    steps = (step_at(stats, vi[0]), step_at(stats, last))
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
            title=f"All {thing} are identical ({fmt(float(hi))})",
            summary=(
                f"At step {step_at(stats, last)} every one of the {as_count(stats.total[last])} {thing} "
                f"has the same value, {fmt(float(hi))}: the histogram is a single spike instead of "
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
                "elements": as_count(stats.total[last]),
                "constant_since_step": step_at(stats, since),
            },
            steps=(step_at(stats, since), step_at(stats, last)),
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
                "elements": as_count(stats.total[last]),
            },
            steps=steps,
            fix=(
                "Initialise weights randomly (the framework defaults: Glorot/He) instead of a "
                "constant; if you copy weights between units on purpose, add noise."
            ),
        )
    return None


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
