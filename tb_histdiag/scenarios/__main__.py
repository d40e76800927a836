"""``python -m tb_histdiag.scenarios OUTDIR``: write the demo/test scenarios as TensorBoard runs."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from . import FORMATS, SCENARIOS, write_scenario


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, write the runs, print one line per run; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m tb_histdiag.scenarios",
        description=(
            "Train small numpy MLPs and CNNs for real and log their histograms as TensorBoard runs "
            "OUTDIR/<scenario>_<format>. Existing runs of the same name are replaced."
        ),
    )
    parser.add_argument("outdir", nargs="?", help="directory to write the runs into")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        metavar="NAME",
        help=f"scenario to write (repeatable; default all: {', '.join(SCENARIOS)})",
    )
    parser.add_argument(
        "--format",
        action="append",
        choices=FORMATS,
        help="on-disk format (repeatable; default both)",
    )
    parser.add_argument("--steps", type=int, help="logged steps per run (default 100)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument(
        "--corpus",
        action="store_true",
        help="write the whole labelled corpus instead (numpy scenarios, their held-out variants "
        "and, if torch is installed, the PyTorch families), as make eval does",
    )
    parser.add_argument("--jobs", type=int, default=2, help="processes for --corpus (default 2)")
    args = parser.parse_args(argv)

    if args.corpus:
        if args.outdir is None:
            parser.error("OUTDIR is required")
        from .corpus import generate_corpus

        start = time.perf_counter()
        written = generate_corpus(args.outdir, jobs=args.jobs, steps=args.steps, progress=True)
        print(f"wrote {len(written)} runs to {args.outdir} in {time.perf_counter() - start:.1f} s")
        return 0
    if args.list:
        for scen in SCENARIOS.values():
            print(f"{scen.name}: {scen.description}")
        return 0
    if args.outdir is None:
        parser.error("OUTDIR is required")
    if args.steps is not None and args.steps < 1:
        parser.error("--steps must be at least 1")

    start = time.perf_counter()
    count = 0
    try:
        for name in args.scenario or list(SCENARIOS):
            for result in write_scenario(
                name, args.outdir, formats=args.format or FORMATS, steps=args.steps
            ):
                print(result.summary(), flush=True)
                count += 1
    except RuntimeError as err:  # a missing optional writer (tensorboardX)
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {count} runs to {args.outdir} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
