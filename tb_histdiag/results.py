"""Result objects and their JSON form (schema ``tb_histdiag/diagnostics/v1``).

Frozen dataclasses that the rules produce and the plugin, the CLI and the reports consume.
``to_dict`` gives the wire contract documented in ``docs/http_api.md``: plain Python numbers only
(TensorBoard's ``Respond`` rejects numpy scalars) and ``null`` for NaN and ±Inf.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Union

import numpy as np

# The severities live in their own numpy-free module; the result types hand them on.
from tb_histdiag.errors import names_list
from tb_histdiag.severity import (  # noqa: F401
    DISPLAY_ORDER,
    SEVERITIES,
    STATUSES,
    severity_at_least,
)

SCHEMA = "tb_histdiag/diagnostics/v1"


EvidenceValue = Union[float, int, str, bool, None]

#: The roles that say more than the parameters do: with none of them a run logs weights only.
SEEN_DIRECTLY = ("activation", "preactivation", "gradient", "output")

#: The one line that logs activations and gradients beside the weights, per framework.
LOGGERS = {
    "keras": 'tb_histdiag.keras.HistogramLogger("logs/run1", probe=(x[:256], y[:256]))',
    "pytorch": "tb_histdiag.torch_logging.log_histograms(writer, model, step, probe=x[:256])",
}


def plain(value: object) -> object:
    """Return ``value`` as plain JSON data: Python numbers, NaN/±Inf as ``None``, tuples as lists."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        # Whole arrays at once: tolist() gives Python numbers; only non-finite floats need None.
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            return np.where(np.isfinite(value), value, None).tolist()
        if value.dtype.kind in "fiub":
            return value.tolist()
        return plain(value.tolist())
    if hasattr(value, "tolist"):  # numpy scalars
        return plain(value.tolist())
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    raise TypeError(f"cannot put {type(value).__name__} into the diagnostics JSON")


@dataclasses.dataclass(frozen=True)
class Verdict:
    """One finding: what is wrong (or notable), the numbers it rests on and what to do about it.

    ``steps`` is the ``[first, last]`` logged step where the finding shows; ``tags`` lists the tags
    a layer- or run-level verdict rests on (empty for tag verdicts).
    """

    id: str
    severity: str
    title: str
    summary: str
    evidence: Mapping[str, EvidenceValue]
    steps: tuple[int, ...]
    fix: str
    tags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Return the verdict's JSON form."""
        out = {
            "id": self.id,
            "severity": self.severity,
            "title": self.title,
            "summary": self.summary,
            "evidence": plain(dict(self.evidence)),
            "steps": [int(s) for s in self.steps],
            "fix": self.fix,
        }
        if self.tags:
            out["tags"] = list(self.tags)
        return out


def status_of(verdicts: tuple[Verdict, ...], unknown: bool = False) -> str:
    """Return the worst severity among ``verdicts``; ``unknown`` or ``ok`` when there is none."""
    worst = max((SEVERITIES.index(v.severity) for v in verdicts), default=-1)
    if worst >= 0:
        return SEVERITIES[worst]
    return "unknown" if unknown else "ok"


@dataclasses.dataclass(frozen=True)
class TagDiagnosis:
    """The diagnosis of one histogram series. ``reason`` explains an ``unknown`` status."""

    tag: str
    role: str
    layer: str
    depth: int
    steps: int
    first_step: int | None
    last_step: int | None
    verdicts: tuple[Verdict, ...]
    reason: str | None = None
    #: W1 distance between the first and last logged step relative to their spread (None: unknown).
    movement: float | None = None
    #: Per logged step: W1 distance from the first valid step relative to its spread (NaN where
    #: the step has no valid data). Feeds the layer learning map; not part of the document.
    path: tuple[float, ...] = dataclasses.field(default=(), compare=False, repr=False)
    path_steps: tuple[int, ...] = dataclasses.field(default=(), compare=False, repr=False)
    #: Quantiles of the last valid step on the engine's probability grid, and its spread, for
    #: comparing runs; empty when no step is valid. Not part of the document.
    last_quantiles: tuple[float, ...] = dataclasses.field(default=(), compare=False, repr=False)
    last_std: float | None = dataclasses.field(default=None, compare=False, repr=False)
    #: For a gradient, the role of the tensor it is the gradient of (None: unknown).
    target: str | None = dataclasses.field(default=None, compare=False, repr=False)
    #: What cross-tag rules need to know of the series (e.g. ``mean_abs``: mean |x| over the last
    #: logged steps; ``growth``: how its size grew, a :class:`~tb_histdiag.verdicts.Growth`).
    facts: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    @property
    def status(self) -> str:
        """Worst verdict severity, ``ok``, or ``unknown`` when the series cannot be judged."""
        return status_of(self.verdicts, unknown=self.reason is not None)

    def to_dict(self) -> dict[str, object]:
        """Return the tag's JSON form."""
        return {
            "tag": self.tag,
            "role": self.role,
            "layer": self.layer,
            "depth": self.depth,
            "steps": self.steps,
            "first_step": self.first_step,
            "last_step": self.last_step,
            "status": self.status,
            "reason": self.reason,
            "movement": plain(self.movement),
            "verdicts": [v.to_dict() for v in self.verdicts],
        }


@dataclasses.dataclass(frozen=True)
class LayerDiagnosis:
    """The tags of one layer and the verdicts that need them together (e.g. ``bias_only``)."""

    layer: str
    depth: int
    tags: tuple[str, ...]
    verdicts: tuple[Verdict, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Return the layer's JSON form."""
        return {
            "layer": self.layer,
            "depth": self.depth,
            "tags": list(self.tags),
            "verdicts": [v.to_dict() for v in self.verdicts],
        }


@dataclasses.dataclass(frozen=True)
class LossOutcome:
    """What the run's loss scalar says about the outcome of training.

    ``improvement`` is the relative fall of the loss from its start to its end; ``flat`` is true
    when it fell less than the engine's threshold or became NaN/Inf.
    """

    tag: str
    improvement: float | None
    nonfinite: bool
    flat: bool

    def to_dict(self) -> dict[str, object]:
        """Return the outcome's JSON form."""
        return {
            "tag": self.tag,
            "improvement": plain(self.improvement),
            "nonfinite": self.nonfinite,
            "flat": self.flat,
        }


@dataclasses.dataclass(frozen=True)
class RunDiagnosis:
    """The diagnosis of one run: its tags, its layers and the run-level verdicts."""

    run: str
    tags: tuple[TagDiagnosis, ...]
    layers: tuple[LayerDiagnosis, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    loss: LossOutcome | None = None

    @property
    def status(self) -> str:
        """The worst status among the run's verdicts, layers and tags."""
        everything = self.verdicts + tuple(v for layer in self.layers for v in layer.verdicts)
        everything += tuple(v for tag in self.tags for v in tag.verdicts)
        unknown = bool(self.tags) and all(t.status == "unknown" for t in self.tags)
        return status_of(everything, unknown=unknown)

    def only(self, keep: Callable[[str], bool]) -> RunDiagnosis:
        """The same diagnosis reporting only the tags ``keep`` accepts, their layers, and the
        layer and run verdicts that rest on one of them."""
        tags = tuple(t for t in self.tags if keep(t.tag))
        names = {t.tag for t in tags}

        def rests_on_kept(v: Verdict) -> bool:
            return bool(names.intersection(v.tags))

        layers = tuple(
            dataclasses.replace(
                layer,
                tags=tuple(t for t in layer.tags if t in names),
                verdicts=tuple(v for v in layer.verdicts if rests_on_kept(v)),
            )
            for layer in self.layers
            if names.intersection(layer.tags)
        )
        verdicts = tuple(v for v in self.verdicts if rests_on_kept(v))
        return dataclasses.replace(self, tags=tags, layers=layers, verdicts=verdicts)

    def logging(self) -> dict[str, object] | None:
        """Where verdicts are inferences from weight-only logs, what to log to confirm them:
        ``weights_only``, the ``inferred`` tags, ``advice`` and the one-line ``loggers``
        (None when nothing is inferred)."""
        inferred = [t.tag for t in self.tags if any(v.evidence.get("inferred") for v in t.verdicts)]
        if not inferred:
            return None
        weights_only = not any(t.role in SEEN_DIRECTLY for t in self.tags)
        return {
            "weights_only": weights_only,
            "inferred": inferred,
            "advice": (
                ("This run logs weights only, so " if weights_only else "")
                + f"{len(inferred)} of its tags "
                + ("carries" if len(inferred) == 1 else "carry")
                + " a cause inferred from the weights. Log activations and gradients to confirm "
                "it: one line."
            ),
            "loggers": dict(LOGGERS),
        }

    def counts(self) -> dict[str, int]:
        """Number of tags per status."""
        out = dict.fromkeys(DISPLAY_ORDER, 0)
        for tag in self.tags:
            out[tag.status] += 1
        return out

    def to_dict(self) -> dict[str, object]:
        """Return the run's JSON form."""
        return {
            "run": self.run,
            "status": self.status,
            "counts": self.counts(),
            "verdicts": [v.to_dict() for v in self.verdicts],
            "layers": [layer.to_dict() for layer in self.layers],
            "tags": [t.to_dict() for t in self.tags],
            "loss": None if self.loss is None else self.loss.to_dict(),
            "logging": self.logging(),
        }

    def __iter__(self) -> Iterator[TagDiagnosis]:
        """The run's tag diagnoses, in depth order."""
        return iter(self.tags)

    def __getitem__(self, tag: str) -> TagDiagnosis:
        """The diagnosis of the tag named ``tag``; ``KeyError`` naming the known tags if absent."""
        for t in self.tags:
            if t.tag == tag:
                return t
        raise KeyError(
            f"run {self.run!r} has no histogram tag {tag!r} (tags: {names_list((t.tag for t in self.tags), none='none')})"
        )


@dataclasses.dataclass(frozen=True)
class Diagnosis:
    """Diagnoses of several runs: the whole ``tb_histdiag/diagnostics/v1`` document."""

    runs: tuple[RunDiagnosis, ...]
    #: Files or directories of the logdir TensorBoard could not (fully) read, each a mapping
    #: with ``run``, ``path`` and ``problem`` (see :mod:`tb_histdiag.reading.logdir_check`).
    problems: tuple[Mapping[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Return the JSON document."""
        out: dict[str, object] = {"schema": SCHEMA, "runs": [r.to_dict() for r in self.runs]}
        if self.problems:
            out["problems"] = [dict(p) for p in self.problems]
        return out

    def worst(self) -> str:
        """The worst status over all runs (``ok`` for no runs)."""
        return max((r.status for r in self.runs), key=STATUSES.index, default="ok")

    def __iter__(self) -> Iterator[RunDiagnosis]:
        """The run diagnoses, in run name order."""
        return iter(self.runs)

    def __getitem__(self, run: str) -> RunDiagnosis:
        """The diagnosis of the run named ``run``; ``KeyError`` naming the known runs if absent."""
        for r in self.runs:
            if r.run == run:
                return r
        raise KeyError(
            f"no run named {run!r} (runs: {names_list((r.run for r in self.runs), none='none')})"
        )
