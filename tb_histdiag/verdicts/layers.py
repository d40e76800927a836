"""Layer and run verdicts: only the biases learn, only the last layers learn."""

from __future__ import annotations

from collections.abc import Sequence

from tb_histdiag.results import TagDiagnosis, Verdict
from tb_histdiag.verdicts.thresholds import Thresholds


def _is_frozen(tag: TagDiagnosis) -> bool:
    return any(v.id == "frozen" for v in tag.verdicts)


def _stopped_upstream(tag: TagDiagnosis) -> bool:
    """Frozen weights whose cause is upstream: vanishing gradients, or inputs that are all zero."""
    return any(
        v.id == "frozen"
        and ("vanishing_gradient_tag" in v.evidence or "inputs_dead_layer" in v.evidence)
        for v in tag.verdicts
    )


def _is_moving(tag: TagDiagnosis, t: Thresholds) -> bool:
    return (
        not _is_frozen(tag)
        and tag.movement is not None
        and tag.movement > t.moving_min_relative_change
    )


def bias_only(layer: str, tags: Sequence[TagDiagnosis], t: Thresholds) -> Verdict | None:
    """A layer whose biases move while its weights are frozen."""
    weights = [d for d in tags if d.role == "weight"]
    biases = [d for d in tags if d.role == "bias"]
    if not weights or not biases:
        return None
    if not all(_is_frozen(w) for w in weights):
        return None
    # A bias initialised at 0 has no spread to measure its movement by: any update looks large
    # against its own. It learns when it also moves by more than the same fraction of the
    # weights' spread (a learning rate of 1e-6 moves it by 1e-4 of that; biases the optimizer
    # alone reaches, by 6% and more).
    spread = max((w.last_std or 0.0) for w in weights)
    if not any(
        _is_moving(b, t) and b.facts.get("moved_by", spread) > t.moving_min_relative_change * spread
        for b in biases
    ):
        return None
    if any(_stopped_upstream(w) for w in weights):
        return None  # the weights are not cut off: told on the weights, with the cause upstream
    first = min(w.first_step for w in weights if w.first_step is not None)
    last = max(w.last_step for w in weights if w.last_step is not None)
    return Verdict(
        id="bias_only",
        severity="warning",
        title=f"Only the biases of {layer} learn",
        summary=(
            f"In layer {layer} the bias histogram moves over training but the weight histogram "
            "stays exactly the same. The optimizer reaches the biases but not the weights, so the "
            "layer can only shift its outputs, not learn new features."
        ),
        evidence={
            "weight_tags": len(weights),
            "bias_change": max((b.movement or 0.0) for b in biases),
        },
        steps=(first, last),
        fix=(
            "Check that the weights are in the optimizer's parameter list and trainable; look for "
            "code that resets or masks them each step, or a weight decay / constraint that pins them."
        ),
        tags=tuple(d.tag for d in weights + biases),
    )


def last_layer_only(
    layers: Sequence[tuple[str, Sequence[TagDiagnosis]]], t: Thresholds
) -> Verdict | None:
    """Early layers frozen while the last layer(s) learn. ``layers`` is in depth order."""
    weight_layers = [
        (name, [d for d in tags if d.role == "weight"])
        for name, tags in layers
        if any(d.role == "weight" for d in tags)
    ]
    if len(weight_layers) < 2:
        return None
    frozen_flags = [all(_is_frozen(w) for w in ws) for _, ws in weight_layers]
    moving_flags = [any(_is_moving(w, t) for w in ws) for _, ws in weight_layers]
    # Frozen prefix followed only by moving layers.
    k = 0
    while k < len(frozen_flags) and frozen_flags[k]:
        k += 1
    if k == 0 or k == len(frozen_flags) or not all(moving_flags[k:]):
        return None
    frozen_names = [name for name, _ in weight_layers[:k]]
    moving_names = [name for name, _ in weight_layers[k:]]
    tags = tuple(w.tag for _, ws in weight_layers for w in ws)
    steps = [d.last_step for _, ws in weight_layers for d in ws if d.last_step is not None]
    firsts = [d.first_step for _, ws in weight_layers for d in ws if d.first_step is not None]
    return Verdict(
        id="last_layer_only",
        severity="warning",
        title=(
            "Only the last layer learns; "
            + (
                "the layer before it is frozen"
                if k == 1
                else f"the {k} layers before it are frozen"
            )
            if len(moving_names) == 1
            else f"Only the last {len(moving_names)} of {len(weight_layers)} layers learn"
        ),
        summary=(
            f"The weights of {', '.join(frozen_names)} never change, while "
            f"{', '.join(moving_names)} {'keeps' if len(moving_names) == 1 else 'keep'} moving. "
            "The network trains only its top, on features that do not change: in the "
            "Histograms tab the early layers look like flat, "
            "identical ridges and only the last layer's ridges shift."
        ),
        evidence={"frozen_layers": len(frozen_names), "learning_layers": len(moving_names)},
        steps=(min(firsts), max(steps)),
        fix=(
            "If the early layers should train: check requires_grad / trainable flags (e.g. a "
            "pretrained backbone left frozen), that the optimizer was built with all parameters "
            "(model.parameters(), not one layer's), and that no detach()/stop_gradient cuts the "
            "gradient path. If freezing is intended (fine-tuning a pretrained backbone), declare "
            'it in the configuration\'s [expect] table (e.g. "^backbone\\\\." = "frozen") and '
            "this becomes an info."
        ),
        tags=tags,
    )
