"""Real Keras/TensorFlow logdirs, read without TensorFlow.

``tests/data/keras`` holds small runs written by real TensorFlow 2 with the Keras
``TensorBoard(histogram_freq=1)`` callback (Keras 3 and Keras 2 = ``tf_keras``) and by
``tf.summary.histogram`` in custom loops; ``labels.json`` says what each run shows and what its
tags' Keras names state. ``scripts/make_keras_fixtures.py`` wrote both (it needs TensorFlow; these
tests do not). Checked here: TensorBoard's Python provider reads every series as it was written
(steps, buckets, NaN steps, unchanged steps), the labels agree with the data, and the tag parser
gives each tag the role its Keras name states. Verdicts are not asserted here: the labels'
``expect`` entries are only checked to name real tags and layers.
"""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest

from tb_histdiag.engine import roles
from tests.conftest import python_provider

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "keras")
with open(os.path.join(DATA, "labels.json"), encoding="utf-8") as _f:
    LABELS = json.load(_f)
RUNS = LABELS["runs"]

#: (fixture run, TensorBoard run, tag, role its Keras name states)
ROLE_CASES = [
    (name, tb_run, tag, role)
    for name, label in RUNS.items()
    for tb_run, written in label["written"].items()
    for tag in written["histograms"]
    if (role := label["roles"].get(tag)) is not None
]


@pytest.fixture(scope="module")
def reader():
    from tb_histdiag.reading.reader import HistogramReader

    return HistogramReader(python_provider(DATA))


@pytest.fixture(scope="module")
def index(reader):
    from tensorboard import context

    return reader.index(context.RequestContext(), "")


@pytest.fixture(scope="module")
def series(reader, index):
    """Every histogram series of every run, read through TensorBoard's Python provider."""
    from tensorboard import context

    ctx = context.RequestContext()
    return {run: reader.read(ctx, "", run, list(tags)) for run, tags in index.items()}


def _histogram_tags(label: dict) -> list[str]:
    return [tag for written in label["written"].values() for tag in written["histograms"]]


def test_labels_describe_every_run_on_disk():
    on_disk = sorted(
        entry for entry in os.listdir(DATA) if os.path.isdir(os.path.join(DATA, entry))
    )
    assert on_disk == sorted(RUNS)
    assert LABELS["versions"]["tensorflow"]
    assert {"keras3", "keras2"} <= set(LABELS["versions"])


def test_fixtures_stay_small():
    total = sum(
        os.path.getsize(os.path.join(folder, f))
        for folder, _, files in os.walk(DATA)
        for f in files
    )
    assert total < 3_000_000, f"tests/data/keras holds {total} bytes"


def test_the_provider_reads_every_written_series(index, series):
    expected = {
        tb_run: written["histograms"]
        for label in RUNS.values()
        for tb_run, written in label["written"].items()
        if written["histograms"]
    }
    assert sorted(index) == sorted(expected)
    for tb_run, tags in expected.items():
        assert sorted(index[tb_run]) == sorted(tags), tb_run
        for tag, facts in tags.items():
            s = series[tb_run][tag]
            assert s.num_steps == facts["num_steps"], (tb_run, tag)
            assert [int(s.steps[0]), int(s.steps[-1])] == facts["steps"], (tb_run, tag)
            assert int(s.nbuckets.max()) <= max(facts["buckets"]), (tb_run, tag)


def test_nonfinite_steps_are_seen_where_they_were_written(series):
    checked = 0
    for label in RUNS.values():
        for tb_run, written in label["written"].items():
            for tag, facts in written["histograms"].items():
                s = series[tb_run][tag]
                first = facts["first_nonfinite_step"]
                if first is None:
                    assert not s.nonfinite.any(), (tb_run, tag)
                    continue
                checked += 1
                assert not s.nonfinite[s.steps < first].any(), (tb_run, tag)
                assert s.nonfinite[s.steps >= first].all(), (tb_run, tag)
    assert checked, "no run with non-finite histograms"


def test_unchanged_histograms_read_back_unchanged(series):
    """Where the writer wrote bit-identical buckets at every step (a frozen base, and the first
    kernels of the deep sigmoid stack, which do move but by less than a bucket), the series read
    back is identical too; where it wrote changes, so does the series."""
    frozen = 0
    for label in RUNS.values():
        for tb_run, written in label["written"].items():
            for tag, facts in written["histograms"].items():
                s = series[tb_run][tag]
                rows = [
                    np.stack([s.left[i, :k], s.right[i, :k], s.counts[i, :k]])
                    for i, k in enumerate(s.nbuckets)
                ]
                same = sum(np.array_equal(a, b) for a, b in zip(rows[:-1], rows[1:]))
                if facts["first_nonfinite_step"] is None:
                    assert same == facts["identical_to_previous_step"], (tb_run, tag)
                frozen += facts["identical_to_previous_step"] == facts["num_steps"] - 1
    assert frozen, "no run with an unchanged histogram"


@pytest.mark.parametrize("name", sorted(RUNS))
def test_every_label_regex_names_a_tag(name):
    label = RUNS[name]
    tags = _histogram_tags(label)
    assert tags, name
    for expect in label["expect"]:
        if expect.get("scope") == "run":
            assert expect["verdict"] in ("last_layer_only",), expect
            continue
        if expect.get("scope") == "layer":
            pattern = re.compile(expect["layer"])
            layers = {r.layer for r in roles.assign_roles(tags).values()}
            assert any(pattern.search(layer) for layer in layers), (name, expect["layer"])
            continue
        pattern = re.compile(expect["tag"])
        assert any(pattern.search(tag) for tag in tags), (name, expect["tag"])
    for tag, role in label["roles"].items():
        assert tag in tags, (name, tag)
        assert role


@pytest.mark.parametrize("name", sorted(RUNS))
def test_labels_agree_with_the_measured_facts(name):
    """``clean`` runs learned; broken runs say why; the labels' facts are those of the data."""
    label = RUNS[name]
    facts = label["facts"]
    assert label["description"]
    if label["clean"]:
        assert not label["expect"] or not any(e["present"] for e in label["expect"])
        first, last = facts.get("loss_first_last") or facts["loss_mean_first_last_20_steps"]
        assert last < 0.5 * first, (name, first, last)
    else:
        assert label["cause"]
        assert any(e["present"] for e in label["expect"]) or "sigmoid" in name


def test_the_frozen_base_is_bit_identical_and_the_head_learns():
    for name in ("k3_finetune_frozen", "k2_finetune_frozen"):
        weights = RUNS[name]["facts"]["weights"]
        pattern = re.compile(next(e["tag"] for e in RUNS[name]["expect"] if e["present"]))
        base = [k for k in weights if pattern.search(k)]
        assert base, name
        assert all(weights[k]["bit_identical_all_logged"] for k in base), name
        head = [k for k in weights if re.match(r"dense_[12]/kernel", k)]
        assert len(head) == 2, name
        assert not any(weights[k]["bit_identical_all_logged"] for k in head), name


@pytest.mark.parametrize(
    ("tb_run", "tag", "role"),
    [pytest.param(*case[1:], id=f"{case[1]}:{case[2]}") for case in ROLE_CASES],
)
def test_roles_from_keras_names(index, tb_run, tag, role):
    """The role a Keras name states: kernel/embeddings → weight, bias → bias, gamma/beta →
    normalisation scale/shift, moving_mean/moving_variance → running statistics; in the custom
    loops grads/… and …/gradients → gradient, activations/… → activation, inputs/… → input,
    outputs/… → output. Layer names with role words (``L1_16_Dense_RELU/bias``,
    ``output/kernel``) keep the role of their last component."""
    assigned = roles.assign_roles(index[tb_run])
    assert assigned[tag].role == role
