"""The verdicts: from series statistics to findings.

One module per kind of rule (``values``, ``learning``, ``activations``, ``scale``), the tag rules
of one series together (``tag``), rules across the tags of a run (``cross_tag``), layer and run
verdicts (``layers``), how the logs are laid out (``log_layout``), severities graded by the loss (``outcome``), every number they compare
against (``thresholds``), and the table of verdict ids (``table``). ``docs/verdicts.md`` gives
each rule, its thresholds and the research tool it follows.
"""

from tb_histdiag.verdicts.cross_tag import (
    cross_tag_step,
    unsaturable_preactivations,
    vanishing_relative,
)
from tb_histdiag.verdicts.layers import bias_only, last_layer_only
from tb_histdiag.verdicts.learning import first_last_distance, movement_path, relative_change
from tb_histdiag.verdicts.log_layout import several_trainings, unnamed_layers
from tb_histdiag.verdicts.outcome import OUTCOME_GATED, gate_by_outcome, loss_outcome
from tb_histdiag.verdicts.scale import Growth, measure_growth
from tb_histdiag.verdicts.tag import TAG_RULES, apply_rules, recent_mean_abs, recent_range
from tb_histdiag.verdicts.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "DEFAULT_THRESHOLDS",
    "OUTCOME_GATED",
    "TAG_RULES",
    "Growth",
    "Thresholds",
    "apply_rules",
    "bias_only",
    "cross_tag_step",
    "first_last_distance",
    "gate_by_outcome",
    "last_layer_only",
    "loss_outcome",
    "measure_growth",
    "movement_path",
    "recent_mean_abs",
    "recent_range",
    "relative_change",
    "several_trainings",
    "unnamed_layers",
    "unsaturable_preactivations",
    "vanishing_relative",
]
