"""The plugin inside a real ``tensorboard`` process, found through its entry point."""

from __future__ import annotations

import json
import sys
import time

import pytest

from tests.conftest import WRITER_RUNS, TensorBoardProcess
from tests.tensorboard_launch import DidNotStart, LaunchedTensorBoard

pytestmark = pytest.mark.server


@pytest.mark.parametrize(
    ("flags", "prefix"),
    [((), ""), (("--path_prefix", "/tb"), "/tb"), (("--load_fast", "false"), "")],
)
def test_real_tensorboard_serves_the_plugin(writers_logdir, flags, prefix):
    tb = TensorBoardProcess(writers_logdir, *flags)
    try:
        assert tb.url.endswith(prefix) or prefix == ""
        tb.wait_for_runs(len(WRITER_RUNS))
        status, body = tb.get("/data/plugins_listing")
        assert status == 200
        listing = json.loads(body)["tb_histdiag"]
        assert listing["enabled"] is True
        assert listing["tab_name"] == "Diagnostics"
        status, body = tb.get("/data/plugin/tb_histdiag/diagnostics?run=torch")
        assert status == 200
        tags = {t["tag"]: t for t in json.loads(body)["runs"][0]["tags"]}
        assert [v["id"] for v in tags["blowup"]["verdicts"]] == ["nonfinite"]
        status, body = tb.get("/data/plugin/tb_histdiag/static/index.js")
        assert status == 200
        assert b"render" in body
        status, body = tb.get("/data/plugin/tb_histdiag/series?run=torch&tag=nope")
        assert status == 404
        assert "nope" in json.loads(body)["error"]
        status, body = tb.get("/data/plugin_entry.html?name=tb_histdiag")
        assert status == 200
        assert b"./static/index.js" in body
    finally:
        tb.stop()
    assert "Traceback" not in "".join(tb.log)


def test_a_tensorboard_that_exits_at_once_is_reported_with_its_stderr(tmp_path):
    started = time.monotonic()
    with pytest.raises(DidNotStart) as info:
        TensorBoardProcess(str(tmp_path), "--no_such_flag_here")
    assert time.monotonic() - started < 60  # not the 120 s start timeout
    assert str(info.value).startswith("tensorboard did not start:\n")
    assert "no_such_flag_here" in str(info.value)
    assert info.value.log


def test_the_launcher_runs_any_command_and_quotes_the_tail_of_its_log(tmp_path):
    script = "import sys; sys.stderr.write('one\\ntwo\\nthree\\n'); sys.exit(2)"
    with pytest.raises(DidNotStart) as info:
        LaunchedTensorBoard([sys.executable, "-c", script], str(tmp_path), error_tail=2)
    assert str(info.value) == "tensorboard did not start:\ntwo\nthree\n"
    assert info.value.log == ["one\n", "two\n", "three\n"]
