"""What a scenario is and what it should produce: :class:`Scenario`, its :class:`Expect` and
:class:`LayerExpect` labels.

Ground truth is stated per layer and histogram kind (see :data:`.writers.KINDS`), because the tag
names differ between formats; :meth:`Scenario.expected_tags` turns it into tag names for one
format. An :class:`Expect` with ``present=False`` says the verdict must *not* appear there.
Anything not mentioned is left to the engine's judgement (e.g. the activations of frozen layers,
whose distribution legitimately stays the same).

The ``facts`` of each scenario are what the generated data really shows (measured with the
default steps, both formats, read back through TensorBoard's data provider); they are the
reason behind each expectation.
"""

from __future__ import annotations

from dataclasses import dataclass

from .network import TrainConfig
from .writers import FORMATS, KINDS, layer_kinds, layer_name, tag_name


@dataclass(frozen=True)
class Expect:
    """A verdict the diagnostics should (``present``) or should not produce on some tags.

    Attributes:
        verdict: a verdict id (``frozen``, ``constant``, ...).
        kinds: histogram kinds it applies to (``weight``, ``bias``, ``activation``, ...).
        layers: 0-based layer indices; negative indices count from the output layer.
        present: True if the verdict must appear, False if it must not.
        formats: the formats in which this holds (the writers differ on non-finite data).
    """

    verdict: str
    kinds: tuple[str, ...]
    layers: tuple[int, ...]
    present: bool = True
    formats: tuple[str, ...] = FORMATS

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kinds {sorted(unknown)}; expected some of {KINDS}")


@dataclass(frozen=True)
class LayerExpect:
    """A layer-level verdict (``bias_only``) that should (``present``) or should not appear.

    Attributes:
        verdict: a layer verdict id.
        layers: 0-based layer indices; negative indices count from the output layer.
        present: True if the verdict must appear on each of these layers, False if it must not.
        formats: the formats in which this holds.
    """

    verdict: str
    layers: tuple[int, ...]
    present: bool = True
    formats: tuple[str, ...] = FORMATS


@dataclass(frozen=True)
class Scenario:
    """A named training run with its ground truth.

    Attributes:
        name: identifier, also the prefix of the run directories (``<name>_<format>``).
        description: one sentence on what goes wrong (or does not) and why.
        config: the training configuration.
        expected: tag-level verdicts that must or must not appear.
        layer_verdicts: layer-level verdicts that must or must not appear (e.g. ``bias_only``).
        run_verdicts: run-level verdict ids that must appear (e.g. ``last_layer_only``).
        run_absent: run-level verdict ids that must not appear.
        clean: if True, no tag, layer or run may get a ``warning`` or ``critical`` verdict.
        facts: what the generated data shows, measured; the basis of the expectations.
        formats: the on-disk formats the scenario is written in (the variants use one or two,
            the base scenarios all).
        variant_of: for a variant, the name of the base scenario it varies.
        variant: the variant index (0 for a base scenario); it decides the corpus part
            (:func:`.torch_catalog.part_of`: 0-2 tuning, 3 and up held out).
    """

    name: str
    description: str
    config: TrainConfig
    expected: tuple[Expect, ...] = ()
    layer_verdicts: tuple[LayerExpect, ...] = ()
    run_verdicts: tuple[str, ...] = ()
    run_absent: tuple[str, ...] = ()
    clean: bool = False
    facts: str = ""
    formats: tuple[str, ...] = FORMATS
    variant_of: str | None = None
    variant: int = 0

    @property
    def n_layers(self) -> int:
        """Number of weight layers of the network."""
        return self.config.n_layers

    @property
    def n_conv(self) -> int:
        """Number of convolution layers (the first layers of the network)."""
        return self.config.n_conv

    def run_name(self, fmt: str) -> str:
        """The run directory's name for one format, e.g. ``healthy_tf2``."""
        return f"{self.name}_{fmt}"

    def expected_tags(self, fmt: str, present: bool = True) -> dict[str, frozenset[str]]:
        """``tag -> verdict ids`` that must appear (``present=True``) or must not (``False``)."""
        found: dict[str, set[str]] = {}
        n = self.n_layers
        for expect in self.expected:
            if expect.present != present or fmt not in expect.formats:
                continue
            for layer in expect.layers:
                index = layer % n
                for kind in expect.kinds:
                    if kind in layer_kinds(index, n, fmt):
                        tag = tag_name(fmt, kind, index, self.n_conv)
                        found.setdefault(tag, set()).add(expect.verdict)
        return {tag: frozenset(ids) for tag, ids in found.items()}

    def expected_layers(self, fmt: str, present: bool = True) -> dict[str, frozenset[str]]:
        """``layer name -> layer verdict ids`` that must appear (or must not), named as the tag
        parser names the layer (``fc2``, ``dense_1``, ``conv1d`` ...)."""
        found: dict[str, set[str]] = {}
        for expect in self.layer_verdicts:
            if expect.present != present or fmt not in expect.formats:
                continue
            for layer in expect.layers:
                name = layer_name(fmt, layer % self.n_layers, self.n_conv)
                found.setdefault(name, set()).add(expect.verdict)
        return {name: frozenset(ids) for name, ids in found.items()}


PARAMS = ("weight", "bias")
GRADS = ("weight_grad", "bias_grad")
