"""The whole labelled corpus: every run, which part it belongs to, and how to write it.

Three sources, all real training:

* the numpy scenarios of :data:`.catalog.SCENARIOS` in all their formats (variant 0);
* their variants (:data:`.catalog.VARIANTS`, other seeds and small hyperparameter changes, fewer
  formats);
* the PyTorch families of :data:`.torch_catalog.TORCH_SCENARIOS`, in several variants each. These
  need torch (``pip install torch==2.13.0``, the CPU wheel); without it they are skipped and
  :func:`generate_corpus` says so.

Numpy and PyTorch alike, variants 0, 1 and 2 are the *tuning* part and variants 3 and up the
*held-out* part (:func:`.torch_catalog.part_of`).

:func:`generate_corpus` writes every run into one logdir, in parallel processes, and returns one
:class:`CorpusRun` per run directory written. Scoring lives in :mod:`.evaluate`.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .catalog import SCENARIOS, VARIANTS, Scenario
from .torch_catalog import TORCH_SCENARIOS, part_of

NUMPY = "numpy"
TORCH = "torch"


@dataclass(frozen=True)
class Job:
    """One unit of generation: a numpy scenario (all its formats) or one torch variant."""

    source: str
    name: str
    variant: int = 0

    @property
    def numpy_scenario(self) -> Scenario:
        """The numpy scenario or variant this job writes (numpy jobs only)."""
        return SCENARIOS.get(self.name) or VARIANTS[self.name]

    @property
    def part(self) -> str:
        """``tuning`` (variants 0-2) or ``heldout`` (variants 3 and up)."""
        if self.source == TORCH:
            return part_of(self.variant)
        return part_of(self.numpy_scenario.variant)

    @property
    def family(self) -> str:
        """The scenario or family the run belongs to (shared by its tuning and held-out runs)."""
        if self.source == TORCH:
            return f"torch_{self.name}"
        return self.numpy_scenario.variant_of or self.name

    def run_names(self) -> list[str]:
        """The run directories this job writes."""
        if self.source == TORCH:
            return [TORCH_SCENARIOS[self.name].run_name(self.variant)]
        return [self.numpy_scenario.run_name(fmt) for fmt in self.numpy_scenario.formats]


@dataclass(frozen=True)
class CorpusRun:
    """One written run directory of the corpus."""

    run: str
    source: str
    family: str
    part: str
    seconds: float


def torch_available() -> bool:
    """Whether torch can be imported (the PyTorch families need it)."""
    try:
        import torch  # noqa: F401  (only checking that it is there)
    except ImportError:
        return False
    return True


#: Rough relative cost of writing one run per format (tensorboardX's histograms are the slowest).
_FORMAT_COST = {"legacy": 3.0, "tf2": 1.5, "keras": 0.3}
#: Rough relative cost of the PyTorch families (the rest count 1).
_TORCH_COST = {"transformer": 5.0, "bn_cnn": 4.0, "resmlp_ln": 3.0, "deep_sigmoid": 2.0}


def job_cost(job: Job) -> float:
    """A rough relative cost, to start the longest jobs first (measured orders, not seconds)."""
    if job.source == TORCH:
        return _TORCH_COST.get(job.name, 1.0)
    scen = job.numpy_scenario
    per_format = sum(_FORMAT_COST.get(fmt, 1.0) for fmt in scen.formats)
    return per_format * (4.0 if scen.config.conv else 1.0)


def corpus_jobs(include_torch: bool = True) -> list[Job]:
    """Every job of the corpus, the most expensive first (so two workers finish together)."""
    jobs = [Job(NUMPY, name) for name in SCENARIOS]
    jobs += [Job(NUMPY, name) for name in VARIANTS]
    if include_torch:
        jobs += [
            Job(TORCH, name, k)
            for name, scen in TORCH_SCENARIOS.items()
            for k in range(len(scen.variants))
        ]
    return sorted(jobs, key=job_cost, reverse=True)


def run_job(job: Job, logdir: str | Path, steps: int | None = None) -> list[CorpusRun]:
    """Write one job's runs into ``logdir``; returns what was written."""
    started = time.perf_counter()
    if job.source == TORCH:
        from .torch_training import train_and_log

        scen = TORCH_SCENARIOS[job.name]
        train_and_log(scen.variants[job.variant].config, logdir, scen.run_name(job.variant), steps)
    else:
        from . import write_scenario

        scen = job.numpy_scenario
        write_scenario(scen, logdir, formats=scen.formats, steps=steps)
    seconds = time.perf_counter() - started
    names = job.run_names()
    return [CorpusRun(run, job.source, job.family, job.part, seconds / len(names)) for run in names]


#: Environment of the worker processes: one BLAS / OpenMP thread each.
_SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def generate_corpus(
    logdir: str | Path,
    jobs: int = 2,
    include_torch: bool | None = None,
    steps: int | None = None,
    only: Iterable[Job] | None = None,
    progress: bool = False,
) -> list[CorpusRun]:
    """Write the labelled corpus into ``logdir`` with ``jobs`` worker processes.

    Args:
        logdir: parent directory (created if missing); runs of the same names are replaced.
        jobs: worker processes (each a fresh interpreter with a single-threaded BLAS).
        include_torch: write the PyTorch families; default: when torch is importable.
        steps: logged steps per run (default each run's own); small values for tests.
        only: write just these jobs (default :func:`corpus_jobs`).
        progress: print one line per finished job.
    """
    if include_torch is None:
        include_torch = torch_available()
    todo = list(only) if only is not None else corpus_jobs(include_torch)
    Path(logdir).mkdir(parents=True, exist_ok=True)
    written: list[CorpusRun] = []

    def report(done: list[CorpusRun]) -> None:
        written.extend(done)
        if progress:
            names = ", ".join(r.run for r in done)
            print(f"  {sum(r.seconds for r in done):5.1f} s  {names}", flush=True)

    # Fresh interpreters (not forks of a process that may hold threads and locks), each with a
    # single-threaded BLAS: the networks' matrices are small, and OpenBLAS's threads, fighting
    # over two cores with the other worker, made a 1-D CNN scenario 2.7x slower (20.7 s against
    # 7.7 s for healthy_cnn_v1, measured on this machine).
    context = multiprocessing.get_context("spawn")
    saved = {name: os.environ.get(name) for name in _SINGLE_THREADED}
    os.environ.update(_SINGLE_THREADED)
    try:
        with concurrent.futures.ProcessPoolExecutor(max(1, jobs), mp_context=context) as pool:
            futures = [pool.submit(run_job, job, str(logdir), steps) for job in todo]
            for future in concurrent.futures.as_completed(futures):
                report(future.result())
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    order = {name: i for i, job in enumerate(todo) for name in job.run_names()}
    return sorted(written, key=lambda r: order[r.run])
