"""All tag rules of one series, and the facts cross-tag rules need from it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from tb_histdiag.model import Verdict
from tb_histdiag.stats import SeriesStats
from tb_histdiag.verdicts.activations import dead, saturated
from tb_histdiag.verdicts.learning import frozen, slow
from tb_histdiag.verdicts.scale import collapsing, exploding, vanishing
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


#: When the first verdict is found, the second says the same thing less precisely: drop it.
SUPERSEDES = {
    "nonfinite": ("exploding",),
    "dead": ("constant", "saturated", "multimodal"),
    "vanishing": ("constant", "multimodal"),
    "constant": ("multimodal", "slow"),
    "frozen": ("slow",),
}


def apply_rules(stats: SeriesStats, role: str, t: Thresholds) -> tuple[Verdict, ...]:
    """Run every tag rule and drop the verdicts a more specific one supersedes."""
    found = [v for rule in TAG_RULES if (v := rule(stats, role, t))]
    ids = {v.id for v in found}
    dropped = {d for i in ids for d in SUPERSEDES.get(i, ())}
    return tuple(v for v in found if v.id not in dropped)


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
