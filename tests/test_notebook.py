"""The tab inside Jupyter's ``%tensorboard``: the cell output that TensorBoard's notebook module
writes, on a page served by a notebook-like server that proxies ``/proxy/<port>/`` to TensorBoard
with the prefix stripped, as jupyter-server-proxy does (``TENSORBOARD_PROXY_URL``)."""

from __future__ import annotations

import http.server
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.conftest import WRITER_RUNS, TensorBoardProcess

pytestmark = [pytest.mark.browser, pytest.mark.server]

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class NotebookServer:
    """``/notebook.html`` is a page holding one cell output; ``/proxy/<port>/...`` forwards to
    ``127.0.0.1:<port>/...``. Every proxied path is recorded."""

    def __init__(self, cell_html: str):
        self.proxied: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.forward()

            def do_POST(self):
                self.forward()

            def forward(self):
                if self.path == "/notebook.html":
                    page = f"<!doctype html><html><body><h1>notebook</h1>{cell_html}</body></html>"
                    self.reply(200, [("Content-Type", "text/html")], page.encode())
                    return
                parts = self.path.split("/", 3)  # "", "proxy", port, rest
                if len(parts) < 3 or parts[1] != "proxy" or not parts[2].isdigit():
                    self.reply(404, [], b"not found")
                    return
                server.proxied.append(self.path)
                target = f"http://127.0.0.1:{parts[2]}/" + (parts[3] if len(parts) > 3 else "")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                request = urllib.request.Request(
                    target, data=body, headers=headers, method=self.command
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as r:
                        self.reply(r.status, r.getheaders(), r.read())
                except urllib.error.HTTPError as e:
                    self.reply(e.code, e.headers.items(), e.read())

            def reply(self, status, headers, body):
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in HOP_BY_HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class CellOutput:
    """A display handle, as the notebook API takes one: keeps the HTML it would show."""

    html = ""

    def update(self, obj):
        self.html = obj.data


def test_the_tab_in_the_tensorboard_magic_behind_a_proxy(browser, writers_logdir, monkeypatch):
    pytest.importorskip("IPython")
    from tensorboard import notebook

    tb = TensorBoardProcess(writers_logdir)
    nb = None
    page = None
    try:
        tb.wait_for_runs(len(WRITER_RUNS))
        port = urllib.parse.urlsplit(tb.url).port
        monkeypatch.setenv("TENSORBOARD_PROXY_URL", "/proxy/%PORT%/")
        cell = CellOutput()
        notebook._display_ipython(port, 800, cell)  # what %tensorboard shows for that port
        assert f"/proxy/{port}/" in cell.html
        nb = NotebookServer(cell.html)

        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        # TensorBoard's own page has errors of its own here (its fonts and the notebook's favicon
        # are absolute paths the proxy does not serve; its Time Series view draws the NaN
        # histogram): what must be clean is every error and failed request of the plugin.
        ours_errors: list[str] = []

        def on_console(m) -> None:
            where = (m.location or {}).get("url", "")
            if m.type == "error" and ("tb_histdiag" in where or "plugin_entry" in where):
                ours_errors.append(f"{m.text} @ {where}")

        def on_response(r) -> None:
            if r.status >= 400 and "tb_histdiag" in r.url:
                ours_errors.append(f"HTTP {r.status} {r.url}")

        page.on("console", on_console)
        page.on("response", on_response)
        page.goto(nb.url + "/notebook.html")
        tb_frame = page.wait_for_selector('iframe[id^="tensorboard-frame-"]').content_frame()
        assert tb_frame is not None
        tb_frame.wait_for_load_state()
        assert tb_frame.url.startswith(f"{nb.url}/proxy/{port}/")
        # The user picks the tab in TensorBoard's header.
        tb_frame.get_by_text("Diagnostics", exact=True).first.click(timeout=60_000)
        plugin = tb_frame.wait_for_selector(
            'iframe[src*="plugin_entry.html?name=tb_histdiag"]', timeout=60_000
        ).content_frame()
        assert plugin is not None
        plugin.wait_for_selector('.hd-app[data-ready="true"]', timeout=60_000)
        section = plugin.locator('[data-testid="run-section"][data-run="torch"]')
        section.wait_for(timeout=30_000)
        badge = section.locator('[data-testid="status-badge"]').first
        assert badge.get_attribute("data-status") == "critical"
        assert plugin.url.startswith(f"{nb.url}/proxy/{port}/")
        ours = [p for p in nb.proxied if "/data/plugin/tb_histdiag/" in p]
        assert any("/data/plugin/tb_histdiag/static/index.js" in p for p in ours)
        assert any("/data/plugin/tb_histdiag/diagnostics" in p for p in ours), ours
        assert ours_errors == []
    finally:
        if page is not None:
            page.close()
        if nb is not None:
            nb.stop()
        tb.stop()
