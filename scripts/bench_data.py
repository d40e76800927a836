"""Benchmark logdirs: realistic histogram runs written by the real writers, generated once.

Scales (runs x tags x steps), as the benchmark issue defines them:

- ``S``: 5 runs x 40 tags x 200 steps (200 series; also the 200-tag browser measurement)
- ``L``: 20 runs x 50 tags x 200 steps (1,000 series)
- ``T2000``: 10 runs x 200 tags x 20 steps, TF2 format only (the 2,000-tag browser measurement;
  few steps because only the number of cards matters there)

Even-numbered runs are written by PyTorch's ``SummaryWriter.add_histogram`` (the legacy
``HistogramProto``, ~600 buckets per step with torch's default bins), odd-numbered runs in the TF2
format (``histogram_pb``, 30 buckets) through TensorBoard's ``EventFileWriter``, so every scale has
both on-disk formats. Tags follow PyTorch naming: ``layerNN/weight``, ``layerNN/bias``,
``activations/layerNN``, ``grad/layerNN.weight``.

Runs are written by a pool of processes (one per core) and with the ``crc32c`` package instead of
TensorBoard's pure-Python CRC (11 MB/s), which dominated writing. A finished logdir is marked by a
``.complete`` file holding its spec, so a half-written one is regenerated rather than reused.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import time

import numpy as np

#: runs, tags per run, steps per tag, formats ("mixed": even runs torch, odd runs TF2).
SCALES = {
    "S": {"runs": 5, "tags": 40, "steps": 200, "formats": "mixed"},
    "L": {"runs": 20, "tags": 50, "steps": 200, "formats": "mixed"},
    "T2000": {"runs": 10, "tags": 200, "steps": 20, "formats": "tf2"},
    "W1000": {"runs": 20, "tags": 50, "steps": 100, "formats": "tf2"},
}

#: Values per logged histogram (a layer of 1,000 parameters or activations).
VALUES = 1000

#: Bump when the generated data changes, so cached logdirs are regenerated.
DATA_VERSION = 1


def tag_names(count: int) -> list[str]:
    """``count`` tags, four per layer (weight, bias, activation, gradient), input layer first."""
    names: list[str] = []
    layer = 0
    while len(names) < count:
        for name in (
            f"layer{layer:02d}/weight",
            f"layer{layer:02d}/bias",
            f"activations/layer{layer:02d}",
            f"grad/layer{layer:02d}.weight",
        ):
            if len(names) < count:
                names.append(name)
        layer += 1
    return names


def values(run: int, tag_index: int, tag: str, step: int, steps: int) -> np.ndarray:
    """Deterministic values for one histogram: learning weights, moving biases, ReLU outputs
    (about half exact zeros) and shrinking gradients. Every third run freezes its first layer,
    so the verdicts are not all "ok"."""
    rng = np.random.default_rng((run * 1_000_003 + tag_index * 1009 + step) & 0xFFFFFFFF)
    t = step / max(1, steps - 1)
    layer = int(tag.split("layer")[1][:2])
    frozen = run % 3 == 0 and layer == 0
    if tag.endswith("/weight"):
        drift = 0.0 if frozen else 0.05 * t
        spread = 0.1 * (1.0 + (0.0 if frozen else 0.5 * t))
        seed_rng = np.random.default_rng(run * 7919 + tag_index) if frozen else rng
        return seed_rng.normal(drift, spread, VALUES).astype(np.float32)
    if tag.endswith("/bias"):
        return rng.normal(0.01 * t, 0.02 + 0.01 * t, 100).astype(np.float32)
    if tag.startswith("activations/"):
        return np.maximum(rng.normal(0.1 * t, 1.0, VALUES), 0.0).astype(np.float32)
    return rng.normal(0.0, 1e-3 * (1.0 - 0.5 * t), VALUES).astype(np.float32)


def _fast_crc() -> None:
    """Make TensorBoard's record writer use the ``crc32c`` package (same CRC, ~1000x faster)."""
    import crc32c as fast
    from tensorboard.compat.tensorflow_stub import pywrap_tensorflow as stub

    sample = b"tb_histdiag bench"
    if stub.crc32c(sample) == fast.crc32c(sample):
        stub.crc32c = fast.crc32c


def write_run(job: tuple[str, int, int, int, str]) -> str:
    """Write one run directory (called in a worker process)."""
    run_dir, run, ntags, steps, fmt = job
    _fast_crc()
    tags = tag_names(ntags)
    if fmt == "torch":
        from torch.utils.tensorboard import SummaryWriter

        w = SummaryWriter(run_dir, max_queue=1000, flush_secs=120)
        for step in range(steps):
            for i, tag in enumerate(tags):
                w.add_histogram(tag, values(run, i, tag, step, steps), step)
        w.close()
    else:
        from tensorboard.compat.proto import event_pb2
        from tensorboard.plugins.histogram.summary_v2 import histogram_pb
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        w = EventFileWriter(run_dir, max_queue_size=1000, flush_secs=120)
        for step in range(steps):
            for i, tag in enumerate(tags):
                data = values(run, i, tag, step, steps).astype(np.float64)
                summary = histogram_pb(tag, data, buckets=30)
                w.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step, summary=summary))
        w.close()
    return run_dir


def run_format(scale: dict, run: int) -> str:
    """The writer of run number ``run`` at ``scale``: "torch" or "tf2"."""
    if scale["formats"] == "mixed":
        return "torch" if run % 2 == 0 else "tf2"
    return scale["formats"]


def run_name(scale: dict, run: int) -> str:
    """Run directory name, saying which writer wrote it."""
    return f"run_{run:02d}_{run_format(scale, run)}"


def ensure_logdir(name: str, root: str, processes: int = 2) -> str:
    """Return the path of scale ``name``'s logdir under ``root``, generating it if needed."""
    scale = SCALES[name]
    logdir = os.path.join(root, name)
    marker = os.path.join(logdir, ".complete")
    spec = json.dumps({"version": DATA_VERSION, "values": VALUES, **scale}, sort_keys=True)
    if os.path.exists(marker):
        with open(marker, encoding="utf-8") as f:
            if f.read() == spec:
                return logdir
    if os.path.exists(logdir):
        shutil.rmtree(logdir)
    os.makedirs(logdir)
    jobs = [
        (
            os.path.join(logdir, run_name(scale, r)),
            r,
            scale["tags"],
            scale["steps"],
            run_format(scale, r),
        )
        for r in range(scale["runs"])
    ]
    # Torch runs are the slow ones: start them first so the pool stays balanced.
    jobs.sort(key=lambda j: j[4] != "torch")
    start = time.monotonic()
    print(f"generating {name} ({scale}) in {logdir} ...", flush=True)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        for done in pool.imap_unordered(write_run, jobs):
            print(f"  wrote {os.path.basename(done)}", flush=True)
    with open(marker, "w", encoding="utf-8") as f:
        f.write(spec)
    print(f"generated {name} in {time.monotonic() - start:.0f} s", flush=True)
    return logdir


def logdir_bytes(logdir: str) -> int:
    """Total size of the files under ``logdir``."""
    total = 0
    for root, _, files in os.walk(logdir):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


if __name__ == "__main__":
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".cache/bench")
    for arg in sys.argv[1:] or ["S"]:
        path = ensure_logdir(arg, root)
        print(path, f"{logdir_bytes(path) / 1e6:.0f} MB")
