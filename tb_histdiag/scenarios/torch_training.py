"""Training and logging one PyTorch corpus run: :func:`train_and_log` builds the family's model
(:data:`.torch_families.FAMILIES`), trains it with ``torch.optim`` and logs it with torch's or
tensorboardX's ``SummaryWriter`` as :mod:`.torch_models` describes, keeping a
:class:`~.torch_models.TagTrace` of every logged tensor.

torch is imported lazily, inside the functions: the package does not depend on it.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .torch_families import FAMILIES
from .torch_models import TagTrace, TorchConfig, TorchRunResult
from .writers import BASE_WALL_TIME, fresh_run_dir


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
