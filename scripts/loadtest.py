"""``make loadtest``: 200 concurrent clients on ``/diagnostics`` vs TensorBoard's histograms route.

Starts a real ``tensorboard`` (127.0.0.1, default loader, ``--samples_per_plugin=histograms=0``)
over a bench logdir (``SCALE``, default L: 20 runs x 50 tags x 200 steps) and runs, bounded in
count and time:

1. **cold**: ``--clients`` threads released together by a barrier, each asking
   ``/diagnostics?run=R`` once for one of the runs (spread over all runs) on a fresh server, so
   every run is requested by ~10 clients at once while nothing is cached (single-flight);
2. **warm** ``/diagnostics?run=R&tag=T`` (and the whole-run ``/diagnostics?run=R``): every client
   sends requests back to back for ``--duration`` seconds;
3. the same for TensorBoard's ``/data/plugin/histograms/histograms?run=R&tag=T`` on the same series.

Between phases the server is drained (``/data/environment`` must answer in < 0.3 s), because
TensorBoard keeps computing abandoned requests. Reports requests/s, p50/p99 and errors (any
non-200 or socket error); exits 1 on an error or when the warm route is not >= 10x TB's req/s.
``wrk`` is used for the same measurements when installed (``--wrk``), the Python client otherwise.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_data
from bench_common import (
    CACHE,
    LOADTEST_END,
    LOADTEST_START,
    PLUGIN,
    REPO,
    TB_HISTOGRAMS,
    TensorBoard,
    percentile,
    query,
    write_loadtest_block,
)


def hammer(
    port: int,
    paths: list[str],
    clients: int,
    duration: float,
    once: bool = False,
    timeout: float = 120.0,
    hard_limit: float = 300.0,
) -> dict:
    """``clients`` threads, released together, GET ``paths`` (client i starts at path i) until
    ``duration`` has passed (or once each when ``once``). Returns counts and latencies.

    Bounded: a client never starts a request after ``duration``, each request times out after
    ``timeout`` and the phase is abandoned after ``hard_limit`` seconds.
    """
    barrier = threading.Barrier(clients + 1)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    bodies: dict[str, int] = {}
    deadline = [0.0]

    def client(i: int) -> None:
        rng = random.Random(i)
        k = i
        barrier.wait()
        while True:
            path = paths[k % len(paths)]
            k += rng.randrange(1, 7)
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    body = response.read()
                    status = response.status
                finally:
                    conn.close()
                took = time.perf_counter() - start
                with lock:
                    if status == 200:
                        latencies.append(took)
                        bodies[path] = len(body)
                    else:
                        errors.append(f"HTTP {status} {path}")
            except OSError as e:
                with lock:
                    errors.append(f"{type(e).__name__}: {e}")
            if once or time.monotonic() >= deadline[0]:
                return

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + duration
    start = time.monotonic()
    barrier.wait()
    for t in threads:
        t.join(max(0.0, start + hard_limit - time.monotonic()))
    elapsed = time.monotonic() - start
    stuck = sum(t.is_alive() for t in threads)
    with lock:
        lat = sorted(latencies)
        errs = list(errors)
    return {
        "clients": clients,
        "requests": len(lat),
        "errors": len(errs) + stuck,
        "error_samples": errs[:5] + ([f"{stuck} clients still waiting"] if stuck else []),
        "elapsed_s": elapsed,
        "rps": len(lat) / elapsed if elapsed else 0.0,
        "p50_ms": percentile(lat, 50) * 1000,
        "p99_ms": percentile(lat, 99) * 1000,
        "max_ms": (lat[-1] * 1000) if lat else float("nan"),
        "distinct_paths": len(bodies),
    }


def wrk(port: int, path: str, clients: int, duration: float) -> dict | None:
    """The same measurement with ``wrk`` (one path), or None when wrk is not installed."""
    exe = shutil.which("wrk")
    if exe is None:
        return None
    result = subprocess.run(
        [
            exe,
            "-t2",
            f"-c{clients}",
            f"-d{int(duration)}s",
            "--timeout",
            "60s",
            "--latency",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=duration + 180,
    )
    text = result.stdout

    def grab(prefix: str) -> str:
        for line in text.splitlines():
            if line.strip().startswith(prefix):
                return line.split()[1] if prefix != "Requests/sec:" else line.split()[-1]
        return ""

    def ms(v: str) -> float:
        for unit, f in (("ms", 1.0), ("us", 1e-3), ("s", 1000.0)):
            if v.endswith(unit):
                return float(v[: -len(unit)]) * f
        return float("nan")

    errors = 0
    for line in text.splitlines():
        if "Non-2xx" in line or "Socket errors" in line:
            errors += sum(int(x.strip(",")) for x in line.split() if x.strip(",").isdigit())
    return {
        "rps": float(grab("Requests/sec:") or "nan"),
        "p50_ms": ms(grab("50%")),
        "p99_ms": ms(grab("99%")),
        "errors": errors,
        "raw": text[-600:],
    }


def drain(tb: TensorBoard, limit: float = 180.0) -> float:
    """Wait until TensorBoard answers a trivial route in < 0.3 s; return the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            status, _, took = tb.get("/data/environment", timeout=60)
        except OSError:
            status, took = 0, 1.0
        if status == 200 and took < 0.3:
            break
        time.sleep(0.5)
    return time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", default=os.environ.get("SCALE", "L"))
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--duration", type=float, default=20.0, help="seconds per timed phase")
    p.add_argument("--listing-ttl", type=float, default=1.0, help="TB_HISTDIAG_LISTING_TTL")
    p.add_argument("--wrk", action="store_true", help="also measure with wrk (if installed)")
    p.add_argument("--json", default=os.path.join(CACHE, "loadtest.json"))
    p.add_argument(
        "--out",
        default=os.path.join(REPO, "docs", "benchmarks.md"),
        help="Markdown file whose load-test section is replaced ('' to skip)",
    )
    args = p.parse_args(argv)

    scale = bench_data.SCALES[args.scale]
    logdir = bench_data.ensure_logdir(args.scale, CACHE)
    runs = [bench_data.run_name(scale, r) for r in range(scale["runs"])]
    tags = bench_data.tag_names(scale["tags"])
    series = [(r, t) for r in runs for t in tags]
    random.Random(0).shuffle(series)
    diag_run = [query(PLUGIN + "/diagnostics", run=r) for r in runs]
    diag_tag = [query(PLUGIN + "/diagnostics", run=r, tag=t) for r, t in series]
    tb_hist = [query(TB_HISTOGRAMS, run=r, tag=t) for r, t in series]

    results: dict = {"scale": args.scale, "spec": scale, "clients": args.clients}
    tb = TensorBoard(logdir, "auto", env={"TB_HISTDIAG_LISTING_TTL": str(args.listing_ttl)})
    try:
        results["load_s"] = tb.wait_loaded(scale["runs"], scale["tags"], scale["steps"] - 1)
        rss0 = tb.rss_mb()
        print(f"loaded in {results['load_s']:.1f} s; cold phase ...", flush=True)
        results["cold_run"] = hammer(tb.port, diag_run, args.clients, 0, once=True, hard_limit=600)
        results["rss_after_cold_mb"] = tb.rss_mb() - rss0
        # Every series is diagnosed now; make sure each run's document is complete.
        for path in diag_run:
            body = tb.json(path)
            assert len(body["runs"][0]["tags"]) == scale["tags"], path
        phases = (
            ("warm_tag", diag_tag),
            ("warm_run", diag_run),
            ("tb_histograms", tb_hist),
        )
        for name, paths in phases:
            results[f"drain_before_{name}_s"] = drain(tb)
            print(f"{name} ...", flush=True)
            results[name] = hammer(tb.port, paths, args.clients, args.duration)
        results["drain_after_s"] = drain(tb)
        results["rss_after_mb"] = tb.rss_mb() - rss0
        if args.wrk:
            for name, path in (("wrk_warm_tag", diag_tag[0]), ("wrk_tb_histograms", tb_hist[0])):
                results[f"drain_before_{name}_s"] = drain(tb)
                print(f"{name} ...", flush=True)
                results[name] = wrk(tb.port, path, args.clients, args.duration)
            results["drain_after_wrk_s"] = drain(tb)
    finally:
        tb.stop()

    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    rows = [("cold_run", "`/diagnostics?run=R`, cold, each client once")]
    rows += [
        ("warm_tag", "`/diagnostics?run=R&tag=T`, warm"),
        ("warm_run", "`/diagnostics?run=R` (50 tags), warm"),
        ("tb_histograms", "TensorBoard `/histograms?run=R&tag=T`"),
        ("wrk_warm_tag", "wrk: `/diagnostics?run=R&tag=T`, warm, one series"),
        ("wrk_tb_histograms", "wrk: TensorBoard `/histograms`, one series"),
    ]
    table = [
        "| route | clients | requests | errors | req/s | p50 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, label in rows:
        r = results.get(key)
        if not r:
            continue
        table.append(
            f"| {label} | {args.clients} | {r.get('requests', '-')} | {r['errors']} | "
            f"{r['rps']:.1f} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} |"
        )
    speedup = results["warm_tag"]["rps"] / max(results["tb_histograms"]["rps"], 1e-9)
    errors = sum(results[k]["errors"] for k, _ in rows if results.get(k))
    spec = f"{scale['runs']} runs × {scale['tags']} tags × {scale['steps']} steps"
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["python scripts/loadtest.py", *sys.argv[1:]])
    block = "\n".join(
        [
            LOADTEST_START,
            f"## Load test ({when}; scale {args.scale}: {spec})",
            "",
            f"`make loadtest` = `{command}` on a real TensorBoard (default loader,",
            f"`TB_HISTDIAG_LISTING_TTL={args.listing_ttl}`). Python client: {args.clients} threads",
            f"released by a barrier, a new connection per request, {args.duration:.0f} s per timed",
            "phase; the server is drained between phases (`/data/environment` answering in",
            "< 0.3 s). Cold: each client asks once for a whole run on a fresh server (~10 clients",
            "per run at once, so single-flight is exercised).",
            "",
            *table,
            "",
            f"Warm `/diagnostics?run&tag` sustains **{speedup:.0f}×** the requests per second of",
            f"TensorBoard's histograms route on the same series (target ≥ 10×); errors: {errors}.",
            f"TensorBoard RSS: +{results['rss_after_cold_mb']:.0f} MB after the cold phase, "
            f"+{results['rss_after_mb']:.0f} MB after all phases. Drain after the last phase: "
            f"{results['drain_after_s']:.1f} s.",
            LOADTEST_END,
        ]
    )
    print(block)
    if args.out:
        write_loadtest_block(args.out, block)
    print(f"errors: {errors}; raw numbers: {args.json}")
    return 0 if errors == 0 and speedup >= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
