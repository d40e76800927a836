"""The Diagnostics tab in a real browser (Playwright driving Debian's chromium) on a real TensorBoard."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def open_tab(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(url + "/#tb_histdiag")
    iframe = page.wait_for_selector('iframe[src*="plugin_entry.html?name=tb_histdiag"]')
    frame = iframe.content_frame()
    assert frame is not None, "the Diagnostics iframe has no document"
    return page, frame, problems


def test_tab_shows_the_constant_init_verdict(browser, scenario_tensorboard, tmp_path):
    page, frame, problems = open_tab(browser, scenario_tensorboard.url)
    section = frame.locator('[data-testid="run-section"][data-run="constant_init_legacy"]')
    section.wait_for(timeout=30_000)
    badge = section.locator('[data-testid="status-badge"]').first
    assert badge.get_attribute("data-status") == "critical"
    verdicts = section.locator('[data-testid="verdict"][data-verdict-id="constant"]')
    assert verdicts.count() >= 1
    assert "identical" in section.inner_text() or "symmetry" in section.inner_text()
    healthy = frame.locator('[data-testid="run-section"][data-run="healthy_legacy"]')
    assert (
        healthy.locator('[data-testid="status-badge"]').first.get_attribute("data-status") == "ok"
    )
    page.screenshot(path=str(tmp_path / "tab.png"))
    assert problems == []
    page.close()
