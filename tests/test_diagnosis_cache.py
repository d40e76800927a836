"""The engine's cache: computed once under concurrency, bounded, never older than the data."""

from __future__ import annotations

import os
import threading

from tensorboard import context

from tb_histdiag.engine.diagnosis import Diagnoser
from tb_histdiag.reading.reader import HistogramReader
from tests.conftest import TAGS, WRITER_RUNS, python_provider, write_tf2


def test_concurrent_requests_compute_each_series_once(writers_logdir):
    diagnoser = Diagnoser(HistogramReader(python_provider(writers_logdir)))
    ctx = context.RequestContext()
    barrier = threading.Barrier(16)
    errors: list[BaseException] = []

    def request() -> None:
        try:
            barrier.wait()
            result = diagnoser.diagnose(ctx, "")
            assert len(result.runs) == len(WRITER_RUNS)
        except BaseException as e:  # collected and re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=request) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert diagnoser.computed == len(WRITER_RUNS) * len(TAGS)
    diagnoser.diagnose(ctx, "")  # warm: nothing new
    assert diagnoser.computed == len(WRITER_RUNS) * len(TAGS)


def test_cache_is_bounded(writers_logdir):
    diagnoser = Diagnoser(HistogramReader(python_provider(writers_logdir)), cache_size=4)
    diagnoser.diagnose(context.RequestContext(), "")
    assert diagnoser.cache_entries() == 4


def test_new_data_is_diagnosed_not_served_from_the_cache(tmp_path):
    from tensorboard.backend.event_processing import data_provider, tag_types
    from tensorboard.backend.event_processing import plugin_event_multiplexer as multiplexer_lib

    logdir = str(tmp_path)
    write_tf2(os.path.join(logdir, "run"))
    multiplexer = multiplexer_lib.EventMultiplexer(size_guidance={tag_types.TENSORS: 0})
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, logdir)
    diagnoser = Diagnoser(HistogramReader(provider))
    ctx = context.RequestContext()
    before = diagnoser.diagnose(ctx, "").runs[0]
    assert {t.tag: t.last_step for t in before.tags}["fc1.weight"] == 9

    # The writer appends 5 more steps in a new event file; TensorBoard reloads.
    import numpy as np
    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.histogram.summary_v2 import histogram_pb
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(os.path.join(logdir, "run"), filename_suffix=".more")
    for step in range(10, 15):
        values = np.random.default_rng(step).normal(0, 1, 100)
        w.add_event(
            event_pb2.Event(
                step=step, wall_time=1.8e9 + step, summary=histogram_pb("fc1.weight", values)
            )
        )
    w.close()
    multiplexer.Reload()
    after = diagnoser.diagnose(ctx, "").runs[0]
    tag = {t.tag: t for t in after.tags}["fc1.weight"]
    assert tag.last_step == 14
    assert tag.steps == 15
