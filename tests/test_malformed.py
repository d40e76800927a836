"""Malformed histograms, as real event files, through both real providers and every route."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.parse

import pytest
from tensorboard import context
from tensorboard.backend import application
from tensorboard.plugins.histogram import histograms_plugin
from werkzeug import test as werkzeug_test
from werkzeug import wrappers

from tb_histdiag.plugin import HistDiagPlugin
from tests import malformed
from tests.conftest import python_provider

PREFIX = "/data/plugin/tb_histdiag"


@pytest.fixture(scope="module")
def malformed_logdir(tmp_path_factory) -> str:
    logdir = str(tmp_path_factory.mktemp("malformed"))
    malformed.write(logdir)
    return logdir


def client_for(provider, logdir: str) -> werkzeug_test.Client:
    flags = argparse.Namespace(
        logdir=logdir, samples_per_plugin={}, window_title="", path_prefix=""
    )
    app = application.TensorBoardWSGIApp(
        flags, [histograms_plugin.HistogramsPlugin, HistDiagPlugin], provider
    )
    return werkzeug_test.Client(app, wrappers.Response)


def rust_provider(logdir: str):
    from tensorboard.data import server_ingester
    from tensorboard.util import grpc_util

    try:
        binary = server_ingester.get_server_binary()
    except server_ingester.NoDataServerError:
        pytest.skip("tensorboard-data-server is not installed")
    ingester = server_ingester.SubprocessServerDataIngester(
        server_binary=binary,
        logdir=logdir,
        reload_interval=0,
        channel_creds_type=grpc_util.ChannelCredsType.LOCAL,
        samples_per_plugin={"histograms": 0},
    )
    ingester.start()
    provider = ingester.data_provider
    # The server drops some malformed points entirely, so wait for a stable listing instead of
    # for every tag to reach the last step.
    deadline = time.monotonic() + 60
    previous = None
    while time.monotonic() < deadline:
        listing = provider.list_tensors(
            context.RequestContext(), experiment_id="", plugin_name="histograms"
        )
        current = {run: {t: ts.max_step for t, ts in tags.items()} for run, tags in listing.items()}
        if len(current) == 2 and current == previous:
            break
        previous = current
        time.sleep(0.5)
    return ingester, provider


def check_every_route(client: werkzeug_test.Client) -> dict:
    """Call every route for every (run, tag); all must answer 200 JSON. Returns the tags."""
    response = client.get(f"{PREFIX}/runs")
    assert response.status_code == 200
    runs = json.loads(response.get_data(as_text=True))["runs"]
    assert {r["run"] for r in runs} == {"legacy", "tf2"}
    seen = {}
    for run in runs:
        for tag in run["tags"]:
            query = urllib.parse.urlencode({"run": run["run"], "tag": tag["tag"]})
            for route in ("diagnostics", "series"):
                response = client.get(f"{PREFIX}/{route}?{query}")
                body = response.get_data(as_text=True)
                assert response.status_code == 200, (route, run["run"], tag["tag"], body)
                assert response.headers["Content-Type"] == "application/json"
                json.loads(body)
            doc = json.loads(client.get(f"{PREFIX}/diagnostics?{query}").get_data(as_text=True))
            seen[(run["run"], tag["tag"])] = doc["runs"][0]["tags"][0]
        response = client.get(f"{PREFIX}/layer_map?run={run['run']}")
        assert response.status_code == 200
    assert client.get(f"{PREFIX}/compare?a=legacy&b=tf2").status_code == 200
    assert client.get(f"{PREFIX}/diagnostics").status_code == 200
    return seen


def assert_judged(tags: dict) -> None:
    """Every tag gets a verdict from the vocabulary or an explicit unknown with a reason."""
    for (run, tag), doc in tags.items():
        assert doc["status"] in ("ok", "unknown", "info", "warning", "critical"), (run, tag)
        if doc["status"] == "unknown":
            assert doc["reason"], (run, tag)


EXPECTED_NONFINITE = {
    ("legacy", "nan_edges"),
    ("legacy", "inf_edge"),
    ("tf2", "nan_all"),
    ("tf2", "inf_edges"),
}


def test_python_provider_answers_every_route(malformed_logdir):
    tags = check_every_route(client_for(python_provider(malformed_logdir), malformed_logdir))
    assert_judged(tags)
    for key in EXPECTED_NONFINITE:
        assert [v["id"] for v in tags[key]["verdicts"]] == ["nonfinite"], key
    assert tags[("tf2", "zeros")]["status"] == "unknown"
    assert tags[("tf2", "duplicate_steps")]["steps"] == malformed.STEPS


def test_rust_provider_answers_every_route(malformed_logdir):
    ingester, provider = rust_provider(malformed_logdir)
    try:
        tags = check_every_route(client_for(provider, malformed_logdir))
    finally:
        ingester._stdin_handle.close()
    assert_judged(tags)
    for key in EXPECTED_NONFINITE:
        assert [v["id"] for v in tags[key]["verdicts"]] == ["nonfinite"], key


def test_cli_judges_the_malformed_logdir_without_a_traceback(malformed_logdir):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tb_histdiag",
            malformed_logdir,
            "--format",
            "json",
            "--fail-on",
            "critical",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr  # the NaN tags are critical
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    assert {r["run"] for r in document["runs"]} == {"legacy", "tf2"}
