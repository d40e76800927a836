"""Demo and test logdirs from real training of small numpy networks.

Each scenario (see :data:`SCENARIOS`) trains a small MLP or 1-D CNN with real backpropagation on a synthetic
task and logs, at every logged step, the weights, biases, pre-activations, activations and
gradients of every layer plus the ``loss`` and ``accuracy`` scalars, through real writers in one
or both on-disk formats (``legacy``: tensorboardX / PyTorch; ``tf2``: TensorBoard's TF2 summary
writer). Runs are written to ``<logdir>/<scenario>_<format>``.

Usage::

    from tb_histdiag.scenarios import generate
    generate("/tmp/demo", scenarios=["healthy", "frozen_early"], formats=("tf2",), steps=30)

or ``python -m tb_histdiag.scenarios OUTDIR [--scenario NAME ...] [--format FMT ...]``.

The labelled corpus that ``make eval`` scores adds held-out variants of these scenarios
(:data:`.catalog.HELDOUT_SCENARIOS`) and PyTorch families (:mod:`.torch_models`,
:mod:`.torch_catalog`; torch is imported only when they are written): see :mod:`.corpus`
(``python -m tb_histdiag.scenarios --corpus OUTDIR``) and :mod:`.evaluate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .catalog import SCENARIOS, Expect, LayerExpect, Scenario
from .network import StepRecord, TrainConfig, train
from .writers import (
    FORMATS,
    KINDS,
    SummaryWriterLike,
    fresh_run_dir,
    layer_kinds,
    open_writer,
    require,
    tag_name,
    tag_table,
)

__all__ = [
    "FORMATS",
    "KINDS",
    "SCENARIOS",
    "Expect",
    "LayerExpect",
    "RunResult",
    "Scenario",
    "StepRecord",
    "TrainConfig",
    "generate",
    "layer_kinds",
    "open_writer",
    "tag_name",
    "tag_table",
    "train",
    "write_scenario",
]


@dataclass(frozen=True)
class RunResult:
    """What was written for one scenario in one format.

    ``first_loss`` / ``last_loss`` are means over the first and last few logged steps (batch
    losses are noisy); ``skipped`` lists ``(tag, step)`` pairs the writer could not write (only
    the legacy writer, on all-NaN arrays).
    """

    scenario: str
    format: str
    path: Path
    steps: int
    tags: int
    first_loss: float
    last_loss: float
    skipped: tuple[tuple[str, int], ...]

    def summary(self) -> str:
        """One line for humans."""
        line = (
            f"{self.path.name}: loss {self.first_loss:.3f} -> {self.last_loss:.3f} "
            f"over {self.steps} steps, {self.tags} histogram tags"
        )
        if self.skipped:
            line += f", {len(self.skipped)} all-NaN histograms not writable"
        return line


def _record_arrays(
    record: StepRecord, index: int, n_layers: int, fmt: str
) -> dict[str, np.ndarray]:
    layer = record.layers[index]
    arrays = {
        "weight": layer.weight,
        "bias": layer.bias,
        "preactivation": layer.preactivation,
        "activation": layer.activation,
        "weight_grad": layer.weight_grad,
        "bias_grad": layer.bias_grad,
    }
    return {kind: arrays[kind] for kind in layer_kinds(index, n_layers, fmt)}


def _edge_mean(values: list[float], first: bool) -> float:
    k = max(1, min(5, len(values) // 4))
    part = values[:k] if first else values[-k:]
    return float(np.mean(part))


def write_scenario(
    scenario: Scenario | str,
    logdir: str | Path,
    formats: Iterable[str] = FORMATS,
    steps: int | None = None,
) -> list[RunResult]:
    """Train one scenario once and write it in every requested format.

    Args:
        scenario: a :class:`Scenario` or the name of one in :data:`SCENARIOS`.
        logdir: parent directory; created if missing. Existing run directories of this
            scenario are replaced.
        formats: ``legacy`` and/or ``tf2``.
        steps: number of logged steps (default: the scenario's, 100).

    Returns:
        One :class:`RunResult` per format, in the order given.
    """
    scen = _resolve(scenario)
    fmts = _check_formats(formats)
    for fmt in fmts:  # fail before any existing run is removed
        require(fmt)
    root = Path(logdir)
    root.mkdir(parents=True, exist_ok=True)
    n_layers, n_conv = scen.n_layers, scen.n_conv
    writers: dict[str, SummaryWriterLike] = {}
    losses: list[float] = []
    try:
        for fmt in fmts:
            writers[fmt] = open_writer(fmt, fresh_run_dir(root, scen.run_name(fmt)))
        for record in train(scen.config, steps):
            losses.append(record.loss)
            for fmt, writer in writers.items():
                writer.scalar("loss", record.loss, record.step)
                writer.scalar("accuracy", record.accuracy, record.step)
                for index in range(n_layers):
                    for kind, values in _record_arrays(record, index, n_layers, fmt).items():
                        writer.histogram(tag_name(fmt, kind, index, n_conv), values, record.step)
    finally:
        # Close whatever was opened, also on errors, so event files are flushed and complete.
        for writer in writers.values():
            writer.close()
    return [
        RunResult(
            scenario=scen.name,
            format=fmt,
            path=root / scen.run_name(fmt),
            steps=len(losses),
            tags=len(tag_table(fmt, n_layers, n_conv)),
            first_loss=_edge_mean(losses, first=True),
            last_loss=_edge_mean(losses, first=False),
            skipped=tuple(writer.skipped),
        )
        for fmt, writer in writers.items()
    ]


def generate(
    logdir: str | Path,
    scenarios: Iterable[Scenario | str] | None = None,
    formats: Iterable[str] = FORMATS,
    steps: int | None = None,
) -> list[Path]:
    """Write scenarios as run directories ``<logdir>/<scenario>_<format>``.

    Args:
        logdir: parent directory (created if missing); existing runs of the same names inside
            it are replaced, nothing else is touched.
        scenarios: names or :class:`Scenario` objects; default all of :data:`SCENARIOS`.
        formats: ``legacy`` and/or ``tf2`` (default both).
        steps: logged steps per run (default each scenario's own, 100); small values such as
            20 make fast test fixtures.

    Returns:
        The run directories written, scenario by scenario, formats in the given order.
    """
    chosen = [_resolve(s) for s in (SCENARIOS.values() if scenarios is None else scenarios)]
    fmts = _check_formats(formats)
    for fmt in fmts:
        require(fmt)
    return [
        result.path
        for scen in chosen
        for result in write_scenario(scen, logdir, formats=fmts, steps=steps)
    ]


def _resolve(scenario: Scenario | str) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    try:
        return SCENARIOS[scenario]
    except KeyError:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}") from None


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    fmts = tuple(dict.fromkeys([formats] if isinstance(formats, str) else formats))
    for fmt in fmts:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    if not fmts:
        raise ValueError("no format given")
    return fmts
