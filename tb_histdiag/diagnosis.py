"""The engine: series → statistics → verdicts, for one series, one run or a whole experiment.

:func:`diagnose_series` judges one series; :func:`assemble_run` adds the layer and run verdicts;
:class:`Diagnoser` reads through a :class:`~tb_histdiag.series.HistogramReader` and caches each
series' diagnosis under its (run, tag, last step, last wall time), so a cached result is never
older than the data it was computed from. The plugin and the CLI both use it.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from tb_histdiag import rules, stats
from tb_histdiag.model import Diagnosis, LayerDiagnosis, LossOutcome, RunDiagnosis, TagDiagnosis
from tb_histdiag.roles import TagRole, assign_roles
from tb_histdiag.series import HistogramReader, Series, SeriesInfo, read_loss

#: Default number of series diagnoses kept in memory (each is a few KB).
DEFAULT_CACHE_SIZE = 4096


def diagnose_series(
    series: Series,
    role: TagRole,
    thresholds: rules.Thresholds = rules.DEFAULT_THRESHOLDS,
) -> TagDiagnosis:
    """Return the diagnosis of one series: its verdicts, or why it cannot be judged."""
    s = stats.compute(series.steps, series.left, series.right, series.counts, series.nonfinite)
    with np.errstate(
        all="ignore"
    ):  # extreme but finite data may overflow; results stay finite-checked
        verdicts = rules.apply_rules(s, role.role, thresholds)
        mean_abs = rules.recent_mean_abs(s, thresholds)
        movement = rules.relative_change(s)
        path = rules.movement_path(s)
        vi = s.valid_index
        last_quantiles = tuple(float(q) for q in s.quantiles[vi[-1]]) if vi.size else ()
        last_std = float(s.std[vi[-1]]) if vi.size else None
    reason = None
    n_valid = int(s.valid.sum())
    if not verdicts:
        if series.num_steps == 0:
            reason = "no steps were logged for this tag"
        elif n_valid == 0:
            reason = "every logged step is empty (no values in any bucket)"
        elif n_valid == 1:
            reason = "only one step has values: change over training cannot be judged"
    return TagDiagnosis(
        tag=series.tag,
        role=role.role,
        layer=role.layer,
        depth=role.depth,
        steps=series.num_steps,
        first_step=int(series.steps[0]) if series.num_steps else None,
        last_step=int(series.steps[-1]) if series.num_steps else None,
        verdicts=verdicts,
        reason=reason,
        movement=movement,
        path=tuple(float(x) for x in path),
        path_steps=tuple(int(x) for x in series.steps),
        last_quantiles=last_quantiles,
        last_std=last_std,
        facts={} if mean_abs is None else {"mean_abs": mean_abs},
    )


def assemble_run(
    run: str,
    tags: Iterable[TagDiagnosis],
    thresholds: rules.Thresholds = rules.DEFAULT_THRESHOLDS,
    loss: LossOutcome | None = None,
) -> RunDiagnosis:
    """Group a run's tag diagnoses into layers (depth order), add the cross-tag, layer and run
    verdicts, and set the severity of causes from the run's loss outcome."""
    ordered = sorted(tags, key=lambda d: (d.depth, d.tag))
    extra = rules.vanishing_relative(ordered, thresholds)
    ordered = [
        dataclasses.replace(
            d,
            verdicts=rules.gate_by_outcome(
                (*d.verdicts, extra[d.tag]) if d.tag in extra else d.verdicts, loss
            ),
        )
        for d in ordered
    ]
    by_layer: dict[str, list[TagDiagnosis]] = collections.defaultdict(list)
    for d in ordered:
        by_layer[d.layer].append(d)
    layers = []
    for name, members in by_layer.items():
        verdict = rules.bias_only(name, members, thresholds)
        layers.append(
            LayerDiagnosis(
                layer=name,
                depth=members[0].depth,
                tags=tuple(d.tag for d in members),
                verdicts=(verdict,) if verdict else (),
            )
        )
    run_verdict = rules.last_layer_only(list(by_layer.items()), thresholds)
    return RunDiagnosis(
        run=run,
        tags=tuple(ordered),
        layers=tuple(layers),
        verdicts=(run_verdict,) if run_verdict else (),
        loss=loss,
    )


class Diagnoser:
    """Diagnoses series read through one reader, with a bounded, thread-safe LRU cache."""

    def __init__(
        self,
        reader: HistogramReader,
        thresholds: rules.Thresholds = rules.DEFAULT_THRESHOLDS,
        role_overrides: Mapping[str, str] | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ):
        self.reader = reader
        self.thresholds = thresholds
        self._role_overrides = dict(role_overrides or {})
        self._cache: collections.OrderedDict[tuple, TagDiagnosis] = collections.OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def roles(self, tags: Iterable[str]) -> dict[str, TagRole]:
        """Roles, layers and depths of a run's tags."""
        return assign_roles(tags, self._role_overrides)

    def _cached(self, key: tuple) -> TagDiagnosis | None:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def _store(self, key: tuple, value: TagDiagnosis) -> None:
        with self._lock:
            self._cache[key] = value
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def diagnose_run(
        self,
        ctx: object,
        experiment_id: str,
        run: str,
        infos: Mapping[str, SeriesInfo],
        tag_filter: Callable[[str], bool] | None = None,
    ) -> RunDiagnosis:
        """Diagnose the tags of one run listed in ``infos`` (all of them, or those passing
        ``tag_filter``), reading only those not cached, in one provider call."""
        roles = self.roles(infos)
        wanted = [t for t in infos if tag_filter is None or tag_filter(t)]
        results: dict[str, TagDiagnosis] = {}
        missing = []
        for tag in wanted:
            info = infos[tag]
            key = (experiment_id, run, tag, info.max_step, info.max_wall_time, roles[tag])
            hit = self._cached(key)
            if hit is None:
                missing.append((tag, key))
            else:
                results[tag] = hit
        if missing:
            read = self.reader.read(ctx, experiment_id, run, [t for t, _ in missing])
            for tag, key in missing:
                series = read.get(tag)
                if series is None:
                    continue  # vanished between the index and the read
                diagnosis = diagnose_series(series, roles[tag], self.thresholds)
                self._store(key, diagnosis)
                results[tag] = diagnosis
        return assemble_run(
            run, results.values(), self.thresholds, self.loss(ctx, experiment_id, run)
        )

    def loss(self, ctx: object, experiment_id: str, run: str) -> LossOutcome | None:
        """The run's loss outcome, or None when it logs no loss scalar (or it cannot be read).

        The loss only adjusts severities, so a failure to read it never fails a diagnosis.
        """
        try:
            curve = read_loss(self.reader.provider, ctx, experiment_id, run)
        except Exception:  # a missing scalars plugin or a provider error: no outcome, not a failure
            return None
        if curve is None:
            return None
        trend = stats.loss_trend(curve.values)
        return rules.loss_outcome(curve.tag, trend, self.thresholds)

    def diagnose(
        self,
        ctx: object,
        experiment_id: str,
        runs: Callable[[str], bool] | None = None,
        tags: Callable[[str], bool] | None = None,
    ) -> Diagnosis:
        """Diagnose every run (or those passing ``runs``), one provider call per run."""
        index = self.reader.index(ctx, experiment_id)
        out = []
        for run, infos in index.items():
            if runs is not None and not runs(run):
                continue
            diagnosis = self.diagnose_run(ctx, experiment_id, run, infos, tags)
            if diagnosis.tags:
                out.append(diagnosis)
        return Diagnosis(runs=tuple(out))

    def cache_entries(self) -> int:
        """How many series diagnoses are cached."""
        with self._lock:
            return len(self._cache)
