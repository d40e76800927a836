"""A small version of ``make loadtest``: concurrent clients on a real TensorBoard, zero errors.

Only responses are asserted (the plugin's ``computed`` counter lives in the TensorBoard process);
there are no timed assertions, only a bound on how long the test may take.
"""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse

import pytest

from tests.conftest import STEPS, TAGS, WRITER_RUNS, TensorBoardProcess

pytestmark = pytest.mark.server

CLIENTS = 50


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _concurrently(port: int, paths: list[str]) -> list[tuple[str, int, bytes]]:
    """GET every path from its own thread, all released together by a barrier."""
    barrier = threading.Barrier(len(paths))
    results: list[tuple[str, int, bytes]] = []
    lock = threading.Lock()

    def client(path: str) -> None:
        barrier.wait(30)
        try:
            status, body = _get(port, path)
        except OSError as e:
            status, body = 0, repr(e).encode()
        with lock:
            results.append((path, status, body))

    threads = [threading.Thread(target=client, args=(p,), daemon=True) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a client is still waiting after 120 s"
    return results


@pytest.fixture(scope="module")
def tensorboard(writers_logdir):
    tb = TensorBoardProcess(writers_logdir, "--samples_per_plugin=histograms=0")
    try:
        tb.wait_for_runs(len(WRITER_RUNS))
        yield tb
    finally:
        tb.stop()


def _port(tb: TensorBoardProcess) -> int:
    return int(urllib.parse.urlsplit(tb.url).port)


def test_concurrent_cold_then_warm_requests_all_succeed(tensorboard):
    port = _port(tensorboard)
    # Cold: 50 clients at once on the runs (~17 per run) before anything is cached.
    cold_paths = [
        "/data/plugin/tb_histdiag/diagnostics?" + urllib.parse.urlencode({"run": run})
        for run in (WRITER_RUNS * CLIENTS)[:CLIENTS]
    ]
    cold = _concurrently(port, cold_paths)
    assert [(p, s) for p, s, _ in cold if s != 200] == []
    by_run: dict[str, set[bytes]] = {}
    for path, _, body in cold:
        doc = json.loads(body)
        (run,) = doc["runs"]
        assert sorted(t["tag"] for t in run["tags"]) == sorted(TAGS), path
        assert all(t["last_step"] == STEPS - 1 for t in run["tags"]), path
        by_run.setdefault(run["run"], set()).add(body)
    # Every client asking for a run got the same document: one computation, shared.
    assert sorted(by_run) == sorted(WRITER_RUNS)
    assert all(len(bodies) == 1 for bodies in by_run.values()), {
        run: len(bodies) for run, bodies in by_run.items()
    }

    # Warm: one series per client, plus TensorBoard's own route on the same series.
    pairs = [(run, tag) for run in WRITER_RUNS for tag in TAGS]
    warm_paths = [
        "/data/plugin/tb_histdiag/diagnostics?" + urllib.parse.urlencode({"run": run, "tag": tag})
        for run, tag in (pairs * CLIENTS)[:CLIENTS]
    ]
    warm = _concurrently(port, warm_paths)
    assert [(p, s) for p, s, _ in warm if s != 200] == []
    for path, _, body in warm:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        (run,) = json.loads(body)["runs"]
        assert [t["tag"] for t in run["tags"]] == query["tag"], path
    tb_paths = [
        "/data/plugin/histograms/histograms?" + urllib.parse.urlencode({"run": run, "tag": tag})
        for run, tag in pairs
    ]
    assert [s for _, s, _ in _concurrently(port, tb_paths) if s != 200] == []
    assert "Traceback" not in "".join(tensorboard.log)
