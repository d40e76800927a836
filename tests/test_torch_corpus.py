"""The PyTorch part of the labelled corpus: real ``torch.nn`` training, real writers, sound labels.

Every family variant is trained for real (a few logged steps) and written by torch's or
tensorboardX's ``SummaryWriter``; the runs must be readable through TensorBoard's data provider,
log what the family says (gradients, buffers, hooked activations, the loss scalar), and every
label pattern must name tags that exist (a pattern that matches nothing is a defect). A few runs
are trained at full length to check the facts their labels rest on. The engine's verdicts on
these runs are not asserted here: ``make eval`` reports them.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import numpy as np
import pytest
from tensorboard import context

from tb_histdiag.scenarios.catalog import FORMATS, SCENARIOS, VARIANTS
from tb_histdiag.scenarios.corpus import NUMPY, TORCH, corpus_jobs, generate_corpus
from tb_histdiag.scenarios.evaluate import labelled_runs, torch_expectations
from tb_histdiag.scenarios.torch_catalog import (
    HELDOUT,
    TORCH_SCENARIOS,
    TUNING,
    part_of,
    torch_runs,
)
from tests.conftest import python_provider

pytest.importorskip("torch")

STEPS = 3


@pytest.fixture(scope="module")
def torch_logdir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Every PyTorch family variant, trained for real, logged at STEPS steps."""
    logdir = str(tmp_path_factory.mktemp("torch_corpus"))
    jobs = [j for j in corpus_jobs() if j.source == TORCH]
    written = generate_corpus(logdir, jobs=1, steps=STEPS, only=jobs)
    assert len(written) == len(torch_runs())
    return logdir


@pytest.fixture(scope="module")
def listing(torch_logdir: str) -> dict:
    provider = python_provider(torch_logdir)
    ctx = context.RequestContext()
    return {
        "histograms": provider.list_tensors(ctx, experiment_id="", plugin_name="histograms"),
        "scalars": provider.list_scalars(ctx, experiment_id="", plugin_name="scalars"),
    }


def test_every_variant_is_written_and_readable(torch_logdir, listing):
    for scen, k in torch_runs():
        name = scen.run_name(k)
        assert glob.glob(os.path.join(torch_logdir, name, "events.out.tfevents.*")), name
        tags = listing["histograms"][name]
        assert len(tags) >= 2, name
        # Logged up to the last step; only the NaN family's tags end early (the writers refuse
        # all-NaN tensors).
        last = (STEPS - 1) * scen.variants[k].config.log_every
        assert all(ts.max_step <= last for ts in tags.values()), name
        if scen.name != "nan_midway":
            assert {ts.max_step for ts in tags.values()} == {last}, name
        loss_tag = scen.variants[k].config.loss_tag
        assert loss_tag in listing["scalars"][name], name


def test_runs_log_what_their_family_says(listing):
    for scen, k in torch_runs():
        cfg = scen.variants[k].config
        tags = set(listing["histograms"][scen.run_name(k)])
        if cfg.grad_tag:
            prefix, suffix = cfg.grad_tag.split("{name}")
            assert any(t.startswith(prefix) and t.endswith(suffix) for t in tags - {""})
            assert sum(t.startswith(prefix) and t.endswith(suffix) for t in tags) < len(tags)
        if cfg.buffers:
            assert any(t.endswith(".running_var") for t in tags)
            assert not any(t.endswith("num_batches_tracked") for t in tags)
        if cfg.activations:
            assert any(t.startswith(cfg.activations.format(name="")) for t in tags)
    # Naming varies between families, as it does between users' scripts.
    patterns = {scen.variants[k].config.grad_tag for scen, k in torch_runs()}
    assert {"grad/{name}", "{name}.grad", "gradients/{name}"} <= patterns
    assert {scen.variants[k].config.writer for scen, k in torch_runs()} == {"torch", "tensorboardX"}


def test_named_like_pytorch_modules(listing):
    bn = set(listing["histograms"]["torch_bn_cnn_v0"])
    assert {"conv1.bias", "bn1.weight", "bn1.running_mean", "grad/conv1.bias"} <= bn
    transformer = set(listing["histograms"]["torch_transformer_v0"])
    assert "encoder.layers.0.self_attn.out_proj.weight" in transformer
    assert {"head.weight", "embed.weight"} <= transformer
    finetune = set(listing["histograms"]["torch_finetune_frozen_backbone_v0"])
    # A frozen parameter has no .grad: only the head's gradients are logged.
    assert {t for t in finetune if t.endswith(".grad")} == {"head.weight.grad", "head.bias.grad"}


def test_every_label_names_tags_that_exist(listing):
    for scen, k in torch_runs():
        name = scen.run_name(k)
        expect = torch_expectations(scen, k, listing["histograms"][name])
        assert expect.unmatched == (), (name, expect.unmatched)
        if not scen.clean:
            assert expect.present_tags or expect.run_present, name


def test_corpus_parts_are_split_by_variant():
    """Variants 0-2 of every numpy scenario and PyTorch family are tuning, 3 and up held out."""
    jobs = corpus_jobs()
    assert {j.source for j in jobs} == {NUMPY, TORCH}
    for job in jobs:
        variant = job.variant if job.source == TORCH else job.numpy_scenario.variant
        assert job.part == (TUNING if variant < 3 else HELDOUT), job
        assert job.part == part_of(variant)
    names = [run for job in jobs for run in job.run_names()]
    assert len(names) == len(set(names))
    # The numpy base scenarios keep all formats; each has tuning variants 1-2, a held-out 3 and
    # a held-out weight-only 4 (keras format, logged once per epoch).
    assert all(s.formats == FORMATS for s in SCENARIOS.values())
    assert all(s.variant == 0 for s in SCENARIOS.values())
    by_base: dict[str, set[int]] = {}
    for s in VARIANTS.values():
        assert s.name == f"{s.variant_of}_v{s.variant}"
        by_base.setdefault(s.variant_of, set()).add(s.variant)
    assert by_base == {name: {1, 2, 3, 4} for name in SCENARIOS}
    assert all(s.formats == ("keras",) for s in VARIANTS.values() if s.variant == 4)
    for s in VARIANTS.values():
        base = SCENARIOS[s.variant_of]
        assert s.config.seed != base.config.seed
        assert (s.expected, s.layer_verdicts, s.run_verdicts, s.run_absent, s.clean) == (
            base.expected,
            base.layer_verdicts,
            base.run_verdicts,
            base.run_absent,
            base.clean,
        )
        assert s.facts
        assert "TBD" not in s.facts
    heldout = [s for s in VARIANTS.values() if part_of(s.variant) == HELDOUT]
    assert {fmt for s in heldout for fmt in s.formats} == set(FORMATS)
    # Every family has tuning variants 0-2 and at least one held-out variant.
    for scen in TORCH_SCENARIOS.values():
        parts = [part_of(k) for k in range(len(scen.variants))]
        assert parts[:3] == [TUNING] * 3, scen.name
        assert HELDOUT in parts, scen.name
        assert all(v.facts and "TBD" not in v.facts for v in scen.variants), scen.name


def test_heldout_runs_are_new_configurations():
    """No held-out run repeats a tuning run's seed and configuration (numpy: no tuning run of
    the scenario has its seed at all)."""
    for scen in TORCH_SCENARIOS.values():
        tuning = [v.config for k, v in enumerate(scen.variants) if part_of(k) == TUNING]
        heldout = [v.config for k, v in enumerate(scen.variants) if part_of(k) == HELDOUT]
        for cfg in heldout:
            assert all(cfg != t for t in tuning), scen.name
            assert cfg.seed not in {t.seed for t in tuning}, scen.name
        assert len({repr(c) for c in heldout}) == len(heldout), scen.name
    for base in SCENARIOS.values():
        family = [base] + [s for s in VARIANTS.values() if s.variant_of == base.name]
        tuning_seeds = {s.config.seed for s in family if part_of(s.variant) == TUNING}
        for s in family:
            if part_of(s.variant) == HELDOUT:
                assert s.config.seed not in tuning_seeds, s.name


def test_the_scorer_splits_the_parts_as_the_corpus_does():
    jobs = {run: job.part for job in corpus_jobs() for run in job.run_names()}
    runs = labelled_runs()
    assert {r.run for r in runs} == set(jobs)
    assert {r.run: r.part for r in runs} == jobs


def test_package_does_not_import_torch():
    code = (
        "import sys\n"
        "import tb_histdiag.scenarios, tb_histdiag.scenarios.corpus\n"
        "import tb_histdiag.scenarios.evaluate, tb_histdiag.scenarios.torch_catalog\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _full(name: str, variant: int, logdir) -> object:
    from tb_histdiag.scenarios.torch_training import train_and_log

    scen = TORCH_SCENARIOS[name]
    return train_and_log(scen.variants[variant].config, logdir, scen.run_name(variant))


def test_healthy_lstm_really_learns(tmp_path):
    result = _full("lstm", 0, tmp_path)
    assert result.last_loss < 0.2 * result.first_loss
    assert not result.skipped


def test_exploding_from_zero_biases_start_at_zero_and_stay_finite(tmp_path):
    result = _full("explode_from_zero", 0, tmp_path)
    bias = result.traces["linear.bias"]
    assert bias.max[0] == bias.min[0] == 0.0
    assert max(abs(bias.min[-1]), abs(bias.max[-1])) > 1e10
    assert all(n == 0 for t in result.traces.values() for n in t.nonfinite)
    assert result.last_loss > 1e6 * result.first_loss


def test_beyond_the_bucket_range_the_counts_miss_values(tmp_path):
    """torch's default buckets end at +-1e20: the written proto's counts hold only the values
    inside, while ``num``, ``min`` and ``max`` keep everything (read back raw from the event file)."""
    from tensorboard.backend.event_processing import event_file_loader

    result = _full("beyond_bucket_range", 0, tmp_path)
    trace = result.traces["readout.weight"]
    assert trace.in_range[-1] < trace.num[-1]
    (path,) = glob.glob(os.path.join(result.path, "events.out.tfevents.*"))
    last = None
    for event in event_file_loader.LegacyEventFileLoader(path).Load():
        for value in event.summary.value:
            if value.tag == "readout.weight" and value.HasField("histo"):
                last = value.histo
    assert last is not None
    assert sum(last.bucket) == trace.in_range[-1] < last.num == trace.num[-1]
    assert max(abs(last.min), abs(last.max)) > 1e20
    assert np.isfinite([last.min, last.max]).all()
