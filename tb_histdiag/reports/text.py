"""The plain-text report for terminals: a diagnosis (``to_text``) or a comparison of two runs.

Every name goes through :func:`~tb_histdiag.reports.phrases.clean_text`, so a name cannot move the
cursor of a terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from tb_histdiag.reports.compare import TagComparison
from tb_histdiag.reports.phrases import (
    ICONS,
    clean_text,
    counts_text,
    evidence_text,
    flagged_tags,
    format_number,
    format_verdict_steps,
    logging_advice,
    loss_text,
    nothing_flagged,
    plural,
    run_findings,
    side_text,
    summary_line,
)
from tb_histdiag.results import Diagnosis, Verdict

_ANSI = {"critical": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "ok": "\033[32m"}
_BOLD = "\033[1m"
_RESET = "\033[0m"


def to_text(
    diagnosis: Diagnosis,
    color: bool = False,
    details: bool = False,
    min_severity: str | None = None,
    width: int = 100,
) -> str:
    """A compact report for a terminal: per run, its status, findings and a table of flagged tags
    (one line per verdict). ``details`` adds each verdict's explanation, evidence and fix."""

    def paint(status: str, text: str) -> str:
        return f"{_ANSI[status]}{text}{_RESET}" if color and status in _ANSI else text

    def bold(text: str) -> str:
        return f"{_BOLD}{text}{_RESET}" if color else text

    def explain(v: Verdict, indent: str) -> list[str]:
        wrap = textwrap.TextWrapper(
            width=max(40, width), initial_indent=indent, subsequent_indent=indent
        )
        lines = wrap.wrap(clean_text(v.summary))
        lines += wrap.wrap(f"Evidence: {clean_text(evidence_text(v.evidence))}")
        lines += wrap.wrap(f"Fix: {clean_text(v.fix)}")
        return [*lines, ""]

    lines: list[str] = []
    if not diagnosis.runs:
        lines.append("no runs with histograms")
    for run in diagnosis.runs:
        status = run.status
        lines.append(
            paint(status, f"{ICONS[status]} ") + bold(clean_text(run.run)) + "  "
            f"{paint(status, status)}  ({plural(len(run.tags), 'tag')}: {counts_text(run)})"
        )
        loss = loss_text(run)
        if loss:
            lines.append(f"    {clean_text(loss)}")
        for layer, v in run_findings(run):
            where = f"layer {clean_text(layer)}: " if layer is not None else ""
            lines.append(
                "    "
                + paint(v.severity, f"{ICONS[v.severity]} {v.severity:<8}")
                + f"  {where}{clean_text(v.title)}  ({format_verdict_steps(v.steps)})"
            )
            if details:
                lines += explain(v, " " * 8)
        flagged = flagged_tags(run)
        rows: list[tuple[str, str, str, str, str, Verdict | None]] = []
        for t in flagged:
            name, role = clean_text(t.tag), clean_text(t.role)
            if not t.verdicts:
                rows.append(("unknown", name, role, "", clean_text(t.reason or ""), None))
            for i, v in enumerate(t.verdicts):
                rows.append(
                    (
                        v.severity,
                        name if i == 0 else "",
                        role if i == 0 else "",
                        format_verdict_steps(v.steps),
                        clean_text(v.title),
                        v,
                    )
                )
        tag_w = max((len(r[1]) for r in rows), default=0)
        role_w = max((len(r[2]) for r in rows), default=0)
        steps_w = max((len(r[3]) for r in rows), default=0)
        for severity, name, role, steps, title, v in rows:
            lines.append(
                "    "
                + paint(severity, f"{ICONS[severity]} {severity:<8}")
                + f"  {name:<{tag_w}}  {role:<{role_w}}  {steps:<{steps_w}}  {title}".rstrip()
            )
            if details and v is not None:
                lines += explain(v, " " * 8)
        if not flagged:
            lines.append(f"    {nothing_flagged(run, min_severity)}")
        advice = logging_advice(run)
        if advice is not None:
            text, loggers = advice
            lines.append("    " + paint("info", f"{ICONS['info']} ") + text)
            label_w = max(len(label) for label, _ in loggers) + 1
            lines += [f"        {label + ':':<{label_w}} {line}" for label, line in loggers]
        lines.append("")
    if len(diagnosis.runs) > 1:
        lines.append(summary_line(diagnosis))
    problems = getattr(diagnosis, "problems", ())
    if problems:
        lines += ["", paint("warning", f"{ICONS['warning']} Could not read:")]
        lines += [f"    {clean_text(p['path'])}: {clean_text(p['problem'])}" for p in problems]
    return "\n".join(lines).rstrip() + "\n"


# Markdown.


def compare_to_text(a: str, b: str, rows: Sequence[TagComparison], color: bool = False) -> str:
    """The comparison of run ``a`` with reference run ``b`` as a terminal table: tags whose
    verdicts differ first, with the distance between the two runs' last distributions."""

    def paint(status: str, text: str) -> str:
        return f"{_ANSI[status]}{text}{_RESET}" if color and status in _ANSI else text

    differ = sum(1 for r in rows if r.verdicts_differ)
    lines = [
        f"{clean_text(a)} vs {clean_text(b)} (reference): "
        f"{differ} of {plural(len(rows), 'tag')} have different verdicts",
        "",
    ]
    cells = [
        (
            clean_text(r.tag),
            side_text(r.a),
            side_text(r.b),
            format_number(r.distance),
            r,
        )
        for r in rows
    ]
    head = ("tag", f"A: {clean_text(a)}", f"B: {clean_text(b)}", "distance")
    widths = [max([len(head[i])] + [len(c[i]) for c in cells]) for i in range(3)]
    lines.append(
        f"  {head[0]:<{widths[0]}}  {head[1]:<{widths[1]}}  {head[2]:<{widths[2]}}  {head[3]}"
    )
    for tag, side_a, side_b, distance, r in cells:
        status_a = r.a.status if r.a else "unknown"
        status_b = r.b.status if r.b else "unknown"
        mark = "≠" if r.verdicts_differ else " "
        lines.append(
            f"{mark} {tag:<{widths[0]}}  {paint(status_a, f'{side_a:<{widths[1]}}')}  "
            f"{paint(status_b, f'{side_b:<{widths[2]}}')}  {distance}"
        )
    lines += ["", "distance: Wasserstein-1 between the last logged distributions, in B's spreads"]
    return "\n".join(lines) + "\n"
