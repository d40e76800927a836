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

import re
from dataclasses import dataclass
from typing import Any

from .torch_models import TorchConfig

TUNING = "tuning"
HELDOUT = "heldout"
PARTS = (TUNING, HELDOUT)


@dataclass(frozen=True)
class TagLabel:
    """A verdict that must (``present``) or must not appear on every tag matching ``pattern``."""

    pattern: str
    verdict: str
    present: bool = True

    def matches(self, tag: str) -> bool:
        """Whether the label applies to ``tag``."""
        return re.search(self.pattern, tag) is not None


@dataclass(frozen=True)
class LayerLabel:
    """A layer verdict that must (or must not) appear on every layer whose name matches."""

    pattern: str
    verdict: str
    present: bool = True

    def matches(self, layer: str) -> bool:
        """Whether the label applies to the layer named ``layer``."""
        return re.search(self.pattern, layer) is not None


@dataclass(frozen=True)
class TorchVariant:
    """One run of a family: its configuration and what its data shows.

    ``labels`` (tag labels) and ``run_verdicts`` replace the family's when given (a deeper
    variant has more vanishing layers, for instance).
    """

    config: TorchConfig
    facts: str
    labels: tuple[TagLabel, ...] | None = None
    run_verdicts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TorchScenario:
    """A family of PyTorch runs with its ground truth.

    Attributes:
        name: family name; the runs are ``torch_<name>_v<k>``.
        description: what the family trains and what goes wrong (or does not), and why.
        variants: variants 0-2 are tuning runs, 3 and up held out (:func:`part_of`).
        labels: tag labels (regex -> verdict) of every variant unless it has its own.
        layer_labels: layer labels (regex on the layer names the engine gives).
        run_verdicts: run-level verdict ids that must appear.
        run_absent: run-level verdict ids that must not appear.
        clean: no warning or critical verdict anywhere in the run.
    """

    name: str
    description: str
    variants: tuple[TorchVariant, ...]
    labels: tuple[TagLabel, ...] = ()
    layer_labels: tuple[LayerLabel, ...] = ()
    run_verdicts: tuple[str, ...] = ()
    run_absent: tuple[str, ...] = ()
    clean: bool = False

    def run_name(self, variant: int) -> str:
        """The run directory's name of one variant, e.g. ``torch_bn_cnn_v1``."""
        return f"torch_{self.name}_v{variant}"

    def variant_labels(self, variant: int) -> tuple[TagLabel, ...]:
        """The tag labels of one variant."""
        own = self.variants[variant].labels
        return self.labels if own is None else own

    def variant_run_verdicts(self, variant: int) -> tuple[str, ...]:
        """The run verdicts one variant must show."""
        own = self.variants[variant].run_verdicts
        return self.run_verdicts if own is None else own


#: The first held-out variant index: variants below it are tuning, the rest held out.
FIRST_HELDOUT = 3


def part_of(variant: int) -> str:
    """The corpus part of a variant (of a PyTorch family or a numpy scenario): 0, 1 and 2 are
    tuning, 3 and up are held out."""
    return TUNING if variant < FIRST_HELDOUT else HELDOUT


def _cfg(family: str, **kw: Any) -> TorchConfig:
    return TorchConfig(family=family, **kw)


# --------------------------------------------------------------------------------------------
# Healthy families: the loss falls a lot, every trained parameter moves.

_BN_CNN = _cfg(
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

_RESMLP = _cfg(
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

_TRANSFORMER = _cfg(
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

_LSTM = _cfg("lstm", optimizer="adam", lr=1e-2, batch_size=32, steps=50, writer="tensorboardX")

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

# --------------------------------------------------------------------------------------------
# Faults

_FINETUNE = _cfg("finetune", optimizer="adam", lr=1e-2, grad_tag="{name}.grad")

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

_DEEP_SIGMOID = _cfg(
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

_DEEP_TANH = _cfg(
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

_EXPLODE_TANH = _cfg(
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

_EXPLODE_ZERO = _cfg("linear_regression", optimizer="sgd", lr=3.9, steps=50, grad_tag="{name}.grad")

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

_BEYOND = _cfg("linear_images", optimizer="sgd", lr=0.8, steps=50, grad_tag="grad/{name}")

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

_WD = _cfg("mlp_relu", optimizer="sgd", lr=0.1, weight_decay=4.0, steps=50)

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

_DEAD = _cfg("mlp_relu", optimizer="adam", lr=0.1, steps=50, activations="activations/{name}")

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

_CONST = _cfg("mlp_tanh", optimizer="sgd", lr=0.1, steps=50, options={"init": "constant"})

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

_NAN = _cfg(
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
