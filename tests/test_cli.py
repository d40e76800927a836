"""The ``tb-histdiag`` command line on real logdirs: contract, formats, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema
import pytest

from tb_histdiag import cli
from tests.conftest import WRITER_RUNS

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "..", "docs", "diagnostics-v1.schema.json")


@pytest.fixture(scope="module")
def schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tb_histdiag", *args], capture_output=True, text=True, timeout=300
    )


def test_json_output_validates_against_the_contract(writers_logdir, schema):
    result = run_cli(writers_logdir, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema)
    assert sorted(r["run"] for r in document["runs"]) == sorted(WRITER_RUNS)


def test_scenario_json_validates_and_flags_the_broken_runs(scenario_logdir, schema):
    result = run_cli(scenario_logdir, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema)
    status = {r["run"]: r["status"] for r in document["runs"]}
    for fmt in ("legacy", "tf2", "keras"):
        assert status[f"constant_init_{fmt}"] == "critical"
        assert status[f"healthy_{fmt}"] in ("ok", "info")
        frozen = next(r for r in document["runs"] if r["run"] == f"frozen_early_{fmt}")
        assert [v["id"] for v in frozen["verdicts"]] == ["last_layer_only"]


def test_text_and_markdown_name_every_flagged_tag(writers_logdir):
    text = run_cli(writers_logdir).stdout
    markdown = run_cli(writers_logdir, "--format", "markdown").stdout
    for run in WRITER_RUNS:
        assert run in text
        assert f"`{run}`" in markdown
    assert "NaN or Inf values from step 5" in text
    assert "| status | tag |" in markdown


def test_fail_on_sets_the_exit_code(writers_logdir):
    assert cli.main([writers_logdir, "--format", "json", "--output", os.devnull]) == 0
    assert cli.main([writers_logdir, "--fail-on", "critical", "--output", os.devnull]) == 1
    assert cli.main([writers_logdir, "--fail-on", "warning", "--output", os.devnull]) == 1
    healthy = ["--tag", "^fc1\\.weight$", "--output", os.devnull]
    assert cli.main([writers_logdir, *healthy, "--fail-on", "warning"]) == 0


@pytest.mark.parametrize(
    ("make_args", "needle"),
    [
        (lambda tmp, scalars: [str(tmp / "missing")], "does not exist"),
        (lambda tmp, scalars: [str(tmp / "file.txt")], "is a file"),
        (lambda tmp, scalars: [str(tmp / "empty")], "no histogram summaries"),
        (lambda tmp, scalars: [scalars], "no histogram summaries"),
        (lambda tmp, scalars: [scalars, "--tag", "("], "invalid --tag regex"),
    ],
)
def test_unusable_input_exits_2_with_one_line(tmp_path, scalars_logdir, make_args, needle):
    (tmp_path / "file.txt").write_text("not a logdir")
    (tmp_path / "empty").mkdir()
    result = run_cli(*make_args(tmp_path, scalars_logdir))
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_output_is_written_atomically(writers_logdir, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("previous")
    assert cli.main([writers_logdir, "--format", "json", "--output", str(target)]) == 0
    assert json.loads(target.read_text())["schema"] == "tb_histdiag/diagnostics/v1"
    # A failed run (bad logdir) leaves the previous file untouched and no temp files behind.
    target.write_text("previous")
    assert cli.main([str(tmp_path / "missing"), "--output", str(target)]) == 2
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
