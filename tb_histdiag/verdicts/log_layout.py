"""Run verdicts about how the logs are laid out, which decides what the histograms can show.

``unnamed_layers``: older Keras 3 releases name each weight histogram after the weight's own
name, so every layer's kernel is written as ``kernel/histogram`` and every bias as
``bias/histogram`` (keras-team/keras#20809; Keras 3.15 names them by the weight's path,
``sequential/dense/kernel/histogram``). What reaches the engine then depends on the loader:

* TensorBoard's Python loader keeps every event, so the series holds k tensors per step; the
  series knows their sizes (``Series.shared_sizes``), the tag is not judged, and this verdict
  says so for the run (``warning``: the parameters of several layers go unjudged).
* The Rust data server (TensorBoard's default, and ``load_fast="auto"``) keeps only the last
  tensor written at each step: the tag is one layer's, the last one's, and looks like a real
  series. Only the name gives it away, so the verdict is an ``info`` that says "may": a model
  with a single such layer writes the same names and loses nothing.

``several_trainings``: the steps of a run's tags go back (a ``fit`` re-run into the same
``log_dir``, or a training resumed from a checkpoint). The engine judges what the latest
writing left standing, as the Rust loader keeps it (:mod:`tb_histdiag.reading.rewrites`);
TensorBoard's Python loader, and so its Histograms tab with ``--load_fast=false``, draws every
training over the same steps. An ``info``: it explains the picture, it is not a fault.
"""

from __future__ import annotations

from collections.abc import Sequence

from tb_histdiag.engine.roles import names_no_layer
from tb_histdiag.results import TagDiagnosis, Verdict

#: What to do, whichever loader showed it.
FIX = (
    "Upgrade Keras: Keras 3.15's TensorBoard callback names each histogram after the weight's "
    "path (sequential/dense/kernel/histogram), one tag per layer. On an older Keras, log the "
    "weights under their paths yourself: keras.callbacks.TensorBoard(log_dir, histogram_freq=0) "
    "with tb_histdiag.keras.HistogramLogger(log_dir, probe=(x, y), weights=True)."
)


def _listed(tags: Sequence[str]) -> str:
    quoted = [f"'{t}'" for t in tags]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


def unnamed_layers(tags: Sequence[TagDiagnosis]) -> Verdict | None:
    """Parameter tags that several layers log under, or that name no layer and so may."""
    shared = [d for d in tags if d.facts.get("shared_sizes")]
    unnamed = [d for d in tags if names_no_layer(d.tag) and d not in shared]
    if not shared and not unnamed:
        return None
    rest_on = shared + unnamed
    firsts = [d.first_step for d in rest_on if d.first_step is not None]
    lasts = [d.last_step for d in rest_on if d.last_step is not None]
    steps = (min(firsts), max(lasts)) if firsts else ()
    if shared:
        most = max(len(d.facts["shared_sizes"]) for d in shared)
        return Verdict(
            id="unnamed_layers",
            severity="warning",
            title=(
                f"{len(shared)} {'tag holds' if len(shared) == 1 else 'tags hold'} several "
                "layers at once: not judged"
            ),
            summary=(
                f"At every logged step, {_listed([d.tag for d in shared])} "
                f"{'holds' if len(shared) == 1 else 'hold'} up to {most} tensors of different "
                "layers, written one after another under the same name. They cannot be told "
                "apart, so these layers' parameters are not judged; the Histograms tab shows "
                "whichever was written last."
            ),
            evidence={"tags": len(shared), "tensors_per_step": most},
            steps=steps,
            fix=FIX,
            tags=tuple(d.tag for d in rest_on),
        )
    return Verdict(
        id="unnamed_layers",
        severity="info",
        title="Parameter tags name no layer: several layers may share them",
        summary=(
            f"{_listed([d.tag for d in unnamed])} "
            f"{'names' if len(unnamed) == 1 else 'name'} no layer. Older Keras 3 releases write "
            "every layer's weights under these same names, and TensorBoard's default loader "
            "keeps only the last one written at each step: if the model has more than one "
            "such layer, these histograms are the last layer's alone and the others are not "
            "seen. With a single such layer nothing is lost."
        ),
        evidence={"tags": len(unnamed)},
        steps=steps,
        fix=(
            FIX + " To check which it is, diagnose with TensorBoard's Python loader "
            "(tb-histdiag LOGDIR --no-load-fast, or tensorboard --load_fast=false), which keeps "
            "every tensor and tells them apart."
        ),
        tags=tuple(d.tag for d in rest_on),
    )


#: What to do about several trainings in one run directory, however they were seen.
_RERUN_FIX = (
    "Give each training its own log_dir (e.g. logs/fit/<date-time>, as TensorFlow's tutorials "
    "do), or delete the old run before re-running into it."
)


def _some(tags: Sequence[str]) -> str:
    """Up to three tag names, and how many more."""
    if len(tags) <= 3:
        return _listed(tags)
    return ", ".join(f"'{t}'" for t in tags[:3]) + f" and {len(tags) - 3} more tags"


def several_trainings(tags: Sequence[TagDiagnosis]) -> Verdict | None:
    """Tags written again from an earlier step: more than one training in this run directory."""
    again = [d for d in tags if d.facts.get("restarts")]
    if not again:
        return _written_over(tags)
    # The tag written again most recently tells how the latest writing began.
    newest = max(again, key=lambda d: d.facts["restarted_at"])
    latest = newest.facts["restarts"][-1]
    counts = {len(d.facts["restarts"]) + 1 for d in again}
    trainings = max(counts)
    how_many = f"{trainings}" if len(counts) == 1 else f"at least {trainings}"
    # A writing that starts where the series' first kept step is: everything before it was
    # written again too (a re-run from the start, whatever step it logs first); one that starts
    # later kept the earlier steps (a resume from a checkpoint).
    from_start = newest.first_step is not None and newest.first_step >= latest
    # Tags the latest writing did not log at all: what they show is an earlier training's.
    began = newest.facts["restarted_at"]
    earlier = [
        d.tag for d in tags if d is not newest and d.facts.get("last_wall_time", began) < began
    ]
    stale = (
        f" {_some(earlier)} {'was' if len(earlier) == 1 else 'were'} last written by an earlier "
        "training (the latest did not log them): what they show is that training's."
        if earlier
        else ""
    )
    lasts = [d.last_step for d in again if d.last_step is not None]
    if from_start:
        how = (
            f"starting again from its first step ({latest:,}), as a script re-run with the same "
            "log_dir does"
        )
        kept = "only the latest training is judged"
    else:
        how = f"starting again at step {latest:,}, as a training resumed from a checkpoint does"
        kept = f"steps before {latest:,} come from the earlier writing, the rest from the latest"
    return Verdict(
        id="several_trainings",
        severity="info",
        title=(
            f"{how_many.capitalize()} trainings written into this run directory: the latest is "
            "judged"
        ),
        summary=(
            f"The steps of {_some([d.tag for d in again])} go back: the run directory holds "
            f"{how_many} writings, the latest {how}. As TensorBoard's default loader keeps "
            f"them, {kept}.{stale} With --load_fast=false, TensorBoard's Histograms tab draws "
            "every training over the same steps, one on top of the other."
        ),
        evidence={
            "trainings": trainings,
            "restart_step": latest,
            "from_start": from_start,
            "tags": len(again),
            "earlier_only_tags": len(earlier),
        },
        steps=(latest, max(lasts)) if lasts else (latest,),
        fix=_RERUN_FIX,
        tags=tuple(d.tag for d in again),
    )


#: Seconds between one tag's last record and another's first that no clock jitter explains.
_CLOCK_SLACK = 0.25


def _written_over(tags: Sequence[TagDiagnosis]) -> Verdict | None:
    """Several trainings that the loader has already merged (TensorBoard's Rust loader keeps
    only the latest writing of a tag written again), told by the wall clock: a tag that began
    at an earlier step than another tag's last, yet only after that tag had stopped. In one
    training, step s of any tag is written before a later step of any other."""
    timed = [d for d in tags if "first_wall_time" in d.facts and d.first_step is not None]
    if len(timed) < 2:
        return None
    began = max(timed, key=lambda d: d.facts["first_wall_time"])
    start = began.facts["first_wall_time"]
    earlier = [
        d
        for d in timed
        if d.facts["last_wall_time"] + _CLOCK_SLACK < start
        and d.last_step is not None
        and began.first_step < d.last_step
    ]
    if not earlier:
        return None
    ended = max(d.facts["last_wall_time"] for d in earlier)
    latest = [d for d in timed if d.facts["first_wall_time"] > ended + _CLOCK_SLACK]
    first = min(d.first_step for d in latest)
    last_steps = [d.last_step for d in latest if d.last_step is not None]
    return Verdict(
        id="several_trainings",
        severity="info",
        title="At least 2 trainings written into this run directory: the latest is judged",
        summary=(
            f"{_some([d.tag for d in latest])} began at step {first:,} only after "
            f"{_some([d.tag for d in earlier])} had stopped at step "
            f"{max(d.last_step for d in earlier):,} (their wall-clock times): the run directory "
            "holds more than one training. TensorBoard's loader keeps only the latest writing "
            "of a tag that was written again, so those are judged on the latest training; the "
            "others were last written by an earlier training: what they show is that "
            "training's."
        ),
        evidence={
            "trainings": 2,
            "restart_step": first,
            "from_start": None,
            "tags": len(latest),
            "earlier_only_tags": len(earlier),
        },
        steps=(first, max(last_steps)) if last_steps else (first,),
        fix=_RERUN_FIX,
        tags=tuple(d.tag for d in latest + earlier),
    )
