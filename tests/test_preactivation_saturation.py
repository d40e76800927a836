"""``saturated`` on pre-activation tags needs a bounded activation after them: checked across a
layer's tags, on histograms written by TensorBoard's own TF2 writer and read back through its
Python data provider."""

from __future__ import annotations

import os

import numpy as np
from tensorboard import context
from tensorboard.compat.proto import event_pb2
from tensorboard.plugins.histogram.summary_v2 import histogram_pb
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from tb_histdiag.engine.diagnosis import Diagnoser
from tb_histdiag.reading.reader import HistogramReader
from tests.conftest import python_provider

STEPS = 12


def _write(logdir: str) -> None:
    """Four layers whose pre-activations are all far out on both sides (std ~20): one feeds a
    tanh, one a ReLU (both logged), one only says "before_relu" in its name, and one is the
    model's logits."""
    writer = EventFileWriter(os.path.join(logdir, "run"))
    for step in range(STEPS):
        rng = np.random.default_rng(step)
        pre = rng.normal(0.0, 20.0, 4000) + 0.1 * step
        tags = {
            "tanh_layer/preactivation": pre,
            "tanh_layer/activation": np.tanh(pre),
            "relu_layer/preactivation": pre * 1.01,
            "relu_layer/activation": np.maximum(pre * 1.01, 0.0),
            "conv1_before_relu": pre * 0.99,
            "logits": pre * 1.02,
        }
        for tag, values in tags.items():
            writer.add_event(
                event_pb2.Event(
                    step=step, wall_time=1.7e9 + step, summary=histogram_pb(tag, values, 30)
                )
            )
    writer.close()


def test_saturated_preactivations_only_before_a_bounded_activation(tmp_path):
    logdir = str(tmp_path)
    _write(logdir)
    diagnosis = Diagnoser(HistogramReader(python_provider(logdir))).diagnose(
        context.RequestContext(), ""
    )
    (run,) = diagnosis.runs
    saturated = {t.tag for t in run.tags if any(v.id == "saturated" for v in t.verdicts)}
    # tanh(20) is flat: the tanh layer is saturated, seen on both of its tags.
    assert saturated == {"tanh_layer/preactivation", "tanh_layer/activation"}
    pre = next(t for t in run.tags if t.tag == "tanh_layer/preactivation")
    (verdict,) = [v for v in pre.verdicts if v.id == "saturated"]
    assert verdict.evidence["saturated_fraction"] > 0.7
