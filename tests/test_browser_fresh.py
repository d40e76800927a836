"""While a run trains, the tab marks the findings that appeared since the page was opened (a real
writer appends to a logdir served by a real TensorBoard, viewed in Debian's chromium)."""

from __future__ import annotations

import pytest

from .conftest import TensorBoardProcess
from .test_browser_tab import TIMEOUT, Tab, tid
from .test_watch import Run

pytestmark = pytest.mark.browser


def test_findings_new_since_the_page_was_opened_are_marked(browser, tmp_path):
    run = Run(tmp_path, "train")
    run.write(range(10), fc1_weight="moving", fc2_weight="const")
    tb = TensorBoardProcess(str(tmp_path), "--samples_per_plugin=histograms=0")
    tab = None
    try:
        tb.wait_for_runs(1)
        tab = Tab(browser, tb.url)
        frame = tab.frame
        # On opening, the constant weights are a finding, but not a new one.
        frame.wait_for_selector(tid("verdict", verdict_id="constant"), timeout=TIMEOUT)
        assert frame.locator(tid("fresh")).count() == 0
        assert "new finding" not in frame.locator(tid("status-text")).inner_text()

        run.write(range(10, 14), fc1_weight="nan")  # the run turns NaN while the page is open
        frame.wait_for_function(
            """() => {
              const t = document.querySelector('[data-testid="status-text"]').textContent;
              if (t.includes("new finding")) return true;
              document.querySelector('[data-testid="reload-button"]').click();
              return false;
            }""",
            polling=1000,
            timeout=60_000,
        )
        status = frame.locator(tid("status-text")).inner_text()
        assert "1 new finding since the page was opened" in status
        marked = frame.locator(f"{tid('verdict', verdict_id='nonfinite')} {tid('fresh')}")
        assert marked.count() >= 1
        assert marked.first.inner_text().strip().lower() == "new"
        # The finding that was already there stays unmarked.
        old = frame.locator(f"{tid('verdict', verdict_id='constant')} {tid('fresh')}")
        assert old.count() == 0
        assert tab.problems == []
    finally:
        if tab is not None:
            tab.close()
        run.close()
        tb.stop()
