"""``tb_histdiag.keras.DiagnosticsCallback`` in a real ``model.fit`` with Keras' TensorBoard
callback writing the histograms. TensorFlow is not a dependency of the project: without it
these tests are skipped (run them with a TensorFlow environment, e.g. ``tensorflow-cpu``)."""

from __future__ import annotations

import os

import numpy as np
import pytest

tf = pytest.importorskip(
    "tensorflow", reason="TensorFlow is not installed (the Keras callback needs it)"
)
keras = pytest.importorskip("keras")

from tb_histdiag.keras import DiagnosticsCallback  # noqa: E402

EPOCHS = 12


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 8)).astype("float32")
    y = (x[:, :1] * 2.0 - x[:, 1:2] + 0.1 * rng.normal(size=(512, 1))).astype("float32")
    return x, y


def fit(log_dir: str, *, lr_at_epoch=None, trainable=True, stop_on="critical"):
    """Train a small regression MLP with the TensorBoard callback and ours after it."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(32, activation="relu", name="hidden"),
            keras.layers.Dense(1, name="out"),
        ]
    )
    model.trainable = trainable
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    lines: list[str] = []
    ours = DiagnosticsCallback(log_dir, stop_on=stop_on, log=lines.append)
    callbacks = [keras.callbacks.TensorBoard(log_dir, histogram_freq=1), ours]
    if lr_at_epoch is not None:
        callbacks.insert(0, keras.callbacks.LearningRateScheduler(lr_at_epoch))
    x, y = data()
    history = model.fit(x, y, epochs=EPOCHS, batch_size=64, verbose=0, callbacks=callbacks)
    return ours, len(history.epoch), lines


def test_a_healthy_fit_runs_to_the_end(tmp_path):
    ours, epochs, lines = fit(str(tmp_path))
    assert epochs == EPOCHS
    assert ours.stopped_by is None
    assert not any(f.severity == "critical" for f in ours.findings), lines


def test_a_fit_whose_weights_turn_nan_is_stopped(tmp_path):
    # A learning-rate schedule bug: from epoch 4 the rate is 1e30 and the weights overflow.
    ours, epochs, lines = fit(str(tmp_path), lr_at_epoch=lambda e: 0.01 if e < 4 else 1e30)
    assert ours.stopped_by is not None, lines
    assert ours.stopped_by.id == "nonfinite"
    assert ours.stopped_by.severity == "critical"
    assert epochs < EPOCHS
    # Stopped at the end of the epoch whose histograms first showed it.
    assert ours.stopped_by.first_step == epochs - 1
    assert any("stopping training" in line and "nonfinite" in line for line in lines)
    assert os.path.isdir(os.path.join(str(tmp_path), "train"))


def test_a_fit_with_every_layer_left_frozen_is_stopped(tmp_path):
    # The whole model left frozen (trainable=False): nothing ever learns.
    # Its biases stay at their zero init (Keras logs after each epoch), which the first look
    # already shows as constant; the weights then show as frozen.
    ours, epochs, lines = fit(str(tmp_path), trainable=False, stop_on="warning")
    assert ours.stopped_by is not None, lines
    assert ours.stopped_by.id in {"frozen", "last_layer_only", "constant"}, lines
    assert epochs < EPOCHS
