"""Healthy modern Keras architectures, logged by Keras' own ``TensorBoard(histogram_freq=1)``
(weights only, once per epoch), raise no alarm: a transformer block (multi-head attention,
residual connections, LayerNorm, GELU), a CNN with BatchNorm and global pooling, depthwise and
separable convolutions, a GRU and a bidirectional LSTM over embeddings. Each trains for real
on a task it can learn (its loss falls); nothing in its weights is wrong, so any warning is a
false alarm. TensorFlow is not a dependency of the project: without it these tests are skipped
(``make test-keras`` runs them in a TensorFlow venv)."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

tf = pytest.importorskip(
    "tensorflow", reason="TensorFlow is not installed (make test-keras runs these in a TF venv)"
)
keras = pytest.importorskip("keras")

import tb_histdiag  # noqa: E402

L = keras.layers
EPOCHS = 10


def _images() -> tuple[np.ndarray, np.ndarray]:
    """16x16 RGB noise; the label is the channel with the largest mean (global pooling can
    learn it)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1536, 16, 16, 3)).astype("float32")
    x += rng.normal(0, 0.3, size=(1536, 1, 1, 3)).astype("float32")
    return x, x.mean((1, 2)).argmax(1)


def _tokens() -> tuple[np.ndarray, np.ndarray]:
    """Sequences of 24 tokens; the label says whether token 3 occurs more often than token 5."""
    rng = np.random.default_rng(1)
    tokens = rng.integers(0, 20, size=(1536, 24))
    return tokens, ((tokens == 3).sum(1) > (tokens == 5).sum(1)).astype("int64")


def _transformer() -> keras.Model:
    inputs = keras.Input((24,), dtype="int64")
    h = L.Embedding(20, 32)(inputs)
    h = L.LayerNormalization()(h + L.MultiHeadAttention(num_heads=2, key_dim=16)(h, h))
    f = L.Dense(32)(L.Dense(64, activation="gelu")(h))
    h = L.GlobalAveragePooling1D()(L.LayerNormalization()(h + f))
    return keras.Model(inputs, L.Dense(1, activation="sigmoid")(h))


MODELS = {
    "transformer": (_transformer, _tokens, "binary_crossentropy"),
    "cnn_bn": (
        lambda: keras.Sequential(
            [
                keras.Input((16, 16, 3)),
                L.Conv2D(16, 3, padding="same", use_bias=False),
                L.BatchNormalization(),
                L.ReLU(),
                L.MaxPooling2D(),
                L.Conv2D(32, 3, padding="same"),
                L.BatchNormalization(),
                L.ReLU(),
                L.GlobalAveragePooling2D(),
                L.Dropout(0.2),
                L.Dense(3, activation="softmax"),
            ]
        ),
        _images,
        "sparse_categorical_crossentropy",
    ),
    "separable": (
        lambda: keras.Sequential(
            [
                keras.Input((16, 16, 3)),
                L.SeparableConv2D(16, 3, padding="same", activation="relu"),
                L.DepthwiseConv2D(3, padding="same", activation="relu"),
                L.Conv2D(32, 1, activation="relu"),
                L.GlobalAveragePooling2D(),
                L.Dense(3, activation="softmax"),
            ]
        ),
        _images,
        "sparse_categorical_crossentropy",
    ),
    "gru": (
        lambda: keras.Sequential(
            [
                keras.Input((24,), dtype="int64"),
                L.Embedding(20, 16),
                L.GRU(32),
                L.Dense(1, activation="sigmoid"),
            ]
        ),
        _tokens,
        "binary_crossentropy",
    ),
    "bilstm": (
        lambda: keras.Sequential(
            [
                keras.Input((24,), dtype="int64"),
                L.Embedding(20, 16),
                L.Bidirectional(L.LSTM(16, return_sequences=True)),
                L.Conv1D(16, 3, activation="relu"),
                L.GlobalMaxPooling1D(),
                L.Dense(1, activation="sigmoid"),
            ]
        ),
        _tokens,
        "binary_crossentropy",
    ),
}


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("architectures"))
    for name, (build, data, loss) in MODELS.items():
        keras.utils.set_random_seed(0)
        model = build()
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
        x, y = data()
        model.fit(
            x,
            y,
            epochs=EPOCHS,
            batch_size=64,
            verbose=0,
            callbacks=[keras.callbacks.TensorBoard(os.path.join(out, name), histogram_freq=1)],
        )
    return out


@pytest.fixture(scope="module")
def runs(logdir):
    return {run.run.split("/")[0]: run for run in tb_histdiag.diagnose(logdir).runs}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_healthy_architecture_raises_no_alarm(runs, name):
    run = runs[name]
    assert run.loss is not None
    assert not run.loss.flat, run.loss  # it learns: anything alarming would be false
    alarms = [
        (t.tag, v.id, v.severity) for t in run.tags for v in t.verdicts if v.severity != "info"
    ]
    alarms += [("(run)", v.id, v.severity) for v in run.verdicts if v.severity != "info"]
    alarms += [(layer.layer, v.id, "layer") for layer in run.layers for v in layer.verdicts]
    assert alarms == []


def test_a_bias_before_layernorm_or_at_the_output_is_not_called_redundant(runs):
    """LayerNorm normalises across features, so a bias before it still learns; the output
    layer's single bias has no spread to measure its movement by, which is no proof it stays."""
    run = runs["transformer"]
    found = [(t.tag, v.id) for t in run.tags for v in t.verdicts]
    assert found == []
    # The case is there: the output bias, one value, whose movement cannot be measured.
    assert [t.tag for t in run.tags if t.role == "bias" and t.movement is None] != []


def test_a_learning_rate_far_too_small_is_not_told_as_only_the_biases_learning(tmp_path):
    """SGD at 1e-6: no weight changes by a bit, and zero-initialised biases move by 1e-4 of
    their layer's weight spread. Against their own (zero) starting spread that looks like
    learning; it is not a layer whose optimizer misses its weights."""
    build, data, loss = MODELS["bilstm"]
    keras.utils.set_random_seed(0)
    model = build()
    model.compile(optimizer=keras.optimizers.SGD(1e-6), loss=loss)
    x, y = data()
    callback = keras.callbacks.TensorBoard(str(tmp_path), histogram_freq=1)
    model.fit(x, y, epochs=EPOCHS, batch_size=64, verbose=0, callbacks=[callback])
    (run,) = tb_histdiag.diagnose(str(tmp_path)).runs
    assert run.loss.flat
    assert [v.id for layer in run.layers for v in layer.verdicts] == []
    frozen = [t.tag for t in run.tags if any(v.id == "frozen" for v in t.verdicts)]
    assert any(re.search(r"/conv1d(_\d+)?/kernel/", tag) for tag in frozen), frozen


def test_a_gru_initialised_to_one_value_is_told_as_symmetry_from_its_first_epoch(tmp_path):
    """Keras writes the weights after each epoch, so even the first histogram shows the three
    gate values, not one: the symmetry is read from the large divisor at every step."""
    build, data, loss = MODELS["gru"]
    keras.utils.set_random_seed(0)
    model = build()
    for weight in model.weights:
        weight.assign(np.full(weight.shape, 0.05, dtype="float32"))
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=loss)
    x, y = data()
    callback = keras.callbacks.TensorBoard(str(tmp_path), histogram_freq=1)
    model.fit(x, y, epochs=EPOCHS, batch_size=64, verbose=0, callbacks=[callback])
    (run,) = tb_histdiag.diagnose(str(tmp_path)).runs
    kernels = [t for t in run.tags if re.search(r"/gru_cell/(recurrent_)?kernel/", t.tag)]
    assert len(kernels) == 2
    for tag in kernels:
        assert [(v.id, v.severity) for v in tag.verdicts] == [("constant", "critical")], tag.tag
        assert "symmetry never broken" in tag.verdicts[0].title
