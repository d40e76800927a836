"""What a watch reports: a :class:`Finding` (a verdict that appeared, changed severity or went
away) and the :class:`WatchStatus` of the last look; their JSON form is
``tb_histdiag/finding/v1``. Built by :class:`tb_histdiag.watch.Watcher`."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator, Mapping

from tb_histdiag.results import RunDiagnosis, Verdict, severity_at_least

#: Schema of a finding's JSON form (one JSON object per line in ``tb-histdiag watch --format json``).
FINDING_SCHEMA = "tb_histdiag/finding/v1"

#: What a finding reports: a verdict that appeared, changed severity, or went away.
EVENTS = ("new", "changed", "resolved")


@dataclasses.dataclass(frozen=True)
class Finding:
    """A verdict that appeared (``new``), changed severity (``changed``) or went away
    (``resolved``) between two polls.

    ``scope`` is ``tag``, ``layer`` or ``run``, and ``name`` the tag, layer or run the verdict is
    about. ``verdict`` is the verdict as last seen (for ``resolved``, as it was before it went
    away). ``time`` is when the watcher noticed it (seconds since the epoch).
    """

    event: str
    run: str
    scope: str
    name: str
    verdict: Verdict
    time: float
    previous_severity: str | None = None

    @property
    def id(self) -> str:
        """The verdict id (``nonfinite``, ``frozen``, …)."""
        return self.verdict.id

    @property
    def severity(self) -> str:
        """The verdict's severity (``info``, ``warning`` or ``critical``)."""
        return self.verdict.severity

    @property
    def first_step(self) -> int | None:
        """The first logged step where the verdict shows (None when it names no step)."""
        return int(self.verdict.steps[0]) if self.verdict.steps else None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What identifies a finding across polls: run, scope, name and verdict id."""
        return (self.run, self.scope, self.name, self.verdict.id)

    def to_dict(self) -> dict[str, object]:
        """The finding's JSON form (schema :data:`FINDING_SCHEMA`)."""
        return {
            "schema": FINDING_SCHEMA,
            "event": self.event,
            "time": _iso(self.time),
            "run": self.run,
            "scope": self.scope,
            "name": self.name,
            "id": self.verdict.id,
            "severity": self.verdict.severity,
            "previous_severity": self.previous_severity,
            "first_step": self.first_step,
            "verdict": self.verdict.to_dict(),
        }

    def describe(self) -> str:
        """One line in words: ``critical nonfinite in run 'a', tag 'fc1.weight' from step 30:
        <title>``."""
        where = f"run {self.run!r}" if self.scope == "run" else f"{self.scope} {self.name!r}"
        if self.scope != "run":
            where = f"run {self.run!r}, {where}"
        step = "" if self.first_step is None else f" from step {self.first_step}"
        what = {"new": "", "changed": f" (was {self.previous_severity})", "resolved": ""}[
            self.event
        ]
        prefix = "resolved: " if self.event == "resolved" else ""
        return (
            f"{prefix}{self.severity}{what} {self.verdict.id} in {where}{step}: "
            f"{self.verdict.title}"
        )


def _iso(seconds: float) -> str:
    stamp = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    return stamp.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclasses.dataclass(frozen=True)
class WatchStatus:
    """What the last poll saw: runs and series diagnosed, the last step logged anywhere, the
    runs that appeared or vanished, how many series had to be diagnosed (the rest came from the
    cache), and how long the poll took."""

    polls: int = 0
    runs: int = 0
    series: int = 0
    last_step: int | None = None
    open_findings: Mapping[str, int] = dataclasses.field(default_factory=dict)
    runs_added: tuple[str, ...] = ()
    runs_removed: tuple[str, ...] = ()
    diagnosed_series: int = 0
    rereads: tuple[str, ...] = ()
    seconds: float = 0.0


def findings_of(run: RunDiagnosis, min_severity: str | None) -> Iterator[tuple[str, str, Verdict]]:
    """``(scope, name, verdict)`` of every verdict of a run at or above ``min_severity``."""
    for v in run.verdicts:
        if severity_at_least(v.severity, min_severity):
            yield "run", run.run, v
    for layer in run.layers:
        for v in layer.verdicts:
            if severity_at_least(v.severity, min_severity):
                yield "layer", layer.layer, v
    for tag in run.tags:
        for v in tag.verdicts:
            if severity_at_least(v.severity, min_severity):
                yield "tag", tag.tag, v
