"""tb_histdiag: health verdicts for the histograms you log to TensorBoard.

Kept import-light on purpose: TensorBoard imports this package at start-up through the plugin's
entry point, so nothing here may be slow or fail.
"""

__version__ = "0.1.0"
