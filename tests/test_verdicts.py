"""The verdict table and the stories verdicts tell, on arrays of histogram rows.

Pure numpy unit tests of the rules: one root cause per tag with its consequences told in time
order, and sentences that are true of the data. Real-framework runs of the same classes are in
``test_real_logs.py`` and the labelled corpus (``make eval``).
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
from tensorboard.plugins.histogram.summary_v2 import histogram_pb
from tensorboard.util import tensor_util

from tb_histdiag.engine.diagnosis import diagnose_series
from tb_histdiag.engine.roles import TagRole
from tb_histdiag.reading.series import series_from_data
from tb_histdiag.results import LossOutcome
from tb_histdiag.verdicts.outcome import OUTCOME_GATED, gate_by_outcome
from tb_histdiag.verdicts.table import BY_ID, VERDICT_IDS, VERDICTS
from tests.test_stats import _series

ROOT = pathlib.Path(__file__).resolve().parent.parent


def tf2_rows(samples) -> list[np.ndarray]:
    """The ``[k, 3]`` tables TensorBoard's own TF2 histogram writer makes of each row (30
    equal-width buckets; constant data as zero-width buckets)."""
    return [
        tensor_util.make_ndarray(histogram_pb("t", np.asarray(row)).value[0].tensor)
        for row in samples
    ]


def _diagnose(samples, role="weight", tag="t"):
    tables = tf2_rows(samples)
    series = series_from_data("run", tag, list(range(len(tables))), [0.0] * len(tables), tables)
    return diagnose_series(series, TagRole(tag, "l", role, 0))


def test_the_schema_the_docs_and_the_gating_follow_the_table():
    schema = json.loads((ROOT / "docs" / "diagnostics-v1.schema.json").read_text())
    enum = schema["$defs"]["verdict"]["properties"]["id"]["enum"]
    assert enum == list(VERDICT_IDS)
    docs = (ROOT / "docs" / "verdicts.md").read_text()
    for spec in VERDICTS:
        assert f"`{spec.id}`" in docs, spec.id
        assert spec.level in ("tag", "layer", "run")
        assert set(spec.supersedes) <= set(BY_ID)
    assert set(OUTCOME_GATED) == {"dead", "saturated", "vanishing"}


def test_gradients_that_explode_then_die_are_one_story_with_the_explosion_first():
    rng = np.random.default_rng(0)
    base = rng.normal(0, 1e-3, 4096)
    rows = [base * 10.0 ** (1.4 * i) for i in range(11)] + [np.zeros(4096)] * 5
    (verdict,) = _diagnose(rows, role="gradient").verdicts
    assert verdict.id == "exploding"
    assert verdict.severity == "critical"
    assert verdict.evidence["followed_by"] == "vanishing"
    assert verdict.evidence["followed_from_step"] == 11
    assert "then gradients are exactly 0 (step 11)" in verdict.title
    assert "Then, from step 11: gradients are exactly 0." in verdict.summary
    assert "the explosion is the cause" in verdict.summary


def test_zero_biases_that_never_change_are_frozen_not_also_constant():
    (verdict,) = _diagnose([np.zeros(64)] * 6, role="bias").verdicts
    assert verdict.id == "frozen"
    assert "single spike" in verdict.summary


def test_weights_collapsing_to_almost_zero_are_collapsing_first_not_symmetry():
    rng = np.random.default_rng(1)
    base = rng.normal(0, 0.1, 4096)
    rows = [base * 0.05**i for i in range(12)] + [np.zeros(4096)] * 4
    (verdict,) = _diagnose(rows).verdicts
    assert verdict.id == "collapsing"
    assert "constant" in verdict.evidence["followed_by"]
    assert "symmetry" not in verdict.summary


def test_a_constant_start_is_told_as_symmetry_only_when_it_starts_so():
    rng = np.random.default_rng(2)
    spread = [rng.normal(0, 0.1, 512) for _ in range(4)]
    became = _diagnose([*spread, *[np.full(512, 0.3)] * 4]).verdicts
    assert [v.id for v in became] == ["constant"]
    assert "symmetry" not in became[0].summary
    assert "from step 4 on they are all equal" in became[0].summary
    started = _diagnose([np.full(512, 0.1 + 0.01 * i) for i in range(6)]).verdicts
    assert [v.id for v in started] == ["constant"]
    assert "symmetry is never broken" in started[0].summary


def test_small_values_near_zero_are_not_a_saturated_sigmoid():
    rng = np.random.default_rng(3)
    rows = [rng.uniform(0.0004, 0.19, 2000) for _ in range(6)]
    assert _diagnose(rows, role="activation").verdicts == ()


def test_a_tanh_piled_at_one_end_says_which_end():
    rng = np.random.default_rng(4)
    rows = [np.tanh(rng.normal(3.0, 1.0, 4000)) for _ in range(6)]
    (verdict,) = _diagnose(rows, role="activation").verdicts
    assert verdict.id == "saturated"
    assert "near +1" in verdict.summary
    assert "near -1" not in verdict.summary
    assert "one edge" in verdict.summary


def test_a_small_tensor_over_a_few_buckets_is_not_a_symmetry_signature():
    # 64 values over 3 occupied buckets, 16 + 32 + 16: a shared divisor by chance.
    rows = []
    for i in range(6):
        values = np.concatenate([np.full(16, 0.9), np.full(32, 1.0), np.full(16, 1.1)])
        rows.append(values + 0.001 * i * np.linspace(-1, 1, 64))
    tables = [np.array([[0.85, 0.95, 16], [0.95, 1.05, 32], [1.05, 1.15, 16]]) for _ in rows]
    for i, table in enumerate(tables):
        table[:, :2] += 0.001 * i
    d = diagnose_series(
        _series(*(np.stack([t[:, k] for t in tables]) for k in range(3))),
        TagRole("w", "l", "weight", 0),
    )
    assert "constant" not in {v.id for v in d.verdicts}


def _run(tagged: dict[str, tuple[str, str, list]]):
    """Assemble a run of tags ``{tag: (layer, role, rows)}`` (gradients of weights)."""
    from tb_histdiag.engine.diagnosis import assemble_run

    found = []
    for depth, (tag, (layer, role, rows)) in enumerate(tagged.items()):
        tables = tf2_rows(rows)
        series = series_from_data("run", tag, list(range(len(tables))), [0.0] * len(tables), tables)
        target = "weight" if role == "gradient" else None
        found.append(diagnose_series(series, TagRole(tag, layer, role, depth, target=target)))
    return {d.tag: d for d in assemble_run("run", found).tags}


def _growing(start: float, factor: float, steps: int = 12, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    base = rng.normal(0, start, 2048)
    return [base * factor ** (i / (steps - 1)) for i in range(steps)]


def test_gradient_bursts_are_exploding_where_the_weights_they_update_explode():
    """Gradients that jump by 1e6 at single logged steps, exactly 0 in between: the tag rule,
    which wants the peak held over two steps, passes; the layer's exploding weights say the
    bursts are an explosion, told first, with the zeros after it as its consequence."""
    rng = np.random.default_rng(1)
    grad = [rng.normal(0, 1e-2, 2048) for _ in range(3)]
    grad += [rng.normal(0, 1e4, 2048), np.zeros(2048), np.zeros(2048)]
    grad += [rng.normal(0, 1e6, 2048)] + [np.zeros(2048)] * 5
    alone = _diagnose(grad, role="gradient")
    assert "exploding" not in {v.id for v in alone.verdicts}
    tags = _run(
        {
            "fc1.weight": ("fc1", "weight", _growing(0.1, 1e5)),
            "grad/fc1.weight": ("fc1", "gradient", grad),
        }
    )
    (verdict,) = tags["grad/fc1.weight"].verdicts
    assert verdict.id == "exploding"
    assert verdict.evidence["burst_steps"] == [3, 6]
    assert verdict.evidence["pushed_tag"] == "fc1.weight"
    assert verdict.evidence["followed_by"] == "vanishing"
    assert verdict.steps[0] == 3
    assert "at steps 3 and 6" in verdict.summary
    assert "never at two logged steps in a row" in verdict.summary


def test_gradient_bursts_alone_are_not_an_explosion():
    """The same bursts next to weights that learn normally: one noisy step is not enough."""
    rng = np.random.default_rng(1)
    grad = [rng.normal(0, 1e-2, 2048) for _ in range(3)] + [rng.normal(0, 10.0, 2048)]
    grad += [rng.normal(0, 1e-2, 2048) for _ in range(8)]
    tags = _run(
        {
            "fc1.weight": ("fc1", "weight", _growing(0.1, 2.0)),
            "grad/fc1.weight": ("fc1", "gradient", grad),
        }
    )
    assert "exploding" not in {v.id for v in tags["grad/fc1.weight"].verdicts}


def test_weights_growing_like_the_runs_exploding_weights_explode_under_the_value_floor():
    """A layer whose weights grow 30× to |w| < 10 (the floor a tensor must reach on its own)
    beside layers that grow 30× past it: the same explosion. Alone, it stays quiet."""
    small = _growing(0.02, 30.0, seed=3)
    assert np.max(np.abs(small[-1])) < 10
    alone = _run({"fc2.weight": ("fc2", "weight", small)})
    assert not alone["fc2.weight"].verdicts
    tags = _run(
        {
            "fc1.weight": ("fc1", "weight", _growing(0.5, 30.0, seed=2)),
            "fc2.weight": ("fc2", "weight", small),
        }
    )
    assert [v.id for v in tags["fc1.weight"].verdicts] == ["exploding"]
    (verdict,) = tags["fc2.weight"].verdicts
    assert verdict.id == "exploding"
    assert verdict.evidence["like_tags"] == "fc1.weight"
    # the size held over the last two steps: the second to last one's, 30 ** (10 / 11)
    assert abs(verdict.evidence["growth"] / 30 ** (10 / 11) - 1) < 0.05
    assert "in fc1" in verdict.summary


def _scaled(eps: float, seed: int, steps: int = 8) -> list[np.ndarray]:
    """Weights whose values scale by up to ``1 + eps`` over training (0: identical rows)."""
    base = np.random.default_rng(seed).normal(0, 0.1, 1024)
    return [base * (1 + eps * i / (steps - 1)) for i in range(steps)]


def test_weights_only_a_profile_shrinking_towards_the_input_is_likely_vanishing():
    graded = {
        f"dense_{k}/kernel": (f"dense_{k}", "weight", _scaled(eps, k))
        for k, eps in enumerate((0.0, 0.0, 1e-5, 1e-4, 0.3))
    }
    tags = _run(graded)
    for k in range(4):
        (verdict,) = tags[f"dense_{k}/kernel"].verdicts
        assert verdict.id == "vanishing"
        assert verdict.evidence["inferred"] is True
        assert verdict.evidence["last_layer_tag"] == "dense_4/kernel"
    assert not tags["dense_4/kernel"].verdicts
    # A step (frozen layers, then layers moving normally) is a cut-off optimizer, not vanishing.
    step = {
        f"dense_{k}/kernel": (f"dense_{k}", "weight", _scaled(eps, k))
        for k, eps in enumerate((0.0, 0.0, 0.0, 0.3))
    }
    tags = _run(step)
    assert [v.id for v in tags["dense_0/kernel"].verdicts] == ["frozen"]
    # With gradients logged, the gradients are read and nothing is inferred from the weights.
    rng = np.random.default_rng(9)
    graded["grad/dense_0/kernel"] = (
        "dense_0",
        "gradient",
        [rng.normal(0, 1e-2, 1024) for _ in range(8)],
    )
    tags = _run(graded)
    assert not any(v.evidence.get("inferred") for d in tags.values() for v in d.verdicts)


def test_weights_restored_at_the_end_are_slow_not_unmoved():
    """EarlyStopping(restore_best_weights=True) writes the first epoch's weights again at the
    end: first and last step are identical, but the weights did move in between, barely."""
    base = np.random.default_rng(4).normal(0, 0.1, 4096)
    rows = [base * (1 + 1e-3 * min(i, 3)) for i in range(8)] + [base]
    (verdict,) = _diagnose(rows).verdicts
    assert verdict.id == "slow"
    assert verdict.evidence["relative_change_at_end"] == 0.0
    assert 0 < verdict.evidence["relative_change"] < 0.01
    assert "back exactly where it started" in verdict.summary


def test_barely_moving_weights_are_told_beside_the_loss():
    """A wide layer learns by moving little relative to its spread (TensorFlow's summaries
    tutorial's 784x500 layer moves 0.5% while the loss falls 82%): the info says what the loss
    did instead of predicting a long training."""
    rng = np.random.default_rng(0)
    base = rng.normal(0, 0.1, 4096)
    drift = rng.normal(0, 1e-4, 4096)
    rows = [base + i * drift for i in range(10)]
    (slow,) = _diagnose(rows).verdicts
    assert slow.id == "slow"
    assert "will take" not in slow.summary
    (falling,) = gate_by_outcome((slow,), LossOutcome("loss", 0.82, False, False))
    assert falling.severity == "info"
    assert falling.summary.endswith(
        "Meanwhile the run's loss ('loss') fell by 82%: the network learns, so this is likely fine."
    )
    (flat,) = gate_by_outcome((slow,), LossOutcome("loss", 0.01, False, True))
    assert flat.severity == "info"
    assert flat.summary.endswith("is flat as well: the updates are likely too small.")
    assert gate_by_outcome((slow,), None) == (slow,)


def test_a_tensor_zero_at_its_only_valid_step_is_not_called_constant_unless_weights():
    """A transformer trained at a learning rate far too high turns NaN after its first logged
    step: its attention biases (PyTorch starts them at 0) and its positional parameter (zeros)
    were equal there by design, so only the NaN is told; equal weights are the symmetry story
    even on one step."""
    rows = [np.zeros(96)] + [np.full(96, np.nan)] * 5
    for role in ("bias", "other"):
        assert [v.id for v in _diagnose(rows, role=role).verdicts] == ["nonfinite"], role
    biases = [np.full(64, 0.1)] + [np.full(64, np.nan)] * 5  # a constant 0.1 init, as for ReLUs
    assert [v.id for v in _diagnose(biases, role="bias").verdicts] == ["nonfinite"]
    (weights,) = _diagnose([np.full(96, 0.05)] + [np.full(96, np.nan)] * 5).verdicts
    assert weights.id == "constant"
    assert weights.evidence["followed_by"] == "nonfinite"
    # Two steps at 0 are more than an initialisation: told as before.
    assert "constant" in {v.id for v in _diagnose([np.zeros(96)] * 2, role="other").verdicts}
