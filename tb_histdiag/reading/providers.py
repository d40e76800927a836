"""Building TensorBoard's data providers over a logdir: the Python loader or the Rust data server.

:func:`provider` is the one entry: it checks the logdir, picks the loader (``load_fast``) and
yields a ``tensorboard.data.provider.DataProvider``, which is all the rest of the package reads.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator

from tb_histdiag.errors import DataServerError
from tb_histdiag.progress import Progress
from tb_histdiag.reading.logdir import (
    check_logdir,
    event_bytes,
    local_run_dirs,
    selected_event_bytes,
)

#: Seconds the Rust data server's listing must stay unchanged to count as loaded, when its log
#: cannot tell us (an unknown server version, or stderr that cannot be redirected).
_DATA_SERVER_QUIET_SECONDS = 5.0

#: What the Rust data server logs (with ``--verbose``) when a load cycle starts and ends.
_LOAD_STARTED = b"Starting load cycle"
_LOAD_FINISHED = b"Finished load cycle"


def _use_fast_crc32c() -> None:
    """Let TensorBoard's event reader check CRCs with the ``crc32c`` package when installed.

    Without TensorFlow, TensorBoard's reader computes CRC32C in pure Python (about 11 MB/s), which
    dominates loading a logdir of PyTorch histograms. Only the command line's own process is
    patched, and only after the fast function agrees with TensorBoard's on a sample.
    """
    try:
        import crc32c as fast
        from tensorboard.compat.tensorflow_stub import pywrap_tensorflow as stub
    except ImportError:
        return
    sample = b"tb_histdiag crc32c check"
    if getattr(stub, "crc32c", None) is not None and stub.crc32c(sample) == fast.crc32c(sample):
        stub.crc32c = fast.crc32c


def logdir_provider(logdir: str, max_steps: int = 0) -> object:
    """Build TensorBoard's Python data provider over ``logdir``, loaded synchronously.

    ``max_steps`` is the per-series reservoir size (0 keeps every step). Raises ``FileNotFoundError``
    or ``NotADirectoryError`` when ``logdir`` is not a readable local directory.
    """
    from tensorboard.backend.event_processing import data_provider

    if "://" not in logdir:
        if not os.path.exists(logdir):
            raise FileNotFoundError(f"logdir '{logdir}' does not exist")
        if not os.path.isdir(logdir):
            raise NotADirectoryError(f"logdir '{logdir}' is a file, not a directory")
    multiplexer = logdir_multiplexer(logdir, max_steps)
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, logdir)


def logdir_multiplexer(
    logdir: str, max_steps: int = 0, runs: Callable[[str], bool] | None = None
) -> object:
    """TensorBoard's ``EventMultiplexer`` with every run of ``logdir`` added, not yet loaded.

    ``max_steps`` is the per-series reservoir size (0 keeps every step). ``runs`` selects the
    runs of a local logdir to add, by name (a remote logdir adds all). Event CRCs are checked
    with the ``crc32c`` package when it is installed.
    """
    from tensorboard.backend.event_processing import plugin_event_multiplexer as multiplexer_lib
    from tensorboard.backend.event_processing import tag_types

    _use_fast_crc32c()
    multiplexer = multiplexer_lib.EventMultiplexer(
        size_guidance={
            tag_types.TENSORS: max_steps,
            tag_types.SCALARS: 1000,
            tag_types.IMAGES: 1,
            tag_types.AUDIO: 1,
        }
    )
    if "://" in logdir:
        multiplexer.AddRunsFromDirectory(logdir)
    else:
        # TensorBoard's own walk raises on a directory name that is not valid UTF-8 and then
        # loads nothing; add the runs one by one and leave such directories out (the logdir
        # check reports them).
        for run_dir in local_run_dirs(logdir):
            name = os.path.relpath(run_dir, logdir)
            if runs is None or runs(name):
                multiplexer.AddRun(run_dir, name=name)
    return multiplexer


def python_provider(
    logdir: str, samples: int, progress: Progress, load_run: Callable[[str], bool] | None
) -> object:
    """TensorBoard's Python data provider over ``logdir``, loaded run by run with progress.

    The same loader as :func:`logdir_provider` (size guidance, CRC32C), with
    each run's reload wrapped: runs that ``load_run`` rejects are not read at all (a ``--run``
    filter on a large logdir reads only what it selects), and the progress bar advances by the
    bytes of event files read.
    """
    from tensorboard.backend.event_processing import data_provider

    progress.update("finding runs", 0, None, force=True)
    multiplexer = logdir_multiplexer(logdir, samples)
    run_paths = {
        run: path
        for run, path in multiplexer.RunPaths().items()
        if load_run is None or load_run(run)
    }
    sizes = {run: event_bytes(path) for run, path in run_paths.items()} if progress.enabled else {}
    total = sum(sizes.values())
    done = 0

    def wrap(run: str, reload: Callable[[], object]) -> Callable[[], object]:
        if run not in run_paths:
            return lambda: None

        def reload_with_progress() -> object:
            nonlocal done
            progress.update(f"reading {run}", done, total, "B", force=done == 0)
            try:
                return reload()
            finally:
                done += sizes.get(run, 0)
                progress.update(f"reading {run}", done, total, "B")

        return reload_with_progress

    for run in multiplexer.Runs():
        accumulator = multiplexer.GetAccumulator(run)
        accumulator.Reload = wrap(run, accumulator.Reload)
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, logdir)


@contextlib.contextmanager
def _stderr_into(fd: int) -> Iterator[bool]:
    """Point file descriptor 2 at ``fd`` while a child process is spawned, so the child's log
    goes to a file instead of the user's terminal. Yields False when that is impossible."""
    try:
        saved = os.dup(2)
    except OSError:
        yield False
        return
    try:
        sys.stderr.flush()
        os.dup2(fd, 2)
        yield True
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def rust_provider(
    logdir: str, samples: int, progress: Progress, reload_interval: int = 0
) -> Iterator[object]:
    """TensorBoard's Rust data server over ``logdir``, loaded once (or, with
    ``reload_interval`` seconds, kept reloading: ``tb-histdiag watch``); stopped on exit.

    The server logs ``Finished load cycle`` when everything is read: its stderr goes to a
    temporary file that is polled for that line while the listing feeds the progress bar.
    """
    from tensorboard import context

    try:
        # Older TensorBoards import pkg_resources on this path, which setuptools 82 removed.
        import grpc
        from tensorboard.data import server_ingester
        from tensorboard.util import grpc_util
    except ImportError as e:
        raise DataServerError(
            "load_fast/--load-fast reads through TensorBoard's Rust data server, whose Python "
            f"side does not import here ({type(e).__name__}: {e}); drop --load-fast, or see "
            "the README's 'Tested with' for the pins this TensorBoard needs"
        ) from None
    try:
        binary = server_ingester.get_server_binary()
    except server_ingester.NoDataServerError as e:
        raise DataServerError(
            "load_fast/--load-fast reads through TensorBoard's Rust data server, which is not "
            f"installed here ({e}); pip install tensorboard-data-server, or drop --load-fast"
        ) from None
    workdir = tempfile.mkdtemp(prefix="tb-histdiag-")
    log_path = os.path.join(workdir, "data-server.log")
    ingester = server_ingester.SubprocessServerDataIngester(
        server_binary=binary,
        logdir=logdir,
        reload_interval=reload_interval,
        channel_creds_type=grpc_util.ChannelCredsType.LOCAL,
        samples_per_plugin={"histograms": samples},
        extra_flags=["--verbose"],
    )
    try:
        progress.update("starting TensorBoard's data server", 0, None, force=True)
        with open(log_path, "wb") as log, _stderr_into(log.fileno()) as captured:
            try:
                ingester.start()
            except server_ingester.DataServerStartupError as e:
                raise DataServerError(f"TensorBoard's data server did not start: {e}") from None
        provider = ingester.data_provider
        ctx = context.RequestContext()
        last, quiet_since = None, time.monotonic()
        while True:
            with open(log_path, "rb") as f:
                log_text = f.read()
            finished = _LOAD_FINISHED in log_text
            try:
                listing = provider.list_tensors(ctx, experiment_id="", plugin_name="histograms")
            except grpc.RpcError as e:
                tail = log_text.decode("utf-8", "replace").strip().splitlines()[-1:]
                raise DataServerError(
                    f"TensorBoard's data server stopped answering ({e.code().name})"
                    + (f": {tail[0]}" if tail else "")
                ) from None
            signature = {
                (r, t, ts.max_step) for r, tags in listing.items() for t, ts in tags.items()
            }
            steps = sum(max_step + 1 for _, _, max_step in signature)
            progress.update(f"data server: {len(listing)} runs", steps, None, "steps")
            if finished:
                break
            now = time.monotonic()
            if signature != last:
                last, quiet_since = signature, now
            elif (not captured or _LOAD_STARTED not in log_text) and (
                now - quiet_since > _DATA_SERVER_QUIET_SECONDS
            ):
                break
            time.sleep(0.05)
        yield provider
    finally:
        # The server runs with --die-after-stdin: closing its stdin stops it.
        stdin = getattr(ingester, "_stdin_handle", None)
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()
        shutil.rmtree(workdir, ignore_errors=True)


#: ``load_fast="auto"`` reads through the Rust data server when the selected runs' event files
#: add up to at least this many bytes (measured on the bench logdirs: the Python loader reads
#: ~40 MB/s, the data server ~280 MB/s, and starting it costs ~0.3 s).
AUTO_LOAD_FAST_BYTES = 64 * 2**20


def _fast_pays_off(logdir: str, load_run: Callable[[str], bool] | None) -> bool:
    """Whether ``load_fast="auto"`` should start TensorBoard's Rust data server for ``logdir``:
    a local logdir whose selected event files are large, and a data server installed."""
    if "://" in logdir:
        return False
    if selected_event_bytes(logdir, load_run, AUTO_LOAD_FAST_BYTES) < AUTO_LOAD_FAST_BYTES:
        return False
    try:
        from tensorboard.data import server_ingester

        server_ingester.get_server_binary()
    except ImportError:
        return False  # the data server's Python side does not import (see rust_provider)
    except server_ingester.NoDataServerError:
        return False
    return True


@contextlib.contextmanager
def open_provider(
    logdir: str,
    samples: int,
    load_fast: bool | str,
    progress: Progress,
    load_run: Callable[[str], bool] | None,
) -> Iterator[object]:
    """The data provider over ``logdir`` that ``load_fast`` asks for (``True``: the Rust data
    server, ``False``: the Python loader, ``"auto"``: the data server when it pays off), after a
    one-line error for a logdir that cannot be read; the data server is stopped on exit."""
    check_logdir(logdir)
    with contextlib.ExitStack() as stack:
        provider = None
        if load_fast == "auto":
            if _fast_pays_off(logdir, load_run):
                # The Python loader reads the logdir instead if the data server does not start.
                with contextlib.suppress(DataServerError):
                    provider = stack.enter_context(rust_provider(logdir, samples, progress))
        elif load_fast:
            provider = stack.enter_context(rust_provider(logdir, samples, progress))
        if provider is None:
            provider = python_provider(logdir, samples, progress, load_run)
        yield provider
