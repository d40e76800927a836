"""``make bench`` (g): opening the tab in headless chromium until its first screen of cards is
interactive, timed inside the page (``scripts/bench.py`` runs it, ``bench_report`` renders it).
"""

from __future__ import annotations

import time

from bench_common import TensorBoard


def browser_times(logdir: str, scale: dict, trials: int, ttl_env: dict) -> dict:
    """(g): open the tab in headless chromium ``trials`` times (the first on a cold plugin)."""
    from playwright.sync_api import sync_playwright

    tb = TensorBoard(logdir, "auto", env=ttl_env)
    out: dict = {"tags": scale["runs"] * scale["tags"], "trials": []}
    try:
        out["load_s"] = tb.wait_loaded(scale["runs"], scale["tags"], scale["steps"] - 1)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            try:
                for trial in range(trials):
                    out["trials"].append(_one_page(browser, tb, trial == 0))
            finally:
                browser.close()
    finally:
        tb.stop()
    return out


#: Installed in every frame before any script runs. Inside the tab's iframe it watches, once per
#: animation frame, for the first card under ``[data-ready=true]`` with a layout box, then queues
#: a task: when that task runs the main thread is free, i.e. the card can react to input. Timing
#: in the page avoids counting Playwright's own polling delay (~0.1-0.3 s here).
_READY_PROBE = """(() => {
  if (!location.pathname.endsWith("plugin_entry.html")) return;
  const check = () => {
    const card = document.querySelector('[data-ready="true"] [data-testid="tag-row"]');
    if (card && card.getBoundingClientRect().height > 0) {
      const seen = performance.now();
      setTimeout(() => { window.__tbhdReady = { seen, free: performance.now() }; }, 0);
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"""

#: Read back in the iframe: the probe's times, when the diagnostics response ended (resource
#: timing, independent of the app's own marks), and the app's marks whatever their names.
_RESULT = """() => {
  const res = performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/data/plugin/tb_histdiag/diagnostics"));
  return { ready: window.__tbhdReady || null,
           dataEnd: res.length ? res[res.length - 1].responseEnd : null,
           marks: performance.getEntriesByType("mark").map((e) => [e.name, e.startTime]),
           cards: document.querySelectorAll('[data-testid="tag-row"]').length,
           nodes: document.getElementsByTagName("*").length };
}"""


def _one_page(browser, tb: TensorBoard, cold: bool) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.add_init_script(_READY_PROBE)
        start = time.monotonic()
        page.goto(f"http://127.0.0.1:{tb.port}/#tb_histdiag")
        iframe = page.wait_for_selector(
            'iframe[src*="plugin_entry.html?name=tb_histdiag"]', timeout=60_000
        )
        frame = iframe.content_frame()
        frame.wait_for_function("() => !!window.__tbhdReady", timeout=300_000, polling=100)
        visible = time.monotonic()
        probe = frame.evaluate(_RESULT)
        # And a real input: a click on the first card opens its detail view.
        card = frame.locator('[data-ready="true"] [data-testid="tag-row"]').first
        click = time.monotonic()
        card.click()
        frame.wait_for_selector('[data-testid="detail-view"]', state="visible", timeout=30_000)
        clicked = time.monotonic()
        data_end = probe["dataEnd"] or 0.0
        marks = {name: t - data_end for name, t in probe["marks"]}
        return {
            "cold": cold,
            "open_to_ready_ms": (visible - start) * 1000,
            "data_to_visible_ms": probe["ready"]["seen"] - data_end,
            "data_to_interactive_ms": probe["ready"]["free"] - data_end,
            "marks_after_data_ms": marks,
            "click_to_detail_ms": (clicked - click) * 1000,
            "cards": probe["cards"],
            "nodes": probe["nodes"],
        }
    finally:
        page.close()
