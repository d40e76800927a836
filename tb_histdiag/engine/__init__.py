"""The engine: statistics of a series, tag roles, the run assembly and the configuration.

Between reading and the results (see ``docs/architecture.md``): :mod:`~tb_histdiag.engine.stats`
is pure numpy, :mod:`~tb_histdiag.verdicts` judges its numbers, and
:mod:`~tb_histdiag.engine.diagnosis` puts a run together from the two.
"""
