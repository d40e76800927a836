"""Real on-disk writers for the scenario logdirs, and the tag names each one uses.

Two formats, both written by the writers users actually run, so the bytes on disk are genuine:

``legacy``
    tensorboardX ``SummaryWriter.add_histogram`` / ``add_scalar``: the legacy ``HistogramProto``
    that PyTorch's ``torch.utils.tensorboard`` also writes (exponential bucket limits around 0,
    min/max as the outer edges). Tags follow PyTorch habits, a model with modules ``fc1..fcN``
    logged in a ``named_parameters()`` loop plus forward hooks:

    ====================  ==================  ===============
    tag                   what                parser role
    ====================  ==================  ===============
    ``fc1.weight``        weight              weight
    ``fc1.bias``          bias                bias
    ``preactivations/fc1``  ``x @ W + b``     preactivation
    ``activations/fc1``   layer output        activation
    ``grad/fc1.weight``   weight gradient     gradient
    ``grad/fc1.bias``     bias gradient       gradient
    ====================  ==================  ===============

``tf2``
    TensorBoard's own numpy writer of the TF2 histogram summary (``histogram_pb`` + the
    ``EventFileWriter``), byte-compatible with ``tf.summary.histogram`` (30 equal-width buckets
    between the step's min and max) without TensorFlow. Tags follow Keras: layers ``dense``,
    ``dense_1``, ``dense_2``, ...; weights as Keras' TensorBoard callback names them:

    ===============================  ==================  ===============
    tag                              what                parser role
    ===============================  ==================  ===============
    ``dense/kernel_0``               weight              weight
    ``dense/bias_0``                 bias                bias
    ``dense/preactivation``          ``x @ W + b``       preactivation
    ``dense/activation``             layer output        activation
    ``dense/kernel_0/gradient``      weight gradient     gradient
    ``dense/bias_0/gradient``        bias gradient       gradient
    ===============================  ==================  ===============

``keras``
    The ``tf2`` writer and names, but only what Keras' ``TensorBoard(histogram_freq=1)``
    callback logs: the weights and biases of each layer (no activations, no gradients).

Convolutional networks (``TrainConfig.conv``) name their conv layers ``conv1, conv2, ...`` in
the legacy format (``conv1.weight``, ``preactivations/conv1``, ``grad/conv1.bias`` ...; the dense
layers after them are still ``fc1, fc2, ...``) and ``conv1d, conv1d_1, ...`` in the tf2/keras
formats (``conv1d/kernel_0``, ``conv1d_1/bias_0/gradient`` ...; then ``dense, dense_1, ...``),
as PyTorch modules and Keras ``Conv1D`` layers are named.

Notes for a tag parser: a gradient tag also contains ``weight``/``kernel``/``bias`` (the
gradient word must win), and ``preactivations/fc1`` contains ``activation`` (``preactivation``
must win). The output layer is linear, so it has no preactivation tag and its activation is the
logits. Both formats also log the scalars ``loss`` and ``accuracy``.

Wall times are synthetic (``BASE_WALL_TIME + step`` seconds) so two generations write the same
events; only the event file names (host name, creation time) differ.
"""

from __future__ import annotations

import logging
import shutil
import warnings
from pathlib import Path
from typing import Protocol

import numpy as np

LEGACY = "legacy"
TF2 = "tf2"
KERAS = "keras"
FORMATS = (LEGACY, TF2, KERAS)

#: The kinds of histogram each scenario logs per layer, in writing order.
KINDS = ("weight", "bias", "preactivation", "activation", "weight_grad", "bias_grad")

#: The role a tag parser should assign to each kind.
KIND_ROLE = {
    "weight": "weight",
    "bias": "bias",
    "preactivation": "preactivation",
    "activation": "activation",
    "weight_grad": "gradient",
    "bias_grad": "gradient",
}

#: 2023-11-14T22:13:20Z; any fixed value would do, it only has to be the same every time.
BASE_WALL_TIME = 1_700_000_000.0


def layer_name(fmt: str, index: int, n_conv: int = 0) -> str:
    """The layer's name in a format: ``fc1, fc2, ...`` (legacy) or ``dense, dense_1, ...``
    (tf2/keras); the first ``n_conv`` layers are ``conv1, conv2, ...`` (legacy) or ``conv1d,
    conv1d_1, ...`` (tf2/keras) and the dense layers are numbered after them from 1 / 0."""
    _check_format(fmt)
    conv = index < n_conv
    number = index if conv else index - n_conv
    if fmt == LEGACY:
        return f"{'conv' if conv else 'fc'}{number + 1}"
    stem = "conv1d" if conv else "dense"
    return stem if number == 0 else f"{stem}_{number}"


def tag_name(fmt: str, kind: str, index: int, n_conv: int = 0) -> str:
    """The tag under which a format logs ``kind`` (one of :data:`KINDS`) of layer ``index``
    (the first ``n_conv`` layers are convolutions)."""
    name = layer_name(fmt, index, n_conv)
    if fmt == LEGACY:
        templates = {
            "weight": "{0}.weight",
            "bias": "{0}.bias",
            "preactivation": "preactivations/{0}",
            "activation": "activations/{0}",
            "weight_grad": "grad/{0}.weight",
            "bias_grad": "grad/{0}.bias",
        }
    else:
        templates = {
            "weight": "{0}/kernel_0",
            "bias": "{0}/bias_0",
            "preactivation": "{0}/preactivation",
            "activation": "{0}/activation",
            "weight_grad": "{0}/kernel_0/gradient",
            "bias_grad": "{0}/bias_0/gradient",
        }
    if kind not in templates:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    return templates[kind].format(name)


def layer_kinds(index: int, n_layers: int, fmt: str | None = None) -> tuple[str, ...]:
    """Kinds logged for layer ``index``: the linear output layer has no separate preactivation,
    and the ``keras`` format logs weights and biases only."""
    if fmt == KERAS:
        return ("weight", "bias")
    if index == n_layers - 1:
        return tuple(k for k in KINDS if k != "preactivation")
    return KINDS


def tag_table(fmt: str, n_layers: int, n_conv: int = 0) -> dict[str, tuple[int, str, str]]:
    """Every histogram tag of a run: ``tag -> (layer index, layer name, parser role)``."""
    return {
        tag_name(fmt, kind, i, n_conv): (i, layer_name(fmt, i, n_conv), KIND_ROLE[kind])
        for i in range(n_layers)
        for kind in layer_kinds(i, n_layers, fmt)
    }


class SummaryWriterLike(Protocol):
    """What the scenario runner needs from a writer."""

    skipped: list[tuple[str, int]]

    def histogram(self, tag: str, values: np.ndarray, step: int) -> None: ...

    def scalar(self, tag: str, value: float, step: int) -> None: ...

    def close(self) -> None: ...


class _DropMessage(logging.Filter):
    """Hides one expected, repeated log message (tensorboardX warns on every NaN histogram)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


class LegacyWriter:
    """tensorboardX ``SummaryWriter`` (legacy ``HistogramProto``, as PyTorch writes it)."""

    def __init__(self, run_dir: str | Path):
        require(LEGACY)
        from tensorboardX import SummaryWriter

        # A large queue: the writer thread then writes in big batches instead of per event.
        self._writer = SummaryWriter(logdir=str(run_dir), max_queue=1000, flush_secs=3600)
        self.skipped: list[tuple[str, int]] = []
        # The NaN scenario writes NaN on purpose; one warning per histogram would drown the CLI.
        self._nan_filter = _DropMessage("NaN or Inf found in input tensor")
        self._nan_logger = logging.getLogger("tensorboardX.x2num")
        self._nan_logger.addFilter(self._nan_filter)

    def histogram(self, tag: str, values: np.ndarray, step: int) -> None:
        """Write one histogram; arrays with no finite value are skipped and remembered.

        tensorboardX (like torch) raises ``ValueError`` when no value falls into its buckets (an
        all-NaN or all-Inf array); a real training script would crash there. Recording the skip
        keeps the scenario going, and the tag simply has no datum at that step.
        """
        try:
            with np.errstate(all="ignore"):
                self._writer.add_histogram(
                    tag, np.asarray(values, dtype=np.float64), step, walltime=_wall(step)
                )
        except ValueError:
            if np.isfinite(values).any():
                raise
            self.skipped.append((tag, step))

    def scalar(self, tag: str, value: float, step: int) -> None:
        """Write one scalar (NaN is written as is)."""
        self._writer.add_scalar(tag, float(value), step, walltime=_wall(step))

    def close(self) -> None:
        """Flush and close the event file."""
        self._writer.close()
        self._nan_logger.removeFilter(self._nan_filter)


class TF2Writer:
    """TensorBoard's numpy TF2 summary writer (tensor summaries, no TensorFlow)."""

    def __init__(self, run_dir: str | Path):
        from tensorboard.compat.proto import event_pb2
        from tensorboard.plugins.histogram.summary_v2 import histogram_pb
        from tensorboard.plugins.scalar.summary_v2 import scalar_pb
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        self._event = event_pb2.Event
        self._histogram_pb = histogram_pb
        self._scalar_pb = scalar_pb
        self._writer = EventFileWriter(str(run_dir), max_queue_size=1000, flush_secs=3600)
        # Nothing is ever skipped: histogram_pb accepts NaN/Inf (it writes NaN edges).
        self.skipped: list[tuple[str, int]] = []

    def histogram(self, tag: str, values: np.ndarray, step: int) -> None:
        """Write one histogram (30 equal-width buckets, like ``tf.summary.histogram``)."""
        # histogram_pb computes NaN edges for non-finite data and warns about the casts; the NaN
        # scenario wants exactly those NaN edges, so the warnings are noise.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            summary = self._histogram_pb(tag, np.asarray(values, dtype=np.float64))
        self._writer.add_event(self._event(step=step, wall_time=_wall(step), summary=summary))

    def scalar(self, tag: str, value: float, step: int) -> None:
        """Write one scalar as a TF2 tensor summary of the scalars plugin."""
        summary = self._scalar_pb(tag, float(value))
        self._writer.add_event(self._event(step=step, wall_time=_wall(step), summary=summary))

    def close(self) -> None:
        """Flush and close the event file."""
        self._writer.close()


def require(fmt: str) -> None:
    """Raise ``RuntimeError`` with an install hint if the writer of ``fmt`` is not importable."""
    _check_format(fmt)
    if fmt == LEGACY:
        try:
            import tensorboardX  # noqa: F401  (only checking that it is there)
        except ImportError as err:
            raise RuntimeError(
                "tensorboardX is needed for the legacy format: pip install tensorboardX"
            ) from err


def open_writer(fmt: str, run_dir: str | Path) -> SummaryWriterLike:
    """A writer of format ``fmt`` (``legacy`` or ``tf2``) for one run directory.

    The directory is created if needed. The writer has ``histogram(tag, values, step)``,
    ``scalar(tag, value, step)``, ``close()`` and ``skipped`` (``(tag, step)`` pairs it could not
    write).
    """
    require(fmt)
    Path(run_dir).mkdir(parents=True, exist_ok=True)
    return LegacyWriter(run_dir) if fmt == LEGACY else TF2Writer(run_dir)


def _wall(step: int) -> float:
    return BASE_WALL_TIME + float(step)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")


def fresh_run_dir(logdir: Path, name: str) -> Path:
    """``logdir/name``, removed first if it exists; never touches anything outside ``logdir``."""
    if name in ("", ".", "..") or Path(name).name != name:
        raise ValueError(f"run name {name!r} must be a plain directory name")
    run_dir = logdir / name
    # A symlink is removed as a link: following it could delete a directory outside logdir.
    if run_dir.is_symlink() or run_dir.is_file():
        run_dir.unlink()
    elif run_dir.is_dir():
        shutil.rmtree(run_dir)
    return run_dir
