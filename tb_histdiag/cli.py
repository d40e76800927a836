"""``tb-histdiag``: the same verdicts as the Diagnostics tab, in a terminal, a CI job or a review.

``tb-histdiag watch LOGDIR`` follows live logdirs instead (see :func:`watch_main`).

Exit codes: 0 = diagnosed (and nothing at or above ``--fail-on``), 1 = a verdict at or above
``--fail-on`` was found in what is reported, 2 = usage error, unreadable logdir, no histograms in
it, or nothing matching the filters; 130 = interrupted. Errors are one line on stderr.

Heavy modules (numpy, TensorBoard) are imported only once the arguments are valid, so ``--help``
and usage errors are instant.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Sequence
from typing import NoReturn

from tb_histdiag import __version__
from tb_histdiag.engine.roles import ROLES as _ROLES  # tag names only: no numpy, no TensorBoard
from tb_histdiag.severity import SEVERITIES, severity_at_least

#: Severities ``--fail-on`` and ``--min-severity`` accept, mildest first.
_FAIL_LEVELS = ("warning", "critical")
_FORMATS = ("text", "markdown", "json", "html")


class UsageError(Exception):
    """A problem with the command line or the logdir, reported in one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line (exit 2) instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` on one line and exit with code 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _add_selection(group: argparse._ArgumentGroup, min_severity_help: str) -> None:
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


def _config_of(args: argparse.Namespace) -> object:
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


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
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
    _add_selection(
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
        choices=_FAIL_LEVELS,
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


def _roles(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    roles = [r.strip() for value in values for r in value.split(",") if r.strip()]
    unknown = sorted(set(roles) - set(_ROLES))
    if unknown:
        raise UsageError(f"unknown --role {', '.join(unknown)} (roles: {', '.join(_ROLES)})")
    return roles


def _regex(pattern: str | None, flag: str) -> str | None:
    if pattern is None:
        return None
    try:
        re.compile(pattern)
    except re.error as e:
        raise UsageError(f"invalid {flag} regex {pattern!r}: {e}") from None
    return pattern


def _use_color(choice: str, to_stdout: bool) -> bool:
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


def _context(args: argparse.Namespace, roles: Sequence[str] | None) -> list[str]:
    """What the report was restricted to, in words (escaped by each renderer)."""
    out = []
    if len(args.logdirs) == 1:
        out.append(f"logdir: {args.logdirs[0]}")
    else:
        out.append(f"logdirs: {', '.join(args.logdirs)}")
    if args.run:
        out.append(f"run filter: {args.run}")
    if args.tag:
        out.append(f"tag filter: {args.tag}")
    if roles:
        out.append(f"roles: {', '.join(roles)}")
    if args.samples:
        out.append(f"{args.samples} steps sampled per tag")
    return out


def _render(args: argparse.Namespace, diagnosis: object, roles: list[str] | None) -> str:
    from tb_histdiag.reports import html as html_report
    from tb_histdiag.reports import text as report

    color = _use_color(args.color, args.output in (None, "-"))
    if args.format == "json":
        return json.dumps(diagnosis.to_dict(), indent=1, allow_nan=False) + "\n"
    if args.format == "markdown":
        return report.to_markdown(
            diagnosis, context=_context(args, roles), min_severity=args.min_severity
        )
    if args.format == "html":
        return html_report.to_html(
            diagnosis,
            charts=diagnosis.charts,
            context=_context(args, roles),
            min_severity=args.min_severity,
        )
    width = 100
    if args.output in (None, "-") and sys.stdout.isatty():
        width = shutil.get_terminal_size((100, 24)).columns - 1
    return report.to_text(
        diagnosis,
        color=color,
        details=args.details,
        min_severity=args.min_severity,
        width=width,
    )


def _render_compare(args: argparse.Namespace, diagnosis: object) -> tuple[str, list[object]]:
    from tb_histdiag import documents
    from tb_histdiag.reports import compare
    from tb_histdiag.reports import html as html_report
    from tb_histdiag.reports import text as report

    name_a, name_b = args.compare
    run_a, run_b = diagnosis[name_a], diagnosis[name_b]
    rows = compare.compare_runs(run_a, run_b, args.min_severity)
    if args.format == "json":
        document = documents.compare_document(name_a, name_b, rows)
        text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    elif args.format == "markdown":
        text = report.compare_to_markdown(name_a, name_b, rows)
    elif args.format == "html":
        text = html_report.compare_to_html(name_a, name_b, rows)
    else:
        color = _use_color(args.color, args.output in (None, "-"))
        text = report.compare_to_text(name_a, name_b, rows, color=color)
    return text, rows


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) has gone: stop quietly, as other command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _one_line(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, OSError) and error.filename and error.strerror:
        text = f"{error.filename}: {error.strerror}"
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["watch"]:
        return watch_main(argv[1:])
    args = _parser().parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        # Icons and names must not crash a terminal with a legacy encoding.
        sys.stdout.reconfigure(errors="replace")
    progress = None
    try:
        roles = _roles(args.role)
        _regex(args.run, "--run")
        _regex(args.tag, "--tag")
        if args.samples < 0:
            raise UsageError("--samples must be 0 (all) or a positive number of steps")
        if args.compare:
            if args.run:
                raise UsageError("--compare selects its two runs by name; drop --run")
            if args.compare[0] == args.compare[1]:
                raise UsageError("--compare needs two different runs")
        from tb_histdiag import api
        from tb_histdiag.progress import Progress

        config = _config_of(args)
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
            text, _ = _render_compare(args, diagnosis)
            judged = api.at_least(diagnosis, args.min_severity)
        else:
            text = _render(args, diagnosis, roles)
            judged = diagnosis
        if args.output and args.output != "-":
            write_atomically(args.output, text)
        else:
            _write_stdout(text)
    except KeyboardInterrupt:
        if progress is not None:
            progress.clear()
        print("tb-histdiag: interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        if progress is not None:
            progress.clear()
        if not _is_user_error(e):
            raise
        print(f"tb-histdiag: error: {_one_line(e)}", file=sys.stderr)
        return 2
    if args.fail_on and severity_at_least(judged.worst(), args.fail_on):
        return 1
    return 0


def _is_user_error(error: BaseException) -> bool:
    """Whether ``error`` is about the user's input or environment (one line, exit 2) rather
    than a bug (a traceback, so it gets reported)."""
    if isinstance(error, (UsageError, OSError)):
        return True
    api = sys.modules.get("tb_histdiag.api")
    return api is not None and isinstance(error, (api.InputError, api.DataServerError))


# ``tb-histdiag watch``.

#: Environment variables ``--exec`` commands receive (besides the finding's JSON on stdin).
EXEC_ENVIRONMENT = (
    "TB_HISTDIAG_EVENT",
    "TB_HISTDIAG_RUN",
    "TB_HISTDIAG_SCOPE",
    "TB_HISTDIAG_NAME",
    "TB_HISTDIAG_VERDICT",
    "TB_HISTDIAG_SEVERITY",
    "TB_HISTDIAG_STEP",
)

#: Seconds an ``--exec`` command may run before it is stopped and reported.
EXEC_TIMEOUT = 60.0


def _watch_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tb-histdiag watch",
        description="Follow live logdirs while runs train: print each finding once, when it "
        "first appears (and when it is resolved). On start, the findings already present are "
        "summarised first (--new-only skips them). Only series that received new steps are "
        "judged again.",
        epilog="Exit codes: 0 after --once; 1 a finding at or above --exit-on; 2 a usage error; "
        "130 stopped with Ctrl-C (after a summary on stderr).",
    )
    p.add_argument("logdirs", nargs="+", metavar="LOGDIR", help="TensorBoard log directory")
    p.add_argument(
        "--interval",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="seconds between two looks at the logdirs (default 5)",
    )
    p.add_argument(
        "--exit-on",
        choices=_FAIL_LEVELS,
        help="exit 1 at the first finding at or above this severity (a job script can then "
        "stop the training)",
    )
    p.add_argument(
        "--exec",
        metavar="CMD",
        dest="exec_cmd",
        help="run the shell command CMD once per new finding, with the finding's JSON on stdin "
        f"and {', '.join(EXEC_ENVIRONMENT)} set; a failing CMD is reported, never fatal",
    )
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one line per finding (default); json: one JSON object per line",
    )
    p.add_argument("--once", action="store_true", help="look once, report and exit (for cron)")
    p.add_argument(
        "--new-only",
        action="store_true",
        help="skip the findings already present on start; report only what appears later",
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text lines (auto: when stdout is a terminal and NO_COLOR is unset)",
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help="no status line and no summary on stderr"
    )
    sel = p.add_argument_group("selection (as in tb-histdiag LOGDIR)")
    _add_selection(sel, "report only findings at or above this severity")
    load = p.add_argument_group("loading and rules (as in tb-histdiag LOGDIR)")
    load.add_argument("--samples", type=int, default=0, metavar="N", help="steps kept per tag")
    load.add_argument(
        "--load-fast",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="read through TensorBoard's Rust data server, which reloads the logdirs every "
        "--interval seconds by itself (default: TensorBoard's Python loader, which reads only "
        "what was appended since the last look)",
    )
    load.add_argument("--thresholds", metavar="FILE", help="TOML or JSON threshold overrides")
    load.add_argument(
        "--config", metavar="FILE", help="TOML or JSON config (default: TB_HISTDIAG_CONFIG)"
    )
    return p


class _StatusLine:
    """A one-line status on a terminal's stderr, rewritten in place and cleared before output."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.shown = False

    def show(self, text: str) -> None:
        if not self.enabled:
            return
        width = shutil.get_terminal_size((100, 24)).columns - 1
        sys.stderr.write("\r\x1b[K" + text[:width])
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.enabled and self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


_LINE_COLORS = {"critical": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}


def _finding_line(finding: object, color: bool) -> str:
    import time as time_lib

    clock = time_lib.strftime("%H:%M:%S", time_lib.localtime(finding.time))
    label = {"new": "NEW", "changed": "CHANGED", "resolved": "RESOLVED"}[finding.event]
    severity = finding.severity
    if color:
        severity = f"{_LINE_COLORS[severity]}{severity}\x1b[0m"
    where = finding.run if finding.scope == "run" else f"{finding.run}  {finding.name}"
    step = "" if finding.first_step is None else f"  step {finding.first_step}"
    was = f" (was {finding.previous_severity})" if finding.previous_severity else ""
    text = f"{clock}  {label:<8} {severity}{was}  {where}  {finding.id}{step}: "
    text += finding.verdict.title
    # One line per finding, whatever the names hold (newlines, terminal control characters).
    return "".join(c if c.isprintable() or (c == "\x1b" and color) else "?" for c in text)


def _run_exec(command: str, finding: object) -> str | None:
    """Run ``command`` for one finding; return a one-line problem, or None when it succeeded."""
    import subprocess

    env = dict(os.environ)
    env.update(
        zip(
            EXEC_ENVIRONMENT,
            (
                finding.event,
                finding.run,
                finding.scope,
                finding.name,
                finding.id,
                finding.severity,
                "" if finding.first_step is None else str(finding.first_step),
            ),
        )
    )
    document = json.dumps(finding.to_dict(), allow_nan=False) + "\n"
    try:
        done = subprocess.run(
            command,
            shell=True,
            input=document.encode("utf-8"),
            env=env,
            timeout=EXEC_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"did not finish within {EXEC_TIMEOUT:g} s and was stopped"
    except OSError as e:
        return f"could not start: {_one_line(e)}"
    if done.returncode != 0:
        return f"exited with code {done.returncode}"
    return None


def _status_text(status: object) -> str:
    open_counts = ", ".join(f"{n} {s}" for s, n in status.open_findings.items() if n) or "none"
    step = "-" if status.last_step is None else str(status.last_step)
    return (
        f"watching {status.runs} run{'s' if status.runs != 1 else ''}, {status.series} series, "
        f"last step {step}; open findings: {open_counts}"
    )


def watch_main(argv: Sequence[str]) -> int:
    """Run ``tb-histdiag watch``; return the exit code."""
    import time as time_lib

    args = _watch_parser().parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    status_line = _StatusLine(not args.quiet and sys.stderr.isatty())
    watcher = None
    counts = {"new": 0, "changed": 0, "resolved": 0}
    try:
        roles = _roles(args.role)
        _regex(args.run, "--run")
        _regex(args.tag, "--tag")
        if not args.interval > 0:
            raise UsageError("--interval must be a positive number of seconds")
        if args.samples < 0:
            raise UsageError("--samples must be 0 (all) or a positive number of steps")
        if args.once:
            for logdir in args.logdirs:
                if "://" not in logdir and not os.path.isdir(logdir):
                    raise UsageError(f"logdir '{logdir}' is not a directory")
        from tb_histdiag.watch import Watcher

        config = _config_of(args)
        watcher = Watcher(
            args.logdirs,
            runs=args.run,
            tags=args.tag,
            roles=roles,
            min_severity=args.min_severity,
            config=config,
            thresholds=args.thresholds,
            samples=args.samples,
            load_fast=bool(args.load_fast),
            interval=args.interval,
        )
        color = args.format == "text" and _use_color(args.color, True)
        waiting_told: set[str] = set()
        first = True
        while True:
            polled_at = time_lib.localtime()
            try:
                findings = watcher.poll()
            except OSError as e:
                # A file that vanished mid-read, a network filesystem's hiccup: once watching,
                # say so and look again rather than stop.
                if first or args.once:
                    raise
                status_line.clear()
                print(
                    f"tb-histdiag watch: could not read the logdirs this time "
                    f"({_one_line(e)}); looking again in {args.interval:g} s",
                    file=sys.stderr,
                    flush=True,
                )
                time_lib.sleep(args.interval)
                continue
            status = watcher.status
            if first and args.new_only:
                findings = []
            lines = []
            if args.format == "text" and not args.quiet:
                for logdir in args.logdirs:
                    missing = "://" not in logdir and not os.path.isdir(logdir)
                    if missing and logdir not in waiting_told:
                        print(f"tb-histdiag watch: waiting for '{logdir}'", file=sys.stderr)
                        waiting_told.add(logdir)
                clock = time_lib.strftime("%H:%M:%S", polled_at)
                if first and not args.new_only:
                    lines.append(
                        f"{clock}  {len(findings)} finding{'s' if len(findings) != 1 else ''} "
                        f"present in {status.runs} run{'s' if status.runs != 1 else ''}"
                    )
                lines += [f"{clock}  run {r!r} appeared" for r in status.runs_added]
                lines += [f"{clock}  run {r!r} vanished" for r in status.runs_removed]
                lines += [
                    f"{clock}  {d!r}: an event file shrank or was replaced; read again"
                    for d in status.rereads
                ]
            for finding in findings:
                counts[finding.event] += 1
                if args.format == "json":
                    lines.append(
                        json.dumps({**finding.to_dict(), "initial": first}, allow_nan=False)
                    )
                else:
                    lines.append(_finding_line(finding, color))
            if lines:
                status_line.clear()
                _write_stdout("\n".join(lines) + "\n")
            if args.exec_cmd:
                for finding in findings:
                    if finding.event == "resolved":
                        continue
                    problem = _run_exec(args.exec_cmd, finding)
                    if problem:
                        status_line.clear()
                        print(
                            f"tb-histdiag watch: --exec command {problem} "
                            f"(finding: {finding.describe()})",
                            file=sys.stderr,
                            flush=True,
                        )
            hit = [
                f
                for f in findings
                if args.exit_on
                and f.event != "resolved"
                and severity_at_least(f.severity, args.exit_on)
            ]
            if hit:
                status_line.clear()
                if not args.quiet:
                    print(
                        f"tb-histdiag watch: exiting on {hit[0].describe()}",
                        file=sys.stderr,
                        flush=True,
                    )
                return 1
            if args.once:
                return 0
            first = False
            status_line.show(_status_text(status))
            time_lib.sleep(args.interval)
    except KeyboardInterrupt:
        status_line.clear()
        if watcher is not None and not args.quiet:
            status = watcher.status
            print(
                f"tb-histdiag watch: stopped after {status.polls} look"
                f"{'s' if status.polls != 1 else ''}: {counts['new']} new, "
                f"{counts['changed']} changed, {counts['resolved']} resolved; "
                + _status_text(status).replace("watching", "last saw", 1),
                file=sys.stderr,
            )
        return 130
    except Exception as e:
        status_line.clear()
        if not _is_user_error(e):
            raise
        print(f"tb-histdiag watch: error: {_one_line(e)}", file=sys.stderr)
        return 2
    finally:
        if watcher is not None:
            watcher.close()


if __name__ == "__main__":
    sys.exit(main())
