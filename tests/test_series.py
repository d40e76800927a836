"""The reader: real writers' logdirs through both real data providers give the same arrays."""

from __future__ import annotations

import time

import numpy as np
import pytest
from tensorboard import context

from tb_histdiag.reading.loss import pick_loss_tag
from tb_histdiag.reading.reader import HistogramReader
from tb_histdiag.reading.series import normalise_buckets, series_from_data
from tests.conftest import NAN_FROM_STEP, STEPS, TAGS, WRITER_RUNS, python_provider


def read_all(provider) -> dict:
    reader = HistogramReader(provider)
    ctx = context.RequestContext()
    index = reader.index(ctx, "")
    return {run: reader.read(ctx, "", run, tags) for run, tags in index.items()}


def test_normalise_drops_outer_empty_buckets_and_keeps_the_outer_edges():
    table, bad = normalise_buckets([[-3.9, -4.2, 0], [-4.2, 0.5, 7], [0.5, 1.0, 3], [1.0, 2.0, 0]])
    assert not bad
    np.testing.assert_array_equal(table, [[-3.9, 0.5, 7], [0.5, 2.0, 3]])


def test_normalise_flags_nonfinite_before_trimming():
    # TF2 data with a NaN: every edge NaN and every count 0.
    table, bad = normalise_buckets(np.full((30, 3), [np.nan, np.nan, 0.0]))
    assert bad
    assert table.shape == (0, 3)


def test_normalise_accepts_empty_and_ragged_input():
    assert normalise_buckets(np.zeros((0, 3)))[0].shape == (0, 3)
    table, _ = normalise_buckets([1.0, 2.0, 3.0, 4.0])  # not a multiple of 3: whole rows only
    np.testing.assert_array_equal(table, [[1.0, 2.0, 3.0]])


def test_duplicate_steps_keep_the_last_written():
    s = series_from_data(
        "r",
        "t",
        [0, 1, 1, 2],
        [0.0, 1.0, 1.5, 2.0],
        [[[0, 1, 1]], [[0, 1, 2]], [[0, 1, 3]], [[0, 1, 4]]],
    )
    assert s.steps.tolist() == [0, 1, 2]
    assert s.counts[:, 0].tolist() == [1.0, 3.0, 4.0]


def test_python_provider_reads_every_writer(writers_logdir):
    data = read_all(python_provider(writers_logdir))
    assert sorted(data) == sorted(WRITER_RUNS)
    for run in WRITER_RUNS:
        assert sorted(data[run]) == sorted(TAGS)
        for tag, series in data[run].items():
            assert series.steps.tolist() == list(range(STEPS)), (run, tag)
            assert series.left.dtype == np.float64
        blowup = data[run]["blowup"]
        assert blowup.nonfinite.tolist() == [s >= NAN_FROM_STEP for s in range(STEPS)], run
        const = data[run]["const"]
        valid = const.counts.sum(axis=1) > 0
        # A constant tensor is one zero-width bucket holding every value, in every format.
        assert np.all(const.left[valid] == const.right[valid]) or np.all(
            (const.left == 0.5) | (const.counts == 0)
        ), run


def test_both_providers_give_identical_arrays(writers_logdir, rust_provider_factory):
    python_data = read_all(python_provider(writers_logdir))
    rust_data = read_all(rust_provider_factory(writers_logdir, expected_runs=len(WRITER_RUNS)))
    assert sorted(rust_data) == sorted(python_data)
    for run, tags in python_data.items():
        assert sorted(rust_data[run]) == sorted(tags), run
        for tag, p in tags.items():
            r = rust_data[run][tag]
            where = f"{run}/{tag}"
            assert p.steps.tolist() == r.steps.tolist(), where
            assert p.nbuckets.tolist() == r.nbuckets.tolist(), where
            assert p.nonfinite.tolist() == r.nonfinite.tolist(), where
            for name in ("left", "right", "counts"):
                a, b = getattr(p, name), getattr(r, name)
                # The Python provider stores legacy histograms as float32: allow its rounding.
                np.testing.assert_allclose(a, b, rtol=1e-6, atol=0, equal_nan=True, err_msg=where)


@pytest.mark.parametrize("run", WRITER_RUNS)
def test_frozen_tag_is_bit_identical_across_steps(writers_logdir, run):
    series = read_all(python_provider(writers_logdir))[run]["fc1.bias"]
    for name in ("left", "right", "counts"):
        arr = getattr(series, name)
        assert (arr == arr[0]).all(), name


@pytest.mark.parametrize("run", WRITER_RUNS)
def test_statistics_from_buckets_match_numpy_on_the_logged_values(writers_logdir, run):
    """Bucketed statistics against numpy on the raw values each writer was given.

    Tolerances: min and max are the writers' outer edges (float32 rounding); the mean within 2%
    and the standard deviation within 3% of the spread; quantiles within one bucket width
    (TF2: 1/30 of the range; legacy: ~10% of the value).
    """
    from tb_histdiag.engine import stats
    from tests.conftest import tag_values

    series = read_all(python_provider(writers_logdir))[run]["fc1.weight"]
    s = stats.compute(series.steps, series.left, series.right, series.counts, series.nonfinite)
    for i, step in enumerate(series.steps):
        raw = tag_values("fc1.weight", int(step)).astype(np.float64)
        spread = raw.std()
        assert s.minimum[i] == pytest.approx(raw.min(), rel=1e-6)
        assert s.maximum[i] == pytest.approx(raw.max(), rel=1e-6)
        assert abs(s.mean[i] - raw.mean()) < 0.02 * spread
        assert abs(s.std[i] - spread) < 0.03 * spread
        bucket = (raw.max() - raw.min()) / 30
        np.testing.assert_allclose(
            s.bands[i, 1:-1], np.quantile(raw, stats.BASIS_POINTS_P[1:-1]), atol=bucket
        )


@pytest.mark.parametrize(
    ("tags", "picked"),
    [
        (["loss", "val_loss", "accuracy"], "loss"),
        (["epoch_loss", "epoch_accuracy"], "epoch_loss"),
        (["cost_1", "accuracy"], "cost_1"),  # TF1 tutorials: the objective is the "cost"
        (["optimizer/cost"], "optimizer/cost"),
        (["cross_entropy", "lr"], "cross_entropy"),
        (["val_cost", "accuracy"], None),
        (["accuracy"], None),
    ],
)
def test_the_training_loss_scalar_is_found_under_the_names_people_give_it(tags, picked):
    assert pick_loss_tag(tags) == picked


def test_a_second_training_in_the_same_run_directory_is_judged_on_its_own(tmp_path):
    """Keras users re-run ``fit`` with the same log_dir: the steps start again at 0 in a new
    event file of the same run. Like the histograms (what the latest writing left standing), the
    loss is read on the second training, not from the first one's start to the second one's end."""
    from tb_histdiag import api
    from tb_histdiag.scenarios.writers import open_writer

    rng = np.random.default_rng(0)
    run_dir = tmp_path / "run"
    for start, end in ((10.0, 1.0), (5.0, 4.9)):
        # TensorBoard reads a run's event files in name order: the creation second, then a
        # per-process counter compared as text (".10" before ".9"). A re-run fit starts seconds
        # later; two writers within one second would be read in counter order, which breaks
        # when the counter gains a digit (it did once the whole suite had opened ~100 writers).
        time.sleep(1.0 - time.time() % 1.0 + 0.01)
        writer = open_writer("tf2", run_dir)
        for step in range(20):
            writer.scalar("epoch_loss", start + (end - start) * step / 19, step)
            writer.histogram("dense/kernel", rng.normal(0, 0.1, 256), step)
        writer.close()
    assert len(list(run_dir.iterdir())) == 2
    (run,) = api.diagnose(str(tmp_path), load_fast=False).runs
    assert run.loss.improvement == pytest.approx((5.0 - 4.9) / 5.0, rel=0.2)
    assert run.loss.flat
