"""``make bench``: tb_histdiag's costs as ratios to TensorBoard's own, measured side by side.

One run generates (once, under ``.cache/bench/``) the bench logdirs of ``scripts/bench_data.py``,
starts real ``tensorboard`` processes on 127.0.0.1 with the plugin (the default loader and
``--load_fast=false``, both with ``--samples_per_plugin=histograms=0``) and measures, interleaving
the plugin (A) and TensorBoard's ``/data/plugin/histograms/histograms`` route (B) so drift hits
both alike:

(a) cold ``/diagnostics?run&tag`` vs B for the same series. "Cold" is real: each sample uses a
    series this TensorBoard has never diagnosed (the plugin caches per run, tag and last step).
(b) the same requests again (cached) vs B.
(c) ``/diagnostics`` for the whole experiment on a freshly started TensorBoard (cold) and then
    warm, vs the sum of B over every series (sampled on large logdirs and extrapolated: said so).
(d) ``/series`` (chart data, never cached) vs B.
(e) extra VmRSS of the TensorBoard process after diagnosing everything.
(f) ``tb-histdiag LOGDIR --format json`` wall time vs TensorBoard's time to load the logdir.
(g) headless chromium: opening ``/#tb_histdiag`` until the first screen of cards is interactive,
    with 200 and 2,000 tags.

Requests use a new connection each and no ``Accept-Encoding`` (as ``curl`` would), for both
sides. The table is printed and written to ``docs/benchmarks.md`` (``--out``). This file measures
(a)-(f); (g) is ``bench_browser.py``, the Markdown ``bench_report.py``.

``make bench`` (all), ``make bench SCALE=S`` (the small logdir only), ``BENCH_ARGS=...`` for more.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_data
from bench_browser import browser_times
from bench_common import (
    CACHE,
    PLUGIN,
    REPO,
    TB_HISTOGRAMS,
    TensorBoard,
    query,
)
from bench_report import render, summary_rows, write_report

from tb_histdiag.timing import parse_header


def series_list(scale: dict) -> list[tuple[str, str, str]]:
    """Every (run, tag, format) of a scale, in a stable order."""
    out = []
    for r in range(scale["runs"]):
        for tag in bench_data.tag_names(scale["tags"]):
            out.append((bench_data.run_name(scale, r), tag, bench_data.run_format(scale, r)))
    return out


def spread(items: list, count: int, offset: int = 0) -> list:
    """``count`` items spread evenly over ``items`` (distinct runs and layers)."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[(int(i * step) + offset) % len(items)] for i in range(count)]


def ok_get(tb: TensorBoard, path: str, headers_out: dict | None = None) -> float:
    """Seconds for a GET that must answer 200."""
    status, body, seconds = tb.get(path, headers_out=headers_out)
    if status != 200:
        raise RuntimeError(f"GET {path}: HTTP {status}: {body[:200]!r}")
    return seconds


def interleaved(
    time_a: Callable[[str], float],
    time_b: Callable[[str], float],
    pairs: list[tuple[str, str]],
) -> tuple[list[float], list[float]]:
    """Time each (A, B) pair in ms, alternating which goes first; return the lists for A and B."""
    a_ms, b_ms = [], []
    for i, (a, b) in enumerate(pairs):
        if i % 2 == 0:
            a_ms.append(time_a(a))
            b_ms.append(time_b(b))
        else:
            b_ms.append(time_b(b))
            a_ms.append(time_a(a))
    return a_ms, b_ms


def per_series(tb: TensorBoard, scale: dict, samples: int) -> dict:
    """(a), (b), (d) on one freshly loaded TensorBoard; every cold sample is a new series."""
    everything = series_list(scale)
    out: dict = {"floor_ms": [ok_get(tb, "/data/environment") * 1000 for _ in range(20)]}

    def get_ms(path: str) -> float:
        return ok_get(tb, path) * 1000

    def staged_ms(key: str) -> Callable[[str], float]:
        """A timer of the plugin's route that also keeps its Server-Timing stages under ``key``."""
        out[key] = []

        def timed(path: str) -> float:
            headers: dict = {}
            ms = ok_get(tb, path, headers) * 1000
            out[key].append(parse_header(headers.get("server-timing", "")))
            return ms

        return timed

    for fmt in ("torch", "tf2"):
        mine = [s for s in everything if s[2] == fmt]
        if not mine:
            continue
        cold = spread(mine, samples)
        diag = [query(PLUGIN + "/diagnostics", run=r, tag=t) for r, t, _ in cold]
        tbh = [query(TB_HISTOGRAMS, run=r, tag=t) for r, t, _ in cold]
        out[f"a_{fmt}"] = interleaved(staged_ms(f"stages_a_{fmt}"), get_ms, list(zip(diag, tbh)))
        out[f"b_{fmt}"] = interleaved(
            staged_ms(f"stages_b_{fmt}"), get_ms, list(zip(diag + diag, tbh + tbh))
        )
        others = spread(mine, samples, offset=1)
        ser = [query(PLUGIN + "/series", run=r, tag=t) for r, t, _ in others]
        tbo = [query(TB_HISTOGRAMS, run=r, tag=t) for r, t, _ in others]
        out[f"d_{fmt}"] = interleaved(get_ms, get_ms, list(zip(ser, tbo)))
    return out


def whole_experiment(tb: TensorBoard, scale: dict, tb_fraction: float) -> dict:
    """(c) and (e) on a freshly loaded TensorBoard: TB's route over the series (pass 1), the
    plugin cold, TB's route again (pass 2, other series), the plugin warm; RSS around it."""
    everything = series_list(scale)
    n = len(everything)
    per_pass = max(1, round(n * tb_fraction / 2)) if tb_fraction < 1 else n
    pass1 = spread(everything, per_pass)
    pass2 = spread(everything, per_pass, offset=1) if tb_fraction < 1 else everything
    out: dict = {"series": n, "tb_sampled": per_pass, "tb_fraction": tb_fraction}
    ms1 = [ok_get(tb, query(TB_HISTOGRAMS, run=r, tag=t)) * 1000 for r, t, _ in pass1]
    time.sleep(1.0)  # let TensorBoard's own garbage settle before the baseline
    out["rss_before_mb"] = tb.rss_mb()
    out["rss_children_before_mb"] = tb.rss_mb(children=True) - out["rss_before_mb"]
    headers: dict = {}
    out["cold_ms"] = ok_get(tb, PLUGIN + "/diagnostics", headers) * 1000
    out["cold_stages"] = parse_header(headers.get("server-timing", ""))
    out["rss_after_cold_mb"] = tb.rss_mb()
    ms2 = [ok_get(tb, query(TB_HISTOGRAMS, run=r, tag=t)) * 1000 for r, t, _ in pass2]
    out["warm_ms"] = [ok_get(tb, PLUGIN + "/diagnostics") * 1000 for _ in range(5)]
    out["rss_after_mb"] = tb.rss_mb()
    out["rss_children_after_mb"] = tb.rss_mb(children=True) - out["rss_after_mb"]
    # The sum over all series, extrapolated from the passes' mean per series when sampled.
    out["tb_sum_ms"] = [sum(ms1) * n / len(ms1), sum(ms2) * n / len(ms2)]
    out["tb_per_series_ms"] = ms1 + ms2
    body = tb.json(PLUGIN + "/diagnostics")
    out["diagnosed"] = sum(len(r["tags"]) for r in body["runs"])
    return out


def in_process(logdir: str, scale: dict, samples: int, ttl_env: dict) -> dict:
    """(a) and (b) without HTTP: the plugin's and TensorBoard's route handlers called in this
    process (werkzeug's test client, no sockets) over one Rust data server, interleaved; plus
    reading every step alone (what no design can skip), the plugin's packed read
    (``tensor_tables.iter_tables``) against TensorBoard's ``read_tensors``."""
    from bench_profile import rust_provider
    from tensorboard import context
    from tensorboard.data import provider as tb_provider
    from tensorboard.plugins import base_plugin
    from tensorboard.plugins.histogram import histograms_plugin
    from werkzeug.test import Client

    from tb_histdiag.plugin import HistDiagPlugin
    from tb_histdiag.reading.tensor_tables import iter_tables
    from tb_histdiag.reading.transport import without_stalls

    os.environ.update(ttl_env)  # the plugin reads its listing TTL from the environment
    provider, ingester = rust_provider(logdir, scale["runs"] * scale["tags"], scale["steps"] - 1)
    try:
        tb_context = base_plugin.TBContext(
            data_provider=provider, logdir=logdir, sampling_hints={"histograms": 0}
        )

        def client(plugin: base_plugin.TBPlugin, prefix: str) -> Client:
            apps = plugin.get_plugin_apps()

            def app(environ, start_response):
                return apps[environ["PATH_INFO"][len(prefix) :]](environ, start_response)

            return Client(app)

        mine = client(HistDiagPlugin(tb_context), PLUGIN)
        theirs = client(histograms_plugin.HistogramsPlugin(tb_context), "/data/plugin/histograms")
        ctx = context.RequestContext()

        def timed(c: Client, path: str) -> float:
            start = time.perf_counter()
            response = c.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path}: {response.status_code}")
            return (time.perf_counter() - start) * 1000

        def read_ms(p: object, run: str, tag: str, downsample: int) -> float:
            start = time.perf_counter()
            p.read_tensors(
                ctx,
                experiment_id="",
                plugin_name="histograms",
                downsample=downsample,
                run_tag_filter=tb_provider.RunTagFilter(runs=[run], tags=[tag]),
            )
            return (time.perf_counter() - start) * 1000

        nudger = without_stalls(provider).nudger  # as the plugin reads one series

        def packed_ms(run: str, tag: str) -> float:
            start = time.perf_counter()
            list(iter_tables(provider, ctx, "", "histograms", run, [tag], 10_000, nudger))
            return (time.perf_counter() - start) * 1000

        out: dict = {}
        # TensorBoard's transport stall and the plugin's workaround (tb_histdiag/reading/transport.py):
        # the listing of every series and 51-step reads, through the provider and nudged.
        nudged = without_stalls(provider)
        probe = [s for s in series_list(scale) if s[2] == "tf2"][:10] or series_list(scale)[:10]
        for key, p in (("plain", provider), ("nudged", nudged)):
            out[f"list_{key}"] = []
            out[f"read51_{key}"] = []
            for r, t, _ in probe:
                start = time.perf_counter()
                p.list_tensors(ctx, experiment_id="", plugin_name="histograms")
                out[f"list_{key}"].append((time.perf_counter() - start) * 1000)
                out[f"read51_{key}"].append(read_ms(p, r, t, 51))
        everything = series_list(scale)
        for fmt in ("torch", "tf2"):
            mine_series = [x for x in everything if x[2] == fmt]
            if not mine_series:
                continue
            cold = spread(mine_series, samples, offset=2)
            pairs = [
                (query(PLUGIN + "/diagnostics", run=r, tag=t), query(TB_HISTOGRAMS, run=r, tag=t))
                for r, t, _ in cold
            ]
            for key, rounds in ((f"a_{fmt}", 1), (f"b_{fmt}", 2)):
                out[key] = interleaved(
                    lambda path: timed(mine, path), lambda path: timed(theirs, path), pairs * rounds
                )
            # Reading every step: the plugin's packed read vs TensorBoard's read_tensors.
            out[f"packed_{fmt}"], out[f"read_{fmt}"] = interleaved(
                lambda rt: packed_ms(*rt),
                lambda rt: read_ms(provider, *rt, 10_000),
                [((r, t), (r, t)) for r, t, _ in cold],
            )
        return out
    finally:
        stdin = getattr(ingester, "_stdin_handle", None)
        if stdin is not None:
            stdin.close()  # the data server exits when its stdin closes


def cli_time(logdir: str) -> float:
    """Seconds for ``tb-histdiag LOGDIR --format json`` (output to a file)."""
    out = os.path.join(CACHE, "cli.json")
    start = time.monotonic()
    result = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "tb-histdiag"),
            logdir,
            "--format",
            "json",
            "--output",
            out,
        ],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    seconds = time.monotonic() - start
    if result.returncode not in (0, 1):
        raise RuntimeError(f"tb-histdiag failed ({result.returncode}): {result.stderr[-500:]}")
    return seconds


def versions() -> dict:
    """Versions of what was measured."""
    import numpy
    import tensorboard

    from tb_histdiag import __version__

    out = {
        "tb_histdiag": __version__,
        "tensorboard": tensorboard.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }
    try:
        import torch

        out["torch"] = torch.__version__
    except ImportError:
        pass
    with contextlib.suppress(OSError, subprocess.SubprocessError):  # only (g) needs chromium
        out["chromium"] = subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    return out


def machine() -> str:
    """CPU model, cores and memory."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), ""
            )
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model or platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", default=os.environ.get("SCALE", "S,L"), help="S, L or S,L")
    p.add_argument("--loaders", default="auto,false", help="auto (Rust), false (Python) or both")
    p.add_argument("--samples", type=int, default=30, help="cold series per format (a, d)")
    p.add_argument(
        "--tb-fraction",
        type=float,
        default=None,
        help="share of series timed through TB's route for (c) (default: all on S, 0.2 on L)",
    )
    p.add_argument("--listing-ttl", type=float, default=1.0, help="TB_HISTDIAG_LISTING_TTL")
    p.add_argument(
        "--browser-trials", type=int, default=4, help="(g) page loads per logdir; 0 skips"
    )
    p.add_argument("--skip-cli", action="store_true")
    p.add_argument("--out", default=os.path.join(REPO, "docs", "benchmarks.md"))
    p.add_argument("--json", default=os.path.join(CACHE, "results.json"))
    p.add_argument(
        "--merge",
        action="store_true",
        help="keep the other measurements of the last run (--json) and replace only these",
    )
    p.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: write --out again from the raw numbers in --json",
    )
    args = p.parse_args(argv)
    if args.render_only:
        with open(args.json, encoding="utf-8") as f:
            write_report(render(json.load(f)), args.out)
        return 0

    scales = [s.strip() for s in args.scale.split(",") if s.strip()]
    loaders = [s.strip() for s in args.loaders.split(",") if s.strip()]
    ttl_env = {"TB_HISTDIAG_LISTING_TTL": str(args.listing_ttl)}
    results: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(),
        "args": vars(args),
        "command": " ".join(sys.argv[1:] if argv is None else argv),
        "load_average_start": os.getloadavg(),
        "scales": {},
    }
    if args.merge and os.path.exists(args.json):
        with open(args.json, encoding="utf-8") as f:
            previous = json.load(f)
        results["scales"] = previous.get("scales", {})
        if "browser" in previous:
            results["browser"] = previous["browser"]
        results["merged_from"] = previous.get("date")
    for name in scales:
        scale = bench_data.SCALES[name]
        logdir = bench_data.ensure_logdir(name, CACHE)
        res: dict = {
            "spec": scale,
            "mb": bench_data.logdir_bytes(logdir) / 1e6,
            "loaders": {},
        }
        fraction = args.tb_fraction
        if fraction is None:
            fraction = 1.0 if scale["runs"] * scale["tags"] <= 200 else 0.2
        for loader in loaders:
            print(f"== {name} / load_fast={loader}", flush=True)
            lres: dict = {}
            tb = TensorBoard(logdir, loader, env=ttl_env)
            try:
                lres["load_s"] = [tb.wait_loaded(scale["runs"], scale["tags"], scale["steps"] - 1)]
                lres.update(per_series(tb, scale, args.samples))
            finally:
                tb.stop()
            tb = TensorBoard(logdir, loader, env=ttl_env)
            try:
                lres["load_s"].append(
                    tb.wait_loaded(scale["runs"], scale["tags"], scale["steps"] - 1)
                )
                lres["whole"] = whole_experiment(tb, scale, fraction)
            finally:
                tb.stop()
            res["loaders"][loader] = lres
            print(json.dumps(summary_rows(name, loader, res, lres), indent=0), flush=True)
        if "auto" in loaders:
            print(f"== {name} / in process (no HTTP), Rust data server", flush=True)
            res["in_process"] = in_process(logdir, scale, args.samples, ttl_env)
        if not args.skip_cli:
            print(f"== {name} / tb-histdiag CLI", flush=True)
            res["cli_s"] = cli_time(logdir)
        results["scales"][name] = res
    if args.browser_trials > 0:
        results["browser"] = {}
        for name in ("S", "T2000"):
            print(f"== browser / {name}", flush=True)
            scale = bench_data.SCALES[name]
            logdir = bench_data.ensure_logdir(name, CACHE)
            results["browser"][name] = browser_times(logdir, scale, args.browser_trials, ttl_env)
    results["load_average_end"] = os.getloadavg()
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    write_report(render(results), args.out)
    print(f"raw numbers: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
