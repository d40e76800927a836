"""``make eval``: score the engine on the labelled corpus, per verdict id, held-out part first.

The corpus (real training: the numpy scenarios in their on-disk formats, their variants and the
PyTorch families; see ``tb_histdiag/scenarios/corpus.py``) is generated once into
``.cache/corpus`` and regenerated when the scenario code changes. Variants 0-2 of every scenario
and family are the tuning part, variants 3 and up the held-out part. The report shows, for the
chosen part (default: the held-out part, which thresholds must not be tuned on), per verdict
class TP, FP, FN, precision and recall; the healthy runs that got any warning or critical
verdict; every false positive and every missed label with the verdicts involved. The exit code
is 1 when a target of issue 13 is missed on the held-out part (recall or precision below 0.95
for a class, a healthy run flagged, a label that matches no tag), or on the tuning part with
``--part tuning``.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sys
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, ".cache", "corpus")
LOCK = os.path.join(ROOT, ".cache", "corpus.lock")
PARTS = ("heldout", "tuning")
#: Issue 17's target: the cause of a weight-only run is named in at least 90% of the runs.
MIN_CAUSE_RECALL = 0.9


@contextlib.contextmanager
def corpus_lock():
    """Hold the corpus for this process: a second ``make eval`` in the same tree waits instead of
    regenerating the corpus under the first one's reader."""
    os.makedirs(os.path.dirname(LOCK), exist_ok=True)
    with open(LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("waiting for another make eval in this tree ...", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _source_hash(include_torch: bool) -> str:
    digest = hashlib.sha256(f"torch={include_torch}".encode())
    folder = os.path.join(ROOT, "tb_histdiag", "scenarios")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py") and name not in ("evaluate.py", "weight_only.py"):
            with open(os.path.join(folder, name), "rb") as f:
                digest.update(name.encode() + f.read())
    return digest.hexdigest()[:16]


def corpus(jobs: int = 2) -> str:
    """Path of the generated corpus, (re)generating it when the scenario sources changed."""
    from tb_histdiag.scenarios.corpus import generate_corpus, torch_available

    include_torch = torch_available()
    if not include_torch:
        print(
            "warning: torch is not installed: the PyTorch families are left out "
            "(pip install torch==2.13.0, the CPU wheel)",
            file=sys.stderr,
        )
    stamp = os.path.join(CORPUS, ".source")
    wanted = _source_hash(include_torch)
    if os.path.exists(stamp):
        with open(stamp) as f:
            if f.read() == wanted:
                return CORPUS
    shutil.rmtree(CORPUS, ignore_errors=True)
    print(f"generating the corpus into {CORPUS} ({jobs} processes) ...", file=sys.stderr)
    started = time.perf_counter()
    written = generate_corpus(CORPUS, jobs=jobs, include_torch=include_torch)
    elapsed = time.perf_counter() - started
    with open(os.path.join(CORPUS, ".manifest.json"), "w") as f:
        json.dump([r.__dict__ for r in written], f, indent=1)
    with open(stamp, "w") as f:
        f.write(wanted)
    print(
        f"generated {len(written)} runs in {elapsed:.1f} s "
        f"(sum of per-run times {sum(r.seconds for r in written):.1f} s)",
        file=sys.stderr,
    )
    return CORPUS


def _pct(x: object) -> str:
    return "—" if x is None else f"{x:.2f}"


def _short(text: str, width: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def report_part(part: str, labelled: list, runs: dict, out: list, crashed: dict) -> list[str]:
    """Print one part's scores; returns the targets it misses."""
    from tb_histdiag.scenarios.evaluate import (
        flagged_verdicts,
        score_expectations,
        table,
        target_failures,
    )

    chosen = [lr for lr in labelled if lr.part == part]
    present = [lr for lr in chosen if lr.run in runs]
    missing = [lr.run for lr in chosen if lr.run not in runs and lr.run not in crashed]
    errors = {lr.run: crashed[lr.run] for lr in chosen if lr.run in crashed}
    findings, unmatched, healthy_flagged = [], [], {}
    for lr in present:
        run = runs[lr.run]
        expect = lr.expectations(run)
        findings.extend(score_expectations(expect, run))
        unmatched += [f"{lr.run}: {u}" for u in expect.unmatched]
        if lr.clean:
            flagged = flagged_verdicts(run)
            if flagged:
                healthy_flagged[lr.run] = flagged
    rows = table(findings)
    sources = {s: sum(1 for lr in present if lr.source == s) for s in ("numpy", "torch")}
    healthy = [lr for lr in present if lr.clean]
    print(
        f"\n=== {part} part: {len(present)} runs ({sources['numpy']} numpy, "
        f"{sources['torch']} torch), {sum(len(runs[lr.run].tags) for lr in present)} tags, "
        f"{len(findings)} scored labels"
    )
    if missing:
        print(f"  not in the corpus (not generated?): {', '.join(missing)}")
    if errors:
        print(f"  the engine raised on {len(errors)} runs (left out of the scores below):")
        for name, error in errors.items():
            print(f"    {name}: {_short(error, 200)}")
    print(f"{'verdict':<16} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}")
    for row in rows:
        print(
            f"{row['verdict']:<16} {row['tp']:>4} {row['fp']:>4} {row['fn']:>4} "
            f"{_pct(row['precision']):>9} {_pct(row['recall']):>7}"
        )
    print(
        f"\nhealthy runs: {len(healthy)}, with a warning or critical verdict: "
        f"{len(healthy_flagged)}"
    )
    for name, flagged in healthy_flagged.items():
        print(f"  {name}: {len(flagged)}")
        for where, v in flagged:
            print(f"    {where}: {v.id} ({v.severity}) {_short(v.title, 120)}")
    fps = [f for f in findings if f.kind == "fp"]
    fns = [f for f in findings if f.kind == "fn"]
    if fps:
        print(f"\nfalse positives ({len(fps)}):")
        for f in fps:
            print(f"  {f.run} / {f.where}: {f.verdict} ({f.severity}) {_short(f.title, 120)}")
            print(textwrap.indent(_short(f.summary), "      "))
    if fns:
        print(f"\nmissed labels ({len(fns)}):")
        for f in fns:
            got = ", ".join(f.got) if f.got else "nothing"
            print(f"  {f.run} / {f.where}: {f.verdict} — got {got}")
    if unmatched:
        print(f"\nlabels matching no tag ({len(unmatched)}):")
        for u in unmatched:
            print(f"  {u}")
    failures = target_failures(rows, len(healthy_flagged))
    failures += [f"label matches no tag: {u}" for u in unmatched]
    failures += [f"engine error on {name}" for name in errors]
    print(
        f"\n{part} targets (recall and precision >= 0.95 per class, no healthy run flagged): "
        + ("met" if not failures else f"missed ({len(failures)})")
    )
    for failure in failures:
        print(f"  {failure}")
    out.extend({"part": part, **f.__dict__} for f in findings)
    return failures


def report_causes(part: str, labelled: list, runs: dict) -> list[str]:
    """Print one part's cause recall on weight-only runs; returns the targets it misses."""
    from tb_histdiag.scenarios.weight_only import NOT_IN_WEIGHTS, recall_table, score_causes

    results = score_causes(runs, labelled, part)
    rows = recall_table(results)
    named = sum(r.named for r in results)
    recall = named / len(results) if results else None
    print(
        f"\n=== {part} part, weight-only runs (Keras' histogram_freq: weights and biases "
        f"only): causes named in {named} of {len(results)} runs, recall {_pct(recall)}"
    )
    print(f"{'cause':<16} {'runs':>4} {'named':>5} {'recall':>7}")
    for row in rows:
        print(f"{row['cause']:<16} {row['runs']:>4} {row['named']:>5} {_pct(row['recall']):>7}")
    for r in results:
        if not r.named:
            got = "; ".join(f"{tag}: {', '.join(ids) or 'nothing'}" for tag, ids in r.got)
            print(f"  not named: {r.run} ({r.verdict}) — {got}")
    print(
        "  not scored (the weights cannot show them): "
        + ", ".join(f"{name} ({why})" for name, why in NOT_IN_WEIGHTS.items())
    )
    if recall is not None and recall < MIN_CAUSE_RECALL:
        return [f"weight-only cause recall {recall:.2f} < {MIN_CAUSE_RECALL}"]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--part",
        choices=(*PARTS, "all"),
        default="heldout",
        help="which part of the corpus to report (default heldout; thresholds are tuned on "
        "tuning only)",
    )
    parser.add_argument(
        "--max-steps",
        type=int,
        default=0,
        metavar="N",
        help="read only N of each tag's logged steps, sampled by TensorBoard's provider as it "
        "does for its own views (default 0: all): how robust the verdicts are to sampling",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="processes generating the corpus (default 2)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write every finding as JSON")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="score the corpus already generated, even if the scenario sources changed since",
    )
    args = parser.parse_args(argv)
    with corpus_lock():
        return evaluate(args)


def evaluate(args: argparse.Namespace) -> int:
    """Generate (if needed), diagnose and report; returns the exit code."""
    logdir = CORPUS if args.reuse and os.path.isdir(CORPUS) else corpus(args.jobs)
    from tensorboard import context

    from tb_histdiag.engine.diagnosis import Diagnoser
    from tb_histdiag.reading.providers import logdir_provider
    from tb_histdiag.reading.reader import HistogramReader
    from tb_histdiag.scenarios.corpus import torch_available
    from tb_histdiag.scenarios.evaluate import labelled_runs

    started = time.perf_counter()
    reader = HistogramReader(logdir_provider(logdir))
    if args.max_steps > 0:
        reader.max_steps = args.max_steps
    diagnoser = Diagnoser(reader)
    ctx = context.RequestContext()
    crashed: dict[str, str] = {}
    try:
        runs = {run.run: run for run in diagnoser.diagnose(ctx, "").runs}
    except Exception:  # an engine error on some run: diagnose run by run to find which
        runs = {}
        for name in sorted(reader.index(ctx, "")):
            try:
                (run,) = diagnoser.diagnose(ctx, "", runs=lambda r, name=name: r == name).runs
                runs[name] = run
            except Exception as err:
                crashed[name] = f"{type(err).__name__}: {err}"
    print(f"diagnosed {len(runs)} runs in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    labelled = labelled_runs(include_torch=torch_available())
    parts = PARTS if args.part == "all" else (args.part,)
    findings: list = []
    failures = {part: report_part(part, labelled, runs, findings, crashed) for part in parts}
    for part in parts:
        failures[part] += report_causes(part, labelled, runs)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(findings, f, indent=1)
    gate = "tuning" if args.part == "tuning" else "heldout"
    return 1 if failures[gate] else 0


if __name__ == "__main__":
    sys.exit(main())
