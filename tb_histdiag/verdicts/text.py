"""Small helpers the rules share: numbers as short text, step lookups, the recent window."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tb_histdiag.engine.stats import SeriesStats
from tb_histdiag.verdicts.thresholds import Thresholds


def fmt(value: float) -> str:
    """A number as a short human string (3 significant digits)."""
    return f"{value:.3g}"


def percent(fraction: float) -> str:
    """A fraction as a percentage that stays readable when tiny (``2.6e-06`` → ``0.0003%``)."""
    return f"{fraction:.2%}" if fraction >= 1e-4 or fraction == 0 else f"{fraction * 100:.1g}%"


def as_count(value: float) -> int | float:
    """A bucket count total as an int when it is one (crafted data may hold 1e300 or Inf)."""
    return int(value) if np.isfinite(value) and abs(value) < 2**62 else float(value)


#: What a role's values are called in a sentence.
_THINGS = {
    "weight": "weights",
    "bias": "biases",
    "gradient": "gradients",
    "norm_scale": "normalisation scales",
    "norm_shift": "normalisation shifts",
}


def thing_of(role: str) -> str:
    """What a role's values are called in a sentence (``weights``, ``gradients``, ``values``)."""
    return _THINGS.get(role, "values")


def step_at(stats: SeriesStats, index: int) -> int:
    return int(stats.steps[index])


def recent_steps(stats: SeriesStats, t: Thresholds) -> NDArray[np.int64]:
    return stats.valid_index[-t.recent_steps :]
