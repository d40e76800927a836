"""The numpy corpus's synthetic tasks: interleaved spirals for the MLPs, signals with a class
motif at a random position for the 1-D CNNs (see :mod:`.network`). Seeded, standardised."""

from __future__ import annotations

import numpy as np


def make_spirals(
    n_samples: int, input_dim: int, classes: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spirals, one arm per class, embedded in ``input_dim`` dimensions.

    Returns standardised inputs ``[n_samples, input_dim]`` and integer labels ``[n_samples]``.
    """
    if input_dim < 2:
        raise ValueError("input_dim must be at least 2")
    per_class = n_samples // classes
    labels = np.repeat(np.arange(classes), per_class)
    radius = np.tile(np.linspace(0.1, 1.0, per_class), classes)
    # One and a half turns per arm, arms offset by 2*pi/classes, with angular noise so the classes
    # overlap a little and the loss cannot reach zero.
    angle = labels * (2 * np.pi / classes) + radius * 3 * np.pi + rng.normal(0, 0.3, labels.size)
    plane = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1) * 2.0
    noise = rng.normal(0.0, 0.3, (labels.size, input_dim - 2))
    # A random rotation spreads the signal over all inputs, so no input weight is special.
    rotation, _ = np.linalg.qr(rng.normal(size=(input_dim, input_dim)))
    x = np.concatenate([plane, noise], axis=1) @ rotation
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    order = rng.permutation(labels.size)
    return x[order], labels[order]


#: The class motifs of :func:`make_motifs`: a falling step, a rising step, an oscillation.
MOTIFS = (
    (1.0, 1.0, 1.0, -1.0, -1.0, -1.0),
    (-1.0, -1.0, -1.0, 1.0, 1.0, 1.0),
    (1.0, -1.0, 1.0, -1.0, 1.0, -1.0),
)


def make_motifs(
    n_samples: int, length: int, classes: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy signals with one class motif each, at a random position.

    Every signal is white noise (std 1) plus the motif of its class (amplitude 1.5) added at a
    uniformly random offset. The motifs have the same energy and zero mean, so neither the
    signal's level nor its power tells the class; its local shape does, wherever it sits.
    Returns standardised inputs ``[n_samples, length, 1]`` (channels last) and labels.
    """
    if not 1 <= classes <= len(MOTIFS):
        raise ValueError(f"the motif task has at most {len(MOTIFS)} classes")
    width = len(MOTIFS[0])
    if length < width:
        raise ValueError(f"signal_length must be at least {width}")
    per_class = n_samples // classes
    labels = np.repeat(np.arange(classes), per_class)
    x = rng.normal(0.0, 1.0, (labels.size, length))
    offsets = rng.integers(0, length - width + 1, labels.size)
    motifs = 1.5 * np.asarray(MOTIFS)[labels]
    rows = np.arange(labels.size)[:, None]
    x[rows, offsets[:, None] + np.arange(width)] += motifs
    x = (x - x.mean()) / x.std()
    order = rng.permutation(labels.size)
    return x[order][:, :, None], labels[order]
