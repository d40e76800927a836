"""Human-readable reports of a diagnosis: plain text for terminals, Markdown for reviews.

Run and tag names are untrusted text (directory names, user code), and so is everything derived
from them (layer names, verdict titles that quote them): every string is escaped for the format
it goes into, so a name cannot move the cursor of a terminal, break a Markdown table or smuggle in
HTML. The Markdown report follows the Diagnostics tab's "Copy Markdown" report.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence

from tb_histdiag.reports.compare import TagComparison
from tb_histdiag.results import DISPLAY_ORDER, Diagnosis, RunDiagnosis, TagDiagnosis, Verdict

#: Statuses in the order a report lists them: worst first.
STATUS_ORDER = DISPLAY_ORDER
ICONS = {"critical": "✖", "warning": "⚠", "info": "ℹ", "ok": "✔", "unknown": "?"}
_ANSI = {"critical": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "ok": "\033[32m"}
_BOLD = "\033[1m"
_RESET = "\033[0m"
MISSING = "—"
_RANGE = "–"


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


def _clean_text(text: object) -> str:
    """Make text safe for a terminal: control characters (escape sequences, newlines, bidi
    overrides) are shown as Python escapes instead of being interpreted."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


# Numbers and steps, as the Diagnostics tab writes them.


def format_number(value: object) -> str:
    """A measured value with sensible precision: integers below 1e6 in full, other values with 4
    significant digits, exponent notation below 1e-3 and from 1e6 on; ``—`` for a missing value."""
    if value is None:
        return MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "+∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if float(value).is_integer() and magnitude < 1e6:
        return str(int(value))
    if 1e-3 <= magnitude < 1e6:
        return f"{float(f'{float(value):.4g}'):g}"
    mantissa, exponent = f"{float(value):.3e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def format_value(value: object) -> str:
    """An evidence value as text: numbers via :func:`format_number`, booleans as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value or MISSING
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    return format_number(value)


#: Evidence keys whose words alone would mislead. ``expected`` holds the ``[expect]`` pattern
#: of a verdict declared in the configuration (see :mod:`tb_histdiag.engine.expectations`).
_KEY_WORDS = {"expected": "expected (pattern)"}


def format_key(key: str) -> str:
    """An evidence key in words: ``distinct_values`` → ``distinct values``."""
    return _KEY_WORDS.get(key) or re.sub(r"_+", " ", key).strip() or key


def format_verdict_steps(steps: Sequence[int]) -> str:
    """Where a verdict shows: ``step 5``, ``steps 0–99``."""
    if not steps:
        return MISSING
    if len(steps) == 1 or steps[0] == steps[-1]:
        return f"step {steps[0]}"
    if len(steps) == 2:
        return f"steps {steps[0]}{_RANGE}{steps[1]}"
    return "steps " + ", ".join(str(s) for s in steps)


def format_tag_steps(tag: TagDiagnosis) -> str:
    """A tag's logged steps: count and range, e.g. ``100 (0–99)``."""
    first, last = tag.first_step, tag.last_step
    if first is None or last is None:
        return str(tag.steps)
    span = str(first) if first == last else f"{first}{_RANGE}{last}"
    return f"{tag.steps} ({span})"


def evidence_text(evidence: Mapping[str, object]) -> str:
    """A verdict's evidence on one line: ``key: value; key: value``."""
    if not evidence:
        return MISSING
    return "; ".join(f"{format_key(k)}: {format_value(v)}" for k, v in evidence.items())


def loss_text(run: RunDiagnosis) -> str | None:
    """What the run's loss scalar says, in words (None without a loss)."""
    loss = getattr(run, "loss", None)
    if loss is None:
        return None
    if loss.nonfinite:
        return f"loss '{loss.tag}' became NaN or Inf"
    if loss.improvement is None:
        return f"loss '{loss.tag}' could not be judged"
    if loss.improvement < -1.0:  # more than doubled: a factor reads better than 1e31%
        return f"loss '{loss.tag}' rose {1.0 - loss.improvement:.3g}×: training diverges"
    change = abs(loss.improvement)
    amount = f"{change:.1%}" if change < 0.1 else f"{change:.0%}"
    trend = f"fell by {amount}" if loss.improvement >= 0 else f"rose by {amount}"
    return f"loss '{loss.tag}' {trend}" + (
        ": flat over the logged steps (not learning, or it had converged before them)"
        if loss.flat
        else ""
    )


# Shared selection.


#: How the one-line loggers are named in reports.
LOGGER_LABELS = {"keras": "Keras", "pytorch": "PyTorch"}


def logging_advice(run: RunDiagnosis) -> tuple[str, list[tuple[str, str]]] | None:
    """Where a run's verdicts are inferences: the advice and the (framework, one line) pairs
    that log what confirms them (None when nothing is inferred)."""
    logging = run.logging()
    if logging is None:
        return None
    loggers = [(LOGGER_LABELS.get(k, k), line) for k, line in logging["loggers"].items()]
    return str(logging["advice"]), loggers


def flagged_tags(run: RunDiagnosis) -> list[TagDiagnosis]:
    """The run's tags that are not plainly ok, worst first, then in depth order."""
    return sorted(
        (t for t in run.tags if t.status != "ok"),
        key=lambda t: (STATUS_ORDER.index(t.status), t.depth, t.tag),
    )


def run_findings(run: RunDiagnosis) -> list[tuple[str | None, Verdict]]:
    """The run-level verdicts, then the layer-level ones with their layer's name."""
    out: list[tuple[str | None, Verdict]] = [(None, v) for v in run.verdicts]
    out += [(layer.layer, v) for layer in run.layers for v in layer.verdicts]
    return out


def counts_text(run: RunDiagnosis) -> str:
    """``9 critical, 4 warning, 10 ok`` (statuses with no tags left out)."""
    counts = run.counts()
    return ", ".join(f"{counts[s]} {s}" for s in STATUS_ORDER if counts[s]) or "no tags"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _nothing_flagged(run: RunDiagnosis, min_severity: str | None) -> str:
    if min_severity is not None:
        return f"nothing at or above {min_severity}"
    if len(run.tags) == 1:
        return "its one histogram tag looks healthy"
    return f"all {_plural(len(run.tags), 'histogram tag')} look healthy"


def summary_line(diagnosis: Diagnosis) -> str:
    """``28 runs: 10 critical, 8 warning, 2 info, 8 ok``."""
    by_status = {s: 0 for s in STATUS_ORDER}
    for run in diagnosis.runs:
        by_status[run.status] += 1
    parts = ", ".join(f"{by_status[s]} {s}" for s in STATUS_ORDER if by_status[s])
    return f"{_plural(len(diagnosis.runs), 'run')}: {parts or 'none'}"


# Text.


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
        lines = wrap.wrap(_clean_text(v.summary))
        lines += wrap.wrap(f"Evidence: {_clean_text(evidence_text(v.evidence))}")
        lines += wrap.wrap(f"Fix: {_clean_text(v.fix)}")
        return [*lines, ""]

    lines: list[str] = []
    if not diagnosis.runs:
        lines.append("no runs with histograms")
    for run in diagnosis.runs:
        status = run.status
        lines.append(
            paint(status, f"{ICONS[status]} ") + bold(_clean_text(run.run)) + "  "
            f"{paint(status, status)}  ({_plural(len(run.tags), 'tag')}: {counts_text(run)})"
        )
        loss = loss_text(run)
        if loss:
            lines.append(f"    {_clean_text(loss)}")
        for layer, v in run_findings(run):
            where = f"layer {_clean_text(layer)}: " if layer is not None else ""
            lines.append(
                "    "
                + paint(v.severity, f"{ICONS[v.severity]} {v.severity:<8}")
                + f"  {where}{_clean_text(v.title)}  ({format_verdict_steps(v.steps)})"
            )
            if details:
                lines += explain(v, " " * 8)
        flagged = flagged_tags(run)
        rows: list[tuple[str, str, str, str, str, Verdict | None]] = []
        for t in flagged:
            name, role = _clean_text(t.tag), _clean_text(t.role)
            if not t.verdicts:
                rows.append(("unknown", name, role, "", _clean_text(t.reason or ""), None))
            for i, v in enumerate(t.verdicts):
                rows.append(
                    (
                        v.severity,
                        name if i == 0 else "",
                        role if i == 0 else "",
                        format_verdict_steps(v.steps),
                        _clean_text(v.title),
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
            lines.append(f"    {_nothing_flagged(run, min_severity)}")
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
        lines += [f"    {_clean_text(p['path'])}: {_clean_text(p['problem'])}" for p in problems]
    return "\n".join(lines).rstrip() + "\n"


# Markdown.


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
    header = [_plural(len(runs), "run"), *(escape_markdown(c) for c in context)]
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
            lines.append(_nothing_flagged(run, min_severity).capitalize() + ".")
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


def _side_text(d: TagDiagnosis | None) -> str:
    if d is None:
        return "not logged"
    ids = list(dict.fromkeys(v.id for v in d.verdicts))
    return f"{ICONS[d.status]} {', '.join(ids) if ids else d.status}"


def compare_to_text(a: str, b: str, rows: Sequence[TagComparison], color: bool = False) -> str:
    """The comparison of run ``a`` with reference run ``b`` as a terminal table: tags whose
    verdicts differ first, with the distance between the two runs' last distributions."""

    def paint(status: str, text: str) -> str:
        return f"{_ANSI[status]}{text}{_RESET}" if color and status in _ANSI else text

    differ = sum(1 for r in rows if r.verdicts_differ)
    lines = [
        f"{_clean_text(a)} vs {_clean_text(b)} (reference): "
        f"{differ} of {_plural(len(rows), 'tag')} have different verdicts",
        "",
    ]
    cells = [
        (
            _clean_text(r.tag),
            _side_text(r.a),
            _side_text(r.b),
            format_number(r.distance),
            r,
        )
        for r in rows
    ]
    head = ("tag", f"A: {_clean_text(a)}", f"B: {_clean_text(b)}", "distance")
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


def compare_to_markdown(a: str, b: str, rows: Sequence[TagComparison]) -> str:
    """The comparison of run ``a`` with reference run ``b`` as a Markdown table."""
    differ = sum(1 for r in rows if r.verdicts_differ)
    lines = [
        "# Histogram diagnostics: comparison",
        "",
        f"{escape_markdown(a)} vs {escape_markdown(b)} (reference) — {differ} of "
        f"{_plural(len(rows), 'tag')} have different verdicts — by tb\\_histdiag",
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
                    escape_markdown(_side_text(r.a)),
                    escape_markdown(_side_text(r.b)),
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
