"""Logdirs whose runs are symbolic links: what TensorBoard reads, the command line, the API and
the logdir check read too (issue 13, class 10).

Experiment trackers and hand-kept result folders often collect runs by linking them into one
logdir (``logdir/best -> ../runs/2024-05-01_lr3e-4``). Both of TensorBoard's loaders follow such
links; a walk that does not finds "no event files". The runs here are written by real writers
(tensorboardX and TensorBoard's own ``histogram_pb`` + ``EventFileWriter``).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import pytest

import tb_histdiag
from tb_histdiag.reading import logdir as logdir_lib
from tb_histdiag.reading.logdir_check import LogdirChecker
from tests.conftest import STEPS, TAGS, write_tbx, write_tf2
from tests.test_cli import assert_same_document


def cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m tb_histdiag ARGS`` in a fresh process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "tb_histdiag", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def linked_logdir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """``logdir/`` holding only symbolic links: two runs linked from elsewhere (one of them
    nested one level down behind a linked group directory), and a damaged event file inside a
    linked run, which the logdir check must report."""
    base = tmp_path_factory.mktemp("linked")
    store = base / "store"
    write_tbx(str(store / "2024-05-01_tbx"))
    write_tf2(str(store / "group" / "tf2"))
    damaged = store / "damaged"
    damaged.mkdir()
    (damaged / "events.out.tfevents.0.damaged").write_bytes(b"\x00" * 5)
    logdir = base / "logdir"
    logdir.mkdir()
    os.symlink(store / "2024-05-01_tbx", logdir / "tbx")
    os.symlink(store / "group", logdir / "grouped")
    os.symlink(store / "damaged", logdir / "damaged")
    return str(logdir)


@pytest.fixture(scope="module")
def looping_logdir(linked_logdir: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The linked logdir plus links that lead back into it: to the logdir itself, to a parent of
    a linked run, and one inside a linked run pointing at its own parent."""
    base = tmp_path_factory.mktemp("looping")
    logdir = base / "logdir"
    logdir.mkdir()
    for name in os.listdir(linked_logdir):
        os.symlink(os.readlink(os.path.join(linked_logdir, name)), logdir / name)
    os.symlink(logdir, logdir / "again")
    os.symlink(base, logdir / "up")
    inner = base / "inner"
    inner.mkdir()
    write_tbx(str(inner / "run"))
    os.symlink(inner, inner / "run" / "back")
    os.symlink(inner / "run", logdir / "inner_run")
    return str(logdir)


def test_the_cli_reads_symlinked_runs(linked_logdir):
    result = cli(linked_logdir, "--format", "json", "--no-load-fast")
    assert result.returncode == 0, result.stderr  # not 2: "no event files found"
    document = json.loads(result.stdout)
    assert {r["run"] for r in document["runs"]} == {"tbx", "grouped/tf2"}
    for run in document["runs"]:
        assert {t["tag"] for t in run["tags"]} == set(TAGS)
        assert all(t["last_step"] == STEPS - 1 for t in run["tags"])
    problems = {p["path"]: p["problem"] for p in document.get("problems", [])}
    assert set(problems) == {"damaged/events.out.tfevents.0.damaged"}


def test_the_api_reads_symlinked_runs_with_either_loader(linked_logdir):
    python = tb_histdiag.diagnose(linked_logdir, load_fast=False)
    assert [r.run for r in python] == ["grouped/tf2", "tbx"]
    assert python["tbx"]["fc1.bias"].verdicts[0].id == "frozen"
    assert [p["run"] for p in python.problems] == ["damaged"]
    rust = tb_histdiag.diagnose(linked_logdir, load_fast=True)
    assert_same_document(rust.to_dict()["runs"], python.to_dict()["runs"])


def test_load_fast_auto_counts_the_event_files_of_symlinked_runs(linked_logdir):
    """``load_fast="auto"`` starts the data server for large logdirs: linked runs count."""

    store = os.path.join(os.path.dirname(linked_logdir), "store")
    everything = sum(
        os.path.getsize(os.path.join(d, f))
        for d, _, files in os.walk(store)
        for f in files
        if "tfevents" in f
    )
    assert everything > 1000
    assert logdir_lib.selected_event_bytes(linked_logdir, None, 2**40) == everything


def test_the_runs_found_are_the_runs_tensorboard_finds(linked_logdir):
    from tensorboard.backend.event_processing import io_wrapper

    ours = {os.path.relpath(d, linked_logdir) for d in logdir_lib.local_run_dirs(linked_logdir)}
    theirs = {
        os.path.relpath(d, linked_logdir) for d in io_wrapper.GetLogdirSubdirectories(linked_logdir)
    }
    assert ours == theirs == {"tbx", os.path.join("grouped", "tf2"), "damaged"}


def test_the_logdir_check_looks_inside_symlinked_runs(linked_logdir):
    problems = LogdirChecker().check(linked_logdir)
    assert [(p.run, p.path) for p in problems] == [
        ("damaged", "damaged/events.out.tfevents.0.damaged")
    ]


#: The runs of the looping logdir: every path along which no link leads back to a directory
#: above it. "up" re-enters the logdir through its real (unlinked) name, and "back" leads from
#: a run to its parent directory, whose "run" is then entered once more: the data server's walk
#: does the same (it checks only followed links against the directories above them).
LOOPING_RUNS = {
    "tbx",
    "grouped/tf2",
    "damaged",
    "inner_run",
    "inner_run/back/run",
    "up/inner/run",
    *(f"up/logdir/{run}" for run in ("tbx", "grouped/tf2", "damaged", "inner_run")),
    "up/logdir/inner_run/back/run",
}


def looping_runs_found(logdir: str) -> set[str]:
    walked = list(itertools.islice(logdir_lib.walk_logdir(logdir), 1000))
    assert len(walked) < 1000  # the walk ends
    assert len({d.path for d in walked}) == len(walked)
    return {os.path.relpath(d.path, logdir).replace(os.sep, "/") for d in walked if d.event_files}


def test_symlink_loops_end(looping_logdir):
    assert looping_runs_found(looping_logdir) == LOOPING_RUNS
    result = cli(looping_logdir, "--format", "json", "--no-load-fast", "--run", "^(tbx|inner_run)$")
    assert result.returncode == 0, result.stderr
    assert {r["run"] for r in json.loads(result.stdout)["runs"]} == {"tbx", "inner_run"}
    checked = {p.path for p in LogdirChecker().check(looping_logdir)}
    assert checked == {
        "damaged/events.out.tfevents.0.damaged",
        "up/logdir/damaged/events.out.tfevents.0.damaged",
    }


def test_the_rust_data_server_finds_the_same_runs_in_a_looping_logdir(
    looping_logdir, rust_provider_factory
):
    from tensorboard import context

    histogram_runs = {r for r in LOOPING_RUNS if not r.endswith("damaged")}
    provider = rust_provider_factory(looping_logdir, expected_runs=len(histogram_runs))
    listing = provider.list_tensors(
        context.RequestContext(), experiment_id="", plugin_name="histograms"
    )
    assert set(listing) == histogram_runs
