"""The engine on the labelled scenarios (real numpy training, both on-disk formats).

Every expectation of the scenario catalog whose verdict the engine implements is checked, both
ways: a labelled fault must be found on its tags, and a verdict marked absent must not appear.
Healthy scenarios may get no warning or critical verdict at all.
"""

from __future__ import annotations

import pytest
from tensorboard import context

from tb_histdiag.diagnosis import Diagnoser
from tb_histdiag.scenarios import SCENARIOS
from tb_histdiag.scenarios.writers import FORMATS
from tb_histdiag.series import HistogramReader
from tests.conftest import python_provider

#: Verdict ids the engine implements so far; expectations on others wait for their rules.
IMPLEMENTED = {
    "nonfinite",
    "constant",
    "frozen",
    "exploding",
    "collapsing",
    "dead",
    "saturated",
    "vanishing",
    "slow",
    "multimodal",
    "bias_only",
    "last_layer_only",
}


@pytest.fixture(scope="module")
def diagnosis(scenario_logdir) -> dict:
    diagnoser = Diagnoser(HistogramReader(python_provider(scenario_logdir)))
    result = diagnoser.diagnose(context.RequestContext(), "")
    return {run.run: run for run in result.runs}


CASES = [(name, fmt) for name in SCENARIOS for fmt in FORMATS]


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_labelled_faults_are_found(diagnosis, name, fmt):
    scenario = SCENARIOS[name]
    run = diagnosis[scenario.run_name(fmt)]
    found = {t.tag: {v.id for v in t.verdicts} for t in run.tags}
    for tag, ids in scenario.expected_tags(fmt, present=True).items():
        for verdict in ids & IMPLEMENTED:
            assert tag in found, f"{run.run}: tag {tag} missing"
            assert verdict in found[tag], f"{run.run}/{tag}: expected {verdict}, got {found[tag]}"
    run_ids = {v.id for v in run.verdicts}
    for verdict in set(scenario.run_verdicts) & IMPLEMENTED:
        assert verdict in run_ids, f"{run.run}: expected run verdict {verdict}"


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_no_verdict_where_the_labels_say_none(diagnosis, name, fmt):
    scenario = SCENARIOS[name]
    run = diagnosis[scenario.run_name(fmt)]
    found = {t.tag: {v.id for v in t.verdicts} for t in run.tags}
    for tag, ids in scenario.expected_tags(fmt, present=False).items():
        wrong = ids & found.get(tag, set())
        assert not wrong, f"{run.run}/{tag}: must not be {sorted(wrong)}"
    wrong_run = set(scenario.run_absent) & {v.id for v in run.verdicts}
    assert not wrong_run, f"{run.run}: must not have run verdicts {sorted(wrong_run)}"
    if scenario.clean:
        flagged = [
            (t.tag, v.id)
            for t in run.tags
            for v in t.verdicts
            if v.severity in ("warning", "critical")
        ]
        flagged += [(layer.layer, v.id) for layer in run.layers for v in layer.verdicts]
        flagged += [("(run)", v.id) for v in run.verdicts]
        assert flagged == [], f"{run.run} is healthy but got {flagged}"
