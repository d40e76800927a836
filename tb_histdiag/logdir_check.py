"""Finding event files TensorBoard cannot (fully) read, so they are reported, not silently lost.

TensorBoard's loaders skip what they cannot parse: a zero-byte file, a file that is not a
TFRecord, a truncated record, a damaged checksum (the Rust loader even accepts a bad payload by
default), an unreadable directory. The data provider says nothing about them. This module walks a
local logdir and checks each event file's TFRecord framing — every record header's length
checksum, and, when the ``crc32c`` package is installed, every payload checksum too. Histogram data
itself is still read only through the data provider; this only reports problems.

Results are cached per file (size, modification time), so a check repeated on an unchanged
logdir costs a directory walk and a ``stat`` per file.
"""

from __future__ import annotations

import dataclasses
import os
import struct
import threading

#: Event files checked per logdir at most (the walk stops there and says so).
MAX_FILES = 20_000
#: Payload checksums are verified only for files up to this size (bytes) by default; the plugin
#: uses a smaller limit so a request never reads gigabytes.
MAX_VERIFY_BYTES = 512 * 1024 * 1024
PLUGIN_VERIFY_BYTES = 32 * 1024 * 1024

_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")


@dataclasses.dataclass(frozen=True)
class FileProblem:
    """Something in the logdir TensorBoard could not read. ``path`` is relative to the logdir."""

    run: str
    path: str
    problem: str

    def to_dict(self) -> dict[str, str]:
        """Return the problem's JSON form."""
        return {"run": self.run, "path": self.path, "problem": self.problem}


def _masked_crc(crc32c, data: bytes) -> int:
    crc = crc32c(data) & 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _crc_function():
    try:
        import crc32c as fast

        return fast.crc32c, True
    except ImportError:
        from tensorboard.compat.tensorflow_stub import pywrap_tensorflow as stub

        return stub.crc32c, False  # pure Python: fine for 8-byte headers, too slow for payloads


def check_event_file(path: str, max_verify_bytes: int = MAX_VERIFY_BYTES) -> str | None:
    """Return a one-line description of what is wrong with one event file, or None.

    Payload checksums are verified when the ``crc32c`` package is installed and the file is at
    most ``max_verify_bytes`` long; record framing is always checked.
    """
    crc32c, fast = _crc_function()
    try:
        size = os.path.getsize(path)
        if size == 0:
            return "empty event file (0 bytes): the run may have crashed before writing"
        verify = fast and size <= max_verify_bytes
        with open(path, "rb") as f:
            offset = 0
            while offset < size:
                header = f.read(_HEADER.size)
                if len(header) < _HEADER.size:
                    return f"incomplete record header at byte {offset} (truncated or still being written)"
                length, length_crc = _HEADER.unpack(header)
                if _masked_crc(crc32c, header[:8]) != length_crc:
                    if offset == 0:
                        return "not a TensorBoard event file (no valid TFRecord header)"
                    return f"corrupt record header at byte {offset}: later records are unreadable"
                end = offset + _HEADER.size + length + _FOOTER.size
                if end > size:
                    return (
                        f"last record at byte {offset} is incomplete "
                        "(truncated, or still being written)"
                    )
                if verify:
                    data = f.read(length)
                    (data_crc,) = _FOOTER.unpack(f.read(_FOOTER.size))
                    if _masked_crc(crc32c, data) != data_crc:
                        return f"bad checksum in the record at byte {offset}: its data is damaged"
                else:
                    f.seek(end)
                offset = end
    except OSError as e:
        return f"cannot read: {e.strerror or e}"
    return None


class LogdirChecker:
    """Checks a logdir's event files, caching each file's result by (size, mtime)."""

    def __init__(self, max_verify_bytes: int = MAX_VERIFY_BYTES) -> None:
        self._max_verify_bytes = max_verify_bytes
        self._cache: dict[str, tuple[tuple[int, float], str | None]] = {}
        self._lock = threading.Lock()

    def check(self, logdir: str) -> list[FileProblem]:
        """Problems found under a local ``logdir`` (nothing for remote or missing logdirs)."""
        if not logdir or "://" in logdir or not os.path.isdir(logdir):
            return []
        problems: list[FileProblem] = []
        root = os.path.abspath(logdir)

        def run_of(directory: str) -> str:
            rel = os.path.relpath(directory, root)
            return "." if rel == os.curdir else rel.replace(os.sep, "/")

        def unreadable(error: OSError) -> None:
            directory = error.filename or root
            problems.append(
                FileProblem(
                    run_of(directory), run_of(directory), f"cannot read directory: {error.strerror}"
                )
            )

        seen = 0
        current: dict[str, tuple[tuple[int, float], str | None]] = {}
        from tb_histdiag.series import is_utf8_name

        for directory, dirs, files in os.walk(root, onerror=unreadable):
            for d in [d for d in dirs if not is_utf8_name(d)]:
                dirs.remove(d)
                rel = os.fsencode(os.path.relpath(os.path.join(directory, d), root))
                shown = rel.decode("utf-8", "backslashreplace")
                problems.append(
                    FileProblem(
                        shown,
                        shown,
                        "directory name is not valid UTF-8: TensorBoard cannot load this run",
                    )
                )
            for name in sorted(files):
                if "tfevents" not in name:
                    continue
                seen += 1
                if seen > MAX_FILES:
                    problems.append(
                        FileProblem(
                            ".",
                            ".",
                            f"more than {MAX_FILES} event files: the rest were not checked",
                        )
                    )
                    break
                path = os.path.join(directory, name)
                try:
                    st = os.stat(path)
                    stamp = (st.st_size, st.st_mtime)
                except OSError as e:
                    current[path] = ((0, 0.0), f"cannot read: {e.strerror}")
                    continue
                with self._lock:
                    cached = self._cache.get(path)
                if cached and cached[0] == stamp:
                    result = cached[1]
                else:
                    result = check_event_file(path, self._max_verify_bytes)
                current[path] = (stamp, result)
            if seen > MAX_FILES:
                break
        with self._lock:
            self._cache = current
        for path, (_stamp, result) in sorted(current.items()):
            if result is not None:
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                problems.append(FileProblem(run_of(os.path.dirname(path)), rel, result))
        return problems
