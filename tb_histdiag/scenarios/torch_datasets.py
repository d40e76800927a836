"""Synthetic tasks of the PyTorch corpus (torch tensors, seeded by a ``torch.Generator``).

torch is imported lazily, inside the functions: the package does not depend on it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def glyph_images(n: int, gen: Any, classes: int = 4, border: int = 0) -> tuple[Any, Any]:
    """8x8 single-channel images of four glyph classes at random shifts, with noise.

    Class 0 a horizontal bar, 1 a vertical bar, 2 a diagonal, 3 a hollow square; each drawn at a
    random offset of up to +-1 pixel with a random amplitude in [0.7, 1.3] and N(0, 0.35^2)
    noise. ``border`` pixels on every side are exactly 0 in every image (as MNIST's border is).
    """
    import torch

    base = torch.zeros(4, 8, 8)
    base[0, 3:5, 1:7] = 1.0
    base[1, 1:7, 3:5] = 1.0
    for i in range(1, 7):
        base[2, i, i] = 1.0
        base[2, i, min(7, i + 1)] = 1.0
    base[3, 2:6, 2] = base[3, 2:6, 5] = base[3, 2, 2:6] = base[3, 5, 2:6] = 1.0
    labels = torch.randint(0, classes, (n,), generator=gen)
    shifts = torch.randint(-1, 2, (n, 2), generator=gen)
    amp = 0.7 + 0.6 * torch.rand(n, generator=gen)
    images = torch.stack(
        [
            torch.roll(base[int(c)], shifts=(int(s[0]), int(s[1])), dims=(0, 1))
            for c, s in zip(labels, shifts)
        ]
    )
    images = images * amp[:, None, None] + 0.35 * torch.randn(n, 8, 8, generator=gen)
    images = (images - images.mean()) / images.std()
    if border:
        mask = torch.zeros(8, 8)
        mask[border:-border, border:-border] = 1.0
        images = images * mask
    return images[:, None], labels


def spirals(n: int, seed: int, input_dim: int = 10, classes: int = 3) -> tuple[Any, Any]:
    """The numpy corpus' spirals task (:func:`.tasks.make_spirals`) as float32 tensors."""
    import torch

    from .tasks import make_spirals

    x, y = make_spirals(n, input_dim, classes, np.random.default_rng(seed))
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.long)


def regression(n: int, gen: Any, input_dim: int = 8) -> tuple[Any, Any]:
    """``y = sin(x . a) + 0.5 * (x . b) + noise`` with standard-normal inputs."""
    import torch

    x = torch.randn(n, input_dim, generator=gen)
    a = torch.randn(input_dim, generator=gen) / math.sqrt(input_dim)
    b = torch.randn(input_dim, generator=gen) / math.sqrt(input_dim)
    y = torch.sin(2 * x @ a) + 0.5 * (x @ b) + 0.1 * torch.randn(n, generator=gen)
    return x, y[:, None]


def majority_tokens(n: int, gen: Any, length: int = 12, vocab: int = 10) -> tuple[Any, Any]:
    """Token sequences where one of the tokens 0-3 is over-represented; the label is which.

    Each position is the class token with probability 0.35, otherwise uniform over the vocab.
    """
    import torch

    labels = torch.randint(0, 4, (n,), generator=gen)
    tokens = torch.randint(0, vocab, (n, length), generator=gen)
    pick = torch.rand(n, length, generator=gen) < 0.35
    tokens = torch.where(pick, labels[:, None].expand(n, length), tokens)
    return tokens, labels


def progressions(n: int, gen: Any, length: int = 10, vocab: int = 12) -> tuple[Any, Any]:
    """Arithmetic progressions modulo ``vocab`` (start and step 1-4 random): next-token targets.

    Returns inputs ``[n, length - 1]`` and targets ``[n, length - 1]`` (the inputs shifted by
    one). From the second token on, the sequence is fully determined.
    """
    import torch

    start = torch.randint(0, vocab, (n, 1), generator=gen)
    step = torch.randint(1, 5, (n, 1), generator=gen)
    seq = (start + step * torch.arange(length)[None]) % vocab
    return seq[:, :-1], seq[:, 1:]
