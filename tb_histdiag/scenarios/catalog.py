"""The named scenarios: one training configuration each, with the verdicts it should produce.

Ground truth is stated per layer and histogram kind (see :data:`.writers.KINDS`), because the tag
names differ between formats; :meth:`Scenario.expected_tags` turns it into tag names for one
format. An :class:`Expect` with ``present=False`` says the verdict must *not* appear there.
Anything not mentioned is left to the engine's judgement (e.g. the activations of frozen layers,
whose distribution legitimately stays the same).

The ``facts`` of each scenario are what the generated data really shows (measured with the
default steps, both formats, read back through TensorBoard's data provider); they are the
reason behind each expectation.
"""

from __future__ import annotations

from dataclasses import dataclass

from .network import TrainConfig
from .writers import FORMATS, KINDS, layer_kinds, tag_name


@dataclass(frozen=True)
class Expect:
    """A verdict the diagnostics should (``present``) or should not produce on some tags.

    Attributes:
        verdict: a verdict id (``frozen``, ``constant``, ...).
        kinds: histogram kinds it applies to (``weight``, ``bias``, ``activation``, ...).
        layers: 0-based layer indices; negative indices count from the output layer.
        present: True if the verdict must appear, False if it must not.
        formats: the formats in which this holds (the writers differ on non-finite data).
    """

    verdict: str
    kinds: tuple[str, ...]
    layers: tuple[int, ...]
    present: bool = True
    formats: tuple[str, ...] = FORMATS

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kinds {sorted(unknown)}; expected some of {KINDS}")


@dataclass(frozen=True)
class Scenario:
    """A named training run with its ground truth.

    Attributes:
        name: identifier, also the prefix of the run directories (``<name>_<format>``).
        description: one sentence on what goes wrong (or does not) and why.
        config: the training configuration.
        expected: tag-level verdicts that must or must not appear.
        run_verdicts: run-level verdict ids that must appear (e.g. ``last_layer_only``).
        run_absent: run-level verdict ids that must not appear.
        clean: if True, no tag, layer or run may get a ``warning`` or ``critical`` verdict.
        facts: what the generated data shows, measured; the basis of the expectations.
    """

    name: str
    description: str
    config: TrainConfig
    expected: tuple[Expect, ...] = ()
    run_verdicts: tuple[str, ...] = ()
    run_absent: tuple[str, ...] = ()
    clean: bool = False
    facts: str = ""

    @property
    def n_layers(self) -> int:
        """Number of weight layers of the network."""
        return self.config.n_layers

    def run_name(self, fmt: str) -> str:
        """The run directory's name for one format, e.g. ``healthy_tf2``."""
        return f"{self.name}_{fmt}"

    def expected_tags(self, fmt: str, present: bool = True) -> dict[str, frozenset[str]]:
        """``tag -> verdict ids`` that must appear (``present=True``) or must not (``False``)."""
        found: dict[str, set[str]] = {}
        n = self.n_layers
        for expect in self.expected:
            if expect.present != present or fmt not in expect.formats:
                continue
            for layer in expect.layers:
                index = layer % n
                for kind in expect.kinds:
                    if kind in layer_kinds(index, n, fmt):
                        found.setdefault(tag_name(fmt, kind, index), set()).add(expect.verdict)
        return {tag: frozenset(ids) for tag, ids in found.items()}


_PARAMS = ("weight", "bias")
_GRADS = ("weight_grad", "bias_grad")

HEALTHY = Scenario(
    name="healthy",
    description=(
        "A 10-32-32-32-3 ReLU MLP with PyTorch's default init and Adam (lr 0.005) learns the "
        "spirals: every layer moves, the loss falls from about 1.10 to below 0.1."
    ),
    config=TrainConfig(activation="relu", init="default", optimizer="adam", lr=0.005),
    expected=(
        Expect("frozen", _PARAMS, (0, 1, 2, 3), present=False),
        Expect("dead", ("activation",), (0, 1, 2), present=False),
        Expect("constant", (*_PARAMS, *_GRADS, "activation"), (0, 1, 2, 3), present=False),
    ),
    run_absent=("last_layer_only",),
    clean=True,
    facts=(
        "loss 1.094 -> 0.068 (means of the first/last 5 logged steps), accuracy 0.37 -> 0.99. "
        "Every weight and bias moves: mean |w_last - w_first| 0.14-0.34; weight std grows "
        "0.18 -> 0.26 (layer 1), 0.10 -> 0.23/0.30 (layers 2-3), 0.10 -> 0.51 (output). ReLU "
        "outputs are 39-64% exact zeros at every step (normal, not dead). Mean |weight "
        "gradient| grows during learning, 7e-4 -> 1.2e-2 in layer 1 (x18, from a tiny start: "
        "small initial weights attenuate the backward signal): not an explosion."
    ),
)

CONSTANT_INIT = Scenario(
    name="constant_init",
    description=(
        "Every weight starts at 0.1 and every bias at 0 (tanh, SGD lr 0.1): all units of a layer "
        "compute the same thing and receive the same gradient, so symmetry is never broken and "
        "the loss stays stuck near ln 3."
    ),
    config=TrainConfig(activation="tanh", init="constant", init_scale=0.1, optimizer="sgd", lr=0.1),
    expected=(
        # Hidden-to-hidden weights: one single value per step, forever.
        Expect("constant", ("weight", "weight_grad"), (1, 2)),
        # Biases of the hidden layers stay identical across units (they move together).
        Expect("constant", ("bias", "bias_grad"), (0, 1, 2)),
    ),
    facts=(
        "loss 1.101 -> 1.099, accuracy 0.34 -> 0.36 (chance). Distinct values at the last "
        "step: weights [10, 1, 1, 3] (first layer: one value per input row; output layer: one "
        "per class column), biases [1, 1, 1, 3], weight gradients [10, 1, 1, 3]. At step 0 "
        "every weight is 0.1. Hidden-to-hidden weights, their gradients and all hidden biases "
        "have exactly zero spread at every step (legacy: one zero-width bucket; tf2: 30 "
        "buckets with equal edges), while their common value moves (0.1 -> 0.09897 in layer 2)."
    ),
)

FROZEN_EARLY = Scenario(
    name="frozen_early",
    description=(
        "Layers 1-3 are excluded from the optimizer (tanh, Adam lr 0.01): their weights and "
        "biases never change although their gradients are computed; only the output layer "
        "learns, on random features, so the loss falls only a little."
    ),
    config=TrainConfig(
        activation="tanh", init="default", optimizer="adam", lr=0.01, frozen=(0, 1, 2)
    ),
    expected=(
        Expect("frozen", _PARAMS, (0, 1, 2)),
        Expect("frozen", _PARAMS, (3,), present=False),
        Expect("frozen", ("weight_grad",), (0, 1, 2, 3), present=False),
    ),
    run_verdicts=("last_layer_only",),
    facts=(
        "loss 1.099 -> 1.072, accuracy 0.36 -> 0.44. Weights and biases of layers 1-3 are "
        "bit-identical at every logged step, on disk too (same bucket arrays in both "
        "formats); the output layer's weights move (std 0.10 -> 0.24, mean |dw| 0.20). The "
        "frozen layers' gradients are non-zero (mean |g| 1e-3 - 3e-3) and change every step."
    ),
)

LR_ZERO = Scenario(
    name="lr_zero",
    description=(
        "The learning rate is 0 (ReLU, default init, Adam): the optimizer runs but nothing "
        "changes; every layer keeps its uniform initialisation and the loss stays at ~1.10."
    ),
    config=TrainConfig(activation="relu", init="default", optimizer="adam", lr=0.0),
    expected=(Expect("frozen", _PARAMS, (0, 1, 2, 3)),),
    run_absent=("last_layer_only",),
    facts=(
        "loss 1.108 -> 1.104 (batch noise only), accuracy ~0.34. Every weight and bias is "
        "bit-identical at every step and keeps the U(+-1/sqrt(fan_in)) plateau of its "
        "initialisation; gradients are non-zero and vary from batch to batch."
    ),
)

NAN_MIDWAY = Scenario(
    name="nan_midway",
    description=(
        "The healthy run, but 60% into training three weights of layer 2 become NaN (as after "
        "a corrupted update): the NaN spreads through the forward pass, the loss turns NaN and "
        "after the next update every parameter is NaN."
    ),
    config=HEALTHY.config.replace(nan_at=0.6, nan_layer=1, nan_count=3),
    expected=(
        Expect("nonfinite", ("weight", "preactivation", "activation"), (1,)),
        # TF2's histogram_pb writes all-NaN data (NaN edges); tensorboardX refuses it, so in
        # the legacy run most tags simply stop at the step before everything became NaN.
        Expect("nonfinite", KINDS, (0, 1, 2, 3), formats=("tf2",)),
    ),
    facts=(
        "Identical to healthy until the NaN appears at logged step 60 of 100 (training "
        "step 180): loss 1.094 -> 0.55-0.68 just before, NaN from then on. tf2: at step 180 "
        "the weights of layer 2, every pre-activation/activation from layer 2 on and every "
        "gradient are NaN (all edges NaN); from step 183 every tag is. legacy: tensorboardX "
        "refuses all-NaN arrays, so only fc2.weight, preactivations/fc2 and activations/fc2 "
        "have a datum with NaN min/max (step 180, partial NaN); the other tags end at step "
        "180 (weights, biases, first-layer activations) or 177 (the rest); 908 histograms "
        "skipped."
    ),
)

DEAD_RELU = Scenario(
    name="dead_relu",
    description=(
        "A ReLU MLP trained with Adam at a far too high learning rate (0.1): within a few "
        "training steps the units of layers 2 and 3 output 0 for (almost) every input, no "
        "gradient reaches the weights any more and the loss stays at ln 3."
    ),
    config=TrainConfig(activation="relu", init="default", optimizer="adam", lr=0.1),
    expected=(
        Expect("dead", ("activation",), (1, 2)),
        Expect("dead", ("activation",), (3,), present=False),
    ),
    facts=(
        "loss 1.110 -> 1.102, accuracy 0.33 (chance). Exact-zero fraction of the "
        "activations: layer 1 0.47 at step 0, then 0.51-0.65; layer 2 0.44 -> >= 0.998 from "
        "training step 12; layer 3 0.58 -> exactly 1.0 from step 6. From step 6 on every "
        "weight gradient is exactly 0 (only the output bias still gets a gradient); the "
        "weights keep drifting on Adam's momentum, by less and less (largest change per "
        "logged step 0.3 early, 1e-3 by step 60, 1e-6 by step 120)."
    ),
)

SATURATED_TANH = Scenario(
    name="saturated_tanh",
    description=(
        "tanh units with weights drawn from N(0, 1.5^2) (far too large): pre-activations "
        "have a standard deviation of 5-8, most tanh outputs sit at +-1 where the gradient "
        "is ~0, and training cannot get them out."
    ),
    config=TrainConfig(
        activation="tanh", init="normal", init_scale=1.5, optimizer="adam", lr=0.005
    ),
    expected=(
        Expect("saturated", ("activation",), (1, 2)),
        Expect("saturated", ("activation",), (3,), present=False),
    ),
    facts=(
        "loss 5.24 -> 0.95, accuracy 0.37 -> 0.67. Fraction of |tanh| > 0.99 at the first / "
        "last step: layer 1 0.54 / 0.54, layer 2 0.72 / 0.73, layer 3 0.73 / 0.75; "
        "pre-activation std 4.6 (layer 1), 7.9-8.1 (layers 2-3)."
    ),
)

VANISHING_SIGMOID = Scenario(
    name="vanishing_sigmoid",
    description=(
        "A deeper sigmoid MLP (five hidden layers) with small N(0, 0.1^2) weights and SGD: each "
        "layer scales the backward signal by ~0.25 x 0.1 x sqrt(32), so the first layers' "
        "gradients are 4-5 orders of magnitude smaller than the last layer's and they barely move."
    ),
    config=TrainConfig(
        hidden=(32, 32, 32, 32, 32),
        activation="sigmoid",
        init="normal",
        init_scale=0.1,
        optimizer="sgd",
        lr=0.1,
    ),
    expected=(
        Expect("vanishing", ("weight_grad",), (0, 1)),
        Expect("vanishing", ("weight_grad",), (-1,), present=False),
    ),
    facts=(
        "loss 1.099 -> 1.103 (stuck), accuracy ~0.3. Mean |weight gradient| per layer at "
        "the last step, first to output: 3.9e-7, 2.8e-6, 2.2e-5, 1.5e-4, 1.1e-3, 2.7e-2, "
        "against mean |weight| 0.07-0.08 everywhere. Movement over the run relative to the "
        "initial std: 1e-4 (layers 1-3), 6e-4, 6e-3, 3e-2 (output): the early layers are "
        "also effectively frozen."
    ),
)

HEALTHY_TANH_SGD = Scenario(
    name="healthy_tanh_sgd",
    description=(
        "A tanh MLP with Keras' Glorot-uniform init (zero biases) trained by SGD with momentum "
        "0.9 (lr 0.1): every layer learns; biases start at exactly 0 and then move."
    ),
    config=TrainConfig(activation="tanh", init="glorot", optimizer="sgd", lr=0.1, momentum=0.9),
    expected=(
        Expect("frozen", _PARAMS, (0, 1, 2, 3), present=False),
        Expect("saturated", ("activation",), (0, 1, 2), present=False),
    ),
    run_absent=("last_layer_only",),
    clean=True,
    facts=(
        "loss 1.101 -> 0.608. Weight std 0.21 -> 0.35 (layer 1), 0.23 -> 0.50 (output); tanh "
        "output std 0.52 -> 0.66, not piled at +-1. Biases: exactly 0 at step 0 (a single "
        "spike), spread out afterwards."
    ),
)

GLOROT_ZERO_BIAS = Scenario(
    name="glorot_zero_bias",
    description=(
        "A hard negative: Keras-style Glorot-uniform weights and biases initialised at exactly "
        "0 (ReLU, Adam lr 0.005). Constant biases at step 0 are normal and must not be flagged "
        "once they learn; ~50% zero ReLU outputs are normal too."
    ),
    config=TrainConfig(activation="relu", init="glorot", optimizer="adam", lr=0.005),
    expected=(
        Expect("constant", ("bias",), (0, 1, 2, 3), present=False),
        Expect("dead", ("activation",), (0, 1, 2), present=False),
    ),
    run_absent=("last_layer_only",),
    clean=True,
    facts=(
        "loss 1.096 -> 0.382. ReLU outputs 48-54% exact zeros. Weight std grows 0.21 -> 0.29 "
        "(layer 1) to 0.23 -> 0.54 (output)."
    ),
)

TINY_LR = Scenario(
    name="tiny_lr",
    description=(
        "A hard negative: the healthy network with a learning rate of 1e-5 (Adam). Every "
        "parameter moves, very slowly: at most an informational 'slow', never 'frozen'."
    ),
    config=TrainConfig(activation="relu", init="default", optimizer="adam", lr=1e-5),
    expected=(Expect("frozen", _PARAMS, (0, 1, 2, 3), present=False),),
    run_absent=("last_layer_only",),
    clean=True,
    facts=(
        "loss 1.108 -> 1.102. Weight std unchanged to 3 digits (0.178, 0.100, 0.102, "
        "0.097 -> 0.0971), but the histograms differ from step to step."
    ),
)

EXPLODING_LR = Scenario(
    name="exploding_lr",
    description=(
        "A tanh MLP trained by plain SGD with a far too high learning rate (5.0): tanh keeps "
        "the activations bounded, so nothing overflows, but the weights of the first layers "
        "grow ~25x to |w| > 10 and the loss stays high."
    ),
    config=TrainConfig(activation="tanh", init="default", optimizer="sgd", lr=5.0),
    expected=(
        Expect("exploding", ("weight",), (0, 1)),
        Expect("nonfinite", KINDS, (0, 1, 2, 3), present=False),
    ),
    facts=(
        "loss 8.34 -> 6.33. Weight std 0.178 -> 5.08 (x28, max |w| 14.1) in layer 1, 0.100 -> "
        "2.74 (x27, max 10.7) in layer 2, 0.102 -> 2.10 (x21, max 6.4) in layer 3, 0.097 -> "
        "0.54 in the output layer. tanh outputs end with std 0.98 (saturated)."
    ),
)

WEIGHT_DECAY_COLLAPSE = Scenario(
    name="weight_decay_collapse",
    description=(
        "A ReLU MLP trained by SGD (lr 0.1) with decoupled weight decay 0.5: each update "
        "shrinks the weights by 5%, far more than learning adds, so every layer collapses "
        "towards 0 and the loss stays at ln 3."
    ),
    config=TrainConfig(activation="relu", optimizer="sgd", lr=0.1, weight_decay=0.5),
    expected=(Expect("collapsing", ("weight",), (0, 1, 2, 3)),),
    facts=(
        "loss 1.104 -> 1.099. Weight std 0.178 -> 4e-8 (layer 1), 0.10 -> 2e-8, 0.10 -> 1e-6, "
        "0.097 -> 5e-5 (output)."
    ),
)

DEAD_NEGATIVE_BIAS = Scenario(
    name="dead_negative_bias",
    description=(
        "ReLU units whose biases start at -3 (Adam lr 0.005): every hidden unit outputs 0 for "
        "every input from the first step, no gradient flows, nothing learns."
    ),
    config=TrainConfig(activation="relu", optimizer="adam", lr=0.005, bias_init=-3.0),
    expected=(
        Expect("dead", ("activation",), (0, 1, 2)),
        Expect("dead", ("activation",), (3,), present=False),
    ),
    facts=(
        "loss 1.101 -> 1.099. Hidden activations are 100% exact zeros at every step; every "
        "weight gradient is exactly 0; the weights never change."
    ),
)

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
        HEALTHY_TANH_SGD,
        GLOROT_ZERO_BIAS,
        TINY_LR,
    )
}
