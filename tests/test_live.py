"""A live logdir: a writer appends and new runs appear while a real TensorBoard serves the tab."""

from __future__ import annotations

import json
import os
import time

import numpy as np
from tensorboard.compat.proto import event_pb2
from tensorboard.plugins.histogram.summary_v2 import histogram_pb
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from tests.conftest import TensorBoardProcess

PREFIX = "/data/plugin/tb_histdiag"


def write_steps(writer: EventFileWriter, steps: range, frozen: bool) -> None:
    for step in steps:
        rng = np.random.default_rng(0 if frozen else step)
        values = rng.normal(0.0, 1.0, 500)
        summary = histogram_pb("fc1.weight", values)
        writer.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step, summary=summary))
    writer.flush()


def tag_of(tb: TensorBoardProcess, run: str) -> dict | None:
    status, body = tb.get(f"{PREFIX}/diagnostics?run={run}")
    assert status in (200, 404), body  # 404 only before the run has loaded
    if status == 404:
        return None
    return json.loads(body)["runs"][0]["tags"][0]


def test_verdicts_follow_the_data_as_it_arrives(tmp_path):
    logdir = str(tmp_path)
    writer = EventFileWriter(os.path.join(logdir, "live"))
    write_steps(writer, range(0, 5), frozen=True)
    tb = TensorBoardProcess(logdir, "--samples_per_plugin=histograms=0")
    try:
        tb.wait_for_runs(1)
        tag = tag_of(tb, "live")
        assert tag["last_step"] == 4
        assert [v["id"] for v in tag["verdicts"]] == ["frozen"]

        # Training resumes: the weights start to move. The cached "frozen" must not survive.
        write_steps(writer, range(5, 15), frozen=False)
        new_writer = EventFileWriter(os.path.join(logdir, "second"))
        write_steps(new_writer, range(0, 5), frozen=False)
        deadline = time.monotonic() + 60
        seen_steps = []
        while time.monotonic() < deadline:
            tag = tag_of(tb, "live")
            seen_steps.append(tag["last_step"])
            second = tag_of(tb, "second")
            if tag["last_step"] == 14 and second is not None:
                break
            tb.wait_a_moment()
        assert seen_steps == sorted(seen_steps)  # never an older result after a newer one
        assert tag["last_step"] == 14
        assert "frozen" not in [v["id"] for v in tag["verdicts"]]
        assert second["last_step"] == 4
    finally:
        writer.close()
        tb.stop()
