"""The ``tb-histdiag`` command line on real logdirs: contract, formats, exit codes, errors, output.

Golden-free: every report is checked against the JSON document of the same logdir (each run's
verdicts must appear, escaped for the format), and exit codes against the statuses the writers'
logdir is built to have (``fc1.weight`` ok, ``fc1.bias`` warning, ``blowup`` critical).
"""

from __future__ import annotations

import html
import json
import os
import shutil
import stat
import subprocess
import sys

import jsonschema
import pytest

from tb_histdiag import cli
from tb_histdiag.reports import markdown as markdown_report
from tb_histdiag.reports import phrases
from tests.conftest import TAGS, WRITER_RUNS

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "..", "docs", "diagnostics-v1.schema.json")

#: Selections of the writers' logdir with a known worst status.
HEALTHY = ("--tag", r"^fc1\.weight$")  # ok in every run
WARNING_ONLY = ("--tag", r"^fc1\.bias$")  # frozen: warning
#: The whole logdir: blowup is critical (NaN from step 5).


@pytest.fixture(scope="module")
def schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m tb_histdiag ARGS`` in a fresh process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "tb_histdiag", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=None if env is None else {**os.environ, **env},
    )


def assert_one_line_error(result: subprocess.CompletedProcess, needle: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("tb-histdiag: error: ")
    assert needle in result.stderr, result.stderr
    assert result.stdout == ""


def every_verdict(document: dict) -> list[tuple[str, dict]]:
    """(run, verdict) for every run, layer and tag verdict of a JSON document."""
    out = []
    for run in document["runs"]:
        out += [(run["run"], v) for v in run["verdicts"]]
        out += [(run["run"], v) for layer in run["layers"] for v in layer["verdicts"]]
        out += [(run["run"], v) for tag in run["tags"] for v in tag["verdicts"]]
    return out


def section_of(text: str, start: str, following: list[str]) -> str:
    """The part of a report from ``start`` to the next of ``following`` (or the end)."""
    begin = text.index(start)
    ends = [text.find(f, begin + len(start)) for f in following]
    ends = [e for e in ends if e != -1]
    return text[begin : min(ends) if ends else len(text)]


# The JSON contract.


def test_json_output_validates_against_the_contract(writers_logdir, schema):
    result = run_cli(writers_logdir, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema)
    assert sorted(r["run"] for r in document["runs"]) == sorted(WRITER_RUNS)
    for run in document["runs"]:
        assert sorted(t["tag"] for t in run["tags"]) == sorted(TAGS)
    # Nothing is printed on stderr when it is not a terminal: no progress bar in CI logs.
    assert result.stderr == ""


@pytest.fixture(scope="module")
def scenario_reports(scenario_logdir) -> dict[str, str]:
    """The scenario logdir's report in every format, from the real command line."""
    processes = {
        fmt: subprocess.Popen(
            [sys.executable, "-m", "tb_histdiag", scenario_logdir, "--format", fmt],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for fmt in ("json", "text", "markdown", "html")
    }
    out = {}
    for fmt, process in processes.items():
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        out[fmt] = stdout
    return out


def test_scenario_json_validates_and_flags_the_broken_runs(scenario_reports, schema):
    document = json.loads(scenario_reports["json"])
    jsonschema.validate(document, schema)
    status = {r["run"]: r["status"] for r in document["runs"]}
    for fmt in ("legacy", "tf2", "keras"):
        assert status[f"constant_init_{fmt}"] == "critical"
        assert status[f"healthy_{fmt}"] in ("ok", "info")
        frozen = next(r for r in document["runs"] if r["run"] == f"frozen_early_{fmt}")
        assert [v["id"] for v in frozen["verdicts"]] == ["last_layer_only"]


def test_text_report_has_every_runs_verdicts(scenario_reports):
    document = json.loads(scenario_reports["json"])
    text = scenario_reports["text"]
    names = [r["run"] for r in document["runs"]]
    for run in document["runs"]:
        section = section_of(text, f" {run['run']}  {run['status']}", [f" {n}  " for n in names])
        for _, v in every_verdict({"runs": [run]}):
            assert v["title"] in section, (run["run"], v["title"])
        if run["status"] == "ok":
            assert "look healthy" in section
    assert text.rstrip().endswith(f"{len(names)} runs: " + text.rstrip().split(" runs: ")[-1])
    assert "\033[" not in text  # no colour when stdout is not a terminal


def test_markdown_report_has_every_runs_verdicts(scenario_reports):
    document = json.loads(scenario_reports["json"])
    markdown = scenario_reports["markdown"]
    assert markdown.startswith("# Histogram diagnostics\n")
    for run in document["runs"]:
        heading = f"## {markdown_report.escape_markdown(run['run'])} — "
        section = section_of(markdown, heading, ["\n## "])
        assert f"{phrases.ICONS[run['status']]} {run['status']}" in section.splitlines()[0]
        for _, v in every_verdict({"runs": [run]}):
            assert markdown_report.escape_markdown(v["title"]) in section, v["title"]
        # Summary table row with the run's counts.
        counts = " | ".join(str(run["counts"][s]) for s in phrases.STATUS_ORDER)
        assert f"| {markdown_report.escape_markdown(run['run'])} | " in markdown
        assert counts in markdown
    # Every table row has as many cells as its header.
    for block in markdown.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            widths = {line.replace("\\|", "").count("|") for line in rows}
            assert len(widths) == 1, block


def test_html_report_has_every_runs_verdicts_and_charts(scenario_reports):
    document = json.loads(scenario_reports["json"])
    page = scenario_reports["html"]
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "Content-Security-Policy" in page
    for i, run in enumerate(document["runs"]):
        section = section_of(page, f'<section class="run" id="run-{i}">', ['<section class="run"'])
        assert html.escape(run["run"]) in section
        for _, v in every_verdict({"runs": [run]}):
            assert html.escape(v["title"]) in section, v["title"]
        flagged = [t for t in run["tags"] if t["verdicts"]]
        # One chart per flagged tag, with each verdict's span labelled by its id.
        assert section.count('<svg class="chart"') == len(flagged)
        for tag in flagged:
            for v in tag["verdicts"]:
                assert f">{v['id']}</text>" in section


# Exit codes.


@pytest.mark.parametrize(
    ("selection", "flags", "code"),
    [
        ((), (), 0),
        ((), ("--fail-on", "warning"), 1),
        ((), ("--fail-on", "critical"), 1),
        (WARNING_ONLY, ("--fail-on", "warning"), 1),
        (WARNING_ONLY, ("--fail-on", "critical"), 0),
        (WARNING_ONLY, (), 0),
        (HEALTHY, ("--fail-on", "warning"), 0),
        (HEALTHY, ("--fail-on", "critical"), 0),
        # --fail-on judges what is reported: --min-severity above it hides the warnings ...
        (WARNING_ONLY, ("--min-severity", "critical", "--fail-on", "warning"), 0),
        # ... and at or below it changes nothing.
        (WARNING_ONLY, ("--min-severity", "info", "--fail-on", "warning"), 1),
        (WARNING_ONLY, ("--min-severity", "warning", "--fail-on", "warning"), 1),
        ((), ("--min-severity", "critical", "--fail-on", "critical"), 1),
        ((), ("--min-severity", "warning", "--fail-on", "critical"), 1),
    ],
)
def test_exit_codes(writers_logdir, capsys, selection, flags, code):
    assert cli.main([writers_logdir, *selection, *flags]) == code
    out = capsys.readouterr()
    assert out.err == ""
    for run in WRITER_RUNS:
        assert run in out.out


def test_min_severity_keeps_only_tags_at_or_above_it(writers_logdir, capsys, schema):
    assert cli.main([writers_logdir, "--format", "json", "--min-severity", "critical"]) == 0
    document = json.loads(capsys.readouterr().out)
    jsonschema.validate(document, schema)
    for run in document["runs"]:
        assert [t["tag"] for t in run["tags"]] == ["blowup"]
        assert run["status"] == "critical"
    assert cli.main([writers_logdir, *WARNING_ONLY, "--min-severity", "critical"]) == 0
    text = capsys.readouterr().out
    assert text.count("nothing at or above critical") == len(WRITER_RUNS)
    assert "Never changes" not in text


# Unusable input: exit 2, one line, no traceback.


@pytest.mark.parametrize(
    ("make_args", "needle"),
    [
        (lambda tmp, scalars: [str(tmp / "missing")], "does not exist"),
        (lambda tmp, scalars: [str(tmp / "file.txt")], "is a file"),
        (lambda tmp, scalars: [str(tmp / "empty")], "no event files found"),
        (lambda tmp, scalars: [scalars], "no histogram summaries (1 run with other summaries"),
        (lambda tmp, scalars: [scalars, "--tag", "("], "invalid --tag regex"),
        (lambda tmp, scalars: [scalars, "--run", "[a"], "invalid --run regex"),
        (lambda tmp, scalars: [], "the following arguments are required: LOGDIR"),
        (lambda tmp, scalars: [scalars, "--bogus"], "unrecognized arguments: --bogus"),
        (lambda tmp, scalars: [scalars, "--format", "pdf"], "invalid choice: 'pdf'"),
        (lambda tmp, scalars: [scalars, "--samples", "x"], "invalid int value: 'x'"),
        (lambda tmp, scalars: [scalars, "--samples", "-1"], "--samples must be 0"),
        (lambda tmp, scalars: [scalars, "--role", "kernel"], "unknown --role kernel"),
        (lambda tmp, scalars: [scalars, "--fail-on", "info"], "invalid choice: 'info'"),
        (lambda tmp, scalars: [scalars, "--compare", "a"], "expected 2 arguments"),
        (lambda tmp, scalars: [scalars, "--compare", "a", "a"], "two different runs"),
        (lambda tmp, scalars: [scalars, "--thresholds", str(tmp / "no.toml")], "no.toml"),
        (lambda tmp, scalars: [scalars, "--config", str(tmp / "file.txt")], "file.txt"),
    ],
)
def test_unusable_input_exits_2_with_one_line(tmp_path, scalars_logdir, make_args, needle):
    (tmp_path / "file.txt").write_text("not a logdir")
    (tmp_path / "empty").mkdir()
    assert_one_line_error(run_cli(*make_args(tmp_path, scalars_logdir)), needle)


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (("--run", "nomatch"), "no run matches the run filter 'nomatch' (runs: 'tbx', 'tf2'"),
        (("--tag", "nomatch"), "no histogram tag matches the tag/role filters (tags: 'blowup'"),
        (("--role", "gradient"), "no histogram tag matches the tag/role filters"),
        (("--compare", "torch", "nope"), "no run named 'nope' (runs: 'tbx'"),
    ],
)
def test_filters_that_match_nothing_exit_2(writers_logdir, flags, needle):
    assert_one_line_error(run_cli(writers_logdir, *flags), needle)


def test_help_is_fast_and_imports_nothing_heavy():
    code = (
        "import sys, tb_histdiag.cli\n"
        "assert 'numpy' not in sys.modules and 'tensorboard' not in sys.modules\n"
        "try:\n    tb_histdiag.cli.main(['--help'])\nexcept SystemExit as e:\n"
        "    assert e.code == 0\n"
        "assert 'numpy' not in sys.modules, 'argument parsing imported numpy'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for flag in ("--fail-on", "--min-severity", "--compare", "--load-fast", "--thresholds"):
        assert flag in result.stdout


# Selection.


def test_role_filter_and_samples(writers_logdir, capsys):
    args = [writers_logdir, "--format", "json", "--role", "weight,bias", "--samples", "4"]
    assert cli.main(args) == 0
    document = json.loads(capsys.readouterr().out)
    for run in document["runs"]:
        assert {t["role"] for t in run["tags"]} == {"weight", "bias"}
        assert {t["tag"] for t in run["tags"]} == {"fc1.weight", "fc1.bias"}
        for tag in run["tags"]:
            assert 2 <= tag["steps"] <= 4
            # TensorBoard's reservoir always keeps the most recent step.
            assert tag["last_step"] == 9


def test_several_logdirs_name_runs_by_logdir(writers_logdir, scalars_logdir, tmp_path, capsys):
    copy = str(tmp_path / "copy")
    shutil.copytree(os.path.join(writers_logdir, "tbx"), os.path.join(copy, "tbx"))
    assert cli.main([writers_logdir, copy, "--format", "json", "--run", "tbx"]) == 0
    runs = [r["run"] for r in json.loads(capsys.readouterr().out)["runs"]]
    assert runs == [f"{writers_logdir}:tbx", f"{copy}:tbx"]
    # A logdir without histograms among several is still an error.
    assert cli.main([writers_logdir, scalars_logdir]) == 2
    assert "has no histogram summaries" in capsys.readouterr().err


def test_remote_logdir_through_an_fsspec_filesystem(writers_logdir, capsys):
    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    for run in WRITER_RUNS:
        for name in os.listdir(os.path.join(writers_logdir, run)):
            with open(os.path.join(writers_logdir, run, name), "rb") as src:
                memory.pipe(f"/logs/{run}/{name}", src.read())
    try:
        assert cli.main(["memory://logs", "--format", "json"]) == 0
        remote = json.loads(capsys.readouterr().out)
        assert cli.main([writers_logdir, "--format", "json"]) == 0
        assert remote == json.loads(capsys.readouterr().out)
        assert cli.main(["memory://nowhere"]) == 2
        assert "logdir 'memory://nowhere' does not exist" in capsys.readouterr().err
    finally:
        memory.rm("/logs", recursive=True)


def test_unknown_remote_scheme_is_a_one_line_error():
    result = run_cli("nosuchfs://bucket/logs")
    assert_one_line_error(result, "cannot read logdir 'nosuchfs://bucket/logs'")


# Output.


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


def test_interrupted_rename_leaves_the_previous_file(writers_logdir, tmp_path, monkeypatch, capsys):
    target = tmp_path / "report.md"
    target.write_text("previous")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device", dst)

    monkeypatch.setattr(os, "replace", fail)
    assert cli.main([writers_logdir, "--format", "markdown", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "No space left on device" in err
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_write_failing_midway_leaves_the_previous_file(writers_logdir, tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("previous")
    real_fsync = os.fsync

    def fail_after_writing(fd: int) -> None:
        # The temporary file already holds the report: the failure comes after a partial commit.
        assert os.fstat(fd).st_size > 0
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fail_after_writing)
    assert cli.main([writers_logdir, "--format", "html", "-o", str(target)]) == 2
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_interrupted_rendering_leaves_the_previous_file(
    writers_logdir, tmp_path, monkeypatch, capsys
):
    from tb_histdiag.reports import html as html_report

    target = tmp_path / "report.html"
    target.write_text("previous")

    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(html_report, "to_html", interrupted)
    assert cli.main([writers_logdir, "--format", "html", "-o", str(target)]) == 130
    assert capsys.readouterr().err == "tb-histdiag: interrupted\n"
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_new_report_gets_the_usual_file_mode_and_keeps_an_existing_one(writers_logdir, tmp_path):
    fresh = tmp_path / "fresh.txt"
    assert cli.main([writers_logdir, "-o", str(fresh)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    assert cli.main([writers_logdir, "-o", str(kept)]) == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert "NaN or Inf values from step 5" in kept.read_text()


def test_output_to_a_device_or_through_a_symlink(writers_logdir, tmp_path):
    # A device cannot be renamed over: it is written, and stays a device (as root, a rename
    # would have replaced /dev/null with a regular file).
    if stat.S_ISCHR(os.stat(os.devnull).st_mode):
        assert cli.main([writers_logdir, "-o", os.devnull]) == 0
        assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    real = tmp_path / "reports" / "latest.txt"
    real.parent.mkdir()
    real.write_text("previous")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert cli.main([writers_logdir, "-o", str(link)]) == 0
    assert link.is_symlink(), "the link is kept; the file it points to is replaced"
    assert "NaN or Inf values" in real.read_text()
    assert sorted(p.name for p in real.parent.iterdir()) == ["latest.txt"]


def test_output_dash_is_stdout_and_a_missing_directory_is_one_line(writers_logdir, tmp_path):
    assert "NaN or Inf values" in run_cli(writers_logdir, "-o", "-").stdout
    result = run_cli(writers_logdir, "-o", str(tmp_path / "no" / "such" / "dir" / "r.txt"))
    assert_one_line_error(result, "No such file or directory")


def test_text_details_and_colour(writers_logdir):
    detailed = run_cli(writers_logdir, *WARNING_ONLY, "--details").stdout
    assert "Evidence: " in detailed
    assert "Fix: " in detailed
    coloured = run_cli(writers_logdir, "--color", "always").stdout
    assert "\033[31m" in coloured
    assert "\033[" not in run_cli(writers_logdir, "--color", "never").stdout


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(writers_logdir):
    pty = pytest.importorskip("pty")

    def stderr_on_a_terminal(*flags: str) -> str:
        controller, terminal = pty.openpty()
        try:
            result = subprocess.run(
                [sys.executable, "-m", "tb_histdiag", writers_logdir, *flags],
                stderr=terminal,
                stdout=subprocess.DEVNULL,
                timeout=300,
            )
            assert result.returncode == 0
            os.close(terminal)
            terminal = -1
            chunks = []
            while True:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # EIO: the terminal side is closed and drained
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks).decode("utf-8", "replace")
        finally:
            os.close(controller)
            if terminal != -1:
                os.close(terminal)

    drawn = stderr_on_a_terminal()
    assert "diagnos" in drawn
    assert "%" in drawn
    assert drawn.endswith("\r\033[K"), "the bar is erased before the process ends"
    assert stderr_on_a_terminal("--quiet") == ""


# Thresholds and config.


def test_thresholds_file_changes_verdicts(writers_logdir, tmp_path):
    toml = tmp_path / "thresholds.toml"
    toml.write_text(
        "# fc1.bias is unchanged over 10 steps: not enough to call it frozen\n"
        "frozen_min_steps = 100\n"
    )
    assert run_cli(writers_logdir, *WARNING_ONLY, "--fail-on", "warning").returncode == 1
    relaxed = run_cli(
        writers_logdir, *WARNING_ONLY, "--fail-on", "warning", "--thresholds", str(toml)
    )
    assert relaxed.returncode == 0, relaxed.stdout
    as_json = tmp_path / "thresholds.json"
    as_json.write_text('{"thresholds": {"frozen_min_steps": 100}}')
    assert (
        run_cli(
            writers_logdir, *WARNING_ONLY, "--fail-on", "warning", "--thresholds", str(as_json)
        ).returncode
        == 0
    )
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\n\n[tool.tb_histdiag.thresholds]\nfrozen_min_steps = 100\n'
    )
    assert (
        run_cli(
            writers_logdir, *WARNING_ONLY, "--fail-on", "warning", "--thresholds", str(pyproject)
        ).returncode
        == 0
    )


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (
            "dead_fraction = 0.5\nfrozen_steps = 2\n",
            "unknown threshold(s): dead_fraction, frozen_steps",
        ),
        ('dead_warning_fraction = "high"\n', "threshold 'dead_warning_fraction' must be a number"),
        ("frozen_min_steps = 2.5\n", "threshold 'frozen_min_steps' must be a whole number"),
        ("frozen_min_steps = \n", "is not valid TOML"),
        ("[tool.other]\nx = 1\n", "has no [tool.tb_histdiag.thresholds] table"),
    ],
)
def test_bad_thresholds_file_exits_2_naming_the_problem(writers_logdir, tmp_path, content, needle):
    path = tmp_path / "t.toml"
    path.write_text(content)
    result = run_cli(writers_logdir, "--thresholds", str(path))
    assert_one_line_error(result, needle)
    assert str(path) in result.stderr


def test_config_from_the_environment_and_the_command_line(writers_logdir, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[roles]\n"^const$" = "weight"\n')
    select = ("--tag", "^const$", "--format", "json")

    def const_status(**kwargs: object) -> str:
        result = run_cli(writers_logdir, *select, **kwargs)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["runs"][0]["tags"][0]["status"]

    # As a weight, an all-identical tensor is critical (symmetry never broken), as in the plugin.
    assert const_status() == "warning"
    assert const_status(env={"TB_HISTDIAG_CONFIG": str(config)}) == "critical"
    bad = tmp_path / "bad.toml"
    bad.write_text("[nonsense]\n")
    result = run_cli(writers_logdir, env={"TB_HISTDIAG_CONFIG": str(bad)})
    assert_one_line_error(result, "(named by TB_HISTDIAG_CONFIG)")
    assert const_status_with_flag(writers_logdir, config, select) == "critical"


def const_status_with_flag(logdir: str, config, select) -> str:
    result = run_cli(logdir, *select, "--config", str(config))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["runs"][0]["tags"][0]["status"]


# Comparing two runs.


def test_compare_two_runs_in_every_format(scenario_logdir):
    a, b = "frozen_early_legacy", "healthy_legacy"
    result = run_cli(scenario_logdir, "--compare", a, b, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["a"], document["b"]) == (a, b)
    rows = document["tags"]
    differ = [r["verdicts_differ"] for r in rows]
    assert any(differ)
    assert differ == sorted(differ, reverse=True), "rows whose verdicts differ come first"
    first = rows[0]
    assert "frozen" in first["a"]["verdicts"]
    assert first["b"]["verdicts"] == []
    assert first["distance"] is not None
    text = run_cli(scenario_logdir, "--compare", a, b).stdout
    assert text.startswith(f"{a} vs {b} (reference): {sum(differ)} of {len(rows)} tags")
    assert f"≠ {first['tag']}" in text
    markdown = run_cli(scenario_logdir, "--compare", a, b, "--format", "markdown").stdout
    assert f"| ≠ {markdown_report.escape_markdown(first['tag'])} |" in markdown
    page = run_cli(scenario_logdir, "--compare", a, b, "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>")
    assert html.escape(first["tag"]) in page
    # --fail-on judges the two compared runs: the frozen one has warnings.
    assert run_cli(scenario_logdir, "--compare", a, b, "--fail-on", "warning").returncode == 1
    healthy = run_cli(scenario_logdir, "--compare", b, "healthy_tf2", "--fail-on", "warning")
    assert healthy.returncode == 0, healthy.stdout


# The Rust data server.


def test_load_fast_gives_the_same_document(writers_logdir, capsys):
    pytest.importorskip("tensorboard_data_server")
    assert cli.main([writers_logdir, "--format", "json"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert cli.main([writers_logdir, "--format", "json", "--load-fast"]) == 0
    captured = capsys.readouterr()
    fast = json.loads(captured.out)
    # The data server's own log goes to a temporary file, not to the user's terminal.
    assert captured.err == ""
    assert_same_document(default, fast)


def assert_same_document(a: object, b: object, path: str = "") -> None:
    """Equal JSON, numbers to 1e-6 (the two loaders round legacy histograms differently)."""
    if isinstance(a, dict):
        assert isinstance(b, dict), path
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same_document(a[key], b[key], f"{path}/{key}")
    elif isinstance(a, list):
        assert isinstance(b, list), path
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_document(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        assert b == pytest.approx(a, rel=1e-6, abs=1e-12), path
    else:
        assert a == b, path


def test_load_fast_without_the_data_server_is_a_clear_error(writers_logdir, tmp_path):
    result = run_cli(
        writers_logdir,
        "--load-fast",
        env={"TENSORBOARD_DATA_SERVER_BINARY": str(tmp_path / "no-such-server")},
    )
    assert_one_line_error(result, "pip install tensorboard-data-server")


def test_weight_only_inferences_point_to_the_one_line_loggers(schema):
    """A real Keras 3 run that logs weights only (8 sigmoid layers): the text, Markdown and JSON
    outputs say its causes are inferred and give the one line that logs what confirms them; a
    run whose verdicts are read directly (gradients logged) carries no such advice."""
    logdir = os.path.join(os.path.dirname(__file__), "data", "keras")
    selection = ("--run", "^k3_(sigmoid_deep|custom_loop)")
    document = json.loads(run_cli(logdir, *selection, "--format", "json").stdout)
    jsonschema.validate(document, schema)
    runs = {r["run"].split("/")[0]: r for r in document["runs"]}
    logging = runs["k3_sigmoid_deep"]["logging"]
    assert logging["weights_only"] is True
    inferred = {
        t["tag"]
        for t in runs["k3_sigmoid_deep"]["tags"]
        if any(v["evidence"].get("inferred") for v in t["verdicts"])
    }
    assert inferred
    assert set(logging["inferred"]) == inferred
    assert "HistogramLogger" in logging["loggers"]["keras"]
    assert "log_histograms" in logging["loggers"]["pytorch"]
    assert runs["k3_custom_loop"]["logging"] is None
    text = run_cli(logdir, *selection).stdout
    sigmoid = section_of(text, "k3_sigmoid_deep", ["k3_custom_loop"])
    assert "This run logs weights only" in sigmoid
    assert logging["loggers"]["keras"] in sigmoid
    assert logging["loggers"]["pytorch"] in sigmoid
    assert "logs weights only" not in section_of(text, "k3_custom_loop", ["k3_sigmoid_deep"])
    markdown = run_cli(logdir, *selection, "--format", "markdown").stdout
    assert f"`{logging['loggers']['keras']}`" in markdown
