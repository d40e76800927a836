"""Memory of the plugin's cache: bytes per cached series diagnosis, measured with tracemalloc.

Loads a bench logdir with TensorBoard's Python provider (the CLI's), diagnoses every series
with a fresh :class:`~tb_histdiag.engine.diagnosis.Diagnoser`, then measures what the cache holds: the
traced memory still allocated after the arrays of the computation are gone, divided by the
cached entries. ``python scripts/bench_memory.py [S|L]``.
"""

from __future__ import annotations

import gc
import os
import sys
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_data
from bench_common import CACHE


def main() -> None:
    from tensorboard import context

    from tb_histdiag.engine.diagnosis import DEFAULT_CACHE_SIZE, Diagnoser
    from tb_histdiag.reading.providers import logdir_provider
    from tb_histdiag.reading.reader import HistogramReader

    name = sys.argv[1] if len(sys.argv) > 1 else "S"
    provider = logdir_provider(bench_data.ensure_logdir(name, CACHE), max_steps=0)
    ctx = context.RequestContext()
    diagnoser = Diagnoser(HistogramReader(provider))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    diagnosis = diagnoser.diagnose(ctx, "")
    del diagnosis  # the returned document; only the cache keeps entries alive now
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    entries = diagnoser.cache_entries()
    per = (after - before) / max(entries, 1)
    print(
        f"{entries} cached series: {(after - before) / 1e6:.1f} MB, {per / 1e3:.1f} kB each; "
        f"default limit {DEFAULT_CACHE_SIZE} entries = {per * DEFAULT_CACHE_SIZE / 1e6:.0f} MB; "
        f"1,000 series = {per * 1000 / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
