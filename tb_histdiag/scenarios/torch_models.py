"""Real PyTorch training for the labelled corpus: ``torch.nn`` models, autograd, ``torch.optim``.

Every run trains a small model on a synthetic task and logs it the way PyTorch users do, with
``torch.utils.tensorboard.SummaryWriter`` or ``tensorboardX.SummaryWriter`` (``add_histogram``
with its default ``bins='tensorflow'``, ``add_scalar``):

* parameters by ``for name, p in model.named_parameters(): w.add_histogram(name, p, step)``;
* gradients under a name pattern that differs between families (``grad/{name}``,
  ``{name}.grad``, ``gradients/{name}``), only for parameters that have one (a frozen
  parameter's ``.grad`` is ``None``);
* buffers from ``named_buffers()`` (BatchNorm's ``running_mean`` / ``running_var``; never
  ``num_batches_tracked``) where :attr:`TorchConfig.buffers` is set;
* module outputs through forward hooks (``activations/{module}``) where
  :attr:`TorchConfig.activations` names a pattern;
* the batch loss as a scalar at every training step.

Histograms are logged every :attr:`TorchConfig.log_every` training steps, at step 0 first
(after the first backward pass, before the first update), so a run has ``steps`` logged steps.

torch is imported lazily, inside the functions: the package does not depend on it. Wall times
are synthetic (as in :mod:`.writers`), and every run is seeded, so a configuration writes the same
numbers on one machine (BLAS may differ in the last bits between machines).

Each run also keeps, per tag and logged step, a few exact statistics of the logged tensor
(:class:`TagTrace`), measured on the tensor itself before it is written: what the labels of
:mod:`.torch_catalog` and their ``facts`` are checked against.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .writers import BASE_WALL_TIME, fresh_run_dir

WRITERS = ("torch", "tensorboardX")
OPTIMIZERS = ("sgd", "adam", "adamw")

#: torch's and tensorboardX's default histogram buckets end at +-1e20 ('tensorflow' bins).
BUCKET_LIMIT = 1e20


@dataclass(frozen=True)
class TorchConfig:
    """Everything that determines one PyTorch run.

    Attributes:
        family: the model and task (a key of :data:`FAMILIES`).
        seed: seeds the data, the initialisation and the batch order.
        steps: number of logged steps; training runs ``(steps - 1) * log_every + 1`` updates.
        log_every: training steps between two logged steps.
        batch_size: examples per training step.
        optimizer: ``sgd`` (optional ``momentum``, coupled ``weight_decay``), ``adam`` or
            ``adamw`` (decoupled ``weight_decay``).
        lr, momentum, weight_decay: the optimizer's settings.
        lr_decay: ``torch.optim.lr_scheduler.ExponentialLR``'s ``gamma``, stepped after every
            update (1: a constant learning rate).
        writer: ``torch`` (``torch.utils.tensorboard``) or ``tensorboardX``.
        grad_tag: name pattern of gradient histograms (``{name}`` is the parameter's name), or
            ``""`` to log no gradients.
        buffers: also log ``named_buffers()`` (without ``num_batches_tracked``).
        activations: name pattern of module-output histograms (``{name}`` is the module's name
            in ``named_modules()``) for the modules the family hooks, or ``""`` for none.
        loss_tag: the scalar tag of the batch loss.
        options: family-specific settings (widths, depth, init, fault injection ...).
    """

    family: str
    seed: int = 0
    steps: int = 60
    log_every: int = 4
    batch_size: int = 64
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.0
    weight_decay: float = 0.0
    lr_decay: float = 1.0
    writer: str = "torch"
    grad_tag: str = "grad/{name}"
    buffers: bool = False
    activations: str = ""
    loss_tag: str = "loss"
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"unknown family {self.family!r}; known: {', '.join(FAMILIES)}")
        if self.writer not in WRITERS:
            raise ValueError(f"writer must be one of {WRITERS}, got {self.writer!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.steps < 1 or self.log_every < 1:
            raise ValueError("steps and log_every must be at least 1")

    def opt(self, key: str, default: Any = None) -> Any:
        """A family-specific option."""
        return self.options.get(key, default)

    def replace(self, **changes: Any) -> TorchConfig:
        """A copy with some fields changed; ``options`` given here are merged into the old ones."""
        if "options" in changes:
            changes["options"] = {**self.options, **changes["options"]}
        return dataclasses.replace(self, **changes)

    @property
    def train_steps(self) -> int:
        """Number of optimizer updates (the last logged step is the last training step)."""
        return (self.steps - 1) * self.log_every + 1


@dataclass
class TagTrace:
    """Exact statistics of one tag's logged tensors, one entry per logged step.

    ``changed`` says whether the tensor differs (in any bit) from the previous logged step
    (False at the first step). ``in_range`` is the number of finite values within the writer's
    bucket range (``|x| <= 1e20``): what the histogram's bucket counts hold. ``distinct_le_1``:
    every finite value is the same; ``near_constant``: the same up to float32 rounding
    (``max - min <= 1e-4 * max |x|``).
    """

    steps: list[int] = field(default_factory=list)
    num: list[int] = field(default_factory=list)
    mean_abs: list[float] = field(default_factory=list)
    std: list[float] = field(default_factory=list)
    min: list[float] = field(default_factory=list)
    max: list[float] = field(default_factory=list)
    zero_fraction: list[float] = field(default_factory=list)
    nonfinite: list[int] = field(default_factory=list)
    in_range: list[int] = field(default_factory=list)
    saturated: list[float] = field(default_factory=list)
    distinct_le_1: list[bool] = field(default_factory=list)
    near_constant: list[bool] = field(default_factory=list)
    changed: list[bool] = field(default_factory=list)
    _last: Any = field(default=None, repr=False)

    def add(self, step: int, values: np.ndarray) -> None:
        """Record one logged tensor (as a numpy array)."""
        x = values.reshape(-1)
        finite = np.isfinite(x)
        all_finite = bool(finite.all())
        xf = x if all_finite else x[finite]
        ax = np.abs(xf)
        self.steps.append(step)
        self.num.append(int(x.size))
        self.nonfinite.append(int(x.size - xf.size))
        self.in_range.append(int(np.count_nonzero(ax <= BUCKET_LIMIT)))
        if xf.size:
            xd = xf.astype(np.float64)
            self.mean_abs.append(float(np.abs(xd).mean()))
            self.std.append(float(xd.std()))
            lo, hi = float(xf.min()), float(xf.max())
            self.min.append(lo)
            self.max.append(hi)
            self.zero_fraction.append(float(np.count_nonzero(xf == 0) / xf.size))
            self.saturated.append(float(np.count_nonzero(ax >= 0.99) / xf.size))
            self.distinct_le_1.append(lo == hi)
            self.near_constant.append(hi - lo <= 1e-4 * max(abs(lo), abs(hi)))
        else:
            for series in (self.mean_abs, self.std, self.min, self.max):
                series.append(math.nan)
            self.zero_fraction.append(math.nan)
            self.saturated.append(math.nan)
            self.distinct_le_1.append(False)
            self.near_constant.append(False)
        snapshot = x.copy()
        self.changed.append(
            self._last is not None
            and not (
                snapshot.shape == self._last.shape
                and np.array_equal(snapshot, self._last, equal_nan=True)
            )
        )
        self._last = snapshot

    def array(self, name: str) -> np.ndarray:
        """One statistic as a numpy array over the logged steps."""
        return np.asarray(getattr(self, name))


@dataclass
class TorchRunResult:
    """What one run wrote: its directory, the loss at every training step, and per-tag traces.

    ``skipped`` lists ``(tag, step)`` histograms the writer refused (no finite value in its
    bucket range: torch and tensorboardX raise ``ValueError`` there; a real script would crash).
    """

    name: str
    path: Path
    losses: list[float]
    traces: dict[str, TagTrace]
    skipped: list[tuple[str, int]]
    config: TorchConfig

    @property
    def first_loss(self) -> float:
        """Mean of the first 10 batch losses (NaN-free unless the loss starts non-finite)."""
        return float(np.mean(self.losses[:10]))

    @property
    def last_loss(self) -> float:
        """Mean of the last 10 batch losses."""
        return float(np.mean(self.losses[-10:]))

    def summary(self) -> str:
        """One line for humans."""
        line = (
            f"{self.path.name}: loss {self.first_loss:.4g} -> {self.last_loss:.4g} over "
            f"{self.config.train_steps} training steps ({self.config.steps} logged), "
            f"{len(self.traces)} histogram tags"
        )
        if self.skipped:
            line += f", {len(self.skipped)} histograms the writer refused"
        return line


# --------------------------------------------------------------------------------------------
# Synthetic tasks (torch tensors, seeded by a torch.Generator)


def _glyph_images(n: int, gen: Any, classes: int = 4, border: int = 0) -> tuple[Any, Any]:
    """8x8 single-channel images of four glyph classes at random shifts, with noise.

    Class 0 a horizontal bar, 1 a vertical bar, 2 a diagonal, 3 a hollow square; each drawn at a
    random offset of up to +-1 pixel with a random amplitude in [0.7, 1.3] and N(0, 0.35^2)
    noise. ``border`` pixels on every side are exactly 0 in every image (as MNIST's border is).
    """
    import torch

    base = torch.zeros(4, 8, 8)
    base[0, 3:5, 1:7] = 1.0
    base[1, 1:7, 3:5] = 1.0
    for i in range(1, 7):
        base[2, i, i] = 1.0
        base[2, i, min(7, i + 1)] = 1.0
    base[3, 2:6, 2] = base[3, 2:6, 5] = base[3, 2, 2:6] = base[3, 5, 2:6] = 1.0
    labels = torch.randint(0, classes, (n,), generator=gen)
    shifts = torch.randint(-1, 2, (n, 2), generator=gen)
    amp = 0.7 + 0.6 * torch.rand(n, generator=gen)
    images = torch.stack(
        [
            torch.roll(base[int(c)], shifts=(int(s[0]), int(s[1])), dims=(0, 1))
            for c, s in zip(labels, shifts)
        ]
    )
    images = images * amp[:, None, None] + 0.35 * torch.randn(n, 8, 8, generator=gen)
    images = (images - images.mean()) / images.std()
    if border:
        mask = torch.zeros(8, 8)
        mask[border:-border, border:-border] = 1.0
        images = images * mask
    return images[:, None], labels


def _spirals(n: int, seed: int, input_dim: int = 10, classes: int = 3) -> tuple[Any, Any]:
    """The numpy corpus' spirals task (:func:`.network.make_spirals`) as float32 tensors."""
    import torch

    from .network import make_spirals

    x, y = make_spirals(n, input_dim, classes, np.random.default_rng(seed))
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.long)


def _regression(n: int, gen: Any, input_dim: int = 8) -> tuple[Any, Any]:
    """``y = sin(x . a) + 0.5 * (x . b) + noise`` with standard-normal inputs."""
    import torch

    x = torch.randn(n, input_dim, generator=gen)
    a = torch.randn(input_dim, generator=gen) / math.sqrt(input_dim)
    b = torch.randn(input_dim, generator=gen) / math.sqrt(input_dim)
    y = torch.sin(2 * x @ a) + 0.5 * (x @ b) + 0.1 * torch.randn(n, generator=gen)
    return x, y[:, None]


def _majority_tokens(n: int, gen: Any, length: int = 12, vocab: int = 10) -> tuple[Any, Any]:
    """Token sequences where one of the tokens 0-3 is over-represented; the label is which.

    Each position is the class token with probability 0.35, otherwise uniform over the vocab.
    """
    import torch

    labels = torch.randint(0, 4, (n,), generator=gen)
    tokens = torch.randint(0, vocab, (n, length), generator=gen)
    pick = torch.rand(n, length, generator=gen) < 0.35
    tokens = torch.where(pick, labels[:, None].expand(n, length), tokens)
    return tokens, labels


def _progressions(n: int, gen: Any, length: int = 10, vocab: int = 12) -> tuple[Any, Any]:
    """Arithmetic progressions modulo ``vocab`` (start and step 1-4 random): next-token targets.

    Returns inputs ``[n, length - 1]`` and targets ``[n, length - 1]`` (the inputs shifted by
    one). From the second token on, the sequence is fully determined.
    """
    import torch

    start = torch.randint(0, vocab, (n, 1), generator=gen)
    step = torch.randint(1, 5, (n, 1), generator=gen)
    seq = (start + step * torch.arange(length)[None]) % vocab
    return seq[:, :-1], seq[:, 1:]


# --------------------------------------------------------------------------------------------
# Families: a model, its data and its loss


@dataclass
class Setup:
    """A family's model, training data, loss and hooked modules."""

    model: Any
    inputs: Any
    targets: Any
    loss: Callable[[Any, Any], Any]
    hooked: tuple[str, ...] = ()
    params: list[Any] | None = None  # the optimizer's parameters (default: requires_grad ones)
    inject: Callable[[Any, int], None] | None = None  # fault injection before a training step


def _cross_entropy(out: Any, target: Any) -> Any:
    import torch.nn.functional as F

    if out.dim() == 3:  # [batch, time, classes]
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), target.reshape(-1))
    return F.cross_entropy(out, target)


def _mse(out: Any, target: Any) -> Any:
    import torch.nn.functional as F

    return F.mse_loss(out, target)


def _bn_cnn(cfg: TorchConfig, gen: Any) -> Setup:
    """Conv(bias=True) -> BatchNorm2d -> ReLU blocks on 8x8 glyphs, then a linear classifier."""
    from torch import nn

    width = cfg.opt("width", 8)
    blocks = cfg.opt("blocks", 3)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            channels = 1
            size = 8
            for i in range(1, blocks + 1):
                out = width * min(i, 2)
                setattr(self, f"conv{i}", nn.Conv2d(channels, out, 3, padding=1, bias=True))
                setattr(self, f"bn{i}", nn.BatchNorm2d(out))
                setattr(self, f"act{i}", nn.ReLU())
                channels = out
                if i >= 2:
                    size //= 2
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(channels * size * size, 4)

        def forward(self, x: Any) -> Any:
            for i in range(1, blocks + 1):
                x = getattr(self, f"act{i}")(getattr(self, f"bn{i}")(getattr(self, f"conv{i}")(x)))
                if i >= 2:
                    x = self.pool(x)
            return self.fc(x.flatten(1))

    x, y = _glyph_images(2048, gen)
    return Setup(Net(), x, y, _cross_entropy, tuple(f"act{i}" for i in range(1, blocks + 1)))


def _resmlp_ln(cfg: TorchConfig, gen: Any) -> Setup:
    """Pre-norm residual MLP (LayerNorm -> Linear -> GELU -> Linear, added back) on the spirals."""
    from torch import nn

    width = cfg.opt("width", 64)
    depth = cfg.opt("depth", 3)

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm = nn.LayerNorm(width)
            self.fc1 = nn.Linear(width, 2 * width)
            self.act = nn.GELU()
            self.fc2 = nn.Linear(2 * width, width)

        def forward(self, x: Any) -> Any:
            return x + self.fc2(self.act(self.fc1(self.norm(x))))

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inp = nn.Linear(10, width)
            self.blocks = nn.ModuleList(Block() for _ in range(depth))
            self.norm = nn.LayerNorm(width)
            self.head = nn.Linear(width, 3)

        def forward(self, x: Any) -> Any:
            x = self.inp(x)
            for block in self.blocks:
                x = block(x)
            return self.head(self.norm(x))

    x, y = _spirals(1536, cfg.seed)
    return Setup(Net(), x, y, _cross_entropy, tuple(f"blocks.{i}.act" for i in range(depth)))


def _transformer(cfg: TorchConfig, gen: Any) -> Setup:
    """Embedding + learned positions -> TransformerEncoder (batch_first) -> mean pool -> head."""
    import torch
    from torch import nn

    d_model = cfg.opt("d_model", 32)
    layers = cfg.opt("layers", 2)
    length, vocab = 12, 10

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocab, d_model)
            self.pos = nn.Parameter(0.02 * torch.randn(1, length, d_model))
            layer = nn.TransformerEncoderLayer(
                d_model, nhead=4, dim_feedforward=2 * d_model, dropout=0.0, batch_first=True
            )
            self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            self.head = nn.Linear(d_model, 4)

        def forward(self, tokens: Any) -> Any:
            h = self.encoder(self.embed(tokens) + self.pos)
            return self.head(h.mean(dim=1))

    x, y = _majority_tokens(2048, gen, length, vocab)
    return Setup(Net(), x, y, _cross_entropy)


def _lstm(cfg: TorchConfig, gen: Any) -> Setup:
    """Embedding -> one-layer LSTM -> linear next-token head, on modular progressions."""
    from torch import nn

    hidden = cfg.opt("hidden", 32)
    vocab = 12

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = nn.Embedding(vocab, 16)
            self.lstm = nn.LSTM(16, hidden, batch_first=True)
            self.decoder = nn.Linear(hidden, vocab)

        def forward(self, tokens: Any) -> Any:
            out, _ = self.lstm(self.embedding(tokens))
            return self.decoder(out)

    x, y = _progressions(2048, gen, 10, vocab)
    return Setup(Net(), x, y, _cross_entropy)


def _mlp(sizes: Iterable[int], activation: str, names: str = "fc") -> tuple[Any, tuple[str, ...]]:
    """An MLP with modules ``fc1, act1, fc2, act2, ..., fcN`` (the last one linear)."""
    from torch import nn

    sizes = list(sizes)
    acts = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.n = len(sizes) - 1
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
                setattr(self, f"{names}{i}", nn.Linear(a, b))
                if i < self.n:
                    setattr(self, f"act{i}", acts[activation]())

        def forward(self, x: Any) -> Any:
            for i in range(1, self.n + 1):
                x = getattr(self, f"{names}{i}")(x)
                if i < self.n:
                    x = getattr(self, f"act{i}")(x)
            return x

    return Net(), tuple(f"act{i}" for i in range(1, len(sizes) - 1))


def _finetune(cfg: TorchConfig, gen: Any) -> Setup:
    """A backbone MLP pre-trained (not logged) on the spirals, then frozen; a new head learns."""
    import torch
    from torch import nn

    width = cfg.opt("width", 64)
    x, y = _spirals(1536, cfg.seed)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.backbone = nn.Sequential(
                nn.Linear(10, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU()
            )
            self.head = nn.Linear(width, 3)

        def forward(self, x: Any) -> Any:
            return self.head(self.backbone(x))

    model = Net()
    # "Pre-training": the whole network on the task for a few hundred steps, then a fresh head.
    pre = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(cfg.opt("pretrain_steps", 300)):
        idx = torch.randint(0, x.shape[0], (128,), generator=gen)
        pre.zero_grad()
        _cross_entropy(model(x[idx]), y[idx]).backward()
        pre.step()
    model.head.reset_parameters()
    model.zero_grad(set_to_none=True)
    for p in model.backbone.parameters():
        p.requires_grad_(False)
    return Setup(model, x, y, _cross_entropy)


def _init_normal(model: Any, std: float, bias: float | None = 0.0) -> None:
    import torch
    from torch import nn

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Linear):
                m.weight.normal_(0.0, std)
                if bias is not None:
                    m.bias.fill_(bias)


def _deep_sigmoid(cfg: TorchConfig, gen: Any) -> Setup:
    """``nn.Sequential`` of ``depth`` Linear+Sigmoid layers (names ``net.0``, ``net.2``, ...)."""
    from torch import nn

    depth = cfg.opt("depth", 8)
    width = cfg.opt("width", 32)
    modules: list[Any] = []
    fan_in = 10
    for _ in range(depth - 1):
        modules += [nn.Linear(fan_in, width), nn.Sigmoid()]
        fan_in = width
    modules.append(nn.Linear(fan_in, 3))

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = nn.Sequential(*modules)

        def forward(self, x: Any) -> Any:
            return self.net(x)

    model = Net()
    _init_normal(model, cfg.opt("init_std", 0.1))
    x, y = _spirals(1536, cfg.seed)
    return Setup(model, x, y, _cross_entropy, tuple(f"net.{2 * i + 1}" for i in range(depth - 1)))


def _deep_tanh(cfg: TorchConfig, gen: Any) -> Setup:
    """``layers.0 .. layers.{depth-2}`` (Linear + tanh, a ModuleList) and an output ``out``."""
    import torch
    from torch import nn

    depth = cfg.opt("depth", 7)
    width = cfg.opt("width", 32)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            sizes = [10] + [width] * (depth - 1)
            self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
            self.out = nn.Linear(width, 3)

        def forward(self, x: Any) -> Any:
            for layer in self.layers:
                x = torch.tanh(layer(x))
            return self.out(x)

    model = Net()
    _init_normal(model, cfg.opt("init_std", 0.05))
    x, y = _spirals(1536, cfg.seed)
    return Setup(model, x, y, _cross_entropy, tuple(f"layers.{i}" for i in range(depth - 1)))


def _mlp_family(activation: str, task: str) -> Callable[[TorchConfig, Any], Setup]:
    """An MLP ``fc1 .. fcN`` on the spirals (classification) or a regression (MSE)."""

    def build(cfg: TorchConfig, gen: Any) -> Setup:
        import torch
        from torch import nn

        hidden = tuple(cfg.opt("hidden", (32, 32, 32)))
        if task == "regression":
            x, y = _regression(2048, gen, 8)
            sizes, loss = (8, *hidden, 1), _mse
        else:
            x, y = _spirals(1536, cfg.seed)
            sizes, loss = (10, *hidden, 3), _cross_entropy
        model, hooked = _mlp(sizes, activation)
        init = cfg.opt("init", "default")
        if init == "constant":
            with torch.no_grad():
                for m in model.modules():
                    if isinstance(m, nn.Linear):
                        m.weight.fill_(cfg.opt("init_value", 0.1))
                        m.bias.zero_()
        if cfg.opt("bias_init") is not None:
            with torch.no_grad():
                for i in range(1, len(sizes) - 1):
                    getattr(model, f"fc{i}").bias.fill_(cfg.opt("bias_init"))
        inject = None
        nan_at = cfg.opt("nan_at")
        if nan_at is not None:
            nan_step = int(nan_at * cfg.train_steps) // cfg.log_every * cfg.log_every
            nan_layer, nan_count = cfg.opt("nan_layer", 2), cfg.opt("nan_count", 3)

            def inject(model: Any, step: int) -> None:
                if step == nan_step:
                    with torch.no_grad():
                        w = getattr(model, f"fc{nan_layer}").weight.view(-1)
                        w[:nan_count] = float("nan")

        return Setup(model, x, y, loss, hooked, inject=inject)

    return build


def _linear_regression(cfg: TorchConfig, gen: Any) -> Setup:
    """One ``nn.Linear`` (``linear.weight``, ``linear.bias``, bias initialised to 0) fitting
    several regression targets by MSE."""
    import torch
    from torch import nn

    outputs = cfg.opt("outputs", 4)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(8, outputs)
            nn.init.zeros_(self.linear.bias)

        def forward(self, x: Any) -> Any:
            return self.linear(x)

    x = torch.randn(2048, 8, generator=gen)
    mix = torch.randn(8, outputs, generator=gen) / math.sqrt(8)
    y = torch.sin(2 * x @ mix) + 0.1 * torch.randn(2048, outputs, generator=gen)
    return Setup(Net(), x, y, _mse)


def _linear_images(cfg: TorchConfig, gen: Any) -> Setup:
    """A bias-free linear read-out ``readout.weight`` of the 8x8 glyphs (border pixels always 0),
    trained by MSE against one-hot targets."""
    import torch.nn.functional as F
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.readout = nn.Linear(64, 4, bias=False)

        def forward(self, x: Any) -> Any:
            return self.readout(x.flatten(1))

    x, y = _glyph_images(2048, gen, border=cfg.opt("border", 1))
    return Setup(Net(), x, F.one_hot(y, 4).float(), _mse)


#: Family name -> builder of its model, data and loss.
FAMILIES: dict[str, Callable[[TorchConfig, Any], Setup]] = {
    "bn_cnn": _bn_cnn,
    "resmlp_ln": _resmlp_ln,
    "transformer": _transformer,
    "lstm": _lstm,
    "finetune": _finetune,
    "deep_sigmoid": _deep_sigmoid,
    "deep_tanh": _deep_tanh,
    "mlp_relu": _mlp_family("relu", "spirals"),
    "mlp_tanh": _mlp_family("tanh", "spirals"),
    "mlp_tanh_regression": _mlp_family("tanh", "regression"),
    "linear_regression": _linear_regression,
    "linear_images": _linear_images,
}


# --------------------------------------------------------------------------------------------
# Writing


class _Writer:
    """torch's or tensorboardX's ``SummaryWriter``, with synthetic wall times."""

    def __init__(self, kind: str, run_dir: Path):
        if kind == "torch":
            from torch.utils.tensorboard import SummaryWriter

            self._w = SummaryWriter(log_dir=str(run_dir), max_queue=1000, flush_secs=3600)
        else:
            import tensorboardX

            self._w = tensorboardX.SummaryWriter(
                logdir=str(run_dir), max_queue=1000, flush_secs=3600
            )
        self.skipped: list[tuple[str, int]] = []

    def histogram(self, tag: str, values: Any, step: int) -> None:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                self._w.add_histogram(tag, values, step, walltime=BASE_WALL_TIME + step)
        except ValueError:
            # No value inside the bucket range (all NaN, or all beyond +-1e20): both writers
            # raise here. A real script would crash; the scenario goes on without this datum.
            self.skipped.append((tag, step))

    def scalar(self, tag: str, value: float, step: int) -> None:
        self._w.add_scalar(tag, value, step, walltime=BASE_WALL_TIME + step)

    def close(self) -> None:
        self._w.close()


class _QuietNaN(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "NaN or Inf found" not in record.getMessage()


def _optimizer(cfg: TorchConfig, params: list[Any]) -> Any:
    import torch

    if cfg.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay
        )
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


def train_and_log(
    cfg: TorchConfig, logdir: str | Path, name: str, steps: int | None = None
) -> TorchRunResult:
    """Train one configuration and write it as the run ``logdir/name`` (replaced if present).

    Args:
        cfg: the configuration.
        logdir: parent directory, created if missing.
        name: the run directory's name.
        steps: logged steps (default ``cfg.steps``); small values make fast test fixtures.
    """
    import torch

    if steps is not None:
        cfg = cfg.replace(steps=steps)
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    root = Path(logdir)
    root.mkdir(parents=True, exist_ok=True)
    run_dir = fresh_run_dir(root, name)
    run_dir.mkdir(parents=True)
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    nan_filter = _QuietNaN()
    loggers = [logging.getLogger(n) for n in ("tensorboardX.x2num", "torch.utils.tensorboard")]
    for lg in loggers:
        lg.addFilter(nan_filter)
    writer = _Writer(cfg.writer, run_dir)
    try:
        setup = FAMILIES[cfg.family](cfg, gen)
        model = setup.model
        model.train()
        params = setup.params or [p for p in model.parameters() if p.requires_grad]
        optimizer = _optimizer(cfg, params)
        scheduler = (
            torch.optim.lr_scheduler.ExponentialLR(optimizer, cfg.lr_decay)
            if cfg.lr_decay != 1.0
            else None
        )
        modules = dict(model.named_modules())
        captured: dict[str, Any] = {}
        capturing = [False]

        def hook_for(module_name: str) -> Callable[..., None]:
            def hook(module: Any, inputs: Any, output: Any) -> None:
                if capturing[0]:
                    out = output[0] if isinstance(output, tuple) else output
                    captured[module_name] = out.detach()

            return hook

        handles = []
        if cfg.activations:
            handles = [modules[m].register_forward_hook(hook_for(m)) for m in setup.hooked]
        traces: dict[str, TagTrace] = {}
        losses: list[float] = []

        def log(tag: str, values: Any, step: int) -> None:
            # What add_histogram does with a tensor first (make_np): the same bytes either way.
            array = values.detach().cpu().numpy()
            traces.setdefault(tag, TagTrace()).add(step, array)
            writer.histogram(tag, array, step)

        n = setup.inputs.shape[0]
        for step in range(cfg.train_steps):
            if setup.inject is not None:
                setup.inject(model, step)
            logged = step % cfg.log_every == 0
            capturing[0] = logged
            captured.clear()
            idx = torch.randint(0, n, (cfg.batch_size,), generator=gen)
            out = model(setup.inputs[idx])
            loss = setup.loss(out, setup.targets[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            losses.append(float(loss.detach()))
            writer.scalar(cfg.loss_tag, losses[-1], step)
            if logged:
                for pname, p in model.named_parameters():
                    log(pname, p, step)
                if cfg.grad_tag:
                    for pname, p in model.named_parameters():
                        if p.grad is not None:
                            log(cfg.grad_tag.format(name=pname), p.grad, step)
                if cfg.buffers:
                    for bname, b in model.named_buffers():
                        if not bname.endswith("num_batches_tracked"):
                            log(bname, b, step)
                for mname in setup.hooked:
                    if mname in captured:
                        log(cfg.activations.format(name=mname), captured[mname], step)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        for handle in handles:
            handle.remove()
    finally:
        writer.close()
        for lg in loggers:
            lg.removeFilter(nan_filter)
        torch.set_num_threads(previous_threads)
    return TorchRunResult(name, run_dir, losses, traces, writer.skipped, cfg)


# --------------------------------------------------------------------------------------------
# Measuring what a run shows (the basis of the labels' facts)


def last_quarter(values: Iterable[float]) -> np.ndarray:
    """The last quarter (at least one) of a per-step series."""
    arr = np.asarray(list(values), dtype=np.float64)
    return arr[-max(1, len(arr) // 4) :]


def gradient_ratios(result: TorchRunResult, tags: list[str]) -> dict[str, float]:
    """Per tag: the median over logged steps of ``|g|`` of the last tag in ``tags`` divided by
    this tag's ``|g|`` (how many times smaller than the last layer's it is)."""
    last = result.traces[tags[-1]].array("mean_abs")
    out = {}
    for tag in tags:
        mine = result.traces[tag].array("mean_abs")
        n = min(len(mine), len(last))
        with np.errstate(divide="ignore", invalid="ignore"):
            out[tag] = float(np.nanmedian(last[:n] / mine[:n]))
    return out


def describe(result: TorchRunResult) -> str:
    """A multi-line account of a run's measured facts: loss, then one line per tag."""
    losses = np.asarray(result.losses)
    finite = losses[np.isfinite(losses)]
    lines = [
        result.summary(),
        f"  loss first10 {result.first_loss:.4g} last10 {result.last_loss:.4g} "
        f"max {np.nanmax(finite) if finite.size else math.nan:.3g}, "
        f"first non-finite at training step "
        f"{int(np.argmax(~np.isfinite(losses))) if not np.isfinite(losses).all() else None}",
    ]
    skipped: dict[str, list[int]] = {}
    for tag, step in result.skipped:
        skipped.setdefault(tag, []).append(step)
    for tag, tr in result.traces.items():
        ma, sd = tr.array("mean_abs"), tr.array("std")
        first = ma[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.nanmax(ma) / first if first > 0 else math.inf
        nonfinite_written = [
            s for s, n in zip(tr.steps, tr.nonfinite) if n and s not in skipped.get(tag, [])
        ]
        finite_count = np.asarray(tr.num) - np.asarray(tr.nonfinite)
        beyond = [s for s, k, f in zip(tr.steps, tr.in_range, finite_count) if k < f]
        zeros = last_quarter(tr.zero_fraction)
        lines.append(
            f"  {tag}: n {tr.num[0]}, |x| {first:.3g} -> {ma[-1]:.3g} (peak {np.nanmax(ma):.3g} "
            f"at step {tr.steps[int(np.nanargmax(ma))] if np.isfinite(ma).any() else None}, "
            f"x{growth:.3g}), std {sd[0]:.3g} -> {sd[-1]:.3g}, range [{np.nanmin(tr.min):.3g}, "
            f"{np.nanmax(tr.max):.3g}], exact-zero share last quarter "
            f"{np.nanmin(zeros) if np.isfinite(zeros).any() else math.nan:.3f}"
            f"-{np.nanmax(zeros) if np.isfinite(zeros).any() else math.nan:.3f}, "
            f"|x|>=0.99 share last {tr.saturated[-1]:.2f}, "
            f"unchanged steps {len(tr.changed) - 1 - sum(tr.changed)}/{len(tr.changed) - 1}, "
            f"one value at every step {all(tr.distinct_le_1)} (at step 0 {tr.distinct_le_1[0]}), "
            f"up to rounding {all(tr.near_constant)}"
            + (f", non-finite written at {nonfinite_written}" if nonfinite_written else "")
            + (
                f", refused at {len(skipped[tag])} steps from {skipped[tag][0]}"
                if tag in skipped
                else ""
            )
            + (f", beyond +-1e20 at {len(beyond)} steps from {beyond[0]}" if beyond else "")
        )
    return "\n".join(lines)
