"""Several trainings written into one run directory (a script re-run with the same log_dir, a
training resumed from a checkpoint): each loader of TensorBoard hands them over differently, and
the engine judges what the latest writing left standing through both, saying so once per run
(``several_trainings``). Real PyTorch training loops write the runs; the numpy rules of
:mod:`tb_histdiag.reading.rewrites` are checked on plain arrays."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tb_histdiag import api
from tb_histdiag.reading.rewrites import latest_writes, restart_steps

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")

from torch.utils.tensorboard import SummaryWriter  # noqa: E402

from tb_histdiag.torch_logging import log_histograms  # noqa: E402


@pytest.mark.parametrize(
    ("steps", "kept", "restarts"),
    [
        ([0, 1, 2, 3], [0, 1, 2, 3], ()),
        # fit re-run from 0: only the latest training
        ([0, 1, 2, 3, 4, 0, 1, 2], [0, 1, 2], (0,)),
        # resumed at 3 after a crash at 5: the earlier steps before 3, then the latest
        ([0, 1, 2, 3, 4, 5, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5, 6], (3,)),
        # several tensors at each step (older Keras 3): the last of each, no restart
        ([0, 0, 1, 1, 2, 2], [0, 1, 2], ()),
        ([0, 1, 2, 0, 1, 0], [0], (0, 0)),
    ],
)
def test_what_the_latest_writing_leaves_standing(steps, kept, restarts):
    steps = np.array(steps, dtype=np.int64)
    keep = latest_writes(steps)
    assert steps[keep].tolist() == kept
    assert restart_steps(steps) == restarts
    assert (np.diff(keep) > 0).all()


def _train(run_dir: str, steps: range, *, frozen: bool) -> None:
    """A small MLP trained by SGD, logged every step with ``log_histograms``; ``frozen`` turns
    off the first layer's gradients (the bug someone re-runs the script to look at)."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(512, 16, generator=g)
    y = (x[:, :4].sum(1) > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(16, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))
    model[0].requires_grad_(not frozen)
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    # A new event file, named by the second it was opened in, as a re-run would be (a second
    # or more after the last one's end).
    time.sleep(1.0 - time.time() % 1.0 + 0.5)
    writer = SummaryWriter(run_dir)
    for step in steps:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        log_histograms(writer, model, step)
        writer.add_scalar("loss", loss.item(), step)
        optimizer.step()
    writer.close()


@pytest.fixture(scope="module")
def rerun_logdir(tmp_path_factory):
    """``rerun``: 30 steps of healthy training, then the script re-run with the first layer
    frozen for 12 steps into the same directory. ``resumed``: 30 steps, then resumed at 20."""
    logdir = tmp_path_factory.mktemp("rewrites")
    _train(str(logdir / "rerun"), range(30), frozen=False)
    _train(str(logdir / "rerun"), range(12), frozen=True)
    _train(str(logdir / "resumed"), range(30), frozen=False)
    _train(str(logdir / "resumed"), range(20, 40), frozen=False)
    return str(logdir)


@pytest.mark.parametrize("load_fast", [False, True])
def test_a_rerun_is_judged_on_the_latest_training_through_both_loaders(rerun_logdir, load_fast):
    diagnosis = api.diagnose(rerun_logdir, runs=["rerun"], load_fast=load_fast)
    (run,) = diagnosis.runs
    tags = {t.tag: t for t in run.tags}
    first = tags["0.weight"]
    # Only the second training's 12 steps, whose first layer never moves.
    assert (first.first_step, first.last_step, first.steps) == (0, 11, 12)
    assert [v.id for v in first.verdicts] == ["frozen"]
    assert tags["2.weight"].verdicts == ()
    assert tags["2.weight"].steps == 12
    assert run.loss is not None
    verdicts = {v.id: v for v in run.verdicts}
    verdict = verdicts["several_trainings"]
    assert tags["0.weight.grad"].steps == 30
    if load_fast:
        # The data server has dropped the first training of every tag written again by the
        # time the engine reads; the wall clock still shows the frozen layer's gradients
        # stopped (at step 29) before the other tags began again at step 0.
        assert verdict.evidence == {
            "trainings": 2,
            "restart_step": 0,
            "from_start": None,
            "tags": len(run.tags) - 2,
            "earlier_only_tags": 2,
        }
        assert "had stopped at step 29 (their wall-clock times)" in verdict.summary
        assert (
            verdict.title
            == "At least 2 trainings written into this run directory: the latest is judged"
        )
        return
    assert verdict.severity == "info"
    # The frozen layer has no gradients in the re-run: its gradient tags are the first run's.
    assert verdict.evidence == {
        "trainings": 2,
        "restart_step": 0,
        "from_start": True,
        "tags": len(run.tags) - 2,
        "earlier_only_tags": 2,
    }
    assert (
        "'0.bias.grad' and '0.weight.grad' were last written by an earlier training"
        in verdict.summary
    )
    assert (
        "the latest starting again from its first step (0), as a script re-run" in verdict.summary
    )
    assert "only the latest training is judged" in verdict.summary
    assert verdict.title == "2 trainings written into this run directory: the latest is judged"


@pytest.mark.parametrize("load_fast", [False, True])
def test_a_resumed_training_keeps_its_earlier_steps(rerun_logdir, load_fast):
    (run,) = api.diagnose(rerun_logdir, runs=["resumed"], load_fast=load_fast).runs
    weight = next(t for t in run.tags if t.tag == "0.weight")
    assert (weight.first_step, weight.last_step, weight.steps) == (0, 39, 40)
    assert weight.status == "ok"
    if load_fast:  # every tag was written again: nothing is left to tell it by
        assert [v.id for v in run.verdicts] == []
    else:
        (verdict,) = [v for v in run.verdicts if v.id == "several_trainings"]
        assert verdict.evidence["restart_step"] == 20
        assert "starting again at step 20, as a training resumed" in verdict.summary
        assert "steps before 20 come from the earlier writing" in verdict.summary


def test_the_json_document_carries_the_run_verdict(rerun_logdir):
    document = api.diagnose(rerun_logdir, runs=["rerun"], load_fast=False).to_dict()
    (run,) = document["runs"]
    (verdict,) = [v for v in run["verdicts"] if v["id"] == "several_trainings"]
    assert verdict["steps"] == [0, 11]
    assert "0.weight" in verdict["tags"]
