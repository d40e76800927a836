r"""Declared expectations (issue 13, class 8): the configuration's ``[expect]`` table turns the
verdicts it declares into info "as configured", in the JSON, the text, Markdown and HTML reports,
the exit code and the API, and bad tables are errors that name the file and the key.

The logdir is written by real PyTorch training (``torch.utils.tensorboard.SummaryWriter``):

- ``finetune``: a pretrained-style backbone (``backbone.0``, ``backbone.2``) frozen with
  ``requires_grad_(False)`` and a ``head`` trained with Adam: the backbone's tags are ``frozen``
  and the run ``last_layer_only``; declaring ``"^backbone\."`` frozen makes all of it info.
- ``bitfit``: BitFit-style fine-tuning, every weight frozen and only the biases trained: every
  layer ``bias_only``, which ``"\.weight$" = "frozen"`` declares.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys

import pytest

import tb_histdiag
from tb_histdiag.api import InputError
from tb_histdiag.engine.config import ConfigError, load_config, parse_config
from tb_histdiag.engine.expectations import apply_expectations
from tb_histdiag.reports.markdown import escape_markdown

STEPS = 40
BACKBONE = ("backbone.0.weight", "backbone.0.bias", "backbone.2.weight", "backbone.2.bias")
HEAD = ("head.weight", "head.bias")
EXPECT_TOML = '[expect]\n"^backbone\\\\." = "frozen"\n'
PATTERN = r"^backbone\."


def train(run_dir: str, trainable: str) -> None:
    """Train a small classifier for real and log every parameter's histogram at every step.

    ``trainable``: ``"head"`` (the backbone frozen) or ``"biases"`` (every weight frozen)."""
    import torch
    from torch import nn
    from torch.utils.tensorboard import SummaryWriter

    torch.manual_seed(0)
    model = nn.Module()
    model.backbone = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
    model.head = nn.Linear(32, 4)
    for name, p in model.named_parameters():
        if trainable == "head":
            p.requires_grad_(name.startswith("head."))
        else:
            p.requires_grad_(name.endswith(".bias"))
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.05)
    x = torch.randn(256, 16)
    y = x[:, :4].argmax(1)
    writer = SummaryWriter(run_dir)
    for step in range(STEPS):
        loss = nn.functional.cross_entropy(model.head(model.backbone(x)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        writer.add_scalar("loss", loss.item(), step)
        for name, p in model.named_parameters():
            writer.add_histogram(name, p.detach(), step)
    writer.close()


@pytest.fixture(scope="module")
def finetune_logdir(tmp_path_factory: pytest.TempPathFactory) -> str:
    logdir = tmp_path_factory.mktemp("finetune")
    train(str(logdir / "finetune"), "head")
    train(str(logdir / "bitfit"), "biases")
    return str(logdir)


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("config") / "tb_histdiag.toml"
    path.write_text(EXPECT_TOML, encoding="utf-8")
    return str(path)


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m tb_histdiag ARGS`` in a fresh process, as a user runs it."""
    environment = {k: v for k, v in os.environ.items() if k != "TB_HISTDIAG_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "tb_histdiag", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**environment, **(env or {})},
    )


def verdicts_by_tag(run: dict) -> dict[str, list[dict]]:
    return {t["tag"]: t["verdicts"] for t in run["tags"]}


def assert_as_configured(verdict: dict, pattern: str = PATTERN) -> None:
    assert verdict["severity"] == "info", verdict
    assert verdict["title"].endswith(", as configured"), verdict["title"]
    assert verdict["evidence"]["expected"] == pattern
    assert f'"{pattern}"' in verdict["summary"]
    assert verdict["fix"].startswith("Nothing to do while this is intended")


def test_without_expectations_the_frozen_backbone_is_a_warning(finetune_logdir):
    result = cli(finetune_logdir, "--run", "^finetune$", "--format", "json", "--fail-on", "warning")
    assert result.returncode == 1, result.stderr
    (run,) = json.loads(result.stdout)["runs"]
    by_tag = verdicts_by_tag(run)
    for tag in BACKBONE:
        assert [(v["id"], v["severity"]) for v in by_tag[tag]] == [("frozen", "warning")]
        assert "expected" not in by_tag[tag][0]["evidence"]
    assert [(v["id"], v["severity"]) for v in run["verdicts"]] == [("last_layer_only", "warning")]


def test_the_config_makes_the_declared_verdicts_info_as_configured(finetune_logdir, config_file):
    result = cli(
        finetune_logdir,
        "--run",
        "^finetune$",
        "--config",
        config_file,
        "--format",
        "json",
        "--fail-on",
        "warning",
    )
    assert result.returncode == 0, result.stderr
    (run,) = json.loads(result.stdout)["runs"]
    assert run["status"] == "info"
    by_tag = verdicts_by_tag(run)
    for tag in BACKBONE:
        (verdict,) = by_tag[tag]
        assert verdict["id"] == "frozen"
        assert verdict["title"] == "Frozen, as configured"
        assert_as_configured(verdict)
        # The evidence and the explanation of the data stay.
        assert verdict["evidence"]["unchanged_steps"] == STEPS
        assert verdict["summary"].startswith("The histogram of these")
    for tag in HEAD:
        assert by_tag[tag] == [], tag  # what learns is untouched
    (run_verdict,) = run["verdicts"]
    assert run_verdict["id"] == "last_layer_only"
    assert_as_configured(run_verdict)
    assert "its frozen tags match" in run_verdict["summary"]


def test_a_pattern_that_leaves_a_frozen_layer_undeclared_keeps_last_layer_only(
    finetune_logdir, tmp_path
):
    config = tmp_path / "partial.json"
    config.write_text(json.dumps({"expect": {r"^backbone\.0\.": "frozen"}}), encoding="utf-8")
    result = cli(
        finetune_logdir, "--run", "^finetune$", "--config", str(config), "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    (run,) = json.loads(result.stdout)["runs"]
    by_tag = verdicts_by_tag(run)
    assert by_tag["backbone.0.weight"][0]["severity"] == "info"
    assert by_tag["backbone.2.weight"][0]["severity"] == "warning"
    assert [(v["id"], v["severity"]) for v in run["verdicts"]] == [("last_layer_only", "warning")]


def test_bias_only_layers_are_covered_by_frozen_weights(finetune_logdir, tmp_path):
    config = tmp_path / "bitfit.toml"
    config.write_text('[expect]\n"\\\\.weight$" = ["frozen"]\n', encoding="utf-8")
    before = json.loads(cli(finetune_logdir, "--run", "^bitfit$", "--format", "json").stdout)
    layer_verdicts = [v for layer in before["runs"][0]["layers"] for v in layer["verdicts"]]
    assert {(v["id"], v["severity"]) for v in layer_verdicts} == {("bias_only", "warning")}
    result = cli(finetune_logdir, "--run", "^bitfit$", "--config", str(config), "--format", "json")
    assert result.returncode == 0, result.stderr
    (run,) = json.loads(result.stdout)["runs"]
    layer_verdicts = [v for layer in run["layers"] for v in layer["verdicts"]]
    assert len(layer_verdicts) == 3
    for verdict in layer_verdicts:
        assert verdict["id"] == "bias_only"
        assert verdict["title"] == "Only the biases learn, as configured"
        assert_as_configured(verdict, r"\.weight$")
    for tag, verdicts in verdicts_by_tag(run).items():
        if tag.endswith(".weight"):
            assert [(v["id"], v["severity"]) for v in verdicts] == [("frozen", "info")]
    assert run["status"] == "info"


def test_every_report_shows_the_verdicts_as_configured(finetune_logdir, config_file, tmp_path):
    common = (finetune_logdir, "--run", "^finetune$", "--config", config_file)
    text = cli(*common, "--details").stdout
    assert "ℹ info      backbone.0.weight" in text
    assert "Frozen, as configured" in text
    assert "Only the last layers learn, as configured" in text
    assert f"expected (pattern): {PATTERN}" in text
    assert "⚠" not in text
    markdown = cli(*common, "--format", "markdown").stdout
    assert "ℹ Frozen, as configured" in markdown
    assert f"expected (pattern): {escape_markdown(PATTERN)}" in markdown
    page = tmp_path / "report.html"
    assert cli(*common, "--format", "html", "--output", str(page)).returncode == 0
    document = page.read_text(encoding="utf-8")
    assert "Frozen, as configured" in document
    assert f"<dt>expected (pattern)</dt><dd>{html.escape(PATTERN)}</dd>" in document


def test_the_config_named_by_the_environment_declares_too(finetune_logdir, config_file):
    result = cli(
        finetune_logdir,
        "--run",
        "^finetune$",
        "--fail-on",
        "warning",
        env={"TB_HISTDIAG_CONFIG": config_file},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_api_takes_the_config_or_an_expect_mapping(finetune_logdir, config_file):
    plain = tb_histdiag.diagnose(finetune_logdir, runs=["finetune"], load_fast=False)
    by_config = tb_histdiag.diagnose(
        finetune_logdir, runs=["finetune"], config=config_file, load_fast=False
    )
    by_mapping = tb_histdiag.diagnose(
        finetune_logdir, runs=["finetune"], expect={PATTERN: "frozen"}, load_fast=False
    )
    assert plain.worst() == "warning"
    assert by_config.to_dict() == by_mapping.to_dict()
    assert by_config.worst() == "info"
    # The same function turns the plain result into the configured one.
    assert apply_expectations(plain["finetune"], {PATTERN: ["frozen"]}) == by_config["finetune"]
    assert apply_expectations(plain["finetune"], {}) is plain["finetune"]
    with pytest.raises(InputError, match=r"\[expect\] 'x': unknown condition\(s\) 'freeze'"):
        tb_histdiag.diagnose(finetune_logdir, expect={"x": "freeze"})


def test_a_condition_can_be_declared_for_the_run_verdict_itself(finetune_logdir):
    plain = tb_histdiag.diagnose(finetune_logdir, runs=["finetune"], load_fast=False)["finetune"]
    # last_layer_only rests on every weight tag: declaring it on all of them covers it.
    run = apply_expectations(plain, {r"\.weight$": "last_layer_only"})
    (verdict,) = run.verdicts
    assert verdict.severity == "info"
    assert verdict.evidence["expected"] == r"\.weight$"
    assert all(v.severity == "warning" for t in run.tags for v in t.verdicts), "frozen stays"
    # Two patterns together: both are named.
    run = apply_expectations(plain, {r"^backbone\.0\.": "frozen", r"^backbone\.2\.": "frozen"})
    (verdict,) = run.verdicts
    assert verdict.evidence["expected"] == r"^backbone\.0\. | ^backbone\.2\."
    assert r'patterns "^backbone\.0\." and "^backbone\.2\."' in verdict.summary


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (
            '[expect]\n"^backbone" = "freeze"\n',
            "[expect] '^backbone': unknown condition(s) 'freeze'",
        ),
        ('[expect]\n"^backbone" = ["frozen", "stuck"]\n', "unknown condition(s) 'stuck'"),
        (
            '[expect]\n"^(backbone" = "frozen"\n',
            "[expect] '^(backbone': invalid regular expression",
        ),
        ('[expect]\n"^backbone" = []\n', "[expect] '^backbone': expected a condition or a list"),
        ('[expect]\n"^backbone" = 3\n', "[expect] '^backbone': expected a condition or a list"),
        ('expect = "frozen"\n', "[expect] must map regular expressions"),
        (
            '[expected]\n"a" = "frozen"\n',
            "unknown section(s) expected; known: roles, thresholds, expect",
        ),
    ],
)
def test_bad_expect_tables_name_the_file_and_the_key(tmp_path, content, needle):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(str(path))
    assert str(error.value).startswith(f"{path}: ")
    assert needle in str(error.value)


def test_conditions_are_the_verdict_ids():
    from tb_histdiag.verdicts.table import VERDICT_IDS

    every = parse_config({"expect": {"x": list(VERDICT_IDS)}})
    assert every.expect == {"x": tuple(VERDICT_IDS)}
    for verdict_id in (
        "nonfinite",
        "constant",
        "frozen",
        "exploding",
        "collapsing",
        "dead",
        "saturated",
        "vanishing",
        "slow",
        "multimodal",
        "bias_only",
        "last_layer_only",
    ):
        assert verdict_id in VERDICT_IDS


def test_a_bad_expect_table_on_the_command_line_is_a_one_line_error(finetune_logdir, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[expect]\n"^backbone" = "freeze"\n', encoding="utf-8")
    result = cli(finetune_logdir, "--config", str(path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert str(path) in result.stderr
    assert "'^backbone'" in result.stderr


def test_the_plugin_applies_the_expectations_of_tb_histdiag_config(
    finetune_logdir, config_file, monkeypatch
):
    from tests.test_plugin_wsgi import PREFIX, get_json, make_client

    monkeypatch.setenv("TB_HISTDIAG_CONFIG", config_file)
    client = make_client(finetune_logdir)
    (run,) = get_json(client, f"{PREFIX}/diagnostics?run=finetune")["runs"]
    assert run["status"] == "info"
    assert_as_configured(run["verdicts"][0])
    one = get_json(client, f"{PREFIX}/diagnostics?run=finetune&tag=backbone.2.weight")
    assert_as_configured(one["runs"][0]["tags"][0]["verdicts"][0])
    everything = get_json(client, f"{PREFIX}/diagnostics")
    assert {r["run"]: r["status"] for r in everything["runs"]} == {
        "finetune": "info",
        "bitfit": "warning",  # its frozen weights are not backbone.*: not declared
    }


@pytest.fixture(scope="module")
def configured_tensorboard(finetune_logdir, config_file):
    """A real TensorBoard started with ``TB_HISTDIAG_CONFIG`` naming the ``[expect]`` file."""
    from tests.conftest import TensorBoardProcess

    saved = os.environ.get("TB_HISTDIAG_CONFIG")
    os.environ["TB_HISTDIAG_CONFIG"] = config_file
    try:
        tb = TensorBoardProcess(finetune_logdir)  # the child inherits the environment now
    finally:
        if saved is None:
            del os.environ["TB_HISTDIAG_CONFIG"]
        else:
            os.environ["TB_HISTDIAG_CONFIG"] = saved
    try:
        tb.wait_for_runs(2)
        yield tb
    finally:
        tb.stop()


@pytest.mark.browser
def test_the_tab_marks_declared_verdicts_as_expected(browser, configured_tensorboard):
    from tests.test_browser_tab import TIMEOUT, Tab, tab_hash, tid

    t = Tab(browser, configured_tensorboard.url, tab_hash(runs=["finetune"]))
    try:
        # The run's verdict, in the overview and in the run's section.
        overview = t.frame.locator(tid("run-verdict-title", verdict_id="last_layer_only"))
        overview.wait_for(timeout=TIMEOUT)
        assert "as configured" in overview.inner_text()
        assert overview.locator(tid("expected")).inner_text() == "expected"
        section = t.frame.locator(tid("verdict", verdict_id="last_layer_only"))
        assert section.get_attribute("data-severity") == "info"
        assert section.locator(tid("expected")).count() == 1
        # A backbone tag's card: info, its chip says "expected", the pattern in the tooltip.
        card = t.drawn_card("finetune", "backbone.0.weight")
        assert card.get_attribute("data-status") == "info"
        chip = card.locator(tid("verdict", verdict_id="frozen"))
        assert chip.get_attribute("data-severity") == "info"
        assert "Frozen, as configured" in chip.inner_text()
        mark = chip.locator(tid("expected"))
        assert mark.inner_text() == "expected"
        assert PATTERN in mark.get_attribute("title")
        # The detail view shows the pattern in the evidence.
        card.click()
        detail = t.frame.locator(tid("verdict-detail", verdict_id="frozen"))
        detail.wait_for(timeout=TIMEOUT)
        assert detail.locator(tid("expected")).count() == 1
        assert "expected (pattern)" in detail.locator(tid("evidence")).inner_text()
        assert PATTERN in detail.locator(tid("evidence")).inner_text()
        # The head learns: no verdict, no mark.
        t.page.keyboard.press("Escape")
        head = t.drawn_card("finetune", "head.weight")
        assert head.get_attribute("data-status") == "ok"
        assert head.locator(tid("expected")).count() == 0
        assert t.problems == []
    finally:
        t.close()
