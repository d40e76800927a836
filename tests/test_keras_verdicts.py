"""The engine on real Keras/TensorFlow runs (``tests/data/keras``, written by TensorFlow 2.21 with
Keras 3 and Keras 2): every label of ``labels.json`` holds, and healthy runs (BatchNorm before
ReLU with conv biases, LayerNorm, LSTM with its forget-gate biases at 1, Embedding, custom loops
with gradients and activations) get no warning or critical verdict anywhere."""

from __future__ import annotations

import os
import re

import pytest
from tensorboard import context

from tb_histdiag.engine.diagnosis import Diagnoser
from tb_histdiag.reading.reader import HistogramReader
from tests.conftest import python_provider
from tests.test_keras_fixtures import DATA, RUNS

#: Weight-only logs of a deep sigmoid stack: the cause is inferred from the weights (issue 17).
ISSUE_17 = {"k3_sigmoid_deep", "k2_sigmoid_deep"}


@pytest.fixture(scope="module")
def diagnosed():
    diagnoser = Diagnoser(HistogramReader(python_provider(DATA)))
    return {r.run: r for r in diagnoser.diagnose(context.RequestContext(), "").runs}


def _ids(verdict_list):
    out = set()
    for v in verdict_list:
        out.add(v.id)
        out.update(x for x in str(v.evidence.get("followed_by", "")).split(", ") if x)
    return out


def _check(name, diagnosed):
    label = RUNS[name]
    runs = [diagnosed[r] for r in label["tensorboard_runs"] if r in diagnosed]
    assert runs, name
    if label["clean"]:
        alarms = [
            (r.run, t.tag, v.id, v.title)
            for r in runs
            for t in r.tags
            for v in t.verdicts
            if v.severity != "info"
        ]
        alarms += [
            (r.run, layer.layer, v.id) for r in runs for layer in r.layers for v in layer.verdicts
        ]
        alarms += [(r.run, v.id) for r in runs for v in r.verdicts]
        assert alarms == []
    for expect in label["expect"]:
        scope = expect.get("scope", "tag")
        for run in runs:
            if scope == "run":
                found = [_ids(run.verdicts)]
            elif scope == "layer":
                pattern = re.compile(expect["layer"])
                found = [_ids(x.verdicts) for x in run.layers if pattern.search(x.layer)]
            else:
                pattern = re.compile(expect["tag"])
                found = [_ids(t.verdicts) for t in run.tags if pattern.search(t.tag)]
            assert found, (name, expect)
            for ids in found:
                assert (expect["verdict"] in ids) == expect["present"], (name, expect, ids)


@pytest.mark.parametrize("name", sorted(set(RUNS) - ISSUE_17))
def test_labels_hold_on_real_keras_runs(name, diagnosed):
    _check(name, diagnosed)


@pytest.mark.parametrize("name", sorted(ISSUE_17))
def test_weight_only_deep_sigmoid_stack_names_vanishing_gradients_as_likely(name, diagnosed):
    """Keras logs weights only. In an 8-layer sigmoid stack the first kernels change by less than
    the histogram shows (their histograms are identical at every epoch) and the next ones move
    orders of magnitude less than the last: nothing is frozen, the gradients vanish, and the
    verdict says so as an inference, with no 'only the biases learn' story."""
    _check(name, diagnosed)
    (run,) = [diagnosed[r] for r in RUNS[name]["tensorboard_runs"] if r in diagnosed]
    kernels = [t for t in run.tags if t.role == "weight"]
    assert len(kernels) == 9
    for t in kernels[:4]:
        (verdict,) = t.verdicts
        assert verdict.id == "vanishing", (t.tag, verdict.title)
        assert verdict.evidence["inferred"] is True
        assert t.movement == 0.0
        assert "changed by less than the histogram can show" in verdict.summary
        assert "log gradient histograms to confirm" in verdict.summary
    assert not kernels[-1].verdicts
    assert not any(layer.verdicts for layer in run.layers)


DEAD_RELU = ("k3_dead_relu", "k2_dead_relu")


@pytest.mark.parametrize("name", DEAD_RELU)
def test_weight_only_dead_relus_are_named_as_likely_dead_units(name, diagnosed):
    """Hidden biases at -5: every ReLU outputs 0, so the hidden kernels and biases never change,
    and neither does the output kernel (its inputs are zero) while the output bias learns. The
    hidden layers get ``dead``, said as an inference with its evidence; the output kernel's
    unchanging histogram is told as the consequence (info), with no ``bias_only`` story."""
    (run,) = [diagnosed[r] for r in RUNS[name]["tensorboard_runs"] if r in diagnosed]
    hidden = [t for t in run.tags if t.role in ("weight", "bias") and t.depth < 2]
    assert len(hidden) == 4
    for t in hidden:
        (verdict,) = t.verdicts
        assert verdict.id == "dead", (t.tag, verdict.title)
        assert verdict.evidence["inferred"] is True
        assert verdict.evidence["confidence"] == "likely"
        assert verdict.evidence["bias_max"] == verdict.evidence["bias_min"] == -5.0
        assert verdict.severity == "critical"  # the loss is flat: a likely cause of the failure
        assert "log the activations" in verdict.summary
    (output_kernel,) = [t for t in run.tags if t.role == "weight" and t.depth == 2]
    (consequence,) = output_kernel.verdicts
    assert (consequence.id, consequence.severity) == ("frozen", "info")
    (last_hidden,) = {t.layer for t in hidden if t.depth == 1}
    assert consequence.evidence["inputs_dead_layer"] == last_hidden
    assert not any(layer.verdicts for layer in run.layers)


@pytest.mark.parametrize("name", ["k3_finetune_frozen", "k2_finetune_frozen"])
def test_a_base_frozen_on_purpose_is_quiet_once_declared(name):
    """The frozen conv base of a fine-tuning run is a warning (it may be a mistake) until the
    configuration's ``[expect]`` table declares it; then nothing in the run is an alarm."""
    import tb_histdiag

    path = os.path.join(DATA, name)
    plain = tb_histdiag.diagnose(path, load_fast=False)
    declared = tb_histdiag.diagnose(
        path, expect={r"(^|/)(base/)?(conv2d|batch_normalization)": "frozen"}, load_fast=False
    )
    assert plain.worst() in ("warning", "critical")
    assert [
        (r.run, t.tag, v.id)
        for r in declared.runs
        for t in r.tags
        for v in t.verdicts
        if v.severity != "info"
    ] == []
    assert [(r.run, v.id) for r in declared.runs for v in r.verdicts if v.severity != "info"] == []
