"""The watcher on live logdirs: findings appear once, resolve, and survive what live files do.

Every logdir here is written by TensorBoard's own TF2-format writer (``histogram_pb`` and
``EventFileWriter``), flushed between polls as a training script flushes between steps.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from tensorboard.compat.proto import event_pb2
from tensorboard.plugins.histogram.summary_v2 import histogram_pb
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from tb_histdiag.watch import Finding, Watcher


def values(kind: str, step: int) -> np.ndarray:
    """What a tag logs at ``step``: ``moving`` weights that drift and widen, ``frozen`` ones
    that never change, ``nan`` ones with a few NaN and Inf values, ``const`` all equal."""
    rng = np.random.default_rng(100 + step)
    if kind == "moving":
        return rng.normal(0.05 * step, 0.1 * (1 + 0.1 * step), 1000)
    if kind == "frozen":
        return np.random.default_rng(7).normal(0.0, 0.1, 1000)
    if kind == "nan":
        x = rng.normal(0.0, 0.1, 1000)
        x[:3] = [np.nan, np.inf, -np.inf]
        return x
    if kind == "const":
        return np.full(256, 0.5)
    raise KeyError(kind)


class Run:
    """A run directory written step by step by a real writer, flushed after each call."""

    def __init__(self, logdir, name: str):
        self.dir = os.path.join(str(logdir), name)
        self.writer = EventFileWriter(self.dir)

    def write(self, steps, **kinds: str) -> None:
        """Log each tag (``fc1_weight="moving"``: tag ``fc1.weight``) at each step."""
        for step in steps:
            for tag, kind in kinds.items():
                summary = histogram_pb(tag.replace("_", "."), values(kind, step))
                self.writer.add_event(
                    event_pb2.Event(step=step, wall_time=1.7e9 + step, summary=summary)
                )
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


def ids(findings: list[Finding], event: str = "new") -> set[tuple[str, str, str]]:
    return {(f.run, f.name, f.id) for f in findings if f.event == event}


def test_existing_findings_first_then_nothing_twice(tmp_path):
    run = Run(tmp_path, "a")
    run.write(range(10), fc1_weight="moving", fc2_weight="const")
    watcher = Watcher(tmp_path)
    first = watcher.poll()
    assert ("a", "fc2.weight", "constant") in ids(first)
    assert all(f.event == "new" for f in first)
    assert watcher.status.series == 2
    assert watcher.status.last_step == 9
    # Nothing new on disk: nothing reported, nothing judged again.
    assert watcher.poll() == []
    assert watcher.status.diagnosed_series == 0
    # More of the same: still no finding reported twice.
    run.write(range(10, 15), fc1_weight="moving", fc2_weight="const")
    assert watcher.poll() == []
    assert watcher.status.last_step == 14
    run.close()


def test_a_poll_judges_only_the_series_with_new_steps(tmp_path):
    a, b = Run(tmp_path, "a"), Run(tmp_path, "b")
    for run in (a, b):
        run.write(range(10), fc1_weight="moving", fc2_weight="moving", fc3_weight="moving")
    watcher = Watcher(tmp_path)
    watcher.poll()
    assert watcher.status.diagnosed_series == 6
    a.write(range(10, 12), fc2_weight="moving")  # one series of one run gets new steps
    watcher.poll()
    assert watcher.status.diagnosed_series == 1
    a.close()
    b.close()


def test_a_run_that_turns_nan_is_reported_once_with_its_first_bad_step(tmp_path):
    run = Run(tmp_path, "train")
    run.write(range(20), fc1_weight="moving")
    watcher = Watcher(tmp_path, min_severity="warning")
    assert [f for f in watcher.poll() if f.severity == "critical"] == []
    run.write(range(20, 25), fc1_weight="nan")
    found = watcher.poll()
    nan = [f for f in found if f.id == "nonfinite"]
    assert len(nan) == 1
    assert (nan[0].event, nan[0].severity, nan[0].name, nan[0].first_step) == (
        "new",
        "critical",
        "fc1.weight",
        20,
    )
    assert nan[0].to_dict()["first_step"] == 20
    run.write(range(25, 30), fc1_weight="nan")
    assert [f for f in watcher.poll() if f.id == "nonfinite"] == []
    run.close()


def test_a_verdict_that_goes_away_is_resolved(tmp_path):
    run = Run(tmp_path, "a")
    run.write(range(6), fc1_weight="frozen")
    watcher = Watcher(tmp_path)
    assert ("a", "fc1.weight", "frozen") in ids(watcher.poll())
    run.write(range(6, 30), fc1_weight="moving")  # training resumes: the weights move
    found = watcher.poll()
    assert ("a", "fc1.weight", "frozen") in ids(found, "resolved")
    assert all(
        f.key not in {g.key for g in watcher.open_findings()}
        for f in found
        if f.event == "resolved"
    )
    run.close()


def test_runs_that_appear_and_vanish_between_polls(tmp_path):
    Run(tmp_path, "old").write(range(8), fc1_weight="const")
    watcher = Watcher(tmp_path)
    assert ids(watcher.poll()) == {("old", "fc1.weight", "constant")}
    new = Run(tmp_path, "new")
    new.write(range(8), fc1_weight="const")
    assert ids(watcher.poll()) == {("new", "fc1.weight", "constant")}
    assert watcher.status.runs_added == ("new",)
    new.close()
    shutil.rmtree(new.dir)
    # A vanished run's findings are not "resolved": the run is gone, and the status says so.
    assert watcher.poll() == []
    assert watcher.status.runs_removed == ("new",)
    assert watcher.status.runs == 1
    assert {f.run for f in watcher.open_findings()} == {"old"}


def test_a_logdir_that_does_not_exist_yet_is_waited_for(tmp_path):
    logdir = tmp_path / "later"
    watcher = Watcher(logdir)
    assert watcher.poll() == []
    assert watcher.status.runs == 0
    Run(logdir, "a").write(range(8), fc1_weight="const")
    assert ids(watcher.poll()) == {("a", "fc1.weight", "constant")}


def test_a_half_written_last_record_is_read_once_complete(tmp_path):
    # A real writer's file, copied into the logdir in two pieces cut inside the last record,
    # as a reader sees a file while the writer's write() is under way.
    source = tmp_path / "source"
    run = Run(source, "a")
    run.write(range(9), fc1_weight="moving")
    run.write(range(9, 10), fc1_weight="nan")
    run.close()
    (name,) = os.listdir(run.dir)
    data = (source / "a" / name).read_bytes()
    target = tmp_path / "logdir" / "a"
    target.mkdir(parents=True)
    cut = len(data) - 40  # inside the last record (a histogram event is far longer)
    with open(target / name, "wb") as f:
        f.write(data[:cut])
    watcher = Watcher(tmp_path / "logdir")
    watcher.poll()
    assert watcher.status.last_step == 8
    assert "nonfinite" not in {f.id for f in watcher.open_findings()}
    with open(target / name, "ab") as f:
        f.write(data[cut:])
    found = watcher.poll()
    assert watcher.status.last_step == 9
    assert ("a", "fc1.weight", "nonfinite") in ids(found)


@pytest.mark.parametrize("how", ["truncated", "replaced"])
def test_a_file_truncated_or_replaced_is_read_again(tmp_path, how):
    # A job restarted from scratch writes a new file under the old one's name: healthy data
    # instead of the NaN it wrote before. The watcher must follow the new file.
    logdir = tmp_path / "logdir"
    run = Run(logdir, "a")
    run.write(range(10), fc1_weight="nan")
    run.close()
    (name,) = os.listdir(run.dir)
    watcher = Watcher(logdir)
    assert ("a", "fc1.weight", "nonfinite") in ids(watcher.poll())
    fresh = Run(tmp_path / "fresh", "a")
    fresh.write(range(4), fc1_weight="moving")
    fresh.close()
    (fresh_name,) = os.listdir(fresh.dir)
    with open(os.path.join(fresh.dir, fresh_name), "rb") as f:
        data = f.read()
    path = os.path.join(run.dir, name)
    if how == "truncated":
        with open(path, "r+b") as f:  # the same file (inode), shorter
            f.truncate(0)
            f.write(data)
    else:
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)  # a new file under the old name
    found = watcher.poll()
    assert watcher.status.rereads == (str(logdir),)
    assert ("a", "fc1.weight", "nonfinite") in ids(found, "resolved")
    assert watcher.status.last_step == 3


def test_filters_and_several_logdirs(tmp_path):
    Run(tmp_path / "x", "a").write(range(8), fc1_weight="const", fc1_bias="const")
    Run(tmp_path / "y", "b").write(range(8), fc1_weight="const")
    watcher = Watcher([tmp_path / "x", tmp_path / "y"], tags="weight", runs="x")
    assert ids(watcher.poll()) == {(f"{tmp_path / 'x'}:a", "fc1.weight", "constant")}
    with pytest.raises(ValueError, match="unknown severity 'fatal'"):
        Watcher(tmp_path, min_severity="fatal")


def test_iterating_polls_until_something_is_found(tmp_path):
    run = Run(tmp_path, "a")
    run.write(range(8), fc1_weight="moving")
    watcher = Watcher(tmp_path, interval=0.05)
    assert watcher.poll() == []
    run.write(range(8, 10), fc1_weight="nan")
    finding = next(iter(watcher))
    assert (finding.event, finding.id, finding.first_step) == ("new", "nonfinite", 8)
    run.close()
