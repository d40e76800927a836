"""Tag rules on magnitudes: exploding, collapsing and vanishing values."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from tb_histdiag.engine.stats import SeriesStats
from tb_histdiag.results import Verdict
from tb_histdiag.verdicts.table import applies
from tb_histdiag.verdicts.text import fmt, percent, recent_steps, step_at, thing_of
from tb_histdiag.verdicts.thresholds import Thresholds


def _growth(stats: SeriesStats) -> tuple[float, int, int] | None:
    vi = stats.valid_index
    if vi.size < 2:
        return None
    first, last = vi[0], vi[-1]
    if not stats.std[first] > 0:
        return None  # e.g. biases initialised at 0: any later spread is not "growth"
    return float(stats.std[last] / stats.std[first]), int(first), int(last)


def _size(stats: SeriesStats) -> np.ndarray:
    """Per step, the root mean square of the values: their spread and their offset from 0 (a
    single bias has no spread, but can still explode)."""
    return np.sqrt(stats.std**2 + stats.mean**2)


@dataclasses.dataclass(frozen=True)
class Growth:
    """How the size (root mean square) of a series grew: what ``exploding`` judges, kept among a
    tag's facts for the rules that read several tags. Steps are logged step numbers.

    ``start`` is the size at ``start_step``: the first valid step or, when its values are all 0
    (biases initialised at 0), the first step with non-zero values (``from_zero``). ``level``
    is the largest size held over two consecutive logged steps from there (one noisy step is
    not an explosion), reached at ``peak_step``; ``burst`` is the largest size of any one step,
    and ``burst_steps`` the steps whose size alone is at least the role's growth bar times
    ``start``. ``largest`` is the largest |value| of any step.
    """

    role: str
    first_step: int
    start_step: int
    start: float
    from_zero: bool
    level: float
    peak_step: int
    onset_step: int
    largest: float
    burst: float
    burst_steps: tuple[int, ...]
    last_step: int
    last_size: float
    beyond_range_step: int | None
    #: The largest over the smallest size over the last quarter of the logged steps from
    #: ``start_step`` (None with fewer than 8 of them): near 1 when the growth has stopped.
    settle: float | None = None

    @property
    def growth(self) -> float:
        """The held peak's size over the starting size."""
        return self.level / self.start

    @property
    def burst_growth(self) -> float:
        """The largest one-step size over the starting size."""
        return self.burst / self.start


def growth_bars(role: str, t: Thresholds, from_zero: bool = False) -> tuple[float, float]:
    """The growth a role's size must reach to explode, and the |value| it must reach too."""
    if role == "gradient":
        needed, floor = t.exploding_gradient_growth, t.exploding_min_gradient
    elif role in ("activation", "preactivation"):
        needed, floor = t.exploding_growth, t.exploding_min_activation
    else:
        needed, floor = t.exploding_growth, t.exploding_min_weight
    return needed, (max(floor, t.exploding_from_zero_min) if from_zero else floor)


def measure_growth(stats: SeriesStats, role: str, t: Thresholds) -> Growth | None:
    """The :class:`Growth` of a series whose role can explode (None: fewer than two valid steps,
    or never a non-zero value)."""
    if not applies("exploding", role):
        return None
    vi = stats.valid_index
    if vi.size < 2:
        return None
    size = _size(stats)
    from_zero = not size[vi[0]] > 0
    nonzero = vi[size[vi] > 0] if from_zero else vi
    if nonzero.size == 0:
        return None
    ref = int(nonzero[0])
    after = vi[vi >= ref]
    start = float(size[ref])
    sizes = size[after]
    if after.size < 3:
        level, peak_at = float(sizes[-1]), int(after[-1])
    else:
        held = np.minimum(sizes[:-1], sizes[1:])
        k = int(np.argmax(held))
        level, peak_at = float(held[k]), int(after[k + 1])
    needed, _ = growth_bars(role, t, from_zero)
    onset = next((int(i) for i in after if size[i] >= 10.0 * start), peak_at)
    tail = sizes[(3 * sizes.size) // 4 :]
    settle = (
        float(tail.max() / tail.min())
        if sizes.size >= 8 and tail.size >= 2 and tail.min() > 0
        else None
    )
    beyond = np.flatnonzero(stats.beyond_range[vi])
    extremes = np.maximum(np.abs(stats.minimum[vi]), np.abs(stats.maximum[vi]))
    return Growth(
        role=role,
        first_step=step_at(stats, vi[0]),
        start_step=step_at(stats, ref),
        start=start,
        from_zero=from_zero,
        level=level,
        peak_step=step_at(stats, peak_at),
        onset_step=step_at(stats, onset),
        largest=float(np.max(extremes)),
        burst=float(np.max(sizes)),
        burst_steps=tuple(int(x) for x in stats.steps[after[sizes >= needed * start]]),
        last_step=step_at(stats, vi[-1]),
        last_size=float(size[vi[-1]]),
        beyond_range_step=step_at(stats, vi[beyond[0]]) if beyond.size else None,
        settle=settle,
    )


def explosion(
    g: Growth,
    t: Thresholds,
    opening: str | None = None,
    since: int | None = None,
    evidence: Mapping[str, object] | None = None,
) -> Verdict:
    """The ``exploding`` verdict told from a :class:`Growth`: its own story, or ``opening`` when
    a rule that reads other tags tells it (``since``: the step that story starts at, a burst's;
    the growth is then the largest burst's)."""
    thing = thing_of(g.role)
    needed, _ = growth_bars(g.role, t, g.from_zero)
    if opening is None and g.from_zero:
        opening = (
            f"These {thing} are all exactly 0 at step {g.first_step}. From step {g.start_step} "
            f"on their size (root mean square) grows from {fmt(g.start)} to {fmt(g.level)} at "
            f"step {g.peak_step}, {fmt(g.growth)} times larger, with values up to "
            f"{fmt(g.largest)}: zero-initialised {thing} that learn normally stay far below that."
        )
    elif opening is None:
        opening = (
            f"The size of these {thing} (root mean square) grows from {fmt(g.start)} at step "
            f"{g.first_step} to {fmt(g.level)} at step {g.peak_step}, {fmt(g.growth)} times "
            f"larger, with values up to {fmt(g.largest)}. It passed 10 times its starting size "
            f"at step {g.onset_step}."
        )
    story = [opening]
    if since is None and 0 < g.last_size < g.level / 10:
        story.append(f"After the peak it falls back to {fmt(g.last_size)} by step {g.last_step}.")
    if g.beyond_range_step is not None:
        story.append(
            f"From step {g.beyond_range_step} some values lie beyond ±1e20, which PyTorch and "
            "tensorboardX leave out of the bucket counts (only the outer edges, the tensor's min "
            "and max, still show them): the histogram draws only what is left of the tensor."
        )
    story.append(
        "Unchecked, such growth ends in overflow (Inf/NaN) or in saturated, untrainable units."
    )
    growth, peak = (g.growth, g.level) if since is None else (g.burst_growth, g.burst)
    onset = g.onset_step if since is None else since
    return Verdict(
        id="exploding",
        severity="critical" if growth >= needed * 100 else "warning",
        title=f"{thing.capitalize()} grow {fmt(growth)}× (up to {fmt(g.largest)})",
        summary=" ".join(story),
        evidence={
            "growth": growth,
            "size_start": g.start,
            "size_peak": peak,
            "peak_step": g.peak_step,
            "max_abs": g.largest,
            "onset_step": onset,
            "from_zero": g.from_zero,
            **(
                {"beyond_range_step": g.beyond_range_step}
                if g.beyond_range_step is not None
                else {}
            ),
            **(evidence or {}),
        },
        steps=(onset, g.last_step),
        fix=(
            "Lower the learning rate; clip gradients (clip_grad_norm_, Keras clipnorm); add "
            "weight decay or normalisation layers; check for a loss that rewards ever larger "
            "outputs."
        ),
    )


def exploding(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """Magnitudes grow by orders of magnitude over training: the size (root mean square) held at
    its peak against the first step's (or, from an all-zero start, the first non-zero one's), and
    the largest value. (Growth that stays under the |value| floor, and gradients that explode in
    one-step bursts, are judged with the rest of the run: see ``cross_tag``.)"""
    g = measure_growth(stats, role, t)
    if g is None:
        return None
    needed, floor = growth_bars(role, t, g.from_zero)
    if not (g.growth >= needed and g.largest >= floor):
        return None
    return explosion(g, t)


def collapsing(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """The spread of weights (or biases) shrinks towards zero during training."""
    if not applies("collapsing", role):
        return None
    grown = _growth(stats)
    if grown is None:
        return None
    ratio, first, last = grown
    if ratio > t.collapsing_ratio:
        return None
    vi = stats.valid_index
    onset = next((i for i in vi if stats.std[i] <= 0.5 * stats.std[first]), last)
    thing = "biases" if role == "bias" else "weights"
    return Verdict(
        id="collapsing",
        severity="warning",
        title=f"{thing.capitalize()} shrink to {percent(ratio)} of their initial spread",
        summary=(
            f"The histogram narrows from a spread of {fmt(float(stats.std[first]))} to "
            f"{fmt(float(stats.std[last]))}: the {thing} are being pulled towards 0 faster than "
            "learning pushes them apart. Typical causes are weight decay or an L2 penalty that is "
            "too strong for the learning rate; the layer loses its ability to represent anything."
        ),
        evidence={
            "std_ratio": ratio,
            "std_first": float(stats.std[first]),
            "std_last": float(stats.std[last]),
        },
        steps=(step_at(stats, onset), step_at(stats, last)),
        fix=(
            "Reduce weight decay / the L2 coefficient (1e-4 to 1e-2 is typical for AdamW, much "
            "less for Adam with L2); check that the regulariser is not added once per layer "
            "on top of a global one."
        ),
    )


def vanishing(stats: SeriesStats, role: str, t: Thresholds) -> Verdict | None:
    """Gradients whose mean magnitude is tiny in absolute terms (cross-layer: see
    :func:`~tb_histdiag.verdicts.cross_tag.vanishing_relative`)."""
    if not applies("vanishing", role):
        return None
    recent = recent_steps(stats, t)
    if recent.size == 0:
        return None
    level = float(np.max(stats.mean_abs[recent]))
    if level >= t.vanishing_absolute:
        return None
    vi = stats.valid_index
    since = int(recent[0])
    for i in vi[::-1]:
        if not stats.mean_abs[i] < t.vanishing_absolute:
            break
        since = int(i)
    all_zero = level == 0.0
    since_words = (
        "at every logged step" if since == vi[0] else f"from step {step_at(stats, since)} on"
    )
    return Verdict(
        id="vanishing",
        severity="critical",
        title=(
            "Gradients are exactly 0" if all_zero else f"Gradients vanish (mean |g| {fmt(level)})"
        ),
        summary=(
            (
                f"Every gradient in this histogram is exactly 0 {since_words}: the spike at 0 "
                "holds all the mass, so these parameters receive no learning signal at all. "
                "Upstream, something blocks the gradient: dead ReLUs, saturated units, a detached "
                "tensor, or a layer outside the loss."
            )
            if all_zero
            else (
                f"The average gradient magnitude is below {fmt(t.vanishing_absolute)} "
                f"{since_words} ({fmt(level)} at most over the last logged steps): the histogram "
                "is a needle around 0, far too small to move the weights in any reasonable number "
                "of steps."
            )
        ),
        evidence={"mean_abs": level, "vanishing_since_step": step_at(stats, since)},
        steps=(step_at(stats, since), step_at(stats, recent[-1])),
        fix=(
            "Look upstream for what blocks the gradient (dead ReLUs, saturated sigmoid/tanh, "
            "detach()/stop_gradient); use ReLU-family activations, He/Glorot initialisation, "
            "residual connections or normalisation layers."
        ),
    )
