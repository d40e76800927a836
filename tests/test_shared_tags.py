"""Several tensors logged under one tag at every step (Keras 3's TensorBoard callback before
keras-team/keras#20809 writes every layer's kernel as ``kernel/histogram``, as public logdirs of
2024-2025 show): the tag is not judged on whichever layer was written last, it says why it
cannot be diagnosed. Written by TensorBoard's own TF2 writer, read through its Python loader
(which keeps every event; the Rust loader keeps only the last of each step)."""

from __future__ import annotations

import numpy as np

from tb_histdiag import api
from tb_histdiag.reading.series import series_from_data, shared_tensor_sizes
from tb_histdiag.reading.tensor_tables import tables_from_arrays
from tb_histdiag.scenarios.writers import open_writer

EPOCHS = 14
#: A Dense 12 → 64 → 32 → 1 network, as the callback writes it: layer by layer at each epoch.
KERNELS = ((12, 64), (64, 32), (32, 1))


def _write_colliding_run(run_dir, *, epochs: int = EPOCHS) -> None:
    rng = np.random.default_rng(0)
    kernels = [rng.normal(0, 0.2, shape) for shape in KERNELS]
    writer = open_writer("tf2", run_dir)
    for epoch in range(epochs):
        for i, kernel in enumerate(kernels):
            kernel += rng.normal(0, 0.01 * (i + 1), kernel.shape)  # every layer learns
            writer.histogram("kernel/histogram", kernel.ravel(), epoch)
            writer.histogram("bias/histogram", np.full(kernel.shape[1], 0.01 * epoch), epoch)
        writer.histogram("dense_9/kernel/histogram", kernels[0].ravel(), epoch)  # one tensor
        writer.scalar("epoch_loss", 1.0 / (1 + epoch), epoch)
    writer.close()


def test_a_tag_several_layers_share_says_why_it_is_not_judged(tmp_path):
    _write_colliding_run(tmp_path / "fit" / "train")
    (run,) = api.diagnose(str(tmp_path), load_fast=False).runs
    tags = {t.tag: t for t in run.tags}
    kernel, bias = tags["kernel/histogram"], tags["bias/histogram"]
    assert (kernel.status, kernel.verdicts) == ("unknown", ())
    assert "3 tensors of different sizes (768, 2,048 and 32 values)" in kernel.reason
    assert "keras-team/keras#20809" in kernel.reason
    assert (bias.status, bias.steps) == ("unknown", EPOCHS)
    assert "(64, 32 and 1 values)" in bias.reason
    # A tag written once per step beside them is judged as usual.
    assert tags["dense_9/kernel/histogram"].reason is None
    assert tags["dense_9/kernel/histogram"].movement > 0
    text = api.diagnose(str(tmp_path), load_fast=False).to_text()
    assert "look healthy" not in text
    assert "share this tag at every step" in text


def _tables(steps, sizes):
    """One [1, 3] bucket per entry holding ``size`` values."""
    steps = np.asarray(steps)
    return tables_from_arrays(
        steps, steps.astype(float), [np.array([[0.0, 1.0, float(n)]]) for n in sizes]
    )


def test_the_mark_of_a_shared_tag_is_every_step_repeated_in_a_row():
    # three tensors per step, the last step cut short by a flush: shared
    assert shared_tensor_sizes(_tables([0, 0, 0, 1, 1, 1, 2, 2], [5, 9, 2] * 2 + [5, 9])) == (
        5,
        9,
        2,
    )
    # two tensors of the same size at every step: shared too
    assert shared_tensor_sizes(_tables([0, 0, 1, 1, 2, 2], [4] * 6)) == (4, 4)
    # a second training logging the same steps again, later in the file: not shared
    assert shared_tensor_sizes(_tables([0, 1, 2, 0, 1, 2], [4] * 6)) == ()
    # one step logged twice: not shared (the last written wins, as before)
    assert shared_tensor_sizes(_tables([0, 1, 1, 2], [4] * 4)) == ()
    # sizes that change from step to step at the same position: not shared
    assert shared_tensor_sizes(_tables([0, 0, 1, 1, 2, 2], [4, 9, 5, 9, 4, 9])) == ()
    # an ordinary series
    assert shared_tensor_sizes(_tables([0, 1, 2, 3], [4] * 4)) == ()


def test_an_ordinary_series_keeps_no_shared_sizes():
    s = series_from_data("r", "t", [0, 1, 2], [0.0, 1.0, 2.0], [[[0, 1, 3]]] * 3)
    assert s.shared_sizes == ()
    shared = series_from_data(
        "r", "t", [0, 0, 1, 1], [0.0] * 4, [[[0, 1, 3]], [[0, 1, 5]], [[0, 1, 3]], [[0, 1, 5]]]
    )
    assert shared.shared_sizes == (3, 5)
    assert shared.steps.tolist() == [0, 1]  # the arrays hold the last of each step


def _run_verdicts(run) -> dict[str, object]:
    return {v.id: v for v in run.verdicts}


def test_the_run_says_its_layers_share_tags_with_the_python_loader(tmp_path):
    _write_colliding_run(tmp_path / "fit" / "train")
    (run,) = api.diagnose(str(tmp_path), load_fast=False).runs
    verdict = _run_verdicts(run)["unnamed_layers"]
    assert verdict.severity == "warning"
    assert verdict.evidence == {"tags": 2, "tensors_per_step": 3}
    assert set(verdict.tags) == {"kernel/histogram", "bias/histogram"}
    assert "'bias/histogram' and 'kernel/histogram' hold up to 3 tensors" in verdict.summary
    assert "Keras 3.15" in verdict.fix
    assert "weights=True" in verdict.fix
    assert verdict.steps == (0, EPOCHS - 1)
    assert run.status == "warning"


def test_with_the_rust_loader_the_names_alone_say_layers_may_share_them(tmp_path):
    _write_colliding_run(tmp_path / "fit" / "train")
    (run,) = api.diagnose(str(tmp_path), load_fast=True).runs
    tags = {t.tag: t for t in run.tags}
    # The data server keeps the last tensor of each step: one layer's, judged as a series.
    kernel = tags["kernel/histogram"]
    assert kernel.reason is None
    assert kernel.movement is not None
    assert kernel.movement > 0
    verdict = _run_verdicts(run)["unnamed_layers"]
    assert verdict.severity == "info"
    assert set(verdict.tags) == {"kernel/histogram", "bias/histogram"}
    assert "may" in verdict.title
    assert "--load_fast=false" in verdict.fix
    assert "dense_9/kernel/histogram" not in verdict.tags  # it names its layer


def test_a_run_whose_tags_name_their_layers_has_no_such_verdict(tmp_path):
    writer = open_writer("tf2", tmp_path / "run")
    rng = np.random.default_rng(1)
    for epoch in range(6):
        writer.histogram("sequential/dense/kernel/histogram", rng.normal(0, 1, 64), epoch)
        writer.histogram("sequential/dense/bias/histogram", rng.normal(0, 0.1, 8), epoch)
    writer.close()
    for load_fast in (False, True):
        (run,) = api.diagnose(str(tmp_path), load_fast=load_fast).runs
        assert "unnamed_layers" not in _run_verdicts(run), load_fast


def test_a_single_layer_model_declares_its_unnamed_tags(tmp_path):
    _write_colliding_run(tmp_path / "fit" / "train")
    (run,) = api.diagnose(
        str(tmp_path),
        load_fast=True,
        expect={"^(kernel|bias)/histogram$": "unnamed_layers"},
    ).runs
    verdict = _run_verdicts(run)["unnamed_layers"]
    assert verdict.severity == "info"
    assert verdict.title == "Tags that name no layer, as configured"
    assert verdict.evidence["expected"] == "^(kernel|bias)/histogram$"


def test_tensors_sharing_a_tag_are_recognised_after_a_rerun_in_the_same_directory(tmp_path):
    """A public Keras 3 logdir re-ran fit into one run directory: the steps go back, and the
    collision is told on the latest writing."""
    import time

    run_dir = tmp_path / "fit" / "train"
    _write_colliding_run(run_dir, epochs=6)
    time.sleep(1.0 - time.time() % 1.0 + 0.01)  # a re-run opens its event file seconds later
    _write_colliding_run(run_dir)
    (run,) = api.diagnose(str(tmp_path), load_fast=False).runs
    kernel = next(t for t in run.tags if t.tag == "kernel/histogram")
    assert kernel.status == "unknown"
    assert "(768, 2,048 and 32 values)" in kernel.reason
    verdicts = _run_verdicts(run)
    assert verdicts["unnamed_layers"].severity == "warning"
    assert verdicts["several_trainings"].evidence["trainings"] == 2
