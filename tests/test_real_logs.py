"""The engine on logs written by real PyTorch training with ``torch.utils.tensorboard``.

Each run is a small real model trained for real (autograd, torch optimizers) and logged the way
people log: ``named_parameters()``, their gradients as ``grad/<name>``, ``named_buffers()``, a
``loss`` scalar. The runs reproduce classes of real-world logs the engine once got wrong
(issue 13): normalisation layers, biases exploding from 0, values beyond the writer's bucket
range, input data and output probabilities.
"""

from __future__ import annotations

import numpy as np
import pytest
from tensorboard import context

from tb_histdiag.engine import stats
from tb_histdiag.engine.diagnosis import Diagnoser
from tb_histdiag.reading.reader import HistogramReader
from tb_histdiag.reports import phrases
from tests.conftest import python_provider

torch = pytest.importorskip("torch")
from torch.utils.tensorboard import SummaryWriter  # noqa: E402

LOG_EVERY = 3
STEPS = 120


def _log_model(w, model, step: int, loss: float, grads: bool = True) -> None:
    w.add_scalar("loss", loss, step)
    for name, p in model.named_parameters():
        w.add_histogram(name, p.detach(), step)
        if grads and p.grad is not None:
            w.add_histogram(f"grad/{name}", p.grad, step)
    for name, b in model.named_buffers():
        if b.is_floating_point():
            w.add_histogram(name, b, step)


def _images(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """8x8 noise images with one of three class patterns (a bar, a column, a diagonal)."""
    y = torch.randint(0, 3, (n,), generator=generator)
    x = torch.randn(n, 1, 8, 8, generator=generator) * 0.5
    pattern = torch.zeros(3, 8, 8)
    pattern[0, 3:5, :] = 1.5
    pattern[1, :, 3:5] = 1.5
    pattern[2] = torch.eye(8) * 1.5
    return x + pattern[y].unsqueeze(1), y


class _NormCNN(torch.nn.Module):
    """Conv (with bias) → BatchNorm → ReLU twice, then a LayerNorm-ed dense head."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(8)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, padding=1)
        self.bn2 = torch.nn.BatchNorm2d(16)
        self.fc1 = torch.nn.Linear(16, 64)
        self.norm = torch.nn.LayerNorm(64)
        self.head = torch.nn.Linear(64, 3)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        x = x.mean(dim=(2, 3))
        return self.head(torch.relu(self.norm(self.fc1(x))))


def write_norm_cnn(run_dir: str) -> list[float]:
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    model = _NormCNN()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    with SummaryWriter(run_dir) as w:
        for step in range(STEPS):
            x, y = _images(64, g)
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            if step % LOG_EVERY == 0:
                _log_model(w, model, step, loss.item())
            opt.step()
            losses.append(loss.item())
    return losses


def write_linear_regression(run_dir: str, lr: float) -> list[float]:
    """A linear regression with a zero-initialised bias, logged at every step. At lr 0.3 every
    update overshoots (the curvature is 8) and the parameters grow geometrically, ×1.4 a step;
    at lr 0.05 it learns the noisy targets, the bias going from 0 to ~1."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(8, 1))
    torch.nn.init.zeros_(model[0].bias)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    true_w = torch.randn(8, 1, generator=g)
    losses = []
    with SummaryWriter(run_dir) as w:
        for step in range(90):
            x = torch.randn(64, 8, generator=g) * 2.0
            target = x @ true_w + 0.3 * torch.randn(64, 1, generator=g) + 1.0
            loss = torch.nn.functional.mse_loss(model(x), target)
            if not torch.isfinite(loss):
                break
            opt.zero_grad()
            loss.backward()
            _log_model(w, model, step, loss.item())
            opt.step()
            losses.append(loss.item())
    return losses


def write_classifier_with_data_and_probabilities(run_dir: str) -> list[float]:
    """A confident MLP classifier that also logs its input batch and its softmax output."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(2)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 3))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    x_fixed, _ = _images(256, g)
    with SummaryWriter(run_dir) as w:
        for step in range(STEPS):
            x, y = _images(64, g)
            logits = model(x.flatten(1))
            loss = torch.nn.functional.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            if step % LOG_EVERY == 0:
                _log_model(w, model, step, loss.item())
                w.add_histogram("input", x_fixed, step)
                with torch.no_grad():
                    w.add_histogram("probs", torch.softmax(model(x_fixed.flatten(1)), 1), step)
            opt.step()
            losses.append(loss.item())
    return losses


def write_beyond_bucket_range(run_dir: str) -> None:
    """A tensor that explodes past ±1e20, where PyTorch's default bins stop counting."""
    g = torch.Generator().manual_seed(3)
    base = torch.randn(1000, generator=g, dtype=torch.float64)
    with SummaryWriter(run_dir) as w:
        for step in range(30):
            scale = 0.1 * 10.0 ** (step * 0.9)
            values = base * scale
            values[:400] = torch.randn(400, generator=g, dtype=torch.float64) * 1e-3
            w.add_histogram("fc1.weight", values, step)


WRITERS = {
    "norm_cnn": write_norm_cnn,
    "diverging": lambda run_dir: write_linear_regression(run_dir, lr=0.3),
    "converging": lambda run_dir: write_linear_regression(run_dir, lr=0.05),
    "classifier": write_classifier_with_data_and_probabilities,
    "beyond_range": write_beyond_bucket_range,
}


@pytest.fixture(scope="module")
def logdir_and_losses(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("torch_logs")
    losses = {name: write(str(logdir / name)) for name, write in WRITERS.items()}
    return str(logdir), losses


@pytest.fixture(scope="module")
def real_runs(logdir_and_losses):
    logdir, losses = logdir_and_losses
    diagnoser = Diagnoser(HistogramReader(python_provider(logdir)))
    result = diagnoser.diagnose(context.RequestContext(), "")
    return {run.run: run for run in result.runs}, losses


def _tags(run):
    return {t.tag: t for t in run.tags}


def _alarms(run):
    found = [(t.tag, v.id) for t in run.tags for v in t.verdicts if v.severity != "info"]
    found += [(layer.layer, v.id) for layer in run.layers for v in layer.verdicts]
    return found + [("(run)", v.id) for v in run.verdicts if v.severity != "info"]


def test_a_learning_cnn_with_batchnorm_and_layernorm_raises_no_alarm(real_runs):
    runs, losses = real_runs
    assert np.mean(losses["norm_cnn"][-10:]) < 0.5 * np.mean(losses["norm_cnn"][:10])
    run = runs["norm_cnn"]
    assert _alarms(run) == []
    tags = _tags(run)
    # The tensor's own name: BatchNorm/LayerNorm scales and shifts, running statistics.
    assert tags["bn1.weight"].role == "norm_scale"
    assert tags["norm.bias"].role == "norm_shift"
    assert tags["bn2.running_var"].role == "running_stat"
    # A conv bias before BatchNorm gets a zero gradient by construction: said, as info.
    for tag in ("conv1.bias", "grad/conv1.bias", "conv2.bias", "grad/conv2.bias"):
        assert [v.id for v in tags[tag].verdicts] == ["redundant_bias"], tag
        assert tags[tag].verdicts[0].severity == "info"
    assert "bias=False" in tags["conv1.bias"].verdicts[0].fix


def test_a_tag_filter_never_changes_a_verdict(logdir_and_losses, real_runs):
    """Shown alone, a conv bias before BatchNorm is still told as made redundant by it: the
    run-wide step sees every tag of the run whatever the filter shows."""
    logdir, _ = logdir_and_losses
    diagnoser = Diagnoser(HistogramReader(python_provider(logdir)))
    wanted = {"conv1.bias", "grad/conv1.bias"}
    (run,) = diagnoser.diagnose(
        context.RequestContext(), "", runs="norm_cnn".__eq__, tags=wanted.__contains__
    ).runs
    assert {t.tag for t in run.tags} == wanted
    full = _tags(real_runs[0]["norm_cnn"])
    for tag in run.tags:
        assert tag.verdicts == full[tag.tag].verdicts
        assert [v.id for v in tag.verdicts] == ["redundant_bias"]
    assert [layer.tags for layer in run.layers] == [("conv1.bias", "grad/conv1.bias")]


def test_biases_exploding_from_zero_are_caught_and_learning_zero_biases_are_not(real_runs):
    runs, losses = real_runs
    assert losses["diverging"][-1] > 1e20 * losses["diverging"][0]
    tags = _tags(runs["diverging"])
    bias = tags["0.bias"]
    assert bias.verdicts[0].id == "exploding", bias.verdicts
    assert bias.verdicts[0].evidence["from_zero"] is True
    assert bias.verdicts[0].evidence["max_abs"] >= 1e10
    assert phrases.loss_text(runs["diverging"]).endswith("×: training diverges")
    # The same model at half the learning rate: its zero-initialised biases learn (to ~1),
    # and nothing is said about them.
    assert np.mean(losses["converging"][-10:]) < 0.1 * losses["converging"][0]
    learning = _tags(runs["converging"])
    assert learning["0.bias"].first_step == 0
    assert 0.5 < learning["0.bias"].facts["mean_abs"] < 2.0
    assert _alarms(runs["converging"]) == []


def test_values_beyond_the_bucket_range_are_exploding_never_constant(real_runs):
    runs, _ = real_runs
    (verdict,) = _tags(runs["beyond_range"])["fc1.weight"].verdicts
    assert verdict.id == "exploding"
    assert "beyond ±1e20" in verdict.summary
    assert verdict.evidence["beyond_range_step"] > 0


def test_input_data_and_output_probabilities_are_not_hidden_layers(real_runs):
    runs, _ = real_runs
    tags = _tags(runs["classifier"])
    assert tags["input"].role == "input"
    assert tags["probs"].role == "output"
    assert tags["input"].verdicts == ()
    assert tags["probs"].verdicts == ()


@pytest.fixture(scope="module")
def tuning_torch_logdir(tmp_path_factory):
    """PyTorch families of the labelled corpus, tuning variants, at full length."""
    from tb_histdiag.scenarios.corpus import TORCH, Job, run_job

    logdir = tmp_path_factory.mktemp("torch_tuning")
    for name, variant in (
        ("explode_then_die", 0),
        ("explode_then_die", 2),
        ("deep_sigmoid", 0),
        ("weight_decay_collapse", 0),
    ):
        run_job(Job(TORCH, name, variant), logdir)
    return str(logdir)


@pytest.fixture(scope="module")
def tuning_torch_runs(tuning_torch_logdir):
    diagnoser = Diagnoser(HistogramReader(python_provider(tuning_torch_logdir)))
    result = diagnoser.diagnose(context.RequestContext(), "")
    return {run.run: run for run in result.runs}


def test_gradients_that_explode_then_die_are_told_as_an_explosion_first(tuning_torch_runs):
    """A tanh net at a far too high learning rate: its gradients grow by orders of magnitude,
    the units saturate, and the gradients are exactly 0 from then on. The root cause is the
    explosion; the zeros are its consequence, in the same verdict."""
    tags = _tags(tuning_torch_runs["torch_explode_then_die_v0"])
    for tag in ("gradients/fc1.weight", "gradients/fc2.weight", "gradients/fc3.weight"):
        (verdict,) = tags[tag].verdicts
        assert verdict.id == "exploding", (tag, verdict.title)
        assert verdict.evidence["followed_by"] == "vanishing"
        assert verdict.evidence["growth"] >= 1e3
        assert "then gradients are exactly 0" in verdict.title
        assert "the explosion is the cause" in verdict.summary


def test_gradients_vanishing_under_collapsing_weights_are_told_as_its_consequence(
    tuning_torch_runs,
):
    """Weight decay far too strong (SGD, weight_decay 4): every weight collapses towards 0 from
    step 4, and the gradients through the layers shrink with them, to exactly 0. The alarm is
    the collapse on the weights; the gradients say they follow from it, as info, with the
    collapse's fix."""
    run = tuning_torch_runs["torch_weight_decay_collapse_v0"]
    tags = _tags(run)
    for layer in ("fc1", "fc2", "fc3", "fc4"):
        (collapse,) = tags[f"{layer}.weight"].verdicts
        assert collapse.id == "collapsing"
        assert collapse.severity in ("warning", "critical")
        (told,) = tags[f"grad/{layer}.weight"].verdicts
        assert (told.id, told.severity) == ("vanishing", "info")
        assert told.evidence["collapsing_tag"] == f"{layer}.weight"
        assert told.title.endswith(", as the weights they update collapse")
        assert told.fix == collapse.fix
    alarms = {t.tag for t in run.tags for v in t.verdicts if v.severity != "info"}
    assert not any(tag.startswith("grad/") for tag in alarms)


def test_gradients_that_explode_in_one_step_bursts_are_told_as_an_explosion(
    tuning_torch_logdir, tuning_torch_runs
):
    """The same tanh net at another seed: the gradients of some layers jump by 1e4 to 1e10 at
    single logged steps with exact zeros in between and after (never two large steps in a row),
    while the weights they update explode. The bursts are the explosion; the steps it quotes are
    the series' own. Which layers burst depends on the machine's floating point (the training is
    chaotic: on one CPU fc1 and fc2 burst, on another fc2's gradients stay large for several
    steps, which the tag's own rule reads), so the bursting layers are found from the data."""
    name = "torch_explode_then_die_v2"
    tags = _tags(tuning_torch_runs[name])
    reader = HistogramReader(python_provider(tuning_torch_logdir))
    ctx = context.RequestContext()
    (verdict,) = tags["gradients/fc3.weight"].verdicts
    assert verdict.id == "exploding"  # held over steps 4-6 (x120): the tag's own rule
    bursting = []
    for layer in ("fc1", "fc2"):
        tag = f"gradients/{layer}.weight"
        (verdict,) = tags[tag].verdicts
        assert verdict.id == "exploding", (tag, verdict.title)
        assert "exploding" in {v.id for v in tags[f"{layer}.weight"].verdicts}
        assert verdict.evidence["followed_by"] == "vanishing"
        (series,) = reader.read(ctx, "", name, [tag]).values()
        s = stats.compute(series.steps, series.left, series.right, series.counts)
        size = np.sqrt(s.std**2 + s.mean**2)
        large = size >= 100 * size[0]
        if bool((large[1:] & large[:-1]).any()):
            assert "burst_steps" not in verdict.evidence  # held: the tag's own rule
            continue
        bursting.append(layer)
        assert verdict.evidence["pushed_tag"] == f"{layer}.weight"
        bursts = [
            int(np.flatnonzero(series.steps == step)[0]) for step in verdict.evidence["burst_steps"]
        ]
        assert bursts
        assert all(large[i] for i in bursts)
        assert max(size[i] for i in bursts) / size[0] == pytest.approx(verdict.evidence["growth"])
    assert bursting, "no layer's gradients burst: the run no longer tests the burst story"


def test_weights_frozen_by_vanishing_gradients_say_so(tuning_torch_runs):
    """A deep sigmoid stack: the first layer's updates are too small to change a float32 weight.
    'frozen' is true of its histogram, but its own gradient tag shows why, and no 'bias_only'
    story is told."""
    run = tuning_torch_runs["torch_deep_sigmoid_v0"]
    tags = _tags(run)
    (verdict,) = tags["net.0.weight"].verdicts
    assert verdict.id == "frozen"
    assert verdict.title.endswith("its gradients vanish")
    assert verdict.evidence["vanishing_gradient_tag"] == "grad/net.0.weight"
    assert "requires_grad" not in verdict.fix
    assert all(not layer.verdicts for layer in run.layers)
