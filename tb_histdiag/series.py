"""Reading histogram series through TensorBoard's data provider, into plain numpy arrays.

Everything the plugin and the CLI know about histograms comes through here, and only through a
``tensorboard.data.provider.DataProvider`` (the Python ``MultiplexerDataProvider`` or the Rust data
server's ``GrpcDataProvider``). The two providers hand out legacy histograms differently (float32 and
trimmed vs float64 with backwards outer buckets), so every step is normalised to one form before any
statistic sees it: float64 ``(left, right, count)`` rows, outer empty buckets dropped, the outer edges
kept, non-finite values detected before trimming.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

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
    a = np.asarray(raw, dtype=np.float64)
    if a.size % 3:
        # Not a [k, 3] table at all (a crafted event): keep the whole rows only.
        a = a.ravel()[: a.size - a.size % 3]
    a = a.reshape(-1, 3)
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
    """Build a :class:`Series` from per-step bucket tables (each ``[k, 3]``-shaped).

    Steps are sorted; when a step occurs more than once (the Python loader keeps re-logged and
    colliding steps) the last one written wins, as it does in TensorBoard's Rust loader.
    """
    normalised = [normalise_buckets(t) for t in tables]
    step_arr = np.asarray(steps, dtype=np.int64).reshape(-1)
    wall_arr = np.asarray(wall_times, dtype=np.float64).reshape(-1)
    if step_arr.size:
        # Keep the last occurrence of each step, in step order.
        rev_steps = step_arr[::-1]
        _, first_in_rev = np.unique(rev_steps, return_index=True)
        keep = (step_arr.size - 1 - first_in_rev).astype(np.int64)
    else:
        keep = np.zeros(0, dtype=np.int64)
    normalised = [normalised[i] for i in keep]
    step_arr, wall_arr = step_arr[keep], wall_arr[keep]

    nbuckets = np.array([t.shape[0] for t, _ in normalised], dtype=np.int64)
    width = max(1, int(nbuckets.max())) if nbuckets.size else 1
    count = len(normalised)
    left = np.zeros((count, width))
    right = np.zeros((count, width))
    counts = np.zeros((count, width))
    for i, (table, _) in enumerate(normalised):
        k = table.shape[0]
        left[i, :k], right[i, :k], counts[i, :k] = table[:, 0], table[:, 1], table[:, 2]
        pad = table[-1, 1] if k else 0.0
        left[i, k:] = pad
        right[i, k:] = pad
    nonfinite = np.array([bad for _, bad in normalised], dtype=bool)
    return Series(run, tag, step_arr, wall_arr, left, right, counts, nbuckets, nonfinite)


class HistogramReader:
    """Reads histogram series for one data provider.

    ``max_steps`` bounds how many steps per series are requested (``downsample``); it follows
    TensorBoard's ``--samples_per_plugin=histograms=N`` hint when given (0 means all).
    """

    def __init__(self, provider: object, sampling_hints: Mapping[str, int] | None = None):
        self.provider = provider
        self._provider = provider
        hint = (sampling_hints or {}).get(HISTOGRAMS_PLUGIN)
        self.max_steps = DEFAULT_MAX_STEPS if not hint else max(int(hint), DEFAULT_MAX_STEPS)

    def index(self, ctx: object, experiment_id: str) -> dict[str, dict[str, SeriesInfo]]:
        """Return ``{run: {tag: SeriesInfo}}`` for every histogram series, runs and tags sorted."""
        listing = self._provider.list_tensors(
            ctx, experiment_id=experiment_id, plugin_name=HISTOGRAMS_PLUGIN
        )
        return {
            run: {
                tag: SeriesInfo(run, tag, int(ts.max_step), float(ts.max_wall_time))
                for tag, ts in sorted(tags.items())
            }
            for run, tags in sorted(listing.items())
            if tags
        }

    def read(
        self, ctx: object, experiment_id: str, run: str, tags: Iterable[str]
    ) -> dict[str, Series]:
        """Read the given tags of one run in a single provider call.

        Tags the provider does not return (unknown, or vanished since the index was taken) are
        absent from the result.
        """
        from tensorboard.data import provider as tb_provider

        wanted = sorted(set(tags))
        if not wanted:
            return {}
        data = self._provider.read_tensors(
            ctx,
            experiment_id=experiment_id,
            plugin_name=HISTOGRAMS_PLUGIN,
            downsample=self.max_steps,
            run_tag_filter=tb_provider.RunTagFilter(runs=[run], tags=wanted),
        )
        result = {}
        for tag, datums in data.get(run, {}).items():
            if not datums:
                continue
            result[tag] = series_from_data(
                run,
                tag,
                [d.step for d in datums],
                [d.wall_time for d in datums],
                [d.numpy for d in datums],
            )
        return result


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
    not a validation or test loss; shorter names win ties.
    """
    candidates = [t for t in tags if "loss" in t.lower()]
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
    """Read one run's loss curve (``info`` from :func:`loss_tags`); None when it has no points."""
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
    return LossCurve(
        info.tag,
        np.array([p.step for p in points], dtype=np.int64),
        np.array([p.value for p in points], dtype=np.float64),
    )


def logdir_provider(logdir: str, max_steps: int = 0) -> object:
    """Build TensorBoard's Python data provider over ``logdir``, loaded synchronously.

    ``max_steps`` is the per-series reservoir size (0 keeps every step). Raises ``FileNotFoundError``
    or ``NotADirectoryError`` when ``logdir`` is not a readable local directory.
    """
    from tensorboard.backend.event_processing import data_provider, tag_types
    from tensorboard.backend.event_processing import plugin_event_multiplexer as multiplexer_lib

    if "://" not in logdir:
        if not os.path.exists(logdir):
            raise FileNotFoundError(f"logdir '{logdir}' does not exist")
        if not os.path.isdir(logdir):
            raise NotADirectoryError(f"logdir '{logdir}' is a file, not a directory")
    _use_fast_crc32c()
    multiplexer = multiplexer_lib.EventMultiplexer(
        size_guidance={
            tag_types.TENSORS: max_steps,
            tag_types.SCALARS: 1000,
            tag_types.IMAGES: 1,
            tag_types.AUDIO: 1,
        }
    )
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, logdir)
