"""The Python API: diagnose a logdir, or histogram arrays you already hold.

``tb_histdiag.diagnose(logdir)`` reads a logdir through TensorBoard's own data providers (the
Python one, or the Rust data server with ``load_fast=True``) and returns a
:class:`LogdirDiagnosis`: the same document as the Diagnostics tab and ``tb-histdiag --format json``,
plus the chart data of the flagged tags for :meth:`~tb_histdiag.results.Diagnosis.to_html`.
``tb_histdiag.diagnose_series(buckets, steps, role=...)`` judges one series given as arrays.

Errors about the caller's input (a missing logdir, a filter that matches nothing, a bad
thresholds file) are :class:`OSError` or :class:`InputError` with a one-line message; the command
line prints them as they are.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Union

import numpy as np
from numpy.typing import ArrayLike

from tb_histdiag.engine.config import Config, ConfigError, load_config, parse_expect
from tb_histdiag.engine.diagnosis import Diagnoser
from tb_histdiag.engine.diagnosis import diagnose_series as _engine_diagnose_series
from tb_histdiag.engine.roles import ROLES, TagRole, layer_of, role_of
from tb_histdiag.progress import SILENT, Progress
from tb_histdiag.reading.logdir_check import LogdirChecker
from tb_histdiag.reading.series import HistogramReader, Series, series_from_data, walk_logdir
from tb_histdiag.reports import bands as charts_lib
from tb_histdiag.results import (
    SEVERITIES,
    Diagnosis,
    RunDiagnosis,
    TagDiagnosis,
    severity_at_least,
)
from tb_histdiag.verdicts import DEFAULT_THRESHOLDS, Thresholds

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

#: Seconds the Rust data server's listing must stay unchanged to count as loaded, when its log
#: cannot tell us (an unknown server version, or stderr that cannot be redirected).
_DATA_SERVER_QUIET_SECONDS = 5.0

#: What the Rust data server logs (with ``--verbose``) when a load cycle starts and ends.
_LOAD_STARTED = b"Starting load cycle"
_LOAD_FINISHED = b"Finished load cycle"

#: A filter on run or tag names: a regular expression searched in the name (like TensorBoard's
#: filters), a collection of exact names, or a predicate.
NameFilter = Union[None, str, "re.Pattern[str]", Iterable[str], Callable[[str], bool]]

#: Thresholds: the engine's defaults (None), a :class:`~tb_histdiag.verdicts.Thresholds`, a mapping
#: of overrides, or the path of a TOML or JSON file of overrides.
ThresholdsSpec = Union[None, Thresholds, Mapping[str, float], str, "os.PathLike[str]"]


class InputError(ValueError):
    """A problem with what the caller asked for, explained in one line."""


class NoHistogramsError(InputError):
    """The logdir (or the selection of runs and tags) holds no histogram series."""


class DataServerError(RuntimeError):
    """TensorBoard's Rust data server is not installed, did not start, or stopped."""


@dataclasses.dataclass(frozen=True)
class LogdirDiagnosis(Diagnosis):
    """A :class:`~tb_histdiag.results.Diagnosis` read from a logdir.

    ``charts`` maps ``(run, tag)`` of every tag with a verdict to its distribution bands, which
    :meth:`to_html` and a notebook's display draw next to the verdicts.
    """

    charts: Mapping[tuple[str, str], charts_lib.BandsChart] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )


# Thresholds.


def _load_document(path: str) -> object:
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8-sig")
    if path.lower().endswith(".json") or text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"thresholds file '{path}' is not valid JSON: {e}") from None
    try:
        import tomllib  # Python 3.11+
    except ImportError:
        try:
            import tomli as tomllib
        except ImportError:
            raise InputError(
                f"reading the TOML thresholds file '{path}' needs Python 3.11+ or the tomli "
                "package (pip install tomli); or write it as JSON"
            ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"thresholds file '{path}' is not valid TOML: {e}") from None


def _threshold_table(document: object, source: str) -> Mapping[str, object]:
    """The overrides in a parsed file: top-level keys, a ``[thresholds]`` table, or
    ``[tool.tb_histdiag.thresholds]`` (so the table can live in a ``pyproject.toml``)."""
    if not isinstance(document, Mapping):
        raise InputError(f"{source} must hold a table of threshold names and numbers")
    if "tool" in document:
        table = document.get("tool", {})
        for key in ("tb_histdiag", "thresholds"):
            table = table.get(key) if isinstance(table, Mapping) else None
        if table is None:
            raise InputError(f"{source} has no [tool.tb_histdiag.thresholds] table")
        document = table
    elif set(document) == {"thresholds"} and isinstance(document["thresholds"], Mapping):
        document = document["thresholds"]
    if not isinstance(document, Mapping):
        raise InputError(f"{source} must hold a table of threshold names and numbers")
    return document


def _checked_overrides(
    overrides: Mapping[str, object], source: str, base: Thresholds = DEFAULT_THRESHOLDS
) -> Thresholds:
    try:
        base.with_overrides(dict.fromkeys(overrides, 0))
    except KeyError as e:
        raise InputError(f"{source}: {e.args[0]}") from None
    clean: dict[str, float] = {}
    for name, value in overrides.items():
        default = getattr(DEFAULT_THRESHOLDS, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"{source}: threshold '{name}' must be a number, not {value!r}")
        if isinstance(default, int) and not float(value).is_integer():
            raise InputError(f"{source}: threshold '{name}' must be a whole number, not {value!r}")
        if not np.isfinite(value):
            raise InputError(f"{source}: threshold '{name}' must be finite, not {value!r}")
        clean[name] = int(value) if isinstance(default, int) else float(value)
    return base.with_overrides(clean)


def load_thresholds(
    path: str | os.PathLike[str], base: Thresholds = DEFAULT_THRESHOLDS
) -> Thresholds:
    """Return ``base`` (the engine's thresholds) with the overrides in a TOML or JSON file applied.

    The file holds threshold names and numbers at its top level, in a ``[thresholds]`` table, or
    in ``[tool.tb_histdiag.thresholds]`` (a ``pyproject.toml``). Unknown names, non-numbers and
    unreadable files raise :class:`InputError` (or :class:`OSError`) naming the problem.
    """
    path = os.fspath(path)
    source = f"thresholds file '{path}'"
    return _checked_overrides(_threshold_table(_load_document(path), source), source, base)


def _resolve_thresholds(spec: ThresholdsSpec, base: Thresholds = DEFAULT_THRESHOLDS) -> Thresholds:
    if spec is None:
        return base
    if isinstance(spec, Thresholds):
        return spec
    if isinstance(spec, Mapping):
        return _checked_overrides(spec, "thresholds", base)
    if isinstance(spec, (str, os.PathLike)):
        return load_thresholds(spec, base)
    raise TypeError(
        f"thresholds must be a Thresholds, a mapping or a file path, not {type(spec).__name__}"
    )


# Filters.


def _name_filter(spec: NameFilter, what: str) -> Callable[[str], bool] | None:
    """A predicate on names from a regex, a collection of exact names or a predicate."""
    if spec is None:
        return None
    if isinstance(spec, str):
        try:
            pattern = re.compile(spec)
        except re.error as e:
            raise InputError(f"invalid {what} regex {spec!r}: {e}") from None
        return lambda name: pattern.search(name) is not None
    if isinstance(spec, re.Pattern):
        return lambda name: spec.search(name) is not None
    if callable(spec):
        return spec
    names = frozenset(spec)
    return names.__contains__


def _exact_names(spec: NameFilter) -> tuple[str, ...]:
    """The names of a filter given as a collection of exact names (empty for other filters)."""
    if spec is None or isinstance(spec, (str, re.Pattern)) or callable(spec):
        return ()
    return tuple(spec)


def _describe(spec: NameFilter) -> str:
    if isinstance(spec, str):
        return repr(spec)
    if isinstance(spec, re.Pattern):
        return repr(spec.pattern)
    return "given"


def _role_filter(roles: str | Iterable[str] | None) -> frozenset[str] | None:
    if roles is None:
        return None
    wanted = frozenset([roles] if isinstance(roles, str) else roles)
    unknown = sorted(wanted - set(ROLES))
    if unknown:
        raise InputError(f"unknown role(s) {', '.join(unknown)} (roles: {', '.join(ROLES)})")
    return wanted


def _listing(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", … {len(names) - limit} more" if len(names) > limit else "")


def at_least(diagnosis: Diagnosis, min_severity: str | None) -> Diagnosis:
    """Keep the tags with a verdict at or above ``min_severity``, and the run and layer verdicts
    at or above it (a kept tag keeps all its verdicts). Runs stay, possibly without tags."""
    if min_severity is None:
        return diagnosis
    if min_severity not in SEVERITIES:
        raise InputError(f"unknown severity {min_severity!r} (severities: {', '.join(SEVERITIES)})")

    def enough(verdicts: Iterable) -> tuple:
        return tuple(v for v in verdicts if severity_at_least(v.severity, min_severity))

    runs = []
    for run in diagnosis.runs:
        tags = tuple(t for t in run.tags if enough(t.verdicts))
        kept = {t.tag for t in tags}
        layers = (
            dataclasses.replace(
                layer,
                tags=tuple(t for t in layer.tags if t in kept),
                verdicts=enough(layer.verdicts),
            )
            for layer in run.layers
        )
        runs.append(
            dataclasses.replace(
                run,
                tags=tags,
                layers=tuple(layer for layer in layers if layer.tags or layer.verdicts),
                verdicts=enough(run.verdicts),
            )
        )
    return dataclasses.replace(diagnosis, runs=tuple(runs))


# Data providers.


def _check_logdir(logdir: str) -> None:
    """Raise a one-line error when ``logdir`` is not a readable directory."""
    if "://" not in logdir:
        path = os.path.expanduser(logdir)
        if not os.path.exists(path):
            raise FileNotFoundError(f"logdir '{logdir}' does not exist")
        if not os.path.isdir(path):
            raise NotADirectoryError(f"logdir '{logdir}' is a file, not a directory")
        if not os.access(path, os.R_OK | os.X_OK):
            raise PermissionError(f"logdir '{logdir}' is not readable")
        return
    from tensorboard.compat import tf

    try:
        exists = tf.io.gfile.exists(logdir)
        is_dir = exists and tf.io.gfile.isdir(logdir)
    except Exception as e:  # filesystems raise anything from ImportError to their own errors
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(
            f"cannot read logdir '{logdir}': {detail} (remote logdirs need TensorFlow, an fsspec "
            "filesystem such as gcsfs/s3fs, or --load-fast for gs://)"
        ) from None
    if not exists:
        raise FileNotFoundError(f"logdir '{logdir}' does not exist")
    if not is_dir:
        raise NotADirectoryError(f"logdir '{logdir}' is a file, not a directory")


def _event_bytes(run_dir: str) -> int:
    """Total size of the event files directly in ``run_dir`` (0 when it cannot be listed)."""
    from tensorboard.compat import tf

    total = 0
    try:
        for name in tf.io.gfile.listdir(run_dir):
            if "tfevents" in name:
                total += tf.io.gfile.stat(os.path.join(run_dir, name)).length
    except Exception:  # only feeds the progress bar: never fail the diagnosis over it
        return 0
    return total


def _python_provider(
    logdir: str, samples: int, progress: Progress, load_run: Callable[[str], bool] | None
) -> object:
    """TensorBoard's Python data provider over ``logdir``, loaded run by run with progress.

    The same loader as :func:`tb_histdiag.reading.series.logdir_provider` (size guidance, CRC32C), with
    each run's reload wrapped: runs that ``load_run`` rejects are not read at all (a ``--run``
    filter on a large logdir reads only what it selects), and the progress bar advances by the
    bytes of event files read.
    """
    from tensorboard.backend.event_processing import data_provider

    from tb_histdiag.reading import series as series_lib

    progress.update("finding runs", 0, None, force=True)
    multiplexer = series_lib.logdir_multiplexer(logdir, samples)
    run_paths = {
        run: path
        for run, path in multiplexer.RunPaths().items()
        if load_run is None or load_run(run)
    }
    sizes = {run: _event_bytes(path) for run, path in run_paths.items()} if progress.enabled else {}
    total = sum(sizes.values())
    done = 0

    def wrap(run: str, reload: Callable[[], object]) -> Callable[[], object]:
        if run not in run_paths:
            return lambda: None

        def reload_with_progress() -> object:
            nonlocal done
            progress.update(f"reading {run}", done, total, "B", force=done == 0)
            try:
                return reload()
            finally:
                done += sizes.get(run, 0)
                progress.update(f"reading {run}", done, total, "B")

        return reload_with_progress

    for run in multiplexer.Runs():
        accumulator = multiplexer.GetAccumulator(run)
        accumulator.Reload = wrap(run, accumulator.Reload)
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, logdir)


@contextlib.contextmanager
def _stderr_into(fd: int) -> Iterator[bool]:
    """Point file descriptor 2 at ``fd`` while a child process is spawned, so the child's log
    goes to a file instead of the user's terminal. Yields False when that is impossible."""
    try:
        saved = os.dup(2)
    except OSError:
        yield False
        return
    try:
        sys.stderr.flush()
        os.dup2(fd, 2)
        yield True
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def _rust_provider(
    logdir: str, samples: int, progress: Progress, reload_interval: int = 0
) -> Iterator[object]:
    """TensorBoard's Rust data server over ``logdir``, loaded once (or, with
    ``reload_interval`` seconds, kept reloading: ``tb-histdiag watch``); stopped on exit.

    The server logs ``Finished load cycle`` when everything is read: its stderr goes to a
    temporary file that is polled for that line while the listing feeds the progress bar.
    """
    from tensorboard import context

    try:
        # Older TensorBoards import pkg_resources on this path, which setuptools 82 removed.
        import grpc
        from tensorboard.data import server_ingester
        from tensorboard.util import grpc_util
    except ImportError as e:
        raise DataServerError(
            "load_fast/--load-fast reads through TensorBoard's Rust data server, whose Python "
            f"side does not import here ({type(e).__name__}: {e}); drop --load-fast, or see "
            "the README's 'Tested with' for the pins this TensorBoard needs"
        ) from None
    try:
        binary = server_ingester.get_server_binary()
    except server_ingester.NoDataServerError as e:
        raise DataServerError(
            "load_fast/--load-fast reads through TensorBoard's Rust data server, which is not "
            f"installed here ({e}); pip install tensorboard-data-server, or drop --load-fast"
        ) from None
    workdir = tempfile.mkdtemp(prefix="tb-histdiag-")
    log_path = os.path.join(workdir, "data-server.log")
    ingester = server_ingester.SubprocessServerDataIngester(
        server_binary=binary,
        logdir=logdir,
        reload_interval=reload_interval,
        channel_creds_type=grpc_util.ChannelCredsType.LOCAL,
        samples_per_plugin={"histograms": samples},
        extra_flags=["--verbose"],
    )
    try:
        progress.update("starting TensorBoard's data server", 0, None, force=True)
        with open(log_path, "wb") as log, _stderr_into(log.fileno()) as captured:
            try:
                ingester.start()
            except server_ingester.DataServerStartupError as e:
                raise DataServerError(f"TensorBoard's data server did not start: {e}") from None
        provider = ingester.data_provider
        ctx = context.RequestContext()
        last, quiet_since = None, time.monotonic()
        while True:
            with open(log_path, "rb") as f:
                log_text = f.read()
            finished = _LOAD_FINISHED in log_text
            try:
                listing = provider.list_tensors(ctx, experiment_id="", plugin_name="histograms")
            except grpc.RpcError as e:
                tail = log_text.decode("utf-8", "replace").strip().splitlines()[-1:]
                raise DataServerError(
                    f"TensorBoard's data server stopped answering ({e.code().name})"
                    + (f": {tail[0]}" if tail else "")
                ) from None
            signature = {
                (r, t, ts.max_step) for r, tags in listing.items() for t, ts in tags.items()
            }
            steps = sum(max_step + 1 for _, _, max_step in signature)
            progress.update(f"data server: {len(listing)} runs", steps, None, "steps")
            if finished:
                break
            now = time.monotonic()
            if signature != last:
                last, quiet_since = signature, now
            elif (not captured or _LOAD_STARTED not in log_text) and (
                now - quiet_since > _DATA_SERVER_QUIET_SECONDS
            ):
                break
            time.sleep(0.05)
        yield provider
    finally:
        # The server runs with --die-after-stdin: closing its stdin stops it.
        stdin = getattr(ingester, "_stdin_handle", None)
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()
        shutil.rmtree(workdir, ignore_errors=True)


#: ``load_fast="auto"`` reads through the Rust data server when the selected runs' event files
#: add up to at least this many bytes (measured on the bench logdirs: the Python loader reads
#: ~40 MB/s, the data server ~280 MB/s, and starting it costs ~0.3 s).
AUTO_LOAD_FAST_BYTES = 64 * 2**20


def _selected_event_bytes(logdir: str, load_run: Callable[[str], bool] | None, limit: int) -> int:
    """Bytes of the event files of the runs ``load_run`` selects in a local ``logdir`` (a run is
    a directory holding event files, named by its path relative to the logdir, ``.`` for the
    logdir itself); counting stops once ``limit`` is reached."""
    root = os.path.expanduser(logdir)
    total = 0
    for directory in walk_logdir(root):
        if not directory.event_files:
            continue
        run = os.path.relpath(directory.path, root).replace(os.sep, "/")
        if load_run is not None and not load_run(run):
            continue
        for name in directory.event_files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(directory.path, name)).st_size
        if total >= limit:
            break
    return total


def _fast_pays_off(logdir: str, load_run: Callable[[str], bool] | None) -> bool:
    """Whether ``load_fast="auto"`` should start TensorBoard's Rust data server for ``logdir``:
    a local logdir whose selected event files are large, and a data server installed."""
    if "://" in logdir:
        return False
    if _selected_event_bytes(logdir, load_run, AUTO_LOAD_FAST_BYTES) < AUTO_LOAD_FAST_BYTES:
        return False
    try:
        from tensorboard.data import server_ingester

        server_ingester.get_server_binary()
    except ImportError:
        return False  # the data server's Python side does not import (see _rust_provider)
    except server_ingester.NoDataServerError:
        return False
    return True


@contextlib.contextmanager
def _provider(
    logdir: str,
    samples: int,
    load_fast: bool | str,
    progress: Progress,
    load_run: Callable[[str], bool] | None,
) -> Iterator[object]:
    _check_logdir(logdir)
    with contextlib.ExitStack() as stack:
        provider = None
        if load_fast == "auto":
            if _fast_pays_off(logdir, load_run):
                # The Python loader reads the logdir instead if the data server does not start.
                with contextlib.suppress(DataServerError):
                    provider = stack.enter_context(_rust_provider(logdir, samples, progress))
        elif load_fast:
            provider = stack.enter_context(_rust_provider(logdir, samples, progress))
        if provider is None:
            provider = _python_provider(logdir, samples, progress, load_run)
        yield provider


class _RecordingReader(HistogramReader):
    """A reader that keeps the series of its last read, so the charts of flagged tags are drawn
    from the data the engine judged without reading it twice."""

    def __init__(self, provider: object, max_steps: int):
        super().__init__(provider)
        self.max_steps = max_steps
        self.last: dict[str, Series] = {}

    def read_chunks(
        self, ctx: object, experiment_id: str, run: str, tags: Iterable[str]
    ) -> Iterator[dict[str, Series]]:
        """Read like :meth:`HistogramReader.read_chunks` and remember what was read."""
        self.last = {}
        for chunk in super().read_chunks(ctx, experiment_id, run, tags):
            self.last.update(chunk)
            yield chunk


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

    runs: list[RunDiagnosis] = dataclasses.field(default_factory=list)
    charts: dict[tuple[str, str], charts_lib.BandsChart] = dataclasses.field(default_factory=dict)
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
    reader = _RecordingReader(provider, samples or _ALL_STEPS)
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
                    found.charts[(name, tag)] = charts_lib.bands_chart(recorded[tag])
        reader.last = {}
        if diagnosis.tags:
            found.runs.append(dataclasses.replace(diagnosis, run=name) if run_prefix else diagnosis)
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
    resolved = _resolve_thresholds(thresholds, user_config.thresholds)
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
    runs = _exact_names(runs) or runs
    tags = _exact_names(tags) or tags
    run_filter, tag_filter = _name_filter(runs, "run"), _name_filter(tags, "tag")
    exact_runs = _exact_names(runs)
    role_filter = _role_filter(roles)
    bar = progress if isinstance(progress, Progress) else (Progress() if progress else SILENT)
    found = _Found()
    try:
        for path in logdirs:
            prefix = f"{path}:" if len(logdirs) > 1 else ""

            def load_run(run: str, prefix: str = prefix) -> bool:
                return run_filter is None or run_filter(prefix + run)

            with _provider(path, samples, load_fast, bar, load_run) as provider:
                _diagnose_logdir(
                    path,
                    provider,
                    (resolved, role_overrides, expectations),
                    run_filter,
                    tag_filter,
                    role_filter,
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
            f"no run named {_listing(unknown)} (runs: {_listing(found.run_names)})"
        )
    diagnosed = {r.run for r in found.runs}
    empty = [name for name in exact_runs if name not in diagnosed]
    if empty:
        raise NoHistogramsError(
            f"run {_listing(empty)} has no histogram tags (matching the tag/role filters)"
        )
    if not found.matched_runs:
        raise NoHistogramsError(
            f"no run matches the run filter {_describe(runs)} (runs: {_listing(found.run_names)})"
        )
    if not found.matched_with_histograms:
        raise NoHistogramsError(
            f"the runs matching the run filter {_describe(runs)} have no histogram summaries "
            f"(runs: {_listing(found.matched_runs)})"
        )
    if not found.runs:
        raise NoHistogramsError(
            f"no histogram tag matches the tag/role filters (tags: "
            f"{_listing(sorted(found.tag_names))})"
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
    return _engine_diagnose_series(series, tag_role, _resolve_thresholds(thresholds))
