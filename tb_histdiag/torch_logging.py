"""Log what the Diagnostics tab reads from a PyTorch model in one call: ``log_histograms``.

Call it in the training loop after ``loss.backward()`` and before ``optimizer.zero_grad()``::

    from torch.utils.tensorboard import SummaryWriter
    from tb_histdiag.torch_logging import log_histograms

    writer = SummaryWriter("runs/exp1")
    probe = x_train[:256]                        # a fixed batch, the same at every call
    for step, (x, y) in enumerate(loader):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        if step % 50 == 0:
            log_histograms(writer, model, step, probe=probe)
        optimizer.step()

It writes, under names the role parser reads without configuration:

* every parameter and floating-point buffer as ``<name>`` (``fc1.weight``, ``bn1.running_var``);
* the gradient the last ``backward()`` left on each parameter as ``<name>.grad``;
* with ``probe``, the outputs of the layers on that batch, from forward hooks, in eval mode and
  without gradients (the model's state, its train/eval flags included, is left as it was). A
  weight layer's output is ``<layer>/preactivations`` (``x @ W + b``); the activation module
  that follows it (``nn.ReLU``, ``nn.Tanh``, ...) is logged as ``<layer>/activations``; the
  model's own output is ``<layer>/logits``, or ``<layer>/predictions`` after a softmax/sigmoid;
  the hidden states of an ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (their own tanh applied) are
  ``<layer>/activations``.
  Activation functions called as functions (``F.relu``) have no module to hook: their layer's
  pre-activations are still logged.

A tensor with no finite value (torch's ``add_histogram`` refuses it) is written as one bucket
of NaN, so the diagnosis says where the NaN started instead of the layer vanishing from the
logs. Works with ``torch.utils.tensorboard.SummaryWriter`` and ``tensorboardX.SummaryWriter``.
PyTorch is imported here only: ``tb_histdiag`` does not depend on it.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

try:
    import torch
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "tb_histdiag.torch_logging needs PyTorch (pip install torch); "
        "tb_histdiag itself does not depend on it"
    ) from e

from tb_histdiag.engine.roles import role_of

__all__ = ["log_histograms"]

#: Modules that apply an activation function and hold no weights of a layer.
_ACTIVATIONS = tuple(
    getattr(torch.nn, name)
    for name in (
        "ReLU",
        "ReLU6",
        "LeakyReLU",
        "PReLU",
        "RReLU",
        "ELU",
        "SELU",
        "CELU",
        "GELU",
        "SiLU",
        "Mish",
        "Softplus",
        "Tanh",
        "Hardtanh",
        "Sigmoid",
        "Hardsigmoid",
        "Hardswish",
        "LogSigmoid",
        "Tanhshrink",
        "Softsign",
        "Softmax",
        "LogSoftmax",
    )
    if hasattr(torch.nn, name)
)
_PROBABILITIES = (torch.nn.Softmax, torch.nn.Sigmoid)
#: Normalisation modules: their output is not logged (their scale and shift are).
_NORMS = (
    torch.nn.modules.batchnorm._NormBase,
    *(
        getattr(torch.nn, name)
        for name in ("LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm")
        if hasattr(torch.nn, name)
    ),
)


def log_histograms(
    writer: Any,
    model: torch.nn.Module,
    step: int,
    probe: Any = None,
    *,
    parameters: bool = True,
    gradients: bool = True,
    activations: bool = True,
) -> list[str]:
    """Write ``model``'s parameter, gradient and (with ``probe``) activation histograms at
    ``step`` to ``writer`` (a ``SummaryWriter``); returns the tags written, in order.

    ``probe`` is what ``model`` is called with: a tensor, a tuple of positional arguments or a
    mapping of keyword arguments. Keep it the same batch at every call, so that a change in the
    activations is a change of the model, not of the data.
    """
    written: list[str] = []

    def add(tag: str, values: torch.Tensor) -> None:
        if values.numel():
            _add_histogram(writer, tag, values, step)
            written.append(tag)

    names = _tensor_names(model)
    if parameters:
        for name, p in model.named_parameters():
            add(names.get(name, name), p)
        for name, b in model.named_buffers():
            if b.is_floating_point():
                add(names.get(name, name), b)
    if gradients:
        for name, p in model.named_parameters():
            if p.grad is not None:
                add(f"{names.get(name, name)}.grad", p.grad)
    if activations and probe is not None:
        for tag, values in layer_outputs(model, probe):
            add(tag, values)
    return written


def _tensor_names(model: torch.nn.Module) -> dict[str, str]:
    """Tags for the parameters and buffers of normalisation modules whose name does not say so
    (``1.weight`` of a BatchNorm in a ``Sequential`` → ``1.BatchNorm1d.weight``), so that their
    scale and shift are not read as a layer's weights; every other tensor keeps its name."""
    out = {}
    for module_name, module in model.named_modules():
        if not isinstance(module, _NORMS) or role_of(f"{module_name}.weight") == "norm_scale":
            continue
        renamed = ".".join(p for p in (module_name, type(module).__name__) if p)
        for own, _ in (
            *module.named_parameters(recurse=False),
            *module.named_buffers(recurse=False),
        ):
            out[".".join(p for p in (module_name, own) if p)] = f"{renamed}.{own}"
    return out


def layer_outputs(model: torch.nn.Module, probe: Any) -> list[tuple[str, torch.Tensor]]:
    """The layers' outputs on ``probe``, named as :func:`log_histograms` writes them."""
    calls: list[tuple[str, torch.nn.Module, torch.Tensor, torch.Tensor]] = []
    leaves = [(n, m) for n, m in model.named_modules() if not list(m.children())]

    def hook(name: str):
        def record(module, _inputs, output):
            tensor = _first_tensor(output)
            if tensor is not None and tensor.is_floating_point():
                # a copy: an in-place activation after this module would overwrite the values
                calls.append((name, module, tensor, tensor.detach().clone()))

        return record

    with _eval_mode(model), torch.no_grad(), _hooks(leaves, hook):
        if isinstance(probe, Mapping):
            result = model(**probe)
        elif isinstance(probe, (tuple, list)):
            result = model(*probe)
        else:
            result = model(probe)
    return _name_outputs(calls, _first_tensor(result))


def _name_outputs(
    calls: Sequence[tuple[str, torch.nn.Module, torch.Tensor, torch.Tensor]],
    final: torch.Tensor | None,
) -> list[tuple[str, torch.Tensor]]:
    """Name each recorded output after the weight layer it belongs to (see the module doc)."""
    out: dict[str, torch.Tensor] = {}
    owner: str | None = None  # the last weight layer called
    for name, module, returned, tensor in calls:
        is_final = returned is final
        if isinstance(module, _ACTIVATIONS):
            layer = owner or name
            if is_final and isinstance(module, _PROBABILITIES):
                kind = "predictions"
            else:
                kind = "activations"
            out.setdefault(f"{layer}/{kind}", tensor)
        elif isinstance(module, _NORMS):
            continue
        elif isinstance(module, torch.nn.RNNBase):
            # The hidden states an RNN, LSTM or GRU returns went through its own tanh.
            owner = name
            out.setdefault(f"{name}/activations", tensor)
        elif any(True for _ in module.parameters(recurse=False)):
            owner = name
            kind = "logits" if is_final else "preactivations"
            out.setdefault(f"{name}/{kind}", tensor)
    return list(out.items())


def _first_tensor(output: Any) -> torch.Tensor | None:
    """The tensor a module returned, or the first of a tuple (an LSTM's output sequence)."""
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    return None


@contextlib.contextmanager
def _eval_mode(model: torch.nn.Module) -> Iterator[None]:
    """Eval mode for the probe (no dropout, no running-statistics update), each module's own
    flag restored afterwards."""
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for m, training in flags:
            m.training = training


@contextlib.contextmanager
def _hooks(leaves, hook) -> Iterator[None]:
    handles = [m.register_forward_hook(hook(name)) for name, m in leaves]
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def _add_histogram(writer: Any, tag: str, values: torch.Tensor, step: int) -> None:
    values = values.detach()
    if bool(torch.isfinite(values).any()):
        writer.add_histogram(tag, values.float().cpu(), step)
        return
    # torch refuses a histogram without a finite value; one bucket of NaN keeps the tag and
    # shows where the values stopped being numbers.
    n = float(values.numel())
    nan = math.nan
    writer.add_histogram_raw(
        tag, nan, nan, n, nan, nan, bucket_limits=[nan], bucket_counts=[n], global_step=step
    )
