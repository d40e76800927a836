"""``make compat``: the built wheel, installed as a user would, on each tested TensorBoard.

For every row of ``ROWS`` (a TensorBoard release, the Python it runs on, and the pins that an
environment of that release has, e.g. TensorFlow 2.12's numpy and protobuf) this script

1. creates a clean venv with that Python (no system site-packages) and a ``PATH`` holding only the
   venv's ``bin``, so no Node.js or npm is reachable;
2. ``pip install``s the wheel from ``dist/`` with the row's TensorBoard and pins, then ``pip check``;
3. on one logdir written by real writers (torch, tensorboardX, TensorBoard's TF2 format):
   ``tb-histdiag --version``; the CLI's JSON with both loaders, compared with this checkout's
   verdicts; a real ``tensorboard`` with ``--load_fast=true`` and ``false`` listing the tab as
   enabled, serving the plugin's routes and the wheel's own bundle; and one load of the tab per
   loader in headless chromium, with no console error or failed request from the plugin.

It prints the matrix as a Markdown table (the README's "Tested with" table is this output) and
exits 1 when a row that ran failed. A row whose Python is not on this machine is reported as
untested, not failed (``--strict`` makes it fail). ``--rows ends`` runs the oldest and the newest
row (what ``make test`` runs); ``--rows ID,ID`` picks rows; the default is every row.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # for tests/

from tests.tensorboard_launch import DidNotStart, LaunchedTensorBoard

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class Row:
    id: str
    python: str  # "3.9"
    tensorboard: str  # an exact release
    pins: tuple[str, ...] = ()  # what an environment of that release has
    why: str = ""
    #: A row that documents a known breakage: it must fail with this text, or the matrix fails.
    fails_with: str = ""

    @property
    def install(self) -> list[str]:
        return [f"tensorboard=={self.tensorboard}", *self.pins]


#: Oldest first, newest last (``--rows ends`` takes the first and the last).
ROWS: tuple[Row, ...] = (
    Row(
        "tb2.12-py3.9",
        "3.9",
        "2.12.3",
        ("numpy==1.22.4", "protobuf==3.20.3", "werkzeug==2.2.3", "six"),
        "TensorFlow 2.12's pins (numpy<1.24, protobuf<5, six: TensorBoard 2.12 imports it "
        "undeclared); install_requires' lower bounds, exactly",
    ),
    Row(
        "tb2.13-py3.10",
        "3.10",
        "2.13.0",
        ("numpy<2", "protobuf<5", "six"),
        "TensorFlow 2.13's pins (numpy<2, protobuf<5, six: TensorBoard 2.13 imports it undeclared)",
    ),
    Row("tb2.14-py3.10", "3.10", "2.14.1", ("numpy<2", "protobuf<5"), "TensorFlow 2.14's pins"),
    Row("tb2.15-py3.11", "3.11", "2.15.2", ("numpy<2", "protobuf<5"), "TensorFlow 2.15's pins"),
    Row(
        "tb2.16-py3.12",
        "3.12",
        "2.16.2",
        ("numpy<2", "protobuf<5", "setuptools<82"),
        "TensorFlow 2.16's pins; setuptools<82 as below",
    ),
    Row(
        "tb2.17-py3.12",
        "3.12",
        "2.17.1",
        ("numpy<2", "protobuf<5", "setuptools<82"),
        "TensorFlow 2.17's pins; setuptools<82 as below",
    ),
    Row(
        "tb2.16-unpinned",
        "3.12",
        "2.16.2",
        (),
        "nothing pinned: pip picks numpy 2, which TensorBoard 2.16 itself cannot import",
        fails_with="np.string_",
    ),
    Row(
        "tb2.18-py3.12",
        "3.12",
        "2.18.0",
        ("setuptools<82",),
        "TensorBoard up to 2.19 imports pkg_resources, which setuptools 82 removed; a venv of "
        "Python 3.12+ has no setuptools, so pip picks the newest",
    ),
    Row("tb2.19-py3.12", "3.12", "2.19.0", ("setuptools<82",), "as 2.18"),
    Row(
        "tb2.19-unpinned",
        "3.12",
        "2.19.0",
        (),
        "nothing pinned: pip picks setuptools without pkg_resources, which TensorBoard 2.19 imports",
        fails_with="pkg_resources",
    ),
    Row(
        "tb2.19-py3.13",
        "3.13",
        "2.19.0",
        ("setuptools<82",),
        "TensorBoard 2.19 imports imghdr, which Python 3.13 removed",
        fails_with="imghdr",
    ),
    Row("tb2.20-py3.11", "3.11", "2.20.0", (), "nothing pinned"),
    Row("tb2.21-py3.9", "3.9", "2.21.0", (), "nothing pinned; the oldest Python"),
    Row("tb2.21-py3.13", "3.13", "2.21.0", (), "nothing pinned; the newest of both"),
)

#: Python versions that TensorBoard 2.21 installs on but that this machine cannot provide.
UNTESTED_PYTHONS = ("3.14",)

DISTS = ("tensorboard", "numpy", "protobuf", "werkzeug", "setuptools", "tensorboard-data-server")


@dataclass
class Result:
    row: Row
    status: str = "untested"  # pass | FAIL | untested | fails as expected
    versions: dict[str, str] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" or the failure
    notes: list[str] = field(default_factory=list)
    install_s: float = 0.0
    total_s: float = 0.0


# ---------------------------------------------------------------------------------------------
# Finding interpreters


def find_python(version: str) -> str | None:
    """An interpreter that really is ``version``: on PATH, else under pyenv's versions."""
    candidates = [shutil.which(f"python{version}") or ""]
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(
        glob.glob(os.path.join(pyenv_root, "versions", f"{version}.*", "bin", "python")),
        reverse=True,
    )
    for exe in candidates:
        if not exe:
            continue
        try:
            out = subprocess.run(
                [exe, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return exe
    return None


# ---------------------------------------------------------------------------------------------
# The logdir and what this checkout says about it


def write_logdir(path: str) -> None:
    from tests.conftest import WRITERS  # torch, tensorboardX and TensorBoard's TF2 writer

    for run, write in WRITERS.items():
        write(os.path.join(path, run))


def verdict_shape(document: dict) -> dict:
    """What must not depend on the environment: per run, its status, run verdicts and, per tag,
    status and verdict ids."""
    if document.get("schema") != "tb_histdiag/diagnostics/v1":
        raise ValueError(f"unexpected schema {document.get('schema')!r}")
    return {
        r["run"]: {
            "status": r["status"],
            "verdicts": sorted(v["id"] for v in r["verdicts"]),
            "tags": {
                t["tag"]: [t["status"], sorted(v["id"] for v in t["verdicts"])] for t in r["tags"]
            },
        }
        for r in document["runs"]
    }


def reference_shape(logdir: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "tb_histdiag", logdir, "--format", "json", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return verdict_shape(json.loads(out.stdout))


# ---------------------------------------------------------------------------------------------
# One row


def wheel_version(wheel: str) -> str:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = z.read(name).decode()
    return re.search(r"^Version: (\S+)$", meta, re.M).group(1)


class Failed(Exception):
    pass


def run(cmd: list[str], env: dict, timeout: float, what: str) -> str:
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise Failed(f"{what}: timed out after {timeout:.0f} s") from e
    if out.returncode != 0:
        tail = (out.stderr or out.stdout).strip().splitlines()[-6:]
        raise Failed(f"{what}: exit {out.returncode}: " + " | ".join(tail))
    return out.stdout


def clean_env(venv: str) -> dict:
    """The environment of a user's fresh venv: its bin alone on PATH (so no Node.js), no leaks
    from this process's venv or Python settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "CONDA", "PIP_TARGET", "PIP_PREFIX"))
    }
    env["PATH"] = os.path.join(venv, "bin")
    env["VIRTUAL_ENV"] = venv
    env["OPENBLAS_NUM_THREADS"] = "1"
    for tool in ("node", "npm", "npx"):
        if shutil.which(tool, path=env["PATH"]):
            raise Failed(f"{tool} is reachable from the clean venv's PATH")
    return env


class TensorBoard(LaunchedTensorBoard):
    """``tensorboard`` from the row's venv on 127.0.0.1, port chosen by the OS."""

    def __init__(self, venv: str, env: dict, logdir: str, load_fast: str):
        try:
            super().__init__(
                [os.path.join(venv, "bin", "tensorboard")],
                logdir,
                "--reload_interval",
                "1",
                f"--load_fast={load_fast}",
                env=env,
            )
        except DidNotStart as e:
            raise Failed("tensorboard did not start: " + "".join(e.log[-8:])) from None

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=60) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


def check_server(tb: TensorBoard, runs: int, expected: dict, bundle: bytes) -> None:
    deadline = time.monotonic() + 120
    while True:
        status, body = tb.get("/data/plugin/tb_histdiag/runs")
        if status == 200 and len(json.loads(body)["runs"]) >= runs:
            break
        if time.monotonic() > deadline:
            raise Failed(f"the plugin did not list {runs} runs in 120 s (last: {status})")
        time.sleep(0.3)
    status, body = tb.get("/data/plugins_listing")
    entry = json.loads(body).get("tb_histdiag") if status == 200 else None
    if not entry or entry.get("enabled") is not True or entry.get("tab_name") != "Diagnostics":
        raise Failed(f"plugins_listing: {status} {entry!r}")
    for run_name, want in expected.items():
        status, body = tb.get(f"/data/plugin/tb_histdiag/diagnostics?run={run_name}")
        if status != 200:
            raise Failed(f"/diagnostics?run={run_name}: {status}")
        got = verdict_shape(json.loads(body))
        if got != {run_name: want}:
            raise Failed(f"/diagnostics?run={run_name} differs: {got} != {want}")
    status, body = tb.get("/data/plugin/tb_histdiag/static/index.js")
    if status != 200 or body != bundle:
        raise Failed(f"static/index.js: {status}, {len(body)} bytes, not the wheel's bundle")
    status, body = tb.get("/data/plugin/tb_histdiag/series?run=torch&tag=fc1.weight")
    if status != 200:
        raise Failed(f"/series: {status}")
    status, body = tb.get("/data/plugin/tb_histdiag/series?run=torch&tag=nope")
    if status != 404:
        raise Failed(f"/series of an unknown tag: {status}, not 404")
    status, body = tb.get("/data/plugin_entry.html?name=tb_histdiag")
    if status != 200 or b"./static/index.js" not in body:
        raise Failed(f"plugin_entry.html: {status}")


def check_browser(browser, url: str, expected: dict) -> list[str]:
    """Load the tab; fail on an error from the plugin; return TensorBoard's own errors as notes."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    plugin_errors: list[str] = []
    other_errors: list[str] = []

    def ours(where: str) -> bool:
        return "tb_histdiag" in where or "plugin_entry" in where

    def on_console(m) -> None:
        if m.type == "error":
            where = (m.location or {}).get("url", "")
            (plugin_errors if ours(where) else other_errors).append(f"{m.text} ({where})")

    def on_response(r) -> None:
        if r.status >= 400 and "/data/plugin/tb_histdiag/" in r.url:
            plugin_errors.append(f"HTTP {r.status} {r.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: other_errors.append(f"page error: {e}"))
    page.on("response", on_response)
    try:
        page.goto(url + "/#tb_histdiag")
        iframe = page.wait_for_selector(
            'iframe[src*="plugin_entry.html?name=tb_histdiag"]', timeout=60_000
        )
        frame = iframe.content_frame()
        if frame is None:
            raise Failed("the Diagnostics iframe has no document")
        frame.on("pageerror", lambda e: plugin_errors.append(f"page error: {e}"))
        frame.wait_for_selector('.hd-app[data-ready="true"]', timeout=60_000)
        for run_name, want in expected.items():
            section = frame.locator(f'[data-testid="run-section"][data-run="{run_name}"]')
            section.wait_for(timeout=30_000)
            badge = section.locator('[data-testid="status-badge"]').first
            if badge.get_attribute("data-status") != want["status"]:
                raise Failed(f"the tab shows {run_name} as {badge.get_attribute('data-status')}")
        # Scroll through the cards so that every chart is drawn (they draw as they come into view).
        for _ in range(12):
            frame.evaluate("window.scrollBy(0, 600)")
            page.wait_for_timeout(100)
        charts = frame.locator("[data-slot] svg")
        charts.first.wait_for(timeout=30_000)
        if charts.count() < 2:
            raise Failed(f"the tab drew {charts.count()} charts")
        page.wait_for_timeout(500)
    finally:
        context.close()
    if plugin_errors:
        raise Failed("browser: " + " | ".join(plugin_errors[:4]))
    return other_errors


def run_row(row: Row, wheel: str, logdir: str, expected: dict, bundle: bytes, browser, work: str):
    result = Result(row)
    started = time.monotonic()
    python = find_python(row.python)
    if python is None:
        result.notes.append(f"no Python {row.python} on this machine")
        return result
    venv = os.path.join(work, row.id)
    try:
        subprocess.run([python, "-m", "venv", venv], check=True, capture_output=True)
        env = clean_env(venv)
        py = os.path.join(venv, "bin", "python")
        t0 = time.monotonic()
        run(
            [py, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel, *row.install],
            env,
            900,
            "pip install",
        )
        result.install_s = time.monotonic() - t0
        versions = run(
            [
                py,
                "-c",
                "import importlib.metadata as m, json, platform\n"
                "def v(n):\n"
                "    try:\n"
                "        return m.version(n)\n"
                "    except m.PackageNotFoundError:\n"
                "        return 'none'\n"
                f"d = {{n: v(n) for n in {DISTS!r}}}\n"
                "d['python']=platform.python_version(); print(json.dumps(d))",
            ],
            env,
            60,
            "versions",
        )
        result.versions = json.loads(versions)
        checks = result.checks
        run([py, "-m", "pip", "check", "--disable-pip-version-check"], env, 120, "pip check")
        checks["pip check"] = "ok"
        out = run([os.path.join(venv, "bin", "tb-histdiag"), "--version"], env, 60, "--version")
        if out.strip() != f"tb-histdiag {wheel_version(wheel)}":
            raise Failed(f"--version printed {out.strip()!r}")
        checks["--version"] = "ok"
        for flag in ("--no-load-fast", "--load-fast"):
            out = run(
                [
                    os.path.join(venv, "bin", "tb-histdiag"),
                    logdir,
                    "--format",
                    "json",
                    "--quiet",
                    flag,
                ],
                env,
                300,
                f"CLI {flag}",
            )
            got = verdict_shape(json.loads(out))
            if got != expected:
                raise Failed(f"CLI {flag}: verdicts differ: {got} != {expected}")
            checks[f"CLI {flag}"] = "ok"
        for load_fast in ("true", "false"):
            tb = TensorBoard(venv, env, logdir, load_fast)
            try:
                check_server(tb, len(expected), expected, bundle)
                checks[f"tensorboard --load_fast={load_fast}"] = "ok"
                others = check_browser(browser, tb.url, expected)
                checks[f"tab in chromium (load_fast={load_fast})"] = "ok"
                result.notes += [f"TensorBoard's own console error: {e}" for e in others[:2]]
            finally:
                tb.stop()
            if any("Traceback" in line for line in tb.log):
                raise Failed(f"--load_fast={load_fast}: a traceback in TensorBoard's log")
        result.status = "pass"
        if row.fails_with:
            result.status = "FAIL"
            result.notes.append(f"expected to fail with {row.fails_with!r}, but it works")
    except Failed as e:
        expected_failure = bool(row.fails_with) and row.fails_with in str(e)
        result.status = "fails as expected" if expected_failure else "FAIL"
        result.notes.append(str(e))
    except Exception as e:  # a bug here is a failed row, reported, not a crashed matrix
        result.status = "FAIL"
        result.notes.append(f"{type(e).__name__}: {e}")
    finally:
        shutil.rmtree(venv, ignore_errors=True)
        result.total_s = time.monotonic() - started
    return result


# ---------------------------------------------------------------------------------------------
# The table


def table(results: list[Result]) -> str:
    lines = [
        "| TensorBoard | numpy | protobuf | werkzeug | setuptools | Python | works | pins (why) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        v = r.versions
        pins = ", ".join(f"`{p}`" for p in r.row.pins) or "none"
        works = {
            "pass": "yes",
            "FAIL": "**FAILED**",
            "untested": "untested",
            "fails as expected": f"no: TensorBoard fails (`{r.row.fails_with}`)",
        }[r.status]
        lines.append(
            f"| {v.get('tensorboard', r.row.tensorboard)} | {v.get('numpy', '—')} "
            f"| {v.get('protobuf', '—')} | {v.get('werkzeug', '—')} | {v.get('setuptools', '—')} "
            f"| {v.get('python', r.row.python)} | {works} | {pins} ({r.row.why}) |"
        )
    return "\n".join(lines)


def select(spec: str | None) -> list[Row]:
    if not spec or spec == "all":
        return list(ROWS)
    if spec == "ends":
        return [ROWS[0], ROWS[-1]]
    by_id = {r.id: r for r in ROWS}
    unknown = [s for s in spec.split(",") if s not in by_id]
    if unknown:
        raise SystemExit(f"unknown rows {unknown}; rows: {', '.join(by_id)}")
    return [by_id[s] for s in spec.split(",")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dist", default=os.path.join(ROOT, "dist"), help="folder with one wheel")
    ap.add_argument("--rows", help="'all' (default), 'ends', or row ids separated by commas")
    ap.add_argument("--markdown", help="also write the table to this file")
    ap.add_argument("--json", help="write every row's versions, checks and notes to this file")
    ap.add_argument("--strict", action="store_true", help="an untested row fails too")
    args = ap.parse_args(argv)

    wheels = glob.glob(os.path.join(args.dist, "*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"{args.dist} must hold exactly one wheel (make dist); found {wheels}")
    wheel = os.path.abspath(wheels[0])
    with zipfile.ZipFile(wheel) as z:
        bundle = z.read("tb_histdiag/static/index.js")
    rows = select(args.rows)

    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM

    if CHROMIUM is None:
        raise SystemExit("Debian's chromium is needed for the tab check (apt-get install chromium)")
    results: list[Result] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tb_histdiag-compat-") as work:
        logdir = os.path.join(work, "logdir")
        write_logdir(logdir)
        expected = reference_shape(logdir)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                for row in rows:
                    print(
                        f"== {row.id}: Python {row.python}, tensorboard=={row.tensorboard}"
                        f" {' '.join(row.pins)}",
                        flush=True,
                    )
                    r = run_row(row, wheel, logdir, expected, bundle, browser, work)
                    results.append(r)
                    print(
                        f"   {r.status} in {r.total_s:.0f} s (install {r.install_s:.0f} s) "
                        f"{json.dumps(r.versions)}",
                        flush=True,
                    )
                    for note in r.notes:
                        print(f"   note: {note}", flush=True)
            finally:
                browser.close()
    text = table(results)
    if len(rows) == len(ROWS):
        text += "\n\nUntested: Python " + ", ".join(UNTESTED_PYTHONS) + " (not installable here)."
    print()
    print(text)
    print(f"\n{len(results)} rows in {time.monotonic() - started:.0f} s")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(
                [
                    {
                        "row": r.row.id,
                        "status": r.status,
                        "versions": r.versions,
                        "checks": r.checks,
                        "notes": r.notes,
                        "install_s": round(r.install_s, 1),
                        "total_s": round(r.total_s, 1),
                    }
                    for r in results
                ],
                f,
                indent=2,
            )
    failed = [r for r in results if r.status == "FAIL" or (args.strict and r.status == "untested")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
