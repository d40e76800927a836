"""What to diagnose: filters on run and tag names and on roles, and the severity cut of a result.

The Python API (:func:`tb_histdiag.diagnose`) and the command line select with these.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from typing import Union

from tb_histdiag.engine.roles import ROLES
from tb_histdiag.errors import InputError
from tb_histdiag.results import Diagnosis
from tb_histdiag.severity import SEVERITIES, severity_at_least

#: A filter on run or tag names: a regular expression searched in the name (like TensorBoard's
#: filters), a collection of exact names, or a predicate.
NameFilter = Union[None, str, "re.Pattern[str]", Iterable[str], Callable[[str], bool]]


def name_filter(spec: NameFilter, what: str) -> Callable[[str], bool] | None:
    """A predicate on names from a regex, a collection of exact names or a predicate."""
    if spec is None:
        return None
    if isinstance(spec, str):
        try:
            pattern = re.compile(spec)
        except re.error as e:
            raise InputError(f"invalid {what} regex {spec!r}: {e}") from None
        return lambda name: pattern.search(name) is not None
    if isinstance(spec, re.Pattern):
        return lambda name: spec.search(name) is not None
    if callable(spec):
        return spec
    names = frozenset(spec)
    return names.__contains__


def exact_names(spec: NameFilter) -> tuple[str, ...]:
    """The names of a filter given as a collection of exact names (empty for other filters)."""
    if spec is None or isinstance(spec, (str, re.Pattern)) or callable(spec):
        return ()
    return tuple(spec)


def describe(spec: NameFilter) -> str:
    if isinstance(spec, str):
        return repr(spec)
    if isinstance(spec, re.Pattern):
        return repr(spec.pattern)
    return "given"


def role_filter(roles: str | Iterable[str] | None) -> frozenset[str] | None:
    if roles is None:
        return None
    wanted = frozenset([roles] if isinstance(roles, str) else roles)
    unknown = sorted(wanted - set(ROLES))
    if unknown:
        raise InputError(f"unknown role(s) {', '.join(unknown)} (roles: {', '.join(ROLES)})")
    return wanted


def at_least(diagnosis: Diagnosis, min_severity: str | None) -> Diagnosis:
    """Keep the tags with a verdict at or above ``min_severity``, and the run and layer verdicts
    at or above it (a kept tag keeps all its verdicts). Runs stay, possibly without tags."""
    if min_severity is None:
        return diagnosis
    if min_severity not in SEVERITIES:
        raise InputError(f"unknown severity {min_severity!r} (severities: {', '.join(SEVERITIES)})")

    def enough(verdicts: Iterable) -> tuple:
        return tuple(v for v in verdicts if severity_at_least(v.severity, min_severity))

    runs = []
    for run in diagnosis.runs:
        tags = tuple(t for t in run.tags if enough(t.verdicts))
        kept = {t.tag for t in tags}
        layers = (
            dataclasses.replace(
                layer,
                tags=tuple(t for t in layer.tags if t in kept),
                verdicts=enough(layer.verdicts),
            )
            for layer in run.layers
        )
        runs.append(
            dataclasses.replace(
                run,
                tags=tags,
                layers=tuple(layer for layer in layers if layer.tags or layer.verdicts),
                verdicts=enough(run.verdicts),
            )
        )
    return dataclasses.replace(diagnosis, runs=tuple(runs))
