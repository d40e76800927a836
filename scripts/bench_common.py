"""Shared pieces of ``make bench`` and ``make loadtest``: a real TensorBoard process and HTTP timing.

Everything binds 127.0.0.1, every wait is bounded, and each TensorBoard is stopped by its PID.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # for tests/

from tests.tensorboard_launch import LaunchedTensorBoard

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(REPO, ".cache", "bench")
PLUGIN = "/data/plugin/tb_histdiag"
TB_HISTOGRAMS = "/data/plugin/histograms/histograms"


def query(path: str, **params: str) -> str:
    """``path?k=v&...`` with every value percent-encoded (tags contain ``/``)."""
    return path + "?" + urllib.parse.urlencode(params) if params else path


class TensorBoard(LaunchedTensorBoard):
    """A real ``tensorboard`` on 127.0.0.1 (a free port) with the plugin installed.

    ``load_fast`` is "auto" (the Rust data server, TensorBoard's default) or "false" (the Python
    loader). ``started`` is the monotonic time the process was launched, so load time can be
    measured from it.
    """

    def __init__(self, logdir: str, load_fast: str = "auto", *flags: str, env: dict | None = None):
        self.logdir = logdir
        self.load_fast = load_fast
        super().__init__(
            [sys.executable, "-m", "tensorboard.main"],
            logdir,
            "--load_fast",
            load_fast,
            "--samples_per_plugin=histograms=0",
            *flags,
            env={**os.environ, **(env or {})},
            max_log_lines=10_000,
            error_tail=30,
            stop_grace=20,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def get(
        self, path: str, timeout: float = 120.0, gzip: bool = False, headers_out: dict | None = None
    ) -> tuple[int, bytes, float]:
        """GET ``path`` on a new connection; return (status, body, seconds until the body is read).
        ``headers_out``, if given, receives the response headers (names in lower case)."""
        headers = {"Accept-Encoding": "gzip"} if gzip else {}
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            seconds = time.perf_counter() - start
            if headers_out is not None:
                headers_out.update((k.lower(), v) for k, v in response.getheaders())
            return response.status, body, seconds
        finally:
            conn.close()

    def json(self, path: str, timeout: float = 300.0) -> object:
        """GET ``path`` and decode its JSON body; raise on a non-200 status."""
        status, body, _ = self.get(path, timeout)
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}: {body[:300]!r}")
        return json.loads(body)

    def wait_loaded(self, runs: int, tags: int, last_step: int, timeout: float = 900.0) -> float:
        """Poll the plugin's ``/runs`` until every series lists ``last_step``; return the load time
        in seconds since launch. ``/runs`` only lists (it never diagnoses), so no cache is warmed."""
        deadline = time.monotonic() + timeout
        want = runs * tags
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("tensorboard exited:\n" + "".join(self.log[-30:]))
            try:
                status, body, _ = self.get(PLUGIN + "/runs", timeout=30)
            except OSError:
                status, body = 0, b""
            if status == 200:
                listed = json.loads(body)["runs"]
                done = sum(1 for r in listed for t in r["tags"] if t["last_step"] == last_step)
                if done >= want:
                    return time.monotonic() - self.started
            time.sleep(0.25)
        raise TimeoutError(f"tensorboard did not load {want} series within {timeout:.0f} s")

    def rss_mb(self, children: bool = False) -> float:
        """Resident memory (VmRSS) of the TensorBoard process, plus its children if asked."""
        pids = [self.pid]
        if children:
            pids += child_pids(self.pid)
        return sum(vm_rss_kb(p) for p in pids) / 1024.0


def vm_rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` in kB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (TensorBoard's data server)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    s = sorted(values)
    pos = (len(s) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def median(values: list[float]) -> float:
    """The median (NaN for no values)."""
    return percentile(values, 50.0)


LOADTEST_START = "<!-- loadtest:start -->"
LOADTEST_END = "<!-- loadtest:end -->"


def loadtest_block(path: str) -> str:
    """The load-test section of ``docs/benchmarks.md`` (written by ``make loadtest``), or ""."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return ""
    if LOADTEST_START in text and LOADTEST_END in text:
        return text[text.index(LOADTEST_START) : text.index(LOADTEST_END) + len(LOADTEST_END)]
    return ""


def write_loadtest_block(path: str, block: str) -> None:
    """Replace (or append) the load-test section of ``path``, keeping the rest of the file."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        text = "# Benchmarks\n"
    old = loadtest_block(path)
    text = text.replace(old, block) if old else text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
