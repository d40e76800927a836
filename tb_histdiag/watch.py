"""Watching live logdirs: the findings that appear (and go away) while a run trains.

:class:`Watcher` follows one or more logdirs through TensorBoard's own loaders, as the CLI and
the plugin read them, and keeps one :class:`~tb_histdiag.engine.diagnosis.Diagnoser` per logdir alive
between polls. A poll reloads only what was appended to the event files, and re-diagnoses only
the runs whose series got new steps; inside such a run the engine's cache (keyed on each
series' last step and wall time) serves every series that did not change, so only those with new
steps are read and judged again. :meth:`Watcher.poll` returns what changed since the previous
poll as :class:`Finding` objects: ``new`` (a verdict that was not there), ``changed`` (the same
verdict at another severity) and ``resolved`` (a verdict that went away, e.g. ``slow`` once the
layer picks up). The first poll returns every finding already present as ``new``.

Live files are expected: a half-written last record is read once the writer completes it (the
loader waits at the record's start), runs may appear or vanish between polls, and an event file
that shrinks or is replaced (a restarted job writing from scratch under the same name) makes the
logdir be read again from the start, since TensorBoard's loader cannot follow such a file.

``tb-histdiag watch`` and the training callbacks (:mod:`tb_histdiag.keras`) are built on this.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from tb_histdiag.findings import Finding, WatchStatus, findings_of
from tb_histdiag.results import SEVERITIES, RunDiagnosis, Verdict, severity_at_least

__all__ = ["Finding", "WatchStatus", "Watcher", "severity_at_least"]

#: Series diagnoses the watcher's engine keeps: every series of a large logdir, so that a run
#: with one new step re-reads only that series (each entry is a few KB).
_CACHE_SIZE = 1 << 16


class _Source:
    """One logdir being followed: its data provider, reader and engine, kept between polls."""

    def __init__(
        self,
        logdir: str,
        prefix: str,
        samples: int,
        load_fast: bool,
        engine_args: tuple,
        run_filter: Callable[[str], bool] | None,
    ):
        self.logdir = logdir
        self.prefix = prefix
        self.samples = samples
        self.load_fast = load_fast
        self.engine_args = engine_args
        self.run_filter = run_filter
        self._stack = contextlib.ExitStack()
        self._multiplexer = None
        self._provider = None
        self._diagnoser = None
        #: Per run directory name: its event files' (inode, size), to notice a file that shrank
        #: or was replaced.
        self._files: dict[str, dict[str, tuple[int, int]]] = {}
        #: Per run: the series' (tag, last step, last wall time) at its last diagnosis, and it.
        self.signatures: dict[str, tuple] = {}
        self.results: dict[str, RunDiagnosis] = {}

    def _wanted_run(self, run: str) -> bool:
        return self.run_filter is None or self.run_filter(self.prefix + run)

    def _engine(self, provider: object) -> None:
        from tb_histdiag.engine.diagnosis import Diagnoser
        from tb_histdiag.reading.reader import HistogramReader

        thresholds, role_overrides, expectations = self.engine_args
        reader = HistogramReader(provider, listing_ttl=0)
        reader.max_steps = self.samples or 2**31 - 1
        if self._diagnoser is None:
            self._diagnoser = Diagnoser(
                reader, thresholds, role_overrides, _CACHE_SIZE, expectations=expectations
            )
        else:
            # Same engine and cache over the new reader: series whose data did not change
            # keep their cached diagnosis (the key holds their last step and wall time).
            self._diagnoser.reader = reader
        self._provider = provider

    def _start_python(self) -> None:
        from tensorboard.backend.event_processing import data_provider

        from tb_histdiag.reading.providers import logdir_multiplexer

        self._multiplexer = logdir_multiplexer(self.logdir, self.samples, runs=self._wanted_run)
        self._files = {}
        self._multiplexer.Reload()
        self._engine(data_provider.MultiplexerDataProvider(self._multiplexer, self.logdir))

    def _start_rust(self, reload_interval: float) -> None:
        from tb_histdiag.progress import SILENT
        from tb_histdiag.reading import providers

        provider = self._stack.enter_context(
            providers.rust_provider(
                self.logdir, self.samples, SILENT, reload_interval=max(1, round(reload_interval))
            )
        )
        self._engine(provider)

    def _local_runs(self) -> dict[str, tuple[str, dict[str, tuple[int, int]]]]:
        """Run name -> (directory, {event file: (inode, size)}) of the selected local runs."""
        from tb_histdiag.reading.logdir import is_utf8_name, walk_logdir

        out = {}
        for directory in walk_logdir(self.logdir):
            if not directory.event_files or not is_utf8_name(directory.path):
                continue
            run = os.path.relpath(directory.path, self.logdir)
            if not self._wanted_run(run):
                continue
            files = {}
            for name in directory.event_files:
                with contextlib.suppress(OSError):
                    st = os.stat(os.path.join(directory.path, name))
                    files[name] = (st.st_ino, st.st_size)
            out[run] = (directory.path, files)
        return out

    def refresh(self, interval: float) -> bool:
        """Bring the provider up to date with the files; True when the logdir was read again
        from the start (a file shrank or was replaced)."""
        if self.load_fast:
            if self._provider is None:
                self._start_rust(interval)
            return False  # the data server reloads on its own
        if "://" in self.logdir:
            if self._multiplexer is None:
                self._start_python()
            else:
                self._multiplexer.AddRunsFromDirectory(self.logdir)
                self._multiplexer.Reload()
            return False
        if not os.path.isdir(self.logdir):
            # Not there (yet, or any more): nothing to read, nothing to diagnose.
            self._multiplexer, self._provider, self._files = None, None, {}
            return False
        runs = self._local_runs()
        reread = False
        if self._multiplexer is not None:
            for run, (_, files) in runs.items():
                before = self._files.get(run, {})
                for name, (inode, size) in before.items():
                    now = files.get(name)
                    if now is None or now[0] != inode or now[1] < size:
                        reread = True
        if self._multiplexer is None or reread:
            self._start_python()
        else:
            known = set(self._multiplexer.RunPaths())
            for run, (path, _) in runs.items():
                if run not in known:
                    self._multiplexer.AddRun(path, name=run)
            self._multiplexer.Reload()
        self._files = {run: files for run, (_, files) in runs.items()}
        return reread

    def diagnose(
        self, tag_filter: Callable[[str], bool] | None, role_filter: frozenset[str] | None
    ) -> tuple[dict[str, RunDiagnosis], int, int | None, int]:
        """Diagnose the runs whose series changed since the last poll; return every selected
        run's diagnosis, the number of series, the last step seen and how many series the
        engine had to judge anew."""
        if self._provider is None:
            self.signatures, self.results = {}, {}
            return {}, 0, None, 0
        from tensorboard import context

        ctx = context.RequestContext()
        diagnoser = self._diagnoser
        before = diagnoser.computed
        index = diagnoser.reader.index(ctx, "")
        series, last_step = 0, None
        results: dict[str, RunDiagnosis] = {}
        signatures: dict[str, tuple] = {}
        for run, infos in index.items():
            if not self._wanted_run(run):
                continue
            roles = diagnoser.roles(infos) if role_filter is not None else {}

            def wanted(tag: str, roles: Mapping = roles) -> bool:
                if tag_filter is not None and not tag_filter(tag):
                    return False
                return role_filter is None or roles[tag].role in role_filter

            if not any(map(wanted, infos)):
                continue
            signature = tuple((t, i.max_step, i.max_wall_time) for t, i in infos.items())
            signatures[run] = signature
            if self.signatures.get(run) == signature and run in self.results:
                diagnosis = self.results[run]
            else:
                diagnosis = diagnoser.diagnose_run(ctx, "", run, infos, wanted)
            results[run] = diagnosis
            series += len(diagnosis.tags)
            steps = [i.max_step for t, i in infos.items() if wanted(t)]
            if steps:
                last_step = max(steps) if last_step is None else max(last_step, *steps)
        self.signatures, self.results = signatures, results
        return results, series, last_step, diagnoser.computed - before

    def close(self) -> None:
        self._stack.close()
        self._multiplexer = self._provider = None


class Watcher:
    """Follow live logdirs and report the findings that appear and go away.

    ```python
    watcher = tb_histdiag.Watcher("runs/")
    for finding in watcher.poll():              # first poll: the findings already there
        print(finding.describe())
    ...
    for finding in watcher.poll():              # later: only what is new, changed or resolved
        if finding.event == "new" and finding.severity == "critical":
            stop_training()
    ```

    ``logdir`` is one logdir or a list (runs are then named ``LOGDIR:RUN``, as in
    :func:`tb_histdiag.diagnose`). ``runs``, ``tags``, ``roles``, ``config``, ``thresholds``,
    ``expect`` and ``samples`` select and judge as in :func:`tb_histdiag.diagnose`;
    ``min_severity`` leaves out findings below it (a verdict that drops below it is reported as
    resolved). ``load_fast=True`` reads through TensorBoard's Rust data server, which reloads
    the logdir by itself every ``interval`` seconds; the default reads with TensorBoard's
    Python loader, which a poll tells to read what was appended. A logdir that does not exist
    yet is waited for. Iterating over a watcher polls every ``interval`` seconds forever and
    yields each finding; :meth:`close` (or ``with``) stops a data server it started.
    """

    def __init__(
        self,
        logdir: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        runs: object = None,
        tags: object = None,
        *,
        roles: str | Iterable[str] | None = None,
        min_severity: str | None = None,
        config: object = None,
        thresholds: object = None,
        expect: Mapping[str, str | Sequence[str]] | None = None,
        samples: int = 0,
        load_fast: bool = False,
        interval: float = 5.0,
    ):
        from tb_histdiag import api
        from tb_histdiag.engine import selection

        logdirs = (
            [os.fspath(logdir)]
            if isinstance(logdir, (str, os.PathLike))
            else [os.fspath(d) for d in logdir]
        )
        if not logdirs:
            raise api.InputError("no logdir given")
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 0:
            raise api.InputError(
                f"samples must be 0 (all steps) or a positive number, not {samples!r}"
            )
        if min_severity is not None and min_severity not in SEVERITIES:
            raise api.InputError(
                f"unknown severity {min_severity!r} (severities: {', '.join(SEVERITIES)})"
            )
        if not interval > 0:
            raise api.InputError(f"interval must be a positive number of seconds, not {interval!r}")
        resolved, role_overrides, expectations = api.engine_settings(config, thresholds, expect)
        runs = selection.exact_names(runs) or runs
        tags = selection.exact_names(tags) or tags
        run_filter = selection.name_filter(runs, "run")
        self._tag_filter = selection.name_filter(tags, "tag")
        self._role_filter = selection.role_filter(roles)
        self.min_severity = min_severity
        self.interval = float(interval)
        self.logdirs = tuple(logdirs)
        engine_args = (resolved, role_overrides, expectations)
        self._sources = [
            _Source(
                path,
                f"{path}:" if len(logdirs) > 1 else "",
                samples,
                bool(load_fast),
                engine_args,
                run_filter,
            )
            for path in logdirs
        ]
        self._open: dict[tuple[str, str, str, str], Finding] = {}
        self._known_runs: tuple[str, ...] = ()
        #: What the last poll saw (see :class:`WatchStatus`).
        self.status = WatchStatus()

    def poll(self) -> list[Finding]:
        """Read what was written since the last poll and return the findings that are new,
        changed severity or were resolved since then (the first poll: every finding present)."""
        started = time.monotonic()
        now = time.time()
        current: dict[tuple[str, str, str, str], tuple[str, str, str, Verdict]] = {}
        runs: set[str] = set()
        series, last_step, computed = 0, None, 0
        rereads = []
        for source in self._sources:
            if source.refresh(self.interval):
                rereads.append(source.logdir)
            results, n, step, diagnosed = source.diagnose(self._tag_filter, self._role_filter)
            series += n
            computed += diagnosed
            if step is not None:
                last_step = step if last_step is None else max(last_step, step)
            for run, diagnosis in results.items():
                name = source.prefix + run
                runs.add(name)
                for scope, item, verdict in findings_of(diagnosis, self.min_severity):
                    item = source.prefix + item if scope == "run" else item
                    current[(name, scope, item, verdict.id)] = (name, scope, item, verdict)
        vanished = tuple(sorted(set(self._known_runs) - runs))
        added = tuple(sorted(runs - set(self._known_runs))) if self.status.polls else ()
        found: list[Finding] = []
        for key, (run, scope, item, verdict) in current.items():
            previous = self._open.get(key)
            if previous is None:
                found.append(Finding("new", run, scope, item, verdict, now))
            elif previous.severity != verdict.severity:
                found.append(Finding("changed", run, scope, item, verdict, now, previous.severity))
        for key, previous in self._open.items():
            if key not in current and previous.run in runs:
                found.append(
                    Finding(
                        "resolved",
                        previous.run,
                        previous.scope,
                        previous.name,
                        previous.verdict,
                        now,
                    )
                )
        # Root cause first: within a run, the finding that shows earliest comes first.
        order = {"new": 0, "changed": 1, "resolved": 2}
        found.sort(
            key=lambda f: (
                order[f.event],
                f.run,
                f.first_step if f.first_step is not None else float("inf"),
            )
        )
        self._open = {
            key: Finding("new", run, scope, item, verdict, now)
            if key not in self._open
            else dataclasses.replace(self._open[key], verdict=verdict)
            for key, (run, scope, item, verdict) in current.items()
        }
        self._known_runs = tuple(sorted(runs))
        counts = dict.fromkeys(reversed(SEVERITIES), 0)
        for f in self._open.values():
            counts[f.severity] += 1
        self.status = WatchStatus(
            polls=self.status.polls + 1,
            runs=len(runs),
            series=series,
            last_step=last_step,
            open_findings=counts,
            runs_added=added,
            runs_removed=vanished,
            diagnosed_series=computed,
            rereads=tuple(rereads),
            seconds=time.monotonic() - started,
        )
        return found

    def open_findings(self) -> list[Finding]:
        """The findings present at the last poll (each as first reported, with its verdict as
        last seen)."""
        return list(self._open.values())

    def __iter__(self) -> Iterator[Finding]:
        """Poll forever, every :attr:`interval` seconds, and yield each finding."""
        while True:
            yield from self.poll()
            time.sleep(self.interval)

    def close(self) -> None:
        """Stop what the watcher started (TensorBoard's data server with ``load_fast``)."""
        for source in self._sources:
            source.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
