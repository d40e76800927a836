"""A one-line progress bar on a terminal, for reading and diagnosing large logdirs.

Drawn only when the stream is a terminal: a progress bar in a CI log or a redirected file is
noise. Labels contain run names, which are untrusted, so they are cleaned like every other name
that reaches a terminal.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

#: Seconds between two redraws: enough to look live without spending time on drawing.
REDRAW_INTERVAL = 0.1

_SPINNER = "|/-\\"


def _clean(text: str) -> str:
    """A label safe for a terminal line: no control characters, no line breaks."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _count(value: float, unit: str) -> str:
    if unit == "B":
        for size, suffix in ((1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "kB")):
            if value >= size:
                return f"{value / size:.1f} {suffix}"
        return f"{int(value)} B"
    return f"{int(value)}{' ' + unit if unit else ''}"


class Progress:
    """A progress line on ``stream`` (stderr by default), redrawn at most every 0.1 s.

    ``enabled=None`` draws only when the stream is a terminal. Call :meth:`update` with what is
    done and the total (``None`` when the total is not known: a spinner is drawn instead of a
    bar), and :meth:`clear` before printing anything else on the stream.
    """

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._last_draw = 0.0
        self._shown = False
        self._ticks = 0

    def update(
        self, label: str, done: float, total: float | None, unit: str = "", force: bool = False
    ) -> None:
        """Show ``label`` with ``done`` of ``total`` (in ``unit``: ``"B"`` formats bytes)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < REDRAW_INTERVAL:
            return
        self._last_draw = now
        self._ticks += 1
        width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
        if total:
            fraction = min(max(done / total, 0.0), 1.0)
            counts = f" {_count(done, unit)}/{_count(total, unit)}"
            bar_width = max(10, min(30, width // 4))
            filled = round(fraction * bar_width)
            bar = f" [{'#' * filled}{'.' * (bar_width - filled)}] {fraction * 100:3.0f}%"
        else:
            counts = f" {_count(done, unit)}" if done else ""
            bar = f" {_SPINNER[self._ticks % len(_SPINNER)]}"
        room = width - len(bar) - len(counts)
        text = _clean(label)
        if len(text) > room:
            text = text[: max(0, room - 1)] + "…"
        self._write(f"\r{text}{bar}{counts}\033[K")
        self._shown = True

    def clear(self) -> None:
        """Erase the progress line (before an error message or the report is printed)."""
        if self.enabled and self._shown:
            self._write("\r\033[K")
            self._shown = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            # A closed or broken terminal must not turn a diagnosis into a crash.
            self.enabled = False


#: A progress object that never draws anything.
SILENT = Progress(enabled=False)
