"""``tb-histdiag``: the same verdicts as the Diagnostics tab, in a terminal, a CI job or a review.

``tb-histdiag watch LOGDIR`` follows live logdirs instead (see :mod:`tb_histdiag.cli_watch`); the
arguments both share are :mod:`tb_histdiag.cli_args`, the rendering :mod:`tb_histdiag.cli_render`.

Exit codes: 0 = diagnosed (and nothing at or above ``--fail-on``), 1 = a verdict at or above
``--fail-on`` was found in what is reported, 2 = usage error, unreadable logdir, no histograms in
it, or nothing matching the filters; 130 = interrupted. Errors are one line on stderr.

Heavy modules (numpy, TensorBoard) are imported only once the arguments are valid, so ``--help``
and usage errors are instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tb_histdiag import __version__, cli_render
from tb_histdiag.cli_args import (
    FAIL_LEVELS,
    Parser,
    UsageError,
    add_selection,
    check_regex,
    config_of,
    is_user_error,
    one_line,
    parse_roles,
    write_atomically,
    write_stdout,
)
from tb_histdiag.severity import severity_at_least

_FORMATS = ("text", "markdown", "json", "html")


def _parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="tb-histdiag",
        description="Diagnose the weight, bias, activation and gradient histograms in "
        "TensorBoard logdirs: frozen layers, constant init, dead ReLUs, saturation, exploding "
        "or vanishing values, NaN/Inf. Remote logdirs (gs://, s3://, any fsspec URL) work where "
        "TensorBoard's own loading does.",
        epilog="Exit codes: 0 diagnosed; 1 a verdict at or above --fail-on; 2 a usage error, an "
        "unreadable logdir, a logdir without histograms or nothing matching the filters. "
        "'tb-histdiag watch LOGDIR' follows runs while they train (see tb-histdiag watch --help).",
    )
    p.add_argument("logdirs", nargs="+", metavar="LOGDIR", help="TensorBoard log directory")
    out = p.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=_FORMATS,
        default="text",
        help="text: a table per run (default); markdown: for a pull request; json: the "
        "tb_histdiag/diagnostics/v1 document; html: one self-contained file with charts",
    )
    out.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE atomically ('-': stdout)"
    )
    out.add_argument(
        "--details",
        action="store_true",
        help="text format: add each verdict's explanation, evidence and fix",
    )
    out.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text format (auto: when stdout is a terminal and NO_COLOR is unset)",
    )
    out.add_argument("--quiet", "-q", action="store_true", help="no progress bar on stderr")
    sel = p.add_argument_group("selection")
    add_selection(
        sel,
        "report only tags with a verdict at or above this severity (and run or layer verdicts "
        "at or above it); --fail-on judges what is reported",
    )
    sel.add_argument(
        "--compare",
        nargs=2,
        metavar=("RUN_A", "RUN_B"),
        help="compare two runs tag by tag (B is the reference, e.g. the healthy run)",
    )
    gate = p.add_argument_group("exit code")
    gate.add_argument(
        "--fail-on",
        choices=FAIL_LEVELS,
        help="exit 1 when a verdict at or above this severity is found (for CI gates)",
    )
    load = p.add_argument_group("loading and rules")
    load.add_argument(
        "--samples",
        type=int,
        default=0,
        metavar="N",
        help="steps kept per tag while loading, sampled like TensorBoard does (default 0: all)",
    )
    load.add_argument(
        "--load-fast",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="read through TensorBoard's Rust data server (pip install tensorboard-data-server): "
        "several times faster on large logdirs, and reads gs://; --no-load-fast: TensorBoard's "
        "Python loader (reads only the runs --run selects). Default: the data server for local "
        "logdirs whose selected runs hold 64 MB of event files or more, else the Python loader",
    )
    load.add_argument(
        "--thresholds",
        metavar="FILE",
        help="TOML or JSON file of threshold overrides (names as in docs/verdicts.md)",
    )
    load.add_argument(
        "--config",
        metavar="FILE",
        help="TOML or JSON config with [roles], [thresholds] and [expect] (tag regex -> "
        "expected verdict, e.g. a frozen backbone: reported as info 'as configured'), as "
        "TensorBoard's TB_HISTDIAG_CONFIG (which is used when this is not given)",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["watch"]:
        from tb_histdiag.cli_watch import watch_main

        return watch_main(argv[1:])
    args = _parser().parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        # Icons and names must not crash a terminal with a legacy encoding.
        sys.stdout.reconfigure(errors="replace")
    progress = None
    try:
        roles = parse_roles(args.role)
        check_regex(args.run, "--run")
        check_regex(args.tag, "--tag")
        if args.samples < 0:
            raise UsageError("--samples must be 0 (all) or a positive number of steps")
        if args.compare:
            if args.run:
                raise UsageError("--compare selects its two runs by name; drop --run")
            if args.compare[0] == args.compare[1]:
                raise UsageError("--compare needs two different runs")
        from tb_histdiag import api
        from tb_histdiag.progress import Progress

        config = config_of(args)
        progress = Progress(sys.stderr, enabled=False if args.quiet else None)
        diagnosis = api.diagnose(
            args.logdirs,
            runs=list(args.compare) if args.compare else args.run,
            tags=args.tag,
            thresholds=args.thresholds,
            roles=roles,
            min_severity=None if args.compare else args.min_severity,
            config=config,
            samples=args.samples,
            load_fast="auto" if args.load_fast is None else args.load_fast,
            charts=args.format == "html" and not args.compare,
            progress=progress,
        )
        if args.compare:
            text, _ = cli_render.render_compare(args, diagnosis)
            judged = api.at_least(diagnosis, args.min_severity)
        else:
            text = cli_render.render(args, diagnosis, roles)
            judged = diagnosis
        if args.output and args.output != "-":
            write_atomically(args.output, text)
        else:
            write_stdout(text)
    except KeyboardInterrupt:
        if progress is not None:
            progress.clear()
        print("tb-histdiag: interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        if progress is not None:
            progress.clear()
        if not is_user_error(e):
            raise
        print(f"tb-histdiag: error: {one_line(e)}", file=sys.stderr)
        return 2
    if args.fail_on and severity_at_least(judged.worst(), args.fail_on):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
