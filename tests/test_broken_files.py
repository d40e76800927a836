"""Broken event files: the rest of the logdir is diagnosed and what could not be read is reported."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from tb_histdiag.reading.logdir_check import LogdirChecker, check_event_file
from tests.conftest import TensorBoardProcess, write_tf2
from tests.test_plugin_wsgi import PREFIX, get_json, make_client


def event_file(run_dir: str) -> str:
    (name,) = [n for n in os.listdir(run_dir) if "tfevents" in n]
    return os.path.join(run_dir, name)


@pytest.fixture(scope="module")
def broken_logdir(tmp_path_factory) -> str:
    logdir = str(tmp_path_factory.mktemp("broken"))
    for run in ("good", "truncated", "bad_crc", "garbage_beside_good"):
        write_tf2(os.path.join(logdir, run))
    path = event_file(os.path.join(logdir, "truncated"))
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - 100)
    path = event_file(os.path.join(logdir, "bad_crc"))
    with open(path, "rb") as f:
        data = bytearray(f.read())
    data[len(data) // 2] ^= 0xFF  # inside a record's payload
    with open(path, "wb") as f:
        f.write(data)
    os.makedirs(os.path.join(logdir, "zero_bytes"))
    open(os.path.join(logdir, "zero_bytes", "events.out.tfevents.1.host"), "wb").close()
    with open(os.path.join(logdir, "garbage_beside_good", "events.out.tfevents.2.host"), "wb") as f:
        f.write(os.urandom(5000))
    return logdir


def problems_by_run(problems: list[dict]) -> dict[str, str]:
    return {p["run"]: p["problem"] for p in problems}


def test_checker_names_each_broken_file(broken_logdir):
    found = problems_by_run([p.to_dict() for p in LogdirChecker().check(broken_logdir)])
    assert "good" not in found
    assert "incomplete" in found["truncated"]
    assert "bad checksum" in found["bad_crc"]
    assert "empty event file" in found["zero_bytes"]
    assert "not a TensorBoard event file" in found["garbage_beside_good"]


def test_checker_reports_an_unreadable_directory(tmp_path, monkeypatch):
    # CI runs as root, which can read any directory: simulate EACCES on one directory.
    write_tf2(str(tmp_path / "ok"))
    (tmp_path / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.basename(str(path)) == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = problems_by_run([p.to_dict() for p in LogdirChecker().check(str(tmp_path))])
    assert found == {"locked": "cannot read directory: Permission denied"}


def test_a_healthy_file_has_no_problem(tmp_path):
    write_tf2(str(tmp_path / "run"))
    assert check_event_file(event_file(str(tmp_path / "run"))) is None


def test_route_diagnoses_the_rest_and_reports_the_broken(broken_logdir):
    body = get_json(make_client(broken_logdir), f"{PREFIX}/diagnostics")
    runs = {r["run"] for r in body["runs"]}
    assert {"good", "garbage_beside_good"} <= runs
    found = problems_by_run(body["problems"])
    assert set(found) == {"truncated", "bad_crc", "zero_bytes", "garbage_beside_good"}


def test_real_tensorboard_keeps_serving_a_broken_logdir(broken_logdir):
    tb = TensorBoardProcess(broken_logdir)
    try:
        tb.wait_for_runs(2)
        status, body = tb.get(f"{PREFIX}/diagnostics")
        assert status == 200
        document = json.loads(body)
        assert "good" in {r["run"] for r in document["runs"]}
        assert "bad_crc" in problems_by_run(document["problems"])
    finally:
        tb.stop()


def test_a_run_deleted_while_serving_turns_into_404(tmp_path):
    logdir = str(tmp_path)
    for run in ("keep", "doomed"):
        write_tf2(os.path.join(logdir, run))
    tb = TensorBoardProcess(logdir)
    try:
        tb.wait_for_runs(2)
        assert tb.get(f"{PREFIX}/diagnostics?run=doomed")[0] == 200
        shutil.rmtree(os.path.join(logdir, "doomed"))
        for _ in range(100):  # the reload interval is 1 s; bounded wait
            status, body = tb.get(f"{PREFIX}/diagnostics?run=doomed")
            if status == 404:
                break
            tb.wait_a_moment()
        assert status == 404
        assert "doomed" in json.loads(body)["error"]
        status, body = tb.get(f"{PREFIX}/diagnostics")
        assert status == 200
        assert [r["run"] for r in json.loads(body)["runs"]] == ["keep"]
    finally:
        tb.stop()


def test_cli_reports_what_it_could_not_read(broken_logdir):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "tb_histdiag", broken_logdir, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(problems_by_run(document["problems"])) == {
        "truncated",
        "bad_crc",
        "zero_bytes",
        "garbage_beside_good",
    }
    text = subprocess.run(
        [sys.executable, "-m", "tb_histdiag", broken_logdir],
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    assert "Could not read:" in text
    assert "bad checksum" in text


def _write_events(writer, steps) -> None:
    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.histogram.summary_v2 import histogram_pb

    for step in steps:
        summary = histogram_pb("w", np.random.default_rng(step).normal(size=500))
        writer.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step, summary=summary))
    writer.flush()


def test_a_growing_file_is_checked_only_where_it_grew(tmp_path):
    """A run still training: each check walks only the records appended since the last one, and
    still finds damage in them."""
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    run = tmp_path / "live"
    writer = EventFileWriter(str(run))
    _write_events(writer, range(0, 20))
    path = event_file(str(run))
    checker = LogdirChecker()
    assert checker.check(str(tmp_path)) == []
    first = os.path.getsize(path)
    assert checker.scanned_bytes == first

    _write_events(writer, range(20, 30))
    assert checker.check(str(tmp_path)) == []
    assert checker.scanned_bytes == os.path.getsize(path) - first
    assert checker.check(str(tmp_path)) == []
    assert checker.scanned_bytes == 0  # unchanged: nothing walked

    grown = os.path.getsize(path)
    _write_events(writer, range(30, 40))
    writer.close()
    with open(path, "r+b") as f:  # damage a payload byte in the appended part only
        f.seek(grown + (os.path.getsize(path) - grown) // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    (problem,) = checker.check(str(tmp_path))
    assert "bad checksum" in problem.problem or "corrupt record header" in problem.problem
    assert checker.scanned_bytes == os.path.getsize(path) - grown


def test_a_record_being_written_is_reported_then_checked_once_complete(tmp_path):
    write_tf2(str(tmp_path / "src"))
    whole = Path(event_file(str(tmp_path / "src"))).read_bytes()
    (tmp_path / "run").mkdir()
    path = tmp_path / "run" / "events.out.tfevents.1.host"
    cut = len(whole) - 50  # inside the last record
    path.write_bytes(whole[:cut])
    checker = LogdirChecker()
    (problem,) = checker.check(str(tmp_path / "run"))
    assert "is incomplete" in problem.problem
    with open(path, "ab") as f:
        f.write(whole[cut:])
    assert checker.check(str(tmp_path / "run")) == []
    # Only the unfinished record and the rest were walked again.
    assert 0 < checker.scanned_bytes < len(whole) // 2


def test_a_replaced_file_is_checked_from_the_start(tmp_path):
    write_tf2(str(tmp_path / "a"))
    write_tf2(str(tmp_path / "b"))
    path = event_file(str(tmp_path / "a"))
    checker = LogdirChecker()
    assert checker.check(str(tmp_path / "a")) == []
    replacement = bytearray(Path(event_file(str(tmp_path / "b"))).read_bytes())
    replacement[len(replacement) // 3] ^= 0xFF
    replacement += b"\0" * 64  # longer than before, so only the inode tells it apart
    with open(path + ".new", "wb") as f:
        f.write(replacement)
    os.replace(path + ".new", path)
    (problem,) = checker.check(str(tmp_path / "a"))
    assert checker.scanned_bytes == len(replacement)
    assert problem.problem
