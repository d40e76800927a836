"""PyTorch families with a fault in the gradient flow: a frozen backbone, vanishing over depth,
an explosion that kills the units."""

from __future__ import annotations

from .torch_labels import TagLabel, TorchScenario, TorchVariant, cfg

_FINETUNE = cfg("finetune", optimizer="adam", lr=1e-2, grad_tag="{name}.grad")

FINETUNE = TorchScenario(
    name="finetune_frozen_backbone",
    description=(
        "Fine-tuning: a two-layer MLP backbone pre-trained on the spirals (not logged) is "
        "frozen (requires_grad False, so it has no gradients to log) and a freshly initialised "
        "linear head learns on its features. The backbone is frozen on purpose; without an "
        "[expect] entry saying so, the engine should report it as frozen, and the run as "
        "'only the last layer learns'."
    ),
    variants=(
        TorchVariant(
            _FINETUNE,
            facts=(
                "width 64, Adam lr 1e-2 on the head: loss 1.08 -> 0.24. The four backbone "
                "tensors are bit-identical at every logged step (their .grad is None, so no "
                "backbone gradient is logged); head.weight std 0.07 -> 0.47."
            ),
        ),
        TorchVariant(
            _FINETUNE.replace(seed=1, optimizer="sgd", lr=0.1, momentum=0.9, options={"width": 48}),
            facts=(
                "width 48, SGD momentum 0.9: loss 1.08 -> 0.51; backbone bit-identical, "
                "head.weight std 0.08 -> 0.77."
            ),
        ),
        TorchVariant(
            _FINETUNE.replace(seed=2, writer="tensorboardX"),
            facts=(
                "tensorboardX: loss 1.01 -> 0.39; backbone bit-identical, head.weight std "
                "0.07 -> 0.51."
            ),
        ),
        TorchVariant(
            _FINETUNE.replace(seed=3, lr=5e-3, options={"width": 80}),
            facts=(
                "seed 3, width 80, Adam lr 5e-3: loss 1.05 -> 0.43; the four backbone tensors "
                "bit-identical at every logged step (no backbone gradient logged), head.weight "
                "std 0.065 -> 0.32."
            ),
        ),
    ),
    labels=(
        TagLabel(r"^backbone\.\d+\.(weight|bias)$", "frozen"),
        TagLabel(r"^head\.(weight|bias)$", "frozen", present=False),
    ),
    run_verdicts=("last_layer_only",),
)

_DEEP_SIGMOID = cfg(
    "deep_sigmoid",
    optimizer="sgd",
    lr=0.1,
    steps=40,
    log_every=6,
    activations="activations/{name}",
    options={"depth": 8, "init_std": 0.1},
)

DEEP_SIGMOID = TorchScenario(
    name="deep_sigmoid",
    description=(
        "An nn.Sequential of Linear + Sigmoid layers (net.0, net.2, ...) with N(0, 0.1^2) "
        "weights and plain SGD on the spirals: each layer scales the backward signal by about "
        "0.25 x 0.1 x sqrt(32), so the gradients of the first layers are orders of magnitude "
        "smaller than the last layer's and the loss does not move."
    ),
    variants=(
        TorchVariant(
            _DEEP_SIGMOID,
            facts=(
                "8 layers (net.0 ... net.14), lr 0.1, 40 logged steps every 6: loss 1.114 -> "
                "1.105 (stuck at ln 3). Weight gradient ratio to the last layer's (median over "
                "steps), first to last: 1.3e6, 5.2e5, 6.6e4, 7.6e3, 995, 153, 22, 1; bias "
                "gradients 3.7e6, 5.4e5, 6.5e4, 7.4e3, 979, 145, 21, 1. Labelled: 100x or more "
                "(net.0-net.10); net.12 (21-22x) is left to the engine."
            ),
            labels=(
                TagLabel(r"^grad/net\.(0|2|4|6|8|10)\.(weight|bias)$", "vanishing"),
                TagLabel(r"^grad/net\.14\.(weight|bias)$", "vanishing", present=False),
            ),
        ),
        TorchVariant(
            _DEEP_SIGMOID.replace(seed=1, options={"depth": 7}, writer="tensorboardX"),
            facts=(
                "7 layers, tensorboardX: loss 1.108 -> 1.104. Weight gradient ratios to the last "
                "layer's: 1.2e5, 5.2e4, 7.9e3, 1.0e3, 195, 24, 1 (bias gradients alike). "
                "Labelled: net.0-net.8; net.10 (24x) left to the engine."
            ),
            labels=(
                TagLabel(r"^grad/net\.(0|2|4|6|8)\.(weight|bias)$", "vanishing"),
                TagLabel(r"^grad/net\.12\.(weight|bias)$", "vanishing", present=False),
            ),
        ),
        TorchVariant(
            _DEEP_SIGMOID.replace(seed=2, lr=0.2, options={"depth": 6}),
            facts=(
                "6 layers, lr 0.2: loss 1.110 -> 1.107. Weight gradient ratios: 3.4e4, 1.0e4, "
                "1.3e3, 199, 27, 1 (bias gradients alike). Labelled: net.0-net.6; net.8 (27-28x) "
                "left to the engine."
            ),
            labels=(
                TagLabel(r"^grad/net\.(0|2|4|6)\.(weight|bias)$", "vanishing"),
                TagLabel(r"^grad/net\.10\.(weight|bias)$", "vanishing", present=False),
            ),
        ),
        TorchVariant(
            _DEEP_SIGMOID.replace(seed=3, lr=0.15),
            facts=(
                "seed 3, 8 layers, lr 0.15: loss 1.110 -> 1.105. Weight gradient ratios to the last "
                "layer's (median over steps), first to last: 2.4e6, 6.1e5, 8.3e4, 9.9e3, 1.3e3, "
                "164, 25, 1; bias gradients 4.3e6, 7.0e5, 8.4e4, 9.9e3, 1.2e3, 168, 26, 1. "
                "Labelled: net.0-net.10 (100x or more); net.12 (25-26x) left to the engine."
            ),
            labels=(
                TagLabel(r"^grad/net\.(0|2|4|6|8|10)\.(weight|bias)$", "vanishing"),
                TagLabel(r"^grad/net\.14\.(weight|bias)$", "vanishing", present=False),
            ),
        ),
        TorchVariant(
            _DEEP_SIGMOID.replace(seed=4, writer="tensorboardX", options={"depth": 7, "width": 40}),
            facts=(
                "seed 4, 7 layers of width 40, tensorboardX: loss 1.137 -> 1.103. Weight gradient "
                "ratios: 2.6e5, 6.6e4, 1.0e4, 1.4e3, 195, 31, 1; bias gradients 4.7e5, 6.7e4, "
                "9.3e3, 1.4e3, 187, 29, 1. Labelled: net.0-net.8; net.10 (29-31x) left to the "
                "engine."
            ),
            labels=(
                TagLabel(r"^grad/net\.(0|2|4|6|8)\.(weight|bias)$", "vanishing"),
                TagLabel(r"^grad/net\.12\.(weight|bias)$", "vanishing", present=False),
            ),
        ),
    ),
)

_DEEP_TANH = cfg(
    "deep_tanh",
    optimizer="sgd",
    lr=0.05,
    steps=40,
    log_every=6,
    activations="activations/{name}",
    options={"depth": 7, "init_std": 0.05},
)

DEEP_TANH = TorchScenario(
    name="deep_tanh",
    description=(
        "A ModuleList of Linear layers with tanh (layers.0 ...) and a linear output (out), "
        "N(0, 0.05^2) weights and plain SGD on the spirals: both the forward signal and the "
        "backward signal shrink by about 0.05 x sqrt(32) per layer, the loss does not move."
    ),
    variants=(
        TorchVariant(
            _DEEP_TANH,
            facts=(
                "7 layers, lr 0.05, 40 logged steps every 6: loss 1.099 -> 1.099 (ln 3). Bias "
                "gradients (the backward signal itself) relative to out.bias's, median over "
                "steps, layers.0 to layers.5: 9.1e3, 2.9e3, 771, 206, 52, 13. Weight gradients "
                "are flat over depth (4.5-8x below out.weight's, |g| ~4e-6 everywhere) because the forward "
                "signal shrinks as fast as the backward one grows: they are tiny next to the "
                "weights (~0.04) but not orders below the last layer's, so they are not "
                "labelled either way. Labelled: bias gradients 100x or more below (layers.0-3)."
            ),
            labels=(
                TagLabel(r"^grad/layers\.[0-3]\.bias$", "vanishing"),
                TagLabel(r"^grad/out\.bias$", "vanishing", present=False),
            ),
        ),
        TorchVariant(
            _DEEP_TANH.replace(seed=1, options={"depth": 8}),
            facts=(
                "8 layers: loss 1.099 -> 1.100. Bias gradient ratios to out.bias's: 3.8e4, "
                "9.3e3, 2.5e3, 664, 216, 55, 12; weight gradients 23-55x below out.weight's "
                "(not labelled). Labelled: layers.0-4 bias gradients."
            ),
            labels=(
                TagLabel(r"^grad/layers\.[0-4]\.bias$", "vanishing"),
                TagLabel(r"^grad/out\.bias$", "vanishing", present=False),
            ),
        ),
        TorchVariant(
            _DEEP_TANH.replace(seed=2, lr=0.1, writer="tensorboardX", options={"init_std": 0.04}),
            facts=(
                "N(0, 0.04^2), lr 0.1, tensorboardX: loss 1.099 -> 1.099. Bias gradient ratios: "
                "2.0e4, 4.3e3, 1.2e3, 269, 64, 17; weight gradients 17-36x (not labelled). "
                "Labelled: layers.0-3 bias gradients."
            ),
            labels=(
                TagLabel(r"^grad/layers\.[0-3]\.bias$", "vanishing"),
                TagLabel(r"^grad/out\.bias$", "vanishing", present=False),
            ),
        ),
        TorchVariant(
            _DEEP_TANH.replace(seed=3, writer="tensorboardX", options={"init_std": 0.06}),
            facts=(
                "seed 3, N(0, 0.06^2), tensorboardX: loss 1.099 -> 1.099. Bias gradient ratios to "
                "out.bias's, layers.0 to layers.5: 2.9e3, 936, 316, 116, 42, 11; weight gradients "
                "4-8x below out.weight's (not labelled). Labelled: layers.0-3 bias gradients."
            ),
            labels=(
                TagLabel(r"^grad/layers\.[0-3]\.bias$", "vanishing"),
                TagLabel(r"^grad/out\.bias$", "vanishing", present=False),
            ),
        ),
        TorchVariant(
            _DEEP_TANH.replace(seed=4, lr=0.08, options={"depth": 6}),
            facts=(
                "seed 4, 6 layers, lr 0.08: loss 1.099 -> 1.099. Bias gradient ratios: 1.9e3, 501, "
                "157, 45, 14; weight gradients 2.6-5.6x below out.weight's (not labelled). "
                "Labelled: layers.0-2 bias gradients."
            ),
            labels=(
                TagLabel(r"^grad/layers\.[0-2]\.bias$", "vanishing"),
                TagLabel(r"^grad/out\.bias$", "vanishing", present=False),
            ),
        ),
    ),
)

_EXPLODE_TANH = cfg(
    "mlp_tanh_regression",
    optimizer="sgd",
    lr=1.0,
    lr_decay=0.97,
    seed=5,
    steps=80,
    log_every=2,
    grad_tag="gradients/{name}",
    options={"hidden": (32, 32, 4)},
)

EXPLODE_THEN_DIE = TorchScenario(
    name="explode_then_die",
    description=(
        "A tanh MLP 8-32-32-4-1 regressing with MSE, plain SGD at a far too high learning rate "
        "(decayed by 3% per step): the updates diverge and the hidden layers' gradients grow by "
        "orders of magnitude in bursts; the pushed weights saturate the tanh units, whose "
        "gradients are then exactly 0 between the bursts and, after the last one, for the rest "
        "of the run. The linear output layer keeps diverging and the loss with it."
    ),
    variants=(
        TorchVariant(
            _EXPLODE_TANH,
            facts=(
                "seed 5, lr 1.0, logged every 2nd step: loss 3.2e4 (first 10 batches) -> 5.9e10 "
                "(last 10), peak 1.7e19, finite throughout. Mean |gradient| of fc1/fc2/fc3 "
                "weights: x9e3 / x2.6e3 / x980 by step 6, then bursts (max |g| of fc1.weight "
                "8e2 at steps 6-8, 7e8 at 14, 1.4e12 at 22, 5e10 at 26) separated by exactly-0 "
                "steps (18, 20, 24), peaking at x2.7e12 / x1.8e13 / x9.5e14 (steps 22-26), and "
                "exactly 0 at every logged step from step 28 on (the tanh units saturated); the "
                "biases' gradients alike. Weights grew x6.5e10 (fc1), x2e15 (fc3) and then "
                "stopped. fc4's gradient keeps exploding (x1.3e11, peak at step 32). Seeds 5, 6 "
                "and 8 were picked among 0-9 for a growth of 1e9 or more in every hidden layer "
                "without overflow; at the other seeds the growth was 1e3-1e10 or the output "
                "overflowed to NaN."
            ),
        ),
        TorchVariant(
            _EXPLODE_TANH.replace(seed=6, lr=1.2),
            facts=(
                "seed 6, lr 1.2: loss 2.2e4 -> 3.9e21, finite. fc1/fc2/fc3 weight gradients "
                "x8.6e4 / x9.7e4 / x3e3 by step 6, exactly 0 at steps 10-20, one burst at step "
                "22 (x1e14 / x3.2e15 / x5.1e17, max |g| up to 1.6e17), exactly 0 from step 24 "
                "on; weights x4e12-x1.3e17; fc4's gradient x2.3e14."
            ),
        ),
        TorchVariant(
            _EXPLODE_TANH.replace(seed=8, writer="tensorboardX"),
            facts=(
                "seed 8, tensorboardX: loss 1.1e5 -> 7e19, finite. fc1/fc2/fc3 weight gradients "
                "x1.4e4 / x8.3e3 / x520 by step 6, exactly 0 at steps 10-28, one burst at step "
                "30 (x5.1e9 / x3.1e13 / x7.9e13, max |g| up to 1.8e13), exactly 0 from step 32 "
                "on; weights x1.6e8-x2e13; fc4's gradient x1.6e14."
            ),
        ),
        TorchVariant(
            _EXPLODE_TANH.replace(seed=13),
            facts=(
                "seed 13, lr 1.0: loss 7.6e5 -> 4e13, peak 6.1e21, finite throughout, every value "
                "within the +-1e20 bucket range. Mean |gradient| of fc1/fc2/fc3 weights x840 / "
                "x120 / x29 by step 6, exactly 0 at steps 10-12 and 16-44, two bursts (max |g| of "
                "fc1.weight 4e4 at step 14, 9.6e14 at step 46: x9.7e14 / x8.1e14 / x1.7e13 of "
                "step 0's mean), and exactly 0 at every logged step from step 48 on; bias "
                "gradients alike (x1.5e15 / x3.6e14 / x4.2e12). Weights grew x1.4e12-x2.4e13, "
                "biases x1.9e12-x2.9e13 (peak at step 48), then stopped. fc4's gradient x1.4e12 "
                "(peak at step 36). Seeds 10-24 were tried, in order, for a growth of 1e9 or "
                "more in every hidden layer without overflow: only 13 has it (at the others "
                "some hidden layer's gradient grew only x3 - x2e8, the loss overflowed to inf or "
                "NaN (14, 24), or the writer refused out-of-range tensors (15))."
            ),
        ),
        TorchVariant(
            _EXPLODE_TANH.replace(seed=36, writer="tensorboardX"),
            facts=(
                "seed 36, tensorboardX: loss 4.1e6 -> 2.2e13, peak 3.7e18, finite, within the "
                "bucket range. fc1/fc2/fc3 weight gradients x18 / x460 / x12 by step 6, exactly 0 "
                "at steps 10-18, one burst at step 20 (x1.1e14 / x9.5e12 / x1.1e13, max |g| up to "
                "3.4e13), exactly 0 from step 22 on; bias gradients x1.4e12-x2.4e13; weights and "
                "biases x5e11-x2.7e12 (peak at step 22); fc4's gradient x2e10. Seeds 25-35 were "
                "tried first: 25 and 28 grew past the +-1e20 bucket range (the other family's "
                "case), 27, 30 and 35 overflowed to NaN, the others grew less than 1e9 in some "
                "hidden layer or not at all."
            ),
        ),
    ),
    labels=(
        TagLabel(r"^gradients/fc[1-3]\.(weight|bias)$", "exploding"),
        TagLabel(r"^gradients/fc[1-3]\.(weight|bias)$", "constant", present=False),
        TagLabel(r"^fc[1-3]\.(weight|bias)$", "exploding"),
        TagLabel(r"^(gradients/)?fc4\.weight$", "exploding"),
        TagLabel(r"fc\d\.(weight|bias)$", "nonfinite", present=False),
    ),
)
