"""The run's loss outcome, and the severities of causes graded by it (AutoTrainer's gating)."""

from __future__ import annotations

import dataclasses

from tb_histdiag.engine.stats import LossTrend
from tb_histdiag.results import LossOutcome, Verdict
from tb_histdiag.verdicts.scale import Growth
from tb_histdiag.verdicts.table import VERDICTS
from tb_histdiag.verdicts.text import fmt, percent, thing_of
from tb_histdiag.verdicts.thresholds import Thresholds

#: Causes whose severity depends on the outcome (AutoTrainer reports them only with a symptom).
OUTCOME_GATED = tuple(v.id for v in VERDICTS if v.gated)


def loss_outcome(tag: str, trend: LossTrend, t: Thresholds) -> LossOutcome:
    """Judge a loss curve: flat when it fell less than ``loss_flat_improvement`` or went NaN."""
    flat = trend.nonfinite or (
        trend.improvement is not None and trend.improvement < t.loss_flat_improvement
    )
    return LossOutcome(tag, trend.improvement, trend.nonfinite, bool(flat))


def settled_growth(
    verdicts: tuple[Verdict, ...], growth: object, loss: LossOutcome | None, t: Thresholds
) -> tuple[Verdict, ...]:
    """The one weight or bias tensor of a run that grew past the ``exploding`` bars and then
    settled, while the loss fell by at least ``exploding_settled_loss_improvement``, reached the
    values the model needs (a regression intercept growing to the targets' scale): an explosion
    keeps growing or ends in NaN, and a learning rate that causes one grows every layer. Its
    ``exploding`` is told as that, at info. The caller passes only a tensor that explodes alone.
    """
    if (
        not isinstance(growth, Growth)
        or growth.role not in ("weight", "bias")
        or growth.settle is None
        or growth.settle > t.exploding_settled_ratio
        or loss is None
        or loss.nonfinite
        or loss.improvement is None
        or loss.improvement < t.exploding_settled_loss_improvement
    ):
        return verdicts
    out = []
    for v in verdicts:
        if v.id != "exploding" or v.evidence.get("followed_by") or v.evidence.get("pushed_tag"):
            out.append(v)
            continue
        thing = thing_of(growth.role)
        out.append(
            dataclasses.replace(
                v,
                severity="info",
                title=(
                    f"{thing.capitalize()} grew {fmt(growth.growth)}× and settled, while the loss "
                    f"fell by {loss.improvement:.0%}"
                ),
                summary=(
                    f"The size of these {thing} (root mean square) grew from {fmt(growth.start)} "
                    f"at step {growth.start_step} to {fmt(growth.level)}, {fmt(growth.growth)} "
                    f"times larger, with values up to {fmt(growth.largest)}, and then stopped "
                    "growing: over the last quarter of the logged steps it varies by "
                    f"{percent(growth.settle - 1.0)} at most. Meanwhile the run's loss "
                    f"('{loss.tag}') fell by {loss.improvement:.0%}. These are the values the "
                    "model needed (a regression intercept that grows to the targets' scale, for "
                    "instance), not an explosion, which keeps growing or ends in NaN."
                ),
                evidence={
                    **v.evidence,
                    "settle": growth.settle,
                    "loss_improvement": loss.improvement,
                },
                fix=(
                    "Nothing to do if the inputs or targets are on this scale; otherwise "
                    "normalise them so that the weights can stay small."
                ),
            )
        )
    return tuple(out)


def gate_by_outcome(verdicts: tuple[Verdict, ...], loss: LossOutcome | None) -> tuple[Verdict, ...]:
    """Set the severity of cause verdicts (dead, saturated, vanishing) from the run's loss.

    A flat or NaN loss makes them critical (they explain a failure); a falling loss caps them at
    warning (training copes for now). Without a loss scalar they keep their own severity.
    """
    if loss is None or (loss.improvement is None and not loss.nonfinite):
        return verdicts
    out = []
    for v in verdicts:
        if v.id == "slow":
            out.append(_slow_with(v, loss))
            continue
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


def _slow_with(v: Verdict, loss: LossOutcome) -> Verdict:
    """``slow`` told beside the loss: barely moving weights under a falling loss are most
    likely fine (an info either way); under a flat one they are part of the story."""
    if loss.flat:
        note = (
            f" The run's loss ('{loss.tag}') "
            + ("became NaN/Inf" if loss.nonfinite else "is flat")
            + " as well: the updates are likely too small."
        )
    else:
        note = (
            f" Meanwhile the run's loss ('{loss.tag}') fell by {loss.improvement:.0%}: the "
            "network learns, so this is likely fine."
        )
    return dataclasses.replace(v, summary=v.summary + note)
