"""The Diagnostics tab on real Keras 3 runs in a real browser: a run that logs weights only and
whose cause is inferred from them points to the one-line loggers that would confirm it; a run
whose activations and gradients are logged does not; a run whose layers all write
``kernel/histogram`` (older Keras 3 callbacks) says its tags may hold one layer of several."""

from __future__ import annotations

import os
import shutil

import pytest

from .conftest import TensorBoardProcess
from .test_browser_tab import TIMEOUT, Tab, tid
from .test_shared_tags import _write_colliding_run

pytestmark = pytest.mark.browser

KERAS = os.path.join(os.path.dirname(__file__), "data", "keras")
WEIGHTS_ONLY = "k3_sigmoid_deep/train"
WITH_GRADIENTS = "k3_custom_loop"
UNNAMED = "old_keras/train"


@pytest.fixture(scope="module")
def keras_tensorboard(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("keras_logging"))
    for run in ("k3_sigmoid_deep", "k3_custom_loop"):
        shutil.copytree(os.path.join(KERAS, run), os.path.join(logdir, run))
    _write_colliding_run(os.path.join(logdir, UNNAMED))
    tb = TensorBoardProcess(logdir, "--samples_per_plugin=histograms=0")
    try:
        tb.wait_for_runs(3)
        yield tb
    finally:
        tb.stop()


def test_an_inferred_cause_points_to_the_one_line_loggers(browser, keras_tensorboard):
    t = Tab(browser, keras_tensorboard.url)
    try:
        inferred = t.frame.locator(tid("run-section", run=WEIGHTS_ONLY))
        inferred.wait_for(timeout=TIMEOUT)
        advice = inferred.locator(tid("logging-advice"))
        assert advice.count() == 1
        text = advice.inner_text()
        assert "logs weights only" in text
        assert "inferred from the weights" in text
        codes = advice.locator("code").all_inner_texts()
        assert any("tb_histdiag.keras.HistogramLogger(" in c for c in codes), codes
        assert any("tb_histdiag.torch_logging.log_histograms(" in c for c in codes), codes
        assert advice.get_attribute("role") == "note"
        read = t.frame.locator(tid("run-section", run=WITH_GRADIENTS))
        read.wait_for(timeout=TIMEOUT)
        assert read.locator(tid("logging-advice")).count() == 0
        assert t.problems == [], t.problems
    finally:
        t.close()


def test_tags_that_name_no_layer_say_several_layers_may_share_them(browser, keras_tensorboard):
    t = Tab(browser, keras_tensorboard.url)
    try:
        section = t.frame.locator(tid("run-section", run=UNNAMED))
        section.wait_for(timeout=TIMEOUT)
        # TensorBoard's default loader keeps the last tensor of each step: the names tell.
        verdict = section.locator(tid("verdict", verdict_id="unnamed_layers"))
        assert verdict.count() == 1
        verdict.locator("summary").click()
        text = verdict.inner_text()
        assert "several layers may share them" in text
        assert "'bias/histogram' and 'kernel/histogram' name no layer" in text
        assert "weights=True" in text
        overview = t.frame.locator(tid("run-verdict-title", verdict_id="unnamed_layers"))
        assert overview.count() == 1
        other = t.frame.locator(tid("run-section", run=WITH_GRADIENTS))
        assert other.locator(tid("verdict", verdict_id="unnamed_layers")).count() == 0
        assert t.problems == [], t.problems
    finally:
        t.close()
