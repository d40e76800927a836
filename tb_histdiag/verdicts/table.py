"""The table of verdicts: every id, its level, the roles its rule reads, what it supersedes.

One row per verdict id. The JSON schema's enum (``docs/diagnostics-v1.schema.json``), the verdict
documentation (``docs/verdicts.md``), the configuration's ``[expect]`` conditions and the tests are
checked against it, so a new rule is added here and in its module, nowhere else.
"""

from __future__ import annotations

import dataclasses

#: Roles of trained parameters whose values a weight rule judges.
PARAMETERS = ("weight", "bias", "other")
#: Scales and shifts of normalisation layers: trained, per channel, start at exactly 1 and 0.
NORMALISATION = ("norm_scale", "norm_shift")


@dataclasses.dataclass(frozen=True)
class VerdictSpec:
    """One verdict id.

    ``level``: where it is found (``tag``, ``layer`` or ``run``). ``roles``: the tag roles its
    rule applies to (empty for layer and run verdicts, which read several tags). ``supersedes``:
    ids that say the same thing less precisely on the same tag and are dropped when this one is
    found. ``gated``: its severity follows the run's loss outcome (a cause, AutoTrainer-style).
    """

    id: str
    level: str
    meaning: str
    roles: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    gated: bool = False


VERDICTS: tuple[VerdictSpec, ...] = (
    VerdictSpec(
        "nonfinite",
        "tag",
        "NaN or ±Inf in the data",
        roles=(
            *PARAMETERS,
            *NORMALISATION,
            "running_stat",
            "activation",
            "preactivation",
            "gradient",
            "input",
            "output",
        ),
    ),
    VerdictSpec(
        "constant",
        "tag",
        "all values identical, or repeating in groups: symmetry never broken",
        roles=(*PARAMETERS, "activation", "preactivation", "gradient"),
        supersedes=("multimodal", "slow"),
    ),
    VerdictSpec(
        "frozen",
        "tag",
        "the histogram never changes: not learning",
        roles=(*PARAMETERS, *NORMALISATION),
        supersedes=("slow",),
    ),
    VerdictSpec(
        "exploding",
        "tag",
        "magnitudes grow by orders of magnitude",
        roles=(*PARAMETERS, *NORMALISATION, "activation", "preactivation", "gradient"),
    ),
    VerdictSpec(
        "collapsing",
        "tag",
        "spread shrinks towards zero (e.g. too strong weight decay)",
        # Biases too: AdamW and SGD's weight_decay decay every parameter (zero-initialised
        # biases have no starting spread to shrink and are not judged).
        roles=("weight", "bias"),
    ),
    VerdictSpec(
        "dead",
        "tag",
        "activations: most mass at exactly 0 (dead ReLUs)",
        roles=("activation",),
        supersedes=("constant", "saturated", "multimodal"),
        gated=True,
    ),
    VerdictSpec(
        "saturated",
        "tag",
        "hidden activations piled at the bounds of tanh/sigmoid",
        roles=("activation", "preactivation"),
        gated=True,
    ),
    VerdictSpec(
        "vanishing",
        "tag",
        "gradients orders of magnitude too small (from weights only: inferred, 'likely')",
        # The tag rule reads gradients; the cross-tag rules add it on weights where only weights
        # are logged (``cross_tag.vanishing_inferred_from_weights``).
        roles=("gradient",),
        supersedes=("constant", "multimodal"),
        gated=True,
    ),
    VerdictSpec(
        "redundant_bias",
        "tag",
        "a bias a normalisation layer makes redundant: zero gradient by construction (info)",
        roles=("bias", "gradient"),
    ),
    VerdictSpec("slow", "tag", "changes, but very little (info)", roles=("weight", "bias")),
    VerdictSpec(
        "multimodal",
        "tag",
        "a few sharp spikes hold all the mass (info)",
        # Not biases: a few levels are how biases are often initialised by design (zeros with an
        # LSTM's forget-gate biases at 1: exactly 25% at 1.0).
        roles=("weight", "other"),
    ),
    VerdictSpec("bias_only", "layer", "the layer's biases move, its weights do not"),
    VerdictSpec("last_layer_only", "run", "only the last layer(s) learn; earlier ones are frozen"),
    VerdictSpec(
        "unnamed_layers",
        "run",
        "parameter tags several layers log under (or, naming no layer, may): Keras 3's old names",
    ),
    VerdictSpec(
        "several_trainings",
        "run",
        "steps written again from an earlier step: the latest training is judged (info)",
    ),
)

BY_ID: dict[str, VerdictSpec] = {v.id: v for v in VERDICTS}

#: Every verdict id, in the order verdicts are listed.
VERDICT_IDS: tuple[str, ...] = tuple(BY_ID)


def applies(verdict_id: str, role: str) -> bool:
    """Whether the tag rule of ``verdict_id`` judges tags of ``role``."""
    return role in BY_ID[verdict_id].roles
