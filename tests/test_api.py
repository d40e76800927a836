"""The Python API: ``tb_histdiag.diagnose`` on real logdirs, ``diagnose_series`` on arrays, and
the result objects' reports (Markdown, HTML, notebook display), iteration and lookups."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import jsonschema
import numpy as np
import pytest

import tb_histdiag
from tb_histdiag import api
from tb_histdiag.reading import logdir as logdir_lib
from tb_histdiag.reading import providers
from tb_histdiag.reports import html as html_report
from tb_histdiag.reports.bands import BandsChart, bands_chart
from tb_histdiag.verdicts import Thresholds
from tests.conftest import NAN_FROM_STEP, STEPS, TAGS, WRITER_RUNS, python_provider

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "..", "docs", "diagnostics-v1.schema.json")

#: What the writers' logdir is built to show in every run (see tests/conftest.py). One root
#: cause per tag: ``const`` never changes either, which its ``constant`` verdict tells too.
EXPECTED_IDS = {
    "fc1.weight": set(),
    "fc1.bias": {"frozen"},
    "const": {"constant"},
    "relu": set(),
    "blowup": {"nonfinite"},
}


@pytest.fixture(scope="module")
def writers(writers_logdir) -> api.LogdirDiagnosis:
    return tb_histdiag.diagnose(writers_logdir)


class ElementCollector(HTMLParser):
    """Every element name and attribute of an HTML document, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(page: str) -> ElementCollector:
    parser = ElementCollector()
    parser.feed(page)
    parser.close()
    return parser


# Importing the package.


def test_importing_the_package_stays_light():
    code = (
        "import sys, tb_histdiag\n"
        "heavy = [m for m in ('numpy', 'tensorboard', 'tb_histdiag.api') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert 'diagnose' in dir(tb_histdiag) and 'diagnose_series' in tb_histdiag.__all__\n"
        "assert callable(tb_histdiag.diagnose) and 'tb_histdiag.api' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'diagnoze'"):
        tb_histdiag.diagnoze  # noqa: B018
    from tb_histdiag.engine import diagnosis  # submodules still import normally

    assert diagnosis.Diagnoser


# diagnose().


def test_diagnose_returns_the_contract(writers, writers_logdir):
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        jsonschema.validate(writers.to_dict(), json.load(f))
    assert isinstance(writers, tb_histdiag.Diagnosis)
    assert [run.run for run in writers] == sorted(WRITER_RUNS)
    for run in writers:
        assert isinstance(run, tb_histdiag.RunDiagnosis)
        assert {tag.tag: {v.id for v in tag.verdicts} for tag in run} == EXPECTED_IDS
        (constant,) = run["const"].verdicts
        assert constant.evidence["also"] == "frozen"
        assert "Also from step 0: never changes" in constant.summary
    blowup = writers["tbx"]["blowup"]
    assert blowup.verdicts[0].evidence["first_nonfinite_step"] == NAN_FROM_STEP
    assert blowup.steps == STEPS


def test_diagnose_matches_the_engine_the_plugin_uses(writers, writers_logdir):
    from tensorboard import context

    from tb_histdiag.engine.diagnosis import Diagnoser
    from tb_histdiag.reading.reader import HistogramReader

    plugin_path = Diagnoser(HistogramReader(python_provider(writers_logdir)))
    expected = plugin_path.diagnose(context.RequestContext(), "").to_dict()
    assert writers.to_dict() == expected


def test_worst_and_lookups(writers):
    assert writers.worst() == "critical"
    assert tb_histdiag.Diagnosis(runs=()).worst() == "ok"
    with pytest.raises(KeyError, match=r"no run named 'nope' \(runs: 'tbx', 'tf2', 'torch'\)"):
        writers["nope"]
    with pytest.raises(KeyError, match=r"run 'tbx' has no histogram tag 'nope' \(tags: "):
        writers["tbx"]["nope"]


@pytest.mark.parametrize(
    ("kwargs", "runs", "tags"),
    [
        ({"runs": "^t"}, ["tbx", "tf2", "torch"], set(TAGS)),
        ({"runs": ["torch", "tf2"]}, ["tf2", "torch"], set(TAGS)),
        ({"runs": lambda r: r == "tbx"}, ["tbx"], set(TAGS)),
        ({"tags": r"^fc1\."}, sorted(WRITER_RUNS), {"fc1.weight", "fc1.bias"}),
        ({"tags": iter(["relu"])}, sorted(WRITER_RUNS), {"relu"}),
        ({"roles": "bias"}, sorted(WRITER_RUNS), {"fc1.bias"}),
        ({"roles": ["weight", "activation"]}, sorted(WRITER_RUNS), {"fc1.weight", "relu"}),
        ({"min_severity": "critical"}, sorted(WRITER_RUNS), {"blowup"}),
        ({"min_severity": "warning"}, sorted(WRITER_RUNS), {"blowup", "const", "fc1.bias"}),
    ],
)
def test_selection(writers_logdir, kwargs, runs, tags):
    result = tb_histdiag.diagnose(writers_logdir, charts=False, **kwargs)
    assert [r.run for r in result] == runs
    for run in result:
        assert {t.tag for t in run} == tags


def test_a_run_filter_skips_reading_the_other_runs(writers_logdir):
    from tensorboard import context

    from tb_histdiag.progress import SILENT

    provider = providers.python_provider(writers_logdir, 0, SILENT, lambda run: run == "tbx")
    ctx = context.RequestContext()
    listing = provider.list_tensors(ctx, experiment_id="", plugin_name="histograms")
    assert list(listing) == ["tbx"]
    # The other runs are known by name (for messages) but their event files were not read.
    assert sorted(r.run_name for r in provider.list_runs(ctx, experiment_id="")) == sorted(
        WRITER_RUNS
    )


def test_thresholds_as_object_mapping_and_file(writers_logdir, tmp_path):
    relaxed = {"frozen_min_steps": 100}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(relaxed))
    for thresholds in (Thresholds(frozen_min_steps=100), relaxed, str(path), path):
        result = tb_histdiag.diagnose(writers_logdir, tags="fc1.bias", thresholds=thresholds)
        assert result.worst() == "ok", thresholds
    with pytest.raises(api.InputError, match=r"unknown threshold\(s\): nope"):
        tb_histdiag.diagnose(writers_logdir, thresholds={"nope": 1})


def test_load_thresholds_reads_every_layout(tmp_path):
    flat = tmp_path / "flat.toml"
    flat.write_text("dead_warning_fraction = 0.8\nfrozen_min_steps = 5\n")
    table = tmp_path / "table.toml"
    table.write_text("[thresholds]\ndead_warning_fraction = 0.8\nfrozen_min_steps = 5\n")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.tb_histdiag.thresholds]\ndead_warning_fraction = 0.8\n")
    for path in (flat, table, pyproject):
        loaded = tb_histdiag.load_thresholds(path)
        assert loaded.dead_warning_fraction == 0.8
    assert tb_histdiag.load_thresholds(flat).frozen_min_steps == 5
    assert isinstance(tb_histdiag.load_thresholds(flat).frozen_min_steps, int)
    bad = tmp_path / "bad.toml"
    bad.write_text("dead_warning_fraction = nan\n")
    with pytest.raises(api.InputError, match="must be finite"):
        tb_histdiag.load_thresholds(bad)


def test_config_sets_roles(writers_logdir, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[roles]\n"^const$" = "weight"\n')
    result = tb_histdiag.diagnose(writers_logdir, tags="^const$", roles="weight", config=config)
    assert all(run["const"].status == "critical" for run in result)
    broken = tmp_path / "broken.toml"
    broken.write_text("[nonsense]\n")
    with pytest.raises(api.InputError, match="unknown section"):
        tb_histdiag.diagnose(writers_logdir, config=broken)


def test_errors_name_the_problem(writers_logdir, scalars_logdir, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        tb_histdiag.diagnose(tmp_path / "missing")
    (tmp_path / "f").write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file"):
        tb_histdiag.diagnose(tmp_path / "f")
    with pytest.raises(tb_histdiag.NoHistogramsError, match="no histogram summaries"):
        tb_histdiag.diagnose(scalars_logdir)
    with pytest.raises(
        tb_histdiag.NoHistogramsError, match=r"matching the run filter 'run\$' have no histogram"
    ):
        tb_histdiag.diagnose([writers_logdir, scalars_logdir], runs="run$")
    with pytest.raises(tb_histdiag.InputError, match="invalid tag regex"):
        tb_histdiag.diagnose(writers_logdir, tags="(")
    with pytest.raises(tb_histdiag.InputError, match="unknown role"):
        tb_histdiag.diagnose(writers_logdir, roles="kernel")
    with pytest.raises(tb_histdiag.InputError, match="samples must be"):
        tb_histdiag.diagnose(writers_logdir, samples=-1)
    with pytest.raises(tb_histdiag.InputError, match="unknown severity"):
        tb_histdiag.diagnose(writers_logdir, min_severity="fatal")
    with pytest.raises(tb_histdiag.NoHistogramsError, match="no run named 'nope'"):
        tb_histdiag.diagnose(writers_logdir, runs=["tbx", "nope"])


def test_data_server_missing_is_a_data_server_error(writers_logdir, tmp_path, monkeypatch):
    monkeypatch.setenv("TENSORBOARD_DATA_SERVER_BINARY", str(tmp_path / "none"))
    with pytest.raises(tb_histdiag.DataServerError, match="tensorboard-data-server"):
        tb_histdiag.diagnose(writers_logdir, load_fast=True)


def test_a_data_server_path_that_does_not_import_is_a_data_server_error(
    writers, writers_logdir, monkeypatch
):
    """TensorBoard 2.12-2.19 import pkg_resources on the data server's path, which setuptools 82
    removed: an import that fails there is the one-line DataServerError, and 'auto' falls back
    to the Python loader."""
    monkeypatch.setitem(sys.modules, "grpc", None)  # `import grpc` raises ImportError
    with pytest.raises(tb_histdiag.DataServerError, match="does not import here"):
        tb_histdiag.diagnose(writers_logdir, load_fast=True)
    monkeypatch.setattr(providers, "AUTO_LOAD_FAST_BYTES", 1)
    assert verdict_ids(tb_histdiag.diagnose(writers_logdir)) == verdict_ids(writers)


def test_load_fast_reads_the_same_verdicts(writers, writers_logdir):
    pytest.importorskip("tensorboard_data_server")
    fast = tb_histdiag.diagnose(writers_logdir, load_fast=True)
    for run in writers:
        for tag in run:
            assert [v.id for v in fast[run.run][tag.tag].verdicts] == [v.id for v in tag.verdicts]
    assert sorted(fast.charts) == sorted(writers.charts)


def verdict_ids(diagnosis: api.LogdirDiagnosis) -> dict[tuple[str, str], list[str]]:
    return {(r.run, t.tag): [v.id for v in t.verdicts] for r in diagnosis for t in r}


def _spy_loaders(monkeypatch) -> list[str]:
    """Record which loader each diagnosis used (the real ones run)."""
    used: list[str] = []
    rust, python = providers.rust_provider, providers.python_provider

    def rust_spy(*args, **kwargs):
        used.append("rust")
        return rust(*args, **kwargs)

    def python_spy(*args, **kwargs):
        used.append("python")
        return python(*args, **kwargs)

    monkeypatch.setattr(providers, "rust_provider", rust_spy)
    monkeypatch.setattr(providers, "python_provider", python_spy)
    return used


def test_auto_loader_picks_the_data_server_for_large_logdirs_only(
    writers, writers_logdir, monkeypatch
):
    pytest.importorskip("tensorboard_data_server")
    used = _spy_loaders(monkeypatch)
    small = tb_histdiag.diagnose(writers_logdir)  # a few kB of event files
    assert used == ["python"]
    monkeypatch.setattr(providers, "AUTO_LOAD_FAST_BYTES", 1)
    large = tb_histdiag.diagnose(writers_logdir)
    assert used == ["python", "rust"]
    # The same verdicts (the two loaders differ in float32 rounding of the edges only).
    assert verdict_ids(large) == verdict_ids(small) == verdict_ids(writers)
    # Explicit choices win over the size.
    tb_histdiag.diagnose(writers_logdir, load_fast=False)
    assert used[-1] == "python"
    with pytest.raises(tb_histdiag.InputError, match="load_fast"):
        tb_histdiag.diagnose(writers_logdir, load_fast="yes")


def test_auto_loader_falls_back_to_python_without_a_data_server(
    writers, writers_logdir, tmp_path, monkeypatch
):
    monkeypatch.setenv("TENSORBOARD_DATA_SERVER_BINARY", str(tmp_path / "none"))
    monkeypatch.setattr(providers, "AUTO_LOAD_FAST_BYTES", 1)
    used = _spy_loaders(monkeypatch)
    assert verdict_ids(tb_histdiag.diagnose(writers_logdir)) == verdict_ids(writers)
    assert used == ["python"]


def test_auto_loader_counts_only_the_selected_runs(writers_logdir):
    def size(run: str) -> int:
        folder = os.path.join(writers_logdir, run)
        return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))

    everything = sum(size(run) for run in WRITER_RUNS)
    assert logdir_lib.selected_event_bytes(writers_logdir, None, 2**40) == everything
    only_tf2 = logdir_lib.selected_event_bytes(writers_logdir, lambda run: run == "tf2", 2**40)
    assert only_tf2 == size("tf2") < everything
    assert logdir_lib.selected_event_bytes(writers_logdir, None, 1) <= max(map(size, WRITER_RUNS))


# Reports from the result objects.


def test_charts_cover_the_flagged_tags(writers):
    flagged = {(r.run, t.tag) for r in writers for t in r if t.verdicts}
    assert set(writers.charts) == flagged
    chart = writers.charts[("torch", "blowup")]
    assert chart.bands.shape == (STEPS, 9)
    assert chart.nonfinite_spans == ((NAN_FROM_STEP, STEPS - 1),)
    # Quantiles are ordered: min <= ... <= max on every finite step.
    finite = np.isfinite(chart.bands).all(axis=1)
    assert (np.diff(chart.bands[finite], axis=1) >= 0).all()


def test_repr_html_is_a_scoped_script_free_fragment(writers):
    fragment = writers._repr_html_()
    assert fragment.startswith('<div class="tbhd"><style>')
    parsed = parse_html(fragment)
    names = [name for name, _ in parsed.elements]
    assert "script" not in names
    assert "html" not in names  # a fragment, not a document inside the notebook
    assert names.count("svg") == len(writers.charts)
    text = "".join(parsed.text)
    for run in writers:
        assert run.run in text
        for tag in run:
            for v in tag.verdicts:
                assert v.title in text
    # Every style rule is scoped to the report, so the notebook keeps its own look.
    for rule in html_report.CSS.replace("\n", "").split("}"):
        selector = rule.split("{")[0].strip()
        if selector and not selector.startswith("@"):
            assert all(s.strip().startswith(".tbhd") for s in selector.split(",")), selector


def test_run_diagnosis_reports(writers):
    run = writers["tf2"]
    assert run._repr_html_().count("<svg") == 0  # a run on its own carries no chart data
    assert "NaN or Inf values from step 5" in run._repr_html_()
    markdown = run.to_markdown()
    assert markdown.startswith("# Histogram diagnostics\n")
    assert "## tf2 — ✖ critical" in markdown
    assert run.to_html().startswith("<!DOCTYPE html>")


def test_to_html_and_to_markdown(writers):
    page = writers.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in page
    assert page.count('<svg class="chart"') == len(writers.charts)
    markdown = writers.to_markdown()
    assert "| torch | ✖ critical | 1 | 2 | 0 | 2 | 0 |" in markdown
    text = writers.to_text()
    assert "3 runs: 3 critical" in text


def test_to_html_style_hash_matches_the_stylesheet(writers):
    import base64
    import hashlib
    import re

    page = writers.to_html()
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in page
    assert " style=" not in page, "style attributes would be blocked by the policy"


def test_chart_of_data_without_finite_values():
    chart = BandsChart(
        steps=np.array([0, 1]),
        bands=np.full((2, 9), np.nan),
        nonfinite_spans=((0, 1),),
        total_steps=2,
    )
    svg = html_report.bands_svg(chart, (), "t", 0, 1)
    assert "no finite values to draw" in svg
    assert 'class="nonfinite"' in svg


# diagnose_series().


def normal_tables(steps: int, drift: float = 0.05, scale: float = 0.1) -> list[np.ndarray]:
    """Per step, a [k, 3] table of a normal sample that moves by ``drift`` each step."""
    tables = []
    for step in range(steps):
        values = np.random.default_rng(step).normal(drift * step, scale, 5000)
        counts, edges = np.histogram(values, bins=30)
        tables.append(np.stack([edges[:-1], edges[1:], counts], axis=1))
    return tables


def test_diagnose_series_on_tables():
    healthy = tb_histdiag.diagnose_series(normal_tables(10), range(0, 100, 10), role="weight")
    assert isinstance(healthy, tb_histdiag.TagDiagnosis)
    assert healthy.status == "ok"
    assert (healthy.first_step, healthy.last_step, healthy.steps) == (0, 90, 10)
    frozen = [normal_tables(1)[0]] * 10
    result = tb_histdiag.diagnose_series(frozen, role="weight")
    assert [v.id for v in result.verdicts] == ["frozen"]
    as_array = tb_histdiag.diagnose_series(np.stack(frozen), role="weight")
    assert as_array.to_dict() == result.to_dict()


def test_diagnose_series_on_edges_and_counts():
    values = np.random.default_rng(0).normal(0, 1, 1000)
    counts, edges = np.histogram(values, bins=20)
    frozen = tb_histdiag.diagnose_series(edges=edges, counts=np.tile(counts, (8, 1)), role="weight")
    assert [v.id for v in frozen.verdicts] == ["frozen"]
    per_step = np.tile(edges, (8, 1))
    same = tb_histdiag.diagnose_series(
        edges=per_step, counts=np.tile(counts, (8, 1)), role="weight"
    )
    assert same.to_dict() == frozen.to_dict()


def test_diagnose_series_flags_nan_and_reads_the_role_from_the_tag():
    tables = normal_tables(6)
    tables[4] = tables[4].copy()
    tables[4][0, 2] = np.nan
    result = tb_histdiag.diagnose_series(tables, tag="dense/kernel_0")
    assert result.role == "weight"
    assert result.layer == "dense"
    assert result.verdicts[0].id == "nonfinite"
    assert result.verdicts[0].steps == (4, 4)
    assert tb_histdiag.diagnose_series(tables).role == "other"


def test_diagnose_series_agrees_with_the_logdir_path(writers, writers_logdir):
    from tensorboard import context

    from tb_histdiag.reading.reader import HistogramReader

    reader = HistogramReader(python_provider(writers_logdir))
    series = reader.read(context.RequestContext(), "", "torch", TAGS)
    for tag in TAGS:
        s = series[tag]
        tables = [
            np.stack([s.left[i, :k], s.right[i, :k], s.counts[i, :k]], axis=1)
            for i, k in enumerate(s.nbuckets)
        ]
        expected = writers["torch"][tag]
        got = tb_histdiag.diagnose_series(tables, s.steps, role=expected.role, tag=tag)
        assert [v.id for v in got.verdicts] == [v.id for v in expected.verdicts], tag


@pytest.mark.parametrize(
    ("args", "kwargs", "needle"),
    [
        ((), {}, "either as buckets or as edges and counts"),
        (([np.zeros((2, 3))],), {"counts": np.zeros((1, 2))}, "either as buckets"),
        ((), {"counts": np.zeros((1, 2))}, "edges and counts go together"),
        (([np.zeros((2, 2))],), {}, r"buckets\[0\] has shape \(2, 2\)"),
        ((np.zeros((3, 4)),), {}, "a list of \\[k, 3\\] tables or a \\[steps, k, 3\\] array"),
        (([np.zeros((2, 3))], [0, 1]), {}, "steps must be a list of 1 step numbers"),
        (([np.zeros((2, 3))], [0.5]), {}, "steps must be whole numbers"),
        (([np.zeros((2, 3))],), {"role": "kernel"}, "unknown role 'kernel'"),
        ((), {"edges": np.zeros(4), "counts": np.zeros((2, 2))}, "edges must have shape \\[3\\]"),
        (
            (),
            {"edges": np.zeros(3), "counts": np.zeros(2)},
            "counts must be a \\[steps, buckets\\]",
        ),
    ],
)
def test_diagnose_series_rejects_malformed_input(args, kwargs, needle):
    with pytest.raises(tb_histdiag.InputError, match=needle):
        tb_histdiag.diagnose_series(*args, **kwargs)


def test_bands_chart_thins_long_series():
    from tb_histdiag.reading.series import series_from_data

    tables = normal_tables(500, drift=0.001)
    series = series_from_data("r", "t", np.arange(500) * 2, np.zeros(500), tables)
    chart = bands_chart(series, max_points=50)
    assert chart.steps.size == 50
    assert (chart.steps[0], chart.steps[-1]) == (0, 998)
    assert chart.total_steps == 500
    svg = html_report.bands_svg(chart, (), "t", 0, 998)
    assert "50 of 500 steps drawn" in svg
