"""Finding event files TensorBoard cannot (fully) read, so they are reported, not silently lost.

TensorBoard's loaders skip what they cannot parse: a zero-byte file, a file that is not a
TFRecord, a truncated record, a damaged checksum (the Rust loader even accepts a bad payload by
default), an unreadable directory. The data provider says nothing about them. This module walks a
local logdir and checks each event file's TFRecord framing — every record header's length
checksum, and, when the ``crc32c`` package is installed, every payload checksum too. Histogram data
itself is still read only through the data provider; this only reports problems.

Results are cached per file (size, modification time, inode), so a check repeated on an
unchanged logdir costs a directory walk and a ``stat`` per file, and a file that only grew (a run
still training) is checked from where the last check stopped. Each file is walked through a
memory map, ~2 us per record (the 1 GB bench logdir L: 2.4 s with a read call per record, 0.44 s
mapped).
"""

from __future__ import annotations

import dataclasses
import mmap
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


@dataclasses.dataclass(frozen=True)
class Scan:
    """What one pass over an event file found: ``problem`` (None if none), and ``checked``, the
    number of bytes from the start that hold whole, valid records. A file that only grew since
    (it is being written) can be checked from ``checked`` on."""

    problem: str | None
    checked: int

    @property
    def resumable(self) -> bool:
        """Whether more data appended to the file may be checked from ``checked`` on: the file
        was sound so far, at most its last record unfinished."""
        return self.problem is None or self.problem.startswith(_INCOMPLETE_LAST)


_INCOMPLETE_LAST = "last record at byte"


def check_event_file(path: str, max_verify_bytes: int = MAX_VERIFY_BYTES) -> str | None:
    """Return a one-line description of what is wrong with one event file, or None.

    Payload checksums are verified when the ``crc32c`` package is installed and the file is at
    most ``max_verify_bytes`` long; record framing is always checked.
    """
    return scan_event_file(path, max_verify_bytes).problem


def scan_event_file(path: str, max_verify_bytes: int = MAX_VERIFY_BYTES, start: int = 0) -> Scan:
    """Check an event file's records from byte ``start`` (a record boundary) to its end.

    The file is mapped into memory and walked record by record (no read call per record):
    ~2 us per record, so a 70 MB file of PyTorch histograms is checked in ~30 ms."""
    crc32c, fast = _crc_function()
    try:
        size = os.path.getsize(path)
        if size == 0:
            return Scan("empty event file (0 bytes): the run may have crashed before writing", 0)
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            data = memoryview(mapped)
            try:
                return _scan(data, start, fast and len(data) <= max_verify_bytes, crc32c)
            finally:
                data.release()  # the map cannot close while a view of it is alive
    except (OSError, ValueError) as e:  # ValueError: the file was emptied while being mapped
        return Scan(f"cannot read: {getattr(e, 'strerror', None) or e}", 0)


def _scan(data: memoryview, offset: int, verify: bool, crc32c) -> Scan:
    size = len(data)
    header_size, footer_size = _HEADER.size, _FOOTER.size
    while offset < size:
        if offset + header_size > size:
            return Scan(
                f"incomplete record header at byte {offset} (truncated or still being written)",
                offset,
            )
        length, length_crc = _HEADER.unpack_from(data, offset)
        if _masked_crc(crc32c, data[offset : offset + 8]) != length_crc:
            if offset == 0:
                return Scan("not a TensorBoard event file (no valid TFRecord header)", 0)
            return Scan(
                f"corrupt record header at byte {offset}: later records are unreadable", offset
            )
        payload = offset + header_size
        end = payload + length + footer_size
        if end > size:
            return Scan(
                f"{_INCOMPLETE_LAST} {offset} is incomplete (truncated, or still being written)",
                offset,
            )
        if verify:
            (data_crc,) = _FOOTER.unpack_from(data, payload + length)
            if _masked_crc(crc32c, data[payload : payload + length]) != data_crc:
                return Scan(
                    f"bad checksum in the record at byte {offset}: its data is damaged", offset
                )
        offset = end
    return Scan(None, offset)


class LogdirChecker:
    """Checks a logdir's event files, caching each file's result by (size, mtime).

    A file that only grew since its last check (same inode, sound so far, at most its last
    record unfinished: a run still training) is checked from where the last check stopped, so
    a live logdir costs each request only its new records. ``scanned_bytes`` is how many bytes
    the last :meth:`check` walked.
    """

    def __init__(self, max_verify_bytes: int = MAX_VERIFY_BYTES) -> None:
        self._max_verify_bytes = max_verify_bytes
        self._cache: dict[str, tuple[tuple[int, float, int], Scan]] = {}
        self._lock = threading.Lock()
        self.scanned_bytes = 0

    def _scan(self, path: str, stamp: tuple[int, float, int]) -> Scan:
        """The file's scan: cached, resumed where the last one stopped, or done afresh."""
        with self._lock:
            cached = self._cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        start = 0
        if cached is not None:
            (size, _mtime, inode), scan = cached
            if inode == stamp[2] and stamp[0] >= size and scan.resumable:
                start = scan.checked
        scan = scan_event_file(path, self._max_verify_bytes, start)
        self.scanned_bytes += max(0, stamp[0] - start)
        return scan

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
        self.scanned_bytes = 0
        current: dict[str, tuple[tuple[int, float, int], Scan]] = {}
        from tb_histdiag.reading.logdir import walk_logdir

        for directory in walk_logdir(root, onerror=unreadable):
            for d in directory.undecodable:
                rel = os.fsencode(os.path.relpath(os.path.join(directory.path, d), root))
                shown = rel.decode("utf-8", "backslashreplace")
                problems.append(
                    FileProblem(
                        shown,
                        shown,
                        "directory name is not valid UTF-8: TensorBoard cannot load this run",
                    )
                )
            for name in directory.event_files:
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
                path = os.path.join(directory.path, name)
                try:
                    st = os.stat(path)
                except OSError as e:
                    current[path] = ((0, 0.0, 0), Scan(f"cannot read: {e.strerror}", 0))
                    continue
                stamp = (st.st_size, st.st_mtime, st.st_ino)
                current[path] = (stamp, self._scan(path, stamp))
            if seen > MAX_FILES:
                break
        with self._lock:
            self._cache = current
        for path, (_stamp, scan) in sorted(current.items()):
            if scan.problem is not None:
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                problems.append(FileProblem(run_of(os.path.dirname(path)), rel, scan.problem))
        return problems
