"""The run's loss outcome, and the severities of causes graded by it (AutoTrainer's gating)."""

from __future__ import annotations

import dataclasses

from tb_histdiag.model import LossOutcome, Verdict
from tb_histdiag.stats import LossTrend
from tb_histdiag.verdicts.table import VERDICTS
from tb_histdiag.verdicts.thresholds import Thresholds

#: Causes whose severity depends on the outcome (AutoTrainer reports them only with a symptom).
OUTCOME_GATED = tuple(v.id for v in VERDICTS if v.gated)


def loss_outcome(tag: str, trend: LossTrend, t: Thresholds) -> LossOutcome:
    """Judge a loss curve: flat when it fell less than ``loss_flat_improvement`` or went NaN."""
    flat = trend.nonfinite or (
        trend.improvement is not None and trend.improvement < t.loss_flat_improvement
    )
    return LossOutcome(tag, trend.improvement, trend.nonfinite, bool(flat))


def gate_by_outcome(verdicts: tuple[Verdict, ...], loss: LossOutcome | None) -> tuple[Verdict, ...]:
    """Set the severity of cause verdicts (dead, saturated, vanishing) from the run's loss.

    A flat or NaN loss makes them critical (they explain a failure); a falling loss caps them at
    warning (training copes for now). Without a loss scalar they keep their own severity.
    """
    if loss is None or (loss.improvement is None and not loss.nonfinite):
        return verdicts
    out = []
    for v in verdicts:
        if v.id not in OUTCOME_GATED:
            out.append(v)
            continue
        if loss.flat:
            note = (
                f" The run's loss ('{loss.tag}') "
                + ("became NaN/Inf" if loss.nonfinite else "is flat")
                + ", so this is a likely cause of the failure."
            )
            severity = "critical"
        else:
            note = (
                f" The run's loss ('{loss.tag}') still falls (by {loss.improvement:.0%}), so "
                "training copes for now, but this layer is not pulling its weight."
            )
            severity = "warning"
        evidence = {**v.evidence, "loss_flat": loss.flat}
        out.append(
            dataclasses.replace(v, severity=severity, summary=v.summary + note, evidence=evidence)
        )
    return tuple(out)
