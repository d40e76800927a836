"""The healthy PyTorch families: the loss falls a lot, every trained parameter moves."""

from __future__ import annotations

from .torch_labels import TagLabel, TorchScenario, TorchVariant, cfg

_BN_CNN = cfg(
    "bn_cnn",
    optimizer="sgd",
    lr=0.05,
    momentum=0.9,
    batch_size=32,
    steps=40,
    log_every=5,
    buffers=True,
    activations="activations/{name}",
    options={"blocks": 2},
)

BN_CNN = TorchScenario(
    name="bn_cnn",
    description=(
        "A small CNN on 8x8 glyph images: Conv2d(bias=True) -> BatchNorm2d -> ReLU blocks, max "
        "pooling, a linear classifier; parameters, gradients (grad/{name}), BatchNorm's "
        "running_mean/running_var buffers and the ReLU outputs (activations/act{i}) are "
        "logged. The conv biases sit right before BatchNorm, which subtracts the per-channel "
        "mean: their gradient is zero up to rounding, by construction. Harmless redundancy, "
        "not a fault."
    ),
    variants=(
        TorchVariant(
            _BN_CNN,
            facts=(
                "2 blocks, SGD momentum 0.9, lr 0.05, 40 logged steps every 5: loss 2.17 -> 0.013 "
                "(means of the first/last 10 batches). Conv bias gradients |g| 2e-8 -> 1e-9 "
                "(1.2e6-3e6 times smaller than the classifier bias's, median over steps); the conv "
                "biases stay put (conv1.bias bit-identical over 19 of 39 logged intervals, "
                "conv2.bias 10 of 39) while the conv weights, BatchNorm weights (exactly 1 at "
                "step 0) and biases (exactly 0) learn. running_var 0.91-0.93 -> 1.2-2.1, "
                "running_mean 0.02 -> 0.2-0.5. ReLU outputs 54% (act1) and 75% (act2) exact zeros."
            ),
        ),
        TorchVariant(
            _BN_CNN.replace(seed=1, lr=0.03, writer="tensorboardX", options={"blocks": 3}),
            facts=(
                "3 blocks, lr 0.03, tensorboardX: loss 1.05 -> 0.0031. Conv bias gradients |g| "
                "1e-8 -> 1e-10 (7.8e5-6.2e6 times below the classifier bias's); conv3.bias "
                "bit-identical over 33 of 39 logged intervals, conv1.bias 25. ReLU outputs 50-58% "
                "zeros."
            ),
        ),
        TorchVariant(
            _BN_CNN.replace(seed=2, optimizer="adam", lr=3e-3, momentum=0.0, options={"width": 6}),
            facts=(
                "6/12 channels, Adam lr 3e-3: loss 1.34 -> 0.041. Conv bias gradients |g| 1e-8 - "
                "4e-8 (9.7e5-1.3e6 times below the classifier bias's), but Adam normalises them: "
                "the conv biases drift by a few 1e-2 (no logged interval unchanged). running_var "
                "0.92 -> 0.15-0.29. ReLU outputs 54-59% zeros."
            ),
        ),
        TorchVariant(
            _BN_CNN.replace(seed=3, momentum=0.8, writer="tensorboardX"),
            facts=(
                "seed 3, momentum 0.8, tensorboardX: loss 1.49 -> 0.0078. Conv bias gradients |g| "
                "2.7e-8 - 2.9e-8 -> 3e-9 - 6e-9 (7.6e5-1.5e6 times below the classifier bias's, "
                "median over steps); the conv biases barely move (mean |b| changes by 1e-8 over "
                "the run; bit-identical over 3 (conv1) and 1 (conv2) of 39 logged intervals). "
                "BatchNorm weights exactly 1 at step 0, std 0.09-0.10 at the end; biases exactly 0 "
                "at step 0. running_var 0.91-0.94 -> 0.40-0.52, running_mean 0.013-0.016 -> "
                "0.14-0.15. ReLU outputs 48-51% (act1) and 50-61% (act2) exact zeros."
            ),
        ),
    ),
    # The conv biases' near-zero gradients and standstill may be told as info (issue 13 allows
    # "at most an info"): ``clean`` forbids warnings and criticals there, no label forbids more.
    labels=(
        TagLabel(r"^bn\d\.weight$", "constant", present=False),
        TagLabel(r"^bn\d\.running_(mean|var)$", "frozen", present=False),
    ),
    run_absent=("last_layer_only",),
    clean=True,
)

_RESMLP = cfg(
    "resmlp_ln",
    optimizer="adamw",
    lr=3e-3,
    weight_decay=0.01,
    grad_tag="gradients/{name}",
    writer="tensorboardX",
    loss_tag="Loss/train",
    steps=40,
    log_every=6,
)

RESMLP_LN = TorchScenario(
    name="resmlp_ln",
    description=(
        "A pre-norm residual MLP on the spirals (input projection, blocks of LayerNorm -> "
        "Linear -> GELU -> Linear added back, a final LayerNorm and a head), AdamW. LayerNorm "
        "weights start at exactly 1 and biases at 0, by design, then learn."
    ),
    variants=(
        TorchVariant(
            _RESMLP,
            facts=(
                "width 64, 3 blocks, 40 logged steps every 6: loss 1.14 -> 0.29. Every LayerNorm "
                "weight (64 values) is exactly 1 at step 0 and spreads to std 0.05-0.06 (range "
                "0.79-1.22); biases start at exactly 0. Weight-gradient |g| is 2-27 times below "
                "the head's (median over steps): no layer is far behind."
            ),
        ),
        TorchVariant(
            _RESMLP.replace(
                seed=1, lr=2e-3, activations="activations/{name}", options={"depth": 4}
            ),
            facts=(
                "4 blocks, lr 2e-3, GELU outputs hooked: loss 1.17 -> 0.25. LayerNorm weights "
                "1 -> std 0.03-0.05; gradients 2-23 times below the head's; GELU outputs range "
                "[-0.17, 4.2], no exact zeros."
            ),
        ),
        TorchVariant(
            _RESMLP.replace(seed=2, writer="torch", options={"width": 48}),
            facts=(
                "width 48, torch writer: loss 1.15 -> 0.16. LayerNorm weights (48 values) 1 -> "
                "std 0.05-0.06; gradients 2-22 times below the head's."
            ),
        ),
        TorchVariant(
            _RESMLP.replace(seed=3, lr=4e-3, writer="torch", options={"depth": 2}),
            facts=(
                "seed 3, 2 blocks, lr 4e-3, torch writer: loss 1.19 -> 0.19. LayerNorm weights (64 "
                "values) exactly 1 at step 0, std 0.06-0.07 at the end (range 0.76-1.17); biases "
                "exactly 0 at step 0. Weight gradients 2.5-27 times below the head's, bias "
                "gradients 1.9-20 times (median over steps)."
            ),
        ),
    ),
    labels=(
        TagLabel(r"norm\.weight$", "constant", present=False),
        TagLabel(r"norm\.(weight|bias)$", "frozen", present=False),
    ),
    run_absent=("last_layer_only",),
    clean=True,
)

_TRANSFORMER = cfg(
    "transformer",
    optimizer="adam",
    lr=1e-3,
    batch_size=32,
    steps=40,
    log_every=5,
    grad_tag="{name}.grad",
    loss_tag="train/loss",
)

TRANSFORMER = TorchScenario(
    name="transformer",
    description=(
        "A tiny transformer classifier: nn.Embedding plus learned positions, a batch-first "
        "nn.TransformerEncoder (4 heads, no dropout), mean pooling and a linear head, learning "
        "which of four tokens is over-represented in a sequence; gradients as {name}.grad."
    ),
    variants=(
        TorchVariant(
            _TRANSFORMER,
            facts=(
                "d_model 32, 2 layers, 40 logged steps every 5: loss 1.28 -> 0.13. norm1/norm2 "
                "weights exactly 1 at step 0, std 0.03 at the end; weight gradients 1-17 times "
                "below the head's (median over steps), bias gradients 1-13 times."
            ),
        ),
        TorchVariant(
            _TRANSFORMER.replace(seed=1, lr=2e-3, options={"layers": 1}),
            facts="1 layer, lr 2e-3: loss 1.04 -> 0.13; gradients 1-11 times below the head's.",
        ),
        TorchVariant(
            _TRANSFORMER.replace(seed=2, writer="tensorboardX", options={"d_model": 24}),
            facts=(
                "d_model 24, tensorboardX: loss 1.29 -> 0.15; LayerNorm weights (24 values) 1 -> "
                "std 0.04; gradients 1-14 times below the head's."
            ),
        ),
        TorchVariant(
            _TRANSFORMER.replace(seed=3, lr=1.5e-3, writer="tensorboardX"),
            facts=(
                "seed 3, lr 1.5e-3, tensorboardX: loss 0.98 -> 0.16. norm1/norm2 weights exactly 1 "
                "at step 0, std 0.033-0.038 at the end; weight gradients 5-15 times below the "
                "head's, bias gradients 1.7-12 times."
            ),
        ),
    ),
    labels=(
        TagLabel(r"norm\d\.weight$", "constant", present=False),
        TagLabel(r"^embed\.weight$", "frozen", present=False),
    ),
    run_absent=("last_layer_only",),
    clean=True,
)

_LSTM = cfg("lstm", optimizer="adam", lr=1e-2, batch_size=32, steps=50, writer="tensorboardX")

LSTM = TorchScenario(
    name="lstm",
    description=(
        "An nn.Embedding -> one-layer nn.LSTM -> linear decoder next-token model on arithmetic "
        "progressions modulo 12 (fully predictable from the second token on)."
    ),
    variants=(
        TorchVariant(_LSTM, facts="hidden 32, Adam lr 1e-2: loss 2.33 -> 0.17 (ln 12 = 2.48)."),
        TorchVariant(
            _LSTM.replace(seed=1, lr=5e-3, options={"hidden": 24}),
            facts="hidden 24, lr 5e-3: loss 2.44 -> 0.22.",
        ),
        TorchVariant(
            _LSTM.replace(seed=2, writer="torch", optimizer="adamw"),
            facts="AdamW (weight decay 0), torch writer: loss 2.30 -> 0.17.",
        ),
        TorchVariant(
            _LSTM.replace(seed=3, lr=2e-2, options={"hidden": 40}),
            facts="seed 3, hidden 40, Adam lr 2e-2: loss 2.04 -> 0.16.",
        ),
    ),
    labels=(
        TagLabel(r"^embedding\.weight$", "frozen", present=False),
        TagLabel(r"^lstm\.", "frozen", present=False),
    ),
    run_absent=("last_layer_only",),
    clean=True,
)
