"""Shared fixtures: logdirs written by real writers, and TensorBoard's two real data providers.

The ``writers`` logdir has one run per writer (torch ``SummaryWriter``, tensorboardX, and
TensorBoard's own TF2-format ``histogram_pb``), each with the same tags:

- ``fc1.weight``: normal values that drift and widen every step (healthy, learning)
- ``fc1.bias``: the same values at every step (frozen)
- ``const``: every value 0.5 (constant)
- ``relu``: a ReLU output, about half exact zeros
- ``blowup``: finite until step 5, then NaN and Inf values (non-finite)
"""

from __future__ import annotations

import os
import shutil
import sys
import time

import numpy as np
import pytest
from hypothesis import settings

from tests.tensorboard_launch import LaunchedTensorBoard

# The suite is a gate: the same examples every run (`HYPOTHESIS_PROFILE=explore` searches anew).
settings.register_profile("gate", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gate"))

STEPS = 10
NAN_FROM_STEP = 5
WRITER_RUNS = ("torch", "tbx", "tf2")
TAGS = ("fc1.weight", "fc1.bias", "const", "relu", "blowup")


def tag_values(tag: str, step: int) -> np.ndarray:
    """The values logged for ``tag`` at ``step`` (deterministic)."""
    rng = np.random.default_rng(1000 + step)
    if tag == "fc1.weight":
        return rng.normal(0.01 * step, 0.1 * (1 + 0.05 * step), 2000).astype(np.float32)
    if tag == "fc1.bias":
        return np.random.default_rng(7).uniform(-0.1, 0.1, 64).astype(np.float32)
    if tag == "const":
        return np.full(256, 0.5, dtype=np.float32)
    if tag == "relu":
        return np.maximum(rng.normal(0, 1, 1000), 0).astype(np.float32)
    if tag == "blowup":
        x = rng.normal(0, 1, 500).astype(np.float32)
        if step >= NAN_FROM_STEP:
            x[:3] = [np.nan, np.inf, -np.inf]
        return x
    raise KeyError(tag)


def write_torch(run_dir: str) -> None:
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(run_dir)
    for step in range(STEPS):
        for tag in TAGS:
            w.add_histogram(tag, tag_values(tag, step), step)
    w.close()


def write_tbx(run_dir: str) -> None:
    import tensorboardX

    w = tensorboardX.SummaryWriter(run_dir)
    for step in range(STEPS):
        for tag in TAGS:
            w.add_histogram(tag, tag_values(tag, step), step)
    w.close()


def write_tf2(run_dir: str) -> None:
    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.histogram.summary_v2 import histogram_pb
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(run_dir)
    for step in range(STEPS):
        for tag in TAGS:
            summary = histogram_pb(tag, tag_values(tag, step).astype(np.float64))
            w.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step, summary=summary))
    w.close()


def write_scalars_only(run_dir: str) -> None:
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(run_dir)
    for step in range(3):
        value = summary_pb2.Summary.Value(tag="loss", simple_value=1.0 / (step + 1))
        w.add_event(
            event_pb2.Event(
                step=step, wall_time=1.7e9 + step, summary=summary_pb2.Summary(value=[value])
            )
        )
    w.close()


WRITERS = {"torch": write_torch, "tbx": write_tbx, "tf2": write_tf2}


@pytest.fixture(scope="session")
def writers_logdir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A logdir with one run per real writer (see the module docstring)."""
    logdir = str(tmp_path_factory.mktemp("writers"))
    for run, write in WRITERS.items():
        write(os.path.join(logdir, run))
    return logdir


@pytest.fixture(scope="session")
def scalars_logdir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A logdir with a loss scalar and no histograms."""
    logdir = str(tmp_path_factory.mktemp("scalars"))
    write_scalars_only(os.path.join(logdir, "run"))
    return logdir


@pytest.fixture(scope="session")
def scenario_logdir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The labelled scenarios (real numpy training), both on-disk formats, at their full length:
    several faults (e.g. exploding weights) only develop over the whole run."""
    from tb_histdiag import scenarios

    logdir = str(tmp_path_factory.mktemp("scenarios"))
    scenarios.generate(logdir)
    return logdir


def python_provider(logdir: str):
    """TensorBoard's Python data provider (``--load_fast=false``), loaded synchronously."""
    from tb_histdiag.reading.providers import logdir_provider

    return logdir_provider(logdir, max_steps=0)


@pytest.fixture(scope="session")
def rust_provider_factory():
    """Start TensorBoard's Rust data server over a logdir; yields a factory, stops all at the end."""
    from tensorboard.data import server_ingester
    from tensorboard.util import grpc_util

    try:
        binary = server_ingester.get_server_binary()
    except server_ingester.NoDataServerError:
        pytest.skip("tensorboard-data-server is not installed")
    started = []

    def start(logdir: str, expected_runs: int):
        from tensorboard import context

        ingester = server_ingester.SubprocessServerDataIngester(
            server_binary=binary,
            logdir=logdir,
            reload_interval=0,
            channel_creds_type=grpc_util.ChannelCredsType.LOCAL,
            samples_per_plugin={"histograms": 0},
        )
        ingester.start()
        started.append(ingester)
        provider = ingester.data_provider
        ctx = context.RequestContext()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            listing = provider.list_tensors(ctx, experiment_id="", plugin_name="histograms")
            if len(listing) >= expected_runs and all(
                ts.max_step == STEPS - 1 for tags in listing.values() for ts in tags.values()
            ):
                return provider
            time.sleep(0.2)
        raise TimeoutError("the Rust data server did not load the logdir within 60 s")

    yield start
    for ingester in started:
        # The server runs with --die-after-stdin: closing its stdin stops it.
        stdin = getattr(ingester, "_stdin_handle", None)
        if stdin is not None:
            stdin.close()


class TensorBoardProcess(LaunchedTensorBoard):
    """A real ``tensorboard`` process on 127.0.0.1 with a free port, stopped by ``stop()``."""

    def __init__(self, logdir: str, *flags: str):
        super().__init__(
            [sys.executable, "-m", "tensorboard.main"], logdir, "--reload_interval", "1", *flags
        )

    def get(self, path: str, timeout: float = 30) -> tuple[int, bytes]:
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def wait_for_runs(self, count: int, timeout: float = 120) -> None:
        """Poll the plugin until ``count`` runs are diagnosable."""
        import json

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.get("/data/plugin/tb_histdiag/runs")
            if status == 200 and len(json.loads(body)["runs"]) >= count:
                return
            time.sleep(0.3)
        raise TimeoutError(f"tensorboard did not load {count} runs:\n" + "".join(self.log))

    def wait_a_moment(self) -> None:
        """Give TensorBoard's reload loop (1 s interval) time to notice a change."""
        time.sleep(0.2)


@pytest.fixture(scope="session")
def scenario_tensorboard(scenario_logdir):
    """A real TensorBoard (default loader) serving the scenario logdir."""
    tb = TensorBoardProcess(scenario_logdir, "--samples_per_plugin=histograms=0")
    try:
        tb.wait_for_runs(len(os.listdir(scenario_logdir)))
        yield tb
    finally:
        tb.stop()


#: Run names a user's logdir may hold (directory names are untrusted text).
HOSTILE_RUNS = (
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "run \"double\" 'single' \\back\\slash",
    "line\nbreak",
    "\u202eright-to-left",
    "/".join(["d" * 200] * 10),  # a 2,009-character run name (nested directories)
)
#: Tag names from user code.
HOSTILE_TAGS = ("<script>alert('tag')</script>.weight", "a|b`c`\n<b>bold</b>.bias", "x" * 2000)


@pytest.fixture(scope="session")
def hostile_logdir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Runs and tags with hostile names (HTML, quotes, newlines, RTL, 2,000 characters, and a
    directory name that is not valid UTF-8), written by TensorBoard's own writer, which keeps
    tag names verbatim (tensorboardX and torch replace unusual characters)."""
    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.histogram.summary_v2 import histogram_pb
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    logdir = str(tmp_path_factory.mktemp("hostile"))
    names = [os.path.join(logdir, run) for run in HOSTILE_RUNS]
    names.append(os.path.join(logdir, "to-be-renamed"))
    for run_dir in names:
        w = EventFileWriter(run_dir)
        for step in range(4):
            for tag in HOSTILE_TAGS:
                values = np.random.default_rng(step).normal(0, 1, 200)
                if "bias" in tag:
                    values = np.full(10, 0.5)
                summary = histogram_pb(tag, values)
                w.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step, summary=summary))
        w.close()
    # TensorBoard's writer cannot create a directory whose name is not UTF-8; rename one.
    os.rename(os.fsencode(names[-1]), os.path.join(os.fsencode(logdir), b"latin1-\xe9t\xe9"))
    return logdir


#: Debian's chromium, which the browser tests drive through Playwright.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for every browser test (Playwright's sync API allows one driver)."""
    if CHROMIUM is None:
        pytest.fail(
            "Debian's chromium is required for the browser tests (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()
