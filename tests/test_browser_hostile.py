"""Hostile run and tag names in a real browser (Debian's chromium via Playwright) on a real
TensorBoard: they render as text in the run picker, the run cards, the tag cards, the detail
view and the compare matrix; no dialog opens, nothing is logged to the console (chromium logs
CSP violations there) and no ``securitypolicyviolation`` event fires; no element is made from
a name; the Markdown report, the SVG exports and the download file names stay well-formed. And
a catastrophic tag filter (``(a+)+$``, ``(x+)+y``, ``.*.*.*y``) with a 2,000-character tag
present never freezes the tab.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET

import pytest

from .conftest import HOSTILE_RUNS, HOSTILE_TAGS, TensorBoardProcess

pytestmark = pytest.mark.browser

IFRAME = 'iframe[src*="plugin_entry.html?name=tb_histdiag"]'
TIMEOUT = 30_000
SVG_NS = "{http://www.w3.org/2000/svg}"
IMG, SVG_ONLOAD, JS_URL = HOSTILE_RUNS[0], HOSTILE_RUNS[1], HOSTILE_RUNS[2]
LONG_TAG = HOSTILE_TAGS[2]

# Registered in the iframe as soon as it is reachable; it also catches violations that fired
# before (chromium logs each one as a console error, which the page's console listener sees).
WATCH_CSP = """() => {
  if (window.__cspViolations) return;
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI}`));
}"""

# What a name must never turn into: elements or attributes that run code or load things.
INJECTED = """() => {
  const found = [];
  const q = (sel) => document.querySelectorAll(sel).length;
  if (q('img')) found.push('img');
  if (q('iframe, object, embed, foreignObject, b, svg script, style:not(#tb-histdiag-style)'))
    found.push('unexpected element');
  if (q('a[href^="javascript:" i], [src^="javascript:" i], [href^="data:" i]'))
    found.push('javascript/data URL');
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) found.push(`${el.tagName} ${a.name}`);
    }
  }
  const scripts = [...document.scripts];
  if (scripts.length !== 1 || scripts.some((s) => /alert/.test(s.textContent)))
    found.push(`scripts: ${scripts.map((s) => s.src || s.textContent.slice(0, 80)).join(', ')}`);
  return found;
}"""


def tid(testid: str, **attrs: str) -> str:
    """A CSS selector for a data-testid with exact attribute values (CSS-escaped strings)."""
    extra = "".join(f"[data-{k.replace('_', '-')}={css_string(v)}]" for k, v in attrs.items())
    return f'[data-testid="{testid}"]{extra}'


def css_string(value: str) -> str:
    """A CSS string literal: quotes, backslashes and line breaks escaped (JSON's \\n is not CSS)."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\r\f" or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@pytest.fixture(scope="module")
def hostile_tb(hostile_logdir):
    tb = TensorBoardProcess(hostile_logdir, "--samples_per_plugin=histograms=0")
    try:
        tb.wait_for_runs(len(HOSTILE_RUNS))
        yield tb
    finally:
        tb.stop()


@pytest.fixture(scope="module")
def runs(hostile_tb) -> list[str]:
    """Every run as the backend names it (the non-UTF-8 directory included)."""
    status, body = hostile_tb.get("/data/plugin/tb_histdiag/runs")
    assert status == 200
    names = [r["run"] for r in json.loads(body)["runs"]]
    assert set(HOSTILE_RUNS) <= set(names)
    assert any(n.startswith("latin1-") for n in names), names
    assert len(names) == len(HOSTILE_RUNS) + 1
    return names


@pytest.fixture(scope="module")
def tab(hostile_tb, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=hostile_tb.url)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    t = HostileTab(page, hostile_tb.url, problems)
    try:
        yield t
    finally:
        context.close()


class HostileTab:
    def __init__(self, page, url: str, problems: list[str]):
        self.page, self.url, self.problems = page, url, problems

    def open(self, hash_: str = "#tb_histdiag") -> None:
        self.page.goto("about:blank")  # a new document, not a same-document hash change
        self.page.goto(f"{self.url}/{hash_}")
        self.frame = self.page.wait_for_selector(IFRAME, timeout=TIMEOUT).content_frame()
        self.frame.wait_for_load_state("domcontentloaded")
        self.frame.evaluate(WATCH_CSP)
        self.frame.wait_for_selector('.hd-app[data-ready="true"]', timeout=TIMEOUT)

    def text(self, selector: str) -> str:
        return self.frame.locator(selector).first.evaluate("el => el.textContent")

    def assert_clean(self) -> None:
        assert self.problems == [], self.problems
        assert self.frame.evaluate("window.__cspViolations") == []
        assert self.frame.evaluate(INJECTED) == []
        assert (
            self.page.evaluate("document.querySelectorAll('img[src=x], svg[onload]').length") == 0
        )

    def download(self, click) -> tuple[str, bytes]:
        with self.page.expect_download(timeout=TIMEOUT) as info:
            click()
        d = info.value
        with open(d.path(), "rb") as f:
            return d.suggested_filename, f.read()


def check_svg(data: bytes, names: list[str]) -> ET.Element:
    """A downloaded SVG parses as XML, holds only SVG elements without scripts or handlers, and
    holds the names only as escaped text (or their start, where a label is cut)."""
    root = ET.fromstring(data)
    assert root.tag == f"{SVG_NS}svg"
    for el in root.iter():
        assert el.tag.startswith(SVG_NS), el.tag
        assert el.tag[len(SVG_NS) :] not in ("script", "foreignObject", "image", "a"), el.tag
        for key, value in el.attrib.items():
            assert not key.lower().startswith("on"), key
            if key.endswith(("href", "src")):
                assert value.startswith("#"), (key, value)
    for raw in (b"<img", b"<script", b"<svg onload", b"<b>"):
        assert raw not in data.lower(), raw
    text = "".join(root.itertext()) + " ".join(v for el in root.iter() for v in el.attrib.values())
    for name in names:
        visible = name.replace("\n", " ")
        assert name in text or visible in text or visible[:10] in text, name[:40]
    return root


def check_filename(name: str, ext: str) -> None:
    assert name.endswith(f".{ext}"), name
    assert re.fullmatch(r"[\w.-]+", name), name
    assert not name.startswith("."), name
    assert len(name) <= 120, name
    assert "\u202e" not in name
    assert "javascript:" not in name


def markdown_tables(md: str) -> list[list[str]]:
    """The Markdown's tables as lists of rows (consecutive lines starting with "|")."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in md.split("\n"):
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def cells(row: str) -> int:
    """Cells in a table row: pipes not escaped by a backslash, minus the outer two."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_hostile_names_are_text_everywhere(tab, runs):
    tab.open()
    frame = tab.frame
    frame.wait_for_selector('.hd-app[data-cards="complete"]', timeout=TIMEOUT)

    # Header: the run picker lists every run by its literal name.
    frame.locator(tid("run-picker")).click()
    for run in runs:
        option = frame.locator(tid("run-option", run=run))
        assert option.count() == 1, run[:40]
        label = option.evaluate("el => el.closest('label').textContent")
        assert run in label
        # Shown as written: not upper-cased by the field-label style, bidi isolated.
        style = option.evaluate(
            "el => { const s = getComputedStyle(el.closest('label').querySelector('.hd-picker-name'));"
            " return [s.textTransform, s.unicodeBidi]; }"
        )
        assert style == ["none", "isolate"], style
    frame.locator(tid("run-picker")).click()

    # Run cards, run sections and tag cards.
    for run in runs:
        assert run in tab.text(tid("run-summary", run=run))
        assert run in tab.text(tid("run-section", run=run))
        for tag in HOSTILE_TAGS:
            card = frame.locator(tid("tag-row", run=run, tag=tag))
            assert card.count() == 1, (run[:40], tag[:40])
            assert tag in card.evaluate("el => el.textContent")
    assert frame.locator(tid("tag-row")).count() == len(runs) * len(HOSTILE_TAGS)
    tab.assert_clean()

    # The detail view of hostile tags in hostile runs: names as text; links are plain http(s).
    for run, tag in [(IMG, HOSTILE_TAGS[0]), (SVG_ONLOAD, HOSTILE_TAGS[1]), (runs[-1], LONG_TAG)]:
        card = frame.locator(tid("tag-row", run=run, tag=tag))
        card.scroll_into_view_if_needed()
        frame.wait_for_selector(tid("tag-row", run=run, tag=tag, drawn="true"), timeout=TIMEOUT)
        card.press("Enter")
        dialog = frame.locator(tid("detail-view", run=run, tag=tag))
        dialog.wait_for(state="visible", timeout=TIMEOUT)
        text = dialog.evaluate("el => el.textContent")
        assert tag in text
        assert run in text
        frame.wait_for_selector(f'{tid("detail-view")} [data-slot="bands"] svg', timeout=TIMEOUT)
        hrefs = frame.locator(f"{tid('detail-view')} a[href]").evaluate_all(
            "links => links.map((a) => a.href)"
        )
        assert hrefs
        assert all(h.startswith(("http://", "https://", "blob:")) for h in hrefs), hrefs
        tab.page.keyboard.press("Escape")
        dialog.wait_for(state="hidden", timeout=TIMEOUT)
    tab.assert_clean()

    # Downloads of cards: sanitised file names, SVG that parses, names as escaped text.
    for run in runs:
        card = frame.locator(tid("tag-row", run=run, tag=HOSTILE_TAGS[0]))
        card.scroll_into_view_if_needed()
        frame.wait_for_selector(
            tid("tag-row", run=run, tag=HOSTILE_TAGS[0], drawn="true"), timeout=TIMEOUT
        )
        name, svg = tab.download(lambda card=card: card.locator(tid("card-download-svg")).click())
        check_filename(name, "svg")
        check_svg(svg, [HOSTILE_TAGS[0]])
        assert b"&lt;script&gt;alert(&#39;tag&#39;)&lt;/script&gt;.weight" in svg
    name, svg = tab.download(
        lambda: (
            frame.locator(tid("tag-row", run=IMG, tag=HOSTILE_TAGS[1]))
            .locator(tid("card-download-svg"))
            .click()
        )
    )
    check_filename(name, "svg")
    check_svg(svg, [HOSTILE_TAGS[1]])

    # The whole view as SVG: every run name, escaped.
    menu = frame.locator(tid("download-menu"))
    menu.locator("summary").click()
    name, svg = tab.download(lambda: frame.locator(tid("download-view-svg")).click())
    assert name == "tb_histdiag-view.svg"
    check_svg(svg, [r for r in runs if len(r) < 100])
    assert b"&lt;img src=x onerror=alert(1)&gt;" in svg
    assert b"&quot;&gt;&lt;svg onload=alert(1)&gt;" in svg
    tab.assert_clean()

    # Copy Markdown: no raw HTML, names on one line, every table row keeps its column count.
    frame.locator(tid("copy-markdown")).click()
    frame.wait_for_function(
        "() => document.querySelector('[data-testid=status-text]').textContent.includes('copied')",
        timeout=TIMEOUT,
    )
    md = frame.evaluate("navigator.clipboard.readText()")
    for raw in ("<img", "<script", "<svg", "<b>", "</b>"):
        assert raw not in md, raw
    assert "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "line break" in md
    assert "line\nbreak" not in md
    # The right-to-left override is isolated: it cannot reverse the rest of its line.
    assert "\u2068\u202eright-to-left\u2069" in md
    tables = markdown_tables(md)
    assert len(tables) >= 2
    for table in tables:
        width = cells(table[0])
        assert all(cells(row) == width for row in table), table[0]
    assert sum(1 for t in tables for row in t if "\\|b\\`c\\`" in row) >= 1, "a|b`c` escaped"
    tab.assert_clean()


def test_hostile_runs_in_compare_mode(tab, runs):
    tab.open()
    frame = tab.frame
    frame.locator(tid("run-picker")).click()
    frame.locator(tid("runs-none")).click()
    frame.locator(tid("run-option", run=IMG)).check()
    frame.locator(tid("run-option", run=SVG_ONLOAD)).check()
    frame.locator(tid("run-picker")).click()
    frame.locator(tid("view-compare")).click()
    frame.wait_for_selector(tid("compare-overlay", drawn="true"), timeout=TIMEOUT)
    matrix = frame.locator(tid("compare-matrix"))
    heads = matrix.locator("thead th[data-run]")
    assert heads.count() == 2
    for run in (IMG, SVG_ONLOAD):
        head = matrix.locator(f"thead th[data-run={css_string(run)}]")
        assert run in head.evaluate("el => el.textContent")
    rows = matrix.locator(tid("compare-row"))
    assert rows.count() == len(HOSTILE_TAGS)
    for tag in HOSTILE_TAGS:
        row = matrix.locator(tid("compare-row", tag=tag))
        assert tag in row.evaluate("el => el.textContent")
        for run in (IMG, SVG_ONLOAD):
            assert row.locator(tid("compare-cell", run=run)).count() == 1
    # Overlay the newline/backtick tag: the sentence names both runs as text.
    matrix.locator(tid("compare-row", tag=HOSTILE_TAGS[1])).click()
    frame.wait_for_selector(
        tid("compare-overlay", tag=HOSTILE_TAGS[1], drawn="true"), timeout=TIMEOUT
    )
    sentence = tab.text(tid("compare-sentence"))
    assert IMG in sentence
    assert SVG_ONLOAD in sentence
    assert "never moved" in sentence
    for sel in ("compare-run-a", "compare-run-b"):
        options = frame.locator(f"{tid(sel)} option").evaluate_all("os => os.map((o) => o.value)")
        assert sorted(options) == sorted([IMG, SVG_ONLOAD])

    # The compare figure as SVG and the report with the comparison table.
    frame.locator(tid("download-menu")).locator("summary").click()
    name, svg = tab.download(lambda: frame.locator(tid("download-view-svg")).click())
    assert name == "tb_histdiag-compare.svg"
    check_svg(svg, [IMG, SVG_ONLOAD])
    frame.locator(tid("copy-markdown")).click()
    frame.wait_for_function(
        "() => document.querySelector('[data-testid=status-text]').textContent.includes('copied')",
        timeout=TIMEOUT,
    )
    md = frame.evaluate("navigator.clipboard.readText()")
    assert "## Comparison" in md
    for raw in ("<img", "<svg", "<script"):
        assert raw not in md, raw
    for table in markdown_tables(md):
        assert all(cells(row) == cells(table[0]) for row in table), table[0]
    tab.assert_clean()


def test_catastrophic_tag_filter_keeps_the_tab_responsive(tab, runs):
    tab.open()
    frame = tab.frame
    frame.wait_for_selector('.hd-app[data-cards="complete"]', timeout=TIMEOUT)
    assert frame.locator(tid("tag-row", tag=LONG_TAG)).count() == len(runs)
    box = frame.locator(tid("tag-filter"))
    error = frame.locator(tid("filter-error"))
    total = len(runs) * len(HOSTILE_TAGS)

    def responsive() -> float:
        start = time.monotonic()
        assert frame.evaluate("1 + 1") == 2
        frame.wait_for_function("() => 1 + 1 === 2", timeout=TIMEOUT)
        return time.monotonic() - start

    # Exponential patterns are refused with an inline message; nothing is hidden.
    for pattern in ("(a+)+$", "(x+)+y"):
        box.fill(pattern)
        frame.wait_for_function(
            "() => document.querySelector('[data-testid=filter-error]').textContent"
            ".includes('not applied')",
            timeout=TIMEOUT,
        )
        assert responsive() < 5
        assert "exponentially" in error.inner_text()
        assert box.get_attribute("aria-invalid") == "true"
        assert frame.locator(tid("tag-row")).count() == total

    # A polynomial pattern (hours on 2,000 characters unbounded) is applied on a bounded prefix.
    box.fill(".*.*.*y")
    frame.wait_for_selector(tid("no-match-state"), timeout=TIMEOUT)
    assert responsive() < 5
    assert error.inner_text() == ""
    assert box.get_attribute("aria-invalid") is None

    # An ordinary filter still works, and so does a crafted link carrying a catastrophic filter.
    box.fill(r"\.weight$")
    frame.wait_for_function(
        f"() => document.querySelectorAll('[data-testid=tag-row]').length === {len(runs)}",
        timeout=TIMEOUT,
    )
    tab.open("#tb_histdiag&p.tb_histdiag.tagFilter=" + "%28x%2B%29%2By")
    frame = tab.frame
    frame.wait_for_selector('.hd-app[data-cards="complete"]', timeout=TIMEOUT)
    assert "not applied" in frame.locator(tid("filter-error")).inner_text()
    assert responsive() < 5
    tab.assert_clean()
