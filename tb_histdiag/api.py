"""The Python API: diagnose a logdir, or histogram arrays you already hold.

``tb_histdiag.diagnose(logdir)`` reads a logdir through TensorBoard's own data providers (the
Python one, or the Rust data server with ``load_fast=True``) and returns a
:class:`LogdirDiagnosis`: the same document as the Diagnostics tab and ``tb-histdiag --format json``,
plus the chart data of the flagged tags for :meth:`~tb_histdiag.reported.LogdirDiagnosis.to_html`.
``tb_histdiag.diagnose_series(buckets, steps, role=...)`` judges one series given as arrays.

Errors about the caller's input (a missing logdir, a filter that matches nothing, a bad
thresholds file) are :class:`OSError` or :class:`InputError` with a one-line message; the command
line prints them as they are.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from tb_histdiag.engine.config import (
    Config,
    ConfigError,
    ThresholdsSpec,
    load_config,
    load_thresholds,
    parse_expect,
    resolve_thresholds,
)
from tb_histdiag.engine.diagnosis import Diagnoser
from tb_histdiag.engine.diagnosis import diagnose_series as _engine_diagnose_series
from tb_histdiag.engine.roles import ROLES, TagRole, layer_of, role_of
from tb_histdiag.engine.selection import (
    NameFilter,
    at_least,
    describe,
    exact_names,
    name_filter,
    role_filter,
)
from tb_histdiag.errors import DataServerError, InputError, NoHistogramsError, names_list
from tb_histdiag.progress import SILENT, Progress
from tb_histdiag.reading.logdir_check import LogdirChecker
from tb_histdiag.reading.providers import open_provider
from tb_histdiag.reading.reader import RecordingReader
from tb_histdiag.reading.series import series_from_data
from tb_histdiag.reported import LogdirDiagnosis, LogdirRunDiagnosis
from tb_histdiag.reports import bands as bands_lib
from tb_histdiag.results import SEVERITIES, TagDiagnosis
from tb_histdiag.verdicts import Thresholds

__all__ = [
    "DataServerError",
    "InputError",
    "LogdirDiagnosis",
    "NoHistogramsError",
    "diagnose",
    "diagnose_series",
    "load_thresholds",
]

#: Steps per series requested from the provider when the caller asked for all of them.
_ALL_STEPS = 2**31 - 1


def _run_names(provider: object, ctx: object) -> list[str]:
    """Every run the provider knows, with or without histograms."""
    try:
        return sorted(r.run_name for r in provider.list_runs(ctx, experiment_id=""))
    except Exception:  # the caller falls back on the runs with histograms
        return []


def _no_histograms(logdir: str, runs: Sequence[str]) -> NoHistogramsError:
    found = (
        f"{len(runs)} run{'s' if len(runs) != 1 else ''} with other summaries only"
        if runs
        else "no event files found"
    )
    return NoHistogramsError(
        f"logdir '{logdir}' has no histogram summaries ({found}); log some with "
        "SummaryWriter.add_histogram, tf.summary.histogram or Keras histogram_freq=1"
    )


@dataclasses.dataclass
class _Found:
    """What the logdirs hold and what was diagnosed, gathered across several logdirs."""

    runs: list[LogdirRunDiagnosis] = dataclasses.field(default_factory=list)
    charts: dict[tuple[str, str], bands_lib.BandsChart] = dataclasses.field(default_factory=dict)
    #: Every run of the logdirs (with or without histograms), as the result names them.
    run_names: list[str] = dataclasses.field(default_factory=list)
    #: Runs that pass the run filter, and those of them with histograms.
    matched_runs: list[str] = dataclasses.field(default_factory=list)
    matched_with_histograms: int = 0
    tag_names: set[str] = dataclasses.field(default_factory=set)


def _diagnose_logdir(
    logdir: str,
    provider: object,
    diagnoser_args: tuple[Thresholds, Mapping[str, str], Mapping[str, tuple[str, ...]]],
    run_filter: Callable[[str], bool] | None,
    tag_filter: Callable[[str], bool] | None,
    role_filter: frozenset[str] | None,
    samples: int,
    with_charts: bool,
    progress: Progress,
    run_prefix: str,
    found: _Found,
) -> None:
    """Diagnose the selected runs and tags of one logdir into ``found``."""
    from tensorboard import context

    ctx = context.RequestContext()
    reader = RecordingReader(provider, samples or _ALL_STEPS)
    thresholds, role_overrides, expectations = diagnoser_args
    diagnoser = Diagnoser(reader, thresholds, role_overrides, expectations=expectations)
    index = reader.index(ctx, "")
    names = sorted(set(_run_names(provider, ctx)) | set(index))
    found.run_names += [run_prefix + r for r in names]
    matched = [r for r in names if run_filter is None or run_filter(run_prefix + r)]
    found.matched_runs += [run_prefix + r for r in matched]
    if not index and run_filter is None:
        raise _no_histograms(logdir, names)
    selected: dict[str, tuple[Mapping[str, object], Callable[[str], bool]]] = {}
    for run, infos in index.items():
        if run_filter is not None and not run_filter(run_prefix + run):
            continue
        found.matched_with_histograms += 1
        found.tag_names.update(infos)
        # Roles only when filtering by them: reading roles from names is not free.
        roles = diagnoser.roles(infos) if role_filter is not None else {}

        def wanted(tag: str, roles: Mapping[str, TagRole] = roles) -> bool:
            if tag_filter is not None and not tag_filter(tag):
                return False
            return role_filter is None or roles[tag].role in role_filter

        if any(wanted(t) for t in infos):
            selected[run] = (infos, wanted)
    total = sum(sum(map(wanted, infos)) for infos, wanted in selected.values())
    done = 0
    for i, (run, (infos, wanted)) in enumerate(selected.items()):
        progress.update(f"diagnosing {run}", done, total, "tags", force=i == 0)
        diagnosis = diagnoser.diagnose_run(ctx, "", run, infos, wanted)
        name = run_prefix + run
        if with_charts:
            flagged = [t.tag for t in diagnosis.tags if t.verdicts]
            recorded = dict(reader.last)
            missing = [t for t in flagged if t not in recorded]
            if missing:  # flagged by a cross-tag rule: read them again
                recorded.update(reader.read(ctx, "", run, missing))
            for tag in flagged:
                if tag in recorded:
                    found.charts[(name, tag)] = bands_lib.bands_chart(recorded[tag])
        reader.last = {}
        if diagnosis.tags:
            named = dataclasses.replace(diagnosis, run=name) if run_prefix else diagnosis
            found.runs.append(LogdirRunDiagnosis.of(named))
        done += sum(map(wanted, infos))
        progress.update(f"diagnosed {run}", done, total, "tags")


def engine_settings(
    config: str | os.PathLike[str] | Config | None,
    thresholds: ThresholdsSpec = None,
    expect: Mapping[str, str | Sequence[str]] | None = None,
) -> tuple[Thresholds, Mapping[str, str], dict[str, tuple[str, ...]]]:
    """What the engine is run with, from a configuration (a file or a
    :class:`~tb_histdiag.engine.config.Config`), threshold overrides on top of it and more
    expectations: the thresholds, the role overrides and the ``[expect]`` table. Raises
    :class:`InputError` for a bad file or value."""
    if config is None:
        user_config = Config()
    elif isinstance(config, Config):
        user_config = config
    else:
        try:
            user_config = load_config(os.fspath(config))
        except ConfigError as e:
            raise InputError(str(e)) from None
    resolved = resolve_thresholds(thresholds, user_config.thresholds)
    expectations = dict(user_config.expect)
    if expect is not None:
        try:
            expectations.update(parse_expect(expect, "expect"))
        except ConfigError as e:
            raise InputError(str(e)) from None
    return resolved, user_config.roles, expectations


def diagnose(
    logdir: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    runs: NameFilter = None,
    tags: NameFilter = None,
    thresholds: ThresholdsSpec = None,
    *,
    roles: str | Iterable[str] | None = None,
    min_severity: str | None = None,
    config: str | os.PathLike[str] | Config | None = None,
    expect: Mapping[str, str | Sequence[str]] | None = None,
    samples: int = 0,
    load_fast: bool | str = "auto",
    charts: bool = True,
    progress: bool | Progress = False,
) -> LogdirDiagnosis:
    """Diagnose the histograms of a TensorBoard logdir (or of several: runs are then named
    ``LOGDIR:RUN``) and return the result.

    ``runs`` and ``tags`` select by name: a regular expression searched in the name (as in
    TensorBoard's filters), a collection of exact names (each must exist), or a predicate.
    ``roles`` keeps tags of the given roles (``weight``, ``bias``, ``activation``,
    ``preactivation``, ``gradient``, ``other``). Layer and run verdicts are judged on the selected
    tags. ``min_severity`` keeps only tags with a verdict at or above it. ``config`` is a
    configuration file (or :class:`~tb_histdiag.engine.config.Config`) of role overrides, thresholds
    and expectations, as TensorBoard's ``TB_HISTDIAG_CONFIG``; ``thresholds`` overrides thresholds
    on top of it (a :class:`~tb_histdiag.verdicts.Thresholds`, a mapping, or a TOML/JSON file), and
    ``expect`` adds to its ``[expect]`` table: a mapping of regular expressions on tag names to
    the conditions (verdict ids, one or a list) expected there, e.g.
    ``{r"^backbone\\.": "frozen"}`` for a frozen pretrained backbone; matching verdicts become
    info "as configured". ``samples`` bounds the steps kept per tag (0: all). ``load_fast=True``
    reads through TensorBoard's Rust data server (``tensorboard-data-server``; reads ``gs://``
    too), ``False`` through its Python loader, and
    ``"auto"`` (the default) through the data server when it is installed and the selected runs'
    event files are large (:data:`AUTO_LOAD_FAST_BYTES`, local logdirs), as TensorBoard's own
    ``--load_fast=auto`` prefers it. ``charts`` keeps the distribution bands of
    flagged tags for the HTML report. ``progress`` draws a progress bar on stderr when it is a
    terminal.

    Raises :class:`FileNotFoundError`/:class:`NotADirectoryError` for a missing logdir,
    :class:`NoHistogramsError` when nothing to diagnose is found or selected, :class:`InputError`
    for bad filters, configs or thresholds and :class:`DataServerError` when ``load_fast`` cannot
    work.
    """
    logdirs = (
        [os.fspath(logdir)]
        if isinstance(logdir, (str, os.PathLike))
        else [os.fspath(d) for d in logdir]
    )
    if not logdirs:
        raise InputError("no logdir given")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 0:
        raise InputError(f"samples must be 0 (all steps) or a positive number, not {samples!r}")
    if load_fast not in (True, False, "auto"):
        raise InputError(f"load_fast must be True, False or 'auto', not {load_fast!r}")
    if min_severity is not None and min_severity not in SEVERITIES:
        raise InputError(f"unknown severity {min_severity!r} (severities: {', '.join(SEVERITIES)})")
    resolved, role_overrides, expectations = engine_settings(config, thresholds, expect)
    # Collections of exact names may be one-shot iterators: keep them as tuples.
    runs = exact_names(runs) or runs
    tags = exact_names(tags) or tags
    run_filter, tag_filter = name_filter(runs, "run"), name_filter(tags, "tag")
    exact_runs = exact_names(runs)
    wanted_roles = role_filter(roles)
    bar = progress if isinstance(progress, Progress) else (Progress() if progress else SILENT)
    found = _Found()
    try:
        for path in logdirs:
            prefix = f"{path}:" if len(logdirs) > 1 else ""

            def load_run(run: str, prefix: str = prefix) -> bool:
                return run_filter is None or run_filter(prefix + run)

            with open_provider(path, samples, load_fast, bar, load_run) as provider:
                _diagnose_logdir(
                    path,
                    provider,
                    (resolved, role_overrides, expectations),
                    run_filter,
                    tag_filter,
                    wanted_roles,
                    samples,
                    charts,
                    bar,
                    prefix,
                    found,
                )
    finally:
        bar.clear()
    unknown = [name for name in exact_runs if name not in found.run_names]
    if unknown:
        raise NoHistogramsError(
            f"no run named {names_list(unknown)} (runs: {names_list(found.run_names)})"
        )
    diagnosed = {r.run for r in found.runs}
    empty = [name for name in exact_runs if name not in diagnosed]
    if empty:
        raise NoHistogramsError(
            f"run {names_list(empty)} has no histogram tags (matching the tag/role filters)"
        )
    if not found.matched_runs:
        raise NoHistogramsError(
            f"no run matches the run filter {describe(runs)} (runs: {names_list(found.run_names)})"
        )
    if not found.matched_with_histograms:
        raise NoHistogramsError(
            f"the runs matching the run filter {describe(runs)} have no histogram summaries "
            f"(runs: {names_list(found.matched_runs)})"
        )
    if not found.runs:
        raise NoHistogramsError(
            f"no histogram tag matches the tag/role filters (tags: "
            f"{names_list(sorted(found.tag_names))})"
        )
    problems = tuple(
        {**p.to_dict(), "run": (f"{path}:" if len(logdirs) > 1 else "") + p.run}
        for path in logdirs
        for p in LogdirChecker().check(path)
    )
    result = LogdirDiagnosis(runs=tuple(found.runs), problems=problems, charts=found.charts)
    return at_least(result, min_severity)


# Arrays.


def _tables_from_edges(edges: ArrayLike, counts: ArrayLike) -> list[np.ndarray]:
    c = np.asarray(counts, dtype=np.float64)
    e = np.asarray(edges, dtype=np.float64)
    if c.ndim != 2:
        raise InputError(f"counts must be a [steps, buckets] array, got shape {c.shape}")
    steps, k = c.shape
    if e.ndim == 1:
        e = np.broadcast_to(e, (steps, e.shape[0]))
    if e.ndim != 2 or e.shape != (steps, k + 1):
        raise InputError(
            f"edges must have shape [{k + 1}] or [{steps}, {k + 1}] for counts of shape "
            f"[{steps}, {k}], got {tuple(np.shape(edges))}"
        )
    return list(np.stack([e[:, :-1], e[:, 1:], c], axis=2))


def _tables_from_buckets(buckets: object) -> list[np.ndarray]:
    if isinstance(buckets, np.ndarray) and buckets.dtype != object:
        if buckets.ndim != 3 or buckets.shape[2] != 3:
            raise InputError(
                f"buckets must be a list of [k, 3] tables or a [steps, k, 3] array, "
                f"got shape {buckets.shape}"
            )
        return list(buckets.astype(np.float64))
    tables = []
    for i, table in enumerate(buckets):
        a = np.asarray(table, dtype=np.float64)
        if a.size == 0:
            a = a.reshape(0, 3)
        if a.ndim != 2 or a.shape[1] != 3:
            raise InputError(
                f"buckets[{i}] has shape {a.shape}; each step needs a [k, 3] table of "
                "(left edge, right edge, count) rows"
            )
        tables.append(a)
    return tables


def diagnose_series(
    buckets: Sequence[ArrayLike] | ArrayLike | None = None,
    steps: ArrayLike | None = None,
    *,
    edges: ArrayLike | None = None,
    counts: ArrayLike | None = None,
    role: str | None = None,
    tag: str = "histogram",
    thresholds: ThresholdsSpec = None,
) -> TagDiagnosis:
    """Diagnose one histogram series you hold as arrays; return its :class:`TagDiagnosis`.

    Give the histograms either as ``buckets``, one ``[k, 3]`` table of ``(left, right, count)``
    rows per step (TensorBoard's own form; ``k`` may change from step to step) or a
    ``[steps, k, 3]`` array, or as ``edges`` and ``counts`` (``numpy.histogram`` style):
    ``counts`` ``[steps, k]`` with ``edges`` ``[k + 1]`` shared by all steps or ``[steps, k + 1]``.
    For legacy ``HistogramProto`` data (``bucket_limit``, ``bucket``, ``min``, ``max``), the edges
    are ``[min, *bucket_limit[:-1], max]``. ``steps`` are the logged steps (default ``0, 1, …``).
    ``role`` is ``weight``, ``bias``, ``activation``, ``preactivation``, ``gradient`` or
    ``other``; by default it is read from ``tag`` the way tag names are read in a logdir. Rules
    that need several tags (``bias_only``, ``last_layer_only``) are not applied.
    """
    if (buckets is None) == (edges is None and counts is None):
        raise InputError("give the histograms either as buckets or as edges and counts")
    if buckets is None:
        if edges is None or counts is None:
            raise InputError("edges and counts go together: give both")
        tables = _tables_from_edges(edges, counts)
    else:
        tables = _tables_from_buckets(buckets)
    if steps is None:
        step_arr = np.arange(len(tables), dtype=np.int64)
    else:
        raw = np.asarray(steps)
        if raw.ndim != 1 or raw.shape[0] != len(tables):
            raise InputError(
                f"steps must be a list of {len(tables)} step numbers (one per histogram), "
                f"got shape {raw.shape}"
            )
        if raw.size and not (
            np.issubdtype(raw.dtype, np.integer)
            or (np.issubdtype(raw.dtype, np.floating) and np.all(np.mod(raw, 1) == 0))
        ):
            raise InputError("steps must be whole numbers")
        step_arr = raw.astype(np.int64)
    if role is None:
        role = role_of(tag)
    elif role not in ROLES:
        raise InputError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    series = series_from_data("", tag, step_arr, np.zeros(len(tables)), tables)
    tag_role = TagRole(tag=tag, layer=layer_of(tag), role=role, depth=0)
    return _engine_diagnose_series(series, tag_role, resolve_thresholds(thresholds))
