"""The Markdown report for reviews (it follows the Diagnostics tab's "Copy Markdown" report):
a diagnosis (``to_markdown``) or a comparison of two runs.

Every string is escaped (:func:`escape_markdown`), so a name cannot break a table or smuggle in
HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tb_histdiag.reports.compare import TagComparison
from tb_histdiag.reports.phrases import (
    ICONS,
    MISSING,
    STATUS_ORDER,
    evidence_text,
    flagged_tags,
    format_number,
    format_tag_steps,
    format_verdict_steps,
    logging_advice,
    loss_text,
    nothing_flagged,
    plural,
    run_findings,
    side_text,
)
from tb_histdiag.results import Diagnosis

# Escaping.


def escape_markdown(text: object) -> str:
    """Text made safe for one line of Markdown, including a table cell.

    Line breaks become spaces and other control characters visible escapes (``\\x1b``); backslash, backtick, pipe, asterisk, tilde and square brackets are
    backslash-escaped; ``<``, ``>`` and an ``&`` that would start an entity become HTML entities,
    so no tag, link or entity survives; an underscore is escaped unless it sits inside a word (``dense_1`` stays readable).
    """
    s = "" if text is None else str(text)
    s = re.sub(r"\r\n|[\r\n\u0085\u2028\u2029]", " ", s)
    # Other control characters (escape sequences, bidi overrides) shown as visible escapes.
    s = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in s)
    s = re.sub(r"[\\`|*~\[\]]", lambda m: "\\" + m.group(0), s)
    s = re.sub(r"&(?=#?[A-Za-z0-9]+;)", "&amp;", s)
    s = s.replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", s)


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _badge(status: str) -> str:
    return f"{ICONS[status]} {status}"


def to_markdown(
    diagnosis: Diagnosis,
    context: Sequence[str] = (),
    min_severity: str | None = None,
) -> str:
    """A self-contained Markdown report: a summary table of the runs' tag counts, then per run its
    findings, a table of flagged tags and a table of their verdicts' evidence.

    ``context`` lists what the report was restricted to (e.g. ``tag filter: conv``), already in
    words; it is escaped here.
    """
    lines = ["# Histogram diagnostics", ""]
    runs = diagnosis.runs
    header = [plural(len(runs), "run"), *(escape_markdown(c) for c in context)]
    if min_severity is not None:
        header.append(f"showing: {escape_markdown(min_severity)} and above")
    lines += [" · ".join(header) + " — by tb\\_histdiag", ""]
    if not runs:
        lines.append("No runs with histograms.")
        return "\n".join(lines) + "\n"
    lines.append(_row(["Run", "Status", *(_badge(s) for s in STATUS_ORDER)]))
    lines.append(_row(["---", "---", *("---:" for _ in STATUS_ORDER)]))
    for run in runs:
        counts = run.counts()
        lines.append(
            _row(
                [
                    escape_markdown(run.run),
                    _badge(run.status),
                    *(str(counts[s]) for s in STATUS_ORDER),
                ]
            )
        )
    for run in runs:
        lines += ["", f"## {escape_markdown(run.run)} — {_badge(run.status)}", ""]
        loss = loss_text(run)
        if loss:
            lines += [f"Training {escape_markdown(loss)}.", ""]
        findings = run_findings(run)
        for layer, v in findings:
            where = f"layer {escape_markdown(layer)}: " if layer is not None else ""
            lines.append(
                f"- {ICONS[v.severity]} **{where}{escape_markdown(v.title)}** — "
                f"{escape_markdown(v.summary)} _Fix:_ {escape_markdown(v.fix)}"
            )
        if findings:
            lines.append("")
        advice = logging_advice(run)
        if advice is not None:
            text, loggers = advice
            lines.append(f"> {ICONS['info']} {escape_markdown(text)}")
            lines += [f"> - {label}: `{line}`" for label, line in loggers]
            lines.append("")
        flagged = flagged_tags(run)
        if not flagged:
            lines.append(nothing_flagged(run, min_severity).capitalize() + ".")
            continue
        lines.append(_row(["Tag", "Layer", "Role", "Steps", "Status", "Verdicts"]))
        lines.append(_row(["---"] * 6))
        for t in flagged:
            verdicts = [f"{ICONS[v.severity]} {escape_markdown(v.title)}" for v in t.verdicts]
            if not t.verdicts and t.reason:
                verdicts.append(f"cannot diagnose: {escape_markdown(t.reason)}")
            lines.append(
                _row(
                    [
                        escape_markdown(t.tag),
                        escape_markdown(t.layer),
                        escape_markdown(t.role),
                        escape_markdown(format_tag_steps(t)),
                        _badge(t.status),
                        "; ".join(verdicts) or MISSING,
                    ]
                )
            )
        evidence = [(t, v) for t in flagged for v in t.verdicts]
        if evidence:
            lines += ["", _row(["Tag", "Verdict", "Where", "Evidence"]), _row(["---"] * 4)]
            for t, v in evidence:
                lines.append(
                    _row(
                        [
                            escape_markdown(t.tag),
                            f"{ICONS[v.severity]} {escape_markdown(v.id)}",
                            escape_markdown(format_verdict_steps(v.steps)),
                            escape_markdown(evidence_text(v.evidence)),
                        ]
                    )
                )
    problems = getattr(diagnosis, "problems", ())
    if problems:
        lines += ["", "## Could not read", "", _row(["Path", "Problem"]), _row(["---"] * 2)]
        lines += [
            _row([escape_markdown(p["path"]), escape_markdown(p["problem"])]) for p in problems
        ]
    return "\n".join(lines).rstrip() + "\n"


# Comparison of two runs.


def compare_to_markdown(a: str, b: str, rows: Sequence[TagComparison]) -> str:
    """The comparison of run ``a`` with reference run ``b`` as a Markdown table."""
    differ = sum(1 for r in rows if r.verdicts_differ)
    lines = [
        "# Histogram diagnostics: comparison",
        "",
        f"{escape_markdown(a)} vs {escape_markdown(b)} (reference) — {differ} of "
        f"{plural(len(rows), 'tag')} have different verdicts — by tb\\_histdiag",
        "",
        _row(["Tag", "Layer", f"A: {escape_markdown(a)}", f"B: {escape_markdown(b)}", "Distance"]),
        _row(["---", "---", "---", "---", "---:"]),
    ]
    for r in rows:
        layer = (r.a or r.b).layer
        lines.append(
            _row(
                [
                    ("≠ " if r.verdicts_differ else "") + escape_markdown(r.tag),
                    escape_markdown(layer),
                    escape_markdown(side_text(r.a)),
                    escape_markdown(side_text(r.b)),
                    format_number(r.distance),
                ]
            )
        )
    lines += [
        "",
        "Distance: Wasserstein-1 distance between the two runs' last logged distributions of "
        "the tag, in units of B's standard deviation.",
    ]
    return "\n".join(lines) + "\n"
