"""The JSON documents the routes, the command line and the Python API hand out, each built once.

Next to the result types' ``to_dict`` (the ``tb_histdiag/diagnostics/v1`` document itself): the
runs listing, the series chart data, the layer map rows and the run comparison, as plain JSON
data (Python numbers, ``None`` for NaN/±Inf). ``plugin.py`` parses a request and calls one of
these; ``cli.py`` writes the same shapes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from tb_histdiag.engine import stats
from tb_histdiag.engine.rebin import rebin
from tb_histdiag.engine.roles import TagRole
from tb_histdiag.reading.series import Series, SeriesInfo
from tb_histdiag.reports.compare import TagComparison
from tb_histdiag.results import Diagnosis, RunDiagnosis, plain


def diagnostics_document(
    diagnosis: Diagnosis, problems: Sequence[Mapping[str, str]] | None = None
) -> dict[str, object]:
    """The diagnostics document of ``diagnosis``; ``problems`` (the logdir check's, as mappings)
    adds a ``problems`` list even when it is empty."""
    out = diagnosis.to_dict()
    if problems is not None:
        out["problems"] = [dict(p) for p in problems]
    return out


def runs_document(
    index: Mapping[str, Mapping[str, SeriesInfo]],
    roles_of: Callable[[Mapping[str, SeriesInfo]], Mapping[str, TagRole]],
) -> dict[str, object]:
    """Runs with their histogram tags, each with role, layer, depth and last step; ``roles_of``
    maps a run's tag names to their :class:`~tb_histdiag.engine.roles.TagRole`."""
    out = []
    for run, infos in index.items():
        roles = roles_of(infos)
        out.append(
            {
                "run": run,
                "tags": [
                    {
                        "tag": tag,
                        "role": roles[tag].role,
                        "layer": roles[tag].layer,
                        "depth": roles[tag].depth,
                        "last_step": info.max_step,
                    }
                    for tag, info in infos.items()
                ],
            }
        )
    return {"runs": out}


def series_document(series: Series, role: TagRole, timing: object | None = None) -> dict:
    """Chart data of one series: steps, distribution bands and re-binned histograms. ``timing``
    (a :class:`~tb_histdiag.timing.Timing`) measures the statistics as ``stats``."""
    with timing.measure("stats") if timing is not None else contextlib.nullcontext():
        s = stats.compute(series.steps, series.left, series.right, series.counts, series.nonfinite)
        edges, binned = rebin(series.left, series.right, series.counts, s.valid)
    return plain(
        {
            "run": series.run,
            "tag": series.tag,
            "role": role.role,
            "layer": role.layer,
            "steps": series.steps,
            "wall_times": series.wall_times,
            "valid": s.valid,
            "nonfinite": s.nonfinite,
            "stats": {
                "min": s.minimum,
                "max": s.maximum,
                "mean": s.mean,
                "std": s.std,
                "count": s.total,
            },
            "bands": {"basis_points": list(stats.BASIS_POINTS), "values": s.bands},
            "histogram": {"edges": edges, "counts": np.round(binned, 6)},
        }
    )


def layer_rows(diagnosis: RunDiagnosis) -> list[dict]:
    """The layer map rows of a run: each layer's weight tag (else its bias tag) and its
    per-step movement from the first logged step."""
    by_layer: dict[str, list] = {}
    for tag in diagnosis.tags:
        by_layer.setdefault(tag.layer, []).append(tag)
    rows = []
    for layer in diagnosis.layers:
        members = by_layer.get(layer.layer, [])
        pick = next((t for t in members if t.role == "weight"), None) or next(
            (t for t in members if t.role == "bias"), None
        )
        if pick is not None:
            rows.append(
                {
                    "layer": layer.layer,
                    "depth": layer.depth,
                    "tag": pick.tag,
                    "role": pick.role,
                    "status": pick.status,
                    "steps": list(pick.path_steps),
                    "movement": plain(pick.path),
                }
            )
    return rows


def layer_map_document(run: RunDiagnosis) -> dict[str, object]:
    """The layer map of one run."""
    return {"run": run.run, "layers": layer_rows(run)}


def layer_maps_document(runs: Sequence[RunDiagnosis]) -> dict[str, object]:
    """The layer maps of every run, in one answer."""
    return {"runs": [layer_map_document(run) for run in runs]}


def compare_document(a: str, b: str, rows: Sequence[TagComparison]) -> dict[str, object]:
    """The tag-by-tag comparison of run ``a`` with run ``b`` (the reference)."""
    return {"a": a, "b": b, "tags": [row.to_dict() for row in rows]}
