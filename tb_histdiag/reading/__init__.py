"""Reading: TensorBoard's data providers in, numpy :class:`~tb_histdiag.reading.series.Series` out.

The first stage of the flow (see ``docs/architecture.md``). Nothing here knows about statistics,
verdicts or reports; the modules import only each other and TensorBoard.
"""
