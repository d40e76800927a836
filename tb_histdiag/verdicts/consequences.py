"""Findings on one tag that another tag's finding explains, told as that tag's consequence:
weights that never change because their own gradients vanish, and gradients that vanish
because the weights they update collapse. The finding stays; its story, its fix and (for the
consequence that raises no alarm of its own) its severity say where the cause is."""

from __future__ import annotations

import dataclasses

from tb_histdiag.results import TagDiagnosis
from tb_histdiag.verdicts.text import fmt, thing_of


def tells(d: TagDiagnosis, verdict_id: str) -> bool:
    """Whether a tag's verdicts say ``verdict_id``, as a root cause or as its consequence."""
    return any(
        v.id == verdict_id or verdict_id in str(v.evidence.get("followed_by", "")).split(", ")
        for v in d.verdicts
    )


def told_as_consequences(tags: list[TagDiagnosis]) -> list[TagDiagnosis]:
    """The run's tags with both stories applied (see the module)."""
    return _vanishing_by_collapse(_frozen_by_vanishing(tags))


def _frozen_by_vanishing(tags: list[TagDiagnosis]) -> list[TagDiagnosis]:
    """Weights that never change because their gradients vanish (updates below what a float32
    weight of their size can take): ``frozen`` is true of the histogram, but the cause is the
    vanishing gradient its own layer's gradient tag shows, not a parameter cut off from the
    optimizer. The story and the fix say so."""
    vanishing = {
        d.layer: d
        for d in tags
        if d.role == "gradient" and d.target in ("weight", None) and tells(d, "vanishing")
    }
    out = []
    for d in tags:
        grad = vanishing.get(d.layer)
        if grad is None or d.role != "weight" or not any(v.id == "frozen" for v in d.verdicts):
            out.append(d)
            continue
        level = grad.facts.get("mean_abs", 0.0)
        verdicts = tuple(
            dataclasses.replace(
                v,
                title=f"{v.title.split(': ')[0]}: its gradients vanish",
                summary=(
                    f"{v.summary} Its gradients ('{grad.tag}') average {fmt(level)}: updates "
                    "that small do not change the values of these weights, so the cause is the "
                    "vanishing gradient, not weights cut off from the optimizer."
                ),
                evidence={**v.evidence, "vanishing_gradient_tag": grad.tag},
                fix=next(g.fix for g in grad.verdicts),
            )
            if v.id == "frozen"
            else v
            for v in d.verdicts
        )
        out.append(dataclasses.replace(d, verdicts=verdicts))
    return out


def _vanishing_by_collapse(tags: list[TagDiagnosis]) -> list[TagDiagnosis]:
    """Gradients that vanish after the weights (or biases) they update began to collapse
    (weight decay far too strong): with values near 0 the signal through the layer, and so its
    gradient, shrinks too. The alarm is the collapse's; the gradient's finding becomes info and
    points to it."""
    collapsing = {
        (d.layer, d.role): (d, v)
        for d in tags
        if d.role in ("weight", "bias")
        for v in d.verdicts[:1]
        if v.id == "collapsing"
    }
    out = []
    for d in tags:
        cause = collapsing.get((d.layer, d.target or "weight")) if d.role == "gradient" else None
        if cause is None:
            out.append(d)
            continue
        weights, collapse = cause
        began = collapse.steps[0] if collapse.steps else None
        verdicts = tuple(
            dataclasses.replace(
                v,
                severity="info",
                title=f"{v.title}, as the {thing_of(d.target or 'weight')} they update collapse",
                summary=(
                    f"{v.summary} The tensor these gradients update ('{weights.tag}') collapses "
                    f"towards 0 from step {began}: with its values near 0, the signal through "
                    "the layer and so its gradient shrink too. The collapse is the cause, told "
                    "there."
                ),
                evidence={**v.evidence, "collapsing_tag": weights.tag},
                fix=collapse.fix,
            )
            if v.id == "vanishing" and began is not None and v.steps and v.steps[0] >= began
            else v
            for v in d.verdicts
        )
        out.append(dataclasses.replace(d, verdicts=verdicts))
    return out
