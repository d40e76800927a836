"""The words and numbers every report format shares: status icons, number and step formats,
the loss and logging sentences, which tags and findings a run section shows.

Run and tag names are untrusted text (directory names, user code), and so is everything derived
from them: :func:`clean_text` makes a string one safe line; each format escapes it further
(:mod:`~tb_histdiag.reports.markdown`, :mod:`~tb_histdiag.reports.html`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from tb_histdiag.results import DISPLAY_ORDER, Diagnosis, RunDiagnosis, TagDiagnosis, Verdict

#: Statuses in the order a report lists them: worst first.
STATUS_ORDER = DISPLAY_ORDER
ICONS = {"critical": "✖", "warning": "⚠", "info": "ℹ", "ok": "✔", "unknown": "?"}
MISSING = "—"
_RANGE = "–"


def clean_text(text: object) -> str:
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


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def nothing_flagged(run: RunDiagnosis, min_severity: str | None) -> str:
    if min_severity is not None:
        return f"nothing at or above {min_severity}"
    if len(run.tags) == 1:
        return "its one histogram tag looks healthy"
    return f"all {plural(len(run.tags), 'histogram tag')} look healthy"


def summary_line(diagnosis: Diagnosis) -> str:
    """``28 runs: 10 critical, 8 warning, 2 info, 8 ok``."""
    by_status = {s: 0 for s in STATUS_ORDER}
    for run in diagnosis.runs:
        by_status[run.status] += 1
    parts = ", ".join(f"{by_status[s]} {s}" for s in STATUS_ORDER if by_status[s])
    return f"{plural(len(diagnosis.runs), 'run')}: {parts or 'none'}"


# Text.


def side_text(d: TagDiagnosis | None) -> str:
    if d is None:
        return "not logged"
    ids = list(dict.fromkeys(v.id for v in d.verdicts))
    return f"{ICONS[d.status]} {', '.join(ids) if ids else d.status}"
