"""The engine on real Keras/TensorFlow runs (``tests/data/keras``, written by TensorFlow 2.21 with
Keras 3 and Keras 2): every label of ``labels.json`` holds, and healthy runs (BatchNorm before
ReLU with conv biases, LayerNorm, LSTM with its forget-gate biases at 1, Embedding, custom loops
with gradients and activations) get no warning or critical verdict anywhere."""

from __future__ import annotations

import re

import pytest
from tensorboard import context

from tb_histdiag.diagnosis import Diagnoser
from tb_histdiag.series import HistogramReader
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
