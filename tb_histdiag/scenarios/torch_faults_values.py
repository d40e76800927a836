"""PyTorch families with a fault in the values: explosions, values beyond the buckets' range,
weight decay collapse, dead ReLUs, a constant init, NaN midway."""

from __future__ import annotations

from .torch_labels import TagLabel, TorchScenario, TorchVariant, cfg

_EXPLODE_ZERO = cfg("linear_regression", optimizer="sgd", lr=3.9, steps=50, grad_tag="{name}.grad")

EXPLODE_FROM_ZERO = TorchScenario(
    name="explode_from_zero",
    description=(
        "A linear model (nn.Linear(8, 4), bias initialised to exactly 0) fitted by MSE with "
        "plain SGD at a learning rate above the stability limit and no clipping: every update "
        "overshoots, weights and biases grow geometrically, the loss diverges."
    ),
    variants=(
        TorchVariant(
            _EXPLODE_ZERO,
            facts=(
                "lr 3.9: loss 31 -> 1.1e30, finite. linear.bias exactly 0 at step 0, |b| 1.6e14 "
                "at the end (max 4.4e14); weights 0.17 -> 4.6e14 (x2.8e15); gradients alike "
                "(x1.7e15, x3.9e15)."
            ),
        ),
        TorchVariant(
            _EXPLODE_ZERO.replace(seed=1, lr=3.8, writer="tensorboardX"),
            facts=(
                "lr 3.8, tensorboardX: loss 5.3 -> 7.3e24. linear.bias 0 -> 1.5e12 (max 2.4e12); "
                "weights x7e12; gradients x5e12-x1.3e13."
            ),
        ),
        TorchVariant(
            _EXPLODE_ZERO.replace(seed=2, lr=3.9),
            facts=(
                "seed 2: loss 25 -> 2.5e24. linear.bias 0 -> 6.7e11 (max 1.2e12); weights "
                "x2.9e12; gradients x2.3e12-x1.2e13."
            ),
        ),
        TorchVariant(
            _EXPLODE_ZERO.replace(seed=3, lr=3.85, writer="tensorboardX"),
            facts=(
                "seed 3, lr 3.85, tensorboardX: loss 4.5 -> 3.2e26, finite. linear.bias exactly 0 "
                "at step 0, |b| 1.3e13 at the end (max 2.2e13); weights 0.21 -> 8.8e12 (x4.2e13); "
                "gradients x3.6e13 (weight), x6.1e14 (bias)."
            ),
        ),
        TorchVariant(
            _EXPLODE_ZERO.replace(seed=4, lr=4.0),
            facts=(
                "seed 4, lr 4.0: loss 77 -> 5e29, finite. linear.bias 0 -> 2.6e14 (max 6.3e14); "
                "weights x1.6e15; gradients x1.3e15 (weight), x8.9e14 (bias)."
            ),
        ),
    ),
    labels=(
        TagLabel(r"^linear\.bias$", "exploding"),
        TagLabel(r"^linear\.weight$", "exploding"),
        TagLabel(r"^linear\.(weight|bias)$", "nonfinite", present=False),
    ),
)

_BEYOND = cfg("linear_images", optimizer="sgd", lr=0.8, steps=50, grad_tag="grad/{name}")

BEYOND_RANGE = TorchScenario(
    name="beyond_bucket_range",
    description=(
        "A bias-free linear read-out of 8x8 glyph images whose 1-pixel border is always 0 (as "
        "MNIST's is), fitted by MSE with plain SGD at a learning rate above the stability "
        "limit: the weights of the 36 inner pixels grow geometrically past 1e20, the border "
        "weights never get a gradient and keep their initial values. torch's and "
        "tensorboardX's default buckets end at +-1e20: the histograms count only the border "
        "weights (and the exactly-zero border gradients), while num, min and max keep "
        "everything."
    ),
    variants=(
        TorchVariant(
            _BEYOND,
            facts=(
                "lr 0.8: the loss is inf from training step 109 (its float32 square overflows), "
                "every logged tensor stays finite. readout.weight: 144 of 256 values beyond "
                "+-1e20 at the last 19 logged steps (from step 124; max |w| 3e32 at the end), "
                "the 112 border weights keep their initial values (|w| < 0.13); its gradient: "
                "beyond 1e20 from step 120, the border 112 exactly 0."
            ),
        ),
        TorchVariant(
            _BEYOND.replace(seed=1, writer="tensorboardX"),
            facts=(
                "seed 1, tensorboardX: loss inf from step 127; readout.weight beyond +-1e20 at "
                "14 logged steps from step 144 (max |w| 2.1e28), border weights in range."
            ),
        ),
        TorchVariant(
            _BEYOND.replace(seed=2, lr=0.78),
            facts=(
                "seed 2, lr 0.78: loss inf from step 127; readout.weight beyond +-1e20 at 13 "
                "logged steps from step 148 (max |w| 6.8e27)."
            ),
        ),
        TorchVariant(
            _BEYOND.replace(seed=3, lr=0.82),
            facts=(
                "seed 3, lr 0.82: loss inf from training step 107, every logged tensor finite. "
                "readout.weight: 144 of 256 values beyond +-1e20 at the last 19 logged steps "
                "(from step 124; max |w| 1.2e34), the 112 border weights keep their initial "
                "values (|w| < 0.125, gradient exactly 0 at every step); its gradient beyond 1e20 from step 120 (20 logged steps), the border 112 "
                "exactly 0."
            ),
        ),
        TorchVariant(
            _BEYOND.replace(seed=4, writer="tensorboardX"),
            facts=(
                "seed 4, tensorboardX: loss inf from step 115; readout.weight beyond +-1e20 at 17 "
                "logged steps from step 132 (max |w| 9.4e29), its gradient at 18 from step 128; "
                "the 112 border weights in range."
            ),
        ),
    ),
    labels=(
        TagLabel(r"^readout\.weight$", "exploding"),
        TagLabel(r"^readout\.weight$", "constant", present=False),
        TagLabel(r"^grad/readout\.weight$", "constant", present=False),
        TagLabel(r"readout\.weight$", "nonfinite", present=False),
    ),
)

_WD = cfg("mlp_relu", optimizer="sgd", lr=0.1, weight_decay=4.0, steps=50)

WEIGHT_DECAY_COLLAPSE = TorchScenario(
    name="weight_decay_collapse",
    description=(
        "A ReLU MLP on the spirals with a huge weight decay: every update multiplies the "
        "parameters by (1 - lr x weight_decay), far more than the data gradient restores, so "
        "every layer shrinks geometrically towards 0 (down to float32's subnormal range) and "
        "the loss stays at ln 3."
    ),
    variants=(
        TorchVariant(
            _WD,
            facts=(
                "SGD lr 0.1, weight_decay 4 (x0.6 per step): loss 1.100 -> 1.099. Weight std "
                "0.10-0.18 -> 3.4e-45 - 5.9e-45 (float32 subnormals) in all four layers, hidden "
                "biases 0.1-0.19 -> 3e-45 - 6e-45; fc4.bias keeps its gradient (0.005). At most "
                "1% of the values underflow to exactly 0. The hidden weight gradients are exactly 0 "
                "from step 64 (fc1) to 96 (fc3) on, fc4's from step 192 (the products of "
                "collapsed weights underflow)."
            ),
        ),
        TorchVariant(
            _WD.replace(seed=1, weight_decay=3.5, writer="tensorboardX"),
            facts=(
                "weight_decay 3.5, tensorboardX: loss 1.097 -> 1.099. Weight std -> 1.9e-38 - "
                "3.9e-38, hidden biases -> 2e-38 - 3.3e-38 (both signs; torch's innermost "
                "buckets are (0, 1e-12], so each sign is one bucket). Hidden weight gradients "
                "exactly 0 from step 76 (fc1) / 112 (fc3) on."
            ),
        ),
        TorchVariant(
            _WD.replace(seed=2, optimizer="adamw", lr=0.01, weight_decay=40.0),
            facts=(
                "AdamW lr 0.01, weight_decay 40: loss 1.099 -> 1.099. Weight std 0.1-0.18 -> "
                "4.7e-11 - 6.7e-11, hidden biases -> 2.5e-11 - 5.6e-11 (Adam's normalised step "
                "stops once the gradients fall below its eps); every weight gradient exactly 0 "
                "from step 96 on."
            ),
        ),
        TorchVariant(
            _WD.replace(seed=3, weight_decay=3.0),
            facts=(
                "seed 3, weight_decay 3 (x0.7 per step): loss 1.099 -> 1.098. Weight std 0.10-0.19 "
                "-> 4.3e-32 - 8.1e-32 in all four layers, hidden biases 0.09-0.16 -> 4e-32 - "
                "7.1e-32 (normal floats, no exact zeros, every logged step differs); fc4.bias keeps "
                "its gradient (0.047). Weight gradients exactly 0 from step 92 (fc1, fc2) / 136 "
                "(fc3) on; fc4's shrinks to 6e-34."
            ),
        ),
    ),
    labels=(
        TagLabel(r"^fc\d\.weight$", "collapsing"),
        TagLabel(r"^fc[1-3]\.bias$", "collapsing"),
        TagLabel(r"^fc\d\.weight$|^fc[1-3]\.bias$", "constant", present=False),
    ),
)

_DEAD = cfg("mlp_relu", optimizer="adam", lr=0.1, steps=50, activations="activations/{name}")

DEAD_RELU = TorchScenario(
    name="dead_relu",
    description=(
        "A ReLU MLP (fc1..fc4, forward hooks on act1..act3) that dies: Adam at a far too high "
        "learning rate, or hidden biases initialised at -3, push the hidden units below 0 for "
        "(almost) every input; their outputs are exactly 0, no gradient flows through them and "
        "the loss stays at ln 3."
    ),
    variants=(
        TorchVariant(
            _DEAD,
            facts=(
                "Adam lr 0.1: loss 1.33 -> 1.093 (ln 3 = 1.099). Exact-zero share of the ReLU "
                "outputs over the last quarter of the run: act1 0.63-0.70 (not labelled), act2 "
                "0.963-0.976, act3 0.982-0.990; weight gradients of fc2/fc3 97-100% exact zeros."
            ),
            labels=(TagLabel(r"^activations/act[23]$", "dead"),),
        ),
        TorchVariant(
            _DEAD.replace(seed=1, writer="tensorboardX"),
            facts=(
                "tensorboardX: loss 1.16 -> 1.10. Exact zeros over the last quarter: act1 "
                "0.80-0.84 (not labelled), act2 0.973-0.982, act3 0.986-1.000."
            ),
            labels=(TagLabel(r"^activations/act[23]$", "dead"),),
        ),
        TorchVariant(
            _DEAD.replace(seed=2, lr=5e-3, options={"bias_init": -3.0}),
            facts=(
                "hidden biases -3, Adam lr 5e-3: loss 1.099 -> 1.099. act1-act3 are 100% exact "
                "zeros at every step, every hidden weight and bias gradient is exactly 0 and "
                "the hidden parameters are bit-identical."
            ),
            labels=(TagLabel(r"^activations/act[1-3]$", "dead"),),
        ),
        TorchVariant(
            _DEAD.replace(seed=3, lr=0.12),
            facts=(
                "seed 3, Adam lr 0.12: loss 1.64 -> 1.098. Exact zeros over the last quarter: "
                "act1 0.57-0.63 (not labelled), act2 and act3 1.000; every weight gradient exactly "
                "0 from step 8 (fc1-fc3) / 12 (fc4) on."
            ),
            labels=(TagLabel(r"^activations/act[23]$", "dead"),),
        ),
        TorchVariant(
            _DEAD.replace(seed=4, writer="tensorboardX"),
            facts=(
                "seed 4, tensorboardX: loss 1.30 -> 1.099. Exact zeros over the last quarter: act1 "
                "0.57-0.62 (not labelled), act2 and act3 1.000; every weight gradient exactly 0 "
                "from step 12 on."
            ),
            labels=(TagLabel(r"^activations/act[23]$", "dead"),),
        ),
    ),
)

_CONST = cfg("mlp_tanh", optimizer="sgd", lr=0.1, steps=50, options={"init": "constant"})

CONSTANT_INIT = TorchScenario(
    name="constant_init",
    description=(
        "A tanh MLP whose weights all start at the same value and biases at 0 (plain SGD): all "
        "units of a hidden layer compute the same thing and receive the same gradient, so the "
        "symmetry is never broken and the loss stays at ln 3."
    ),
    variants=(
        TorchVariant(
            _CONST,
            facts=(
                "every weight 0.1, SGD lr 0.1: loss 1.101 -> 1.106. fc2/fc3 weights and "
                "gradients, the hidden biases and their gradients hold one value at every "
                "logged step (max == min), while that value moves (fc2.weight 0.1 -> 0.0991, "
                "fc1.bias 0 -> -0.011). fc1.weight spreads into one value per input (10), "
                "fc4.weight into one per class (3): not labelled."
            ),
        ),
        TorchVariant(
            _CONST.replace(seed=1, writer="tensorboardX", options={"init_value": 0.05}),
            facts=(
                "every weight 0.05, tensorboardX: loss 1.095 -> 1.076. The same tensors hold one "
                "value at every step up to float32 rounding (fc1.bias, grad/fc2.weight and "
                "grad/fc1.bias spread by at most 2e-5 of their magnitude; the rest exactly)."
            ),
        ),
        TorchVariant(
            _CONST.replace(seed=2, lr=0.05, options={"init_value": 0.2}),
            facts="every weight 0.2, lr 0.05: loss 1.093 -> 1.094; the same tensors, exactly.",
        ),
        TorchVariant(
            _CONST.replace(seed=3, lr=0.08, options={"init_value": 0.15}),
            facts=(
                "seed 3, every weight 0.15, lr 0.08: loss 1.099 -> 1.111. fc2/fc3 weights and "
                "gradients, the hidden biases and their gradients hold one value at every logged "
                "step (max == min), while it moves (fc2.weight 0.15 -> 0.1499, fc1.bias 0 -> "
                "0.003); fc1.weight and fc4.weight spread (not labelled)."
            ),
        ),
    ),
    labels=(
        TagLabel(r"^fc[23]\.weight$", "constant"),
        TagLabel(r"^grad/fc[23]\.weight$", "constant"),
        TagLabel(r"^(grad/)?fc[1-3]\.bias$", "constant"),
    ),
)

_NAN = cfg(
    "mlp_relu",
    optimizer="adam",
    lr=5e-3,
    steps=50,
    activations="activations/{name}",
    options={"nan_at": 0.6},
)

NAN_MIDWAY = TorchScenario(
    name="nan_midway",
    description=(
        "A healthy ReLU MLP in which three weights of fc2 become NaN 60% into training (as "
        "after a corrupted update): the NaN spreads through the forward pass, the loss turns "
        "NaN and after the next update every parameter is NaN. torch's and tensorboardX's "
        "add_histogram refuse all-NaN tensors (a real script would crash there), so the "
        "partly-NaN tensors of that step are the last data of most tags."
    ),
    variants=(
        TorchVariant(
            _NAN,
            facts=(
                "NaN in fc2.weight at training step 116 (logged): loss 1.09 -> NaN from step 116. "
                "Written with NaN (partly NaN, so the writer accepts them) at step 116: "
                "fc2.weight, grad/fc2.weight, grad/fc2.bias (inactive units get an exact 0 "
                "gradient, not NaN) and activations/act2; every other tag's all-NaN tensors "
                "are refused from step 116 or 120 on, so those tags simply end."
            ),
            labels=(
                TagLabel(r"^(grad/)?fc2\.weight$|^grad/fc2\.bias$|^activations/act2$", "nonfinite"),
            ),
        ),
        TorchVariant(
            _NAN.replace(seed=1, writer="tensorboardX"),
            facts=(
                "tensorboardX: the same four tags carry the partial NaN at step 116; the rest end."
            ),
            labels=(
                TagLabel(r"^(grad/)?fc2\.weight$|^grad/fc2\.bias$|^activations/act2$", "nonfinite"),
            ),
        ),
        TorchVariant(
            _NAN.replace(seed=2, options={"nan_at": 0.5, "nan_layer": 3}),
            facts=(
                "NaN in fc3.weight at step 96: fc3.weight, grad/fc3.weight, grad/fc3.bias and "
                "activations/act3 carry partial NaN at step 96; the rest end at step 96 or 100."
            ),
            labels=(
                TagLabel(r"^(grad/)?fc3\.weight$|^grad/fc3\.bias$|^activations/act3$", "nonfinite"),
            ),
        ),
        TorchVariant(
            _NAN.replace(seed=3, writer="tensorboardX", options={"nan_at": 0.7}),
            facts=(
                "seed 3, NaN at 70% (training step 136), tensorboardX: fc2.weight, "
                "grad/fc2.weight, grad/fc2.bias and activations/act2 carry partial NaN at step "
                "136; the other tags end at step 132 or 136 (all-NaN tensors refused)."
            ),
            labels=(
                TagLabel(r"^(grad/)?fc2\.weight$|^grad/fc2\.bias$|^activations/act2$", "nonfinite"),
            ),
        ),
        TorchVariant(
            _NAN.replace(seed=4, options={"nan_at": 0.5, "nan_layer": 1}),
            facts=(
                "seed 4, NaN in fc1.weight half way (training step 96): fc1.weight and "
                "activations/act1 carry partial NaN at step 96; every gradient of step 96 is "
                "all-NaN (refused), so the gradient tags and act2/act3 end at step 92, the rest "
                "at 96. (At 40%, the 3-step test runs put the NaN at step 0, before any "
                "gradient is written.)"
            ),
            labels=(TagLabel(r"^fc1\.weight$|^activations/act1$", "nonfinite"),),
        ),
    ),
)
