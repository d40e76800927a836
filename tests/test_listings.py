"""How the plugin lists and reads TensorBoard's data: listing reuse, fresh single-series keys,
and chunked reads overlapped with the statistics. TensorBoard's real Python data provider over
real event files, observed through a thin wrapper that records (or, once, fails) its calls."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
from tensorboard import context
from tensorboard.backend.event_processing import data_provider, tag_types
from tensorboard.backend.event_processing import plugin_event_multiplexer as multiplexer_lib
from tensorboard.plugins import base_plugin

from tb_histdiag.engine.diagnosis import Diagnoser
from tb_histdiag.plugin import HistDiagPlugin
from tb_histdiag.reading import reader as reader_lib
from tb_histdiag.reading.listing import CachedListings
from tb_histdiag.reading.reader import HistogramReader
from tests.conftest import TAGS, python_provider, write_tf2


class Recorder:
    """Passes every call to a real data provider and records the listing and read calls as
    ``(method, runs, tags)``; ``fail_read`` makes one read of a given tag raise."""

    def __init__(self, provider: object):
        self.provider = provider
        self.calls: list[tuple[str, tuple | None, tuple | None]] = []
        self.fail_read: str | None = None
        #: While cleared, listings wait for it (a slow provider).
        self.gate = threading.Event()
        self.gate.set()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> object:
        attr = getattr(self.provider, name)
        if name not in ("list_tensors", "read_tensors", "list_scalars", "read_scalars"):
            return attr

        def call(*args, **kwargs):
            flt = kwargs.get("run_tag_filter")
            runs = None if flt is None or flt.runs is None else tuple(sorted(flt.runs))
            tags = None if flt is None or flt.tags is None else tuple(sorted(flt.tags))
            with self._lock:
                self.calls.append((name, runs, tags))
            if name.startswith("list_"):
                assert self.gate.wait(30)
            failing = self.fail_read
            if name == "read_tensors" and failing is not None and failing in (tags or ()):
                raise RuntimeError(f"injected read failure for {failing}")
            return attr(*args, **kwargs)

        return call

    def count(self, method: str, runs=..., tags=...) -> int:
        with self._lock:
            return sum(
                1
                for m, r, t in self.calls
                if m == method and (runs is ... or r == runs) and (tags is ... or t == tags)
            )


def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_listing_is_reused_within_the_ttl_and_listed_again_after_it(writers_logdir):
    recorder = Recorder(python_provider(writers_logdir))
    cached = CachedListings(recorder, ttl=0.2)
    ctx = context.RequestContext()
    first = cached.list_tensors(ctx, experiment_id="", plugin_name="histograms")
    again = cached.list_tensors(ctx, experiment_id="", plugin_name="histograms")
    assert again is first
    assert recorder.count("list_tensors") == 1
    time.sleep(0.25)
    later = cached.list_tensors(ctx, experiment_id="", plugin_name="histograms")
    assert recorder.count("list_tensors") == 2
    assert later is not first
    assert set(later) == set(first)


def test_a_stale_listing_answers_at_once_and_is_refreshed_once_in_the_background(
    writers_logdir,
):
    recorder = Recorder(python_provider(writers_logdir))
    cached = CachedListings(recorder, ttl=0.1)
    ctx = context.RequestContext()
    first, fresh = cached.listing("list_tensors", ctx, "", "histograms")
    assert fresh
    time.sleep(0.15)
    # The provider is slow now. Callers that accept a stale listing get the old one without
    # waiting, and only one refresh is under way for all of them.
    recorder.gate.clear()
    answers = [
        cached.listing("list_tensors", ctx, "", "histograms", max_stale=60.0) for _ in range(20)
    ]
    assert all(listing is first and not is_fresh for listing, is_fresh in answers)
    wait_until(lambda: recorder.count("list_tensors") == 2)
    recorder.gate.set()
    wait_until(lambda: cached.listing("list_tensors", ctx, "", "histograms", max_stale=60.0)[1])
    assert recorder.count("list_tensors") == 2
    # A caller that needs a fresh listing never gets a stale one.
    time.sleep(0.15)
    listing, fresh = cached.listing("list_tensors", ctx, "", "histograms")
    assert fresh
    assert listing is not first
    assert recorder.count("list_tensors") == 3


def _live_logdir(tmp_path) -> tuple[str, multiplexer_lib.EventMultiplexer, object]:
    logdir = str(tmp_path)
    write_tf2(os.path.join(logdir, "run"))
    multiplexer = multiplexer_lib.EventMultiplexer(size_guidance={tag_types.TENSORS: 0})
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    return logdir, multiplexer, data_provider.MultiplexerDataProvider(multiplexer, logdir)


def _append_steps(logdir: str, steps: range) -> None:
    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.histogram.summary_v2 import histogram_pb
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(os.path.join(logdir, "run"), filename_suffix=".more")
    for step in steps:
        values = np.random.default_rng(step).normal(0, 1, 100)
        w.add_event(
            event_pb2.Event(
                step=step, wall_time=1.8e9 + step, summary=histogram_pb("fc1.weight", values)
            )
        )
    w.close()


def test_one_series_request_lists_only_that_series_and_sees_its_new_steps(tmp_path, monkeypatch):
    monkeypatch.setenv("TB_HISTDIAG_LISTING_TTL", "0.1")
    logdir, multiplexer, provider = _live_logdir(tmp_path)
    recorder = Recorder(provider)
    plugin = HistDiagPlugin(base_plugin.TBContext(data_provider=recorder, logdir=logdir))
    ctx = context.RequestContext()

    whole = plugin.diagnostics_impl(ctx, "", "run")
    assert {t["tag"]: t["last_step"] for t in whole["runs"][0]["tags"]}["fc1.weight"] == 9
    full_listings = recorder.count("list_tensors", runs=None)

    _append_steps(logdir, range(10, 15))
    multiplexer.Reload()
    time.sleep(0.15)  # the run's listing is now older than the TTL

    one = plugin.diagnostics_impl(ctx, "", "run", "fc1.weight")
    (tag,) = one["runs"][0]["tags"]
    assert (tag["tag"], tag["last_step"], tag["steps"]) == ("fc1.weight", 14, 15)
    # The request listed that one series; the full listing is refreshed in the background.
    assert recorder.count("list_tensors", runs=("run",), tags=("fc1.weight",)) == 1
    wait_until(lambda: recorder.count("list_tensors", runs=None) == full_listings + 1)
    # Chart data of the same series is fresh too.
    chart = plugin.series_impl(ctx, "", "run", "fc1.weight")
    assert chart["steps"][-1] == 14


def test_unknown_tag_in_a_stale_listing_is_looked_up_afresh_before_a_404(tmp_path, monkeypatch):
    from tb_histdiag.plugin import RequestError

    monkeypatch.setenv("TB_HISTDIAG_LISTING_TTL", "0.1")
    logdir, multiplexer, provider = _live_logdir(tmp_path)
    plugin = HistDiagPlugin(base_plugin.TBContext(data_provider=provider, logdir=logdir))
    ctx = context.RequestContext()
    plugin.diagnostics_impl(ctx, "", "run")

    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.histogram.summary_v2 import histogram_pb
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(os.path.join(logdir, "run"), filename_suffix=".new")
    for step in range(3):
        values = np.random.default_rng(step).normal(0, 1, 50)
        w.add_event(event_pb2.Event(step=step, summary=histogram_pb("fc2.weight", values)))
    w.close()
    multiplexer.Reload()
    time.sleep(0.15)
    result = plugin.diagnostics_impl(ctx, "", "run", "fc2.weight")
    assert [t["tag"] for t in result["runs"][0]["tags"]] == ["fc2.weight"]
    with pytest.raises(RequestError) as e:
        plugin.diagnostics_impl(ctx, "", "run", "fc3.weight")
    assert e.value.code == 404


def test_chunked_reads_overlapped_with_the_statistics_give_what_one_read_gives(
    writers_logdir, monkeypatch
):
    monkeypatch.setattr(reader_lib, "FIRST_CHUNK_TAGS", 2)
    monkeypatch.setattr(reader_lib, "MAX_CHUNK_TAGS", 2)  # several chunks per run
    ctx = context.RequestContext()
    provider = python_provider(writers_logdir)
    recorder = Recorder(provider)
    chunked = Diagnoser(HistogramReader(recorder)).diagnose(ctx, "")
    reads = recorder.count("read_tensors")
    assert reads == len(chunked.runs) * -(-len(TAGS) // 2)

    monkeypatch.setattr(reader_lib, "FIRST_CHUNK_TAGS", 100)
    monkeypatch.setattr(reader_lib, "MAX_CHUNK_TAGS", 100)
    whole = Diagnoser(HistogramReader(provider)).diagnose(ctx, "")
    assert chunked.to_dict() == whole.to_dict()


def test_chunks_are_sized_by_what_the_runs_tables_took_so_far(writers_logdir, monkeypatch):
    ctx = context.RequestContext()
    provider = python_provider(writers_logdir)
    run = sorted(HistogramReader(provider).index(ctx, ""))[0]

    def tags_per_call(chunk_bytes: int) -> list[int]:
        monkeypatch.setattr(reader_lib, "READ_CHUNK_BYTES", chunk_bytes)
        recorder = Recorder(provider)
        read = HistogramReader(recorder).read(ctx, "", run, TAGS)
        assert sorted(read) == sorted(TAGS)
        return [len(tags) for m, _, tags in recorder.calls if m == "read_tensors"]

    # The first chunk is FIRST_CHUNK_TAGS tags; later ones hold READ_CHUNK_BYTES worth.
    assert tags_per_call(1) == [2, 1, 1, 1]
    assert tags_per_call(1 << 40) == [2, 3]


def test_chunk_size_rule():
    assert reader_lib.chunk_tags(None) == reader_lib.FIRST_CHUNK_TAGS
    assert reader_lib.chunk_tags(3e6) == 2  # a PyTorch series of 200 steps
    assert reader_lib.chunk_tags(150e3) == reader_lib.MAX_CHUNK_TAGS  # a TF2 one
    assert reader_lib.chunk_tags(1e12) == 1
    assert reader_lib.chunk_tags(0.0) == reader_lib.MAX_CHUNK_TAGS


def test_a_failing_chunk_read_fails_the_diagnosis_and_caches_nothing_wrong(
    writers_logdir, monkeypatch
):
    monkeypatch.setattr(reader_lib, "FIRST_CHUNK_TAGS", 2)
    monkeypatch.setattr(reader_lib, "MAX_CHUNK_TAGS", 2)
    ctx = context.RequestContext()
    recorder = Recorder(python_provider(writers_logdir))
    recorder.fail_read = sorted(TAGS)[-1]  # the last chunk, read in the background thread
    diagnoser = Diagnoser(HistogramReader(recorder))
    run = sorted(diagnoser.reader.index(ctx, ""))[0]
    infos = diagnoser.reader.index(ctx, "")[run]
    with pytest.raises(RuntimeError, match="injected read failure"):
        diagnoser.diagnose_run(ctx, "", run, infos)
    assert diagnoser.computed < len(TAGS)
    recorder.fail_read = None
    result = diagnoser.diagnose_run(ctx, "", run, infos)
    assert sorted(t.tag for t in result.tags) == sorted(TAGS)
    assert diagnoser.computed == len(TAGS)


def test_a_run_read_in_chunks_gives_the_freed_memory_back_once(writers_logdir, monkeypatch):
    from tb_histdiag.reading.memory import release_free_memory

    assert isinstance(release_free_memory(), bool)  # False only where there is no glibc
    trims: list[int] = []
    monkeypatch.setattr(reader_lib, "release_free_memory", lambda: trims.append(1) or True)
    monkeypatch.setattr(reader_lib, "FIRST_CHUNK_TAGS", 2)
    monkeypatch.setattr(reader_lib, "MAX_CHUNK_TAGS", 2)
    reader = HistogramReader(python_provider(writers_logdir))
    ctx = context.RequestContext()
    run = sorted(reader.index(ctx, ""))[0]
    assert len(reader.read(ctx, "", run, TAGS)) == len(TAGS)
    assert trims == [1]
    reader.read(ctx, "", run, TAGS[:1])  # one small read: nothing to give back
    assert trims == [1]


def test_runs_asked_about_one_by_one_share_one_loss_listing(scenario_logdir, monkeypatch):
    """With listings reused, requests about different runs look their loss scalar up in one
    listing of all runs (not one listing per run), and each run still gets its own loss."""
    monkeypatch.setenv("TB_HISTDIAG_LISTING_TTL", "60")
    recorder = Recorder(python_provider(scenario_logdir))
    plugin = HistDiagPlugin(base_plugin.TBContext(data_provider=recorder, logdir=scenario_logdir))
    ctx = context.RequestContext()
    runs = plugin.runs_impl(ctx, "")["runs"]
    picked = [r for r in runs if r["run"].startswith(("dead_relu", "healthy", "saturated_tanh"))]
    assert len(picked) >= 3
    one_by_one = {}
    for i, r in enumerate(picked):
        tag = r["tags"][0]["tag"] if i % 2 else None  # one series, or the whole run
        (doc,) = plugin.diagnostics_impl(ctx, "", r["run"], tag)["runs"]
        one_by_one[r["run"]] = doc["loss"]
    assert recorder.count("list_scalars") == 1
    assert recorder.count("list_scalars", runs=None) == 1
    whole = {d["run"]: d["loss"] for d in plugin.diagnostics_impl(ctx, "")["runs"]}
    assert all(loss is not None for loss in one_by_one.values())
    assert one_by_one == {run: whole[run] for run in one_by_one}
    assert recorder.count("list_scalars") == 1  # the whole experiment reused it too


def test_without_listing_reuse_a_run_lists_only_its_own_loss(scenario_logdir, monkeypatch):
    monkeypatch.setenv("TB_HISTDIAG_LISTING_TTL", "0")
    recorder = Recorder(python_provider(scenario_logdir))
    plugin = HistDiagPlugin(base_plugin.TBContext(data_provider=recorder, logdir=scenario_logdir))
    ctx = context.RequestContext()
    run = next(
        r["run"] for r in plugin.runs_impl(ctx, "")["runs"] if r["run"].startswith("healthy")
    )
    (doc,) = plugin.diagnostics_impl(ctx, "", run)["runs"]
    assert doc["loss"] is not None
    assert recorder.count("list_scalars", runs=(run,)) == 1
    assert recorder.count("list_scalars", runs=None) == 0
