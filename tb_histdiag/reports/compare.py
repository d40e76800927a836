"""Comparing two runs tag by tag: which verdicts differ, and how far apart the distributions are.

The distance between two runs' versions of a tag is the Wasserstein-1 distance between their
last logged distributions, relative to the spread of run B's (the reference, e.g. the healthy
run). Rows whose verdicts differ come first, then the most distant.
"""

from __future__ import annotations

import dataclasses

from tb_histdiag.engine.stats import w1
from tb_histdiag.results import RunDiagnosis, TagDiagnosis, plain
from tb_histdiag.severity import SEVERITIES, severity_at_least


@dataclasses.dataclass(frozen=True)
class TagComparison:
    """One tag present in both runs (or in one only: the other side is ``None``)."""

    tag: str
    a: TagDiagnosis | None
    b: TagDiagnosis | None
    distance: float | None
    std_ratio: float | None

    @property
    def verdicts_differ(self) -> bool:
        """True when the two runs do not have the same set of verdict ids on this tag."""
        ids = [set() if d is None else {v.id for v in d.verdicts} for d in (self.a, self.b)]
        return ids[0] != ids[1]

    def to_dict(self) -> dict[str, object]:
        """Return the row's JSON form."""

        def side(d: TagDiagnosis | None) -> dict[str, object] | None:
            if d is None:
                return None
            return {
                "status": d.status,
                "verdicts": [v.id for v in d.verdicts],
                "titles": [v.title for v in d.verdicts],
                "movement": plain(d.movement),
                "last_std": plain(d.last_std),
            }

        return {
            "tag": self.tag,
            "layer": (self.a or self.b).layer,
            "role": (self.a or self.b).role,
            "a": side(self.a),
            "b": side(self.b),
            "verdicts_differ": self.verdicts_differ,
            "distance": plain(self.distance),
            "std_ratio": plain(self.std_ratio),
        }


def _distance(a: TagDiagnosis, b: TagDiagnosis) -> tuple[float | None, float | None]:
    if not a.last_quantiles or not b.last_quantiles:
        return None, None
    distance_w1 = float(w1(a.last_quantiles, b.last_quantiles))
    scale = b.last_std if b.last_std else a.last_std
    distance = distance_w1 / scale if scale else (0.0 if distance_w1 == 0 else None)
    ratio = a.last_std / b.last_std if a.last_std is not None and b.last_std else None
    return distance, ratio


def _severity_rank(d: TagDiagnosis | None) -> int:
    if d is None or not d.verdicts:
        return -1
    return max(SEVERITIES.index(v.severity) for v in d.verdicts)


def compare_runs(
    a: RunDiagnosis, b: RunDiagnosis, min_severity: str | None = None
) -> list[TagComparison]:
    """Compare two diagnosed runs tag by tag, most telling differences first; with
    ``min_severity``, only the tags with a verdict at or above it on either side."""
    tags_a = {t.tag: t for t in a.tags}
    tags_b = {t.tag: t for t in b.tags}
    rows = []
    for tag in sorted(set(tags_a) | set(tags_b)):
        da, db = tags_a.get(tag), tags_b.get(tag)
        distance, ratio = _distance(da, db) if da and db else (None, None)
        rows.append(TagComparison(tag, da, db, distance, ratio))
    rows.sort(
        key=lambda r: (
            not r.verdicts_differ,
            -max(_severity_rank(r.a), _severity_rank(r.b)),
            -(r.distance if r.distance is not None else -1.0),
            r.tag,
        )
    )
    if min_severity:
        rows = [
            r
            for r in rows
            if any(
                severity_at_least(v.severity, min_severity)
                for d in (r.a, r.b)
                if d is not None
                for v in d.verdicts
            )
        ]
    return rows
