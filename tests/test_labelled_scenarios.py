"""The engine on the labelled scenarios (real numpy training, both on-disk formats).

Every label of the scenario catalog is checked both ways: a labelled fault must be found on its
tags (no false negative), a verdict labelled absent must not appear, and a healthy scenario may
get no warning or critical verdict at all (no false positive). ``make eval`` prints the same
scoring as a table.
"""

from __future__ import annotations

import re

import pytest
from tensorboard import context

from tb_histdiag.engine.diagnosis import Diagnoser
from tb_histdiag.reading.reader import HistogramReader
from tb_histdiag.scenarios import SCENARIOS
from tb_histdiag.scenarios.evaluate import score_run, table
from tb_histdiag.scenarios.writers import FORMATS
from tests.conftest import python_provider

CASES = [(name, fmt) for name in SCENARIOS for fmt in FORMATS]


@pytest.fixture(scope="module")
def diagnosis(scenario_logdir) -> dict:
    diagnoser = Diagnoser(HistogramReader(python_provider(scenario_logdir)))
    result = diagnoser.diagnose(context.RequestContext(), "")
    return {run.run: run for run in result.runs}


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_labels_hold(diagnosis, name, fmt):
    scenario = SCENARIOS[name]
    findings = score_run(scenario, fmt, diagnosis[scenario.run_name(fmt)])
    assert [f for f in findings if f.kind == "fn"] == [], "labelled faults not found"
    assert [f for f in findings if f.kind == "fp"] == [], "verdicts where the labels say none"
    # Every faulty scenario has labels in the formats that log the symptom's histograms.
    labelled = scenario.expected_tags(fmt) or scenario.expected_layers(fmt)
    if not scenario.clean and (labelled or scenario.run_verdicts):
        assert any(f.kind == "tp" for f in findings)


def test_every_fault_class_has_labels_and_full_recall(diagnosis):
    findings = [
        f
        for name, fmt in CASES
        for f in score_run(SCENARIOS[name], fmt, diagnosis[SCENARIOS[name].run_name(fmt)])
    ]
    rows = {row["verdict"]: row for row in table(findings)}
    for verdict in ("nonfinite", "constant", "frozen", "exploding", "collapsing", "dead"):
        assert rows[verdict]["tp"] > 0, verdict
    for verdict in ("saturated", "vanishing", "bias_only", "last_layer_only"):
        assert rows[verdict]["tp"] > 0, verdict
    assert all(row["recall"] in (None, 1.0) for row in rows.values())


def test_causes_are_graded_by_the_loss_outcome(diagnosis):
    # dead_relu: the loss is flat, so the dead layers explain the failure: critical.
    dead = diagnosis["dead_relu_tf2"]
    assert dead.loss is not None
    assert dead.loss.flat
    assert {v.severity for t in dead.tags for v in t.verdicts if v.id == "dead"} == {"critical"}
    # saturated_tanh: the loss still falls by most of its start value: a warning only.
    saturated = diagnosis["saturated_tanh_legacy"]
    assert not saturated.loss.flat
    assert saturated.loss.improvement > 0.5
    severities = {v.severity for t in saturated.tags for v in t.verdicts if v.id == "saturated"}
    assert severities == {"warning"}
    assert all(
        "still falls" in v.summary
        for t in saturated.tags
        for v in t.verdicts
        if v.id == "saturated"
    )
    # healthy: the loss falls and is reported as not flat.
    assert diagnosis["healthy_legacy"].loss.flat is False


def test_corpus_covers_cnns_and_both_saturations():
    """The issue's corpus: healthy MLPs and CNNs with ReLU and tanh, Adam and SGD; a fault on
    conv layers; tanh and sigmoid saturation, judged on activations and pre-activations."""
    healthy = [s.config for s in SCENARIOS.values() if s.clean]
    kinds = {(bool(c.conv), c.activation, c.optimizer) for c in healthy}
    for conv in (False, True):
        assert (conv, "relu", "adam") in kinds
        assert (conv, "tanh", "sgd") in kinds
    assert any(s.config.conv and not s.clean and s.run_verdicts for s in SCENARIOS.values())
    saturated = {
        (s.config.activation, kind)
        for s in SCENARIOS.values()
        for e in s.expected
        if e.verdict == "saturated" and e.present
        for kind in e.kinds
    }
    assert {("tanh", "activation"), ("tanh", "preactivation")} <= saturated
    assert {("sigmoid", "activation"), ("sigmoid", "preactivation")} <= saturated


def test_preactivation_saturation_is_not_judged_on_one_sided_relu_piles(diagnosis):
    # dead_relu: layer 2's pre-activations are pushed far below -5 (the units died), none above:
    # that is a dead layer, not saturation.
    for fmt in ("legacy", "tf2"):
        run = diagnosis[SCENARIOS["dead_relu"].run_name(fmt)]
        pre = [t for t in run.tags if t.role == "preactivation"]
        assert pre
        assert all(v.id != "saturated" for t in pre for v in t.verdicts)
    sat = diagnosis["saturated_sigmoid_legacy"]
    found = [v for t in sat.tags if t.role == "preactivation" for v in t.verdicts]
    found = [v for v in found if v.id == "saturated"]
    assert found
    assert all(v.evidence["below_fraction"] >= 0.1 for v in found)
    assert all(v.evidence["above_fraction"] >= 0.1 for v in found)
    assert all(v.evidence["saturated_fraction"] > 0.5 for v in found)


def test_every_sentence_quotes_steps_and_sides_the_series_has(diagnosis):
    """Summaries are true of the data drawn beside them: every step a verdict quotes is a logged
    step of its series, a saturation names only the ends where the mass is, and the symmetry
    story of ``constant`` is told only of series that start constant."""
    checked = 0
    for run in diagnosis.values():
        for tag in run.tags:
            logged = set(tag.path_steps)
            for v in tag.verdicts:
                quoted = {int(s) for s in re.findall(r"\bsteps? (\d+)", f"{v.title}. {v.summary}")}
                assert quoted <= logged, (run.run, tag.tag, v.id, quoted - logged)
                checked += len(quoted)
                if v.id == "saturated" and "low_fraction" in v.evidence:
                    both = "near 0 and" in v.summary or "near -1 and" in v.summary
                    low, high = v.evidence["low_fraction"], v.evidence["high_fraction"]
                    assert both == (min(low, high) >= 0.1), (run.run, tag.tag, v.summary)
                if v.id == "constant" and "symmetry is never broken" in v.summary:
                    assert v.evidence["constant_since_step"] == tag.first_step
    assert checked > 100


def test_vanishing_is_read_off_the_gradient_profile_over_depth(diagnosis):
    """A deep sigmoid stack whose loss is stuck: every layer whose weight gradients are 100× or
    more below the last layer's is flagged, not only those below AutoTrainer's 1e-3 and 1e-4
    (layer 4 sits at ~4e-3 of the last layer's, with mean |g| ~1.5e-4)."""
    for fmt in ("legacy", "tf2"):
        run = diagnosis[SCENARIOS["vanishing_sigmoid"].run_name(fmt)]
        assert run.loss.flat
        grads = [t for t in run.tags if t.role == "gradient" and t.target == "weight"]
        flagged = {t.layer for t in grads if any(v.id == "vanishing" for v in t.verdicts)}
        layers = [t.layer for t in sorted(grads, key=lambda t: t.depth)]
        assert flagged == set(layers[:4]), (fmt, flagged)
        fourth = next(t for t in grads if t.layer == layers[3])
        (verdict,) = fourth.verdicts
        assert 1e-3 < verdict.evidence["ratio"] < 1e-2
        assert verdict.evidence["mean_abs"] > 1e-4
