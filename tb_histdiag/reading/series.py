"""A histogram series as plain numpy arrays, and the one normalisation every step goes through.

Everything the plugin and the CLI know about histograms comes through a
``tensorboard.data.provider.DataProvider`` (the Python ``MultiplexerDataProvider`` or the Rust data
server's ``GrpcDataProvider``; read by :mod:`tb_histdiag.reading.reader`). The two providers hand
out legacy histograms differently (float32 and trimmed vs float64 with backwards outer buckets), so
every step is normalised here to one form before any statistic sees it: float64
``(left, right, count)`` rows, outer empty buckets dropped, the outer edges kept, non-finite values
detected before trimming.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from tb_histdiag.reading.rewrites import latest_writes, restart_steps
from tb_histdiag.reading.tensor_tables import Tables, as_table, tables_from_arrays

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
    #: The steps at which the series was written again from an earlier step (a ``fit`` re-run
    #: into the same run directory: ``(0,)``), in order; the arrays hold what the latest writing
    #: left standing (:mod:`tb_histdiag.reading.rewrites`). Empty when the steps never go back.
    restarts: tuple[int, ...] = ()
    #: The wall time of the first record of the latest writing (None: never written again).
    restarted_at: float | None = None

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


def _rows(tables: Tables, keep: NDArray[np.intp]) -> Tables:
    """``tables`` with only the entries ``keep`` (indices in order)."""
    if keep.size == tables.steps.size:
        return tables
    lengths = tables.lengths[keep]
    starts = np.cumsum(tables.lengths) - tables.lengths
    new_starts = np.cumsum(lengths) - lengths
    rows = np.repeat(starts[keep] - new_starts, lengths) + np.arange(int(lengths.sum()))
    return Tables(
        steps=tables.steps[keep],
        wall_times=tables.wall_times[keep],
        flat=tables.flat[rows],
        lengths=lengths,
        packed=tables.packed,
    )


def series_from_tables(run: str, tag: str, tables: Tables) -> Series:
    """Build a :class:`Series` from one series' packed bucket tables.

    Only what the latest writing left standing is kept, each step once and in step order, as
    TensorBoard's Rust loader keeps it (:mod:`~tb_histdiag.reading.rewrites`: a re-run ``fit``
    is judged on its own); tensors that share the tag at every step are recognised on the
    latest writing (:func:`shared_tensor_sizes`). Each step is normalised as
    :func:`normalise_buckets` does, and empty buckets *inside* the support are dropped too: they
    carry no mass, and PyTorch's fixed bins leave most of its ~600 buckets empty, so every
    statistic downstream works on arrays 3-4x narrower. Buckets with a negative or NaN count are
    kept (the statistics must see them). All steps are normalised at once on the packed rows (a
    per-step loop cost more than the statistics themselves).
    """
    restarts = restart_steps(tables.steps)
    restarted_at = None
    if restarts:
        last_restart = int(np.flatnonzero(tables.steps[1:] < tables.steps[:-1])[-1]) + 1
        restarted_at = float(tables.wall_times[last_restart])
        shared = shared_tensor_sizes(_rows(tables, np.arange(last_restart, tables.steps.size)))
    else:
        shared = shared_tensor_sizes(tables)
    tables = _rows(tables, latest_writes(tables.steps))
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
    return Series(
        run,
        tag,
        step_arr,
        wall_arr,
        left,
        right,
        counts,
        nbuckets,
        nonfinite,
        shared,
        restarts,
        restarted_at,
    )
