"""``tb-histdiag watch`` on a 1,000-series logdir where one run is training: what a look costs.

Measures, on a copy of the ``W1000`` bench logdir (``scripts/bench_data.py``: 20 runs x 50 tags
x 100 steps, TF2 format) so the cached one is never changed:

(a) in process: a :class:`~tb_histdiag.Watcher`'s first poll (everything judged), an idle poll
    (nothing new on disk), and a poll after one series of one run got one new step, against a
    full re-diagnosis of the logdir with ``tb_histdiag.diagnose`` (Python loader, as the watcher);
(b) a real ``tb-histdiag watch --interval I --exit-on critical`` process: its CPU use while
    idle (user + system time from ``/proc`` over a quiet period), and the latency from a NaN step
    being flushed to disk by a real writer to the finding's line on the process's stdout.

``python scripts/bench_watch.py [--interval 2] [--trials 3] [--idle-seconds 20]``; it prints a
Markdown table (``--out FILE`` writes it too).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_data
import numpy as np
from bench_common import CACHE, REPO
from tensorboard.compat.proto import event_pb2
from tensorboard.plugins.histogram.summary_v2 import histogram_pb
from tensorboard.summary.writer.event_file_writer import EventFileWriter

SCALE = "W1000"


def append_step(run_dir: str, tag: str, step: int, nan: bool) -> float:
    """Append one histogram of ``tag`` at ``step`` with a new real writer file; return the time
    its flush returned."""
    values = np.random.default_rng(step).normal(0.0, 0.1, bench_data.VALUES)
    if nan:
        values[:3] = np.nan
    w = EventFileWriter(run_dir, filename_suffix=f".step{step}")
    with np.errstate(all="ignore"):
        summary = histogram_pb(tag, values, buckets=30)
    w.add_event(event_pb2.Event(step=step, wall_time=time.time(), summary=summary))
    w.flush()
    flushed = time.time()
    w.close()
    return flushed


def in_process(logdir: str, repeats: int) -> dict:
    import tb_histdiag

    scale = bench_data.SCALES[SCALE]
    live = os.path.join(logdir, bench_data.run_name(scale, 0))
    tag = bench_data.tag_names(scale["tags"])[0]
    out: dict = {}
    t = time.perf_counter()
    watcher = tb_histdiag.Watcher(logdir)
    watcher.poll()
    out["first_poll_s"] = time.perf_counter() - t
    out["series"] = watcher.status.series
    idle = []
    for _ in range(repeats):
        t = time.perf_counter()
        watcher.poll()
        idle.append(time.perf_counter() - t)
    out["idle_poll_s"] = idle
    one = []
    judged = []
    for i in range(repeats):
        append_step(live, tag, scale["steps"] + i, nan=False)
        t = time.perf_counter()
        watcher.poll()
        one.append(time.perf_counter() - t)
        judged.append(watcher.status.diagnosed_series)
    out["one_series_poll_s"] = one
    out["one_series_judged"] = judged
    full = []
    for _ in range(max(2, repeats // 3)):
        t = time.perf_counter()
        tb_histdiag.diagnose(logdir, charts=False, load_fast=False)
        full.append(time.perf_counter() - t)
    out["full_diagnosis_s"] = full
    return out


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_trial(pristine: str, interval: float, idle_seconds: float) -> dict:
    scale = bench_data.SCALES[SCALE]
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        logdir = os.path.join(tmp, "logdir")
        shutil.copytree(pristine, logdir)
        cmd = [
            sys.executable, "-m", "tb_histdiag", "watch", logdir, "--interval", str(interval),
            "--exit-on", "critical", "--min-severity", "critical",
        ]  # fmt: skip
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "OPENBLAS_NUM_THREADS": "1"}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
        arrivals: list[tuple[float, str]] = []

        def pump() -> None:
            for line in proc.stdout:
                arrivals.append((time.time(), line))

        threading.Thread(target=pump, daemon=True).start()
        started = time.monotonic()
        while not arrivals and proc.poll() is None:  # the summary line: first look done
            time.sleep(0.05)
        first_look_s = time.monotonic() - started
        time.sleep(interval)  # let the next look start from a quiet state
        c0, t0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(idle_seconds)
        idle_cpu = (cpu_seconds(proc.pid) - c0) / (time.monotonic() - t0)
        live = os.path.join(logdir, bench_data.run_name(scale, 0))
        tag = bench_data.tag_names(scale["tags"])[1]
        flushed = append_step(live, tag, scale["steps"], nan=True)
        proc.wait(timeout=600)
        found = [(t, line) for t, line in arrivals if "nonfinite" in line]
        return {
            "first_look_s": first_look_s,
            "idle_cpu_fraction": idle_cpu,
            "latency_s": found[0][0] - flushed if found else None,
            "exit_code": proc.returncode,
        }


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e3:.0f} ms [{min(values) * 1e3:.0f}–{max(values) * 1e3:.0f}]"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--interval", type=float, default=2.0)
    p.add_argument("--trials", type=int, default=3)
    p.add_argument("--repeats", type=int, default=9)
    p.add_argument("--idle-seconds", type=float, default=20.0)
    p.add_argument("--out")
    args = p.parse_args(argv)
    pristine = bench_data.ensure_logdir(SCALE, CACHE)
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        logdir = os.path.join(tmp, "logdir")
        shutil.copytree(pristine, logdir)
        ip = in_process(logdir, args.repeats)
    trials = [process_trial(pristine, args.interval, args.idle_seconds) for _ in range(args.trials)]
    latencies = [t["latency_s"] for t in trials if t["latency_s"] is not None]
    rows = [
        ("series in the logdir", f"{ip['series']}"),
        ("first poll (every series judged)", f"{ip['first_poll_s']:.2f} s"),
        ("idle poll (nothing new)", ms(ip["idle_poll_s"])),
        (
            "poll after one series got one step",
            f"{ms(ip['one_series_poll_s'])}, series judged: {sorted(set(ip['one_series_judged']))}",
        ),
        ("full re-diagnosis (`diagnose`, Python loader)", ms(ip["full_diagnosis_s"])),
        (
            f"`watch --interval {args.interval:g}`: CPU while idle",
            ", ".join(f"{t['idle_cpu_fraction'] * 100:.1f} %" for t in trials)
            + f" of one core (over {args.idle_seconds:g} s)",
        ),
        (
            "latency: NaN step flushed → finding printed",
            ", ".join(f"{x:.2f} s" for x in latencies)
            + f" (bound: interval {args.interval:g} s + one poll)",
        ),
        ("exit codes", ", ".join(str(t["exit_code"]) for t in trials)),
    ]
    text = "| measure | value |\n| --- | --- |\n" + "".join(f"| {a} | {b} |\n" for a, b in rows)
    text = (
        f"### `tb-histdiag watch` ({SCALE}: {bench_data.SCALES[SCALE]}), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
        f"{os.getloadavg()[0]:.1f}\n\n" + text
    )
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
