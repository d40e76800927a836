"""The plugin inside a real ``tensorboard`` process, found through its entry point."""

from __future__ import annotations

import json

import pytest

from tests.conftest import WRITER_RUNS, TensorBoardProcess

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
