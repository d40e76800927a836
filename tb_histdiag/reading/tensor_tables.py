"""Histogram data of one run as packed bucket tables: all steps of a series in one array.

TensorBoard's data providers hand out a histogram series as one ``TensorDatum`` per step, each
with its own numpy array. Through the Rust data server that array is built by
``tensor_util.make_ndarray`` from the step's ``TensorProto`` (~8 us per step), and the plugin then
concatenates the arrays again: for a PyTorch series of 200 steps that per-step work was more than
half of a cold diagnosis (measured in process on the bench logdir: read and compaction 8.5 ms,
of which the gRPC call itself is 3.6 ms).

:func:`iter_tables` asks the data server the same ``ReadTensors`` question the provider would ask,
then joins each series' raw ``tensor_content`` bytes into one buffer and views it as a float64
``[rows, 3]`` table with the number of rows of each step. Only answers that are plainly tables of
float32 or float64 ``tensor_content`` take this path; a series with anything else (half floats,
values in ``double_val``, a shape that is not whole rows) is converted step by step with
TensorBoard's own ``make_ndarray``, exactly as before. Providers other than TensorBoard's gRPC
client (the Python loader, anything unknown) are read through the public ``read_tensors``. Any gRPC
error is left to the public call, which reports it in TensorBoard's own terms.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Sequence

import numpy as np
from numpy.typing import NDArray

from tb_histdiag.reading.transport import is_grpc_provider

#: ``DataType`` numbers of the TensorProto dtypes read without TensorBoard's per-step conversion.
_PACKABLE_DTYPES = {1: np.dtype(np.float32), 2: np.dtype(np.float64)}  # DT_FLOAT, DT_DOUBLE


@dataclasses.dataclass(frozen=True, eq=False)
class Tables:
    """One series as logged: ``flat`` holds every step's ``(left, right, count)`` rows one after
    the other (float64, possibly read-only), ``lengths[i]`` of them for step ``steps[i]``.
    ``packed`` says whether it came straight from the data server's bytes."""

    steps: NDArray[np.int64]
    wall_times: NDArray[np.float64]
    flat: NDArray[np.float64]
    lengths: NDArray[np.int64]
    packed: bool = False


def as_table(raw: object) -> NDArray[np.float64]:
    """One step's buckets as a float64 ``[k, 3]`` array (whole rows only), without copying
    when it already is one."""
    a = np.asarray(raw, dtype=np.float64)
    if a.ndim == 2 and a.shape[1] == 3:
        return a
    if a.size % 3:
        a = a.ravel()[: a.size - a.size % 3]
    return a.reshape(-1, 3)


def tables_from_arrays(
    steps: Sequence[int], wall_times: Sequence[float], arrays: Sequence[object]
) -> Tables:
    """:class:`Tables` from one array (or nested list) per step."""
    rows = [as_table(a) for a in arrays]
    return Tables(
        np.asarray(steps, dtype=np.int64).reshape(-1),
        np.asarray(wall_times, dtype=np.float64).reshape(-1),
        np.concatenate(rows) if rows else np.zeros((0, 3)),
        np.fromiter((r.shape[0] for r in rows), dtype=np.int64, count=len(rows)),
    )


def iter_tables(
    provider: object,
    ctx: object,
    experiment_id: str,
    plugin_name: str,
    run: str,
    tags: Sequence[str],
    downsample: int,
    nudger: contextlib.AbstractContextManager | None = None,
) -> Iterator[tuple[str, Tables]]:
    """``(tag, Tables)`` for the given tags of one run, read in one provider call; tags without
    data are left out. Each series' tables are built only when the caller asks for the next one,
    so a caller that compacts them as they come holds one full-size series at a time.

    ``provider`` is TensorBoard's data provider itself (not a wrapper). ``nudger``, if given, is
    entered around the gRPC call: callers pass it for answers that may be small enough to stall
    (see :mod:`tb_histdiag.reading.transport`)."""
    if is_grpc_provider(provider) and hasattr(provider, "_stub"):
        answer = _read_grpc(provider, experiment_id, plugin_name, run, tags, downsample, nudger)
        if answer is not None:
            for tag, data in answer:
                tables = _tables_from_proto(data)
                if tables is not None:
                    yield tag, tables
            return
    from tensorboard.data import provider as tb_provider

    data = provider.read_tensors(
        ctx,
        experiment_id=experiment_id,
        plugin_name=plugin_name,
        downsample=downsample,
        run_tag_filter=tb_provider.RunTagFilter(runs=[run], tags=list(tags)),
    )
    for tag, datums in data.get(run, {}).items():
        if datums:
            yield (
                tag,
                tables_from_arrays(
                    [d.step for d in datums],
                    [d.wall_time for d in datums],
                    [d.numpy for d in datums],
                ),
            )


def _read_grpc(
    provider: object,
    experiment_id: str,
    plugin_name: str,
    run: str,
    tags: Sequence[str],
    downsample: int,
    nudger: contextlib.AbstractContextManager | None,
) -> list[tuple[str, object]] | None:
    """The data server's answer as ``[(tag, TensorData proto)]``, or None to use the public call."""
    try:
        import grpc
        from tensorboard.data.proto import data_provider_pb2
    except ImportError:
        return None
    request = data_provider_pb2.ReadTensorsRequest()
    request.experiment_id = experiment_id
    request.plugin_filter.plugin_name = plugin_name
    request.run_tag_filter.runs.names[:] = [run]
    request.run_tag_filter.tags.names[:] = sorted(tags)
    request.downsample.num_points = downsample
    try:
        with nudger if nudger is not None else contextlib.nullcontext():
            response = provider._stub.ReadTensors(request)
    except grpc.RpcError:
        return None  # the public call raises TensorBoard's translation of the error
    return [
        (tag_entry.tag_name, tag_entry.data)
        for run_entry in response.runs
        if run_entry.run_name == run
        for tag_entry in run_entry.tags
    ]


def _tables_from_proto(data: object) -> Tables | None:
    """One series of a ``ReadTensorsResponse`` as :class:`Tables` (None without any step)."""
    values = data.value
    count = len(values)
    if count == 0:
        return None
    steps = np.fromiter(data.step, dtype=np.int64, count=count)
    wall_times = np.fromiter(data.wall_time, dtype=np.float64, count=count)
    dtypes = {v.dtype for v in values}
    dtype = _PACKABLE_DTYPES.get(dtypes.pop()) if len(dtypes) == 1 else None
    if dtype is not None:
        contents = [v.tensor_content for v in values]
        row_bytes = 3 * dtype.itemsize
        sizes = np.fromiter(map(len, contents), dtype=np.int64, count=count)
        # An empty content may mean the values are in a repeated field: only a step that is
        # empty by shape too is really empty.
        empty_ok = all(
            any(d.size == 0 for d in values[i].tensor_shape.dim)
            for i in np.flatnonzero(sizes == 0).tolist()
        )
        if empty_ok and not (sizes % row_bytes).any():
            flat = np.frombuffer(b"".join(contents), dtype=dtype).reshape(-1, 3)
            return Tables(
                steps, wall_times, flat.astype(np.float64, copy=False), sizes // row_bytes, True
            )
    from tensorboard.util import tensor_util

    arrays = [tensor_util.make_ndarray(v) for v in values]
    return tables_from_arrays(steps, wall_times, arrays)
