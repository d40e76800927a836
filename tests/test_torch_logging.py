"""``tb_histdiag.torch_logging.log_histograms`` in real PyTorch training loops: the names it
writes, that the probe leaves the model as it was, and that a run logged with it has its cause
read from activations and gradients, not inferred from the weights."""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")

from torch.utils.tensorboard import SummaryWriter  # noqa: E402

import tb_histdiag  # noqa: E402
from tb_histdiag.engine.roles import assign_roles  # noqa: E402
from tb_histdiag.torch_logging import log_histograms  # noqa: E402

STEPS = 240
LOG_EVERY = 10


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    x = torch.randn(1024, 16, generator=g)
    y = (x[:, :4].sum(1) > 0).long() + (x[:, 4] > 0.5).long()
    return x, y


def _model(kind: str) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(0)
    nn = torch.nn
    if kind == "sigmoid":  # eight sigmoid layers: the gradient shrinks on its way back
        layers: list[nn.Module] = []
        for i in range(8):
            layers += [nn.Linear(16 if i == 0 else 32, 32), nn.Sigmoid()]
        model = nn.Sequential(*layers, nn.Linear(32, 3))
        return model, torch.optim.SGD(model.parameters(), lr=0.05)
    model = nn.Sequential(
        nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3)
    )
    if kind == "dead":  # biases of -5: every hidden unit outputs 0 from the first step
        with torch.no_grad():
            model[0].bias.fill_(-5.0)
            model[2].bias.fill_(-5.0)
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def train(logdir: str, kind: str, *, writer_cls=SummaryWriter) -> list[str]:
    """A real training loop that calls ``log_histograms`` as the README shows."""
    torch.set_num_threads(1)
    x, y = _data()
    model, optimizer = _model(kind)
    writer = writer_cls(os.path.join(logdir, kind))
    g = torch.Generator().manual_seed(2)
    tags: list[str] = []
    for step in range(STEPS):
        batch = torch.randint(0, len(x), (64,), generator=g)
        loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        if step % LOG_EVERY == 0:
            tags = log_histograms(writer, model, step, probe=x[:256])
            writer.add_scalar("loss", loss.item(), step)
        optimizer.step()
    writer.close()
    return tags


def _verdicts(logdir: str, run: str) -> dict[str, dict[str, dict]]:
    """Per tag: verdict id → evidence, of ``run`` diagnosed from the logdir."""
    (diagnosis,) = tb_histdiag.diagnose(logdir, runs=[run]).runs
    return {t.tag: {v.id: v.evidence for v in t.verdicts} for t in diagnosis.tags}


def test_the_names_say_each_tensors_role():
    writer_calls = []

    class Recorder:
        def add_histogram(self, tag, values, step):
            writer_calls.append((tag, step))

    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        torch.nn.BatchNorm1d(8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 2),
        torch.nn.Softmax(dim=1),
    )
    torch.nn.functional.mse_loss(model(torch.randn(5, 4)), torch.zeros(5, 2)).backward()
    tags = log_histograms(Recorder(), model, 7, probe=torch.randn(5, 4))
    assert tags == [tag for tag, _ in writer_calls]
    assert {step for _, step in writer_calls} == {7}
    assert tags == [
        "0.weight",
        "0.bias",
        "1.BatchNorm1d.weight",  # a BatchNorm's scale, not a layer's weight
        "1.BatchNorm1d.bias",
        "3.weight",
        "3.bias",
        "5.weight",
        "5.bias",
        "1.BatchNorm1d.running_mean",
        "1.BatchNorm1d.running_var",
        "0.weight.grad",
        "0.bias.grad",
        "1.BatchNorm1d.weight.grad",
        "1.BatchNorm1d.bias.grad",
        "3.weight.grad",
        "3.bias.grad",
        "5.weight.grad",
        "5.bias.grad",
        "0/preactivations",
        "0/activations",  # the ReLU after the BatchNorm belongs to the layer it follows
        "3/preactivations",
        "3/activations",
        "5/preactivations",
        "5/predictions",  # the model's output, after a softmax
    ]
    roles = assign_roles(tags)
    assert roles["0/preactivations"].role == "preactivation"
    assert roles["0/activations"].role == "activation"
    assert roles["5/predictions"].role == "output"
    assert roles["1.BatchNorm1d.running_var"].role == "running_stat"
    assert roles["1.BatchNorm1d.weight"].role == "norm_scale"
    assert roles["1.BatchNorm1d.bias"].role == "norm_shift"
    assert roles["3.weight.grad"].role == "gradient"
    assert roles["0/activations"].layer == roles["0.weight"].layer == "0"


def test_the_probe_leaves_the_model_as_it_was():
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        torch.nn.BatchNorm1d(8),
        torch.nn.ReLU(inplace=True),
        torch.nn.Dropout(0.5),
        torch.nn.Linear(8, 1),
    )
    model.train()
    model[1].eval()  # a BatchNorm frozen on purpose stays in eval mode
    before = {k: v.clone() for k, v in model.state_dict().items()}
    written = {}

    class Recorder:
        def add_histogram(self, tag, values, step):
            written[tag] = values.numpy().copy()

    probe = torch.randn(64, 4) * 3
    log_histograms(Recorder(), model, 0, probe=probe, parameters=False, gradients=False)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert [m.training for m in model] == [True, False, True, True, True]
    # The in-place ReLU did not overwrite the pre-activations it was recorded from.
    assert (written["0/preactivations"] < 0).any()
    assert (written["0/activations"] >= 0).all()
    assert list(written) == ["0/preactivations", "0/activations", "4/logits"]


def test_a_deep_sigmoid_stack_reads_vanishing_from_its_gradients(tmp_path):
    train(str(tmp_path), "sigmoid")
    verdicts = _verdicts(str(tmp_path), "sigmoid")
    first = verdicts["0.weight.grad"]
    assert "vanishing" in first
    assert not first["vanishing"].get("inferred")
    # Nothing anywhere is an inference: the gradients are in the logs.
    assert not any(e.get("inferred") for v in verdicts.values() for e in v.values())


def test_dead_units_are_read_from_their_activations(tmp_path):
    train(str(tmp_path), "dead")
    verdicts = _verdicts(str(tmp_path), "dead")
    for layer in ("0", "2"):
        assert "dead" in verdicts[f"{layer}/activations"]
        assert not verdicts[f"{layer}/activations"]["dead"].get("inferred")
    assert not any(e.get("inferred") for v in verdicts.values() for e in v.values())


def test_a_healthy_run_logged_with_it_is_clean_with_tensorboardx(tmp_path):
    tensorboardX = pytest.importorskip("tensorboardX")
    tags = train(str(tmp_path), "healthy", writer_cls=tensorboardX.SummaryWriter)
    assert "2/activations" in tags
    assert "0.weight.grad" in tags
    (diagnosis,) = tb_histdiag.diagnose(str(tmp_path)).runs
    assert diagnosis.status == "ok", [
        (t.tag, [v.id for v in t.verdicts]) for t in diagnosis.tags if t.verdicts
    ]
    assert {t.role for t in diagnosis.tags} >= {"weight", "bias", "gradient", "activation"}


def test_a_tensor_without_a_finite_value_is_logged_as_nan(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(64, 4)
    y = x[:, :1] - x[:, 1:2]
    writer = SummaryWriter(str(tmp_path / "run"))
    for step in range(8):
        if step == 5:  # a corrupted update: the first layer's weights are all NaN from here
            with torch.no_grad():
                model[0].weight.fill_(float("nan"))
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        log_histograms(writer, model, step, probe=x)  # torch's add_histogram would raise here
        optimizer.step()
    writer.close()
    (diagnosis,) = tb_histdiag.diagnose(str(tmp_path)).runs
    tags = {t.tag: t for t in diagnosis.tags}
    assert tags["0.weight"].steps == 8
    (verdict,) = tags["0.weight"].verdicts
    assert verdict.id == "nonfinite"
    assert verdict.evidence["first_nonfinite_step"] == 5
    assert verdict.evidence["last_finite_step"] == 4
