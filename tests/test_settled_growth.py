"""A weight that grows past the ``exploding`` bars and settles while the loss falls is a reached
value, not an explosion: a one-feature linear regression whose intercept climbs from ~0 to the
targets' scale (45), logged with ``torch.utils.tensorboard`` the way a public logdir of this kind
logs it (each scalar parameter as its own histogram, every 1,000 steps). An LR explosion grows
every layer at once; the corpus's exploding runs (``make eval``) keep their verdict."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")
from torch.utils.tensorboard import SummaryWriter  # noqa: E402

import tb_histdiag  # noqa: E402
from tb_histdiag.engine.roles import assign_roles  # noqa: E402


def _regression(logdir: str, steps: int = 20000, every: int = 1000) -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x = torch.rand(512, 1) * 40
    y = 2.0 * x + 45.0 + 0.5 * torch.randn(512, 1)
    model = torch.nn.Linear(1, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    writer = SummaryWriter(logdir)
    for step in range(steps):
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % every == 99:
            writer.add_histogram("weight_hist/0", model.weight.detach(), step)
            writer.add_histogram("weight_hist/1", model.bias.detach(), step)
            writer.add_scalar("loss", loss.item(), step)
    writer.close()


def test_a_bare_number_after_the_role_names_the_layer_not_an_input():
    roles = assign_roles(["weight_hist/0", "weight_hist/1", "activations/1", "x/0"])
    assert roles["weight_hist/0"].role == roles["weight_hist/1"].role == "weight"
    assert roles["activations/1"].role == "activation"
    assert roles["x/0"].role == "input"


def test_an_intercept_that_grows_to_the_targets_scale_and_settles_is_info(tmp_path):
    _regression(str(tmp_path / "run"))
    (run,) = tb_histdiag.diagnose(str(tmp_path), load_fast=False).runs
    assert run.loss.improvement > 0.5
    tags = {t.tag: t for t in run.tags}
    (verdict,) = tags["weight_hist/1"].verdicts
    assert verdict.id == "exploding"
    assert verdict.severity == "info"
    assert "settled" in verdict.title
    assert verdict.evidence["growth"] >= 10
    assert verdict.evidence["max_abs"] >= 10
    assert verdict.evidence["settle"] <= 1.1
    assert "keeps growing" in verdict.summary
    assert run.status == "info"
