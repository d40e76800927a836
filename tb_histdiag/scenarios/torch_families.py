"""The PyTorch corpus's families: per family, a builder of its model, its training data and its
loss from a :class:`~.torch_models.Any` (typed ``Any`` here: this module comes before
the one that trains and logs), in :data:`FAMILIES`.

torch is imported lazily, inside the functions: the package does not depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .torch_datasets import glyph_images, majority_tokens, progressions, regression, spirals


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


def _bn_cnn(cfg: Any, gen: Any) -> Setup:
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

    x, y = glyph_images(2048, gen)
    return Setup(Net(), x, y, _cross_entropy, tuple(f"act{i}" for i in range(1, blocks + 1)))


def _resmlp_ln(cfg: Any, gen: Any) -> Setup:
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

    x, y = spirals(1536, cfg.seed)
    return Setup(Net(), x, y, _cross_entropy, tuple(f"blocks.{i}.act" for i in range(depth)))


def _transformer(cfg: Any, gen: Any) -> Setup:
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

    x, y = majority_tokens(2048, gen, length, vocab)
    return Setup(Net(), x, y, _cross_entropy)


def _lstm(cfg: Any, gen: Any) -> Setup:
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

    x, y = progressions(2048, gen, 10, vocab)
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


def _finetune(cfg: Any, gen: Any) -> Setup:
    """A backbone MLP pre-trained (not logged) on the spirals, then frozen; a new head learns."""
    import torch
    from torch import nn

    width = cfg.opt("width", 64)
    x, y = spirals(1536, cfg.seed)

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


def _deep_sigmoid(cfg: Any, gen: Any) -> Setup:
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
    x, y = spirals(1536, cfg.seed)
    return Setup(model, x, y, _cross_entropy, tuple(f"net.{2 * i + 1}" for i in range(depth - 1)))


def _deep_tanh(cfg: Any, gen: Any) -> Setup:
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
    x, y = spirals(1536, cfg.seed)
    return Setup(model, x, y, _cross_entropy, tuple(f"layers.{i}" for i in range(depth - 1)))


def _mlp_family(activation: str, task: str) -> Callable[[Any, Any], Setup]:
    """An MLP ``fc1 .. fcN`` on the spirals (classification) or a regression (MSE)."""

    def build(cfg: Any, gen: Any) -> Setup:
        import torch
        from torch import nn

        hidden = tuple(cfg.opt("hidden", (32, 32, 32)))
        if task == "regression":
            x, y = regression(2048, gen, 8)
            sizes, loss = (8, *hidden, 1), _mse
        else:
            x, y = spirals(1536, cfg.seed)
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


def _linear_regression(cfg: Any, gen: Any) -> Setup:
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


def _linear_images(cfg: Any, gen: Any) -> Setup:
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

    x, y = glyph_images(2048, gen, border=cfg.opt("border", 1))
    return Setup(Net(), x, F.one_hot(y, 4).float(), _mse)


#: Family name -> builder of its model, data and loss.
FAMILIES: dict[str, Callable[[Any, Any], Setup]] = {
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
