"""A run verdict about how tags are named: parameter tags that name no layer.

Older Keras 3 releases name each weight histogram after the weight's own name, so every
layer's kernel is written as ``kernel/histogram`` and every bias as ``bias/histogram``
(keras-team/keras#20809; Keras 3.15 names them by the weight's path,
``sequential/dense/kernel/histogram``). What reaches the engine then depends on the loader:

* TensorBoard's Python loader keeps every event, so the series holds k tensors per step; the
  series knows their sizes (``Series.shared_sizes``), the tag is not judged, and this verdict
  says so for the run (``warning``: the parameters of several layers go unjudged).
* The Rust data server (TensorBoard's default, and ``load_fast="auto"``) keeps only the last
  tensor written at each step: the tag is one layer's, the last one's, and looks like a real
  series. Only the name gives it away, so the verdict is an ``info`` that says "may": a model
  with a single such layer writes the same names and loses nothing.
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
            "(tb-histdiag LOGDIR --no-load-fast, or tensorboard --load_fast=false), which keeps every "
            "tensor and tells them apart."
        ),
        tags=tuple(d.tag for d in rest_on),
    )
