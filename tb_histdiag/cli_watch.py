"""``tb-histdiag watch LOGDIR``: follow live logdirs and report each new finding once."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence

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
    use_color,
    write_stdout,
)
from tb_histdiag.severity import severity_at_least

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
    p = Parser(
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
        choices=FAIL_LEVELS,
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
    add_selection(sel, "report only findings at or above this severity")
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
        return f"could not start: {one_line(e)}"
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
        roles = parse_roles(args.role)
        check_regex(args.run, "--run")
        check_regex(args.tag, "--tag")
        if not args.interval > 0:
            raise UsageError("--interval must be a positive number of seconds")
        if args.samples < 0:
            raise UsageError("--samples must be 0 (all) or a positive number of steps")
        if args.once:
            for logdir in args.logdirs:
                if "://" not in logdir and not os.path.isdir(logdir):
                    raise UsageError(f"logdir '{logdir}' is not a directory")
        from tb_histdiag.watch import Watcher

        config = config_of(args)
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
        color = args.format == "text" and use_color(args.color, True)
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
                    f"({one_line(e)}); looking again in {args.interval:g} s",
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
                write_stdout("\n".join(lines) + "\n")
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
        if not is_user_error(e):
            raise
        print(f"tb-histdiag watch: error: {one_line(e)}", file=sys.stderr)
        return 2
    finally:
        if watcher is not None:
            watcher.close()
