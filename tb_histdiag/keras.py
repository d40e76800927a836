"""A Keras callback that stops a doomed run: ``tb_histdiag.keras.DiagnosticsCallback``.

Put it after ``keras.callbacks.TensorBoard(log_dir, histogram_freq=1)`` in the callbacks list::

    from tb_histdiag.keras import DiagnosticsCallback

    model.fit(
        x, y, epochs=50,
        callbacks=[
            keras.callbacks.TensorBoard("logs/run1", histogram_freq=1),
            DiagnosticsCallback("logs/run1", stop_on="critical"),
        ],
    )

At the end of every ``every_n_epochs``-th epoch it reads what the TensorBoard callback has just
written to ``<log_dir>/train`` (that callback flushes its histograms at the end of each epoch),
prints each new finding once, and sets ``model.stop_training`` at the first finding at or above
``stop_on``, naming it. It reads only the logs, so it works for any model the TensorBoard
callback logs. Keras is imported here, not by ``tb_histdiag``: the package does not depend on it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

try:
    import keras
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "tb_histdiag.keras needs Keras (pip install tensorflow-cpu, or keras); "
        "tb_histdiag itself does not depend on it"
    ) from e

from tb_histdiag.watch import Finding, Watcher, severity_at_least

__all__ = ["DiagnosticsCallback"]


class DiagnosticsCallback(keras.callbacks.Callback):
    """Diagnose the histograms the TensorBoard callback writes, and stop training on a finding.

    ``log_dir`` is the TensorBoard callback's ``log_dir`` (its ``train`` run is watched;
    ``run`` names another). ``stop_on`` is ``"critical"``, ``"warning"`` or None (never stop).
    ``min_severity`` is the mildest finding printed. ``every_n_epochs`` spaces the looks.
    ``log`` receives each line (default: printed to stdout); further keyword arguments go to
    :class:`~tb_histdiag.watch.Watcher` (``config``, ``thresholds``, ``expect``, ``tags``, …).

    After training, :attr:`findings` holds every finding reported and :attr:`stopped_by` the
    finding that stopped the run (None if it ran to the end).
    """

    def __init__(
        self,
        log_dir: str | os.PathLike[str],
        stop_on: str | None = "critical",
        every_n_epochs: int = 1,
        *,
        min_severity: str | None = "warning",
        run: str = "train",
        log: Callable[[str], None] | None = None,
        **watcher_options: object,
    ):
        super().__init__()
        if stop_on not in (None, "warning", "critical"):
            raise ValueError(f"stop_on must be 'critical', 'warning' or None, not {stop_on!r}")
        if every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be at least 1, not {every_n_epochs!r}")
        self.log_dir = os.fspath(log_dir)
        self.stop_on = stop_on
        self.every_n_epochs = int(every_n_epochs)
        self._log = log or (lambda line: print(line, file=sys.stdout, flush=True))
        self.watcher = Watcher(
            self.log_dir, runs=[run], min_severity=min_severity, **watcher_options
        )
        self.findings: list[Finding] = []
        self.stopped_by: Finding | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Look at what the epoch logged; stop training at a finding at or above ``stop_on``."""
        if (epoch + 1) % self.every_n_epochs:
            return
        found = self.watcher.poll()
        self.findings += found
        for finding in found:
            self._log(f"tb_histdiag: epoch {epoch + 1}: {finding.describe()}")
        if self.stop_on is None or self.stopped_by is not None:
            return
        for finding in found:
            if finding.event != "resolved" and severity_at_least(finding.severity, self.stop_on):
                self.stopped_by = finding
                self.model.stop_training = True
                self._log(
                    f"tb_histdiag: stopping training after epoch {epoch + 1}: "
                    f"{finding.describe()}. {finding.verdict.fix}".rstrip()
                )
                break

    def on_train_end(self, logs: dict | None = None) -> None:
        """Release what the watcher holds."""
        self.watcher.close()
