"""Every number a verdict rule compares against, in one dataclass a config can override."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """Every number a rule compares against. Override with ``dataclasses.replace``."""

    #: Spread (max - min) at or below this fraction of the largest magnitude counts as constant.
    #: (float32 rounding alone leaves ~1e-7: units that are copies of each other up to rounding
    #: have a relative spread of ~1e-6).
    constant_relative_spread: float = 1e-5
    #: Bucket counts sharing at least this common divisor mean values repeat in groups (symmetry).
    symmetry_min_gcd: int = 4
    #: ... on at least this many occupied buckets, at the last two steps (and at the first, unless
    #: the series starts as a single value): a small tensor spread over 2-3 buckets shares a
    #: divisor by chance (a LayerNorm scale of 64 values over 3 buckets: 16 + 32 + 16).
    symmetry_min_buckets: int = 6
    #: ... or on 2 or more buckets when the divisor is at least this: every count a multiple of
    #: 64 at three steps is no chance (a GRU or LSTM initialised to a constant keeps one value
    #: per gate, each repeated fan-in x units times).
    symmetry_min_gcd_few_buckets: int = 64
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
    #: Values that start with no spread (biases initialised at 0) must reach at least this size:
    #: zero-initialised biases that learn normally end between 1e-2 and a few units.
    exploding_from_zero_min: float = 1e3
    #: The one weight or bias tensor of a run that grew past the bars and then settled, while
    #: the loss fell by at least ``exploding_settled_loss_improvement``: over the last quarter
    #: of the logged steps (at least 8 of them) its size varies by at most this factor. Reached
    #: values, not an explosion (a regression intercept growing to the targets' scale): info.
    #: Tuning corpus: exploding runs grow every layer (up to 8 tensors, settling at 1.02-1.2).
    exploding_settled_ratio: float = 1.1
    exploding_settled_loss_improvement: float = 0.5
    #: Collapsing: a weight's spread shrinks to at most this fraction of where it started.
    collapsing_ratio: float = 0.1
    #: Vanishing gradients: mean |g| below this is vanishing on its own (DeepDiagnosis: 1e-7) ...
    vanishing_absolute: float = 1e-7
    #: ... or below ``vanishing_first_max`` and under ``vanishing_ratio`` × the last layer's
    #: (AutoTrainer: ||g_first|| / ||g_last|| < 1e-3 and ||g_first|| < 1e-4).
    vanishing_ratio: float = 1e-3
    vanishing_first_max: float = 1e-4
    #: ... where the run's loss is stuck, ``vanishing_ratio_stuck`` × the last layer's suffices.
    vanishing_ratio_stuck: float = 1e-2
    #: Where only weights are logged: a layer that moves (relative W1, first to last step) at
    #: most this fraction of the last layer, in a profile that shrinks towards the input, likely
    #: has vanishing gradients (an inference, said as one; loss-gated like the rest). Tuning
    #: corpus, weight-only runs: sigmoid stacks at most 0.017; saturated tanh/sigmoid stacks
    #: 0.08 and up, healthy runs 0.14 and up.
    vanishing_inferred_ratio: float = 3e-2
    #: A bias whose gradient is below this fraction of its weights' gradient, in a run with
    #: normalisation layers, is made redundant by them (zero gradient by construction) ...
    redundant_bias_ratio: float = 1e-4
    #: ... and below this fraction even where no normalisation layer is logged.
    redundant_bias_ratio_alone: float = 1e-6
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
