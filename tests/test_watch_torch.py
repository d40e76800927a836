"""The plain-PyTorch pattern of the README: a training loop that logs with ``SummaryWriter``
and asks a :class:`~tb_histdiag.Watcher` after each logged step whether to stop."""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")

import tb_histdiag  # noqa: E402

LOG_EVERY = 5
STEPS = 120


def train(logdir: str, corrupt_at: int | None = None) -> tuple[int, list]:
    """Train a small MLP; at ``corrupt_at`` a few weights become NaN (a corrupted update).
    Return the step the loop stopped at and the findings that stopped it."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    x = torch.randn(256, 8)
    y = x[:, :1] * 2.0 - x[:, 1:2]

    # The pattern: the writer logs, the watcher reads the same run after each flush.
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(os.path.join(logdir, "exp1"))
    watcher = tb_histdiag.Watcher(logdir, runs=["exp1"], min_severity="warning")
    stopped = []
    step = 0
    for step in range(STEPS):
        if step == corrupt_at:
            with torch.no_grad():
                model[0].weight[0, :3] = float("nan")
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        if step % LOG_EVERY == 0:
            for name, p in model.named_parameters():
                writer.add_histogram(name, p, step)
                # torch's add_histogram raises on a tensor without one finite value
                if torch.isfinite(p.grad).any():
                    writer.add_histogram(f"{name}.grad", p.grad, step)
            writer.add_scalar("loss", loss.item(), step)
            writer.flush()
            stopped = [
                f for f in watcher.poll() if f.event != "resolved" and f.severity == "critical"
            ]
            if stopped:
                break
        optimizer.step()
    writer.close()
    watcher.close()
    return step, stopped


def test_a_healthy_torch_loop_runs_to_the_end(tmp_path):
    step, stopped = train(str(tmp_path))
    assert stopped == []
    assert step == STEPS - 1


def test_a_torch_loop_stops_at_the_logged_step_that_shows_nan(tmp_path):
    step, stopped = train(str(tmp_path), corrupt_at=50)
    assert step == 50
    assert {f.id for f in stopped} == {"nonfinite"}
    assert "0.weight" in {f.name for f in stopped}
    assert all(f.first_step == 50 for f in stopped)
