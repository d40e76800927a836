"""Scoring the engine against the labelled scenarios: per verdict id, TP / FP / FN.

A label says a verdict must be on a tag (``Expect(present=True)``) or must not be
(``present=False``); layer-level labels (``LayerExpect``, e.g. ``bias_only``) and run-level labels
do the same for layer and run verdicts; and a ``clean`` scenario
may carry no warning or critical verdict anywhere. Verdicts on tags with no label either way are
left to the engine's judgement and not scored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from tb_histdiag.model import RunDiagnosis

from .catalog import SCENARIOS, Scenario
from .writers import FORMATS


@dataclasses.dataclass(frozen=True)
class Finding:
    """One scored (run, place, verdict) triple; ``kind`` is ``tp``, ``fp`` or ``fn``."""

    kind: str
    run: str
    where: str
    verdict: str


def score_run(scenario: Scenario, fmt: str, run: RunDiagnosis) -> list[Finding]:
    """Score one diagnosed run of ``scenario`` written in format ``fmt``."""
    found = {t.tag: {v.id for v in t.verdicts} for t in run.tags}
    out = []
    for tag, ids in scenario.expected_tags(fmt, present=True).items():
        for verdict in sorted(ids):
            kind = "tp" if verdict in found.get(tag, set()) else "fn"
            out.append(Finding(kind, run.run, tag, verdict))
    for tag, ids in scenario.expected_tags(fmt, present=False).items():
        for verdict in sorted(ids & found.get(tag, set())):
            out.append(Finding("fp", run.run, tag, verdict))
    layers = {layer.layer: {v.id for v in layer.verdicts} for layer in run.layers}
    for name, ids in scenario.expected_layers(fmt, present=True).items():
        for verdict in sorted(ids):
            kind = "tp" if verdict in layers.get(name, set()) else "fn"
            out.append(Finding(kind, run.run, f"(layer {name})", verdict))
    for name, ids in scenario.expected_layers(fmt, present=False).items():
        for verdict in sorted(ids & layers.get(name, set())):
            out.append(Finding("fp", run.run, f"(layer {name})", verdict))
    run_ids = {v.id for v in run.verdicts}
    for verdict in scenario.run_verdicts:
        out.append(Finding("tp" if verdict in run_ids else "fn", run.run, "(run)", verdict))
    for verdict in sorted(set(scenario.run_absent) & run_ids):
        out.append(Finding("fp", run.run, "(run)", verdict))
    if scenario.clean:
        seen = {(f.where, f.verdict) for f in out if f.kind == "fp"}
        flagged = [(t.tag, v) for t in run.tags for v in t.verdicts]
        flagged += [(f"(layer {layer.layer})", v) for layer in run.layers for v in layer.verdicts]
        flagged += [("(run)", v) for v in run.verdicts]
        for where, v in flagged:
            if v.severity in ("warning", "critical") and (where, v.id) not in seen:
                out.append(Finding("fp", run.run, where, v.id))
    return out


def score(runs: Mapping[str, RunDiagnosis]) -> list[Finding]:
    """Score every scenario run present in ``runs`` (keyed by run name)."""
    out = []
    for scenario in SCENARIOS.values():
        for fmt in FORMATS:
            run = runs.get(scenario.run_name(fmt))
            if run is not None:
                out.extend(score_run(scenario, fmt, run))
    return out


def table(findings: Iterable[Finding]) -> list[dict[str, object]]:
    """Per verdict id: tp, fp, fn, precision and recall (None when undefined)."""
    counts: dict[str, dict[str, int]] = {}
    for f in findings:
        counts.setdefault(f.verdict, {"tp": 0, "fp": 0, "fn": 0})[f.kind] += 1
    rows = []
    for verdict in sorted(counts):
        c = counts[verdict]
        found, labelled = c["tp"] + c["fp"], c["tp"] + c["fn"]
        rows.append(
            {
                "verdict": verdict,
                **c,
                "precision": c["tp"] / found if found else None,
                "recall": c["tp"] / labelled if labelled else None,
            }
        )
    return rows
