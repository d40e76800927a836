"""The plugin inside TensorBoard's real WSGI app (routing, middleware, error mapping), no sockets."""

from __future__ import annotations

import argparse
import json

import pytest
from tensorboard.backend import application
from tensorboard.plugins.histogram import histograms_plugin
from werkzeug import test as werkzeug_test
from werkzeug import wrappers

from tb_histdiag import plugin as plugin_module
from tb_histdiag.plugin import HistDiagPlugin
from tests.conftest import NAN_FROM_STEP, STEPS, TAGS, WRITER_RUNS, python_provider

PREFIX = "/data/plugin/tb_histdiag"


def make_client(logdir: str) -> werkzeug_test.Client:
    flags = argparse.Namespace(
        logdir=logdir, samples_per_plugin={}, window_title="", path_prefix=""
    )
    app = application.TensorBoardWSGIApp(
        flags, [histograms_plugin.HistogramsPlugin, HistDiagPlugin], python_provider(logdir)
    )
    return werkzeug_test.Client(app, wrappers.Response)


@pytest.fixture(scope="module")
def client(writers_logdir) -> werkzeug_test.Client:
    return make_client(writers_logdir)


def get_json(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return json.loads(response.get_data(as_text=True))


def test_tab_is_listed_and_enabled_with_histograms(client):
    listing = get_json(client, "/data/plugins_listing")
    entry = listing["tb_histdiag"]
    assert entry["enabled"] is True
    assert entry["tab_name"] == "Diagnostics"
    assert entry["loading_mechanism"] == {
        "type": "IFRAME",
        "module_path": "/data/plugin/tb_histdiag/static/index.js",
    }


def test_tab_is_not_enabled_without_histograms(scalars_logdir):
    listing = get_json(make_client(scalars_logdir), "/data/plugins_listing")
    assert listing["tb_histdiag"]["enabled"] is False
    # The routes answer with an empty result, not an error.
    assert get_json(make_client(scalars_logdir), f"{PREFIX}/diagnostics")["runs"] == []


def test_runs_route_lists_tags_with_roles(client):
    body = get_json(client, f"{PREFIX}/runs")
    assert [r["run"] for r in body["runs"]] == sorted(WRITER_RUNS)
    tags = {t["tag"]: t for t in body["runs"][0]["tags"]}
    assert sorted(tags) == sorted(TAGS)
    assert tags["fc1.weight"]["role"] == "weight"
    assert tags["fc1.bias"]["role"] == "bias"
    assert tags["fc1.weight"]["layer"] == tags["fc1.bias"]["layer"] == "fc1"
    assert tags["relu"]["role"] == "activation"
    assert all(t["last_step"] == STEPS - 1 for t in tags.values())


def verdict_ids(run_doc: dict) -> dict[str, list[str]]:
    return {t["tag"]: [v["id"] for v in t["verdicts"]] for t in run_doc["tags"]}


def test_diagnostics_route_gives_the_expected_verdicts(client):
    body = get_json(client, f"{PREFIX}/diagnostics")
    assert body["schema"] == "tb_histdiag/diagnostics/v1"
    assert [r["run"] for r in body["runs"]] == sorted(WRITER_RUNS)
    for run in body["runs"]:
        ids = verdict_ids(run)
        assert ids["blowup"] == ["nonfinite"], run["run"]
        assert "constant" in ids["const"], run["run"]
        assert ids["fc1.bias"] == ["frozen"], run["run"]
        assert ids["fc1.weight"] == [], run["run"]
        assert run["status"] == "critical"
        blowup = next(t for t in run["tags"] if t["tag"] == "blowup")
        verdict = blowup["verdicts"][0]
        assert verdict["evidence"]["first_nonfinite_step"] == NAN_FROM_STEP
        assert verdict["steps"] == [NAN_FROM_STEP, STEPS - 1]
        assert all(verdict[key] for key in ("summary", "fix", "title"))


def test_diagnostics_route_filters_by_run_and_tag(client):
    body = get_json(client, f"{PREFIX}/diagnostics?run=tf2")
    assert [r["run"] for r in body["runs"]] == ["tf2"]
    body = get_json(client, f"{PREFIX}/diagnostics?run=tf2&tag=const")
    assert [t["tag"] for t in body["runs"][0]["tags"]] == ["const"]
    body = get_json(client, f"{PREFIX}/diagnostics?tag=fc1.bias")
    assert [len(r["tags"]) for r in body["runs"]] == [1, 1, 1]


def test_series_route_gives_chart_data(client):
    body = get_json(client, f"{PREFIX}/series?run=torch&tag=fc1.weight")
    assert body["steps"] == list(range(STEPS))
    assert body["bands"]["basis_points"] == [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000]
    assert len(body["bands"]["values"]) == STEPS
    for row in body["bands"]["values"]:
        assert row == sorted(row)
    assert len(body["histogram"]["edges"]) == 31
    counts = body["histogram"]["counts"]
    assert all(abs(sum(row) - 2000) < 1e-3 for row in counts)
    # The weights drift upwards by 0.01 per step: the median band follows.
    medians = [row[4] for row in body["bands"]["values"]]
    assert medians[-1] - medians[0] == pytest.approx(0.09, abs=0.02)


def test_series_route_reports_nonfinite_steps_as_null(client):
    body = get_json(client, f"{PREFIX}/series?run=tf2&tag=blowup")
    assert body["nonfinite"] == [s >= NAN_FROM_STEP for s in range(STEPS)]
    assert body["bands"]["values"][-1] == [None] * 9
    assert body["stats"]["mean"][-1] is None


@pytest.mark.parametrize(
    ("url", "status", "needle"),
    [
        (f"{PREFIX}/series", 400, "missing query parameter 'run'"),
        (f"{PREFIX}/series?run=torch", 400, "missing query parameter 'tag'"),
        (f"{PREFIX}/series?run=&tag=x", 400, "'run' is empty"),
        (f"{PREFIX}/series?run=a&run=b&tag=x", 400, "given 2 times"),
        (f"{PREFIX}/series?run={'x' * 5000}&tag=x", 400, "longer than"),
        (f"{PREFIX}/series?run=nope&tag=const", 404, "run 'nope' has no histograms"),
        (f"{PREFIX}/series?run=torch&tag=nope", 404, "has no histogram tag 'nope'"),
        (f"{PREFIX}/diagnostics?run=nope", 404, "run 'nope'"),
        (f"{PREFIX}/diagnostics?run=torch&tag=nope", 404, "no histogram tag 'nope'"),
        (f"{PREFIX}/diagnostics?tag=nope", 404, "no run has a histogram tag 'nope'"),
        (f"{PREFIX}/diagnostics?run=%00", 404, "run '\x00'"),
    ],
)
def test_bad_requests_get_json_errors(client, url, status, needle):
    body = get_json(client, url, status)
    assert needle in body["error"]


def test_post_is_rejected_with_json(client):
    response = client.post(f"{PREFIX}/diagnostics")
    assert response.status_code == 405
    assert "GET" in json.loads(response.get_data(as_text=True))["error"]


def test_internal_errors_are_json_without_traceback(client, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret path /home/x")

    monkeypatch.setattr(plugin_module.HistDiagPlugin, "runs_impl", boom)
    body = get_json(client, f"{PREFIX}/runs", 500)
    assert "secret" not in body["error"]
    assert "internal error" in body["error"]


def test_static_bundle_is_served_as_javascript(client):
    response = client.get(f"{PREFIX}/static/index.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"render" in response.get_data()


@pytest.mark.parametrize(
    "path",
    [
        "../plugin.py",
        "%2e%2e/plugin.py",
        "..%2fplugin.py",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..\\plugin.py",
        "..%5cplugin.py",
        "//etc/passwd",
        "%2fetc%2fpasswd",
        "/etc/passwd",
        "index.js%00",
        "nonexistent.js",
        "",
        "./index.js",
        "x/../index.js",
    ],
)
def test_static_route_serves_only_the_allow_list(client, path):
    response = client.get(f"{PREFIX}/static/{path}")
    assert response.status_code == 404
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_static_symlinks_are_not_served(tmp_path):
    (tmp_path / "index.js").write_text("export function render() {}")
    (tmp_path / "leak.js").symlink_to("/etc/passwd")
    assert sorted(plugin_module._static_files(str(tmp_path))) == ["index.js"]


def test_layer_map_shows_which_layers_move(scenario_logdir):
    body = get_json(make_client(scenario_logdir), f"{PREFIX}/layer_map?run=frozen_early_tf2")
    layers = body["layers"]
    assert [row["layer"] for row in layers] == ["dense", "dense_1", "dense_2", "dense_3"]
    assert [row["role"] for row in layers] == ["weight"] * 4
    for row in layers[:3]:
        assert set(row["movement"]) == {0.0}, row["layer"]
    last = layers[3]["movement"]
    assert last[0] == 0.0
    assert last[-1] > 0.1
    assert len(last) == len(layers[3]["steps"])


def test_layer_map_of_every_run_and_of_an_unknown_run(client):
    body = get_json(client, f"{PREFIX}/layer_map")
    assert [r["run"] for r in body["runs"]] == sorted(WRITER_RUNS)
    assert [row["layer"] for row in body["runs"][0]["layers"]] == ["fc1"]
    assert "run 'nope'" in get_json(client, f"{PREFIX}/layer_map?run=nope", 404)["error"]


def test_compare_puts_differing_verdicts_first(scenario_logdir):
    client = make_client(scenario_logdir)
    body = get_json(client, f"{PREFIX}/compare?a=frozen_early_legacy&b=healthy_legacy")
    assert (body["a"], body["b"]) == ("frozen_early_legacy", "healthy_legacy")
    rows = body["tags"]
    differing = [r for r in rows if r["verdicts_differ"]]
    assert rows[: len(differing)] == differing
    assert {r["tag"] for r in differing} >= {"fc1.weight", "fc1.bias", "fc2.weight", "fc3.weight"}
    fc1 = next(r for r in rows if r["tag"] == "fc1.weight")
    assert fc1["a"]["verdicts"] == ["frozen"]
    assert fc1["b"]["verdicts"] == []
    assert fc1["a"]["movement"] == 0.0
    assert fc1["b"]["movement"] > 0.01  # healthy: moves (30 logged steps: ~0.09)
    assert fc1["distance"] > 0
    assert "missing query parameter 'b'" in get_json(client, f"{PREFIX}/compare?a=x", 400)["error"]
    assert "run 'nope'" in get_json(client, f"{PREFIX}/compare?a=nope&b=healthy_tf2", 404)["error"]


def test_other_tabs_keep_working_after_a_plugin_failure(client, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(plugin_module.HistDiagPlugin, "diagnostics_impl", boom)
    assert get_json(client, f"{PREFIX}/diagnostics", 500)["error"]
    tags = get_json(client, "/data/plugin/histograms/tags")
    assert sorted(tags) == sorted(WRITER_RUNS)
    assert get_json(client, "/data/plugins_listing")["tb_histdiag"]["enabled"] is True


def test_head_requests_get_headers_only(client):
    response = client.head(f"{PREFIX}/runs")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_data() == b""


def test_entry_point_imports_with_runtime_dependencies_only():
    import subprocess
    import sys

    code = (
        "import sys, importlib.metadata as md\n"
        "(ep,) = [e for e in md.entry_points(group='tensorboard_plugins') if e.name == 'tb_histdiag']\n"
        "plugin = ep.load()\n"
        "assert plugin.plugin_name == 'tb_histdiag'\n"
        "heavy = {'torch', 'tensorboardX', 'playwright', 'jsonschema', 'hypothesis', 'pytest'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_server_timing_splits_a_request_into_its_stages(writers_logdir):
    from tb_histdiag.timing import parse_header

    client = make_client(writers_logdir)  # a plugin of its own: nothing is cached yet

    def timing(url: str) -> dict[str, float]:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        stages = parse_header(response.headers["Server-Timing"])
        assert all(ms >= 0 for ms in stages.values()), stages
        # Stages are rounded to 0.01 ms each; none can outlast the whole request.
        assert sum(v for k, v in stages.items() if k != "total") <= stages["total"] + 0.05
        return stages

    one = f"{PREFIX}/diagnostics?run=torch&tag=fc1.weight"
    assert list(timing(one)) == ["list", "read", "diagnose", "json", "total"]
    # A cached answer reads and diagnoses nothing.
    assert list(timing(one)) == ["list", "json", "total"]
    assert list(timing(f"{PREFIX}/diagnostics?run=torch")) == [
        "list",
        "read",
        "diagnose",
        "json",
        "total",
    ]
    assert list(timing(f"{PREFIX}/series?run=torch&tag=fc1.weight")) == [
        "read",
        "stats",
        "json",
        "total",
    ]
    # Every other series of the experiment is still to be read.
    assert list(timing(f"{PREFIX}/diagnostics")) == ["read", "diagnose", "check", "json", "total"]
    # The logdir check runs again (its results are cached per file), nothing is read.
    assert list(timing(f"{PREFIX}/diagnostics")) == ["check", "json", "total"]


def test_timing_header_round_trip():
    from tb_histdiag.timing import Timing, parse_header

    t = Timing()
    t.add("read", 0.002)
    t.add("custom", 0.001)
    t.add("read", 0.0005)
    t.add("json", 0.0001)
    stages = parse_header(t.header())
    assert list(stages) == ["read", "json", "custom", "total"]
    assert {k: stages[k] for k in ("read", "json", "custom")} == {
        "read": 2.5,
        "json": 0.1,
        "custom": 1.0,
    }
    assert stages["total"] >= 0
