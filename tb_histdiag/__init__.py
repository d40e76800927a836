"""tb_histdiag: health verdicts for the histograms you log to TensorBoard.

```python
import tb_histdiag

diagnosis = tb_histdiag.diagnose("runs/")          # every run of a logdir
print(diagnosis.worst())                           # "critical", "warning", "info" or "ok"
for run in diagnosis:
    for tag in run:
        print(run.run, tag.tag, [v.id for v in tag.verdicts])
diagnosis                                          # in a notebook: the HTML report
```

Kept import-light on purpose: TensorBoard imports this package at start-up through the plugin's
entry point, so nothing here may be slow or fail. The public names below are imported on first
use (module ``__getattr__``).
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Public name -> module that defines it; imported on first access.
_LAZY = {
    "diagnose": "tb_histdiag.api",
    "diagnose_series": "tb_histdiag.api",
    "load_thresholds": "tb_histdiag.engine.config",
    "LogdirDiagnosis": "tb_histdiag.reported",
    "InputError": "tb_histdiag.errors",
    "NoHistogramsError": "tb_histdiag.errors",
    "DataServerError": "tb_histdiag.errors",
    "Diagnosis": "tb_histdiag.results",
    "RunDiagnosis": "tb_histdiag.results",
    "LayerDiagnosis": "tb_histdiag.results",
    "TagDiagnosis": "tb_histdiag.results",
    "Verdict": "tb_histdiag.results",
    "Thresholds": "tb_histdiag.verdicts",
    "Watcher": "tb_histdiag.watch",
    "Finding": "tb_histdiag.findings",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tb_histdiag' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, including the lazily imported public ones."""
    return sorted(set(globals()) | set(_LAZY))
