"""What :func:`tb_histdiag.diagnose` returns: the result types with their reports attached.

The result types (:mod:`tb_histdiag.results`) know nothing of their renderers; these subclasses,
on the front door's side, hand themselves to :mod:`tb_histdiag.reports` (``to_text``,
``to_markdown``, ``to_html`` and, for notebooks, ``_repr_html_``), with the chart data that was
gathered while the logdir was read passed explicitly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from tb_histdiag.reports import html as html_report
from tb_histdiag.reports import markdown as markdown_report
from tb_histdiag.reports import text as text_report
from tb_histdiag.reports.bands import BandsChart
from tb_histdiag.results import Diagnosis, RunDiagnosis


@dataclasses.dataclass(frozen=True)
class LogdirRunDiagnosis(RunDiagnosis):
    """A :class:`~tb_histdiag.results.RunDiagnosis` read from a logdir, with its reports."""

    @classmethod
    def of(cls, run: RunDiagnosis) -> LogdirRunDiagnosis:
        """The same diagnosis as this class."""
        return cls(**{f.name: getattr(run, f.name) for f in dataclasses.fields(RunDiagnosis)})

    def to_markdown(self) -> str:
        """The Markdown report of this run alone (see :meth:`LogdirDiagnosis.to_markdown`)."""
        return markdown_report.to_markdown(Diagnosis(runs=(self,)))

    def to_html(self) -> str:
        """The HTML report of this run alone, without charts (see :meth:`LogdirDiagnosis.to_html`)."""
        return html_report.to_html(Diagnosis(runs=(self,)))

    def _repr_html_(self) -> str:
        """The report of this run as HTML for notebooks (Jupyter calls this to display it)."""
        return html_report.to_html_fragment(Diagnosis(runs=(self,)))


@dataclasses.dataclass(frozen=True)
class LogdirDiagnosis(Diagnosis):
    """A :class:`~tb_histdiag.results.Diagnosis` read from a logdir, with its reports.

    ``charts`` maps ``(run, tag)`` of every tag with a verdict to its distribution bands, which
    :meth:`to_html` and a notebook's display draw next to the verdicts.
    """

    charts: Mapping[tuple[str, str], BandsChart] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    def to_text(self, color: bool = False) -> str:
        """A compact plain-text report: per run, its findings and a table of flagged tags."""
        return text_report.to_text(self, color=color)

    def to_markdown(self) -> str:
        """A Markdown report for a pull request or an issue: a summary table of the runs, then
        per run its findings and a table of flagged tags with their evidence."""
        return markdown_report.to_markdown(self)

    def to_html(self) -> str:
        """A self-contained HTML document (no scripts, no network): the verdicts of every run
        and charts of the flagged tags' distributions."""
        return html_report.to_html(self, charts=self.charts)

    def _repr_html_(self) -> str:
        """The HTML report as a fragment with scoped styles, for notebooks."""
        return html_report.to_html_fragment(self, charts=self.charts)
