"""Verdict rules: from series statistics to findings, one small function per verdict id.

Tag rules take a :class:`~tb_histdiag.stats.SeriesStats`, the tag's role and the thresholds and
return a :class:`~tb_histdiag.model.Verdict` or ``None``. Layer and run rules look at the tag
diagnoses of a layer or a run. Thresholds live in one dataclass so a config can override them;
``docs/verdicts.md`` gives each rule, its thresholds and the research tool it follows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from tb_histdiag.model import TagDiagnosis, Verdict
from tb_histdiag.stats import SeriesStats


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


#: The tag rules, in the order their verdicts are listed.
TAG_RULES: Sequence[Callable[[SeriesStats, str, Thresholds], Verdict | None]] = (
    nonfinite,
    constant,
    frozen,
)


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
        scale = float(np.nanmax(stats.std[vi]))
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
