"""What both commands of ``tb-histdiag`` share: their argument parser and the checks of its
values, the output (stdout, a report file written atomically) and one-line errors.

Imports nothing heavy (no numpy, no TensorBoard), so ``--help`` and usage errors are instant.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
import tempfile
from collections.abc import Sequence
from typing import NoReturn

from tb_histdiag.engine.roles import ROLES as _ROLES  # tag names only: no numpy, no TensorBoard
from tb_histdiag.severity import SEVERITIES

#: Severities ``--fail-on`` and ``--exit-on`` accept, mildest first.
FAIL_LEVELS = ("warning", "critical")


class UsageError(Exception):
    """A problem with the command line or the logdir, reported in one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line (exit 2) instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` on one line and exit with code 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def add_selection(group: argparse._ArgumentGroup, min_severity_help: str) -> None:
    """The name, role and severity filters the main command and ``watch`` share."""
    group.add_argument("--run", metavar="REGEX", help="only runs whose name matches REGEX")
    group.add_argument("--tag", metavar="REGEX", help="only tags whose name matches REGEX")
    group.add_argument(
        "--role",
        action="append",
        metavar="ROLE",
        help=f"only tags of this role ({', '.join(_ROLES)}); repeat or comma-separate for several",
    )
    group.add_argument("--min-severity", choices=SEVERITIES, help=min_severity_help)


def config_of(args: argparse.Namespace) -> object:
    """The configuration ``--config`` (or ``TB_HISTDIAG_CONFIG``) names, loaded; None without one.
    A bad file is a usage error that says where its name came from."""
    from tb_histdiag.engine.config import ENV_VAR, ConfigError, load_config

    config_path = args.config or os.environ.get(ENV_VAR) or None
    if not config_path:
        return None
    try:
        return load_config(config_path)
    except ConfigError as e:
        source = "" if args.config else f" (named by {ENV_VAR})"
        raise UsageError(f"{e}{source}") from None


def parse_roles(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    roles = [r.strip() for value in values for r in value.split(",") if r.strip()]
    unknown = sorted(set(roles) - set(_ROLES))
    if unknown:
        raise UsageError(f"unknown --role {', '.join(unknown)} (roles: {', '.join(_ROLES)})")
    return roles


def check_regex(pattern: str | None, flag: str) -> str | None:
    if pattern is None:
        return None
    try:
        re.compile(pattern)
    except re.error as e:
        raise UsageError(f"invalid {flag} regex {pattern!r}: {e}") from None
    return pattern


def use_color(choice: str, to_stdout: bool) -> bool:
    if choice != "auto":
        return choice == "always"
    if not to_stdout or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory and a rename: the
    target is either its previous content or the whole new report, never a half-written file.

    A symlink is followed (the file it points to is replaced, the link stays); a target that is
    not a regular file (``/dev/null``, a FIFO) cannot be renamed over and is written directly.
    """
    target = os.path.realpath(path)
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(target, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=".tb-histdiag-", suffix=".tmp", dir=os.path.dirname(target)
        )
    except OSError as e:
        # Name the report, not the temporary file nobody asked for.
        raise OSError(e.errno, e.strerror, path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if existing is not None:
            mode = stat.S_IMODE(existing.st_mode)
        else:
            # mkstemp makes the file private (0600); a report gets a new file's usual mode.
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) has gone: stop quietly, as other command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def one_line(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, OSError) and error.filename and error.strerror:
        text = f"{error.filename}: {error.strerror}"
    return " ".join(text.split())


def is_user_error(error: BaseException) -> bool:
    """Whether ``error`` is about the user's input or environment (one line, exit 2) rather
    than a bug (a traceback, so it gets reported)."""
    if isinstance(error, (UsageError, OSError)):
        return True
    errors = sys.modules.get("tb_histdiag.errors")
    return errors is not None and isinstance(error, (errors.InputError, errors.DataServerError))
