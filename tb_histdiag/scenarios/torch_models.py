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
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .torch_families import FAMILIES

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
