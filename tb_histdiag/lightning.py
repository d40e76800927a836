"""A PyTorch Lightning callback that stops a doomed run: ``tb_histdiag.lightning.DiagnosticsCallback``.

For ``TensorBoardLogger`` users who log histograms through ``self.logger.experiment``::

    from tb_histdiag.lightning import DiagnosticsCallback

    trainer = lightning.pytorch.Trainer(
        logger=TensorBoardLogger("logs"),
        callbacks=[DiagnosticsCallback(stop_on="critical", every_n_steps=100)],
    )

After every ``every_n_steps``-th training step (once its ``training_step`` logged its
histograms; see :meth:`DiagnosticsCallback.on_train_batch_end`) and at the end of every ``every_n_epochs``-th epoch, it flushes the logger's writer,
reads the logger's run (``<save_dir>/<name>/<version>``), prints each new finding once and sets
``trainer.should_stop`` at the first finding at or above ``stop_on``, naming it. Histograms
logged in the LightningModule's own ``on_train_epoch_end`` are read at the next look (Lightning
calls callbacks' epoch-end hooks first). Lightning is imported here, not by ``tb_histdiag``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

try:
    import lightning.pytorch as pl
    from lightning.pytorch.loggers import TensorBoardLogger
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "tb_histdiag.lightning needs PyTorch Lightning (pip install lightning); "
        "tb_histdiag itself does not depend on it"
    ) from e

from tb_histdiag.watch import Finding, Watcher, severity_at_least

__all__ = ["DiagnosticsCallback"]


class DiagnosticsCallback(pl.Callback):
    """Diagnose the histograms a ``TensorBoardLogger`` run holds, and stop training on a finding.

    ``stop_on`` is ``"critical"``, ``"warning"`` or None (never stop); ``min_severity`` is the
    mildest finding printed; ``every_n_steps`` (None: never) and ``every_n_epochs`` (None:
    never) space the looks. ``log`` receives each line (default: printed to stdout); further
    keyword arguments go to :class:`~tb_histdiag.watch.Watcher`. After training,
    :attr:`findings` holds every finding reported and :attr:`stopped_by` the one that stopped
    the run (None if it ran to the end).
    """

    def __init__(
        self,
        stop_on: str | None = "critical",
        every_n_steps: int | None = None,
        every_n_epochs: int | None = 1,
        *,
        min_severity: str | None = "warning",
        log: Callable[[str], None] | None = None,
        **watcher_options: object,
    ):
        super().__init__()
        if stop_on not in (None, "warning", "critical"):
            raise ValueError(f"stop_on must be 'critical', 'warning' or None, not {stop_on!r}")
        for name, value in (("every_n_steps", every_n_steps), ("every_n_epochs", every_n_epochs)):
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1 or None, not {value!r}")
        self.stop_on = stop_on
        self.every_n_steps = every_n_steps
        self.every_n_epochs = every_n_epochs
        self.min_severity = min_severity
        self._log = log or (lambda line: print(line, file=sys.stdout, flush=True))
        self._options = watcher_options
        self.watcher: Watcher | None = None
        self._logger: TensorBoardLogger | None = None
        self.findings: list[Finding] = []
        self.stopped_by: Finding | None = None

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        """Find the TensorBoardLogger and start watching its run."""
        loggers = [lg for lg in trainer.loggers if isinstance(lg, TensorBoardLogger)]
        if not loggers:
            raise ValueError(
                "tb_histdiag's DiagnosticsCallback reads the histograms of a TensorBoardLogger; "
                "the trainer has none"
            )
        self._logger = loggers[0]
        run_dir = os.path.normpath(self._logger.log_dir)
        self.watcher = Watcher(
            os.path.dirname(run_dir),
            runs=[os.path.basename(run_dir)],
            min_severity=self.min_severity,
            **self._options,
        )

    def _look(self, trainer: pl.Trainer, where: str) -> None:
        if self.watcher is None or self._logger is None:
            return
        self._logger.experiment.flush()
        found = self.watcher.poll()
        self.findings += found
        for finding in found:
            self._log(f"tb_histdiag: {where}: {finding.describe()}")
        if self.stop_on is None or self.stopped_by is not None:
            return
        for finding in found:
            if finding.event != "resolved" and severity_at_least(finding.severity, self.stop_on):
                self.stopped_by = finding
                trainer.should_stop = True
                self._log(
                    f"tb_histdiag: stopping training at {where}: {finding.describe()}. "
                    f"{finding.verdict.fix}".rstrip()
                )
                break

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        """Look after each training step whose ``global_step`` (as ``training_step`` saw it,
        before the optimizer step counted it) is a multiple of ``every_n_steps``: the steps
        where the usual ``if self.global_step % N == 0`` logs its histograms."""
        step = trainer.global_step - 1
        if self.every_n_steps and step >= 0 and step % self.every_n_steps == 0:
            self._look(trainer, f"step {step}")

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Look at the end of every ``every_n_epochs``-th epoch."""
        epoch = trainer.current_epoch
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            self._look(trainer, f"epoch {epoch + 1}")

    def teardown(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        """Release what the watcher holds."""
        if self.watcher is not None:
            self.watcher.close()
