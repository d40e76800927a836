"""What a PyTorch family of the labelled corpus is: :class:`TorchScenario`, its variants and
labels, and the corpus parts (:func:`part_of`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .torch_models import TorchConfig

TUNING = "tuning"
HELDOUT = "heldout"
PARTS = (TUNING, HELDOUT)


@dataclass(frozen=True)
class TagLabel:
    """A verdict that must (``present``) or must not appear on every tag matching ``pattern``."""

    pattern: str
    verdict: str
    present: bool = True

    def matches(self, tag: str) -> bool:
        """Whether the label applies to ``tag``."""
        return re.search(self.pattern, tag) is not None


@dataclass(frozen=True)
class LayerLabel:
    """A layer verdict that must (or must not) appear on every layer whose name matches."""

    pattern: str
    verdict: str
    present: bool = True

    def matches(self, layer: str) -> bool:
        """Whether the label applies to the layer named ``layer``."""
        return re.search(self.pattern, layer) is not None


@dataclass(frozen=True)
class TorchVariant:
    """One run of a family: its configuration and what its data shows.

    ``labels`` (tag labels) and ``run_verdicts`` replace the family's when given (a deeper
    variant has more vanishing layers, for instance).
    """

    config: TorchConfig
    facts: str
    labels: tuple[TagLabel, ...] | None = None
    run_verdicts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TorchScenario:
    """A family of PyTorch runs with its ground truth.

    Attributes:
        name: family name; the runs are ``torch_<name>_v<k>``.
        description: what the family trains and what goes wrong (or does not), and why.
        variants: variants 0-2 are tuning runs, 3 and up held out (:func:`part_of`).
        labels: tag labels (regex -> verdict) of every variant unless it has its own.
        layer_labels: layer labels (regex on the layer names the engine gives).
        run_verdicts: run-level verdict ids that must appear.
        run_absent: run-level verdict ids that must not appear.
        clean: no warning or critical verdict anywhere in the run.
    """

    name: str
    description: str
    variants: tuple[TorchVariant, ...]
    labels: tuple[TagLabel, ...] = ()
    layer_labels: tuple[LayerLabel, ...] = ()
    run_verdicts: tuple[str, ...] = ()
    run_absent: tuple[str, ...] = ()
    clean: bool = False

    def run_name(self, variant: int) -> str:
        """The run directory's name of one variant, e.g. ``torch_bn_cnn_v1``."""
        return f"torch_{self.name}_v{variant}"

    def variant_labels(self, variant: int) -> tuple[TagLabel, ...]:
        """The tag labels of one variant."""
        own = self.variants[variant].labels
        return self.labels if own is None else own

    def variant_run_verdicts(self, variant: int) -> tuple[str, ...]:
        """The run verdicts one variant must show."""
        own = self.variants[variant].run_verdicts
        return self.run_verdicts if own is None else own


#: The first held-out variant index: variants below it are tuning, the rest held out.
FIRST_HELDOUT = 3


def part_of(variant: int) -> str:
    """The corpus part of a variant (of a PyTorch family or a numpy scenario): 0, 1 and 2 are
    tuning, 3 and up are held out."""
    return TUNING if variant < FIRST_HELDOUT else HELDOUT


def cfg(family: str, **kw: Any) -> TorchConfig:
    """The training configuration of a family."""
    return TorchConfig(family=family, **kw)
