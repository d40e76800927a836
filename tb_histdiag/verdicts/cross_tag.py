"""Rules that read several tags of a run: saturation that cannot be, gradients vanishing over depth."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tb_histdiag.model import TagDiagnosis, Verdict
from tb_histdiag.verdicts.text import fmt
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


def vanishing_relative(tags: Sequence[TagDiagnosis], t: Thresholds) -> dict[str, Verdict]:
    """Gradients of early layers orders of magnitude below the last layer's (AutoTrainer)."""
    grads = [d for d in tags if d.role == "gradient" and d.facts.get("mean_abs") is not None]
    if len(grads) < 2:
        return {}
    deepest = max(d.depth for d in grads)
    reference = max(d.facts["mean_abs"] for d in grads if d.depth == deepest)
    if not reference > 0:
        return {}
    out = {}
    for d in grads:
        level = d.facts["mean_abs"]
        if d.depth == deepest or any(v.id == "vanishing" for v in d.verdicts):
            continue
        ratio = level / reference
        if ratio < t.vanishing_ratio and level < t.vanishing_first_max:
            out[d.tag] = Verdict(
                id="vanishing",
                severity="warning",
                title=f"Gradients vanish: {ratio:.1e}× the last layer's",
                summary=(
                    f"The gradients reaching {d.layer} average {fmt(level)} in magnitude, "
                    f"{fmt(1 / ratio)} times smaller than those of the last layer "
                    f"({fmt(reference)}). The backward signal shrinks layer by layer, so the "
                    "early layers hardly learn while the last ones do."
                ),
                evidence={"mean_abs": level, "last_layer_mean_abs": reference, "ratio": ratio},
                steps=(d.first_step or 0, d.last_step or 0),
                fix=(
                    "Use ReLU-family activations instead of sigmoid/tanh in deep stacks, He or "
                    "Glorot initialisation, normalisation layers, or residual connections."
                ),
            )
    return out
