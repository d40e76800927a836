"""``tb-histdiag``: the same verdicts as the Diagnostics tab, without a browser.

Exit codes: 0 = diagnosed (and nothing at or above ``--fail-on``), 1 = a verdict at or above
``--fail-on`` was found, 2 = usage error, unreadable logdir, or no histograms in it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence

from tb_histdiag import __version__, report
from tb_histdiag.diagnosis import Diagnoser
from tb_histdiag.model import Diagnosis
from tb_histdiag.series import HistogramReader, logdir_provider

_FAIL_LEVELS = {"warning": ("warning", "critical"), "critical": ("critical",)}


class UsageError(Exception):
    """A problem with the command line or the logdir, reported in one line with exit code 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tb-histdiag",
        description="Diagnose the weight, bias, activation and gradient histograms in a "
        "TensorBoard logdir: frozen layers, constant init, NaN/Inf and more.",
    )
    p.add_argument("logdirs", nargs="+", metavar="LOGDIR", help="TensorBoard log directory")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically)")
    p.add_argument("--run", metavar="REGEX", help="only runs whose name matches REGEX")
    p.add_argument("--tag", metavar="REGEX", help="only tags whose name matches REGEX")
    p.add_argument(
        "--fail-on",
        choices=tuple(_FAIL_LEVELS),
        help="exit 1 when a verdict at or above this severity is found (for CI gates)",
    )
    p.add_argument(
        "--samples",
        type=int,
        default=0,
        metavar="N",
        help="steps kept per tag while loading (default 0: all)",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _regex(pattern: str | None, what: str) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as e:
        raise UsageError(f"invalid --{what} regex {pattern!r}: {e}") from None


def diagnose_logdir(
    logdir: str,
    run_regex: re.Pattern[str] | None = None,
    tag_regex: re.Pattern[str] | None = None,
    samples: int = 0,
) -> Diagnosis:
    """Load ``logdir`` with TensorBoard's Python data provider and diagnose it."""
    from tensorboard import context

    try:
        provider = logdir_provider(logdir, max_steps=samples)
    except (FileNotFoundError, NotADirectoryError) as e:
        raise UsageError(str(e)) from None
    diagnoser = Diagnoser(HistogramReader(provider))
    ctx = context.RequestContext()
    if not diagnoser.reader.index(ctx, ""):
        raise UsageError(f"logdir '{logdir}' has no histogram summaries")
    return diagnoser.diagnose(
        ctx,
        "",
        runs=None if run_regex is None else lambda r: bool(run_regex.search(r)),
        tags=None if tag_regex is None else lambda t: bool(tag_regex.search(t)),
    )


def _render(diagnosis: Diagnosis, fmt: str, color: bool) -> str:
    if fmt == "json":
        return json.dumps(diagnosis.to_dict(), indent=1, allow_nan=False) + "\n"
    if fmt == "markdown":
        return report.to_markdown(diagnosis)
    return report.to_text(diagnosis, color=color)


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename: never a half-written file."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tb-histdiag-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        run_regex, tag_regex = _regex(args.run, "run"), _regex(args.tag, "tag")
        if args.samples < 0:
            raise UsageError("--samples must be 0 (all) or a positive number of steps")
        runs = []
        for logdir in args.logdirs:
            d = diagnose_logdir(logdir, run_regex, tag_regex, args.samples)
            if len(args.logdirs) > 1:
                # Runs of different logdirs may share names: say which logdir each came from.
                d = Diagnosis(
                    runs=tuple(
                        type(r)(f"{logdir}:{r.run}", r.tags, r.layers, r.verdicts) for r in d.runs
                    )
                )
            runs.extend(d.runs)
        diagnosis = Diagnosis(runs=tuple(runs))
        if not diagnosis.runs:
            raise UsageError("no histogram tag matches the given --run/--tag filters")
        text = _render(diagnosis, args.format, color=args.output is None and sys.stdout.isatty())
        if args.output:
            write_atomically(args.output, text)
        else:
            sys.stdout.write(text)
    except UsageError as e:
        print(f"tb-histdiag: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"tb-histdiag: error: {e}", file=sys.stderr)
        return 2
    if args.fail_on:
        levels = _FAIL_LEVELS[args.fail_on]
        if any(r.status in levels for r in diagnosis.runs):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
