"""``make eval``: score the engine on the labelled scenario corpus, per verdict id.

The corpus (every scenario in both on-disk formats, real numpy training) is generated once into
``.cache/corpus`` and regenerated when the scenario code changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, ".cache", "corpus")


def _source_hash() -> str:
    digest = hashlib.sha256()
    folder = os.path.join(ROOT, "tb_histdiag", "scenarios")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py") and name != "evaluate.py":
            with open(os.path.join(folder, name), "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()[:16]


def corpus() -> str:
    """Path of the generated corpus, (re)generating it when the scenario sources changed."""
    from tb_histdiag import scenarios

    stamp = os.path.join(CORPUS, ".source")
    wanted = _source_hash()
    if os.path.exists(stamp):
        with open(stamp) as f:
            if f.read() == wanted:
                return CORPUS
    shutil.rmtree(CORPUS, ignore_errors=True)
    started = time.perf_counter()
    scenarios.generate(CORPUS)
    with open(stamp, "w") as f:
        f.write(wanted)
    print(f"generated the corpus in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return CORPUS


def main(argv: list[str] | None = None) -> int:
    import argparse

    from tensorboard import context

    from tb_histdiag.diagnosis import Diagnoser
    from tb_histdiag.scenarios.evaluate import score, table
    from tb_histdiag.series import HistogramReader, logdir_provider

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--max-steps",
        type=int,
        default=0,
        metavar="N",
        help="read only N of each tag's logged steps, sampled by TensorBoard's provider as it "
        "does for its own views (default 0: all): how robust the verdicts are to sampling",
    )
    args = parser.parse_args(argv)
    logdir = corpus()
    reader = HistogramReader(logdir_provider(logdir))
    if args.max_steps > 0:
        reader.max_steps = args.max_steps
    result = Diagnoser(reader).diagnose(context.RequestContext(), "")
    runs = {run.run: run for run in result.runs}
    findings = score(runs)
    rows = table(findings)

    def pct(x: object) -> str:
        return "—" if x is None else f"{x:.2f}"

    print(f"{'verdict':<16} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}")
    for row in rows:
        print(
            f"{row['verdict']:<16} {row['tp']:>4} {row['fp']:>4} {row['fn']:>4} "
            f"{pct(row['precision']):>9} {pct(row['recall']):>7}"
        )
    from tb_histdiag.scenarios import FORMATS, SCENARIOS

    healthy_runs = [s.run_name(f) for s in SCENARIOS.values() if s.clean for f in FORMATS]
    healthy_tags = [t for name in healthy_runs if name in runs for t in runs[name].tags]
    flagged = [t for t in healthy_tags if t.status in ("warning", "critical")]
    print(
        f"\nhealthy runs: {len(healthy_runs)}, tags: {len(healthy_tags)}, "
        f"with a warning or critical verdict: {len(flagged)}"
    )
    for f in findings:
        if f.kind != "tp":
            print(f"  {f.kind.upper()}: {f.run} / {f.where}: {f.verdict}")
    failed = any(f.kind != "tp" for f in findings) or flagged
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
