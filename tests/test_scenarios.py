"""The scenario generator: real numpy training, real writers, read back through TensorBoard.

Small runs (20 logged steps) of the three core scenarios in both formats are written once per
module and read through TensorBoard's own ``MultiplexerDataProvider``, so what is checked is what
the diagnostics will see: frozen layers really are bit-identical on disk, constant-init hidden
weights really have zero spread, the healthy run really learns.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tb_histdiag.scenarios import (
    FORMATS,
    SCENARIOS,
    generate,
    layer_kinds,
    tag_name,
    tag_table,
    train,
    write_scenario,
)
from tb_histdiag.scenarios.__main__ import main
from tb_histdiag.scenarios.catalog import VARIANTS
from tb_histdiag.scenarios.network import TrainConfig, forward_backward, init_params, make_data
from tb_histdiag.scenarios.tasks import make_spirals

STEPS = 20
CORE = ("healthy", "constant_init", "frozen_early")


def _provider(logdir: Path):
    from tensorboard import context
    from tensorboard.backend.event_processing import data_provider
    from tensorboard.backend.event_processing import plugin_event_multiplexer as em

    multiplexer = em.EventMultiplexer(size_guidance={"tensors": 0, "scalars": 0})
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, str(logdir)), context.RequestContext()


class Logdir:
    """Histograms and scalars of a logdir as TensorBoard's data provider returns them."""

    def __init__(self, path: Path):
        provider, ctx = _provider(path)
        self.listing = provider.list_tensors(ctx, experiment_id="", plugin_name="histograms")
        self.hist = provider.read_tensors(
            ctx, experiment_id="", plugin_name="histograms", downsample=10_000, run_tag_filter=None
        )
        self.scalars = provider.read_scalars(
            ctx, experiment_id="", plugin_name="scalars", downsample=10_000, run_tag_filter=None
        )

    def arrays(self, run: str, tag: str) -> list[np.ndarray]:
        """The ``[k, 3]`` bucket arrays of a tag, one per step."""
        return [np.asarray(d.numpy, dtype=np.float64) for d in self.hist[run][tag]]


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Logdir:
    """The core scenarios, both formats, 20 logged steps each."""
    logdir = tmp_path_factory.mktemp("scenarios")
    generate(logdir, scenarios=CORE, steps=STEPS)
    return Logdir(logdir)


def _support(buckets: np.ndarray) -> tuple[float, float]:
    """Lowest and highest edge of the buckets that hold mass (all writers agree on these)."""
    full = buckets[buckets[:, 2] > 0]
    return float(full[:, 0].min()), float(full[:, 1].max())


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_run_has_all_tags_at_every_step(core: Logdir, fmt: str) -> None:
    for name in CORE:
        scenario = SCENARIOS[name]
        run = scenario.run_name(fmt)
        assert set(core.listing[run]) == set(tag_table(fmt, scenario.n_layers))
        expected_steps = [i * scenario.config.log_every for i in range(STEPS)]
        for tag, data in core.hist[run].items():
            assert [d.step for d in data] == expected_steps, tag
        assert [p.step for p in core.scalars[run]["loss"]] == expected_steps


@pytest.mark.parametrize("fmt", FORMATS)
def test_frozen_early_frozen_layers_are_bit_identical_and_the_last_learns(
    core: Logdir, fmt: str
) -> None:
    run = SCENARIOS["frozen_early"].run_name(fmt)
    for layer in (0, 1, 2):
        for kind in ("weight", "bias"):
            arrays = core.arrays(run, tag_name(fmt, kind, layer))
            assert all(np.array_equal(a, arrays[0]) for a in arrays[1:]), (layer, kind)
    for kind in ("weight", "bias"):
        arrays = core.arrays(run, tag_name(fmt, kind, 3))
        assert not np.array_equal(arrays[0], arrays[-1]), kind
    # The frozen layers still receive (changing) gradients: they are excluded, not disconnected.
    if "weight_grad" in layer_kinds(0, SCENARIOS["frozen_early"].n_layers, fmt):
        grads = core.arrays(run, tag_name(fmt, "weight_grad", 0))
        assert not np.array_equal(grads[0], grads[-1])


@pytest.mark.parametrize("fmt", FORMATS)
def test_constant_init_hidden_weights_have_zero_spread(core: Logdir, fmt: str) -> None:
    run = SCENARIOS["constant_init"].run_name(fmt)
    zero_spread = [("weight", 1), ("weight", 2), ("weight_grad", 1), ("weight_grad", 2)]
    zero_spread += [("bias", i) for i in (0, 1, 2)]
    n_layers = SCENARIOS["constant_init"].n_layers
    for kind, layer in zero_spread:
        if kind not in layer_kinds(layer, n_layers, fmt):
            continue  # the keras format logs weights and biases only
        for step, buckets in enumerate(core.arrays(run, tag_name(fmt, kind, layer))):
            low, high = _support(buckets)
            assert low == high, (kind, layer, step)
    # The first layer and the output layer do get a few distinct values (one per input row /
    # class column), so their last step has a real spread while their first step has none.
    for layer in (0, 3):
        arrays = core.arrays(run, tag_name(fmt, "weight", layer))
        first, last = _support(arrays[0]), _support(arrays[-1])
        assert first[0] == first[1]
        assert last[1] > last[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_healthy_run_learns(core: Logdir, fmt: str) -> None:
    run = SCENARIOS["healthy"].run_name(fmt)
    loss = [p.value for p in core.scalars[run]["loss"]]
    assert np.mean(loss[-3:]) < np.mean(loss[:3]) - 0.05
    for layer in range(4):
        for kind in ("weight", "bias"):
            arrays = core.arrays(run, tag_name(fmt, kind, layer))
            assert not np.array_equal(arrays[0], arrays[-1]), (layer, kind)


def test_both_formats_log_the_same_values(core: Logdir) -> None:
    """Same training, two writers: the value ranges of every tag agree at every step."""
    scenario = SCENARIOS["healthy"]
    table = {fmt: list(tag_table(fmt, scenario.n_layers)) for fmt in FORMATS}
    for legacy_tag, tf2_tag in zip(table["legacy"], table["tf2"]):
        legacy = core.arrays(scenario.run_name("legacy"), legacy_tag)
        tf2 = core.arrays(scenario.run_name("tf2"), tf2_tag)
        for a, b in zip(legacy, tf2):
            # Legacy data reaches the Python provider as float32: compare at that precision.
            np.testing.assert_allclose(
                [a[0, 0], a[-1, 1]], [b[0, 0], b[-1, 1]], rtol=1e-6, atol=1e-30
            )
            assert a[:, 2].sum() == b[:, 2].sum()


def test_nan_midway_is_written_by_both_writers(tmp_path: Path) -> None:
    results = {r.format: r for r in write_scenario("nan_midway", tmp_path, steps=6)}
    data = Logdir(tmp_path)
    nan_step = 3 * SCENARIOS["nan_midway"].config.log_every  # ceil(0.6 * 5) = logged step 3
    # tensorboardX cannot write all-NaN arrays (it raises); the writer skips and records them.
    assert results["legacy"].skipped
    assert not results["tf2"].skipped
    legacy = data.hist["nan_midway_legacy"]["fc2.weight"]
    assert legacy[-1].step == nan_step
    assert not np.isfinite(legacy[-1].numpy).all()
    assert all(np.isfinite(d.numpy).all() for d in legacy[:-1])
    tf2 = data.hist["nan_midway_tf2"]["dense_1/kernel_0"]
    assert next(d.step for d in tf2 if not np.isfinite(d.numpy[:, :2]).all()) == nan_step
    loss = [p.value for p in data.scalars["nan_midway_tf2"]["loss"]]
    assert np.isfinite(loss[:3]).all()
    assert np.isnan(loss[3:]).all()


def test_generate_replaces_its_runs_and_nothing_else(tmp_path: Path) -> None:
    stale = tmp_path / "lr_zero_tf2"
    stale.mkdir()
    (stale / "events.out.tfevents.stale").write_bytes(b"junk")
    other = tmp_path / "my_run"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    paths = generate(tmp_path, scenarios=["lr_zero"], formats=("tf2",), steps=2)
    assert paths == [tmp_path / "lr_zero_tf2"]
    assert not (stale / "events.out.tfevents.stale").exists()
    assert len(list(stale.glob("events.out.tfevents.*"))) == 1
    assert (other / "keep.txt").read_text() == "mine"


def test_unknown_names_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        generate(tmp_path, scenarios=["nope"])
    with pytest.raises(ValueError, match="unknown format"):
        generate(tmp_path, formats=("tf3",))


def test_cli_writes_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [str(tmp_path), "--scenario", "lr_zero", "--format", "tf2", "--steps", "3"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "lr_zero_tf2: loss " in out
    assert "over 3 steps" in out
    assert (tmp_path / "lr_zero_tf2").is_dir()


def test_expectations_name_existing_tags() -> None:
    for scenario in (*SCENARIOS.values(), *VARIANTS.values()):
        for fmt in scenario.formats:
            tags = set(tag_table(fmt, scenario.n_layers, scenario.n_conv))
            layers = {
                layer for _, layer, _ in tag_table(fmt, scenario.n_layers, scenario.n_conv).values()
            }
            for present in (True, False):
                assert set(scenario.expected_layers(fmt, present)) <= layers, scenario.name
            must = scenario.expected_tags(fmt)
            must_not = scenario.expected_tags(fmt, present=False)
            assert set(must) <= tags, scenario.name
            assert set(must_not) <= tags, scenario.name
            for tag in set(must) & set(must_not):
                assert not must[tag] & must_not[tag], (scenario.name, tag)
    frozen = SCENARIOS["frozen_early"].expected_tags("tf2")
    assert frozen["dense/kernel_0"] == {"frozen"}
    assert "dense_3/kernel_0" not in frozen
    conv = SCENARIOS["frozen_conv"]
    assert conv.expected_tags("legacy")["conv2.bias"] == {"frozen"}
    assert conv.expected_tags("tf2", present=False)["dense/kernel_0"] == {"frozen"}
    assert SCENARIOS["bias_only"].expected_layers("legacy") == {
        f"fc{i}": {"bias_only"} for i in range(1, 5)
    }


def test_cnn_tags_name_conv_layers_like_pytorch_and_keras() -> None:
    """Conv layers come first and are named as PyTorch modules / Keras Conv1D layers, and the
    tag parser maps every tag back to the layer, role and depth the writer meant."""
    from tb_histdiag.engine.roles import assign_roles

    scenario = SCENARIOS["healthy_cnn"]
    n, n_conv = scenario.n_layers, scenario.n_conv
    assert (n, n_conv) == (4, 2)
    assert [tag_name("legacy", "weight", i, n_conv) for i in range(n)] == [
        "conv1.weight",
        "conv2.weight",
        "fc1.weight",
        "fc2.weight",
    ]
    assert [tag_name("keras", "weight", i, n_conv) for i in range(n)] == [
        "conv1d/kernel_0",
        "conv1d_1/kernel_0",
        "dense/kernel_0",
        "dense_1/kernel_0",
    ]
    assert tag_name("tf2", "bias_grad", 1, n_conv) == "conv1d_1/bias_0/gradient"
    for fmt in FORMATS:
        table = tag_table(fmt, n, n_conv)
        for order in (sorted(table), sorted(table, reverse=True), list(table)):
            roles = assign_roles(order)
            got = {t: (roles[t].depth, roles[t].layer, roles[t].role) for t in table}
            assert got == table, (fmt, order[:3])


def test_cnn_shapes_and_the_frozen_and_bias_only_configs() -> None:
    records = list(train(SCENARIOS["frozen_conv"].config, 4))
    first, last = records[0].layers, records[-1].layers
    # Keras layout: Conv1D kernels [kernel_size, in, out]; activations [batch, length, channels].
    assert [layer.weight.shape for layer in first] == [(5, 1, 8), (5, 8, 16), (384, 32), (32, 3)]
    assert first[1].activation.shape == (128, 24, 16)
    for i in (0, 1):  # the frozen conv layers: not updated, but they do get gradients
        assert np.array_equal(first[i].weight, last[i].weight)
        assert np.array_equal(first[i].bias, last[i].bias)
        assert np.abs(last[i].weight_grad).mean() > 0
    for i in (2, 3):
        assert not np.array_equal(first[i].weight, last[i].weight)
    records = list(train(SCENARIOS["bias_only"].config, 4))
    for a, b in zip(records[0].layers, records[-1].layers):
        assert np.array_equal(a.weight, b.weight)
        assert not np.array_equal(a.bias, b.bias)


def test_cnn_learns_the_motifs() -> None:
    """The healthy CNN really learns: the loss falls well below chance (ln 3 = 1.10)."""
    losses = [r.loss for r in train(SCENARIOS["healthy_cnn"].config, 40)]
    assert np.mean(losses[:3]) > 1.0
    assert np.mean(losses[-3:]) < 0.7


def _assert_gradients_match(weights, biases, x, y, activation: str) -> None:
    """Every backprop gradient equals central finite differences of the loss."""
    result = forward_backward(weights, biases, x, y, activation)
    eps = 1e-6
    for layer in range(len(weights)):
        for params, grads in ((weights, result.weight_grads), (biases, result.bias_grads)):
            p = params[layer]
            numeric = np.empty_like(p)
            for i in range(p.size):
                saved = p.flat[i]
                p.flat[i] = saved + eps
                up = forward_backward(weights, biases, x, y, activation).loss
                p.flat[i] = saved - eps
                down = forward_backward(weights, biases, x, y, activation).loss
                p.flat[i] = saved
                numeric.flat[i] = (up - down) / (2 * eps)
            assert grads[layer].shape == p.shape
            np.testing.assert_allclose(grads[layer], numeric, rtol=1e-4, atol=1e-8)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_backprop_matches_finite_differences(activation: str) -> None:
    config = TrainConfig(hidden=(5, 4), activation=activation, input_dim=3, n_samples=30)
    rng = np.random.default_rng(1)
    x, y = make_spirals(config.n_samples, config.input_dim, config.classes, rng)
    weights, biases = init_params(config, rng)
    _assert_gradients_match(weights, biases, x, y, activation)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_cnn_backprop_matches_finite_differences(activation: str) -> None:
    """Two Conv1D layers (im2col), a flatten and two dense layers: every gradient is exact."""
    config = TrainConfig(
        conv=(3, 2),
        kernel_size=3,
        signal_length=8,
        hidden=(4,),
        activation=activation,
        n_samples=12,
        init="normal",
        init_scale=0.7,
    )
    rng = np.random.default_rng(2)
    x, y = make_data(config, rng)
    assert x.shape == (12, 8, 1)
    weights, biases = init_params(config, rng)
    assert [w.shape for w in weights] == [(3, 1, 3), (3, 3, 2), (8, 4), (4, 3)]
    biases = [rng.normal(0.0, 0.3, b.shape) for b in biases]  # non-zero biases, too
    _assert_gradients_match(weights, biases, x, y, activation)


def test_training_is_deterministic() -> None:
    for name in ("healthy", "healthy_cnn"):
        config = SCENARIOS[name].config
        a, b = list(train(config, 3)), list(train(config, 3))
        assert [r.loss for r in a] == [r.loss for r in b]
        for ra, rb in zip(a, b):
            for la, lb in zip(ra.layers, rb.layers):
                assert np.array_equal(la.weight, lb.weight)
                assert np.array_equal(la.activation, lb.activation)
