"""The one walk of a local logdir, and what is checked of a logdir path before it is read.

Every caller that looks at a logdir's directories (finding runs, sizing them for
``load_fast="auto"``, the logdir check, ``watch``) goes through :func:`walk_logdir`, which follows
symbolic links as TensorBoard's loaders do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from collections.abc import Callable, Iterator

from tb_histdiag.errors import InputError

logger = logging.getLogger(__name__)


def is_utf8_name(path: str) -> bool:
    """Whether a file name decodes as UTF-8 (no surrogate escapes from undecodable bytes)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclasses.dataclass(frozen=True)
class WalkedDir:
    """One directory of a logdir walk: its path (joined from the logdir, symbolic links not
    resolved), the names of the event files directly inside it (sorted), and the names of its
    subdirectories left out because they are not valid UTF-8."""

    path: str
    event_files: tuple[str, ...]
    undecodable: tuple[str, ...] = ()


def walk_logdir(
    logdir: str, onerror: Callable[[OSError], None] | None = None
) -> Iterator[WalkedDir]:
    """Every directory under a local ``logdir`` (itself first), top-down, subdirectories in name
    order: the one walk of a logdir that every caller shares (finding runs, sizing them for
    ``--load-fast=auto``, checking event files).

    Symbolic links to directories are followed, as both of TensorBoard's loaders do (the Python
    loader's ``tf.io.gfile.walk`` and the Rust data server's ``WalkDir::follow_links``), so a
    logdir of symlinked runs shows what TensorBoard shows. A link to a directory the walk is
    already inside (a loop) is not followed, as the data server's walk does not follow it: the
    walk ends and finds the runs the data server finds. Subdirectories whose names are not valid
    UTF-8 are not entered (TensorBoard cannot load them; see :attr:`WalkedDir.undecodable`). ``onerror`` receives the ``OSError`` of a directory that
    cannot be listed; without it such directories are skipped silently.
    """
    # Each entry: a directory to list and the identities (device, inode) of the directories
    # from the logdir down to it, itself included.
    stack: list[tuple[str, frozenset[tuple[int, int]]]] = []
    try:
        st = os.stat(logdir)
        stack.append((logdir, frozenset({(st.st_dev, st.st_ino)})))
    except OSError as e:
        if onerror is not None:
            onerror(e)
    while stack:
        directory, ancestors = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            if onerror is not None:
                onerror(e)
            continue
        events: list[str] = []
        undecodable: list[str] = []
        below: list[tuple[str, frozenset[tuple[int, int]]]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows a symbolic link
            except OSError:
                is_dir = False
            if not is_dir:
                if "tfevents" in entry.name:
                    events.append(entry.name)
                continue
            if not is_utf8_name(entry.name):
                undecodable.append(entry.name)
                continue
            try:
                st = entry.stat()  # of the link's target
            except OSError as e:
                if onerror is not None:
                    onerror(e)
                continue
            identity = (st.st_dev, st.st_ino)
            if identity in ancestors and entry.is_symlink():
                logger.info(
                    "tb_histdiag: not following %s: it links to a directory above it", entry.path
                )
                continue
            below.append((entry.path, ancestors | {identity}))
        yield WalkedDir(directory, tuple(events), tuple(undecodable))
        stack.extend(reversed(below))


def local_run_dirs(logdir: str) -> list[str]:
    """Directories under ``logdir`` (itself included) holding event files, as TensorBoard finds
    runs (symbolic links followed), leaving out names that are not valid UTF-8."""
    return [d.path for d in walk_logdir(logdir) if d.event_files and is_utf8_name(d.path)]


def check_logdir(logdir: str) -> None:
    """Raise a one-line error when ``logdir`` is not a readable directory."""
    if "://" not in logdir:
        path = os.path.expanduser(logdir)
        if not os.path.exists(path):
            raise FileNotFoundError(f"logdir '{logdir}' does not exist")
        if not os.path.isdir(path):
            raise NotADirectoryError(f"logdir '{logdir}' is a file, not a directory")
        if not os.access(path, os.R_OK | os.X_OK):
            raise PermissionError(f"logdir '{logdir}' is not readable")
        return
    from tensorboard.compat import tf

    try:
        exists = tf.io.gfile.exists(logdir)
        is_dir = exists and tf.io.gfile.isdir(logdir)
    except Exception as e:  # filesystems raise anything from ImportError to their own errors
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(
            f"cannot read logdir '{logdir}': {detail} (remote logdirs need TensorFlow, an fsspec "
            "filesystem such as gcsfs/s3fs, or --load-fast for gs://)"
        ) from None
    if not exists:
        raise FileNotFoundError(f"logdir '{logdir}' does not exist")
    if not is_dir:
        raise NotADirectoryError(f"logdir '{logdir}' is a file, not a directory")


def event_bytes(run_dir: str) -> int:
    """Total size of the event files directly in ``run_dir`` (0 when it cannot be listed)."""
    from tensorboard.compat import tf

    total = 0
    try:
        for name in tf.io.gfile.listdir(run_dir):
            if "tfevents" in name:
                total += tf.io.gfile.stat(os.path.join(run_dir, name)).length
    except Exception:  # only feeds the progress bar: never fail the diagnosis over it
        return 0
    return total


def selected_event_bytes(logdir: str, load_run: Callable[[str], bool] | None, limit: int) -> int:
    """Bytes of the event files of the runs ``load_run`` selects in a local ``logdir`` (a run is
    a directory holding event files, named by its path relative to the logdir, ``.`` for the
    logdir itself); counting stops once ``limit`` is reached."""
    root = os.path.expanduser(logdir)
    total = 0
    for directory in walk_logdir(root):
        if not directory.event_files:
            continue
        run = os.path.relpath(directory.path, root).replace(os.sep, "/")
        if load_run is not None and not load_run(run):
            continue
        for name in directory.event_files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(directory.path, name)).st_size
        if total >= limit:
            break
    return total
