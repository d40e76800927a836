"""The Diagnostics tab's views in a real browser (Debian's chromium via Playwright) on a real
TensorBoard: layer learning map, tag cards with charts and verdict marks, the detail view, compare
mode, the Markdown/PNG/SVG/JSON exports, URL state across a reload, dark mode, hostile run names,
and the first-screen time with 2,000 tags.
"""

from __future__ import annotations

import json
import os
import struct
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pytest

from .conftest import TensorBoardProcess

pytestmark = pytest.mark.browser

IFRAME = 'iframe[src*="plugin_entry.html?name=tb_histdiag"]'
FROZEN = "frozen_early_legacy"
HEALTHY = "healthy_legacy"
HOSTILE = "<img src=x onerror=alert(1)>"
TIMEOUT = 30_000


def tid(testid: str, **attrs: str) -> str:
    """A CSS selector for a data-testid with exact attribute values (JSON-quoted)."""
    extra = "".join(f"[data-{k.replace('_', '-')}={json.dumps(v)}]" for k, v in attrs.items())
    return f'[data-testid="{testid}"]{extra}'


def tab_hash(**state) -> str:
    """``#tb_histdiag&p.tb_histdiag.<key>=<value>`` with values encoded as TensorBoard does."""
    items = ["tb_histdiag"]
    for key, value in state.items():
        text = json.dumps(value) if isinstance(value, list) else str(value)
        items.append(
            f"{urllib.parse.quote(f'p.tb_histdiag.{key}', safe='')}={urllib.parse.quote(text, safe='')}"
        )
    return "#" + "&".join(items)


class Tab:
    """A page on TensorBoard with the Diagnostics iframe, collecting console errors and dialogs."""

    def __init__(self, browser, url: str, hash_: str = "#tb_histdiag", dark: bool = False):
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 800}, accept_downloads=True
        )
        self.url = url
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console", lambda m: self.problems.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on(
            "dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss())
        )
        self.open(hash_, dark=dark)

    def open(self, hash_: str, dark: bool = False) -> None:
        if dark:
            # TensorBoard's own switch: ?darkMode=true puts class dark-mode on its <body>.
            self.page.goto(f"{self.url}/?darkMode=true{hash_}")
        else:
            self.page.goto(f"{self.url}/{hash_}")
        self.attach()

    def attach(self) -> None:
        frame = self.page.wait_for_selector(IFRAME, timeout=TIMEOUT).content_frame()
        assert frame is not None, "the Diagnostics iframe has no document"
        self.frame = frame
        frame.wait_for_selector('.hd-app[data-ready="true"]', timeout=TIMEOUT)

    def reload(self) -> None:
        self.page.reload()
        self.attach()

    def hash_state(self) -> dict[str, str]:
        """Our keys in the top page's hash, decoded."""
        # Read the live hash: page.url follows replaceState only once Playwright hears of it.
        fragment = self.page.evaluate("location.hash").lstrip("#")
        pairs = [item.split("=", 1) for item in fragment.split("&") if "=" in item]
        return {
            urllib.parse.unquote(k)[len("p.tb_histdiag.") :]: urllib.parse.unquote(v)
            for k, v in pairs
            if urllib.parse.unquote(k).startswith("p.tb_histdiag.")
        }

    def card(self, run: str, tag: str):
        return self.frame.locator(tid("tag-row", run=run, tag=tag))

    def drawn_card(self, run: str, tag: str):
        card = self.card(run, tag)
        card.scroll_into_view_if_needed()
        self.frame.wait_for_selector(
            tid("tag-row", run=run, tag=tag, drawn="true"), timeout=TIMEOUT
        )
        return card

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, scenario_tensorboard):
    opened: list[Tab] = []

    def open_tab(hash_: str = "#tb_histdiag", dark: bool = False) -> Tab:
        t = Tab(browser, scenario_tensorboard.url, hash_, dark)
        opened.append(t)
        return t

    yield open_tab
    for t in opened:
        t.close()


def png_size(data: bytes) -> tuple[int, int]:
    """Decode a PNG far enough to trust it: signature, chunk CRCs, IHDR, inflated image size."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 4
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            bpp = {6: 4, 2: 3, 0: 1, 4: 2}[color]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    raw = zlib.decompress(idat)
    assert len(raw) == height * (1 + width * bpp), "pixel data does not match the header"
    return width, height


def download(tab: Tab, click) -> tuple[str, bytes]:
    with tab.page.expect_download(timeout=TIMEOUT) as info:
        click()
    d = info.value
    with open(d.path(), "rb") as f:
        return d.suggested_filename, f.read()


# --- layer learning map ------------------------------------------------------------------------


def test_layer_map_shows_which_layers_learn(tab):
    t = tab(tab_hash(runs=[FROZEN, HEALTHY]))
    for run in (FROZEN, HEALTHY):
        t.frame.wait_for_selector(tid("layer-map", run=run, state="ready"), timeout=TIMEOUT)
    frozen = t.frame.locator(tid("layer-map", run=FROZEN))
    rows = frozen.locator(tid("layer-map-row"))
    classes = {
        rows.nth(i).get_attribute("data-layer"): rows.nth(i).get_attribute("data-movement-class")
        for i in range(rows.count())
    }
    assert classes == {"fc1": "still", "fc2": "still", "fc3": "still", "fc4": "moving"}
    assert "3 of 4 not learning" in frozen.locator(tid("layer-map-summary")).inner_text()
    assert frozen.inner_text().count("not learning") >= 3, "said in words, not colour alone"
    healthy = t.frame.locator(tid("layer-map", run=HEALTHY)).locator(tid("layer-map-row"))
    assert healthy.count() == 4
    assert all(healthy.nth(i).get_attribute("data-movement-class") == "moving" for i in range(4))
    # The run picker shows exactly the two runs from the URL; unticking one hides it.
    assert t.frame.locator(tid("run-summary")).count() == 2
    t.frame.locator(tid("run-picker")).click()
    t.frame.locator(tid("run-option", run=HEALTHY)).uncheck()
    t.frame.locator(tid("run-summary", run=HEALTHY)).wait_for(state="detached", timeout=TIMEOUT)
    assert json.loads(t.hash_state()["runs"]) == [FROZEN]
    t.frame.locator(tid("runs-all")).click()
    t.frame.wait_for_function(
        "() => document.querySelectorAll('[data-testid=run-summary]').length > 2"
    )
    assert "runs" not in t.hash_state(), "all runs is the default, not stored"
    assert t.problems == []


# --- tag cards ---------------------------------------------------------------------------------


def test_card_draws_bands_and_ridgeline_with_the_verdict(tab):
    t = tab(tab_hash(runs=[FROZEN], tagFilter="^fc1\\."))
    card = t.drawn_card(FROZEN, "fc1.weight")
    assert card.get_attribute("data-status") == "warning"
    assert card.locator(tid("verdict", verdict_id="frozen")).count() == 1
    bands = card.locator(tid("bands-chart"))
    assert bands.locator("path[data-band]").count() == 8
    assert (
        bands.locator(tid("verdict-mark", verdict_id="frozen")).get_attribute("data-kind") == "span"
    )
    ridges = card.locator(tid("ridgeline-chart"))
    assert int(ridges.get_attribute("data-ridges")) >= 10
    assert ridges.locator(tid("verdict-mark", verdict_id="frozen")).count() == 1
    # Hover: the tooltip lists the step, max, median and min.
    box = bands.bounding_box()
    t.page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    tip = t.frame.locator(tid("chart-tooltip"))
    tip.wait_for(state="visible", timeout=TIMEOUT)
    text = tip.inner_text()
    assert "step" in text
    assert "median" in text
    assert "max" in text
    assert "min" in text
    assert t.problems == []


# --- detail view, deep link, URL state ---------------------------------------------------------


def test_detail_view_evidence_link_and_url_state_after_reload(tab):
    t = tab(tab_hash(runs=[FROZEN, HEALTHY], severity="warning", role="weight"))
    t.drawn_card(FROZEN, "fc2.weight").click()
    dialog = t.frame.locator(tid("detail-view"))
    dialog.wait_for(state="visible", timeout=TIMEOUT)
    assert dialog.get_attribute("data-tag") == "fc2.weight"
    detail = dialog.locator(tid("verdict-detail", verdict_id="frozen"))
    assert detail.locator(tid("evidence")).count() == 1
    assert "how to fix" in detail.inner_text().lower()
    t.frame.wait_for_selector(f'{tid("detail-view")} [data-slot="bands"] svg', timeout=TIMEOUT)
    assert "step" in dialog.locator(tid("step-stats")).inner_text()
    link = dialog.locator(tid("open-histograms"))
    href = link.get_attribute("href")
    assert href.startswith(t.url)
    assert "/#histograms&" in href
    assert "&tagFilter=%5Efc2%5C.weight%24" in href
    state = t.hash_state()
    assert state["run"] == FROZEN
    assert state["tag"] == "fc2.weight"
    assert json.loads(state["runs"]) == [FROZEN, HEALTHY]
    assert state["severity"] == "warning"
    assert state["role"] == "weight"

    # A reload reopens the same view: runs, filters and the open card.
    t.reload()
    t.frame.locator(tid("detail-view")).wait_for(state="visible", timeout=TIMEOUT)
    assert t.frame.locator(tid("detail-view")).get_attribute("data-tag") == "fc2.weight"
    assert t.frame.locator(tid("severity-filter")).input_value() == "warning"
    assert t.frame.locator(tid("role-filter")).input_value() == "weight"
    assert t.frame.locator(tid("run-summary")).count() == 2
    assert (
        t.frame.locator(tid("tag-row")).count()
        == t.frame.locator(tid("tag-row", status="warning")).count()
    )

    # Escape closes the view and forgets it in the URL; the link opens TensorBoard's tab.
    t.page.keyboard.press("Escape")
    t.frame.locator(tid("detail-view")).wait_for(state="hidden", timeout=TIMEOUT)
    t.page.wait_for_function("() => !location.hash.includes('p.tb_histdiag.tag=')", timeout=TIMEOUT)
    assert "tag" not in t.hash_state()
    t.drawn_card(FROZEN, "fc2.weight").press("Enter")
    t.frame.locator(tid("open-histograms")).click()
    t.page.wait_for_url(
        lambda u: "#histograms&" in u and "tagFilter=%5Efc2%5C.weight%24" in u, timeout=TIMEOUT
    )
    assert t.problems == []


# --- compare -----------------------------------------------------------------------------------


def test_compare_mode_matrix_and_overlay(tab):
    t = tab(tab_hash(runs=[FROZEN, HEALTHY]))
    t.frame.locator(tid("view-compare")).click()
    t.frame.wait_for_selector(tid("compare-overlay", drawn="true"), timeout=TIMEOUT)
    assert t.hash_state()["compare"] == "1"
    matrix = t.frame.locator(tid("compare-matrix"))
    assert matrix.locator("thead th[data-run]").count() == 2
    rows = matrix.locator(tid("compare-row"))
    assert rows.count() > 10
    differ = [rows.nth(i).get_attribute("data-differ") for i in range(rows.count())]
    assert differ[0] == "true"
    assert "false" in differ
    assert differ == sorted(differ, reverse=True), "differing verdicts first"
    first = rows.nth(0)
    assert first.locator(tid("compare-cell", run=FROZEN)).get_attribute("data-status") == "warning"
    assert first.locator(tid("compare-cell", run=HEALTHY)).get_attribute("data-status") == "ok"

    # Overlay a weight tag of both runs: two band groups on one chart, and the sentence.
    matrix.locator(tid("compare-row", tag="fc1.weight")).click()
    t.frame.wait_for_selector(
        tid("compare-overlay", tag="fc1.weight", drawn="true"), timeout=TIMEOUT
    )
    overlay = t.frame.locator(tid("compare-overlay"))
    runs = overlay.locator(f'[data-slot="overlay"] {tid("bands-series")}')
    assert sorted(runs.nth(i).get_attribute("data-run") for i in range(runs.count())) == sorted(
        [FROZEN, HEALTHY]
    )
    assert overlay.locator(tid("ridgeline-chart")).count() == 2
    sentence = overlay.locator(tid("compare-sentence")).inner_text()
    assert f"In {FROZEN}, fc1.weight never moved; in {HEALTHY} it moved by" in sentence
    assert t.hash_state()["compareTag"] == "fc1.weight"

    t.frame.locator(tid("compare-sort")).select_option("name")
    t.frame.wait_for_function(
        "() => document.querySelector('[data-testid=compare-sort]').value === 'name'"
    )
    names = t.frame.locator(tid("compare-row")).evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-tag'))"
    )
    assert names[0].startswith("activations/")
    assert names[-1].startswith("preactivations/")
    assert t.hash_state()["sort"] == "name"
    assert t.problems == []


# --- sharing -----------------------------------------------------------------------------------


def test_copy_markdown_report(tab):
    t = tab(tab_hash(runs=[FROZEN, HEALTHY]))
    t.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=t.url)
    t.frame.wait_for_selector(tid("layer-map", run=FROZEN, state="ready"), timeout=TIMEOUT)
    t.frame.wait_for_selector(tid("layer-map", run=HEALTHY, state="ready"), timeout=TIMEOUT)
    t.frame.locator(tid("copy-markdown")).click()
    t.frame.wait_for_function(
        "() => document.querySelector('[data-testid=status-text]').textContent.includes('copied')",
        timeout=TIMEOUT,
    )
    md = t.frame.evaluate("navigator.clipboard.readText()")
    assert md.startswith("# Histogram diagnostics\n")
    assert "2 of " in md.splitlines()[2], "the selection is stated"
    assert f"## {FROZEN}" in md
    assert f"## {HEALTHY}" in md
    assert "## Layer learning" in md
    assert f"| {FROZEN} | fc1, fc2, fc3 | \u2014 | fc4 |" in md
    assert "| Tag | Verdict | Where | Evidence |" in md
    assert "unchanged steps:" in md, "evidence in the report"
    assert "Only the last layer learns" in md
    assert t.problems == []


def test_png_svg_and_json_downloads(tab):
    t = tab(tab_hash(runs=[FROZEN, HEALTHY], tagFilter="^fc[12]\\.weight$"))
    card = t.drawn_card(FROZEN, "fc1.weight")

    name, svg = download(t, lambda: card.locator(tid("card-download-svg")).click())
    assert name == "tb_histdiag-frozen_early_legacy-fc1.weight.svg"
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert b"fc1.weight" in svg
    assert b'data-verdict-id="frozen"' in svg
    name, png = download(t, lambda: card.locator(tid("card-download-png")).click())
    assert name.endswith(".png")
    width, height = png_size(png)
    assert width >= 1000, (width, height)
    assert height > 300, (width, height)

    name, svg = download(t, lambda: t.frame.locator(tid("layermap-download-svg")).click())
    assert name == "tb_histdiag-layer-map.svg"
    assert ET.fromstring(svg).tag.endswith("svg")
    assert svg.count(b'data-testid="layer-map-chart"') == 2
    name, png = download(t, lambda: t.frame.locator(tid("layermap-download-png")).click())
    png_size(png)

    menu = t.frame.locator(tid("download-menu"))
    for testid, ext in (("download-view-svg", "svg"), ("download-view-png", "png")):
        menu.locator("summary").click()
        name, data = download(t, lambda testid=testid: t.frame.locator(tid(testid)).click())
        assert name == f"tb_histdiag-view.{ext}"
        if ext == "png":
            assert png_size(data)[1] > 500
        else:
            fig = ET.fromstring(data)
            assert b"Histogram diagnostics" in data
            assert len(fig.findall(".//{http://www.w3.org/2000/svg}svg")) > 5
    menu.locator("summary").click()
    name, data = download(t, lambda: t.frame.locator(tid("download-json")).click())
    doc = json.loads(data)
    assert name == "tb_histdiag.json"
    assert doc["schema"] == "tb_histdiag/view-export/v1"
    assert [r["run"] for r in doc["runs"]] == [FROZEN, HEALTHY]
    assert sorted(t["tag"] for t in doc["runs"][0]["tags"]) == ["fc1.weight", "fc2.weight"]
    assert doc["view"]["tag_filter"] == "^fc[12]\\.weight$"
    menu.locator("summary").click()
    name, md = download(t, lambda: t.frame.locator(tid("download-markdown")).click())
    assert name == "tb_histdiag-report.md"
    assert md.startswith(b"# Histogram diagnostics")
    assert t.problems == []


# --- dark mode ---------------------------------------------------------------------------------


def test_dark_mode_follows_the_parent_page(tab):
    t = tab(tab_hash(runs=[FROZEN], tagFilter="^fc1\\.weight$"), dark=True)
    assert t.page.evaluate("document.body.classList.contains('dark-mode')")
    assert t.frame.evaluate("document.documentElement.dataset.theme") == "dark"
    assert t.frame.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(48, 48, 48)"
    card = t.drawn_card(FROZEN, "fc1.weight")
    fill = card.locator(f"{tid('bands-chart')} .hd-axis").first.get_attribute("fill")
    assert fill == "#b0b0b0", "charts drawn with the dark palette"
    # Switching back to light redraws.
    t.page.evaluate("document.body.classList.remove('dark-mode')")
    t.frame.wait_for_function("() => document.documentElement.dataset.theme === 'light'")
    t.frame.wait_for_selector(tid("tag-row", run=FROZEN, tag="fc1.weight", drawn="true"))
    assert (
        t.frame.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(245, 246, 247)"
    )
    t.page.screenshot(path=os.path.join(os.environ.get("TMPDIR", "/tmp"), "tb_histdiag_light.png"))
    assert t.problems == []


# --- hostile names and undiagnosable runs ------------------------------------------------------


def write_run(run_dir: str, steps: int) -> None:
    """A run with weights that drift, written in TensorBoard's TF2 format."""
    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.histogram.summary_v2 import histogram_pb
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(run_dir)
    rng = np.random.default_rng(0)
    for step in range(steps):
        for tag in ("fc1.weight", "fc2.weight"):
            values = rng.normal(0.02 * step, 0.1 * (1 + 0.03 * step), 500)
            summary = histogram_pb(tag, values)
            w.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step, summary=summary))
    w.close()


@pytest.fixture(scope="module")
def hostile_tensorboard(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("hostile"))
    write_run(os.path.join(logdir, HOSTILE), 12)
    write_run(os.path.join(logdir, "one_step"), 1)
    tb = TensorBoardProcess(logdir, "--samples_per_plugin=histograms=0")
    try:
        tb.wait_for_runs(2)
        yield tb
    finally:
        tb.stop()


def test_hostile_run_name_is_text_and_undiagnosable_run_says_why(browser, hostile_tensorboard):
    t = Tab(browser, hostile_tensorboard.url)
    try:
        section = t.frame.locator(tid("run-section", run=HOSTILE))
        section.wait_for(timeout=TIMEOUT)
        assert HOSTILE in section.locator("h2").inner_text()
        assert t.frame.locator("img").count() == 0, "no element made from the name"
        t.frame.wait_for_selector(tid("layer-map", run=HOSTILE, state="ready"), timeout=TIMEOUT)
        t.drawn_card(HOSTILE, "fc1.weight")
        note = t.frame.locator(tid("undiagnosable-run"))
        assert note.count() == 1
        assert (
            t.frame.locator(tid("run-section", run="one_step"))
            .locator(tid("undiagnosable-run"))
            .count()
            == 1
        )
        assert "step" in note.inner_text()
        menu = t.frame.locator(tid("download-menu"))
        menu.locator("summary").click()
        _, svg = download(t, lambda: t.frame.locator(tid("download-view-svg")).click())
        ET.fromstring(svg)  # well-formed despite the name
        assert b"&lt;img src=x onerror=alert(1)&gt;" in svg
        assert b"<img" not in svg
        t.frame.locator(tid("copy-markdown")).click()
        assert t.problems == [], t.problems
    finally:
        t.close()


# --- 2,000 tags --------------------------------------------------------------------------------


def synthetic_documents(runs: int, layers: int, per_layer: int):
    """A diagnostics document, one series and one layer map, large but well-formed."""
    roles = ("weight", "bias", "activation", "preactivation", "gradient")
    doc = {"schema": "tb_histdiag/diagnostics/v1", "runs": []}
    for r in range(runs):
        tags = []
        for layer in range(layers):
            for k in range(per_layer):
                frozen = r == 0 and layer < 3 and k == 0
                tags.append(
                    {
                        "tag": f"layer_{layer}/{roles[k % 5]}_{k}",
                        "role": roles[k % 5],
                        "layer": f"layer_{layer}",
                        "depth": layer,
                        "steps": 50,
                        "first_step": 0,
                        "last_step": 49,
                        "status": "warning" if frozen else "ok",
                        "reason": None,
                        "movement": 0.0 if frozen else 0.4,
                        "verdicts": [
                            {
                                "id": "frozen",
                                "severity": "warning",
                                "title": "Never changes",
                                "summary": "s",
                                "evidence": {"unchanged_steps": 50},
                                "steps": [0, 49],
                                "fix": "f",
                            }
                        ]
                        if frozen
                        else [],
                    }
                )
        doc["runs"].append(
            {
                "run": f"run_{r}",
                "status": "warning" if r == 0 else "ok",
                "counts": {
                    "critical": 0,
                    "warning": 3 if r == 0 else 0,
                    "info": 0,
                    "ok": len(tags),
                    "unknown": 0,
                },
                "verdicts": [],
                "layers": [
                    {
                        "layer": f"layer_{i}",
                        "depth": i,
                        "tags": [t["tag"] for t in tags if t["depth"] == i],
                        "verdicts": [],
                    }
                    for i in range(layers)
                ],
                "tags": tags,
            }
        )
    steps = list(range(50))
    edges = [-1 + i / 15 for i in range(31)]
    series = {
        "run": "r",
        "tag": "t",
        "steps": steps,
        "wall_times": [1.7e9 + s for s in steps],
        "valid": [True] * 50,
        "nonfinite": [False] * 50,
        "stats": {k: [0.1] * 50 for k in ("min", "max", "mean", "std", "count")},
        "bands": {
            "basis_points": [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000],
            "values": [[-1 + j * 0.25 for j in range(9)] for _ in steps],
        },
        "histogram": {"edges": edges, "counts": [[abs(15 - b) for b in range(30)] for _ in steps]},
    }
    layer_map = {
        "layers": [
            {
                "layer": f"layer_{i}",
                "depth": i,
                "tag": f"layer_{i}/weight_0",
                "role": "weight",
                "status": "ok",
                "steps": steps,
                "movement": [s * 0.01 for s in steps],
            }
            for i in range(layers)
        ]
    }
    return doc, series, layer_map


def test_first_screen_with_2000_tags_is_interactive_within_a_second(browser, scenario_tensorboard):
    doc, series, layer_map = synthetic_documents(runs=4, layers=100, per_layer=5)
    assert sum(len(r["tags"]) for r in doc["runs"]) == 2000
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    series_requests: list[str] = []

    def fulfil(route, body):
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/data/plugin/tb_histdiag/diagnostics*", lambda r: fulfil(r, doc))
    page.route("**/data/plugin/tb_histdiag/layer_map*", lambda r: fulfil(r, layer_map))

    def on_series(route):
        series_requests.append(route.request.url)
        fulfil(route, series)

    page.route("**/data/plugin/tb_histdiag/series*", on_series)
    try:
        page.goto(f"{scenario_tensorboard.url}/#tb_histdiag")
        frame = page.wait_for_selector(IFRAME, timeout=TIMEOUT).content_frame()
        frame.wait_for_selector('.hd-app[data-ready="true"]', timeout=TIMEOUT)
        frame.wait_for_function(
            "() => performance.getEntriesByName('tb_histdiag:painted').length > 0",
            timeout=TIMEOUT,
        )
        render_ms = frame.evaluate(
            "performance.measure('tb_histdiag:first-screen', 'tb_histdiag:received',"
            " 'tb_histdiag:painted').duration"
        )
        assert render_ms < 1000, f"first screen took {render_ms:.0f} ms"
        # The rest of the cards follow in chunks.
        frame.wait_for_selector('.hd-app[data-cards="complete"]', timeout=TIMEOUT)
        assert frame.locator(tid("tag-row")).count() == 2000
        # Charts are lazy: only cards near the viewport fetch their series.
        frame.evaluate(
            "document.querySelector('[data-testid=tag-row]').scrollIntoView({block: 'center'})"
        )
        frame.wait_for_selector(tid("tag-row", drawn="true"), timeout=TIMEOUT)
        assert 0 < len(series_requests) < 60, len(series_requests)
        # Filters respond without refetching the document.
        start = time.monotonic()
        frame.locator(tid("tag-filter")).fill("layer_1/")
        frame.wait_for_function(
            "() => document.querySelector('[data-testid=shown-count]').textContent.startsWith('20 of')",
            timeout=TIMEOUT,
        )
        assert time.monotonic() - start < 2.0
        print(f"\nfirst screen with 2,000 tags: {render_ms:.0f} ms after the data arrived")
        assert problems == []
    finally:
        context.close()
