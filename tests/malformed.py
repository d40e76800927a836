"""Hand-built malformed histograms, written as real event files.

Legacy ``HistogramProto`` values (what torch/tensorboardX write) and TF2 histogram tensors (what
``tf.summary.histogram`` writes), each broken in one way. Every tag is one case; the run
``legacy`` holds the proto cases and ``tf2`` the tensor cases.
"""

from __future__ import annotations

import os

import numpy as np
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.plugins.histogram import metadata
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from tensorboard.util import tensor_util

STEPS = 4


def _proto(min_, max_, limits, counts) -> summary_pb2.HistogramProto:
    return summary_pb2.HistogramProto(
        min=min_,
        max=max_,
        num=float(np.sum(np.nan_to_num(counts))),
        bucket_limit=list(limits),
        bucket=list(counts),
    )


def legacy_cases(step: int) -> dict[str, summary_pb2.HistogramProto]:
    """One malformed legacy histogram per tag, for ``step``."""
    big = 100_000
    return {
        "nan_edges": _proto(float("nan"), float("nan"), [0.0, 1.0], [3.0, 4.0]),
        "inf_edge": _proto(-1.0, float("inf"), [0.0, 1.0], [3.0, 4.0]),
        "negative_counts": _proto(-1.0, 1.0, [0.0, 1.0], [-2.0, 5.0]),
        "all_zero_counts": _proto(-1.0, 1.0, [0.0, 1.0], [0.0, 0.0]),
        "single_bucket": _proto(0.5, 0.5, [0.5], [100.0]),
        "zero_width_buckets": _proto(0.0, 0.0, [0.0, 0.0, 0.0], [1.0, 2.0, 3.0]),
        "unsorted_limits": _proto(-1.0, 3.0, [2.0, 0.0, 1.0, 3.0], [1.0, 2.0, 3.0, 4.0]),
        "backwards_min_max": _proto(5.0, -5.0, [0.0, 1.0], [2.0, 2.0]),
        "mismatched_lengths": _proto(-1.0, 1.0, [0.0, 0.5, 1.0], [1.0, 2.0]),
        "no_buckets": _proto(0.0, 0.0, [], []),
        "huge_counts": _proto(-1.0, 1.0, [0.0, 1.0], [1e300, 1e300]),
        "many_buckets": _proto(
            0.0, float(big), np.arange(1, big + 1, dtype=np.float64), np.ones(big) * (step + 1)
        ),
    }


def _tensor_summary(tag: str, table: np.ndarray) -> summary_pb2.Summary:
    md = metadata.create_summary_metadata(display_name=tag, description="")
    tensor = tensor_util.make_tensor_proto(np.asarray(table, dtype=np.float64))
    return summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag=tag, metadata=md, tensor=tensor)]
    )


def tf2_cases(step: int) -> dict[str, np.ndarray]:
    """One malformed TF2 histogram tensor per tag, for ``step``."""
    edges = np.linspace(-1, 1, 31)
    ok = np.stack([edges[:-1], edges[1:], np.full(30, 10.0)], axis=1)
    nan_all = np.stack([np.full(30, np.nan), np.full(30, np.nan), np.zeros(30)], axis=1)
    return {
        "nan_all": nan_all,
        "inf_edges": np.array([[-np.inf, 0.0, 5.0], [0.0, np.inf, 5.0]]),
        "empty_shape": np.zeros((0, 3)),
        "zeros": np.zeros((30, 3)),
        "constant": np.array([[0.25, 0.25, 0.0]] * 29 + [[0.25, 0.25, 7.0]]),
        "backwards_edges": ok[::-1][:, [1, 0, 2]],
        "negative_counts": ok * np.array([1.0, 1.0, -1.0]),
        "wrong_shape": np.arange(12.0).reshape(3, 4),
        "one_step_only": ok if step == 0 else None,
        "duplicate_steps": ok * (1 + 0.01 * step),
    }


def write(logdir: str) -> None:
    """Write the ``legacy`` and ``tf2`` runs of malformed histograms under ``logdir``."""
    w = EventFileWriter(os.path.join(logdir, "legacy"))
    for step in range(STEPS):
        for tag, proto in legacy_cases(step).items():
            summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, histo=proto)])
            w.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step, summary=summary))
    w.close()
    w = EventFileWriter(os.path.join(logdir, "tf2"))
    for step in range(STEPS):
        for tag, table in tf2_cases(step).items():
            if table is None:
                continue
            repeats = 3 if tag == "duplicate_steps" else 1  # Keras 3 tag collisions
            for _ in range(repeats):
                event = event_pb2.Event(
                    step=step, wall_time=1.7e9 + step, summary=_tensor_summary(tag, table)
                )
                w.add_event(event)
    w.close()
