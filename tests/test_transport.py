"""The workaround for the Rust data server's transport stall (``tb_histdiag/reading/transport.py``), on
a real data server: same answers, and tiny requests only while a call is in flight. How much it
saves is measured by ``make bench`` (the in-process table), not here."""

from __future__ import annotations

import threading
import time

import numpy as np
from tensorboard import context
from tensorboard.data import provider as tb_provider

from tb_histdiag.reading.reader import HistogramReader
from tb_histdiag.reading.transport import (
    NudgedProvider,
    Nudger,
    _may_stall,
    is_grpc_provider,
    without_stalls,
)
from tests.conftest import WRITER_RUNS, python_provider


class CountingRuns:
    """A real provider that counts its ``list_runs`` calls (the nudges)."""

    def __init__(self, provider: object):
        self.provider = provider
        self.list_runs_calls = 0
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> object:
        return getattr(self.provider, name)

    def list_runs(self, *args, **kwargs):
        with self._lock:
            self.list_runs_calls += 1
        return self.provider.list_runs(*args, **kwargs)


def test_only_the_grpc_provider_is_wrapped(writers_logdir, rust_provider_factory):
    python = python_provider(writers_logdir)
    assert not is_grpc_provider(python)
    assert without_stalls(python) is python
    rust = rust_provider_factory(writers_logdir, len(WRITER_RUNS))
    assert is_grpc_provider(rust)
    assert isinstance(without_stalls(rust), NudgedProvider)
    # Readers wrap it themselves.
    assert isinstance(HistogramReader(rust, listing_ttl=0).provider, NudgedProvider)


def test_nudged_calls_answer_exactly_what_the_provider_answers(
    writers_logdir, rust_provider_factory
):
    rust = rust_provider_factory(writers_logdir, len(WRITER_RUNS))
    nudged = without_stalls(rust)
    ctx = context.RequestContext()
    plain_listing = rust.list_tensors(ctx, experiment_id="", plugin_name="histograms")
    nudged_listing = nudged.list_tensors(ctx, experiment_id="", plugin_name="histograms")
    assert {r: sorted(t) for r, t in plain_listing.items()} == {
        r: sorted(t) for r, t in nudged_listing.items()
    }
    run = sorted(plain_listing)[0]
    flt = tb_provider.RunTagFilter(runs=[run])
    plain = rust.read_tensors(
        ctx, experiment_id="", plugin_name="histograms", downsample=100, run_tag_filter=flt
    )[run]
    got = nudged.read_tensors(
        ctx, experiment_id="", plugin_name="histograms", downsample=100, run_tag_filter=flt
    )[run]
    assert sorted(plain) == sorted(got)
    for tag, datums in plain.items():
        assert [d.step for d in datums] == [d.step for d in got[tag]]
        for a, b in zip(datums, got[tag]):
            np.testing.assert_array_equal(a.numpy, b.numpy)


def test_nudges_are_sent_while_a_call_is_in_flight_and_never_when_idle(
    writers_logdir, rust_provider_factory
):
    counting = CountingRuns(rust_provider_factory(writers_logdir, len(WRITER_RUNS)))
    nudger = Nudger(counting)
    with nudger:
        time.sleep(0.1)  # a slow call: about 20 nudge intervals
    during = counting.list_runs_calls
    assert during >= 2
    time.sleep(0.1)  # idle
    assert counting.list_runs_calls - during <= 1  # at most one nudge that was under way
    idle = counting.list_runs_calls
    time.sleep(0.1)
    assert counting.list_runs_calls == idle
    # A fast call is not nudged at all.
    with nudger:
        pass
    time.sleep(0.05)
    assert counting.list_runs_calls == idle


def test_only_calls_of_the_stalling_size_are_nudged():
    one = tb_provider.RunTagFilter(runs=["run"], tags=["fc1.weight"])
    chunk = tb_provider.RunTagFilter(runs=["run"], tags=["a", "b", "c"])
    assert _may_stall("list_tensors", {})
    assert _may_stall("read_scalars", {"run_tag_filter": chunk})
    assert _may_stall("read_tensors", {"run_tag_filter": one})
    assert not _may_stall("read_tensors", {"run_tag_filter": chunk})
    assert not _may_stall("read_tensors", {})  # everything at once: megabytes
