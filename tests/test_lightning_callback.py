"""``tb_histdiag.lightning.DiagnosticsCallback`` in a real ``Trainer.fit`` with a
``TensorBoardLogger``. Lightning is not a dependency of the project: without it these tests are
skipped (``pip install lightning``)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed")
pl = pytest.importorskip(
    "lightning.pytorch", reason="PyTorch Lightning is not installed (pip install lightning)"
)

from lightning.pytorch.loggers import TensorBoardLogger  # noqa: E402

from tb_histdiag.lightning import DiagnosticsCallback  # noqa: E402

LOG_EVERY = 5
EPOCHS = 6
BATCHES = 8  # per epoch


class Regression(pl.LightningModule):
    """A small MLP; at ``corrupt_at`` (a global step) a few weights become NaN."""

    def __init__(self, corrupt_at: int | None = None):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1)
        )
        self.corrupt_at = corrupt_at

    def training_step(self, batch, batch_idx):
        if self.global_step == self.corrupt_at:
            with torch.no_grad():
                self.net[0].weight[0, :3] = float("nan")
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        if self.global_step % LOG_EVERY == 0:
            for name, p in self.named_parameters():
                self.logger.experiment.add_histogram(name, p, self.global_step)
        self.log("loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.05)


def fit(save_dir: str, corrupt_at: int | None = None):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x = torch.randn(BATCHES * 32, 8)
    y = x[:, :1] * 2.0 - x[:, 1:2]
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32)
    lines: list[str] = []
    ours = DiagnosticsCallback(stop_on="critical", every_n_steps=LOG_EVERY, log=lines.append)
    trainer = pl.Trainer(
        max_epochs=EPOCHS,
        logger=TensorBoardLogger(save_dir, name="exp"),
        callbacks=[ours],
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        accelerator="cpu",
        log_every_n_steps=1,
    )
    trainer.fit(Regression(corrupt_at), data)
    return ours, trainer, lines


def test_a_healthy_fit_runs_to_the_end(tmp_path):
    ours, trainer, lines = fit(str(tmp_path))
    assert ours.stopped_by is None, lines
    assert trainer.global_step == EPOCHS * BATCHES


def test_a_fit_whose_weights_turn_nan_is_stopped_at_that_step(tmp_path):
    ours, trainer, lines = fit(str(tmp_path), corrupt_at=20)
    assert ours.stopped_by is not None, lines
    assert ours.stopped_by.id == "nonfinite"
    assert ours.stopped_by.first_step == 20
    assert ours.stopped_by.run == "version_0"
    assert trainer.global_step == 21  # stopped right after the step that showed it
    assert any("stopping training at step 20" in line for line in lines)
