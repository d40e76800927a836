"""Cause recall on weight-only logs: the corpus as Keras' ``TensorBoard(histogram_freq=1)`` logs it.

Every numpy scenario is also written in the ``keras`` format (:mod:`.writers`): the same training,
but only the weights and biases, in TF2's 30 equal-width buckets. There the cause of a fault is
often not seen directly (no gradients, no activations) and has to be inferred from the weights.
:data:`CAUSES` says, per scenario, which verdict names the cause and on which weight or bias tags
it must appear in that format; :data:`NOT_IN_WEIGHTS` lists the faults the weights cannot show,
and why. A run's cause is *named* when every one of its cause tags carries the verdict.
:func:`score_causes` gives one :class:`CauseResult` per weight-only run with a cause; healthy
weight-only runs are scored with the rest of the corpus (no alarm anywhere).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from tb_histdiag.results import RunDiagnosis

from .catalog import Expect, Scenario
from .writers import KERAS

_PARAMS = ("weight", "bias")


@dataclasses.dataclass(frozen=True)
class Cause:
    """The verdict that names a scenario's cause in weight-only logs, and where it must be."""

    verdict: str
    where: tuple[Expect, ...]
    why: str

    def tags(self, scenario: Scenario) -> frozenset[str]:
        """The tags of ``scenario``'s weight-only run that must carry the verdict."""
        placed = dataclasses.replace(scenario, expected=self.where)
        return frozenset(placed.expected_tags(KERAS, present=True))


CAUSES: dict[str, Cause] = {
    "constant_init": Cause(
        "constant",
        (Expect("constant", ("weight",), (1, 2)),),
        "the hidden-to-hidden weights hold one value at every step: seen directly",
    ),
    "frozen_early": Cause(
        "frozen",
        (Expect("frozen", _PARAMS, (0, 1, 2)),),
        "the excluded layers' parameters never change while the output layer learns",
    ),
    "lr_zero": Cause(
        "frozen",
        (Expect("frozen", _PARAMS, (0, 1, 2, 3)),),
        "no parameter ever changes",
    ),
    "frozen_conv": Cause(
        "frozen",
        (Expect("frozen", _PARAMS, (0, 1)),),
        "the convolutions' parameters never change while the dense layers learn",
    ),
    "bias_only": Cause(
        "frozen",
        (Expect("frozen", ("weight",), (0, 1, 2, 3)),),
        "every weight stays the same while the biases move",
    ),
    "nan_midway": Cause(
        "nonfinite",
        (Expect("nonfinite", ("weight",), (1,)),),
        "the weights turn NaN: seen directly",
    ),
    "exploding_lr": Cause(
        "exploding",
        (Expect("exploding", ("weight",), (0, 1)),),
        "the weights grow by orders of magnitude: seen directly",
    ),
    "weight_decay_collapse": Cause(
        "collapsing",
        (Expect("collapsing", ("weight",), (0, 1, 2, 3)),),
        "the weights shrink towards 0: seen directly",
    ),
    "dead_negative_bias": Cause(
        "dead",
        (Expect("dead", _PARAMS, (0, 1, 2)),),
        "inferred: the hidden parameters never change, their biases are negative, and the "
        "output kernel never changes while its bias learns",
    ),
    "vanishing_sigmoid": Cause(
        "vanishing",
        (Expect("vanishing", ("weight",), (0, 1)),),
        "inferred: the first layers' weights move orders of magnitude less than the last's",
    ),
}

#: Faults a histogram of the weights cannot tell from healthy learning, and why.
NOT_IN_WEIGHTS: dict[str, str] = {
    "saturated_tanh": "saturated units still pass a small gradient and every layer learns",
    "saturated_sigmoid": "saturated units still pass a small gradient and every layer learns",
    "dead_relu": "the units die after a large first step; Adam's momentum keeps the weights "
    "drifting afterwards, so no layer stops changing",
    "dead_conv": "as dead_relu: the weights keep drifting under Adam after the units die",
}


@dataclasses.dataclass(frozen=True)
class CauseResult:
    """Whether the engine named the cause of one weight-only run."""

    run: str
    part: str
    scenario: str
    verdict: str
    named: bool
    #: Per cause tag, the verdict ids it got.
    got: tuple[tuple[str, tuple[str, ...]], ...]


def cause_of(scenario: Scenario) -> Cause | None:
    """The weight-only cause of a scenario or of one of its variants (None for healthy runs
    and for faults the weights cannot show)."""
    return CAUSES.get(scenario.variant_of or scenario.name)


def score_causes(
    runs: Mapping[str, RunDiagnosis], corpus: Iterable[object], part: str | None = None
) -> list[CauseResult]:
    """One result per weight-only (``keras`` format) run of ``corpus`` that has a cause and was
    diagnosed (``runs`` by name); ``corpus`` holds :class:`.evaluate.LabelledRun` items."""
    out = []
    for labelled in corpus:
        scenario = getattr(labelled, "numpy", None)
        if scenario is None or getattr(labelled, "fmt", "") != KERAS:
            continue
        if part is not None and labelled.part != part:
            continue
        cause, run = cause_of(scenario), runs.get(labelled.run)
        if cause is None or run is None:
            continue
        verdicts = {t.tag: tuple(sorted(v.id for v in t.verdicts)) for t in run.tags}
        got = tuple((tag, verdicts.get(tag, ())) for tag in sorted(cause.tags(scenario)))
        named = bool(got) and all(cause.verdict in ids for _, ids in got)
        out.append(
            CauseResult(labelled.run, labelled.part, scenario.name, cause.verdict, named, got)
        )
    return out


def recall_table(results: Iterable[CauseResult]) -> list[dict[str, object]]:
    """Per cause verdict: runs, named, recall."""
    rows: dict[str, dict[str, int]] = {}
    for r in results:
        row = rows.setdefault(r.verdict, {"runs": 0, "named": 0})
        row["runs"] += 1
        row["named"] += int(r.named)
    return [
        {"cause": cause, **row, "recall": row["named"] / row["runs"]}
        for cause, row in sorted(rows.items())
    ]
