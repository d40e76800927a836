"""Reading histogram series through a data provider, a few tags per call, into :class:`Series`.

:class:`HistogramReader` lists a provider's histogram series (its index) and reads them in
chunks of bounded memory, each step normalised by :mod:`tb_histdiag.reading.series`.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Iterable, Iterator, Mapping

from tb_histdiag.reading.listing import CachedListings, listing_ttl_from_environment
from tb_histdiag.reading.memory import release_free_memory
from tb_histdiag.reading.series import (
    DEFAULT_MAX_STEPS,
    HISTOGRAMS_PLUGIN,
    Series,
    SeriesInfo,
    series_from_tables,
)
from tb_histdiag.reading.tensor_tables import iter_tables
from tb_histdiag.reading.transport import without_stalls

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
        ttl = listing_ttl_from_environment() if listing_ttl is None else listing_ttl
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


class RecordingReader(HistogramReader):
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
