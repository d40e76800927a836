"""Write small real Keras/TensorFlow logdirs under ``tests/data/keras/`` and their labels.

Each run trains a small model with real TensorFlow on synthetic data (a few seconds on 2 CPU
cores) and logs histograms the way users do: the Keras ``TensorBoard(histogram_freq=1)`` callback
(weights only, once per epoch) with Keras 3 (``keras``) and Keras 2 (``tf_keras``), and a custom
TF2 training loop with ``tf.summary.histogram`` (weights, gradients, activations). Beside the
logdirs, ``labels.json`` states per run what the data shows: the verdicts expected (tag regex →
verdict id present/absent, ``clean`` for healthy runs), the role each tag's Keras name announces,
and facts measured on the weights while training (loss first → last, spread of each weight,
how much it moved per epoch, its mean gradient, whether the written histograms changed).

TensorFlow is not a dependency of the project: run this with a separate environment, e.g.::

    python3 -m venv /work/tfvenv
    /work/tfvenv/bin/pip install tensorflow-cpu==2.21.0 tf-keras==2.21.0 tensorboard
    /work/tfvenv/bin/python scripts/make_keras_fixtures.py

The tests (``tests/test_keras_fixtures.py``) only read the committed files.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(os.path.dirname(HERE), "tests", "data", "keras")
FLAVOURS = ("keras3", "keras2")

#: Every run: (flavour, generator). Filled by :func:`run`.
RUNS: dict[str, tuple[str, object]] = {}


def run(name: str, flavour: str):
    """Register a run generator under ``name`` for ``flavour`` (keras3, keras2)."""

    def register(fn):
        RUNS[name] = (flavour, fn)
        return fn

    return register


# --------------------------------------------------------------------------------------------
# numbers for JSON


def sig(x: float, digits: int = 4) -> float | str | None:
    """``x`` rounded to ``digits`` significant digits; non-finite values as strings."""
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return 0.0
    return float(f"{x:.{digits - 1}e}")


def sigs(xs) -> list:
    return [sig(x) for x in xs]


# --------------------------------------------------------------------------------------------
# synthetic data


def quadrant_images(rng: np.random.Generator, n: int, size: int = 12):
    """Grey ``size``×``size`` images with a bright 3×3 blob in one quadrant; label = quadrant."""
    x = rng.normal(0.0, 0.3, (n, size, size, 1)).astype("float32")
    y = rng.integers(0, 4, n)
    half = size // 2
    for i in range(n):
        r0 = (y[i] // 2) * half + rng.integers(0, half - 2)
        c0 = (y[i] % 2) * half + rng.integers(0, half - 2)
        x[i, r0 : r0 + 3, c0 : c0 + 3, 0] += 1.0
    return x, y.astype("int32")


def tabular(rng: np.random.Generator, n: int, features: int = 8, classes: int = 3):
    """Gaussian features; the class is the argmax of a fixed random linear map plus a
    non-linear term (learnable by a small MLP)."""
    x = rng.normal(0.0, 1.0, (n, features)).astype("float32")
    w = np.random.default_rng(99).normal(0.0, 1.0, (features, classes))
    logits = x @ w + 0.5 * np.sin(2 * x[:, :classes])
    return x, logits.argmax(1).astype("int32")


def token_sequences(rng: np.random.Generator, n: int, length: int = 10, vocab: int = 16):
    """Integer sequences; label 1 when more than half of the tokens are small (< vocab / 2)."""
    x = rng.integers(0, vocab, (n, length)).astype("int32")
    y = ((x < vocab // 2).sum(1) > length // 2).astype("int32")
    return x, y


# --------------------------------------------------------------------------------------------
# the child process: one Keras flavour


class Ctx:
    """What a run generator needs: the Keras module, TensorFlow, the output folder."""

    def __init__(self, flavour: str, out: str):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        if flavour == "keras2":
            os.environ["TF_USE_LEGACY_KERAS"] = "1"
            import tf_keras as keras
        else:
            import keras
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(2)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.config.experimental.enable_op_determinism()
        self.K = keras
        self.tf = tf
        self.flavour = flavour
        self.out = out

    # names ------------------------------------------------------------------------------
    def weight_key(self, w) -> str:
        """The name the Keras callback writes for ``w``, without ``/histogram``."""
        name = w.path if self.flavour == "keras3" else w.name
        return name.replace(":", "_")

    def seed(self, seed: int) -> None:
        """A fresh session (layer names count from ``dense`` again, as in a user's script) and
        fixed seeds."""
        self.K.backend.clear_session()
        self.K.utils.set_random_seed(seed)

    # training ---------------------------------------------------------------------------
    def snapshot(self, model) -> dict[str, np.ndarray]:
        return {self.weight_key(w): np.array(w.numpy(), dtype=np.float64) for w in model.weights}

    def gradients(self, model, loss_fn, x, y) -> dict[str, float]:
        """Mean |gradient| of each trainable weight on one batch (weights left unchanged)."""
        tf = self.tf
        saved = model.get_weights()
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        model.set_weights(saved)
        return {
            self.weight_key(w): float(np.mean(np.abs(tf.convert_to_tensor(g).numpy())))
            for w, g in zip(model.trainable_weights, grads)
            if g is not None
        }

    def fit_logged(
        self,
        run_name: str,
        model,
        loss_fn,
        x,
        y,
        epochs: int,
        batch_size: int = 32,
        validation_data=None,
    ) -> dict:
        """Fit with the Keras TensorBoard callback (histogram_freq=1) into ``out/run_name``;
        return the measured facts."""
        K = self.K
        snapshots: list[dict[str, np.ndarray]] = []
        losses: list[float] = []
        ctx = self

        class Recorder(K.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                snapshots.append(ctx.snapshot(self.model))
                losses.append(float((logs or {}).get("loss", float("nan"))))

        logdir = os.path.join(self.out, run_name)
        probe_x, probe_y = x[:64], y[:64]
        grads_init = self.gradients(model, loss_fn, probe_x, probe_y)
        init = self.snapshot(model)
        tb = K.callbacks.TensorBoard(logdir, histogram_freq=1, write_graph=False)
        start = time.perf_counter()
        model.fit(
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            verbose=0,
            shuffle=True,
            validation_data=validation_data,
            callbacks=[tb, Recorder()],
        )
        seconds = time.perf_counter() - start
        grads_last = self.gradients(model, loss_fn, probe_x, probe_y)
        return {
            "train_seconds": round(seconds, 1),
            "epochs": epochs,
            "samples": len(x),
            "batch_size": batch_size,
            "loss_per_epoch": sigs(losses),
            "loss_first_last": sigs([losses[0], losses[-1]]),
            "weights": weight_facts(init, snapshots, grads_init, grads_last),
        }


def weight_facts(init, snapshots, grads_init, grads_last) -> dict:
    """Per weight (keyed by the tag the callback writes): spread at init, first and last logged
    epoch; how much it moved per epoch (median over epochs of mean |Δ|, also relative to its
    spread); whether all logged values are bit-identical; distinct values at the end; the first
    epoch with NaN/Inf; mean |gradient| on a probe batch before and after training."""
    facts = {}
    for key, w0 in init.items():
        series = [s[key] for s in snapshots]
        steps = [w0, *series]
        finite = [bool(np.isfinite(s).all()) for s in series]
        deltas = [float(np.mean(np.abs(b - a))) for a, b in zip(steps[:-1], steps[1:])]
        logged_deltas = deltas[1:]  # between logged epochs (what the histograms can show)
        last = series[-1]
        std = [float(np.std(w0)), float(np.std(series[0])), float(np.std(last))]
        median_delta = float(np.median(logged_deltas)) if logged_deltas else 0.0
        fact = {
            "shape": list(w0.shape),
            "std_init_first_last": sigs(std),
            "mean_init_last": sigs([np.mean(w0), np.mean(last)]),
            "min_max_last": sigs([np.min(last), np.max(last)]),
            # (max - min) / max |value|: float32 rounding leaves copies of one value ~1e-7..1e-6 apart
            "relative_spread_last": sig(
                (np.max(last) - np.min(last)) / np.max(np.abs(last))
                if np.isfinite(last).all() and np.max(np.abs(last)) > 0
                else None
            ),
            "mean_abs_change_init_to_first": sig(deltas[0]),
            "mean_abs_change_per_epoch_median": sig(median_delta),
            "relative_change_per_epoch_median": sig(median_delta / std[1])
            if std[1] > 0 and math.isfinite(std[1])
            else None,
            "bit_identical_all_logged": all(np.array_equal(series[0], s) for s in series[1:]),
            "distinct_values_last": int(np.unique(last).size),
            "nonfinite_from_epoch": next((i for i, ok in enumerate(finite) if not ok), None),
        }
        if key in grads_init:
            fact["grad_mean_abs_init_last"] = sigs([grads_init[key], grads_last.get(key)])
        facts[key] = fact
    return facts


def read_written(logdir: str) -> dict:
    """Read back what was written: per TensorBoard run (folder with event files), its
    histogram tags with their steps, bucket counts and how often a step's buckets were
    bit-identical to the previous step's, and its scalar tags."""
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.util import tensor_util

    result = {}
    for folder, _, files in sorted(os.walk(logdir)):
        if not any(f.startswith("events.out.tfevents") for f in files):
            continue
        acc = event_accumulator.EventAccumulator(folder, size_guidance={"tensors": 0, "scalars": 0})
        acc.Reload()
        hist, scalars = {}, {}
        for tag in acc.Tags()["tensors"]:
            meta = acc.SummaryMetadata(tag)
            events = acc.Tensors(tag)
            plugin = meta.plugin_data.plugin_name
            if plugin == "histograms":
                tables = [tensor_util.make_ndarray(e.tensor_proto) for e in events]
                same = sum(np.array_equal(a, b) for a, b in zip(tables[:-1], tables[1:]))
                bad = [e.step for e, t in zip(events, tables) if not np.isfinite(t).all()]
                hist[tag] = {
                    "steps": [events[0].step, events[-1].step],
                    "num_steps": len(events),
                    "buckets": sorted({int(t.shape[0]) for t in tables}),
                    "identical_to_previous_step": int(same),
                    "first_nonfinite_step": bad[0] if bad else None,
                }
            elif plugin == "scalars":
                values = [float(tensor_util.make_ndarray(e.tensor_proto)) for e in events]
                scalars[tag] = {
                    "num_steps": len(events),
                    "first_last": sigs([values[0], values[-1]]),
                }
        run_name = os.path.relpath(folder, os.path.dirname(logdir)).replace(os.sep, "/")
        result[run_name] = {"histograms": hist, "scalars": scalars}
    return result


def label_entropy(y) -> float:
    """The loss of a model that predicts the base rate (binary cross-entropy, nats)."""
    p = float(np.mean(y))
    return -(p * math.log(p) + (1 - p) * math.log(1 - p))


# --------------------------------------------------------------------------------------------
# runs with the Keras callback (the same models in both flavours where both are listed)


def cnn_bn(c: Ctx, name: str) -> dict:
    """Conv2D → BatchNorm → ReLU (twice), a dense head; 4-way quadrant task on 12×12 images."""
    K, L = c.K, c.K.layers
    c.seed(1)
    rng = np.random.default_rng(1)
    x, y = quadrant_images(rng, 512)
    xv, yv = quadrant_images(rng, 128)
    model = K.Sequential(
        [
            K.Input((12, 12, 1)),
            L.Conv2D(8, 3, padding="same"),
            L.BatchNormalization(),
            L.ReLU(),
            L.MaxPooling2D(2),
            L.Conv2D(16, 3, padding="same"),
            L.BatchNormalization(),
            L.ReLU(),
            L.Flatten(),
            L.Dense(4),
        ]
    )
    loss = K.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(K.optimizers.Adam(0.003), loss)
    facts = c.fit_logged(name, model, loss, x, y, 10, validation_data=(xv, yv))
    return {
        "description": "Healthy CNN: Conv2D(bias) → BatchNormalization → ReLU twice, Flatten, "
        "Dense(4) on 12×12 images (which quadrant holds a blob), Adam(0.003), 10 epochs, with "
        "validation data (the validation run has scalars only). The convolutions keep Keras' "
        "default use_bias=True before BatchNorm: their bias gradient is ~0 by construction "
        "(BatchNorm removes the mean), Adam's normalisation still moves them a little.",
        "clean": True,
        "expect": [],
        "facts": facts,
    }


def lstm_ln(c: Ctx, name: str) -> dict:
    """Embedding → LSTM → Dense → LayerNormalization → ReLU → Dropout → Dense."""
    K, L = c.K, c.K.layers
    c.seed(2)
    rng = np.random.default_rng(2)
    x, y = token_sequences(rng, 512)
    model = K.Sequential(
        [
            K.Input((10,), dtype="int32"),
            L.Embedding(16, 8),
            L.LSTM(16),
            L.Dense(32),
            L.LayerNormalization(),
            L.ReLU(),
            L.Dropout(0.1),
            L.Dense(2),
        ]
    )
    loss = K.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(K.optimizers.Adam(0.01), loss)
    facts = c.fit_logged(name, model, loss, x, y, 10)
    return {
        "description": "Healthy sequence model: Embedding(16, 8) → LSTM(16) → Dense(32) → "
        "LayerNormalization → ReLU → Dropout(0.1) → Dense(2), Adam(0.01), 10 epochs; the "
        "label says whether more than half of the 10 tokens are small. LSTM bias starts at 1 "
        "for the forget gate and 0 elsewhere (unit_forget_bias), the recurrent kernel is "
        "orthogonal, LayerNorm gamma starts at 1 and beta at 0.",
        "clean": True,
        "expect": [],
        "facts": facts,
    }


def finetune_frozen(c: Ctx, name: str) -> dict:
    """A pretrained conv base (with BatchNorm) frozen with trainable=False, a new dense head."""
    K, L = c.K, c.K.layers
    c.seed(3)
    rng = np.random.default_rng(3)
    base = K.Sequential(
        [
            K.Input((12, 12, 1)),
            L.Conv2D(8, 3, padding="same", activation="relu"),
            L.BatchNormalization(),
            L.MaxPooling2D(2),
            L.Conv2D(16, 3, padding="same", activation="relu"),
            L.Flatten(),
        ],
        name="base",
    )
    # "Pretraining" on task A (which quadrant), not logged.
    xa, ya = quadrant_images(rng, 512)
    pre = K.Sequential([base, L.Dense(4)])
    loss_a = K.losses.SparseCategoricalCrossentropy(from_logits=True)
    pre.compile(K.optimizers.Adam(0.003), loss_a)
    pre.fit(xa, ya, epochs=3, batch_size=32, verbose=0)
    pre_loss = float(pre.evaluate(xa, ya, verbose=0))
    # Fine-tuning on task B (blob in the top half?) with the base frozen.
    base.trainable = False
    xb, qb = quadrant_images(rng, 512)
    yb = (qb < 2).astype("int32")
    inputs = K.Input((12, 12, 1))
    h = base(inputs, training=False)
    h = L.Dense(16, activation="relu")(h)
    outputs = L.Dense(2)(h)
    model = K.Model(inputs, outputs)
    loss = K.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(K.optimizers.Adam(0.003), loss)
    facts = c.fit_logged(name, model, loss, xb, yb, 8)
    facts["pretraining_loss_after_3_epochs"] = sig(pre_loss)
    base_kernels = r"^base/conv2d(_1)?/kernel" if c.flavour == "keras3" else r"^conv2d(_1)?/kernel"
    return {
        "description": "Fine-tuning: a conv base (Conv2D → BatchNorm → MaxPool → Conv2D → "
        "Flatten, model name 'base') pretrained 3 epochs on a 4-way task (not logged), then "
        "frozen with base.trainable=False and called with training=False, and a new head "
        "Dense(16, relu) → Dense(2) trained 8 epochs on a 2-way task. The base's kernels, "
        "biases and BatchNorm variables are bit-identical at every logged epoch; the head "
        "learns.",
        "clean": False,
        "cause": "base frozen on purpose (trainable=False), the head learns",
        "expect": [
            # Keras 3 names the nested model's weights 'base/conv2d/kernel'; Keras 2 does not
            # show the nesting: 'conv2d/kernel_0'.
            {"tag": base_kernels, "verdict": "frozen", "present": True},
            {"tag": r"^dense_[12]/kernel", "verdict": "frozen", "present": False},
            {"scope": "run", "verdict": "last_layer_only", "present": True},
        ],
        "facts": facts,
    }


def constant_init(c: Ctx, name: str) -> dict:
    K, L = c.K, c.K.layers
    c.seed(4)
    rng = np.random.default_rng(4)
    x, y = tabular(rng, 512)
    init = K.initializers.Constant(0.1)
    model = K.Sequential(
        [
            K.Input((8,)),
            L.Dense(32, activation="relu", kernel_initializer=init),
            L.Dense(32, activation="relu", kernel_initializer=init),
            L.Dense(3, kernel_initializer=init),
        ]
    )
    loss = K.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(K.optimizers.Adam(0.01), loss)
    facts = c.fit_logged(name, model, loss, x, y, 10)
    # How far the units (columns) of each layer are from being copies of unit 0 at the end, and
    # the rows (one per unit of the previous layer) from being copies of row 0.
    facts["unit_copies_last"] = {
        c.weight_key(w): {
            "max_abs_diff_to_unit_0": sig(np.max(np.abs(k - k[:, :1]))),
            "max_abs_diff_to_row_0": sig(np.max(np.abs(k - k[:1, :]))),
            "std": sig(np.std(k)),
        }
        for w in model.weights
        if len(w.shape) == 2
        for k in [np.asarray(w.numpy(), dtype=np.float64)]
    }
    return {
        "description": "Constant initialisation: every Dense kernel starts at Constant(0.1) "
        "(biases at 0), 8 → 32 → 32 → 3 ReLU MLP, Adam(0.01), 10 epochs. All units of a layer "
        "get the same gradient, so the symmetry is never broken: each hidden kernel holds only "
        "as many distinct values as it has inputs (each repeated once per unit) and the "
        "network behaves like a 1-unit-wide one.",
        "clean": False,
        "cause": "constant initialisation (symmetry never broken)",
        "expect": [
            {"tag": r"dense/kernel", "verdict": "constant", "present": True},
            {"tag": r"dense_1/kernel", "verdict": "constant", "present": True},
        ],
        "facts": facts,
    }


def nan_lr(c: Ctx, name: str) -> dict:
    K, L = c.K, c.K.layers
    c.seed(5)
    rng = np.random.default_rng(5)
    x = rng.normal(0.0, 1.0, (512, 8)).astype("float32")
    y = (20.0 * x.sum(1, keepdims=True) + 50.0).astype("float32")
    model = K.Sequential(
        [
            K.Input((8,)),
            L.Dense(32, activation="relu"),
            L.Dense(32, activation="relu"),
            L.Dense(1),
        ]
    )
    loss = K.losses.MeanSquaredError()
    model.compile(K.optimizers.SGD(0.02), loss)
    facts = c.fit_logged(name, model, loss, x, y, 8)
    return {
        "description": "Divergence to NaN: a regression MLP 8 → 32 → 32 → 1 (ReLU) on "
        "unnormalised targets (20·Σx + 50), MSE, plain SGD with a learning rate far too high "
        "(0.02) for targets of that scale: the loss and the weights overflow to Inf/NaN "
        "within the first epoch, so every logged histogram is non-finite (no finite step).",
        "clean": False,
        "cause": "learning rate far too high (divergence)",
        "expect": [{"tag": r"kernel", "verdict": "nonfinite", "present": True}],
        "facts": facts,
    }


def nan_log0(c: Ctx, name: str) -> dict:
    K, L, tf = c.K, c.K.layers, c.tf
    c.seed(5)
    rng = np.random.default_rng(5)
    x, y3 = tabular(rng, 512)
    y = (y3 == 0).astype("float32")[:, None]

    def naive_binary_crossentropy(y_true, p):
        # No clipping: once a sigmoid output rounds to exactly 1.0, (1 - y) * log(1 - p) is
        # 0 * -inf = NaN, and so is the gradient.
        return -tf.reduce_mean(y_true * tf.math.log(p) + (1 - y_true) * tf.math.log(1 - p))

    model = K.Sequential(
        [
            K.Input((8,)),
            L.Dense(32, activation="relu"),
            L.Dense(32, activation="relu"),
            L.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(K.optimizers.Adam(0.1), naive_binary_crossentropy)
    facts = c.fit_logged(name, model, naive_binary_crossentropy, x, y, 8)
    return {
        "description": "NaN from log(0): a binary MLP 8 → 32 → 32 → 1 (ReLU, sigmoid output) "
        "with a hand-written cross-entropy without clipping, Adam(0.1), 8 epochs. The loss "
        "falls for a few epochs; once an output rounds to exactly 1.0 the loss and the "
        "gradients are NaN, and every weight is NaN from then on (finite histograms first, "
        "then non-finite ones).",
        "clean": False,
        "cause": "log(0) in a hand-written loss",
        "expect": [{"tag": r"kernel", "verdict": "nonfinite", "present": True}],
        "facts": facts,
    }


def sigmoid_deep(c: Ctx, name: str) -> dict:
    K, L = c.K, c.K.layers
    c.seed(6)
    rng = np.random.default_rng(6)
    x, y3 = tabular(rng, 512)
    y = (y3 == 0).astype("float32")[:, None]

    def init(i):  # one initializer per layer: a reused unseeded one repeats its values in tf_keras
        return K.initializers.RandomNormal(stddev=0.05, seed=60 + i)

    layers = [K.Input((8,))]
    layers += [L.Dense(32, activation="sigmoid", kernel_initializer=init(i)) for i in range(8)]
    layers.append(L.Dense(1, activation="sigmoid", kernel_initializer=init(8)))
    model = K.Sequential(layers)
    loss = K.losses.BinaryCrossentropy()
    model.compile(K.optimizers.SGD(0.1), loss)
    facts = c.fit_logged(name, model, loss, x, y, 10)
    return {
        "description": "Vanishing gradients, logged as weights only: 8 Dense(32, sigmoid) "
        "layers and a sigmoid output, kernels N(0, 0.05), plain SGD(0.1), binary "
        "cross-entropy, 10 epochs. The loss stays near the entropy of the labels; gradients "
        "shrink by orders of magnitude from the output to the first layer, so the early "
        "kernels move very little per epoch (see relative_change_per_epoch_median and "
        "grad_mean_abs_init_last per tag, and identical_to_previous_step in written). Nothing "
        "is frozen (trainable everywhere).",
        "clean": False,
        "cause": "vanishing gradients (sigmoid stack, small init): to be inferred from the "
        "weights' movement over depth (issue 17)",
        "expect": [
            {"tag": r"(^|/)dense(_[1-3])?/kernel", "verdict": "frozen", "present": False},
            # The biases start at exactly 0, so their histograms change with any movement while
            # the kernels' do not: nothing singles out the biases (layer names, regex).
            {
                "scope": "layer",
                "layer": r"(^|/)dense(_[1-3])?$",
                "verdict": "bias_only",
                "present": False,
            },
        ],
        "facts": {**facts, "label_entropy_nats": sig(label_entropy(y))},
    }


def dead_relu(c: Ctx, name: str) -> dict:
    K, L = c.K, c.K.layers
    c.seed(8)
    rng = np.random.default_rng(8)
    x, y = tabular(rng, 512)
    dead_bias = K.initializers.Constant(-5.0)
    model = K.Sequential(
        [
            K.Input((8,)),
            L.Dense(32, activation="relu", bias_initializer=dead_bias),
            L.Dense(32, activation="relu", bias_initializer=dead_bias),
            L.Dense(3),
        ]
    )
    loss = K.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(K.optimizers.Adam(0.01), loss)
    facts = c.fit_logged(name, model, loss, x, y, 10)
    hidden = K.Model(model.inputs, [layer.output for layer in model.layers[:2]])
    facts["hidden_zero_fraction_last"] = [
        sig(float(np.mean(np.asarray(h) == 0.0))) for h in hidden(x[:256])
    ]
    return {
        "description": "Dead ReLUs from negative biases, logged as weights only: an MLP "
        "8 → 32 → 32 → 3 whose hidden Dense(relu) layers start with every bias at -5 (kernels "
        "Glorot, inputs N(0, 1)), Adam(0.01), 10 epochs. Every hidden unit outputs 0 on every "
        "sample from the first step (hidden_zero_fraction_last), so the hidden kernels and "
        "biases get zero gradients and never change, and so does the output kernel (its "
        "inputs are all zero); only the output bias learns (the class priors).",
        "clean": False,
        "cause": "dead ReLUs (negative bias initialisation): to be inferred from the weights",
        "expect": [
            {"tag": r"(^|/)dense(_1)?/kernel", "verdict": "dead", "present": True},
            {"tag": r"(^|/)dense(_1)?/kernel", "verdict": "frozen", "present": False},
            {"scope": "layer", "layer": r"dense", "verdict": "bias_only", "present": False},
        ],
        "facts": facts,
    }


def naming(c: Ctx, name: str) -> dict:
    K, L = c.K, c.K.layers
    c.seed(7)
    rng = np.random.default_rng(7)
    x, y = tabular(rng, 512)
    model = K.Sequential(
        [
            K.Input((8,)),
            L.Dense(16, activation="relu", name="L1_16_Dense_RELU"),
            L.Dense(16, activation="relu", name="L2_16_Dense_RELU"),
            L.Dense(3, activation="softmax", name="output"),
        ]
    )
    loss = K.losses.SparseCategoricalCrossentropy()
    model.compile(K.optimizers.Adam(0.01), loss)
    facts = c.fit_logged(name, model, loss, x, y, 10)
    return {
        "description": "Healthy MLP whose layer names contain role words: Dense(16, relu) "
        "layers named 'L1_16_Dense_RELU' and 'L2_16_Dense_RELU' (their 'bias' is a bias, "
        "not an activation) and a softmax Dense named 'output' (its 'kernel' is a weight); "
        "Adam(0.01), 10 epochs.",
        "clean": True,
        "expect": [],
        "facts": facts,
    }


for _flavour, _prefix in (("keras3", "k3"), ("keras2", "k2")):
    for _fn in (
        cnn_bn,
        lstm_ln,
        finetune_frozen,
        constant_init,
        nan_log0,
        sigmoid_deep,
        dead_relu,
        naming,
    ):
        run(f"{_prefix}_{_fn.__name__}", _flavour)(_fn)
run("k3_nan_lr", "keras3")(nan_lr)


# --------------------------------------------------------------------------------------------
# a custom TF2 loop with tf.summary.histogram


def _custom_loop(c: Ctx, name: str) -> dict:
    """Weights, gradients, activations, input and output probabilities of a healthy MLP."""
    K, L, tf = c.K, c.K.layers, c.tf
    c.seed(8)
    rng = np.random.default_rng(8)
    x, y = tabular(rng, 1024)
    hidden_1 = L.Dense(32, activation="relu", name="hidden_1")
    hidden_2 = L.Dense(32, activation="relu", name="hidden_2")
    logits_layer = L.Dense(3, name="logits")
    inputs = K.Input((8,))
    h1 = hidden_1(inputs)
    h2 = hidden_2(h1)
    model = K.Model(inputs, [h1, h2, logits_layer(h2)], name="mlp")
    loss_fn = K.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = K.optimizers.Adam(0.003)
    writer = tf.summary.create_file_writer(os.path.join(c.out, name))
    probe = tf.constant(x[:256])
    steps, log_every, batch = 300, 20, 32
    losses, logged = [], []

    # Keras 3 code logs ``v.path`` (``hidden_1/kernel``) and gradients under ``grads/``; Keras 2
    # code typically logs ``v.name`` as it is (``hidden_1/kernel:0``, TF keeps the colon) and
    # gradients under ``<name>/gradients`` (the TF1 habit).
    def var_name(v) -> str:
        return v.path if c.flavour == "keras3" else v.name

    def grad_name(v) -> str:
        return f"grads/{v.path}" if c.flavour == "keras3" else f"{v.name}/gradients"

    @tf.function
    def gradients(xb, yb):
        with tf.GradientTape() as tape:
            _, _, logits = model(xb, training=True)
            loss = loss_fn(yb, logits)
        return loss, tape.gradient(loss, model.trainable_weights)

    @tf.function
    def apply(grads):
        opt.apply_gradients(zip(grads, model.trainable_weights))

    start = time.perf_counter()
    with writer.as_default():
        for step in range(steps):
            idx = rng.integers(0, len(x), batch)
            loss, grads = gradients(tf.constant(x[idx]), tf.constant(y[idx]))
            losses.append(float(loss))
            if step % log_every == 0 or step == steps - 1:
                tf.summary.scalar("loss", loss, step=step)
                for v, g in zip(model.trainable_weights, grads):
                    tf.summary.histogram(var_name(v), v, step=step)
                    tf.summary.histogram(grad_name(v), g, step=step)
                a1, a2, out = model(probe, training=False)
                tf.summary.histogram("activations/hidden_1", a1, step=step)
                tf.summary.histogram("activations/hidden_2", a2, step=step)
                tf.summary.histogram("inputs/features", probe, step=step)
                tf.summary.histogram("outputs/probabilities", tf.nn.softmax(out), step=step)
                logged.append(
                    {
                        "step": step,
                        "hidden_1_zero_fraction": float(np.mean(a1.numpy() == 0)),
                        "hidden_2_zero_fraction": float(np.mean(a2.numpy() == 0)),
                        "grad_mean_abs": {
                            var_name(v): float(np.mean(np.abs(g.numpy())))
                            for v, g in zip(model.trainable_weights, grads)
                        },
                    }
                )
            apply(grads)
    writer.flush()
    seconds = time.perf_counter() - start
    first, last = logged[0], logged[-1]
    head, tail = np.mean(losses[:20]), np.mean(losses[-20:])
    accuracy = float(np.mean(np.argmax(model(tf.constant(x))[2].numpy(), 1) == y))
    return {
        "description": "Custom TF2 loop (GradientTape, Adam(0.003), 300 steps of 32) on a "
        "healthy ReLU MLP 8 → 32 → 32 → 3, logging every 20 steps with tf.summary.histogram: "
        "each variable under its own name (Keras 3: v.path 'hidden_1/kernel'; Keras 2: v.name "
        "'hidden_1/kernel:0', colon kept), its gradient (Keras 3 run: 'grads/<path>'; Keras 2 "
        "run: '<name>/gradients'), the hidden "
        "activations on a fixed probe batch under 'activations/hidden_N', the probe input "
        "under 'inputs/features' and the softmax probabilities under "
        "'outputs/probabilities', plus a 'loss' scalar.",
        "clean": True,
        "expect": [],
        "facts": {
            "train_seconds": round(seconds, 1),
            "steps": steps,
            "log_every": log_every,
            "loss_mean_first_last_20_steps": sigs([head, tail]),
            "accuracy_after": sig(accuracy),
            "hidden_zero_fraction_first_last": {
                "hidden_1": sigs([first["hidden_1_zero_fraction"], last["hidden_1_zero_fraction"]]),
                "hidden_2": sigs([first["hidden_2_zero_fraction"], last["hidden_2_zero_fraction"]]),
            },
            "grad_mean_abs_first_last": {
                k: sigs([first["grad_mean_abs"][k], last["grad_mean_abs"][k]])
                for k in first["grad_mean_abs"]
            },
        },
    }


run("k3_custom_loop", "keras3")(_custom_loop)
run("k2_custom_loop", "keras2")(_custom_loop)


# --------------------------------------------------------------------------------------------
# roles that Keras names announce (what the tests check the tag parser against)

_KERAS_ROLE = {
    "kernel": "weight",
    "recurrent_kernel": "weight",
    "depthwise_kernel": "weight",
    "embeddings": "weight",
    "bias": "bias",
    "gamma": "norm_scale",
    "beta": "norm_shift",
    "moving_mean": "running_stat",
    "moving_variance": "running_stat",
}


def expected_role(tag: str) -> str | None:
    """The role a tag's name states without ambiguity, or None (e.g. a seed generator state)."""
    parts = tag.split("/")
    if parts[-1] == "histogram":
        parts = parts[:-1]
    head = parts[0]
    if head == "grads" or parts[-1] == "gradients":
        return "gradient"
    if head == "activations":
        return "activation"
    if head == "inputs":
        return "input"
    if head == "outputs":
        return "output"
    last = re.sub(r"(:|_)0$", "", parts[-1])  # Keras 2: kernel:0 (tf.summary) or kernel_0
    return _KERAS_ROLE.get(last)


# --------------------------------------------------------------------------------------------
# driver


def child(flavour: str, out: str, names: list[str], facts_path: str) -> None:
    c = Ctx(flavour, out)
    import tensorboard
    import tensorflow as tf

    labels = {}
    for name in names:
        start = time.perf_counter()
        label = RUNS[name][1](c, name)
        written = read_written(os.path.join(out, name))
        label["writer"] = (
            "custom TF2 loop with tf.summary.histogram"
            if name.endswith("custom_loop")
            else f"{flavour} keras.callbacks.TensorBoard(histogram_freq=1, write_graph=False)"
        )
        label["keras"] = flavour
        label["tensorboard_runs"] = sorted(written)
        label["written"] = written
        label["roles"] = {
            tag: role
            for run_written in written.values()
            for tag in run_written["histograms"]
            if (role := expected_role(tag)) is not None
        }
        label["generation_seconds"] = round(time.perf_counter() - start, 1)
        labels[name] = label
        print(f"{name}: {label['generation_seconds']} s", file=sys.stderr, flush=True)
    versions = {
        "tensorflow": tf.__version__,
        flavour: c.K.__version__,
        "tensorboard": tensorboard.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    with open(facts_path, "w") as f:
        json.dump({"versions": versions, "runs": labels}, f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="output folder (%(default)s)")
    parser.add_argument("--only", nargs="*", help="run names to (re)generate; default all")
    parser.add_argument("--child", choices=FLAVOURS, help=argparse.SUPPRESS)
    parser.add_argument("--facts", help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = args.only or list(RUNS)
    unknown = sorted(set(names) - set(RUNS))
    if unknown:
        parser.error(f"unknown runs: {', '.join(unknown)} (known: {', '.join(RUNS)})")
    if args.child:
        child(args.child, args.out, [n for n in names if RUNS[n][0] == args.child], args.facts)
        return

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    labels_path = os.path.join(out, "labels.json")
    labels = {"runs": {}}
    if args.only and os.path.exists(labels_path):
        with open(labels_path) as f:
            labels = json.load(f)
    for name in names:
        shutil.rmtree(os.path.join(out, name), ignore_errors=True)
    start = time.perf_counter()
    versions = dict(labels.get("versions", {}))
    with tempfile.TemporaryDirectory() as tmp:
        for flavour in FLAVOURS:
            wanted = [n for n in names if RUNS[n][0] == flavour]
            if not wanted:
                continue
            facts_path = os.path.join(tmp, f"{flavour}.json")
            cmd = [sys.executable, os.path.abspath(__file__), "--child", flavour]
            cmd += ["--out", out, "--facts", facts_path, "--only", *wanted]
            subprocess.run(cmd, check=True)
            with open(facts_path) as f:
                child_facts = json.load(f)
            versions.update(child_facts["versions"])
            labels["runs"].update(child_facts["runs"])
    runs = {name: labels["runs"][name] for name in RUNS if name in labels["runs"]}
    document = {
        "about": "Small real Keras/TensorFlow logdirs, written by scripts/make_keras_fixtures.py "
        "(see its docstring). Per run: what the data shows (description, facts measured on the "
        "weights while training, what was written as read back), the verdicts expected "
        "('expect': tag regex → verdict id present or absent; scope 'run' for run verdicts, "
        "scope 'layer' with a regex on the layer name for layer verdicts; "
        "'clean': true means no warning or critical verdict anywhere in the run), and the role "
        "each tag's Keras name states ('roles'; 'cause' where a run is broken).",
        "tag_naming": {
            "keras3": "The callback writes '<weight.path>/histogram' (no tag collision in this "
            "version, keras-team/keras#18433 is fixed): a Sequential model prefixes its name "
            "('sequential/dense/kernel/histogram'), a functional Model does not "
            "('dense_1/kernel/histogram'), a nested model shows its own name "
            "('base/conv2d/kernel/histogram').",
            "keras2": "tf_keras writes '<weight.name with : → _>/histogram' "
            "('dense/kernel_0/histogram'), without model names, also for a nested model's "
            "weights ('conv2d/kernel_0/histogram' inside model 'base').",
            "custom_loop": "tf.summary.histogram keeps the name as given, a colon included "
            "('hidden_1/kernel:0').",
        },
        "versions": versions,
        "generation": {
            "command": "/work/tfvenv/bin/python scripts/make_keras_fixtures.py",
            "seconds": round(time.perf_counter() - start, 1)
            if not args.only
            else labels.get("generation", {}).get("seconds"),
        },
        "runs": runs,
    }
    with open(labels_path, "w") as f:
        json.dump(document, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(runs)} runs and {labels_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
