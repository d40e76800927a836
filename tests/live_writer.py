"""A training process for the watch tests: a small numpy network learning with real
backpropagation (the scenarios' network), logging its weights, biases and activations as
TensorBoard histograms and flushing after every logged step, as a training script would.

``python -m tests.live_writer RUN_DIR --nan-at 0.3 --steps 100`` trains for ``--steps`` logged
steps; with ``--nan-at`` a few weights of one layer become NaN part way (a corrupted update), and
the run turns bad from there. The process prints ``first_nan_step=N`` on stdout as soon as it
has flushed the first logged step whose data holds a NaN, then keeps training (and logging NaN)
until it is stopped or the steps are done. ``--delay`` sleeps between logged steps so that a
watcher sees the run grow.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("run_dir")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--nan-at", type=float, default=None)
    p.add_argument("--delay", type=float, default=0.0)
    args = p.parse_args(argv)

    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.histogram.summary_v2 import histogram_pb
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    from tb_histdiag.scenarios.network import TrainConfig, train

    config = TrainConfig(hidden=(16, 16), steps=args.steps, log_every=2, nan_at=args.nan_at)
    os.makedirs(args.run_dir, exist_ok=True)
    writer = EventFileWriter(args.run_dir, max_queue_size=1000, flush_secs=3600)
    told = False
    for record in train(config):
        bad = False
        for i, layer in enumerate(record.layers):
            for tag, values in (
                (f"dense_{i}/kernel", layer.weight),
                (f"dense_{i}/bias", layer.bias),
                (f"dense_{i}/activation", layer.activation),
            ):
                bad = bad or not np.isfinite(values).all()
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    summary = histogram_pb(tag, np.asarray(values, dtype=np.float64))
                event = event_pb2.Event(step=record.step, wall_time=time.time(), summary=summary)
                writer.add_event(event)
        writer.flush()
        if bad and not told:
            print(f"first_nan_step={record.step}", flush=True)
            told = True
        if args.delay:
            time.sleep(args.delay)
    writer.close()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
