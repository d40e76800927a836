"""``tb-histdiag watch`` as a real process, next to a real training process that writes."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.test_watch import Run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Only a guard against a hung test, never a measure of speed (that is ``make bench``).
GUARD_SECONDS = 180


class Process:
    """A child process whose stdout lines are read as they come."""

    def __init__(self, *args: str):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        for stream, sink in ((self.proc.stdout, self.lines.put), (self.proc.stderr, None)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()

    def _pump(self, stream, put) -> None:
        for line in stream:
            if put is None:
                self.stderr.append(line)
            else:
                put(line.rstrip("\n"))
        if put is not None:
            put(None)

    def next_line(self) -> str | None:
        """The next stdout line (None once stdout is closed)."""
        return self.lines.get(timeout=GUARD_SECONDS)

    def wait_for_stderr(self, text: str, count: int = 1) -> None:
        """Wait until ``text`` has appeared ``count`` times on stderr (or the process ended)."""
        deadline = time.monotonic() + GUARD_SECONDS
        while "".join(self.stderr).count(text) < count and self.proc.poll() is None:
            assert time.monotonic() < deadline, self.stderr
            time.sleep(0.05)

    def wait(self) -> int:
        return self.proc.wait(timeout=GUARD_SECONDS)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def watch(*args: str) -> Process:
    return Process("-m", "tb_histdiag", "watch", *args)


def test_watch_exits_on_critical_when_a_training_run_turns_nan(tmp_path):
    logdir = str(tmp_path)
    # The watcher starts first, on an empty logdir, as it would next to a job being launched.
    watcher = watch(logdir, "--exit-on", "critical", "--format", "json", "--interval", "0.5")
    # Trains "forever" (until stopped); a few weights become NaN at a step it tells us.
    trainer = Process(
        "-m", "tests.live_writer", os.path.join(logdir, "train"),
        "--steps", "100000", "--nan-at", "0.0006", "--delay", "0.05",
    )  # fmt: skip
    try:
        first_bad = trainer.next_line()
        assert first_bad is not None
        assert first_bad.startswith("first_nan_step="), trainer.stderr
        first_bad_step = int(first_bad.split("=")[1])
        assert watcher.wait() == 1, watcher.stderr
        findings = []
        while (line := watcher.next_line()) is not None:
            findings.append(json.loads(line))
        assert trainer.proc.poll() is None  # stopped while the training still runs
    finally:
        trainer.stop()
        watcher.stop()
    critical = [f for f in findings if f["severity"] == "critical"]
    assert critical, findings
    assert "nonfinite" in {f["id"] for f in critical}
    # Reported when it appeared, not as one of the findings present on start.
    assert not any(f["initial"] for f in critical)
    # The earliest critical finding is at the step the trainer first logged NaN at: no alarm
    # about the healthy part of the run, no late discovery.
    assert min(f["first_step"] for f in critical) == first_bad_step
    assert critical[0]["first_step"] == first_bad_step  # the root cause comes first
    keys = [(f["run"], f["scope"], f["name"], f["id"], f["event"]) for f in findings]
    assert len(keys) == len(set(keys))  # nothing reported twice
    assert "exiting on critical nonfinite" in "".join(watcher.stderr)


def test_exec_gets_each_finding_as_json_and_a_failing_command_is_not_fatal(tmp_path):
    logdir = tmp_path / "logdir"
    Run(logdir, "a").write(range(8), fc1_weight="const", fc2_weight="moving")
    out = tmp_path / "exec"
    out.mkdir()
    # The command stores what it received: stdin and the environment, one file per finding.
    recorder = (
        f'{sys.executable} -c "import json, os, sys, uuid; '
        f"d = {{'stdin': sys.stdin.read(), 'env': {{k: v for k, v in os.environ.items() "
        f"if k.startswith('TB_HISTDIAG_')}}}}; "
        f"open(os.path.join(r'{out}', uuid.uuid4().hex), 'w').write(json.dumps(d))\""
    )
    proc = watch(str(logdir), "--once", "--exec", recorder)
    assert proc.wait() == 0, proc.stderr
    received = [json.loads((out / name).read_text()) for name in os.listdir(out)]
    assert len(received) == 1
    finding = json.loads(received[0]["stdin"])
    assert (finding["run"], finding["name"], finding["id"], finding["event"]) == (
        "a",
        "fc1.weight",
        "constant",
        "new",
    )
    assert finding["verdict"]["title"]
    assert received[0]["env"]["TB_HISTDIAG_VERDICT"] == "constant"
    assert received[0]["env"]["TB_HISTDIAG_NAME"] == "fc1.weight"
    assert received[0]["env"]["TB_HISTDIAG_RUN"] == "a"

    # A command that fails: reported on stderr, and watching goes on (until Ctrl-C).
    proc = watch(str(logdir), "--exec", "exit 3", "--interval", "0.3")
    try:
        assert "constant" in proc.next_line() + proc.next_line()  # the summary, the finding
        nan = Run(logdir, "b")
        nan.write(range(8), fc1_weight="nan")
        while "nonfinite" not in (line := proc.next_line()):
            assert line is not None, proc.stderr
        proc.wait_for_stderr("--exec command exited with code 3", 2)
        proc.proc.send_signal(signal.SIGINT)
        assert proc.wait() == 130
    finally:
        proc.stop()
    errors = "".join(proc.stderr)
    assert errors.count("--exec command exited with code 3") == 2
    assert "stopped after" in errors
    assert "Traceback" not in errors


def test_new_only_skips_what_is_already_there(tmp_path):
    Run(tmp_path, "a").write(range(8), fc1_weight="const")
    proc = watch(str(tmp_path), "--once", "--new-only", "--format", "json", "--exit-on", "warning")
    assert proc.wait() == 0
    assert proc.next_line() is None
    proc = watch(str(tmp_path), "--once", "--format", "json", "--exit-on", "warning")
    assert proc.wait() == 1
    line = json.loads(proc.next_line())
    assert (line["id"], line["initial"]) == ("constant", True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interval", "0"], "--interval must be a positive"),
        (["--role", "kernel"], "unknown --role kernel"),
        (["--once"], "is not a directory"),
    ],
)
def test_watch_usage_errors_are_one_line(tmp_path, args, message):
    proc = watch(str(tmp_path / "missing"), *args)
    assert proc.wait() == 2
    assert message in "".join(proc.stderr)
    assert len(proc.stderr) == 1
