"""Reading histogram series through TensorBoard's data provider, into plain numpy arrays.

Everything the plugin and the CLI know about histograms comes through here, and only through a
``tensorboard.data.provider.DataProvider`` (the Python ``MultiplexerDataProvider`` or the Rust data
server's ``GrpcDataProvider``). The two providers hand out legacy histograms differently (float32 and
trimmed vs float64 with backwards outer buckets), so every step is normalised to one form before any
statistic sees it: float64 ``(left, right, count)`` rows, outer empty buckets dropped, the outer edges
kept, non-finite values detected before trimming.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from tb_histdiag.reading.memory import release_free_memory
from tb_histdiag.reading.tensor_tables import Tables, as_table, iter_tables, tables_from_arrays
from tb_histdiag.reading.transport import without_stalls

logger = logging.getLogger(__name__)

#: The plugin name TensorBoard stores histogram summaries under.
HISTOGRAMS_PLUGIN = "histograms"

#: Steps read per series when TensorBoard gives no sampling hint. The loaders keep at most 100
#: (Rust) or 500 (Python) steps per series by default, so this only matters when the user asked
#: TensorBoard to keep everything (``--samples_per_plugin=histograms=0``).
DEFAULT_MAX_STEPS = 10_000


@dataclasses.dataclass(frozen=True)
class SeriesInfo:
    """What the provider's index says about one (run, tag) without reading its data."""

    run: str
    tag: str
    max_step: int
    max_wall_time: float


@dataclasses.dataclass(frozen=True, eq=False)
class Series:
    """One histogram series as padded arrays.

    ``left``, ``right`` and ``counts`` are ``[steps, buckets]`` float64 arrays; row ``i`` holds the
    first ``nbuckets[i]`` buckets of step ``steps[i]`` and is padded with empty zero-width buckets
    at its last edge. ``nonfinite[i]`` is true when step ``i`` had a NaN/Inf edge or count.
    """

    run: str
    tag: str
    steps: NDArray[np.int64]
    wall_times: NDArray[np.float64]
    left: NDArray[np.float64]
    right: NDArray[np.float64]
    counts: NDArray[np.float64]
    nbuckets: NDArray[np.int64]
    nonfinite: NDArray[np.bool_]
    #: When several tensors are logged under this one tag at every step (older Keras 3
    #: callbacks write every layer's kernel as ``kernel/histogram``): their sizes, in the order
    #: they are written. Empty for an ordinary series. The arrays then hold the last of each step.
    shared_sizes: tuple[int, ...] = ()

    @property
    def num_steps(self) -> int:
        """Number of logged steps in the series."""
        return int(self.steps.shape[0])


def normalise_buckets(raw: object) -> tuple[NDArray[np.float64], bool]:
    """Return one step's buckets as float64 ``[k, 3]`` rows and whether anything was non-finite.

    Outer buckets with no mass are dropped and the outermost edges (the writer's min and max) are
    kept, which makes the Python and Rust providers agree on legacy histograms. Non-finite edges or
    counts are detected before trimming because NaN data may leave only zero counts behind.
    """
    a = as_table(raw)  # a crafted event that is not a [k, 3] table keeps its whole rows only
    nonfinite = bool(a.size) and not bool(np.isfinite(a).all())
    if a.shape[0]:
        lo, hi = a[0, 0], a[-1, 1]
        nz = np.flatnonzero(a[:, 2] > 0)
        a = a[:0] if nz.size == 0 else a[nz[0] : nz[-1] + 1].copy()
        if a.shape[0]:
            a[0, 0], a[-1, 1] = lo, hi
    return a, nonfinite


def series_from_data(
    run: str,
    tag: str,
    steps: Sequence[int],
    wall_times: Sequence[float],
    tables: Sequence[object],
) -> Series:
    """Build a :class:`Series` from per-step bucket tables (each ``[k, 3]``-shaped); see
    :func:`series_from_tables`."""
    return series_from_tables(run, tag, tables_from_arrays(steps, wall_times, tables))


def shared_tensor_sizes(tables: Tables) -> tuple[int, ...]:
    """The sizes of the tensors logged under one tag, when there are several at every step.

    The mark of several tensors sharing a tag: every step occurs ``k >= 2`` times in a row (the
    writer logs them one after another at the same step; the last step may be cut short by a
    flush), and the ``j``-th of each step always holds the same number of values, which is not
    the same for all ``j`` or which repeats at every step. A step logged again later (a second
    training in the same run directory) does not occur in a row and is not a collision.
    Returns the number of values of each of the ``k`` tensors, or ``()``.
    """
    steps = tables.steps
    if steps.size < 4:
        return ()
    change = np.flatnonzero(steps[1:] != steps[:-1]) + 1
    starts = np.concatenate(([0], change))
    runs = np.diff(np.concatenate((starts, [steps.size])))
    k = int(runs[0])
    if k < 2 or runs.size < 2 or np.unique(steps[starts]).size != starts.size:
        return ()
    if not (bool((runs[:-1] == k).all()) and int(runs[-1]) <= k):
        return ()
    entry_of_row = np.repeat(np.arange(steps.size), tables.lengths)
    totals = np.bincount(entry_of_row, weights=tables.flat[:, 2], minlength=steps.size)
    full = totals[: (runs.size - (int(runs[-1]) < k)) * k].reshape(-1, k)
    if full.shape[0] < 2 or not bool(np.isfinite(full).all()):
        return ()
    if not bool((full == full[0]).all()):
        return ()
    return tuple(int(n) for n in np.rint(full[0]))


def _last_of_each_step(tables: Tables) -> Tables:
    """``tables`` with each step once, in step order; where a step occurs more than once the
    last one written wins (the Python loader keeps re-logged and colliding steps, TensorBoard's
    Rust loader keeps the last)."""
    steps = tables.steps
    if steps.size < 2 or bool((steps[1:] > steps[:-1]).all()):
        return tables
    _, first_in_reversed = np.unique(steps[::-1], return_index=True)
    keep = (steps.size - 1 - first_in_reversed).astype(np.int64)
    lengths = tables.lengths[keep]
    starts = np.cumsum(tables.lengths) - tables.lengths
    new_starts = np.cumsum(lengths) - lengths
    rows = np.repeat(starts[keep] - new_starts, lengths) + np.arange(int(lengths.sum()))
    return Tables(steps[keep], tables.wall_times[keep], tables.flat[rows], lengths, tables.packed)


def series_from_tables(run: str, tag: str, tables: Tables) -> Series:
    """Build a :class:`Series` from one series' packed bucket tables.

    Steps are sorted and each kept once (:func:`_last_of_each_step`). Each step is normalised as
    :func:`normalise_buckets` does, and empty buckets *inside* the support are dropped too: they
    carry no mass, and PyTorch's fixed bins leave most of its ~600 buckets empty, so every
    statistic downstream works on arrays 3-4x narrower. Buckets with a negative or NaN count are
    kept (the statistics must see them). All steps are normalised at once on the packed rows (a
    per-step loop cost more than the statistics themselves).
    """
    shared = shared_tensor_sizes(tables)
    tables = _last_of_each_step(tables)
    step_arr, wall_arr, flat, lengths = tables.steps, tables.wall_times, tables.flat, tables.lengths
    count = int(lengths.shape[0])
    ends = np.cumsum(lengths)
    starts = ends - lengths
    nonfinite = np.zeros(count, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        # A sum is finite only when every value is (or it may overflow): one cheap pass.
        all_finite = bool(np.isfinite(flat.sum()))
    if not all_finite:
        # A NaN or Inf anywhere in a row marks its step (rare: only then per row).
        bad = np.flatnonzero(~np.isfinite(flat).all(axis=1))
        nonfinite[np.searchsorted(ends, bad, side="right")] = True
    # Everything below works on the buckets with a non-zero count only (PyTorch's fixed bins
    # leave ~80% of them empty). NaN and negative counts are non-zero: they stay visible.
    nz = np.flatnonzero(flat[:, 2] != 0)
    nz_rows = np.repeat(np.arange(count), lengths)[nz]  # each row's step (3x a searchsorted)
    # The support of each step: from its first to its last bucket with positive mass. Rows are
    # in step order, so the run boundaries of ``pos_rows`` give each step's first and last.
    with np.errstate(invalid="ignore"):
        positive = flat[nz, 2] > 0
    pos, pos_rows = nz[positive], nz_rows[positive]
    first = np.full(count, -1, dtype=np.int64)
    last = np.full(count, -2, dtype=np.int64)
    if pos.size:
        bounds = np.flatnonzero(pos_rows[1:] != pos_rows[:-1]) + 1
        i_first = np.concatenate(([0], bounds))
        i_last = np.concatenate((bounds - 1, [pos.size - 1]))
        has = pos_rows[i_first]
        first[has] = pos[i_first]
        last[has] = pos[i_last]
    inside = (nz >= first[nz_rows]) & (nz <= last[nz_rows])
    out = np.take(flat, nz[inside], axis=0)  # (twice as fast as fancy indexing)
    out_rows = nz_rows[inside]
    nbuckets = np.bincount(out_rows, minlength=count).astype(np.int64)
    out_starts = np.cumsum(nbuckets) - nbuckets
    has_data = nbuckets > 0
    # The writer's min and max (the first left and last right edge) bound the kept buckets.
    if has_data.any():
        out[out_starts[has_data], 0] = flat[starts[has_data], 0]
        out[out_starts[has_data] + nbuckets[has_data] - 1, 1] = flat[
            starts[has_data] + lengths[has_data] - 1, 1
        ]

    width = max(1, int(nbuckets.max())) if count else 1
    # Padding: empty zero-width buckets at each step's last edge (0 for a step without data).
    pad = np.zeros(count)
    pad[has_data] = out[out_starts[has_data] + nbuckets[has_data] - 1, 1]
    left = np.repeat(pad[:, None], width, axis=1)
    right = left.copy()
    counts = np.zeros((count, width))
    # ``out`` is in (step, bucket) order, as a mask assignment fills: 3x a 2-D fancy one.
    filled = np.arange(width) < nbuckets[:, None]
    left[filled] = out[:, 0]
    right[filled] = out[:, 1]
    counts[filled] = out[:, 2]
    return Series(run, tag, step_arr, wall_arr, left, right, counts, nbuckets, nonfinite, shared)


#: Environment variable: seconds a provider listing (``list_tensors``/``list_scalars``) may be
#: reused by a :class:`HistogramReader` built without an explicit ``listing_ttl``.
LISTING_TTL_ENV = "TB_HISTDIAG_LISTING_TTL"

#: Most listings kept per provider (one per experiment, plugin and run filter).
_LISTING_CACHE_ENTRIES = 1024


def _listing_ttl_from_environment() -> float:
    try:
        return max(0.0, float(os.environ.get(LISTING_TTL_ENV, "0") or 0))
    except ValueError:
        return 0.0


class CachedListings:
    """A data provider whose listings are reused for ``ttl`` seconds; everything else passes through.

    Listing every series is the dominant cost of a cached diagnosis: ``list_tensors`` over 1,000
    series takes ~50 ms through the Rust data server (the gRPC call plus building its result) and
    scans every stored point in the Python provider, while a cached diagnosis needs well under
    1 ms. A listing is at most ``ttl`` seconds older than the provider's data, and TensorBoard
    itself reloads a logdir only every ``--reload_interval`` (5 s by default), so a TTL of about
    1 s is invisible in practice. Concurrent callers of an expired listing wait for one refresh.
    The request context is not part of the key: local TensorBoard has no per-user data.
    """

    def __init__(self, provider: object, ttl: float):
        self._provider = provider
        self.ttl = ttl
        self._lock = threading.Lock()
        self._refresh_locks: dict[tuple, threading.Lock] = {}
        self._entries: dict[tuple, tuple[float, object]] = {}

    def __getattr__(self, name: str) -> object:
        return getattr(self._provider, name)

    def list_tensors(
        self, ctx: object, *, experiment_id: str, plugin_name: str, run_tag_filter=None
    ):
        """``provider.list_tensors``, reused for ``ttl`` seconds."""
        return self.listing("list_tensors", ctx, experiment_id, plugin_name, run_tag_filter)[0]

    def list_scalars(
        self, ctx: object, *, experiment_id: str, plugin_name: str, run_tag_filter=None
    ):
        """``provider.list_scalars``, reused for ``ttl`` seconds."""
        return self.listing("list_scalars", ctx, experiment_id, plugin_name, run_tag_filter)[0]

    def listing(
        self,
        method: str,
        ctx: object,
        experiment_id: str,
        plugin_name: str,
        run_tag_filter: object = None,
        max_stale: float = 0.0,
    ) -> tuple[object, bool]:
        """``(listing, fresh)``: a listing no older than ``ttl`` seconds (``fresh``), or, when
        ``max_stale > ttl``, one up to ``max_stale`` seconds old while a background thread fetches
        a new one (stale-while-revalidate), so the caller never waits for the provider. Only
        callers that need the *names* in a listing, not its last steps, should use a stale one."""
        runs = getattr(run_tag_filter, "runs", None)
        tags = getattr(run_tag_filter, "tags", None)
        key = (
            method,
            experiment_id,
            plugin_name,
            None if runs is None else tuple(sorted(runs)),
            None if tags is None else tuple(sorted(tags)),
        )
        call = (method, ctx, experiment_id, plugin_name, run_tag_filter)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None:
            age = time.monotonic() - entry[0]
            if age < self.ttl:
                return entry[1], True
            if age < max_stale:
                refresh = self._refresh_lock(key)
                if refresh.acquire(blocking=False):  # else a refresh is already under way
                    threading.Thread(
                        target=self._refresh_then_release,
                        args=(key, refresh, call),
                        name="tb_histdiag-listing",
                        daemon=True,
                    ).start()
                return entry[1], False
        refresh = self._refresh_lock(key)
        with refresh:
            hit = self._fresh(key)  # another thread may have refreshed it while this one waited
            if hit is not None:
                return hit, True
            return self._refresh(key, refresh, call), True

    def _refresh_lock(self, key: tuple) -> threading.Lock:
        with self._lock:
            return self._refresh_locks.setdefault(key, threading.Lock())

    def _refresh(self, key: tuple, refresh: threading.Lock, call: tuple) -> object:
        method, ctx, experiment_id, plugin_name, run_tag_filter = call
        started = time.monotonic()  # the listing is as old as the call that made it
        result = getattr(self._provider, method)(
            ctx,
            experiment_id=experiment_id,
            plugin_name=plugin_name,
            run_tag_filter=run_tag_filter,
        )
        with self._lock:
            if len(self._entries) >= _LISTING_CACHE_ENTRIES:
                self._entries.clear()
                self._refresh_locks = {key: refresh}
            self._entries[key] = (started, result)
        return result

    def _refresh_then_release(self, key: tuple, refresh: threading.Lock, call: tuple) -> None:
        try:
            self._refresh(key, refresh, call)
        except Exception:  # the next caller lists synchronously and sees the error itself
            logger.warning("tb_histdiag: background listing refresh failed", exc_info=True)
        finally:
            refresh.release()

    def _fresh(self, key: tuple) -> object | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry[0] < self.ttl:
            return entry[1]
        return None


#: About how many bytes of histogram tables one ``read_tensors`` call of a chunked read should
#: return. It bounds the provider's transient memory per call, and with it what glibc keeps
#: resident afterwards: a reading thread's arena keeps its peak (``malloc_trim`` does not shrink
#: the top of a thread's arena). Measured in process on the L bench logdir: chunks of 10 PyTorch
#: tags (~27 MB per call) left TensorBoard's process ~110 MB larger, chunks of 2 (~5 MB) ~40 MB.
READ_CHUNK_BYTES = 6 << 20

#: Tags in a run's first chunk (its tables' size is not known yet) and the most in any chunk.
FIRST_CHUNK_TAGS = 2
MAX_CHUNK_TAGS = 20

#: Answers smaller than this may arrive late through the data server's transport (see
#: :mod:`tb_histdiag.reading.transport`): chunks expected below it are read with the nudger.
STALL_BYTES = 2 << 20


def chunk_tags(bytes_per_tag: float | None) -> int:
    """Tags for the next chunk of a run whose tables took ``bytes_per_tag`` each so far (None:
    nothing read yet): :data:`READ_CHUNK_BYTES` worth, within 1 and :data:`MAX_CHUNK_TAGS`.
    PyTorch's ~600 float64 buckets x 200 steps (~3 MB a tag) give 2 tags a call, TF2's 30 buckets
    (~150 kB a tag) the maximum."""
    if bytes_per_tag is None:
        return FIRST_CHUNK_TAGS
    return int(min(MAX_CHUNK_TAGS, max(1, READ_CHUNK_BYTES // max(bytes_per_tag, 1.0))))


#: Concurrent ``read_tensors`` calls per reader (TensorBoard machines are often small; more
#: concurrent reads only multiply the transient memory, not the throughput).
READ_SLOTS = 2


class HistogramReader:
    """Reads histogram series for one data provider.

    ``max_steps`` bounds how many steps per series are requested (``downsample``); it follows
    TensorBoard's ``--samples_per_plugin=histograms=N`` hint when given (0 means all).
    ``listing_ttl`` (seconds, default from ``TB_HISTDIAG_LISTING_TTL``, else 0) lets the index and
    the loss-scalar listing be reused for that long (see :class:`CachedListings`); 0 lists the
    provider on every call, so a result always reflects the provider's latest data.
    The provider is reached through ``self.provider``, which is the caching wrapper when a TTL
    is set, so every caller shares one cache.
    """

    def __init__(
        self,
        provider: object,
        sampling_hints: Mapping[str, int] | None = None,
        listing_ttl: float | None = None,
    ):
        ttl = _listing_ttl_from_environment() if listing_ttl is None else listing_ttl
        self._data_provider = provider  # TensorBoard's own, for reading tensors as tables
        provider = without_stalls(provider)
        self._nudger = getattr(provider, "nudger", None)
        self._raw_provider = provider
        if ttl > 0 and provider is not None:
            provider = CachedListings(provider, ttl)
        self.provider = provider
        self._provider = provider
        self._index_memo: tuple[object, dict] | None = None
        self._read_slots = threading.BoundedSemaphore(READ_SLOTS)
        hint = (sampling_hints or {}).get(HISTOGRAMS_PLUGIN)
        self.max_steps = DEFAULT_MAX_STEPS if not hint else max(int(hint), DEFAULT_MAX_STEPS)

    def index(self, ctx: object, experiment_id: str) -> dict[str, dict[str, SeriesInfo]]:
        """Return ``{run: {tag: SeriesInfo}}`` for every histogram series, runs and tags sorted."""
        return self.index_for_names(ctx, experiment_id, 0.0)[0]

    def index_for_names(
        self, ctx: object, experiment_id: str, max_stale: float
    ) -> tuple[dict[str, dict[str, SeriesInfo]], bool]:
        """``(index, fresh)`` like :meth:`index`, where a cached listing up to ``max_stale``
        seconds old may answer (``fresh`` False) while a new one is fetched in the background:
        for callers that need the names of the series; their last steps may be outdated."""
        fresh = True
        if isinstance(self._provider, CachedListings):
            listing, fresh = self._provider.listing(
                "list_tensors", ctx, experiment_id, HISTOGRAMS_PLUGIN, max_stale=max_stale
            )
        else:
            listing = self._provider.list_tensors(
                ctx, experiment_id=experiment_id, plugin_name=HISTOGRAMS_PLUGIN
            )
        memo = self._index_memo
        if memo is not None and memo[0] is listing:
            # The same (cached) listing: reuse the index built from it. Callers must not mutate it.
            return memo[1], fresh
        index = {
            run: {
                tag: SeriesInfo(run, tag, int(ts.max_step), float(ts.max_wall_time))
                for tag, ts in sorted(tags.items())
            }
            for run, tags in sorted(listing.items())
            if tags
        }
        if isinstance(self._provider, CachedListings):
            self._index_memo = (listing, index)
        return index, fresh

    def series_info(self, ctx: object, experiment_id: str, run: str, tag: str) -> SeriesInfo | None:
        """What the provider says now about one series (None if it has no such series).

        Never cached: a listing filtered to one series is cheap (~0.3 ms through the Rust data
        server), while one that lists more than four series waits ~45 ms in its transport.
        """
        from tensorboard.data import provider as tb_provider

        listing = self._raw_provider.list_tensors(
            ctx,
            experiment_id=experiment_id,
            plugin_name=HISTOGRAMS_PLUGIN,
            run_tag_filter=tb_provider.RunTagFilter(runs=[run], tags=[tag]),
        )
        ts = listing.get(run, {}).get(tag)
        if ts is None:
            return None
        return SeriesInfo(run, tag, int(ts.max_step), float(ts.max_wall_time))

    def read(
        self, ctx: object, experiment_id: str, run: str, tags: Iterable[str]
    ) -> dict[str, Series]:
        """Read the given tags of one run (see :meth:`read_chunks`)."""
        result: dict[str, Series] = {}
        for chunk in self.read_chunks(ctx, experiment_id, run, tags):
            result.update(chunk)
        return result

    def read_chunks(
        self, ctx: object, experiment_id: str, run: str, tags: Iterable[str]
    ) -> Iterator[dict[str, Series]]:
        """Read the given tags of one run a chunk of tags per provider call (sized by
        :func:`chunk_tags` from what the run's previous chunks took), and yield each chunk's
        series while the next chunk is read in a background thread.

        The overlap pays off with TensorBoard's Rust data server: about half of a read is spent
        waiting for the server process, which leaves the GIL to the caller's statistics of the
        previous chunk. Tags the provider does not return (unknown, or vanished since the index
        was taken) are absent from the result.

        Memory is bounded on purpose. What the provider hands out is much larger than what is
        kept: the Rust data server sends every one of PyTorch's ~600 buckets as float64, ~135 MB
        for a run of 50 tags x 200 steps, while the compacted :class:`Series` of that run are
        ~15 MB. Reading in chunks caps the transient part per call (about
        :data:`READ_CHUNK_BYTES`), and at most :data:`READ_SLOTS` reads run at once per reader,
        however many runs are requested concurrently (measured: 200 concurrent cold requests
        over 20 runs grew TensorBoard by 1.4 GB when every run was read at once in one call).
        """
        wanted = sorted(set(tags))
        if len(wanted) <= FIRST_CHUNK_TAGS:
            if wanted:
                yield self._read_chunk(ctx, experiment_id, run, wanted, None)[0]
            return
        taken = 0
        per_tag: float | None = None

        def read_next() -> concurrent.futures.Future:
            nonlocal taken
            chunk = wanted[taken : taken + chunk_tags(per_tag)]
            taken += len(chunk)
            expected = None if per_tag is None else per_tag * len(chunk)
            return pool.submit(self._read_chunk, ctx, experiment_id, run, chunk, expected)

        with concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="tb_histdiag-read"
        ) as pool:
            pending = read_next()
            while True:
                done, table_bytes, count = pending.result()
                if count:
                    per_tag = table_bytes / count
                if taken >= len(wanted):
                    break
                pending = read_next()
                yield done
        # The provider's full-size arrays of this run are freed by now: give the pages back.
        release_free_memory()
        yield done

    def _read_chunk(
        self,
        ctx: object,
        experiment_id: str,
        run: str,
        chunk: list[str],
        expected_bytes: float | None,
    ) -> tuple[dict[str, Series], int, int]:
        """``(series, bytes of their tables as read, how many were read)`` for ``chunk``."""
        # One series, or an answer that may be small enough to stall, is read with the nudger.
        small = len(chunk) <= 1 or expected_bytes is None or expected_bytes < STALL_BYTES
        table_bytes = 0
        out = {}
        with self._read_slots:
            # Each series is compacted as soon as it is read, so besides the provider's answer
            # only one series is held at full size; all of it is freed before the slot is.
            for tag, tables in iter_tables(
                self._data_provider,
                ctx,
                experiment_id,
                HISTOGRAMS_PLUGIN,
                run,
                chunk,
                self.max_steps,
                self._nudger if small else None,
            ):
                table_bytes += tables.flat.nbytes
                out[tag] = series_from_tables(run, tag, tables)
        return out, table_bytes, len(out)


#: The plugin name TensorBoard stores scalar summaries under.
SCALARS_PLUGIN = "scalars"

#: Loss curves are read with at most this many points (the trend is all that matters).
LOSS_MAX_POINTS = 1000


@dataclasses.dataclass(frozen=True)
class LossCurve:
    """A run's training loss scalar: its tag, steps and values (float64, may hold NaN)."""

    tag: str
    steps: NDArray[np.int64]
    values: NDArray[np.float64]


def pick_loss_tag(tags: Iterable[str]) -> str | None:
    """The scalar tag most likely to be a run's training loss, or None.

    Prefers ``loss`` itself, then Keras' ``epoch_loss``, then any tag containing "loss" that is
    not a validation or test loss; shorter names win ties. Without any, TF1 tutorials' names for
    the objective: ``cost``, ``cross_entropy``, ``xent`` (``cost_1``, ``optimizer/cost``).
    """
    tags = list(tags)
    candidates = [t for t in tags if "loss" in t.lower()] or [
        t for t in tags if re.search(r"cost|cross_?entropy|xent", t, re.IGNORECASE)
    ]
    training = [t for t in candidates if not any(w in t.lower() for w in ("val", "test", "eval"))]
    for exact in ("loss", "epoch_loss", "train/loss", "loss/train", "train_loss"):
        for t in training:
            if t.lower() == exact:
                return t
    return min(training, key=lambda t: (len(t), t)) if training else None


def _use_fast_crc32c() -> None:
    """Let TensorBoard's event reader check CRCs with the ``crc32c`` package when installed.

    Without TensorFlow, TensorBoard's reader computes CRC32C in pure Python (about 11 MB/s), which
    dominates loading a logdir of PyTorch histograms. Only the command line's own process is
    patched, and only after the fast function agrees with TensorBoard's on a sample.
    """
    try:
        import crc32c as fast
        from tensorboard.compat.tensorflow_stub import pywrap_tensorflow as stub
    except ImportError:
        return
    sample = b"tb_histdiag crc32c check"
    if getattr(stub, "crc32c", None) is not None and stub.crc32c(sample) == fast.crc32c(sample):
        stub.crc32c = fast.crc32c


def loss_tags(
    provider: object, ctx: object, experiment_id: str, runs: Iterable[str] | None = None
) -> dict[str, SeriesInfo]:
    """``{run: SeriesInfo}`` of each run's training loss scalar (one provider call for all)."""
    from tensorboard.data import provider as tb_provider

    listing = provider.list_scalars(
        ctx,
        experiment_id=experiment_id,
        plugin_name=SCALARS_PLUGIN,
        run_tag_filter=tb_provider.RunTagFilter(runs=None if runs is None else list(runs)),
    )
    out = {}
    for run, tags in listing.items():
        tag = pick_loss_tag(tags)
        if tag is not None:
            ts = tags[tag]
            out[run] = SeriesInfo(run, tag, int(ts.max_step), float(ts.max_wall_time))
    return out


def read_loss(
    provider: object, ctx: object, experiment_id: str, info: SeriesInfo
) -> LossCurve | None:
    """Read one run's loss curve (``info`` from :func:`loss_tags`) in step order, each step once;
    None when it has no points."""
    from tensorboard.data import provider as tb_provider

    data = provider.read_scalars(
        ctx,
        experiment_id=experiment_id,
        plugin_name=SCALARS_PLUGIN,
        downsample=LOSS_MAX_POINTS,
        run_tag_filter=tb_provider.RunTagFilter(runs=[info.run], tags=[info.tag]),
    )
    points = data.get(info.run, {}).get(info.tag, [])
    if not points:
        return None
    # As for the histograms: each step once, the last one written winning (a run directory that
    # holds a second training, its steps starting again at 0, is judged on the second one).
    steps = np.array([p.step for p in points], dtype=np.int64)
    _, last_in_reversed = np.unique(steps[::-1], return_index=True)
    keep = steps.size - 1 - last_in_reversed
    return LossCurve(
        info.tag, steps[keep], np.array([p.value for p in points], dtype=np.float64)[keep]
    )


def is_utf8_name(path: str) -> bool:
    """Whether a file name decodes as UTF-8 (no surrogate escapes from undecodable bytes)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclasses.dataclass(frozen=True)
class WalkedDir:
    """One directory of a logdir walk: its path (joined from the logdir, symbolic links not
    resolved), the names of the event files directly inside it (sorted), and the names of its
    subdirectories left out because they are not valid UTF-8."""

    path: str
    event_files: tuple[str, ...]
    undecodable: tuple[str, ...] = ()


def walk_logdir(
    logdir: str, onerror: Callable[[OSError], None] | None = None
) -> Iterator[WalkedDir]:
    """Every directory under a local ``logdir`` (itself first), top-down, subdirectories in name
    order: the one walk of a logdir that every caller shares (finding runs, sizing them for
    ``--load-fast=auto``, checking event files).

    Symbolic links to directories are followed, as both of TensorBoard's loaders do (the Python
    loader's ``tf.io.gfile.walk`` and the Rust data server's ``WalkDir::follow_links``), so a
    logdir of symlinked runs shows what TensorBoard shows. A link to a directory the walk is
    already inside (a loop) is not followed, as the data server's walk does not follow it: the
    walk ends and finds the runs the data server finds. Subdirectories whose names are not valid
    UTF-8 are not entered (TensorBoard cannot load them; see :attr:`WalkedDir.undecodable`). ``onerror`` receives the ``OSError`` of a directory that
    cannot be listed; without it such directories are skipped silently.
    """
    # Each entry: a directory to list and the identities (device, inode) of the directories
    # from the logdir down to it, itself included.
    stack: list[tuple[str, frozenset[tuple[int, int]]]] = []
    try:
        st = os.stat(logdir)
        stack.append((logdir, frozenset({(st.st_dev, st.st_ino)})))
    except OSError as e:
        if onerror is not None:
            onerror(e)
    while stack:
        directory, ancestors = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            if onerror is not None:
                onerror(e)
            continue
        events: list[str] = []
        undecodable: list[str] = []
        below: list[tuple[str, frozenset[tuple[int, int]]]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows a symbolic link
            except OSError:
                is_dir = False
            if not is_dir:
                if "tfevents" in entry.name:
                    events.append(entry.name)
                continue
            if not is_utf8_name(entry.name):
                undecodable.append(entry.name)
                continue
            try:
                st = entry.stat()  # of the link's target
            except OSError as e:
                if onerror is not None:
                    onerror(e)
                continue
            identity = (st.st_dev, st.st_ino)
            if identity in ancestors and entry.is_symlink():
                logger.info(
                    "tb_histdiag: not following %s: it links to a directory above it", entry.path
                )
                continue
            below.append((entry.path, ancestors | {identity}))
        yield WalkedDir(directory, tuple(events), tuple(undecodable))
        stack.extend(reversed(below))


def local_run_dirs(logdir: str) -> list[str]:
    """Directories under ``logdir`` (itself included) holding event files, as TensorBoard finds
    runs (symbolic links followed), leaving out names that are not valid UTF-8."""
    return [d.path for d in walk_logdir(logdir) if d.event_files and is_utf8_name(d.path)]


def logdir_provider(logdir: str, max_steps: int = 0) -> object:
    """Build TensorBoard's Python data provider over ``logdir``, loaded synchronously.

    ``max_steps`` is the per-series reservoir size (0 keeps every step). Raises ``FileNotFoundError``
    or ``NotADirectoryError`` when ``logdir`` is not a readable local directory.
    """
    from tensorboard.backend.event_processing import data_provider

    if "://" not in logdir:
        if not os.path.exists(logdir):
            raise FileNotFoundError(f"logdir '{logdir}' does not exist")
        if not os.path.isdir(logdir):
            raise NotADirectoryError(f"logdir '{logdir}' is a file, not a directory")
    multiplexer = logdir_multiplexer(logdir, max_steps)
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, logdir)


def logdir_multiplexer(
    logdir: str, max_steps: int = 0, runs: Callable[[str], bool] | None = None
) -> object:
    """TensorBoard's ``EventMultiplexer`` with every run of ``logdir`` added, not yet loaded.

    ``max_steps`` is the per-series reservoir size (0 keeps every step). ``runs`` selects the
    runs of a local logdir to add, by name (a remote logdir adds all). Event CRCs are checked
    with the ``crc32c`` package when it is installed.
    """
    from tensorboard.backend.event_processing import plugin_event_multiplexer as multiplexer_lib
    from tensorboard.backend.event_processing import tag_types

    _use_fast_crc32c()
    multiplexer = multiplexer_lib.EventMultiplexer(
        size_guidance={
            tag_types.TENSORS: max_steps,
            tag_types.SCALARS: 1000,
            tag_types.IMAGES: 1,
            tag_types.AUDIO: 1,
        }
    )
    if "://" in logdir:
        multiplexer.AddRunsFromDirectory(logdir)
    else:
        # TensorBoard's own walk raises on a directory name that is not valid UTF-8 and then
        # loads nothing; add the runs one by one and leave such directories out (the logdir
        # check reports them).
        for run_dir in local_run_dirs(logdir):
            name = os.path.relpath(run_dir, logdir)
            if runs is None or runs(name):
                multiplexer.AddRun(run_dir, name=name)
    return multiplexer
