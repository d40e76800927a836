"""Causes inferred from weight-only logs (Keras' ``TensorBoard(histogram_freq=1)``), said as
inferences with the evidence they rest on and what logging would confirm them.

Without gradient and activation histograms, two causes still leave marks on the weights:

* gradients vanishing on their way back: the movement of each layer's weights over depth shrinks
  by orders of magnitude towards the input (:func:`vanishing_inferred_from_weights`);
* dead units: a layer whose kernel and biases never change, with negative biases, followed by a
  layer whose kernel never changes either while its bias does: a weight whose inputs are all
  zero gets no gradient (:func:`dead_units_inferred_from_weights`). The follower's unchanging
  kernel is the consequence and is told so (:func:`inputs_dead`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from tb_histdiag.results import LOGGERS, TagDiagnosis, Verdict
from tb_histdiag.verdicts.text import fmt, percent
from tb_histdiag.verdicts.thresholds import Thresholds

#: Where a user finds the loggers that make an inference a reading.
CONFIRM = f"one line does it: {LOGGERS['keras']} for Keras, {LOGGERS['pytorch']} for PyTorch"


def vanishing_inferred_from_weights(
    tags: Sequence[TagDiagnosis], t: Thresholds
) -> dict[str, Verdict]:
    """Weights-only logs (Keras' ``histogram_freq``): no gradient is seen, but how far each layer's
    weights move says where the gradient stops. When the layers closest to the input move at most
    ``vanishing_inferred_ratio`` of what the last layer moves, in a profile that shrinks towards
    the input (the small ones come first, all of them, and at least one of them does move), the
    likely cause is gradients vanishing on their way back. A layer frozen by a cut-off optimizer
    gives a step instead (frozen layers, then normally moving ones) and is left to ``frozen``.
    With gradient histograms in the run the gradients are read instead, and nothing is inferred."""
    if any(d.role == "gradient" for d in tags):
        return {}
    weights = [d for d in tags if d.role == "weight" and d.movement is not None]
    depths = sorted({d.depth for d in weights})
    if len(depths) < 3:
        return {}
    deepest = [d for d in weights if d.depth == depths[-1]]
    reference = max(d.movement for d in deepest)
    if not reference > 0:
        return {}
    small = [
        d
        for d in weights
        if d.depth != depths[-1] and d.movement <= t.vanishing_inferred_ratio * reference
    ]
    if not small or not any(d.movement > 0 for d in small):
        return {}
    others = [d for d in weights if d not in small]
    if max(d.depth for d in small) >= min(d.depth for d in others):
        return {}  # not a profile that shrinks towards the input
    last = deepest[0]
    out = {}
    for d in small:
        moved = (
            f"moves {percent(d.movement)} of its spread from the first to the last logged step, "
            f"{fmt(reference / d.movement)} times less than the last layer's weights "
            f"('{last.tag}', {percent(reference)})"
            if d.movement > 0
            else "does not move visibly: its histogram at the last logged step is the same as at "
            f"the first, so its values changed by less than the histogram can show{_within(d)}, "
            f"while the last layer's weights ('{last.tag}') moved {percent(reference)} of their "
            "spread"
        )
        out[d.tag] = Verdict(
            id="vanishing",
            severity="warning",
            title="Gradients likely vanish (inferred from the weights)",
            summary=(
                f"Only weights are logged, so the gradients are not seen; the weights say where "
                f"they stop. This layer ({d.layer}) {moved}. The layers closest to the input "
                "move least, and the movement grows towards the output by orders of magnitude: "
                "the mark of a gradient that shrinks on its way back (sigmoid or tanh stacks, a "
                "small initialisation, no normalisation). This is an inference: log gradient "
                f"histograms to confirm it ({CONFIRM})."
            ),
            evidence={
                "inferred": True,
                "confidence": "likely",
                "movement": d.movement,
                "last_layer_movement": reference,
                "ratio": d.movement / reference,
                "ratio_bar": t.vanishing_inferred_ratio,
                "last_layer_tag": last.tag,
            },
            steps=(d.first_step or 0, d.last_step or 0),
            fix=(
                "Use ReLU-family activations instead of sigmoid/tanh in deep stacks, He or Glorot "
                "initialisation, normalisation layers, or residual connections. To see the "
                f"gradients themselves, log their histograms too ({CONFIRM})."
            ),
        )
    return out


def _bucket_width(d: TagDiagnosis) -> float | None:
    """The bucket width the ``frozen`` verdict of a tag measured (None without one)."""
    return next((v.evidence.get("bucket_width") for v in d.verdicts if v.id == "frozen"), None)


def _within(d: TagDiagnosis) -> str:
    width = _bucket_width(d)
    return "" if not width else f" (every move stayed inside a bucket {fmt(width)} wide)"


def _never_changes(d: TagDiagnosis) -> bool:
    """A ``frozen`` verdict covering every logged step of the tag."""
    return any(
        v.id == "frozen" and v.evidence.get("unchanged_steps") == v.evidence.get("logged_steps")
        for v in d.verdicts
    )


def _moves(d: TagDiagnosis, t: Thresholds) -> bool:
    return not _never_changes(d) and (d.movement or 0.0) > t.moving_min_relative_change


@dataclasses.dataclass(frozen=True)
class _Layer:
    name: str
    depth: int
    weights: tuple[TagDiagnosis, ...]
    biases: tuple[TagDiagnosis, ...]


def _parameter_layers(tags: Sequence[TagDiagnosis]) -> list[_Layer]:
    """Layers with a weight tag, in depth order, with their weights and biases."""
    by_layer: dict[str, list[TagDiagnosis]] = {}
    for d in tags:
        if d.role in ("weight", "bias"):
            by_layer.setdefault(d.layer, []).append(d)
    layers = [
        _Layer(
            name,
            min(d.depth for d in members),
            tuple(d for d in members if d.role == "weight"),
            tuple(d for d in members if d.role == "bias"),
        )
        for name, members in by_layer.items()
        if any(d.role == "weight" for d in members)
    ]
    return sorted(layers, key=lambda layer: (layer.depth, layer.name))


def dead_units_inferred_from_weights(
    tags: Sequence[TagDiagnosis], t: Thresholds
) -> tuple[dict[str, Verdict], dict[str, str]]:
    """Weights-only logs: layers whose units likely output only zeros (dead ReLUs).

    A layer's kernel and biases never change while the run trains (something deeper moves), and
    the next layer's kernel never changes either: a weight gets no gradient when its inputs are
    all zero. Told as dead units when, in addition, the layer's biases are all negative (a
    ReLU's input plus a negative bias stays below 0) or the next layer's bias still learns (so
    the optimizer reaches that layer and only its inputs are missing). A base frozen on purpose
    does not look like this: the layer after it learns from the base's non-zero outputs.

    Returns the inferred ``dead`` verdicts by tag, and, for the next layers' kernels that never
    change because of it, the dead layer's name by tag (for :func:`inputs_dead`). With
    activation, pre-activation or gradient histograms of a layer the outputs are read instead.
    """
    seen_directly = {d.layer for d in tags if d.role in ("activation", "preactivation")}
    if any(d.role == "gradient" for d in tags):
        return {}, {}
    layers = _parameter_layers(tags)
    verdicts: dict[str, Verdict] = {}
    consequences: dict[str, str] = {}
    for i, layer in enumerate(layers[:-1]):
        after = layers[i + 1]
        deeper = [d for later in layers[i + 1 :] for d in (*later.weights, *later.biases)]
        if (
            layer.name in seen_directly
            or not layer.biases
            or not all(_never_changes(d) for d in (*layer.weights, *layer.biases))
            or not all(_never_changes(d) for d in after.weights)
            or not any(_moves(d, t) for d in deeper)
        ):
            continue
        highest_bias = max(d.facts.get("recent_max", 0.0) for d in layer.biases)
        lowest_bias = min(d.facts.get("recent_min", 0.0) for d in layer.biases)
        negative = highest_bias < 0.0
        after_bias_learns = any(_moves(d, t) for d in after.biases)
        if not (negative or after_bias_learns):
            continue
        marks = ["Its kernel and its biases never change (identical histograms at every step)."]
        if negative:
            biases = (
                f"is {fmt(highest_bias)}"
                if lowest_bias == highest_bias
                else f"is negative ({fmt(lowest_bias)} to {fmt(highest_bias)})"
            )
            marks.append(
                f"Every bias {biases}: a ReLU whose weighted input plus its bias stays below 0 "
                "outputs 0 and passes back a zero gradient."
            )
        marks.append(
            f"The kernel of the next layer ({after.name}) never changes either"
            + (", while its bias learns" if after_bias_learns else "")
            + ": a weight gets no gradient when its inputs are all zero."
        )
        for d in (*layer.weights, *layer.biases):
            verdicts[d.tag] = Verdict(
                id="dead",
                severity="warning",
                title="Units likely dead (inferred from the weights)",
                summary=(
                    f"Only parameters are logged, so the outputs of {layer.name} are not seen; its "
                    "parameters say they are all zero. "
                    + " ".join(marks)
                    + " Meanwhile deeper parameters learn, so the run does train. This is an "
                    f"inference: log the activations of {layer.name} to confirm it ({CONFIRM})."
                ),
                evidence={
                    "inferred": True,
                    "confidence": "likely",
                    "bias_max": highest_bias,
                    "bias_min": lowest_bias,
                    "next_layer": after.name,
                    "next_layer_bias_learns": after_bias_learns,
                },
                steps=(d.first_step or 0, d.last_step or 0),
                fix=(
                    "Initialise biases at 0 (or a small positive value for ReLU), use He "
                    "initialisation, lower the learning rate (one large step can push units "
                    "below 0 for good), or use LeakyReLU/ELU, which pass a gradient below 0. "
                    f"To see the units themselves, log their activations ({CONFIRM})."
                ),
            )
        for d in after.weights:
            if d.tag not in verdicts:
                consequences[d.tag] = layer.name
    return verdicts, consequences


def inputs_dead(d: TagDiagnosis, dead_layer: str) -> TagDiagnosis:
    """A kernel that never changes because its inputs (the outputs of ``dead_layer``) are all
    zero: its ``frozen`` is true of the histogram and told as the consequence it is (info)."""
    verdicts = tuple(
        dataclasses.replace(
            v,
            severity="info",
            title="Never changes: its inputs are zero",
            summary=(
                f"{v.summary} Its inputs, the outputs of {dead_layer}, are likely all zero (dead "
                "units, inferred and told there): a weight whose inputs are zero gets a zero "
                "gradient. Nothing cut it off from the optimizer."
            ),
            evidence={**v.evidence, "inputs_dead_layer": dead_layer, "inferred": True},
            fix=f"See {dead_layer}: once its units output something again, this layer learns.",
        )
        if v.id == "frozen"
        else v
        for v in d.verdicts
    )
    return dataclasses.replace(d, verdicts=verdicts)
