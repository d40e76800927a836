"""In-process profile of one cold diagnosis: where the time goes between the provider and JSON.

Starts TensorBoard's Rust data server over a bench logdir (no HTTP), then times each stage for
distinct series: the packed read (``tensor_tables.iter_tables``), ``series_from_tables``,
``stats.compute``, the rules, and the
whole ``Diagnoser.diagnose_run`` for one tag. ``python scripts/bench_profile.py [S|L] [--cprofile]``.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_data
from bench_common import CACHE, median


def rust_provider(logdir: str, series: int, last_step: int):
    """Start the Rust data server over ``logdir``; return (provider, ingester) once loaded."""
    from tensorboard import context
    from tensorboard.data import server_ingester
    from tensorboard.util import grpc_util

    ingester = server_ingester.SubprocessServerDataIngester(
        server_binary=server_ingester.get_server_binary(),
        logdir=logdir,
        reload_interval=5,
        channel_creds_type=grpc_util.ChannelCredsType.LOCAL,
        samples_per_plugin={"histograms": 0},
    )
    ingester.start()
    provider = ingester.data_provider
    ctx = context.RequestContext()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        listing = provider.list_tensors(ctx, experiment_id="", plugin_name="histograms")
        done = sum(1 for t in listing.values() for ts in t.values() if ts.max_step == last_step)
        if done >= series:
            return provider, ingester
        time.sleep(0.5)
    raise TimeoutError("data server did not load")


def main() -> None:
    from tensorboard import context

    from tb_histdiag import verdicts as rules
    from tb_histdiag.engine import stats
    from tb_histdiag.engine.diagnosis import Diagnoser, diagnose_series
    from tb_histdiag.engine.roles import assign_roles
    from tb_histdiag.reading.reader import HistogramReader
    from tb_histdiag.reading.series import series_from_tables
    from tb_histdiag.reading.tensor_tables import iter_tables

    name = sys.argv[1] if len(sys.argv) > 1 else "S"
    scale = bench_data.SCALES[name]
    logdir = bench_data.ensure_logdir(name, CACHE)
    provider, ingester = rust_provider(logdir, scale["runs"] * scale["tags"], scale["steps"] - 1)
    ctx = context.RequestContext()
    reader = HistogramReader(provider, {"histograms": 0})
    index = reader.index(ctx, "")

    for fmt in ("torch", "tf2"):
        runs = [r for r in index if r.endswith(fmt)]
        times: dict[str, list[float]] = {
            k: [] for k in ("list", "read", "series", "stats", "rules", "diag")
        }
        for i in range(20):
            run = runs[i % len(runs)]
            tag = sorted(index[run])[i // len(runs) * 4 % scale["tags"]]
            t0 = time.perf_counter()
            reader.index(ctx, "")
            t1 = time.perf_counter()
            tables = dict(iter_tables(provider, ctx, "", "histograms", run, [tag], 10_000))[tag]
            t2 = time.perf_counter()
            series = series_from_tables(run, tag, tables)
            t3 = time.perf_counter()
            s = stats.compute(
                series.steps, series.left, series.right, series.counts, series.nonfinite
            )
            t4 = time.perf_counter()
            role = assign_roles([tag])[tag]
            rules.apply_rules(s, role.role, rules.DEFAULT_THRESHOLDS)
            t5 = time.perf_counter()
            diagnose_series(series, role)
            t6 = time.perf_counter()
            for k, v in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
                times[k].append(v * 1000)
        print(
            fmt, {k: round(median(v), 2) for k, v in times.items()}, "buckets", series.counts.shape
        )
        if "--cprofile" in sys.argv:
            d = Diagnoser(reader)
            prof = cProfile.Profile()
            prof.enable()
            for run in runs[:2]:
                d.diagnose_run(ctx, "", run, index[run])
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
    stdin = getattr(ingester, "_stdin_handle", None)
    if stdin is not None:
        stdin.close()  # the data server exits when its stdin closes


if __name__ == "__main__":
    main()
