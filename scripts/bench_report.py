"""``make bench``'s report: the raw numbers of ``scripts/bench.py`` rendered as the Markdown of
``docs/benchmarks.md`` (``python scripts/bench.py --render-only`` renders them again).
"""

from __future__ import annotations

from bench_common import loadtest_block, median

LOADERS = {"auto": "default (Rust data server)", "false": "--load_fast=false (Python)"}


def fmt_ms(values: list[float]) -> str:
    """``median [min–max]`` in milliseconds."""
    if not values:
        return "-"
    return f"{median(values):.1f} [{min(values):.1f}–{max(values):.1f}]"


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
    '  (`tb_histdiag/reading/tensor_tables.py`; rows "of (a)" in the in-process tables, packed read vs',
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
    '  (`check` in its row "of (c)"; `tb_histdiag/reading/logdir_check.py`): every record\'s framing,',
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
    '  (`tb_histdiag/reading/transport.py`; the in-process rows "nudged vs plain" show it). On L the',
    "  listing of all 1,000 series stays slow with the nudges too (not understood yet); a",
    "  single-series request never waits for that listing anyway (next point).",
    "- Listings are reused for `TB_HISTDIAG_LISTING_TTL` seconds (`CachedListings` in",
    "  `tb_histdiag/reading/listing.py`). A request for one series takes the tag names from a listing up",
    "  to 30 s old (refreshed in the background) and, past the TTL, lists its own series alone",
    "  (~0.3 ms) for a fresh cache key: no single-series request waits for a full listing.",
    "- The cache keeps one compact `TagDiagnosis` per (run, tag, last step, last wall time)",
    "  (no buckets), LRU-bounded by `Diagnoser(cache_size=4096)` entries.",
    "  `python scripts/bench_memory.py S` measures it with tracemalloc: ~11 kB per entry",
    "  (200 steps), so ~11 MB for 1,000 series and ~46 MB at the 4,096-entry limit. The",
    "  (e) rows are TensorBoard's VmRSS delta, which also holds what the allocator keeps after",
    "  the transient read buffers are freed (up to 2 concurrent reads, `READ_SLOTS` in",
    "  `reading/reader.py`), so they vary from run to run. After each run read in chunks the plugin hands",
    "  free heap pages back (`tb_histdiag/reading/memory.py`, `malloc_trim`), but that cannot shrink the",
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
