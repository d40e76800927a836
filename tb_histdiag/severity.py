"""Severities and statuses, and their order: one home for every module that ranks or filters
them (no numpy, so the command line can use it before anything heavy is imported)."""

from __future__ import annotations

#: Severities of verdicts, mildest first.
SEVERITIES = ("info", "warning", "critical")

#: Status of a tag, layer or run: the worst verdict's severity, ``ok`` or ``unknown``; mildest
#: first.
STATUSES = ("ok", "unknown", "info", "warning", "critical")

#: The order in which counts and reports list the statuses: the alarms first.
DISPLAY_ORDER = ("critical", "warning", "info", "ok", "unknown")


def severity_at_least(severity: str, level: str | None) -> bool:
    """Whether ``severity`` (or a status) is at or above the severity ``level`` (None: any)."""
    return level is None or (
        severity in SEVERITIES and SEVERITIES.index(severity) >= SEVERITIES.index(level)
    )
