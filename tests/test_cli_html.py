"""Hostile run and tag names in every report format, and the HTML report in a real browser.

Run names come from directory names and tag names from user code, so the logdir here is written
by tensorboardX with names built to break each format: HTML and script injection, Markdown table
breaks and links, terminal escape sequences (clear screen, set the window title), and a
right-to-left override. tensorboardX's ``add_histogram`` cleans tag names, so the raw tags go
through its file writer in a summary built by tensorboardX itself.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pytest

from tb_histdiag.reports import phrases

IMG_RUN = "<img src=x onerror=alert(1)>"
ANSI_RUN = "\x1b[31mred\x1b[0m \u202eevil"
MARKDOWN_RUN = "**bold** | [link](javascript:alert(1)) <b>x</b>"
SCRIPT_TAG = "a|b\n<script>alert(1)</script>"
ANSI_TAG = "w\x1b[2J\x1b]0;pwned\x07|`code`"
HOSTILE_RUNS = (IMG_RUN, ANSI_RUN, MARKDOWN_RUN)
HOSTILE_TAGS = (SCRIPT_TAG, ANSI_TAG)
STEPS = 6


def write_run(run_dir: str) -> None:
    """Two hostile tags holding one constant value (flagged) and a healthy, learning weight."""
    import tensorboardX
    from tensorboardX import summary as tbx_summary

    writer = tensorboardX.SummaryWriter(run_dir)
    file_writer = writer._get_file_writer()
    for step in range(STEPS):
        for tag in HOSTILE_TAGS:
            built = tbx_summary.histogram("placeholder", np.full(64, 0.25), bins="auto")
            built.value[0].tag = tag  # the raw name, as user code of another writer could log
            file_writer.add_summary(built, step)
        values = np.random.default_rng(step).normal(0.05 * step, 0.1 + 0.02 * step, 1000)
        writer.add_histogram("fc1.weight", values, step)
    writer.close()


@pytest.fixture(scope="module")
def hostile_logdir(tmp_path_factory: pytest.TempPathFactory) -> str:
    logdir = str(tmp_path_factory.mktemp("hostile"))
    for run in HOSTILE_RUNS:
        write_run(os.path.join(logdir, run))
    return logdir


def run_cli(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tb_histdiag", *args], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def document(hostile_logdir) -> dict:
    return json.loads(run_cli(hostile_logdir, "--format", "json"))


def test_json_keeps_the_names_exactly(document):
    assert sorted(r["run"] for r in document["runs"]) == sorted(HOSTILE_RUNS)
    for run in document["runs"]:
        tags = {t["tag"]: t for t in run["tags"]}
        assert set(tags) == {*HOSTILE_TAGS, "fc1.weight"}
        for tag in HOSTILE_TAGS:
            assert tags[tag]["status"] != "ok", "the hostile tags must be in every report"


def test_text_neutralises_terminal_escapes(hostile_logdir):
    text = run_cli(hostile_logdir, "--color", "never")
    for char in ("\x1b", "\x07", "\u202e", "\r"):
        assert char not in text
    for run in HOSTILE_RUNS:
        assert phrases.clean_text(run) in text
    for tag in HOSTILE_TAGS:
        # Shown with visible escapes, on one line with its verdict.
        shown = phrases.clean_text(tag)
        lines = [line for line in text.splitlines() if shown in line]
        assert len(lines) == len(HOSTILE_RUNS), shown
        # Constant weights are "identical"; a constant bias ("a|b" reads as a bias) that never
        # changes is told as frozen: "Never changes".
        assert all("identical" in line or "Never changes" in line for line in lines), lines


def test_markdown_escapes_names(hostile_logdir):
    markdown = run_cli(hostile_logdir, "--format", "markdown")
    for raw in ("<img", "<script", "<b>", "\x1b", "\u202e"):
        assert raw not in markdown, raw
    assert not re.search(r"(?<!\\)\]\(", markdown), "an unescaped link survived"
    assert "\\\\x1b\\[31mred" in markdown, "escape sequences are shown, not dropped"
    assert "&lt;img src=x onerror=alert(1)&gt;" in markdown
    assert "a\\|b &lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert "\\*\\*bold\\*\\* \\| \\[link\\](javascript:alert(1))" in markdown
    for block in markdown.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            widths = {line.replace("\\|", "").count("|") for line in rows}
            assert len(widths) == 1, f"a name broke a table:\n{block}"
    for line in markdown.splitlines():
        if line.startswith("## "):
            assert line.endswith(("critical", "warning", "info", "ok", "unknown")), line


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


#: The elements the HTML report is made of; a name must never add another.
REPORT_ELEMENTS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "h4",
    "p", "table", "thead", "tbody", "tr", "th", "td", "a", "span", "section", "article", "div",
    "code", "bdi", "strong", "dl", "dt", "dd", "details", "summary", "footer",
    "svg", "g", "rect", "path", "text", "circle",
}  # fmt: skip


@pytest.fixture(scope="module")
def hostile_html(hostile_logdir, tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("report") / "report.html")
    run_cli(hostile_logdir, "--format", "html", "--output", path)
    return path


def test_html_escapes_names(hostile_html, document):
    with open(hostile_html, encoding="utf-8") as f:
        page = f.read()
    parsed = Elements()
    parsed.feed(page)
    assert {name for name, _ in parsed.tags} <= REPORT_ELEMENTS
    for _, attrs in parsed.tags:
        assert not [a for a in attrs if a.startswith("on")], attrs
        assert "javascript:" not in " ".join(str(v) for v in attrs.values())
    text = "".join(parsed.text)
    for run in HOSTILE_RUNS:
        assert phrases.clean_text(run) in text
    for tag in HOSTILE_TAGS:
        assert phrases.clean_text(tag) in text
    charts = sum(1 for run in document["runs"] for t in run["tags"] if t["verdicts"])
    assert page.count('<svg class="chart"') == charts


def open_offline(browser, url: str, colour_scheme: str = "light"):
    """Open ``url`` with every request routed: only the document itself may load."""
    page = browser.new_page(color_scheme=colour_scheme)
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))

    def route(r) -> None:
        requests.append(r.request.url)
        if r.request.url == url:
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    return page, problems, requests


@pytest.mark.browser
@pytest.mark.parametrize("colour_scheme", ["light", "dark"])
def test_hostile_report_in_chromium(browser, hostile_html, document, colour_scheme):
    url = "file://" + hostile_html
    page, problems, requests = open_offline(browser, url, colour_scheme)
    assert page.evaluate("document.scripts.length") == 0
    assert page.locator("img, script, iframe, object, embed").count() == 0
    for run in HOSTILE_RUNS:
        assert page.get_by_text(phrases.clean_text(run), exact=True).count() >= 1
    charts = sum(1 for run in document["runs"] for t in run["tags"] if t["verdicts"])
    assert page.locator("svg.chart").count() == charts
    box = page.locator("svg.chart").first.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 60
    # A <details> list of healthy tags opens without any script.
    page.locator("details summary").first.click()
    assert page.locator("details[open]").count() == 1
    assert requests == [url], requests
    assert problems == []
    page.close()


@pytest.mark.browser
def test_scenario_report_in_chromium(browser, scenario_logdir, tmp_path):
    path = str(tmp_path / "scenarios.html")
    run_cli(
        scenario_logdir,
        "--run",
        "^(healthy|nan_midway|frozen_early)_",
        "--format",
        "html",
        "-o",
        path,
    )
    url = "file://" + path
    page, problems, requests = open_offline(browser, url)
    sections = page.locator("section.run")
    assert sections.count() >= 6
    nan = page.locator("section.run", has_text="nan_midway_legacy").first
    assert nan.locator("svg.chart rect.nonfinite").count() >= 1
    frozen = page.locator("section.run", has_text="frozen_early_legacy").first
    assert frozen.locator("svg.chart .lane text", has_text="frozen").count() >= 1
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    assert requests == [url], requests
    assert problems == []
    page.close()


@pytest.mark.browser
def test_notebook_fragment_in_chromium(browser, hostile_logdir):
    import tb_histdiag

    fragment = tb_histdiag.diagnose(hostile_logdir)._repr_html_()
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(d.message), d.dismiss()))
    page.set_content(f"<!DOCTYPE html><html><body><p id=host>notebook</p>{fragment}</body></html>")
    assert page.locator(".tbhd svg.chart").count() >= len(HOSTILE_RUNS) * len(HOSTILE_TAGS)
    # Scoped styles: the page around the report keeps its own look.
    assert page.evaluate("getComputedStyle(document.getElementById('host')).maxWidth") == "none"
    assert page.evaluate("document.scripts.length") == 0
    assert problems == []
    page.close()
