"""``tb_histdiag.keras.HistogramLogger`` in real ``model.fit`` runs beside Keras' TensorBoard
callback: the names it writes, that the probe changes nothing in the model, and that a run
logged with it has its cause read from activations and gradients where the same run logged by
Keras alone has it inferred from the weights. TensorFlow is not a dependency of the project:
without it these tests are skipped (``make test-keras`` runs them in a TensorFlow venv)."""

from __future__ import annotations

import os

import numpy as np
import pytest

tf = pytest.importorskip(
    "tensorflow", reason="TensorFlow is not installed (make test-keras runs these in a TF venv)"
)
keras = pytest.importorskip("keras")

import tb_histdiag  # noqa: E402
from tb_histdiag.keras import HistogramLogger  # noqa: E402

EPOCHS = 20
PROBE = 256


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1536, 16)).astype("float32")
    y = ((x[:, :4].sum(1) > 0).astype("int64") + (x[:, 4] > 0.5)).astype("int64")
    return x, y


def _sequential(kind: str) -> keras.Model:
    keras.utils.set_random_seed(0)
    layers = keras.layers
    if kind == "sigmoid":  # eight sigmoid layers: the gradient shrinks on its way back
        hidden = [layers.Dense(32, activation="sigmoid") for _ in range(8)]
        optimizer = keras.optimizers.SGD(0.05)
    else:  # biases of -5: every ReLU outputs 0 from the first step
        hidden = [
            layers.Dense(64, activation="relu", bias_initializer=keras.initializers.Constant(-5.0))
            for _ in range(2)
        ]
        optimizer = keras.optimizers.Adam(1e-3)
    model = keras.Sequential([keras.Input((16,)), *hidden, layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


def fit(model: keras.Model, log_dir: str, *, logger: bool = True) -> HistogramLogger | None:
    x, y = _data()
    ours = HistogramLogger(log_dir, probe=(x[:PROBE], y[:PROBE])) if logger else None
    callbacks = [keras.callbacks.TensorBoard(log_dir, histogram_freq=1)]
    model.fit(x, y, epochs=EPOCHS, batch_size=128, verbose=0, callbacks=callbacks + [ours] * logger)
    return ours


def _verdicts(log_dir: str) -> dict[str, dict[str, dict]]:
    """Per tag: verdict id → evidence, of the ``train`` run."""
    (run,) = tb_histdiag.diagnose(log_dir, runs=["train"]).runs
    return {t.tag: {v.id: v.evidence for v in t.verdicts} for t in run.tags}


def _inferred(verdicts: dict[str, dict[str, dict]]) -> set[tuple[str, str]]:
    return {
        (tag, vid)
        for tag, by_id in verdicts.items()
        for vid, e in by_id.items()
        if e.get("inferred")
    }


def test_vanishing_gradients_are_read_instead_of_inferred(tmp_path):
    weights_only, logged = str(tmp_path / "keras_only"), str(tmp_path / "with_logger")
    alone_model, logged_model = _sequential("sigmoid"), _sequential("sigmoid")
    fit(alone_model, weights_only, logger=False)
    fit(logged_model, logged)
    # Keras alone: the cause is an inference from how little the first kernels move.
    alone = _verdicts(weights_only)
    first_kernel = f"{alone_model.layers[0].kernel.path}/histogram"
    assert alone[first_kernel]["vanishing"]["inferred"] is True
    # With the logger the gradients are there, and nothing is inferred.
    read = _verdicts(logged)
    first_gradient = f"{logged_model.layers[0].kernel.path}/gradients"
    assert "vanishing" in read[first_gradient]
    assert not read[first_gradient]["vanishing"].get("inferred")
    assert _inferred(read) == set()


def test_dead_units_are_read_from_their_activations(tmp_path):
    model = _sequential("dead")
    fit(model, str(tmp_path))
    verdicts = _verdicts(str(tmp_path))
    for layer in model.layers[:2]:
        activations = f"{layer.path}/activations"
        assert "dead" in verdicts[activations], verdicts[activations]
        assert not verdicts[activations]["dead"].get("inferred")
    assert _inferred(verdicts) == set()


def _functional() -> keras.Model:
    """BatchNorm before a separate ReLU layer, dropout, a tanh layer, softmax output."""
    keras.utils.set_random_seed(0)
    layers = keras.layers
    inputs = keras.Input((16,))
    h = layers.Dense(64, name="hidden")(inputs)
    h = layers.BatchNormalization(name="bn")(h)
    h = layers.ReLU(name="relu")(h)
    h = layers.Dropout(0.2)(h)
    h = layers.Dense(32, activation="tanh", name="mix")(h)
    outputs = layers.Dense(3, activation="softmax", name="out")(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    return model


def test_a_healthy_functional_model_is_clean_and_left_as_it_was(tmp_path):
    model = _functional()
    ours = fit(model, str(tmp_path))
    (run,) = tb_histdiag.diagnose(str(tmp_path), runs=["train"]).runs
    tags = {t.tag: t for t in run.tags}
    assert run.status == "ok", [(t.tag, [v.id for v in t.verdicts]) for t in run.tags if t.verdicts]
    assert {
        "hidden/preactivations",
        "hidden/activations",
        "mix/activations",
        "out/predictions",
    } <= set(tags)
    assert {"hidden/kernel/gradients", "bn/gamma/gradients", "out/bias/gradients"} <= set(tags)
    assert tags["hidden/activations"].role == "activation"
    assert tags["hidden/activations"].layer == tags["hidden/kernel/histogram"].layer
    assert tags["out/predictions"].role == "output"
    assert tags["bn/gamma/gradients"].role == "gradient"
    assert tags["hidden/kernel/gradients"].steps == EPOCHS
    # Writing once more changes nothing in the model: no dropout, no moving-statistics update.
    before = [w.numpy().copy() for w in model.weights]
    ours.write(EPOCHS)
    assert all(np.array_equal(b, w.numpy()) for b, w in zip(before, model.weights))


def test_probe_errors_are_said_at_once(tmp_path):
    x, _ = _data()
    with pytest.raises(ValueError, match=r"probe=\(x, y\)"):
        HistogramLogger(str(tmp_path), probe=x)
    with pytest.raises(ValueError, match="every_n_epochs"):
        HistogramLogger(str(tmp_path), probe=(x, x), every_n_epochs=0)
    # x alone logs activations only
    model = _functional()
    ours = HistogramLogger(str(tmp_path), probe=x[:PROBE], gradients=False)
    ours.set_model(model)
    tags = ours.write(0)
    ours.on_train_end()
    assert tags == [
        "hidden/preactivations",
        "hidden/activations",
        "mix/activations",
        "out/predictions",
    ]


def test_a_subclassed_model_logs_gradients_and_says_why_not_activations(tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(16, activation="relu")
            self.out = keras.layers.Dense(3, activation="softmax")

        def call(self, x):
            return self.out(self.hidden(x))

    keras.utils.set_random_seed(0)
    model = Net()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = _data()
    lines: list[str] = []
    ours = HistogramLogger(str(tmp_path), probe=(x[:PROBE], y[:PROBE]), log=lines.append)
    model.fit(x, y, epochs=2, batch_size=256, verbose=0, callbacks=[ours])
    assert len(lines) == 1
    assert "subclassed" in lines[0]
    (run,) = tb_histdiag.diagnose(str(tmp_path), runs=["train"]).runs
    roles = {t.role for t in run.tags}
    assert roles == {"gradient"}
    assert all(t.steps == 2 for t in run.tags)
    assert os.path.isdir(os.path.join(str(tmp_path), "train"))


class _OldKerasNames(keras.callbacks.TensorBoard):
    """The weight histograms as Keras 3 callbacks before keras-team/keras#22317 named them: after
    the weight's own name (``kernel``), so every layer writes ``kernel/histogram``."""

    def _log_weights(self, epoch):
        with self._train_writer.as_default():
            for layer in self.model.layers:
                for weight in layer.weights:
                    self.summary.histogram(f"{weight.name}/histogram", weight, step=epoch)


def test_old_keras_names_are_caught_and_weights_true_names_every_layer(tmp_path):
    x, y = _data()
    old, fixed = str(tmp_path / "old"), str(tmp_path / "fixed")
    _functional().fit(
        x,
        y,
        epochs=EPOCHS,
        batch_size=128,
        verbose=0,
        callbacks=[_OldKerasNames(old, histogram_freq=1)],
    )
    for load_fast, severity in ((False, "warning"), (True, "info")):
        (run,) = tb_histdiag.diagnose(old, runs=["train"], load_fast=load_fast).runs
        (verdict,) = [v for v in run.verdicts if v.id == "unnamed_layers"]
        assert verdict.severity == severity, load_fast
        assert {"kernel/histogram", "bias/histogram"} <= set(verdict.tags)
    # Three Dense layers share kernel/histogram: the Python loader sees all three per step.
    (run,) = tb_histdiag.diagnose(old, runs=["train"], load_fast=False).runs
    kernel = next(t for t in run.tags if t.tag == "kernel/histogram")
    assert "3 tensors of different sizes (1,024, 2,048 and 96 values)" in kernel.reason

    # The one-line fix: Keras logs no weights, the logger logs them under their paths.
    model = _functional()
    ours = HistogramLogger(fixed, probe=(x[:PROBE], y[:PROBE]), weights=True)
    model.fit(
        x,
        y,
        epochs=EPOCHS,
        batch_size=128,
        verbose=0,
        callbacks=[keras.callbacks.TensorBoard(fixed, histogram_freq=0), ours],
    )
    (run,) = tb_histdiag.diagnose(fixed, runs=["train"]).runs
    tags = {t.tag: t for t in run.tags}
    for weight in model.weights:
        tag = f"{weight.path}/histogram"
        assert tags[tag].steps == EPOCHS, tag
    assert tags["hidden/kernel/histogram"].role == "weight"
    assert tags["bn/gamma/histogram"].role == "norm_scale"
    assert tags["bn/moving_mean/histogram"].role == "running_stat"
    assert [v.id for v in run.verdicts] == []
    assert run.status == "ok", [(t.tag, [v.id for v in t.verdicts]) for t in run.tags if t.verdicts]
