"""Scoring the engine against the labelled corpus: per verdict id, TP / FP / FN.

Two label styles, one scoring:

* numpy scenarios (:mod:`.catalog`) label tags by layer and histogram kind: ``Expect`` says a
  verdict must be on a tag (``present=True``) or must not be (``present=False``); ``LayerExpect``
  and the run-level lists do the same for layer and run verdicts;
* PyTorch families (:mod:`.torch_catalog`) label tags by regular expression (``TagLabel``), layers
  by ``LayerLabel`` and runs by verdict id. A pattern that matches no tag (or layer) of the run is
  a defect of the label, reported as ``unmatched``.

A ``clean`` run may carry no warning or critical verdict anywhere; each one is a false positive.
Verdicts on tags with no label either way are left to the engine's judgement and not scored.

Every labelled run belongs to a part of the corpus (``tuning`` or ``heldout``, see
:mod:`.corpus`); thresholds may only be tuned on the tuning part.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from tb_histdiag.results import RunDiagnosis

from .catalog import HELDOUT_SCENARIOS, SCENARIOS, Scenario
from .torch_catalog import TORCH_SCENARIOS, TUNING, TorchScenario, part_of

#: The held-out targets of issue 13: per labelled class, and no healthy run flagged.
MIN_RECALL = 0.95
MIN_PRECISION = 0.95


@dataclasses.dataclass(frozen=True)
class Finding:
    """One scored (run, place, verdict) triple; ``kind`` is ``tp``, ``fp`` or ``fn``.

    For ``tp`` and ``fp`` the verdict the engine gave is described by ``severity``, ``title`` and
    ``summary``; for ``fn``, ``got`` lists the verdict ids the place got instead.
    """

    kind: str
    run: str
    where: str
    verdict: str
    severity: str = ""
    title: str = ""
    summary: str = ""
    got: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Expectations:
    """What one run's labels ask for, resolved to the run's tag and layer names."""

    present_tags: Mapping[str, frozenset[str]]
    absent_tags: Mapping[str, frozenset[str]]
    present_layers: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    absent_layers: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    run_present: tuple[str, ...] = ()
    run_absent: tuple[str, ...] = ()
    clean: bool = False
    unmatched: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class LabelledRun:
    """One run of the corpus with its labels: a numpy scenario in one format, or a torch variant."""

    run: str
    part: str
    family: str
    source: str
    numpy: Scenario | None = None
    fmt: str = ""
    torch: TorchScenario | None = None
    variant: int = 0

    @property
    def clean(self) -> bool:
        """Whether the run is labelled healthy (no warning or critical verdict anywhere)."""
        scen = self.numpy if self.numpy is not None else self.torch
        return bool(scen is not None and scen.clean)

    def expectations(self, run: RunDiagnosis) -> Expectations:
        """The labels resolved against the diagnosed run's tag and layer names."""
        if self.numpy is not None:
            scen, fmt = self.numpy, self.fmt
            return Expectations(
                scen.expected_tags(fmt, present=True),
                scen.expected_tags(fmt, present=False),
                scen.expected_layers(fmt, present=True),
                scen.expected_layers(fmt, present=False),
                tuple(scen.run_verdicts),
                tuple(scen.run_absent),
                scen.clean,
            )
        assert self.torch is not None
        return torch_expectations(
            self.torch,
            self.variant,
            [t.tag for t in run.tags],
            [layer.layer for layer in run.layers],
        )


def torch_expectations(
    scen: TorchScenario, variant: int, tags: Iterable[str], layers: Iterable[str] = ()
) -> Expectations:
    """A torch variant's labels resolved against tag and layer names (unmatched patterns kept)."""
    tags, layers = list(tags), list(layers)
    found: dict[bool, dict[str, set[str]]] = {True: {}, False: {}}
    found_layers: dict[bool, dict[str, set[str]]] = {True: {}, False: {}}
    unmatched = []
    for label in scen.variant_labels(variant):
        hits = [t for t in tags if label.matches(t)]
        if not hits:
            unmatched.append(f"tag /{label.pattern}/ ({label.verdict})")
        for tag in hits:
            found[label.present].setdefault(tag, set()).add(label.verdict)
    for label in scen.layer_labels:
        hits = [name for name in layers if label.matches(name)]
        if not hits:
            unmatched.append(f"layer /{label.pattern}/ ({label.verdict})")
        for name in hits:
            found_layers[label.present].setdefault(name, set()).add(label.verdict)

    def frozen(d: dict[str, set[str]]) -> dict[str, frozenset[str]]:
        return {k: frozenset(v) for k, v in d.items()}

    return Expectations(
        frozen(found[True]),
        frozen(found[False]),
        frozen(found_layers[True]),
        frozen(found_layers[False]),
        tuple(scen.variant_run_verdicts(variant)),
        tuple(scen.run_absent),
        scen.clean,
        tuple(unmatched),
    )


def labelled_runs(include_torch: bool = True) -> list[LabelledRun]:
    """Every labelled run of the corpus (numpy scenarios, their variants, torch), in a stable
    order; the part of a variant follows its index (:func:`.torch_catalog.part_of`)."""
    out = [
        LabelledRun(s.run_name(fmt), TUNING, s.name, "numpy", numpy=s, fmt=fmt)
        for s in SCENARIOS.values()
        for fmt in s.formats
    ]
    out += [
        LabelledRun(
            s.run_name(fmt), part_of(s.variant), s.variant_of or s.name, "numpy", numpy=s, fmt=fmt
        )
        for s in HELDOUT_SCENARIOS.values()
        for fmt in s.formats
    ]
    if include_torch:
        out += [
            LabelledRun(s.run_name(k), part_of(k), f"torch_{s.name}", "torch", torch=s, variant=k)
            for s in TORCH_SCENARIOS.values()
            for k in range(len(s.variants))
        ]
    return out


def _describe(v: object) -> dict[str, str]:
    return {
        "severity": getattr(v, "severity", ""),
        "title": getattr(v, "title", ""),
        "summary": getattr(v, "summary", ""),
    }


def score_expectations(expect: Expectations, run: RunDiagnosis) -> list[Finding]:
    """Score one diagnosed run against resolved expectations."""
    tag_verdicts = {t.tag: {v.id: v for v in t.verdicts} for t in run.tags}
    out = []
    for tag, ids in expect.present_tags.items():
        got = tag_verdicts.get(tag, {})
        for verdict in sorted(ids):
            if verdict in got:
                out.append(Finding("tp", run.run, tag, verdict, **_describe(got[verdict])))
            else:
                out.append(Finding("fn", run.run, tag, verdict, got=tuple(sorted(got))))
    for tag, ids in expect.absent_tags.items():
        got = tag_verdicts.get(tag, {})
        for verdict in sorted(ids & set(got)):
            out.append(Finding("fp", run.run, tag, verdict, **_describe(got[verdict])))
    layer_verdicts = {layer.layer: {v.id: v for v in layer.verdicts} for layer in run.layers}
    for name, ids in expect.present_layers.items():
        got = layer_verdicts.get(name, {})
        for verdict in sorted(ids):
            where = f"(layer {name})"
            if verdict in got:
                out.append(Finding("tp", run.run, where, verdict, **_describe(got[verdict])))
            else:
                out.append(Finding("fn", run.run, where, verdict, got=tuple(sorted(got))))
    for name, ids in expect.absent_layers.items():
        got = layer_verdicts.get(name, {})
        for verdict in sorted(ids & set(got)):
            out.append(
                Finding("fp", run.run, f"(layer {name})", verdict, **_describe(got[verdict]))
            )
    run_verdicts = {v.id: v for v in run.verdicts}
    for verdict in expect.run_present:
        if verdict in run_verdicts:
            out.append(Finding("tp", run.run, "(run)", verdict, **_describe(run_verdicts[verdict])))
        else:
            out.append(Finding("fn", run.run, "(run)", verdict, got=tuple(sorted(run_verdicts))))
    for verdict in sorted(set(expect.run_absent) & set(run_verdicts)):
        out.append(Finding("fp", run.run, "(run)", verdict, **_describe(run_verdicts[verdict])))
    if expect.clean:
        seen = {(f.where, f.verdict) for f in out if f.kind == "fp"}
        for where, v in flagged_verdicts(run):
            if (where, v.id) not in seen:
                out.append(Finding("fp", run.run, where, v.id, **_describe(v)))
    return out


def flagged_verdicts(run: RunDiagnosis) -> list[tuple[str, object]]:
    """Every warning or critical verdict of a run as ``(place, verdict)``."""
    found = [(t.tag, v) for t in run.tags for v in t.verdicts]
    found += [(f"(layer {layer.layer})", v) for layer in run.layers for v in layer.verdicts]
    found += [("(run)", v) for v in run.verdicts]
    return [(where, v) for where, v in found if v.severity in ("warning", "critical")]


def score_run(scenario: Scenario, fmt: str, run: RunDiagnosis) -> list[Finding]:
    """Score one diagnosed run of a numpy ``scenario`` written in format ``fmt``."""
    labelled = LabelledRun(run.run, TUNING, scenario.name, "numpy", numpy=scenario, fmt=fmt)
    return score_expectations(labelled.expectations(run), run)


def score(
    runs: Mapping[str, RunDiagnosis],
    part: str | None = None,
    corpus: Iterable[LabelledRun] | None = None,
) -> list[Finding]:
    """Score every labelled run present in ``runs`` (keyed by run name).

    Args:
        runs: diagnosed runs by name.
        part: ``tuning`` or ``heldout`` to score one part only (default: every run).
        corpus: the labelled runs (default :func:`labelled_runs`).
    """
    out = []
    for labelled in labelled_runs() if corpus is None else corpus:
        if part is not None and labelled.part != part:
            continue
        run = runs.get(labelled.run)
        if run is not None:
            out.extend(score_expectations(labelled.expectations(run), run))
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


def target_failures(rows: Iterable[Mapping[str, object]], flagged_healthy: int) -> list[str]:
    """Which of issue 13's targets a score table misses (empty when all are met)."""
    failures = []
    for row in rows:
        recall, precision = row["recall"], row["precision"]
        if recall is not None and recall < MIN_RECALL:  # type: ignore[operator]
            failures.append(f"{row['verdict']}: recall {recall:.2f} < {MIN_RECALL}")
        if precision is not None and precision < MIN_PRECISION:  # type: ignore[operator]
            failures.append(f"{row['verdict']}: precision {precision:.2f} < {MIN_PRECISION}")
    if flagged_healthy:
        failures.append(f"{flagged_healthy} healthy run(s) with a warning or critical verdict")
    return failures
