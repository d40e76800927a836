"""Start a real ``tensorboard`` on 127.0.0.1 and read its URL from stderr.

The one home of that step for the tests (``conftest.TensorBoardProcess``), ``make bench`` and
``make loadtest`` (``scripts/bench_common.TensorBoard``) and ``make compat``
(``scripts/compat.py``, which runs the TensorBoard of another venv: hence ``command`` and
``env``). Standard library only, so that the scripts import it without pytest; they put the
checkout on ``sys.path`` and import ``tests.tensorboard_launch``, as the tests do.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence

#: The line TensorBoard prints once it serves, e.g.
#: ``TensorBoard 2.20.0 at http://127.0.0.1:40123/ (Press CTRL+C to quit)``.
SERVING = re.compile(r"TensorBoard \S+ at (http://127\.0\.0\.1:(\d+)/\S*)")

#: Seconds TensorBoard has to print that line.
START_TIMEOUT = 120.0


class DidNotStart(RuntimeError):
    """TensorBoard exited, or printed no serving line in time; ``log`` holds its stderr lines."""

    def __init__(self, log: list[str], tail: int | None = None):
        self.log = log
        shown = log if tail is None else log[-tail:]
        super().__init__("tensorboard did not start:\n" + "".join(shown))


class LaunchedTensorBoard:
    """``command --logdir LOGDIR --host 127.0.0.1 --port 0 *flags``, started and serving.

    ``command`` is how to run TensorBoard (``[sys.executable, "-m", "tensorboard.main"]``, or
    another venv's ``bin/tensorboard``) and ``env`` its environment (None: this one's). The port
    is the OS's choice, read with the URL from the serving line on stderr: ``url`` (no trailing
    ``/``; it carries ``--path_prefix``) and ``port``. ``log`` keeps stderr's lines (the first
    ``max_log_lines`` of them when given); ``started`` is the monotonic time of the launch.

    If TensorBoard exits first or prints no serving line within ``timeout`` seconds it is stopped
    and :class:`DidNotStart` is raised, quoting the last ``error_tail`` lines of its log (all when
    None). ``stop()`` terminates it, waits ``stop_grace`` seconds, then kills it.
    """

    def __init__(
        self,
        command: Sequence[str],
        logdir: str,
        *flags: str,
        env: Mapping[str, str] | None = None,
        timeout: float = START_TIMEOUT,
        max_log_lines: int | None = None,
        error_tail: int | None = None,
        stop_grace: float = 10.0,
    ):
        self.stop_grace = stop_grace
        self.log: list[str] = []
        self.url = ""
        self.port = 0
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [*command, "--logdir", logdir, "--host", "127.0.0.1", "--port", "0", *flags],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        found = threading.Event()

        def pump() -> None:
            for line in self.process.stderr:
                if max_log_lines is None or len(self.log) < max_log_lines:
                    self.log.append(line)
                m = SERVING.search(line)
                if m and not found.is_set():
                    self.url = m.group(1).rstrip("/")
                    self.port = int(m.group(2))
                    found.set()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout
        while not found.wait(0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                reader.join(0.5)  # the rest of its stderr
                raise DidNotStart(self.log, error_tail)

    def stop(self) -> None:
        """Stop TensorBoard (its data server dies with it: it watches its stdin)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(self.stop_grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
