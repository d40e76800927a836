"""Moved to :mod:`tb_histdiag.verdicts`; this name stays until every importer has moved."""

from tb_histdiag.verdicts import *  # noqa: F403
from tb_histdiag.verdicts import DEFAULT_THRESHOLDS, Thresholds  # noqa: F401
