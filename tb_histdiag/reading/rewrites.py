"""Steps written again: which records of a series (histograms or the loss) still count.

A run directory can hold more than one training: ``fit`` re-run with the same ``log_dir`` starts
again at step 0 in a new event file of the same run, and a training resumed from a checkpoint
starts again at the checkpoint's step. TensorBoard's Rust data server (its default loader) then
keeps what the latest writing left standing: a record at step ``s`` drops every record written
before it at a step ``>= s``. Its Python loader keeps everything, in the order written: in an
event file of version 2 (what TF2, PyTorch and tensorboardX write) it purges only after a
``SessionLog.START`` event, which those writers do not write. Both are read here as the Rust
loader reads: a record counts when every record written after it has a greater step. So a
re-run from 0 is judged on its own, a resumed run on its steps before the resume point and
everything after, and several tensors logged at one step (older Keras 3 callbacks) on the last
of them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def latest_writes(steps: NDArray[np.int64]) -> NDArray[np.intp]:
    """Indices of the records that still count (see the module), in order; their steps are
    strictly increasing."""
    if steps.size < 2 or bool((steps[1:] > steps[:-1]).all()):
        return np.arange(steps.size)
    # The smallest step written after each record.
    later = np.minimum.accumulate(steps[::-1])[::-1][1:]
    return np.flatnonzero(steps < np.append(later, np.iinfo(np.int64).max))


def restart_steps(steps: NDArray[np.int64]) -> tuple[int, ...]:
    """The steps at which writing started again from an earlier step, in order (empty when the
    steps never go back; several records at one step are not a restart)."""
    back = np.flatnonzero(steps[1:] < steps[:-1]) + 1
    return tuple(int(s) for s in steps[back])
