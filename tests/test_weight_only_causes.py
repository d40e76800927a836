"""The weight-only cause labels of the corpus (issue 17): every broken scenario either names
the verdict that tells its cause in weights-only logs, with tags that exist in that format, or
says why the weights cannot show it; and the scorer counts a cause as named only where every
cause tag carries the verdict. The scores themselves come from ``make eval``."""

from __future__ import annotations

import pytest

from tb_histdiag.results import RunDiagnosis, TagDiagnosis, Verdict
from tb_histdiag.scenarios.catalog import SCENARIOS, VARIANTS
from tb_histdiag.scenarios.evaluate import labelled_runs
from tb_histdiag.scenarios.weight_only import (
    CAUSES,
    NOT_IN_WEIGHTS,
    cause_of,
    recall_table,
    score_causes,
)
from tb_histdiag.scenarios.writers import KERAS, tag_table


def test_every_broken_scenario_has_a_weight_only_cause_or_a_reason():
    broken = {name for name, s in SCENARIOS.items() if not s.clean}
    assert set(CAUSES) | set(NOT_IN_WEIGHTS) == broken
    assert not set(CAUSES) & set(NOT_IN_WEIGHTS)
    assert all(NOT_IN_WEIGHTS.values())


@pytest.mark.parametrize("name", sorted(CAUSES))
def test_cause_tags_are_weights_or_biases_of_the_keras_format(name):
    scenario = SCENARIOS[name]
    cause = CAUSES[name]
    tags = cause.tags(scenario)
    written = set(tag_table(KERAS, scenario.n_layers, scenario.n_conv))
    assert tags
    assert tags <= written, (tags, written)
    assert all(e.verdict == cause.verdict for e in cause.where)
    # The same tags in every weight-only variant of the scenario.
    for variant in VARIANTS.values():
        if variant.variant_of == name and KERAS in variant.formats:
            assert cause_of(variant) is cause
            assert cause.tags(variant) == tags


def _run(name: str, verdicts: dict[str, str]) -> RunDiagnosis:
    def tag(t: str) -> TagDiagnosis:
        ids = verdicts.get(t)
        found = (Verdict(ids, "warning", "", "", {}, (0, 1), ""),) if ids else ()
        return TagDiagnosis(t, "weight", t.split("/")[0], 0, 2, 0, 1, found)

    return RunDiagnosis(name, tuple(tag(t) for t in ("dense/kernel_0", "dense_1/kernel_0")))


def test_a_cause_is_named_only_where_every_cause_tag_carries_it():
    corpus = [
        r for r in labelled_runs(include_torch=False) if r.run == "vanishing_sigmoid_v2_keras"
    ]
    (labelled,) = corpus
    both = _run(labelled.run, {"dense/kernel_0": "vanishing", "dense_1/kernel_0": "vanishing"})
    one = _run(labelled.run, {"dense/kernel_0": "vanishing", "dense_1/kernel_0": "slow"})
    (named,) = score_causes({labelled.run: both}, corpus)
    (missed,) = score_causes({labelled.run: one}, corpus)
    assert named.named
    assert not missed.named
    assert dict(missed.got) == {"dense/kernel_0": ("vanishing",), "dense_1/kernel_0": ("slow",)}
    assert recall_table([named, missed]) == [
        {"cause": "vanishing", "runs": 2, "named": 1, "recall": 0.5}
    ]
    # Only weight-only runs are scored: the same scenario's tf2 run is not.
    tf2 = [r for r in labelled_runs(include_torch=False) if r.run == "vanishing_sigmoid_v2_tf2"]
    assert score_causes({tf2[0].run: both}, tf2) == []
