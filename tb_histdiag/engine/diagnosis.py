"""The engine: series → statistics → verdicts, for one series, one run or a whole experiment.

:func:`diagnose_series` judges one series; :func:`assemble_run` adds the layer and run verdicts;
:class:`Diagnoser` reads through a :class:`~tb_histdiag.reading.reader.HistogramReader` and caches each
series' diagnosis under its (run, tag, last step, last wall time), so a cached result is never
older than the data it was computed from. The plugin and the CLI both use it.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from tb_histdiag import verdicts as rules
from tb_histdiag.engine import stats
from tb_histdiag.engine.expectations import Expect, apply_expectations
from tb_histdiag.engine.roles import TagRole, assign_roles
from tb_histdiag.reading.listing import CachedListings
from tb_histdiag.reading.loss import loss_tags, read_loss
from tb_histdiag.reading.reader import HistogramReader
from tb_histdiag.reading.series import Series, SeriesInfo
from tb_histdiag.results import Diagnosis, LayerDiagnosis, LossOutcome, RunDiagnosis, TagDiagnosis
from tb_histdiag.timing import Timing

#: Default number of series diagnoses kept in memory (each is a few KB).
DEFAULT_CACHE_SIZE = 4096

#: Role assignments kept per distinct tag list (one per run, usually).
_ROLES_CACHE_SIZE = 256


def shared_tag_reason(sizes: tuple[int, ...]) -> str:
    """Why a tag that several tensors are logged under is not judged, and what to do."""
    if len(set(sizes)) == 1:
        what = f"{len(sizes)} tensors of {sizes[0]:,} values each"
    else:
        listed = ", ".join(f"{n:,}" for n in sizes[:-1]) + f" and {sizes[-1]:,}"
        what = f"{len(sizes)} tensors of different sizes ({listed} values)"
    return (
        f"{what} share this tag at every step: several layers log under one name (older "
        "Keras 3 callbacks, keras-team/keras#20809), so they cannot be told apart; the run's "
        "verdict unnamed_layers says what to do"
    )


def _writing_facts(series: Series) -> dict[str, object]:
    """When the series was last written, and where it was written again from an earlier step
    (for ``several_trainings``)."""
    facts: dict[str, object] = {}
    if series.num_steps:
        facts["first_wall_time"] = float(series.wall_times.min())
        facts["last_wall_time"] = float(series.wall_times.max())
    if series.restarts:
        facts["restarts"] = series.restarts
        facts["restarted_at"] = series.restarted_at
    return facts


def diagnose_series(
    series: Series,
    role: TagRole,
    thresholds: rules.Thresholds = rules.DEFAULT_THRESHOLDS,
) -> TagDiagnosis:
    """Return the diagnosis of one series: its verdicts, or why it cannot be judged."""
    where = {
        "tag": series.tag,
        "role": role.role,
        "layer": role.layer,
        "depth": role.depth,
        "target": role.target,
        "steps": series.num_steps,
        "first_step": int(series.steps[0]) if series.num_steps else None,
        "last_step": int(series.steps[-1]) if series.num_steps else None,
    }
    if series.shared_sizes:
        return TagDiagnosis(
            **where,
            verdicts=(),
            reason=shared_tag_reason(series.shared_sizes),
            facts={"shared_sizes": series.shared_sizes, **_writing_facts(series)},
        )
    s = stats.compute(series.steps, series.left, series.right, series.counts, series.nonfinite)
    with np.errstate(
        all="ignore"
    ):  # extreme but finite data may overflow; results stay finite-checked
        verdicts = rules.apply_rules(s, role.role, thresholds)
        mean_abs = rules.recent_mean_abs(s, thresholds)
        value_range = rules.recent_range(s, thresholds)
        growth = rules.measure_growth(s, role.role, thresholds)
        movement = rules.relative_change(s)
        moved_by = rules.first_last_distance(s)
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
        **where,
        verdicts=verdicts,
        reason=reason,
        movement=movement,
        path=tuple(float(x) for x in path),
        path_steps=tuple(int(x) for x in series.steps),
        last_quantiles=last_quantiles,
        last_std=last_std,
        facts={
            **({} if mean_abs is None else {"mean_abs": mean_abs}),
            **({} if value_range is None else dict(zip(("recent_min", "recent_max"), value_range))),
            **({} if growth is None else {"growth": growth}),
            **({} if moved_by is None else {"moved_by": moved_by}),
            **_writing_facts(series),
        },
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
    ordered = rules.cross_tag_step(ordered, thresholds, loss)
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
    run_verdicts = (
        rules.last_layer_only(list(by_layer.items()), thresholds),
        rules.unnamed_layers(ordered),
        rules.several_trainings(ordered),
    )
    return RunDiagnosis(
        run=run,
        tags=tuple(ordered),
        layers=tuple(layers),
        verdicts=tuple(v for v in run_verdicts if v is not None),
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
        expectations: Expect | None = None,
    ):
        self.reader = reader
        self.thresholds = thresholds
        self._role_overrides = dict(role_overrides or {})
        #: The configuration's ``[expect]`` table, applied to every assembled run.
        self.expectations = dict(expectations or {})
        self._cache: collections.OrderedDict[tuple, TagDiagnosis] = collections.OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        # One lock per (experiment, run): concurrent requests for a run compute it once.
        self._run_locks: dict[tuple[str, str], threading.Lock] = {}
        self._losses: dict[tuple, LossOutcome | None] = {}
        self._roles: collections.OrderedDict[tuple[str, ...], dict[str, TagRole]] = (
            collections.OrderedDict()
        )
        #: How many series have been diagnosed (not served from the cache), for tests and benches.
        self.computed = 0

    def roles(self, tags: Iterable[str]) -> dict[str, TagRole]:
        """Roles, layers and depths of a run's tags (memoised per tag list: every request of
        a run asks for the same ones, and the name patterns cost ~15 µs per tag). The result
        is shared; callers must not mutate it."""
        key = tuple(tags)
        with self._lock:
            hit = self._roles.get(key)
            if hit is not None:
                self._roles.move_to_end(key)
                return hit
        roles = assign_roles(key, self._role_overrides)
        with self._lock:
            self._roles[key] = roles
            while len(self._roles) > _ROLES_CACHE_SIZE:
                self._roles.popitem(last=False)
        return roles

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

    def _run_lock(self, experiment_id: str, run: str) -> threading.Lock:
        with self._lock:
            return self._run_locks.setdefault((experiment_id, run), threading.Lock())

    def diagnose_run(
        self,
        ctx: object,
        experiment_id: str,
        run: str,
        infos: Mapping[str, SeriesInfo],
        tag_filter: Callable[[str], bool] | None = None,
        loss_info: SeriesInfo | bool | None = True,
        timing: Timing | None = None,
        read_all: bool = True,
    ) -> RunDiagnosis:
        """Diagnose the tags of one run listed in ``infos`` and report all of them, or those
        passing ``tag_filter``, reading only those not cached, in one provider call. The
        run-wide step sees every tag in ``infos``, so a filter never changes a verdict (a conv
        bias before BatchNorm is told as such whether or not the filter shows the BatchNorm
        tags). With ``read_all=False`` (one series asked for over HTTP, which must stay cheap)
        only the wanted tags are read, and the run-wide step sees them with whatever else of
        the run is cached: the same verdicts once the run has been diagnosed whole.

        ``loss_info`` is the run's loss scalar from :func:`loss_tags` (None: it has none;
        ``True``: look it up). ``timing`` collects the time spent waiting for reads and
        diagnosing.
        """
        timing = timing or Timing()
        roles = self.roles(infos)
        keys = {
            tag: (
                experiment_id,
                run,
                tag,
                infos[tag].max_step,
                infos[tag].max_wall_time,
                roles[tag],
            )
            for tag in infos
        }
        results = {tag: hit for tag, key in keys.items() if (hit := self._cached(key)) is not None}

        def to_read(tag: str) -> bool:
            return tag not in results and (read_all or tag_filter is None or tag_filter(tag))

        if any(map(to_read, keys)):
            with self._run_lock(experiment_id, run):
                # Another request may have computed them while this one waited.
                for tag, key in keys.items():
                    if tag not in results and (hit := self._cached(key)) is not None:
                        results[tag] = hit
                missing = [tag for tag in keys if to_read(tag)]
                # Tags that vanished between the index and the read are simply not returned.
                chunks = iter(
                    self.reader.read_chunks(ctx, experiment_id, run, missing) if missing else ()
                )
                while True:
                    with timing.measure("read"):
                        chunk = next(chunks, None)
                    if chunk is None:
                        break
                    with timing.measure("diagnose"):
                        for tag, series in chunk.items():
                            diagnosis = diagnose_series(series, roles[tag], self.thresholds)
                            self._store(keys[tag], diagnosis)
                            with self._lock:
                                self.computed += 1
                            results[tag] = diagnosis
        if loss_info is True:
            loss_info = self._run_loss_info(ctx, experiment_id, run)
        run_diagnosis = assemble_run(
            run, results.values(), self.thresholds, self.loss(ctx, experiment_id, loss_info)
        )
        run_diagnosis = apply_expectations(run_diagnosis, self.expectations)
        return run_diagnosis if tag_filter is None else run_diagnosis.only(tag_filter)

    def _run_loss_info(self, ctx: object, experiment_id: str, run: str) -> SeriesInfo | None:
        """One run's loss scalar. Where listings are reused (a listing TTL), every run's comes
        from one shared listing of all runs: a request about a run not asked about within the TTL
        then costs no provider call (measured on the L bench logdir, 20 runs: a listing filtered
        to one run took ~0.7 ms of each single-series request). Without reuse, only the run is
        listed."""
        shared = isinstance(self.reader.provider, CachedListings)
        return self._loss_index(ctx, experiment_id, None if shared else [run]).get(run)

    def _loss_index(
        self, ctx: object, experiment_id: str, runs: list[str] | None = None
    ) -> dict[str, SeriesInfo]:
        try:
            return loss_tags(self.reader.provider, ctx, experiment_id, runs)
        except Exception:  # no scalars plugin data or a provider error: no outcome, no failure
            return {}

    def loss(self, ctx: object, experiment_id: str, info: SeriesInfo | None) -> LossOutcome | None:
        """The outcome of a run's loss curve (cached per last step), or None without one.

        The loss only adjusts severities, so a failure to read it never fails a diagnosis.
        """
        if info is None:
            return None
        key = (experiment_id, info.run, info.tag, info.max_step, info.max_wall_time)
        with self._lock:
            if key in self._losses:
                return self._losses[key]
        try:
            curve = read_loss(self.reader.provider, ctx, experiment_id, info)
        except Exception:  # a provider error: no outcome rather than no diagnosis
            curve = None
        outcome = None
        if curve is not None:
            outcome = rules.loss_outcome(curve.tag, stats.loss_trend(curve.values), self.thresholds)
        with self._lock:
            if len(self._losses) >= self._cache_size:
                self._losses.clear()
            self._losses[key] = outcome
        return outcome

    def diagnose(
        self,
        ctx: object,
        experiment_id: str,
        runs: Callable[[str], bool] | None = None,
        tags: Callable[[str], bool] | None = None,
        timing: Timing | None = None,
        read_all: bool = True,
    ) -> Diagnosis:
        """Diagnose every run (or those passing ``runs``), one provider call per run;
        ``tags`` and ``read_all`` as in :meth:`diagnose_run`."""
        index = self.reader.index(ctx, experiment_id)
        selected = [run for run in index if runs is None or runs(run)]
        losses = self._loss_index(ctx, experiment_id) if selected else {}
        out = []
        for run in selected:
            infos = index[run]
            diagnosis = self.diagnose_run(
                ctx, experiment_id, run, infos, tags, losses.get(run), timing, read_all
            )
            if diagnosis.tags:
                out.append(diagnosis)
        return Diagnosis(runs=tuple(out))

    def cache_entries(self) -> int:
        """How many series diagnoses are cached."""
        with self._lock:
            return len(self._cache)
