"""Where a request's time went, sent as an HTTP ``Server-Timing`` header.

Browsers show the header in their developer tools next to each request (the Timing tab), and
``make bench`` reads it to split a request's wall time into the plugin's own stages: waiting
for histogram data from TensorBoard's provider (``read``, including the compaction of what was
read), the statistics and verdicts (``diagnose``), the check of the logdir's event files of a
whole-experiment request (``check``), and writing the JSON (``json``). ``total``
is everything from the start of the route to the header. Stages that did not happen (a cached
answer reads nothing) are left out.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

#: Stage names in the order they are reported.
STAGES = ("list", "read", "diagnose", "stats", "check", "json")


class Timing:
    """Seconds spent per named stage of one request (safe to add to from several threads)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self._spent: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, stage: str, seconds: float) -> None:
        with self._lock:
            self._spent[stage] = self._spent.get(stage, 0.0) + seconds

    @contextlib.contextmanager
    def measure(self, stage: str) -> Iterator[None]:
        """Add the time spent inside the ``with`` block to ``stage``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - start)

    def spent(self) -> dict[str, float]:
        """Seconds per stage so far."""
        with self._lock:
            return dict(self._spent)

    def header(self) -> str:
        """The ``Server-Timing`` value, durations in milliseconds, with ``total`` last."""
        spent = self.spent()
        names = [s for s in STAGES if s in spent] + sorted(set(spent) - set(STAGES))
        total = time.perf_counter() - self.started
        return ", ".join(
            f"{name};dur={seconds * 1000:.2f}"
            for name, seconds in [*((n, spent[n]) for n in names), ("total", total)]
        )


def parse_header(value: str) -> dict[str, float]:
    """``{stage: milliseconds}`` from a ``Server-Timing`` value written by :meth:`Timing.header`."""
    out = {}
    for part in value.split(","):
        name, _, params = part.strip().partition(";")
        for param in params.split(";"):
            key, _, number = param.strip().partition("=")
            if key == "dur":
                out[name] = float(number)
    return out
