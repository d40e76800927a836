"""All tag rules of one series, and the facts cross-tag rules need from it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from tb_histdiag.engine.stats import SeriesStats
from tb_histdiag.results import SEVERITIES, Verdict
from tb_histdiag.verdicts.activations import dead, saturated
from tb_histdiag.verdicts.learning import frozen, slow
from tb_histdiag.verdicts.scale import collapsing, exploding, vanishing
from tb_histdiag.verdicts.table import BY_ID
from tb_histdiag.verdicts.text import recent_steps
from tb_histdiag.verdicts.thresholds import Thresholds
from tb_histdiag.verdicts.values import constant, multimodal, nonfinite

#: The tag rules, in the order their verdicts are listed.
TAG_RULES: Sequence[Callable[[SeriesStats, str, Thresholds], Verdict | None]] = (
    nonfinite,
    constant,
    frozen,
    dead,
    saturated,
    exploding,
    collapsing,
    vanishing,
    slow,
    multimodal,
)


#: When two verdicts of a tag start at the same step, the first in this order tells the story
#: (a bias frozen at its zero initialisation is ``frozen``; units that start as copies of each
#: other are ``constant``, whatever their gradients' size; see :func:`_rank` for ``constant``).
PRECEDENCE = (
    "nonfinite",
    "exploding",
    "collapsing",
    "frozen",
    "constant",
    "dead",
    "saturated",
    "vanishing",
)

#: What a consequence adds when it follows an explosion of gradients or activations.
_AFTER_EXPLOSION = (
    " Values that explode and then drop to exactly 0 (or stop changing) are the mark of units "
    "driven by the huge updates into saturation (tanh/sigmoid flat at ±1) or killed (ReLU): the "
    "explosion is the cause, what follows its consequence."
)


def _onset(v: Verdict) -> int:
    return v.steps[0] if v.steps else 0


def _rank(v: Verdict, role: str | None) -> tuple[int, float]:
    """Earlier first; at the same step by :data:`PRECEDENCE`, except for ``constant``: values
    that became all equal at once, later in the run, are told as ``constant`` (an abrupt event)
    rather than as a ``collapsing`` or ``frozen`` starting at the same step; and identical values
    from the start are ``constant`` before ``frozen`` for everything but biases (identical weights
    are the symmetry problem, whether or not they move; zero biases are how biases start)."""
    order = float(PRECEDENCE.index(v.id))
    if v.id == "constant" and v.evidence.get("from_start") is False:
        order = PRECEDENCE.index("collapsing") - 0.5
    elif v.id == "constant" and role != "bias":
        order = PRECEDENCE.index("frozen") - 0.5
    return (_onset(v), order)


def _lower_first(text: str) -> str:
    """A title continued inside a sentence: "Gradients are 0" → "gradients are 0"; a first word
    with capitals of its own ("NaN", "ReLUs") keeps them."""
    word = text.split(" ", 1)[0]
    return text if any(c.isupper() for c in word[1:]) else text[:1].lower() + text[1:]


def _from_step(v: Verdict, lead: str) -> str:
    """One sentence telling a further finding (``lead`` is "Also" or "Then"), its onset step
    said once: not again where its title says it."""
    if f"step {_onset(v)}" in v.title:
        return f"{lead}: {_lower_first(v.title)}."
    comma = "," if lead == "Then" else ""
    return f"{lead}{comma} from step {_onset(v)}: {_lower_first(v.title)}."


def root_cause(found: Sequence[Verdict], role: str | None = None) -> tuple[Verdict, ...]:
    """One root-cause verdict per tag: the earliest warning or critical finding in time, with the
    later ones told in its story as consequences (``followed_by`` in its evidence). Findings
    that start at the same step as the root say the same thing from another side: one sentence
    of the root's summary names them (``also`` in its evidence). Info verdicts stay only where
    nothing is wrong."""
    alarms = [v for v in found if v.severity != "info"]
    if not alarms:
        return tuple(found)
    alarms.sort(key=lambda v: _rank(v, role))
    root = alarms[0]
    same = [v for v in alarms[1:] if _onset(v) == _onset(root)]
    later = [v for v in alarms[1:] if _onset(v) > _onset(root)]
    if not later and not same:
        return (root,)
    worst = max((root, *later), key=lambda v: SEVERITIES.index(v.severity)).severity
    summary = root.summary
    evidence = dict(root.evidence)
    title = root.title
    if same:
        summary += " " + " ".join(_from_step(v, "Also") for v in same)
        evidence["also"] = ", ".join(v.id for v in same)
    if later:
        first = later[0]
        summary += " " + " ".join(_from_step(v, "Then") for v in later)
        if root.id == "exploding" and any(
            v.id in ("vanishing", "constant", "frozen", "saturated", "dead") for v in later
        ):
            summary += _AFTER_EXPLOSION
        title += f", then {_lower_first(first.title)}" + (
            "" if f"step {_onset(first)}" in first.title else f" (step {_onset(first)})"
        )
        evidence["followed_by"] = ", ".join(v.id for v in later)
        evidence["followed_from_step"] = _onset(first)
    return (
        dataclasses.replace(
            root,
            severity=worst,
            title=title,
            summary=summary,
            evidence=evidence,
            steps=(_onset(root), max(v.steps[-1] for v in (root, *later) if v.steps)),
        ),
    )


def apply_rules(stats: SeriesStats, role: str, t: Thresholds) -> tuple[Verdict, ...]:
    """Run every tag rule, drop the verdicts a more specific one supersedes, and tell the rest
    as one root cause and its consequences."""
    found = [v for rule in TAG_RULES if (v := rule(stats, role, t))]
    ids = {v.id for v in found}
    dropped = {d for i in ids for d in BY_ID[i].supersedes}
    return root_cause([v for v in found if v.id not in dropped], role)


def recent_mean_abs(stats: SeriesStats, t: Thresholds) -> float | None:
    """Largest mean |x| over the last logged steps (None without valid steps)."""
    recent = recent_steps(stats, t)
    return float(np.max(stats.mean_abs[recent])) if recent.size else None


def recent_range(stats: SeriesStats, t: Thresholds) -> tuple[float, float] | None:
    """Smallest and largest value over the last logged steps (None without valid steps)."""
    recent = recent_steps(stats, t)
    if recent.size == 0:
        return None
    return float(np.min(stats.minimum[recent])), float(np.max(stats.maximum[recent]))
