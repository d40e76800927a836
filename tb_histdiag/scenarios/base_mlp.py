"""The base numpy scenarios on MLPs (variant 0): one training configuration each, with its
labels and the facts measured in its data."""

from __future__ import annotations

from .labels import GRADS, PARAMS, Expect, LayerExpect, Scenario
from .network import TrainConfig
from .writers import KINDS

HEALTHY = Scenario(
    name="healthy",
    description=(
        "A 10-32-32-32-3 ReLU MLP with PyTorch's default init and Adam (lr 0.005) learns the "
        "spirals: every layer moves, the loss falls from about 1.10 to below 0.1."
    ),
    config=TrainConfig(activation="relu", init="default", optimizer="adam", lr=0.005),
    expected=(
        Expect("frozen", PARAMS, (0, 1, 2, 3), present=False),
        Expect("dead", ("activation",), (0, 1, 2), present=False),
        Expect("constant", (*PARAMS, *GRADS, "activation"), (0, 1, 2, 3), present=False),
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
        Expect("frozen", PARAMS, (0, 1, 2)),
        Expect("frozen", PARAMS, (3,), present=False),
        Expect("frozen", ("weight_grad",), (0, 1, 2, 3), present=False),
    ),
    layer_verdicts=(LayerExpect("bias_only", (0, 1, 2, 3), present=False),),
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
    expected=(Expect("frozen", PARAMS, (0, 1, 2, 3)),),
    layer_verdicts=(LayerExpect("bias_only", (0, 1, 2, 3), present=False),),
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
        "tanh units with weights drawn from N(0, 2^2) (far too large): pre-activations "
        "have a standard deviation of 6-11, most tanh outputs sit at +-1 where the gradient "
        "is ~0, and training cannot get them out."
    ),
    config=TrainConfig(
        activation="tanh", init="normal", init_scale=2.0, optimizer="adam", lr=0.005
    ),
    expected=(
        Expect("saturated", ("activation", "preactivation"), (1, 2)),
        Expect("saturated", ("activation",), (3,), present=False),
    ),
    facts=(
        "loss 7.37 -> 1.31, accuracy 0.36 -> 0.64. |tanh| > 0.9 over the last 3 logged steps: "
        "0.80 / 0.90 / 0.89 (layers 1-3); pre-activation std 6.1 (layer 1), 10.8-10.9 (layers "
        "2-3); beyond +-5: 0.39 (layer 1, not labelled), 0.62 (0.31 below, 0.31 above), 0.62. "
        "With N(0, 1.5^2) weights layers 2-3 sat at exactly 0.50-0.52 beyond +-5, on "
        "DeepDiagnosis' threshold, hence the larger init."
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
        Expect("frozen", PARAMS, (0, 1, 2, 3), present=False),
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
    expected=(Expect("frozen", PARAMS, (0, 1, 2, 3), present=False),),
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

SATURATED_SIGMOID = Scenario(
    name="saturated_sigmoid",
    description=(
        "sigmoid units with weights drawn from N(0, 3^2) (far too large): most pre-activations "
        "are beyond +-5, the sigmoid outputs pile up at 0 and 1 where its slope is ~0, and the "
        "network learns next to nothing."
    ),
    config=TrainConfig(
        activation="sigmoid", init="normal", init_scale=3.0, optimizer="adam", lr=0.005
    ),
    expected=(
        Expect("saturated", ("activation", "preactivation"), (1, 2)),
        Expect("saturated", ("activation",), (3,), present=False),
        Expect("dead", ("activation",), (0, 1, 2, 3), present=False),
    ),
    facts=(
        "loss 15.8 -> 1.41, accuracy 0.33 -> 0.45. Sigmoid outputs below 0.1 or above 0.9 over "
        "the last 3 logged steps: 0.80 / 0.84 / 0.89 (layers 1-3); pre-activation std 9-12, "
        "beyond +-5: 0.56 (layer 1: 0.28 below, 0.28 above), 0.66 (0.38 / 0.28), 0.73 "
        "(0.51 / 0.22). Weights keep their N(0, 3^2) scale (std 2.89 -> 2.89). The output "
        "layer is linear: its logits (std ~3) are not labelled."
    ),
)

BIAS_ONLY = Scenario(
    name="bias_only",
    description=(
        "Only the biases are given to the optimizer (ReLU, default init, Adam lr 0.005): every "
        "weight keeps its initial values while the biases of every layer move, so the network "
        "can only shift its random features and the loss hardly falls."
    ),
    config=TrainConfig(
        activation="relu", init="default", optimizer="adam", lr=0.005, frozen_weights=(0, 1, 2, 3)
    ),
    expected=(
        Expect("frozen", ("weight",), (0, 1, 2, 3)),
        Expect("frozen", ("bias",), (0, 1, 2, 3), present=False),
    ),
    layer_verdicts=(LayerExpect("bias_only", (0, 1, 2, 3)),),
    run_absent=("last_layer_only",),
    facts=(
        "loss 1.105 -> 1.088 (flat: improvement 0.8%), accuracy 0.33 -> 0.43. Every weight is "
        "bit-identical at every logged step; biases move: mean |b_last - b_first| 0.38, 0.20, "
        "0.11, 0.09 (layers 1-4), bias std 0.19 -> 0.43 in layer 1. Weight gradients are "
        "non-zero (mean |g| 6e-4 - 3e-3): the weights are excluded, not disconnected."
    ),
)
