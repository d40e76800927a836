"""Small numpy networks trained with real backpropagation, for the demo and test logdirs.

Nothing here is faked: the histograms the scenarios write are the weights, biases, activations and
gradients of a real network learning a real (synthetic) task, so the diagnostics see what a user's
training would produce, including its numerical quirks.

Two networks and tasks:

* an MLP on three interleaved 2-D spirals embedded into ``input_dim`` dimensions (the two spiral
  coordinates plus low-variance noise dimensions, mixed by a fixed random rotation), so every
  input feature carries signal and a linear model cannot solve it: the hidden layers have to
  learn;
* a 1-D convolutional network (``conv`` channels, then the dense ``hidden`` layers) on noisy
  signals that carry one of three class motifs at a random position (a falling step, a rising
  step, an oscillation: same energy, zero mean), so the class is a *local shape* anywhere in the
  signal: what shared convolution filters detect and a dense layer on the raw signal does not.

Layout follows Keras: a dense layer's weight (kernel) is ``[fan_in, fan_out]``, a ``Conv1D``
kernel ``[kernel_size, in_channels, out_channels]`` (valid padding, stride 1, channels last), a
bias ``[fan_out]`` / ``[out_channels]``. The convolution is an im2col matrix product. Everything
is float64 and seeded, so a configuration always produces the same numbers on one machine (BLAS
may differ in the last bits between machines).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .optimizers import SGD, Adam
from .tasks import make_motifs, make_spirals

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
INITS = ("default", "glorot", "normal", "constant")
OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines one training run.

    Attributes:
        hidden: widths of the hidden dense layers; the MLP is ``input_dim -> *hidden -> classes``.
        conv: output channels of 1-D convolution layers placed before the dense layers (empty:
            an MLP on the spirals). With conv layers the task is the motif signals
            (:func:`make_motifs`, ``signal_length`` samples, one channel) and ``input_dim`` is
            not used; the last conv output is flattened into the first dense layer.
        kernel_size: width of every convolution kernel.
        signal_length: samples per signal of the motif task.
        activation: nonlinearity of every hidden layer (``relu``, ``tanh``, ``sigmoid``,
            ``linear``); the output layer is always linear (logits, softmax in the loss).
        init: ``default`` (PyTorch ``nn.Linear``: weight and bias ``U(+-1/sqrt(fan_in))``),
            ``glorot`` (Keras ``Dense``: Glorot-uniform weight, zero bias), ``normal``
            (weight ``N(0, init_scale^2)``, zero bias) or ``constant`` (every weight equals
            ``init_scale``, biases 0: symmetry is never broken).
        init_scale: the constant of ``constant``, the standard deviation of ``normal``.
        bias_init: if set, every hidden-layer bias starts at this value instead (e.g. a negative
            value kills ReLUs).
        optimizer: ``sgd`` (with optional ``momentum``) or ``adam``.
        lr: learning rate; 0 means nothing is ever updated.
        weight_decay: decoupled weight decay (as in AdamW): after every update the trainable
            weights (not the biases) are multiplied by ``1 - lr * weight_decay``.
        frozen: 0-based indices of layers whose parameters are never updated. Their gradients are
            still computed and reported, as with ``requires_grad`` on but no optimizer entry.
        frozen_weights: 0-based indices of layers whose weights (kernels) are never updated while
            their biases are (an optimizer built from the biases only); negative indices count
            from the output layer.
        steps: number of *logged* steps by default; training runs ``steps * log_every`` updates.
        log_every: training steps between two logged steps.
        batch_size, n_samples, input_dim, classes: the task.
        nan_at: fraction of the run (0..1) after which ``nan_count`` weights of layer
            ``nan_layer`` become NaN (simulating a corrupted update), placed on the first logged
            step at or after that point so the NaN itself is logged; None disables it.
        seed: seeds the data, the initialisation and the batch order.
    """

    hidden: tuple[int, ...] = (32, 32, 32)
    conv: tuple[int, ...] = ()
    kernel_size: int = 5
    signal_length: int = 32
    activation: str = "relu"
    init: str = "default"
    init_scale: float = 0.5
    bias_init: float | None = None
    optimizer: str = "adam"
    lr: float = 0.01
    momentum: float = 0.0
    weight_decay: float = 0.0
    frozen: tuple[int, ...] = ()
    frozen_weights: tuple[int, ...] = ()
    steps: int = 100
    log_every: int = 3
    batch_size: int = 128
    n_samples: int = 1536
    input_dim: int = 10
    classes: int = 3
    nan_at: float | None = None
    nan_layer: int = 1
    nan_count: int = 3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.steps < 1 or self.log_every < 1:
            raise ValueError("steps and log_every must be at least 1")
        if self.conv and self.signal_length - len(self.conv) * (self.kernel_size - 1) < 1:
            raise ValueError("signal_length is too short for the convolution layers")

    @property
    def sizes(self) -> tuple[int, ...]:
        """Dense layer widths from input to output, e.g. ``(10, 32, 32, 32, 3)``; for a conv net
        the first entry is the flattened size of the last conv output."""
        if self.conv:
            length = self.signal_length - len(self.conv) * (self.kernel_size - 1)
            return (length * self.conv[-1], *self.hidden, self.classes)
        return (self.input_dim, *self.hidden, self.classes)

    @property
    def n_conv(self) -> int:
        """Number of convolution layers (they come first)."""
        return len(self.conv)

    @property
    def n_layers(self) -> int:
        """Number of weight layers (conv layers, hidden dense layers and the output layer)."""
        return len(self.conv) + len(self.hidden) + 1

    def replace(self, **changes: object) -> TrainConfig:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class LayerRecord:
    """One layer's arrays at one logged step (copies, safe to keep).

    ``weight`` and ``bias`` are the values the forward pass of this step used (before this step's
    update); ``preactivation`` and ``activation`` are that forward pass on the step's batch
    (``[batch, fan_out]``; for the linear output layer both are the logits); ``weight_grad`` and
    ``bias_grad`` are the gradients of the batch loss.
    """

    weight: np.ndarray
    bias: np.ndarray
    preactivation: np.ndarray
    activation: np.ndarray
    weight_grad: np.ndarray
    bias_grad: np.ndarray


@dataclass(frozen=True)
class StepRecord:
    """What one logged step reports: the training step, batch loss and accuracy, every layer."""

    step: int
    loss: float
    accuracy: float
    layers: tuple[LayerRecord, ...]


def make_data(config: TrainConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The task of a configuration: motif signals for a conv net, spirals for an MLP."""
    if config.conv:
        return make_motifs(config.n_samples, config.signal_length, config.classes, rng)
    return make_spirals(config.n_samples, config.input_dim, config.classes, rng)


def param_shapes(config: TrainConfig) -> list[tuple[tuple[int, ...], int, int]]:
    """Per layer: the weight's shape, its fan-in and its fan-out (as the frameworks count them:
    a conv kernel's fans are ``kernel_size`` times its in/out channels)."""
    out: list[tuple[tuple[int, ...], int, int]] = []
    channels = 1
    k = config.kernel_size
    for width in config.conv:
        out.append(((k, channels, width), k * channels, k * width))
        channels = width
    sizes = config.sizes
    out.extend(((a, b), a, b) for a, b in zip(sizes[:-1], sizes[1:]))
    return out


def init_params(
    config: TrainConfig, rng: np.random.Generator
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Initial weights (``[fan_in, fan_out]``, conv ``[k, in, out]``) and biases of every layer."""
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    for index, (shape, fan_in, fan_out) in enumerate(param_shapes(config)):
        units = shape[-1]
        if config.init == "default":
            bound = 1.0 / np.sqrt(fan_in)
            w = rng.uniform(-bound, bound, shape)
            b = rng.uniform(-bound, bound, units)
        elif config.init == "glorot":
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            w = rng.uniform(-bound, bound, shape)
            b = np.zeros(units)
        elif config.init == "normal":
            w = rng.normal(0.0, config.init_scale, shape)
            b = np.zeros(units)
        else:  # constant
            w = np.full(shape, config.init_scale)
            b = np.zeros(units)
        if config.bias_init is not None and index < config.n_layers - 1:
            b = np.full(units, config.bias_init)
        weights.append(w)
        biases.append(b)
    return weights, biases


def _activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        # The clip keeps exp() from overflowing; sigmoid is exactly 0/1 in float64 long before.
        return 1.0 / (1.0 + np.exp(-np.clip(z, -700.0, 700.0)))
    return z


def _activation_grad(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Derivative of the activation at ``z`` (``a`` is its output, reused where cheaper)."""
    if name == "relu":
        return (z > 0.0).astype(z.dtype)
    if name == "tanh":
        return 1.0 - a * a
    if name == "sigmoid":
        return a * (1.0 - a)
    return np.ones_like(z)


def _softmax_xent(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray, float]:
    """Mean cross-entropy, its gradient w.r.t. the logits, and the accuracy."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(labels.size)
    loss = float(-log_probs[rows, labels].mean())
    grad = np.exp(log_probs)
    grad[rows, labels] -= 1.0
    grad /= labels.size
    accuracy = float((logits.argmax(axis=1) == labels).mean())
    return loss, grad, accuracy


@dataclass(frozen=True)
class Pass:
    """One forward and backward pass over a batch (see :func:`forward_backward`)."""

    loss: float
    accuracy: float
    preactivations: tuple[np.ndarray, ...]
    activations: tuple[np.ndarray, ...]
    weight_grads: tuple[np.ndarray, ...]
    bias_grads: tuple[np.ndarray, ...]


def _windows(h: np.ndarray, k: int) -> np.ndarray:
    """im2col of a channels-last batch ``[B, L, C]``: ``[B, L - k + 1, k, C]`` (a view)."""
    return np.lib.stride_tricks.sliding_window_view(h, k, axis=1).transpose(0, 1, 3, 2)


def forward_backward(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    activation: str,
) -> Pass:
    """Mean softmax cross-entropy of a batch and its exact gradients by backpropagation.

    A 3-D weight ``[k, in, out]`` is a 1-D convolution (valid padding, stride 1) over a
    channels-last input ``[B, L, in]``; a 2-D weight is a dense layer (a 3-D input is flattened
    first). Hidden layers use ``activation``, the last layer is linear (logits). Returns per layer
    the pre-activations, activations (for the last layer both are the logits) and the gradients
    of the loss w.r.t. every weight and bias.
    """
    n_layers = len(weights)
    # Overflow and NaN are part of the failure scenarios, so numpy stays quiet about them.
    with np.errstate(all="ignore"):
        inputs: list[np.ndarray] = []  # what each layer's matrix product consumed
        shapes: list[tuple[int, ...]] = []  # the shape of each layer's input before that
        pre: list[np.ndarray] = []
        post: list[np.ndarray] = []
        h = x
        for i in range(n_layers):
            w = weights[i]
            shapes.append(h.shape)
            if w.ndim == 3:
                k, c_in, c_out = w.shape
                cols = _windows(h, k)
                inputs.append(cols.reshape(-1, k * c_in))
                z = (inputs[-1] @ w.reshape(k * c_in, c_out)).reshape(
                    h.shape[0], cols.shape[1], c_out
                ) + biases[i]
            else:
                inputs.append(h.reshape(h.shape[0], -1))
                z = inputs[-1] @ w + biases[i]
            h = _activate(activation, z) if i < n_layers - 1 else z
            pre.append(z)
            post.append(h)
        loss, delta, accuracy = _softmax_xent(h, y)

        # Backward; delta is dLoss/dz of layer i (in the shape of z).
        w_grads: list[np.ndarray] = [np.empty(0)] * n_layers
        b_grads: list[np.ndarray] = [np.empty(0)] * n_layers
        for i in range(n_layers - 1, -1, -1):
            w = weights[i]
            flat = delta.reshape(-1, w.shape[-1])
            w_grads[i] = (inputs[i].T @ flat).reshape(w.shape)
            b_grads[i] = flat.sum(axis=0)
            if i == 0:
                break
            if w.ndim == 3:
                k, c_in, _ = w.shape
                length = delta.shape[1]
                d_cols = (flat @ w.reshape(k * c_in, -1).T).reshape(-1, length, k, c_in)
                d_in = np.zeros(shapes[i])
                for j in range(k):
                    d_in[:, j : j + length, :] += d_cols[:, :, j, :]
            else:
                d_in = (delta @ w.T).reshape(shapes[i])
            delta = d_in * _activation_grad(activation, pre[i - 1], post[i - 1])
    return Pass(loss, accuracy, tuple(pre), tuple(post), tuple(w_grads), tuple(b_grads))


def train(config: TrainConfig, steps: int | None = None) -> Iterator[StepRecord]:
    """Train the network and yield a :class:`StepRecord` at every logged step.

    Args:
        config: the run's configuration.
        steps: number of logged steps (default ``config.steps``); training performs
            ``steps * config.log_every`` updates and logs training steps ``0, log_every, ...``.

    Every record holds copies, so callers may keep them. Parameters of ``config.frozen`` layers
    are never changed, nor the weights of ``config.frozen_weights`` layers; a learning rate of 0
    changes nothing at all.
    """
    n_logged = config.steps if steps is None else steps
    if n_logged < 1:
        raise ValueError("steps must be at least 1")
    rng = np.random.default_rng(config.seed)
    x_all, y_all = make_data(config, rng)
    weights, biases = init_params(config, rng)
    n_layers = config.n_layers
    frozen = {i % n_layers for i in config.frozen}
    trainable = [i for i in range(n_layers) if i not in frozen]
    bias_only = {i % n_layers for i in config.frozen_weights}
    weight_trainable = [i for i in trainable if i not in bias_only]
    optimizer: Adam | SGD = (
        Adam(config.lr) if config.optimizer == "adam" else SGD(config.lr, config.momentum)
    )
    nan_step = -1
    if config.nan_at is not None:
        nan_step = int(np.ceil(config.nan_at * (n_logged - 1))) * config.log_every
    batch = min(config.batch_size, y_all.size)
    order = rng.permutation(y_all.size)
    cursor = 0

    for step in range(n_logged * config.log_every):
        if cursor + batch > order.size:  # new epoch, new shuffle
            order = rng.permutation(y_all.size)
            cursor = 0
        idx = order[cursor : cursor + batch]
        cursor += batch
        x, y = x_all[idx], y_all[idx]

        if step == nan_step:
            w = weights[config.nan_layer % n_layers]
            # A few weights become NaN, the rest untouched: a partial NaN, as after a bad update.
            hit = rng.choice(w.size, size=min(config.nan_count, w.size), replace=False)
            w.flat[hit] = np.nan

        result = forward_backward(weights, biases, x, y, config.activation)

        if step % config.log_every == 0:
            yield StepRecord(
                step=step,
                loss=result.loss,
                accuracy=result.accuracy,
                layers=tuple(
                    LayerRecord(
                        weight=weights[i].copy(),
                        bias=biases[i].copy(),
                        preactivation=result.preactivations[i],
                        activation=result.activations[i],
                        weight_grad=result.weight_grads[i],
                        bias_grad=result.bias_grads[i],
                    )
                    for i in range(n_layers)
                ),
            )

        if config.lr and trainable:
            with np.errstate(all="ignore"):
                optimizer.step(
                    [weights[i] for i in weight_trainable] + [biases[i] for i in trainable],
                    [result.weight_grads[i] for i in weight_trainable]
                    + [result.bias_grads[i] for i in trainable],
                )
                if config.weight_decay:
                    for i in weight_trainable:
                        weights[i] *= 1.0 - config.lr * config.weight_decay
