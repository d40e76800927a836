"""Reading series as packed tables from TensorBoard's Rust data server gives exactly what the public
``read_tensors`` path gives, for real writers and for tensors only the slow path can decode."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from tensorboard import context
from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2
from tensorboard.plugins.histogram import metadata
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from tensorboard.util import tensor_util

from tb_histdiag.reading.reader import HistogramReader
from tb_histdiag.reading.series import series_from_data
from tb_histdiag.reading.tensor_tables import iter_tables
from tests.conftest import STEPS, TAGS, WRITER_RUNS

EDGES = np.linspace(-1.0, 1.0, 9)


def _table(step: int) -> np.ndarray:
    return np.stack([EDGES[:-1], EDGES[1:], np.arange(8.0) + step], axis=1)


def _double_val(table: np.ndarray) -> tensor_pb2.TensorProto:
    """A float64 tensor with its values in ``double_val`` (no ``tensor_content``)."""
    return tensor_pb2.TensorProto(
        dtype=types_pb2.DT_DOUBLE,
        tensor_shape=tensor_shape_pb2.TensorShapeProto(
            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=n) for n in table.shape]
        ),
        double_val=table.ravel().tolist(),
    )


#: Tags of the ``odd`` run: how each step's tensor is encoded, and whether reading it may skip
#: TensorBoard's per-step conversion.
ODD = {
    "float32": (lambda s: tensor_util.make_tensor_proto(_table(s).astype(np.float32)), True),
    "float64": (lambda s: tensor_util.make_tensor_proto(_table(s)), True),
    "empty_some_steps": (
        lambda s: tensor_util.make_tensor_proto(_table(s) if s % 2 else np.zeros((0, 3))),
        True,
    ),
    "float16": (lambda s: tensor_util.make_tensor_proto(_table(s).astype(np.float16)), False),
    "double_val": (lambda s: _double_val(_table(s)), False),
    "mixed_dtypes": (
        lambda s: tensor_util.make_tensor_proto(
            _table(s).astype(np.float32 if s % 2 else np.float64)
        ),
        False,
    ),
    "five_values": (lambda s: tensor_util.make_tensor_proto(np.arange(5.0) + s), False),
    "wide_rows": (lambda s: tensor_util.make_tensor_proto(np.arange(12.0).reshape(3, 4)), True),
}


def _write_odd(run_dir: str) -> None:
    w = EventFileWriter(run_dir)
    for step in range(STEPS):
        for tag, (make, _) in ODD.items():
            md = metadata.create_summary_metadata(display_name=tag, description="")
            value = summary_pb2.Summary.Value(tag=tag, metadata=md, tensor=make(step))
            summary = summary_pb2.Summary(value=[value])
            w.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step, summary=summary))
    w.close()


@pytest.fixture(scope="module")
def provider(writers_logdir, tmp_path_factory, rust_provider_factory):
    logdir = str(tmp_path_factory.mktemp("tables"))
    shutil.copytree(writers_logdir, logdir, dirs_exist_ok=True)
    _write_odd(os.path.join(logdir, "odd"))
    return rust_provider_factory(logdir, len(WRITER_RUNS) + 1)


def _public(provider, run: str, tags: list[str]) -> dict:
    from tensorboard.data import provider as tb_provider

    data = provider.read_tensors(
        context.RequestContext(),
        experiment_id="",
        plugin_name="histograms",
        downsample=10_000,
        run_tag_filter=tb_provider.RunTagFilter(runs=[run], tags=tags),
    )
    return {
        tag: series_from_data(
            run, tag, [d.step for d in ds], [d.wall_time for d in ds], [d.numpy for d in ds]
        )
        for tag, ds in data.get(run, {}).items()
        if ds
    }


def read_tables(provider, ctx, experiment, plugin, run, tags, downsample) -> dict:
    return dict(iter_tables(provider, ctx, experiment, plugin, run, tags, downsample))


def _assert_same(a, b) -> None:
    for field in ("steps", "wall_times", "left", "right", "counts", "nbuckets", "nonfinite"):
        assert np.array_equal(getattr(a, field), getattr(b, field), equal_nan=True), field


def _cases() -> list[tuple[str, list[str]]]:
    return [(run, list(TAGS)) for run in WRITER_RUNS] + [("odd", sorted(ODD))]


@pytest.mark.parametrize(("run", "tags"), _cases())
def test_packed_read_equals_the_public_path(provider, run, tags):
    from tb_histdiag.reading.series import series_from_tables

    ctx = context.RequestContext()
    expected = _public(provider, run, tags)
    assert set(expected) == set(tags)
    # All tags in one call (a chunk) and each alone (a one-series request).
    chunk = read_tables(provider, ctx, "", "histograms", run, tags, 10_000)
    for tag in tags:
        alone = read_tables(provider, ctx, "", "histograms", run, [tag], 10_000)
        for tables in (chunk[tag], alone[tag]):
            _assert_same(series_from_tables(run, tag, tables), expected[tag])
        if run == "odd":
            assert chunk[tag].packed is ODD[tag][1], tag
        else:
            assert chunk[tag].packed, (run, tag)


def test_the_reader_never_converts_tensors_step_by_step(provider, monkeypatch):
    """Through the Rust data server, the writers' series are read without ``make_ndarray``."""
    ctx = context.RequestContext()
    expected = {run: _public(provider, run, list(TAGS)) for run in WRITER_RUNS}

    def refuse(_tensor):
        raise AssertionError("a per-step conversion")

    monkeypatch.setattr(tensor_util, "make_ndarray", refuse)
    reader = HistogramReader(provider, {"histograms": 0}, listing_ttl=0)
    for run in WRITER_RUNS:
        got = reader.read(ctx, "", run, TAGS)
        assert set(got) == set(TAGS)
        for tag in TAGS:
            _assert_same(got[tag], expected[run][tag])


def test_unknown_names_read_nothing(provider):
    ctx = context.RequestContext()
    assert read_tables(provider, ctx, "", "histograms", "no_such_run", ["fc1.weight"], 100) == {}
    got = read_tables(provider, ctx, "", "histograms", "torch", ["fc1.weight", "nope"], 100)
    assert set(got) == {"fc1.weight"}


def test_other_providers_go_through_read_tensors(writers_logdir):
    """The Python loader has no gRPC stub: the public call answers, with the same tables."""
    from tests.conftest import python_provider

    p = python_provider(writers_logdir)
    ctx = context.RequestContext()
    got = read_tables(p, ctx, "", "histograms", "tf2", list(TAGS), 10_000)
    expected = _public(p, "tf2", list(TAGS))
    from tb_histdiag.reading.series import series_from_tables

    for tag in TAGS:
        assert not got[tag].packed
        _assert_same(series_from_tables("tf2", tag, got[tag]), expected[tag])
