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
sides. The table is printed and written to ``docs/benchmarks.md`` (``--out``).

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
from bench_common import (
    CACHE,
    PLUGIN,
    REPO,
    TB_HISTOGRAMS,
    TensorBoard,
    loadtest_block,
    median,
    query,
)

from tb_histdiag.timing import parse_header

LOADERS = {"auto": "default (Rust data server)", "false": "--load_fast=false (Python)"}


def fmt_ms(values: list[float]) -> str:
    """``median [min–max]`` in milliseconds."""
    if not values:
        return "-"
    return f"{median(values):.1f} [{min(values):.1f}–{max(values):.1f}]"


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
    from tb_histdiag.tensor_tables import iter_tables
    from tb_histdiag.transport import without_stalls

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
        # TensorBoard's transport stall and the plugin's workaround (tb_histdiag/transport.py):
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


def browser_times(logdir: str, scale: dict, trials: int, ttl_env: dict) -> dict:
    """(g): open the tab in headless chromium ``trials`` times (the first on a cold plugin)."""
    from playwright.sync_api import sync_playwright

    tb = TensorBoard(logdir, "auto", env=ttl_env)
    out: dict = {"tags": scale["runs"] * scale["tags"], "trials": []}
    try:
        out["load_s"] = tb.wait_loaded(scale["runs"], scale["tags"], scale["steps"] - 1)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            try:
                for trial in range(trials):
                    out["trials"].append(_one_page(browser, tb, trial == 0))
            finally:
                browser.close()
    finally:
        tb.stop()
    return out


#: Installed in every frame before any script runs. Inside the tab's iframe it watches, once per
#: animation frame, for the first card under ``[data-ready=true]`` with a layout box, then queues
#: a task: when that task runs the main thread is free, i.e. the card can react to input. Timing
#: in the page avoids counting Playwright's own polling delay (~0.1-0.3 s here).
_READY_PROBE = """(() => {
  if (!location.pathname.endsWith("plugin_entry.html")) return;
  const check = () => {
    const card = document.querySelector('[data-ready="true"] [data-testid="tag-row"]');
    if (card && card.getBoundingClientRect().height > 0) {
      const seen = performance.now();
      setTimeout(() => { window.__tbhdReady = { seen, free: performance.now() }; }, 0);
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"""

#: Read back in the iframe: the probe's times, when the diagnostics response ended (resource
#: timing, independent of the app's own marks), and the app's marks whatever their names.
_RESULT = """() => {
  const res = performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/data/plugin/tb_histdiag/diagnostics"));
  return { ready: window.__tbhdReady || null,
           dataEnd: res.length ? res[res.length - 1].responseEnd : null,
           marks: performance.getEntriesByType("mark").map((e) => [e.name, e.startTime]),
           cards: document.querySelectorAll('[data-testid="tag-row"]').length,
           nodes: document.getElementsByTagName("*").length };
}"""


def _one_page(browser, tb: TensorBoard, cold: bool) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.add_init_script(_READY_PROBE)
        start = time.monotonic()
        page.goto(f"http://127.0.0.1:{tb.port}/#tb_histdiag")
        iframe = page.wait_for_selector(
            'iframe[src*="plugin_entry.html?name=tb_histdiag"]', timeout=60_000
        )
        frame = iframe.content_frame()
        frame.wait_for_function("() => !!window.__tbhdReady", timeout=300_000, polling=100)
        visible = time.monotonic()
        probe = frame.evaluate(_RESULT)
        # And a real input: a click on the first card opens its detail view.
        card = frame.locator('[data-ready="true"] [data-testid="tag-row"]').first
        click = time.monotonic()
        card.click()
        frame.wait_for_selector('[data-testid="detail-view"]', state="visible", timeout=30_000)
        clicked = time.monotonic()
        data_end = probe["dataEnd"] or 0.0
        marks = {name: t - data_end for name, t in probe["marks"]}
        return {
            "cold": cold,
            "open_to_ready_ms": (visible - start) * 1000,
            "data_to_visible_ms": probe["ready"]["seen"] - data_end,
            "data_to_interactive_ms": probe["ready"]["free"] - data_end,
            "marks_after_data_ms": marks,
            "click_to_detail_ms": (clicked - click) * 1000,
            "cards": probe["cards"],
            "nodes": probe["nodes"],
        }
    finally:
        page.close()


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


def write_report(text: str, out: str) -> None:
    """Write the report to ``out``, keeping the section ``make loadtest`` wrote there."""
    kept = loadtest_block(out)
    if kept:
        text = text.rstrip("\n") + "\n\n" + kept + "\n"
    print(text)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {out}")


def pair_row(what: str, pair: tuple[list[float], list[float]], target: str) -> list[str]:
    """A table row for interleaved plugin (A) and TensorBoard (B) timings."""
    a, b = pair
    ratio = f"{median(a) / median(b):.3f}×" if median(b) else "-"
    return [what, fmt_ms(a), fmt_ms(b), ratio, target]


def stages_row(which: str, stages: list[dict], tb_ms: float) -> list[str]:
    """The medians of the plugin route's ``Server-Timing`` stages of measurement ``which``; the
    ratio is its ``total`` (no HTTP round trip) over TensorBoard's route as the client timed it."""
    names = [
        n for n in ("list", "read", "diagnose", "json", "total") if any(n in s for s in stages)
    ]
    medians = {n: median([s[n] for s in stages if n in s]) for n in names}
    return [
        f"of ({which}): inside the plugin's route (`Server-Timing` {' / '.join(names)})",
        " / ".join(f"{medians[n]:.1f}" for n in names),
        "",
        f"{medians['total'] / tb_ms:.3f}×" if tb_ms and "total" in medians else "-",
        "-",
    ]


def round_trip_ms(lres: dict) -> list[float]:
    """Per request of (a) and (b): the client's time minus the route's own ``Server-Timing``
    total, i.e. what the HTTP round trip through TensorBoard's server cost that request."""
    out = []
    for key in ("a_torch", "b_torch", "a_tf2", "b_tf2"):
        client = lres.get(key, ([], []))[0]
        stages = lres.get(f"stages_{key}") or []
        out += [ms - st["total"] for ms, st in zip(client, stages) if "total" in st]
    return out


def summary_rows(name: str, loader: str, res: dict, lres: dict) -> list[list[str]]:
    """Table rows (what, plugin, TensorBoard, ratio, target) for one scale and loader."""
    rows = []

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.3f}×" if b else "-"

    for fmt, label in (("torch", "PyTorch (legacy, ~600 buckets)"), ("tf2", "TF2 (30 buckets)")):
        if f"a_{fmt}" not in lres:
            continue
        rows.append(pair_row(f"(a) cold, one series, {label}", lres[f"a_{fmt}"], "≤ 0.1×"))
        if lres.get(f"stages_a_{fmt}"):
            rows.append(stages_row("a", lres[f"stages_a_{fmt}"], median(lres[f"a_{fmt}"][1])))
        rows.append(pair_row(f"(b) cached, one series, {label}", lres[f"b_{fmt}"], "≤ 0.01×"))
        if lres.get(f"stages_b_{fmt}"):
            rows.append(stages_row("b", lres[f"stages_b_{fmt}"], median(lres[f"b_{fmt}"][1])))
        rows.append(pair_row(f"(d) `/series`, {label}", lres[f"d_{fmt}"], "-"))
    floor = median(lres["floor_ms"])
    rows.append(["HTTP floor: `/data/environment` (new connection)", f"{floor:.1f}", "", "", ""])
    outside = round_trip_ms(lres)
    if outside:
        rows.append(
            [
                "HTTP round trip of the plugin's requests: client time − `Server-Timing` total,"
                " (a) and (b)",
                fmt_ms(outside),
                "",
                "",
                "",
            ]
        )
    w = lres["whole"]
    tb_sum = sum(w["tb_sum_ms"]) / len(w["tb_sum_ms"])
    sampled = (
        ""
        if w["tb_fraction"] >= 1
        else f" (TB: {w['tb_sampled']}×2 of {w['series']} series timed, extrapolated)"
    )
    rows.append(
        [
            f"(c) whole experiment cold, {w['series']} series{sampled}",
            f"{w['cold_ms']:.0f}",
            f"{tb_sum:.0f}",
            ratio(w["cold_ms"], tb_sum),
            "≤ 0.1×",
        ]
    )
    if w.get("cold_stages"):
        names = [n for n in ("read", "diagnose", "check", "json", "total") if n in w["cold_stages"]]
        rows.append(
            [
                f"of (c) cold: inside the plugin's route (`Server-Timing` {' / '.join(names)})",
                " / ".join(f"{w['cold_stages'][n]:.0f}" for n in names),
                "",
                "",
                "-",
            ]
        )
    rows.append(
        [
            f"(c) whole experiment warm, {w['series']} series",
            fmt_ms(w["warm_ms"]),
            f"{tb_sum:.0f}",
            ratio(median(w["warm_ms"]), tb_sum),
            "-",
        ]
    )
    extra = w["rss_after_mb"] - w["rss_before_mb"]
    rows.append(
        [
            f"(e) extra RSS of TensorBoard after diagnosing {w['diagnosed']} series (MB)",
            f"{extra:.1f}",
            f"{w['rss_before_mb']:.0f} before",
            "",
            "≤ 50 MB / 1,000",
        ]
    )
    load = median(lres["load_s"])
    rows.append(["TensorBoard load time (s)", "", f"{load:.1f}", "", ""])
    if "cli_s" in res:
        rows.append(
            [
                "(f) `tb-histdiag LOGDIR --format json` (s)",
                f"{res['cli_s']:.1f}",
                f"{load:.1f}",
                ratio(res["cli_s"], load),
                "-",
            ]
        )
    return rows


def in_process_rows(ip: dict) -> list[list[str]]:
    """Rows of the in-process table."""
    rows = []
    for fmt, label in (("torch", "PyTorch (legacy, ~600 buckets)"), ("tf2", "TF2 (30 buckets)")):
        if f"a_{fmt}" not in ip:
            continue
        for key, what, target in (("a", "cold", "≤ 0.1×"), ("b", "cached", "≤ 0.01×")):
            rows.append(
                pair_row(f"({key}) {what}, one series, {label}", ip[f"{key}_{fmt}"], target)
            )
        tb_cold = median(ip[f"a_{fmt}"][1])
        for key, what in (("packed", "packed read"), ("read", "`read_tensors`")):
            if f"{key}_{fmt}" in ip:
                read = ip[f"{key}_{fmt}"]
                rows.append(
                    [
                        f"of (a): reading every step alone ({what}), {label}",
                        fmt_ms(read),
                        fmt_ms(ip[f"a_{fmt}"][1]),
                        f"{median(read) / tb_cold:.3f}×",
                        "-",
                    ]
                )
    if "list_plain" in ip:
        for key, what in (
            ("list", "`list_tensors` of all series"),
            ("read51", "`read_tensors` of 51 steps of a TF2 series"),
        ):
            rows.append(
                [
                    f"{what}: nudged (tb_histdiag) vs plain provider",
                    fmt_ms(ip[f"{key}_nudged"]),
                    fmt_ms(ip[f"{key}_plain"]),
                    f"{median(ip[f'{key}_nudged']) / median(ip[f'{key}_plain']):.3f}×",
                    "-",
                ]
            )
    return rows


NOTES = [
    "## How the numbers come about",
    "",
    "- A cold diagnosis reads **every** logged step of the series (downsample 10,000) while",
    "  TensorBoard's route reads 51. Through the Rust data server the plugin asks the same",
    "  `ReadTensors` question as TensorBoard's provider but joins each series' raw tensor bytes",
    "  into one table instead of one `tensor_util.make_ndarray` array per step",
    '  (`tb_histdiag/tensor_tables.py`; rows "of (a)" in the in-process tables, packed read vs',
    "  `read_tensors`); the compaction, statistics, verdicts and JSON come on top",
    "  (`python scripts/bench_profile.py S --cprofile` shows the split per stage).",
    "- Where a cold request's time goes: the rows \"of (a): inside the plugin's route\" are the",
    "  medians of the plugin's `Server-Timing` header over the same requests (`list`: the series'",
    "  last step, the cache key; `read`: waiting for the provider's data and compacting it,",
    "  `diagnose`: statistics and verdicts, `json`). What the client sees beyond `total` is the",
    "  HTTP round trip through TensorBoard's server, which every route pays: the row \"HTTP round",
    "  trip of the plugin's requests\" gives it per request (client time minus the route's own",
    "  total), ~1 ms. For PyTorch series the read (200 steps of ~300-600 float64 buckets, up to",
    "  2.7 MB through gRPC) is the larger part.",
    "- Statistics and compaction skip what well-formed data does not need: whole-array sums stand",
    "  in for per-row finiteness checks, no cleaned or masked copies are made when every step is",
    "  finite and valid, the three CDF probes work in place, and the padded bucket arrays are",
    "  filled through a mask. Results are bit-identical to before (checked on the bench series",
    "  and 3,000 random malformed tables); in process the statistics of a PyTorch series take",
    "  0.72-0.85× and its compaction 0.5-0.6× of their former time.",
    "- Measuring those parts in a fresh Python process overstates the read: there a 2.7 MB",
    "  PyTorch read page-faults ~1,400 times (glibc hands large freed buffers back to the kernel",
    "  and faults them in again), ~2 ms per series. Inside TensorBoard, whose heap its own",
    "  routes have grown, the same request faults 3-9 times, and raising glibc's mmap and trim",
    "  thresholds from the plugin (tried) gained nothing there, so the allocator is left alone.",
    "- Every run's loss scalar comes from one shared listing of all runs (reused for the listing",
    "  TTL), not a listing per run: on L, with 20 runs, nearly every single-series request had",
    "  paid a `list_scalars` call of its own (~0.7 ms).",
    "- The cold whole-experiment request (c) also checks the logdir's event files for damage",
    '  (`check` in its row "of (c)"; `tb_histdiag/logdir_check.py`): every record\'s framing,',
    "  and payload checksums of files up to 32 MB. The files are walked through a memory map",
    "  (on L this took 2.4 s with a read call per record, ~0.45 s mapped) and later requests only",
    "  re-walk files that changed, from where the last check stopped when a file only grew.",
    "  `read` there is the request thread waiting for chunks that a second thread reads and",
    "  compacts: both sides are Python holding the GIL most of the time, so two runs diagnosed",
    "  at once were no faster (tried in process on S).",
    "- Why not read fewer steps: the provider's downsampling is a random subset that always",
    "  keeps the last step but not the first ones, and several verdicts compare with the first",
    "  logged step. Scored on the labelled corpus (100 logged steps per run,",
    "  `python scripts/eval.py --max-steps N`): with 64 steps read every verdict is still found,",
    "  with 40 every `exploding` is missed (its growth is measured from whichever step came",
    "  first). The plugin reads everything TensorBoard kept.",
    "- TensorBoard's data server answers mid-sized gRPC calls ~40-45 ms late (a listing of more",
    "  than four series, 51 steps of a TF2 histogram, sometimes a 200-step TF2 read): Nagle's",
    "  algorithm in the server holding the last segment, delayed ACKs in the client. That stall",
    "  is most of TensorBoard's own route time for TF2 series. The plugin sends a tiny request",
    "  (`list_runs`) 3 ms into each listing or one-series read, then at doubling intervals, and",
    "  that request carries the ACK (multi-tag chunk reads are megabytes and never stall)",
    '  (`tb_histdiag/transport.py`; the in-process rows "nudged vs plain" show it). On L the',
    "  listing of all 1,000 series stays slow with the nudges too (not understood yet); a",
    "  single-series request never waits for that listing anyway (next point).",
    "- Listings are reused for `TB_HISTDIAG_LISTING_TTL` seconds (`CachedListings` in",
    "  `tb_histdiag/series.py`). A request for one series takes the tag names from a listing up",
    "  to 30 s old (refreshed in the background) and, past the TTL, lists its own series alone",
    "  (~0.3 ms) for a fresh cache key: no single-series request waits for a full listing.",
    "- The cache keeps one compact `TagDiagnosis` per (run, tag, last step, last wall time)",
    "  (no buckets), LRU-bounded by `Diagnoser(cache_size=4096)` entries.",
    "  `python scripts/bench_memory.py S` measures it with tracemalloc: ~11 kB per entry",
    "  (200 steps), so ~11 MB for 1,000 series and ~46 MB at the 4,096-entry limit. The",
    "  (e) rows are TensorBoard's VmRSS delta, which also holds what the allocator keeps after",
    "  the transient read buffers are freed (up to 2 concurrent reads, `READ_SLOTS` in",
    "  `series.py`), so they vary from run to run. After each run read in chunks the plugin hands",
    "  free heap pages back (`tb_histdiag/memory.py`, `malloc_trim`), but that cannot shrink the",
    "  top of a reading thread's glibc arena, which keeps the largest answer it held: chunks are",
    "  therefore sized to ~6 MB of tables (`READ_CHUNK_BYTES`; 2 PyTorch tags, 20 TF2 tags per",
    "  call). In process on L, four cold passes over all 1,000 series left the process 52-64 MB",
    "  larger with that sizing, 92-137 MB with the former 10 tags per call, and were no slower",
    "  (4.6 s against 5.1 s).",
    "- The cached floor over HTTP is the round trip through werkzeug's server and TensorBoard's",
    "  middleware (~1 ms per request, see its row; TensorBoard's own `/data/environment` takes",
    "  about as long), already 0.015-0.04× of TensorBoard's histograms route: 0.01× over HTTP",
    "  is out of reach for any route served by TensorBoard's server on this machine. The rows",
    '  "of (b)" give the route\'s own `Server-Timing` total for a cached answer (0.3-0.5 ms).',
    "  The same floor decides (a) over HTTP: at 0.1× of TensorBoard's ~48 ms for a TF2 series,",
    "  the round trip leaves ~3.7 ms for the route itself.",
    "- With `--load_fast=false` TensorBoard's route for a TF2 series answers in ~7-10 ms (51",
    "  steps of 30 buckets from its own memory, no gRPC and so no stall), so 0.1× of it",
    "  (~0.7-1 ms) is no more than the HTTP round trip alone: no request through TensorBoard's",
    "  server can meet (a) or (b) there.",
]


def render(results: dict) -> str:
    """The Markdown report."""
    v = results["versions"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`scripts/bench.py`); do not edit by hand. Ratios are the plugin's",
        "cost over TensorBoard's own `/data/plugin/histograms/histograms?run&tag` route (51 steps per",
        "series, all buckets) measured in the same run on the same server, interleaved A/B/A/B.",
        "Times are client wall time per request (new connection, no gzip), `median [min–max]` ms.",
        "",
        f"- date: {results['date']}",
        f"- machine: {results['machine']}",
        "- versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- command: `make bench` = `python scripts/bench.py {results.get('command', '')}`".rstrip(),
        f"- plugin listing cache: `TB_HISTDIAG_LISTING_TTL={results['args']['listing_ttl']}` s",
        *(
            [f"- sections not re-measured here are from the run of {results['merged_from']}"]
            if results.get("merged_from")
            else []
        ),
        "- machine load (1-min load average) at start / end: "
        + " / ".join(
            f"{results[k][0]:.1f}"
            for k in ("load_average_start", "load_average_end")
            if k in results
        )
        + " (other jobs shared the 2 cores: read ranges with that in mind)",
        "",
        *NOTES,
        "",
    ]
    for name, res in results.get("scales", {}).items():
        spec = res["spec"]
        lines += [
            f"## {name}: {spec['runs']} runs × {spec['tags']} tags × {spec['steps']} steps "
            f"({res['mb']:.0f} MB; even runs PyTorch `add_histogram`, odd runs TF2 `histogram_pb`)",
            "",
        ]
        for loader, lres in res["loaders"].items():
            lines += [
                f"### TensorBoard loader: {LOADERS.get(loader, loader)}",
                "",
                "| measurement | tb_histdiag | TensorBoard | ratio | target |",
                "| --- | --- | --- | --- | --- |",
            ]
            for row in summary_rows(name, loader, res, lres):
                lines.append("| " + " | ".join(row) + " |")
            lines.append("")
        if "in_process" in res:
            lines += [
                "### In process, no HTTP (Rust data server)",
                "",
                "Both route handlers called through werkzeug's test client in one process: the",
                "plugin's own cost without the socket round trip both sides pay.",
                "",
                "| measurement | tb_histdiag | TensorBoard | ratio | target |",
                "| --- | --- | --- | --- | --- |",
            ]
            for row in in_process_rows(res["in_process"]):
                lines.append("| " + " | ".join(row) + " |")
            lines.append("")
    if "browser" in results:
        lines += [
            "## (g) The tab in headless chromium",
            "",
            "Trial 1 is cold (the plugin diagnoses everything for that page load), the others warm.",
            "**data→interactive** is the target's measure: from the end of the `/diagnostics`",
            "response (resource timing) until the first card under `[data-ready=true]` has a",
            "layout box and a task queued then has run (the main thread is free), timed inside",
            "the page. `open→ready` includes loading TensorBoard itself and the diagnostics;",
            "`click→detail`: a click on the first card until its detail view is visible",
            "(Playwright round trips included).",
            "",
            "| tags | trial | open→ready (ms) | data→card visible (ms) | data→interactive (ms) | click→detail (ms) | cards in DOM | DOM nodes |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for _name, b in results["browser"].items():
            for i, t in enumerate(b["trials"]):
                lines.append(
                    f"| {b['tags']} | {i + 1}{' (cold)' if t['cold'] else ''} | "
                    f"{t['open_to_ready_ms']:.0f} | {t['data_to_visible_ms']:.0f} | "
                    f"{t['data_to_interactive_ms']:.0f} | {t['click_to_detail_ms']:.0f} | "
                    f"{t['cards']} | {t['nodes']} |"
                )
            warm = [t["data_to_interactive_ms"] for t in b["trials"] if not t["cold"]]
            if warm:
                lines.append(f"| {b['tags']} | warm median | | | **{median(warm):.0f}** | | | |")
        lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
