"""The PyTorch families of the labelled corpus: configurations, labels and measured facts.

Each :class:`TorchScenario` is a family (a model, a task and a way of logging) with several
:class:`TorchVariant` s that differ by seed and small hyperparameter changes. Variants 0, 1 and 2
of every family belong to the *tuning* part of the corpus, variants 3 and up to the *held-out*
part (see :func:`part_of`): thresholds may be chosen on the tuning part only, and the held-out
part is what ``make eval`` reports. (Variants 1 and 2 were the held-out part until their misses
had been looked at; the held-out variants 3 and 4 were added then, measured and labelled from the
tensors alone, before the engine was ever run on them.)

Labels name tags by regular expression (``re.search`` on the tag name), because PyTorch tag names
follow the user's module names: :class:`TagLabel` says a verdict must (``present``) or must not
appear on every tag the pattern matches, and a pattern that matches no tag of the run is a defect
of the label (reported by the scorer, checked by the tests). Run-level verdicts are labelled by
id; a ``clean`` family may carry no warning or critical verdict anywhere.

The ``facts`` of each variant are what its data shows, measured on the logged tensors before they
were written (:class:`.torch_models.TagTrace`) at the default steps; they are the reason for each
label. ``|g|`` is the mean absolute value of a tensor at one logged step; "ratio to the last
layer" is the median over logged steps of the last layer's ``|g|`` divided by this layer's.
"""

from __future__ import annotations

from .torch_faults_flow import (
    DEEP_SIGMOID,
    DEEP_TANH,
    EXPLODE_THEN_DIE,
    FINETUNE,
)
from .torch_faults_values import (
    BEYOND_RANGE,
    CONSTANT_INIT,
    DEAD_RELU,
    EXPLODE_FROM_ZERO,
    NAN_MIDWAY,
    WEIGHT_DECAY_COLLAPSE,
)
from .torch_healthy import (
    BN_CNN,
    LSTM,
    RESMLP_LN,
    TRANSFORMER,
)
from .torch_labels import (
    FIRST_HELDOUT,
    HELDOUT,
    PARTS,
    TUNING,
    LayerLabel,
    TagLabel,
    TorchScenario,
    TorchVariant,
    part_of,
)

__all__ = [
    "FIRST_HELDOUT",
    "HELDOUT",
    "PARTS",
    "TORCH_SCENARIOS",
    "TUNING",
    "LayerLabel",
    "TagLabel",
    "TorchScenario",
    "TorchVariant",
    "part_of",
    "torch_runs",
]

#: Every PyTorch family by name, in a stable order.
TORCH_SCENARIOS: dict[str, TorchScenario] = {
    s.name: s
    for s in (
        BN_CNN,
        RESMLP_LN,
        TRANSFORMER,
        LSTM,
        FINETUNE,
        DEEP_SIGMOID,
        DEEP_TANH,
        EXPLODE_THEN_DIE,
        EXPLODE_FROM_ZERO,
        BEYOND_RANGE,
        WEIGHT_DECAY_COLLAPSE,
        DEAD_RELU,
        CONSTANT_INIT,
        NAN_MIDWAY,
    )
}


def torch_runs() -> list[tuple[TorchScenario, int]]:
    """Every (family, variant index) of the corpus, family by family."""
    return [(s, k) for s in TORCH_SCENARIOS.values() for k in range(len(s.variants))]
