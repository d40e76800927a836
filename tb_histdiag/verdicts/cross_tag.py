"""Rules that read several tags of a run: saturation that cannot be, gradients vanishing over
depth, explosions the rest of the run corroborates, biases a normalisation layer makes
redundant, the output probabilities; and the step that applies them with the causes inferred
from weight-only logs (:mod:`.inferred`)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from tb_histdiag.engine.roles import is_batch_norm
from tb_histdiag.results import LossOutcome, TagDiagnosis, Verdict
from tb_histdiag.verdicts.consequences import tells, told_as_consequences
from tb_histdiag.verdicts.inferred import (
    dead_units_inferred_from_weights,
    inputs_dead,
    vanishing_inferred_from_weights,
)
from tb_histdiag.verdicts.outcome import gate_by_outcome, settled_growth
from tb_histdiag.verdicts.scale import Growth, explosion, growth_bars
from tb_histdiag.verdicts.tag import root_cause
from tb_histdiag.verdicts.text import fmt, thing_of
from tb_histdiag.verdicts.thresholds import Thresholds

#: Names that say what follows a pre-activation cannot saturate the way tanh and sigmoid do:
#: unbounded activations, and logits (a confident classifier's logits are far out by design).
_UNSATURABLE_NAME = re.compile(r"relu|gelu|(?<![a-z])elu|silu|swish|softplus|mish|logit", re.I)


def unsaturable_preactivations(tags: Sequence[TagDiagnosis]) -> set[str]:
    """Pre-activation tags whose ``saturated`` verdict does not apply: their layer logs an
    activation that is not bounded to [-1, 1] (e.g. a ReLU's), or their name says the
    activation is unbounded (``conv1_before_relu``) or that they are logits. Without either
    sign the pre-activation rule stands on its own (tanh and sigmoid are the usual case)."""
    unbounded_layers = {
        d.layer
        for d in tags
        if d.role == "activation"
        and (
            d.facts.get("recent_min", 0.0) < -1.0 - 1e-6
            or d.facts.get("recent_max", 0.0) > 1.0 + 1e-6
        )
    }
    return {
        d.tag
        for d in tags
        if d.role == "preactivation"
        and (d.layer in unbounded_layers or _UNSATURABLE_NAME.search(d.tag))
    }


def _gradients_of(tags: Sequence[TagDiagnosis], targets: tuple) -> list[TagDiagnosis]:
    return [
        d
        for d in tags
        if d.role == "gradient" and d.target in targets and d.facts.get("mean_abs") is not None
    ]


def vanishing_relative(
    tags: Sequence[TagDiagnosis], t: Thresholds, loss: LossOutcome | None = None
) -> dict[str, Verdict]:
    """Gradients of earlier layers orders of magnitude below the last layer's, read off the
    gradient profile over depth (AutoTrainer's first/last ratio, for every layer). Weight
    gradients are compared with the last layer's weight gradient and bias gradients with its
    bias gradient: a bias gradient is the backward signal itself, which shows the vanishing even
    where a shrinking forward signal keeps the weight gradients flat over depth (a deep tanh
    stack with a small initialisation). The bar is graded by the loss: where it is stuck, 100×
    below the last layer is already the likely reason; otherwise 1000× and below an absolute
    1e-4, as AutoTrainer asks."""
    out: dict[str, Verdict] = {}
    for targets in (("weight", None), ("bias",)):
        out.update(_vanishing_profile(_gradients_of(tags, targets), t, loss))
    return out


def _vanishing_profile(
    grads: list[TagDiagnosis], t: Thresholds, loss: LossOutcome | None
) -> dict[str, Verdict]:
    if len(grads) < 2:
        return {}
    deepest = max(d.depth for d in grads)
    reference = max(d.facts["mean_abs"] for d in grads if d.depth == deepest)
    if not reference > 0:
        return {}
    stuck = loss is not None and loss.flat
    bar = t.vanishing_ratio_stuck if stuck else t.vanishing_ratio
    out = {}
    for d in grads:
        level = d.facts["mean_abs"]
        if d.depth == deepest or not level > 0 or tells(d, "vanishing"):
            continue  # exactly 0 is the absolute rule's (or a root cause's consequence)
        ratio = level / reference
        if ratio < bar and (stuck or level < t.vanishing_first_max):
            why = (
                f"With the loss stuck, a gradient {fmt(1 / ratio)} times below the last layer's "
                "is the likely reason these layers do not learn."
                if stuck
                else "The backward signal shrinks layer by layer, so the early layers hardly "
                "learn while the last ones do."
            )
            out[d.tag] = Verdict(
                id="vanishing",
                severity="warning",
                title=f"Gradients vanish: {ratio:.1e}× the last layer's",
                summary=(
                    f"Over the last logged steps the gradients reaching {d.layer} average "
                    f"{fmt(level)} in magnitude, {fmt(1 / ratio)} times smaller than those of "
                    f"the last layer ({fmt(reference)}). {why}"
                ),
                evidence={
                    "mean_abs": level,
                    "last_layer_mean_abs": reference,
                    "ratio": ratio,
                    "ratio_bar": bar,
                },
                steps=(d.first_step or 0, d.last_step or 0),
                fix=(
                    "Use ReLU-family activations instead of sigmoid/tanh in deep stacks, He or "
                    "Glorot initialisation, normalisation layers, or residual connections."
                ),
            )
    return out


def _listed(steps: Sequence[int], limit: int = 4) -> str:
    words = [str(s) for s in steps[:limit]] + (
        [f"{len(steps) - limit} more"] if len(steps) > limit else []
    )
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def corroborated_explosions(tags: Sequence[TagDiagnosis], t: Thresholds) -> dict[str, Verdict]:
    """Explosions a tag's own rule cannot call and the rest of the run shows:

    * gradients that burst: one logged step at a time, their size reaches the gradient growth
      bar (never two steps in a row, so the tag rule, which wants the peak held, passes), while
      the parameters they update, in the same layer, explode. The bursts are what pushed them;
      between the bursts the gradients are small or exactly 0 (units the explosion saturated).
    * weights or biases whose size grows past the growth bar with values still under the |value|
      floor (which keeps small tensors that grow from a tiny initialisation quiet), in a run
      where other tensors of the same role explode by their own rule: the same explosion,
      caught a little earlier in its course.
    """
    exploded = [d for d in tags if tells(d, "exploding")]
    out: dict[str, Verdict] = {}
    for d in tags:
        g = d.facts.get("growth")
        if not isinstance(g, Growth) or tells(d, "exploding"):
            continue
        needed, floor = growth_bars(d.role, t, g.from_zero)
        if d.role == "gradient":
            pushed = [
                p for p in exploded if p.layer == d.layer and p.role == (d.target or "weight")
            ]
            if not (pushed and g.burst_steps and g.burst >= floor):
                continue
            p = pushed[0]
            theirs = next((v for v in p.verdicts if v.id == "exploding"), None)
            how = (
                f" too: {fmt(theirs.evidence['growth'])} times their starting size, past 10 "
                f"times by step {theirs.evidence['onset_step']}"
                if theirs is not None
                else " too"
            )
            opening = (
                f"These gradients explode in bursts: at step{'s' if len(g.burst_steps) > 1 else ''} "
                f"{_listed(g.burst_steps)} their size (root mean square) jumps to as much as "
                f"{fmt(g.burst)}, {fmt(g.burst_growth)} times its {fmt(g.start)} at step "
                f"{g.start_step}, with values up to {fmt(g.largest)}, but never at two logged steps "
                f"in a row. The {thing_of(p.role)} they update ('{p.tag}') explode{how}: bursts "
                "like these are what pushes them."
            )
            out[d.tag] = explosion(
                g,
                t,
                opening,
                since=g.burst_steps[0],
                evidence={"burst_steps": list(g.burst_steps), "pushed_tag": p.tag},
            )
        elif d.role in ("weight", "bias") and not g.from_zero and g.growth >= needed:
            like = [p for p in exploded if p.role == d.role and p.tag != d.tag]
            if not like:
                continue
            layers = sorted({p.layer for p in like})
            opening = (
                f"The size of these {thing_of(d.role)} (root mean square) grows from "
                f"{fmt(g.start)} at step {g.first_step} to {fmt(g.level)} at step {g.peak_step}, "
                f"{fmt(g.growth)} times larger, as the run's exploding {thing_of(d.role)} do "
                f"(in {_listed(layers, 3)}). Their values, up to {fmt(g.largest)}, are still under "
                f"the {fmt(floor)} that would flag this tensor on its own: the same explosion, "
                "earlier in its course."
            )
            out[d.tag] = explosion(
                g, t, opening, evidence={"like_tags": ", ".join(p.tag for p in like[:5])}
            )
    return out


#: Verdicts that a normalisation layer's redundancy explains on a bias or its gradient.
_REDUNDANCY_EXPLAINS = ("frozen", "slow", "vanishing", "constant", "multimodal")


def redundant_biases(tags: Sequence[TagDiagnosis], t: Thresholds) -> dict[str, Verdict]:
    """Biases of layers followed by a normalisation layer (a convolution's bias before
    BatchNorm): the normalisation subtracts the mean, so the bias gets a zero gradient by
    construction and stays where it started. Recognised from the bias gradient being orders of
    magnitude below the same layer's weight gradient, or, without gradients, from a bias that
    does not move while its weights learn, in a run with batch normalisation layers (BatchNorm,
    InstanceNorm: LayerNorm normalises across channels and leaves a bias before it learning). A
    bias whose movement cannot be measured (one value, no spread) is not taken as still. Returns
    an info verdict for the bias and for its gradient, which replaces their alarms."""
    has_norm = any(d.role in ("norm_scale", "norm_shift", "running_stat") for d in tags)
    has_batch_norm = any(
        d.role == "running_stat"
        or (d.role in ("norm_scale", "norm_shift") and is_batch_norm(d.layer))
        for d in tags
    )
    by_layer: dict[str, dict[str, list[TagDiagnosis]]] = {}
    for d in tags:
        kind = d.role if d.role in ("weight", "bias") else f"grad_{d.target}"
        by_layer.setdefault(d.layer, {}).setdefault(kind, []).append(d)
    out = {}
    for layer, kinds in by_layer.items():
        biases, bias_grads = kinds.get("bias", []), kinds.get("grad_bias", [])
        weights, weight_grads = kinds.get("weight", []), kinds.get("grad_weight", [])
        ratio = None
        if bias_grads and weight_grads:
            gb = max(d.facts.get("mean_abs", float("nan")) for d in bias_grads)
            gw = max(d.facts.get("mean_abs", float("nan")) for d in weight_grads)
            if gw > 0 and gb >= 0:
                ratio = gb / gw
        by_gradient = (
            ratio is not None
            and ratio < t.redundant_bias_ratio
            and (has_norm or ratio < t.redundant_bias_ratio_alone)
        )
        weights_learn = any(
            (w.movement or 0.0) > t.moving_min_relative_change
            and not any(v.id == "frozen" for v in w.verdicts)
            for w in weights
        )
        by_movement = (
            has_batch_norm
            and weights_learn
            and biases
            and all(
                any(v.id in ("frozen", "slow") for v in b.verdicts)
                or (b.movement is not None and b.movement <= t.moving_min_relative_change)
                for b in biases
            )
        )
        if not (by_gradient or by_movement):
            continue
        evidence = {"bias_to_weight_gradient": ratio} if ratio is not None else {}
        if by_gradient:
            opening = f"The bias of {layer} is followed by a normalisation layer"
            measured = f" Here its gradient is {fmt(ratio)} times the weights' gradient."
        else:
            opening = f"The bias of {layer} is most likely followed by a normalisation layer"
            measured = (
                " Here the bias stays where it started while the layer's weights learn, in a "
                "run with batch normalisation layers."
            )
        for d in (*biases, *bias_grads):
            out[d.tag] = Verdict(
                id="redundant_bias",
                severity="info",
                title="Bias made redundant by a normalisation layer",
                summary=(
                    f"{opening} (BatchNorm), which subtracts each channel's mean: adding the "
                    "same number to every value of a channel changes nothing after it, so the "
                    "bias receives no gradient by construction and does not learn."
                    + measured
                    + " This is harmless."
                ),
                evidence=evidence,
                steps=(d.first_step or 0, d.last_step or 0),
                fix="Create the layer without a bias (bias=False / use_bias=False) to save the "
                "parameters and this histogram.",
            )
    return out


def output_probabilities(tags: Sequence[TagDiagnosis]) -> set[str]:
    """Activation tags of the last layer whose values lie in [0, 1]: the model's output
    probabilities (softmax, sigmoid), which a confident classifier pushes to 0 and 1 by design.
    They are not hidden units, so ``saturated`` does not apply."""
    acts = [d for d in tags if d.role == "activation" and "recent_min" in d.facts]
    if len(acts) < 2:
        return set()
    deepest = max(d.depth for d in acts)
    return {
        d.tag
        for d in acts
        if d.depth == deepest
        and d.facts["recent_min"] >= 0.0
        and d.facts.get("recent_max", 2.0) <= 1.0 + 1e-6
    }


def cross_tag_step(
    tags: Sequence[TagDiagnosis], t: Thresholds, loss: LossOutcome | None
) -> list[TagDiagnosis]:
    """The run-wide step over a run's tag diagnoses (in depth order): drop saturation that
    cannot be (unbounded layers, output probabilities), explain biases a normalisation layer
    makes redundant, add gradients vanishing over depth and explosions the run corroborates, tell
    each tag as one root cause, and grade causes by the loss."""
    not_saturable = unsaturable_preactivations(tags) | output_probabilities(tags)
    redundant = redundant_biases(tags, t)
    vanishing = vanishing_relative(tags, t, loss)
    exploding = corroborated_explosions(tags, t)
    inferred = vanishing_inferred_from_weights(tags, t)
    dead, inputs_of_dead = dead_units_inferred_from_weights(tags, t)
    # One parameter tensor growing alone may have settled where the loss wants it (see
    # settled_growth); a learning rate that blows up the weights blows up every layer.
    exploded = [d.tag for d in tags if d.role in ("weight", "bias") and tells(d, "exploding")]
    alone = exploded[0] if len(exploded) == 1 else None
    out = []
    for d in tags:
        verdicts = d.verdicts
        if d.tag in not_saturable:
            verdicts = tuple(v for v in verdicts if v.id != "saturated")
        if d.tag in redundant:
            verdicts = (
                *(v for v in verdicts if v.id not in _REDUNDANCY_EXPLAINS),
                redundant[d.tag],
            )
        elif d.tag in inferred:  # replaces frozen/slow: the weights do change, too little to see
            kept = tuple(v for v in verdicts if v.id not in ("frozen", "slow"))
            verdicts = root_cause((*kept, inferred[d.tag]), d.role)
        elif d.tag in dead:  # replaces frozen (and a bias's shared value): the cause is upstream
            explained = ("frozen", "slow", "constant") if d.role == "bias" else ("frozen", "slow")
            kept = tuple(v for v in verdicts if v.id not in explained)
            verdicts = root_cause((*kept, dead[d.tag]), d.role)
        elif d.tag in vanishing or d.tag in exploding:
            added = (v for v in (vanishing.get(d.tag), exploding.get(d.tag)) if v)
            verdicts = root_cause((*verdicts, *added), d.role)
        if d.tag == alone:
            verdicts = settled_growth(verdicts, d.facts.get("growth"), loss, t)
        d = dataclasses.replace(d, verdicts=gate_by_outcome(verdicts, loss))
        out.append(inputs_dead(d, inputs_of_dead[d.tag]) if d.tag in inputs_of_dead else d)
    return told_as_consequences(out)
