"""The named scenarios: one training configuration each, with the verdicts it should produce.

The index of the numpy corpus: the base scenarios (:mod:`.base_mlp`, :mod:`.base_cnn`), their
variants (:mod:`.variants`, :mod:`.heldout`), and the label types (:mod:`.labels`, which says how
ground truth is stated and what a scenario's ``facts`` are).
"""

from __future__ import annotations

from .base_cnn import (
    DEAD_CONV,
    FROZEN_CONV,
    HEALTHY_CNN,
    HEALTHY_CNN_TANH_SGD,
)
from .base_mlp import (
    BIAS_ONLY,
    CONSTANT_INIT,
    DEAD_NEGATIVE_BIAS,
    DEAD_RELU,
    EXPLODING_LR,
    FROZEN_EARLY,
    GLOROT_ZERO_BIAS,
    HEALTHY,
    HEALTHY_TANH_SGD,
    LR_ZERO,
    NAN_MIDWAY,
    SATURATED_SIGMOID,
    SATURATED_TANH,
    TINY_LR,
    VANISHING_SIGMOID,
    WEIGHT_DECAY_COLLAPSE,
)
from .heldout import HELDOUT_VARIANTS, WEIGHT_ONLY_VARIANTS
from .labels import Expect, LayerExpect, Scenario
from .variants import TUNING_VARIANTS
from .writers import FORMATS

__all__ = [
    "FORMATS",
    "HELDOUT_SCENARIOS",
    "SCENARIOS",
    "VARIANTS",
    "Expect",
    "LayerExpect",
    "Scenario",
]

#: All scenarios by name, in a stable order (the required three first).
SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        HEALTHY,
        CONSTANT_INIT,
        FROZEN_EARLY,
        LR_ZERO,
        NAN_MIDWAY,
        DEAD_RELU,
        SATURATED_TANH,
        VANISHING_SIGMOID,
        EXPLODING_LR,
        WEIGHT_DECAY_COLLAPSE,
        DEAD_NEGATIVE_BIAS,
        SATURATED_SIGMOID,
        BIAS_ONLY,
        FROZEN_CONV,
        DEAD_CONV,
        HEALTHY_TANH_SGD,
        GLOROT_ZERO_BIAS,
        TINY_LR,
        HEALTHY_CNN,
        HEALTHY_CNN_TANH_SGD,
    )
}


#: Every variant by name: ``<scenario>_v1`` (legacy format) and ``_v2`` (tf2 and keras), tuning;
#: ``_v3`` (legacy and keras, or tf2) and ``_v4`` (keras, logged per epoch), held out. Its part
#: is ``part_of(scenario.variant)``.
VARIANTS: dict[str, Scenario] = {
    s.name: s for s in (*TUNING_VARIANTS, *HELDOUT_VARIANTS, *WEIGHT_ONLY_VARIANTS)
}

#: The former name of :data:`VARIANTS` (it holds the tuning variants 1 and 2 too).
HELDOUT_SCENARIOS = VARIANTS
