"""Human-readable reports of a diagnosis: plain text for terminals, Markdown for reviews.

Run and tag names are untrusted text (directory names, user code): every name is escaped for the
format it goes into, so a name cannot break a Markdown table or smuggle in HTML.
"""

from __future__ import annotations

import re

from tb_histdiag.model import Diagnosis, RunDiagnosis, TagDiagnosis

_ICONS = {"critical": "✖", "warning": "⚠", "info": "ℹ", "ok": "✔", "unknown": "?"}
_ANSI = {"critical": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "ok": "\033[32m"}
_RESET = "\033[0m"
_SEVERITY_ORDER = ("critical", "warning", "info", "unknown", "ok")


def escape_markdown(text: str) -> str:
    """Escape ``text`` for a Markdown table cell: no table breaks, no HTML, no code spans."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([|`*_\[\]<>#!~])", r"\\\1", text)
    text = text.replace("&", "&amp;")
    return re.sub(r"[\r\n\u2028\u2029]+", " ", text)


def _clean_text(text: str) -> str:
    """Make a name safe for a terminal: control characters (escape sequences, newlines) shown as
    escapes instead of being interpreted."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _flagged(run: RunDiagnosis) -> list[TagDiagnosis]:
    return sorted(
        (t for t in run.tags if t.status != "ok"),
        key=lambda t: (_SEVERITY_ORDER.index(t.status), t.depth, t.tag),
    )


def _counts_line(run: RunDiagnosis) -> str:
    counts = run.counts()
    return ", ".join(f"{counts[s]} {s}" for s in _SEVERITY_ORDER if counts[s])


def to_text(diagnosis: Diagnosis, color: bool = False) -> str:
    """A compact per-run table of flagged tags, with the run-level verdicts first."""

    def paint(status: str, text: str) -> str:
        return f"{_ANSI[status]}{text}{_RESET}" if color and status in _ANSI else text

    lines = []
    for run in diagnosis.runs:
        name = _clean_text(run.run)
        lines.append(
            paint(run.status, f"{_ICONS[run.status]} {name}: {run.status}")
            + f"  ({_counts_line(run)})"
        )
        for v in run.verdicts + tuple(v for layer in run.layers for v in layer.verdicts):
            lines.append(paint(v.severity, f"    {_ICONS[v.severity]} {v.title}"))
        flagged = _flagged(run)
        width = max((len(_clean_text(t.tag)) for t in flagged), default=0)
        for t in flagged:
            what = "; ".join(v.title for v in t.verdicts) or (t.reason or "")
            lines.append(
                "    "
                + paint(t.status, f"{_ICONS[t.status]} {t.status:<8}")
                + f" {_clean_text(t.tag):<{width}}  {what}"
            )
        if not flagged:
            lines.append(f"    all {len(run.tags)} histogram tags look healthy")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_markdown(diagnosis: Diagnosis) -> str:
    """A self-contained Markdown report: per run, the verdict counts and a table of verdicts."""
    out = ["# Histogram diagnostics", ""]
    if not diagnosis.runs:
        out.append("No histogram data found.")
    for run in diagnosis.runs:
        out += [f"## {_ICONS[run.status]} Run `{escape_markdown(run.run)}` — {run.status}", ""]
        out += [f"Tags: {_counts_line(run)}.", ""]
        run_level = run.verdicts + tuple(v for layer in run.layers for v in layer.verdicts)
        for v in run_level:
            out.append(
                f"- **{v.severity}** {escape_markdown(v.title)}: {escape_markdown(v.summary)}"
            )
        if run_level:
            out.append("")
        flagged = _flagged(run)
        if flagged:
            out += [
                "| status | tag | role | verdict | steps | evidence |",
                "| --- | --- | --- | --- | --- | --- |",
            ]
            for t in flagged:
                for v in t.verdicts or ():
                    evidence = ", ".join(f"{k}={_fmt(val)}" for k, val in v.evidence.items())
                    out.append(
                        f"| {_ICONS[v.severity]} {v.severity} | {escape_markdown(t.tag)} | {t.role} "
                        f"| {escape_markdown(v.title)} | {v.steps[0]}–{v.steps[-1]} "
                        f"| {escape_markdown(evidence)} |"
                    )
                if not t.verdicts:
                    out.append(
                        f"| ? unknown | {escape_markdown(t.tag)} | {t.role} | "
                        f"{escape_markdown(t.reason or '')} | | |"
                    )
            out.append("")
        else:
            out += [f"All {len(run.tags)} histogram tags look healthy.", ""]
    return "\n".join(out).rstrip() + "\n"


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
