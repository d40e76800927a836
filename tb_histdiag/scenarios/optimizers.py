"""The optimizers of the numpy networks (:mod:`.network`): Adam and plain SGD, on lists of
float64 parameter arrays, updated in place."""

from __future__ import annotations

import numpy as np


class Adam:
    """Adam (Kingma & Ba) with PyTorch's default betas and epsilon."""

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.moments: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.t = 0

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        self.t += 1
        c1 = 1.0 - self.beta1**self.t
        c2 = 1.0 - self.beta2**self.t
        for key, (p, g) in enumerate(zip(params, grads)):
            m, v = self.moments.get(key, (np.zeros_like(p), np.zeros_like(p)))
            m = self.beta1 * m + (1.0 - self.beta1) * g
            v = self.beta2 * v + (1.0 - self.beta2) * g * g
            self.moments[key] = (m, v)
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


class SGD:
    """Plain SGD, with heavy-ball momentum if ``momentum > 0``."""

    def __init__(self, lr: float, momentum: float = 0.0):
        self.lr, self.momentum = lr, momentum
        self.velocity: dict[int, np.ndarray] = {}

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for key, (p, g) in enumerate(zip(params, grads)):
            if self.momentum:
                v = self.momentum * self.velocity.get(key, np.zeros_like(p)) + g
                self.velocity[key] = v
                p -= self.lr * v
            else:
                p -= self.lr * g
