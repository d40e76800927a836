"""The loss-curve lookup: which scalar of a run is its training loss, and reading it.

The loss only gates verdicts (e.g. a run whose loss fell well is not "frozen"); see
:mod:`tb_histdiag.verdicts.outcome`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from tb_histdiag.reading.rewrites import latest_writes
from tb_histdiag.reading.series import SeriesInfo

#: The plugin name TensorBoard stores scalar summaries under.
SCALARS_PLUGIN = "scalars"

#: Loss curves are read with at most this many points (the trend is all that matters).
LOSS_MAX_POINTS = 1000


@dataclasses.dataclass(frozen=True)
class LossCurve:
    """A run's training loss scalar: its tag, steps and values (float64, may hold NaN)."""

    tag: str
    steps: NDArray[np.int64]
    values: NDArray[np.float64]


def pick_loss_tag(tags: Iterable[str]) -> str | None:
    """The scalar tag most likely to be a run's training loss, or None.

    Prefers ``loss`` itself, then Keras' ``epoch_loss``, then any tag containing "loss" that is
    not a validation or test loss; shorter names win ties. Without any, TF1 tutorials' names for
    the objective: ``cost``, ``cross_entropy``, ``xent`` (``cost_1``, ``optimizer/cost``).
    """
    tags = list(tags)
    candidates = [t for t in tags if "loss" in t.lower()] or [
        t for t in tags if re.search(r"cost|cross_?entropy|xent", t, re.IGNORECASE)
    ]
    training = [t for t in candidates if not any(w in t.lower() for w in ("val", "test", "eval"))]
    for exact in ("loss", "epoch_loss", "train/loss", "loss/train", "train_loss"):
        for t in training:
            if t.lower() == exact:
                return t
    return min(training, key=lambda t: (len(t), t)) if training else None


def loss_tags(
    provider: object, ctx: object, experiment_id: str, runs: Iterable[str] | None = None
) -> dict[str, SeriesInfo]:
    """``{run: SeriesInfo}`` of each run's training loss scalar (one provider call for all)."""
    from tensorboard.data import provider as tb_provider

    listing = provider.list_scalars(
        ctx,
        experiment_id=experiment_id,
        plugin_name=SCALARS_PLUGIN,
        run_tag_filter=tb_provider.RunTagFilter(runs=None if runs is None else list(runs)),
    )
    out = {}
    for run, tags in listing.items():
        tag = pick_loss_tag(tags)
        if tag is not None:
            ts = tags[tag]
            out[run] = SeriesInfo(run, tag, int(ts.max_step), float(ts.max_wall_time))
    return out


def read_loss(
    provider: object, ctx: object, experiment_id: str, info: SeriesInfo
) -> LossCurve | None:
    """Read one run's loss curve (``info`` from :func:`loss_tags`) in step order, each step once;
    None when it has no points."""
    from tensorboard.data import provider as tb_provider

    data = provider.read_scalars(
        ctx,
        experiment_id=experiment_id,
        plugin_name=SCALARS_PLUGIN,
        downsample=LOSS_MAX_POINTS,
        run_tag_filter=tb_provider.RunTagFilter(runs=[info.run], tags=[info.tag]),
    )
    points = data.get(info.run, {}).get(info.tag, [])
    if not points:
        return None
    # As for the histograms: what the latest writing left standing (a run directory that holds
    # a second training, its steps starting again at 0, is judged on the second one).
    steps = np.array([p.step for p in points], dtype=np.int64)
    keep = latest_writes(steps)
    return LossCurve(
        info.tag, steps[keep], np.array([p.value for p in points], dtype=np.float64)[keep]
    )
