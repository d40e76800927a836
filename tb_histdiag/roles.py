"""From histogram tag names to (layer, role, depth).

People name their histograms in many styles: Keras (``dense_1/kernel_0``, ``dense/bias/histogram``),
PyTorch (``fc1.weight``, ``layer1.0.conv1.weight``, ``grad/fc1.weight``, ``fc1.weight.grad``) and TF1
code (``layer1/weights``, ``W1``, ``conv5_weights``, ``biases_conv1``, ``con1_before_relu``,
``conv2_output_distribution``). A tag is split into word tokens; the role comes from the tokens that
name it, and the layer is what remains once role words and decoration (``histogram``, ``summaries``,
``_0`` suffixes) are removed. Names that say nothing about their role get ``other``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

ROLES = ("weight", "bias", "activation", "preactivation", "gradient", "other")

_GRADIENT_WORDS = {"grad", "grads", "gradient", "gradients"}
_PREACTIVATION_WORDS = {"preactivation", "preactivations", "preact", "logits", "pre"}
_PREACTIVATION_PHRASES = ("before_relu", "before_activation", "pre_activation", "pre-activation")
_ACTIVATION_WORDS = {"activation", "activations", "act", "acts", "output", "outputs", "relu"}
_BIAS_WORDS = {"bias", "biases", "b"}
_WEIGHT_WORDS = {"weight", "weights", "kernel", "kernels", "w", "embedding", "embeddings"}
_DECORATION_WORDS = {
    "histogram",
    "histograms",
    "summary",
    "summaries",
    "distribution",
    "values",
    "0",
}

_TOKEN = re.compile(r"[A-Za-z]+|\d+")

#: Layer-name stems of classifier heads: dense layers that come after the convolutional, recurrent
#: or embedding layers of a network (``features.0`` < ``classifier.1``, ``conv1`` < ``fc1``,
#: ``lstm`` < ``dense``), whatever order the tag names are listed in.
_HEAD_STEMS = {
    "fc",
    "dense",
    "linear",
    "classifier",
    "head",
    "heads",
    "out",
    "output",
    "logits",
    "predictions",
}


@dataclasses.dataclass(frozen=True)
class TagRole:
    """Where a tag sits in the model: its layer name, role and depth (0 = closest to the input)."""

    tag: str
    layer: str
    role: str
    depth: int


def _tokens(tag: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(tag)]


def role_of(tag: str) -> str:
    """Return the role a tag name announces: weight, bias, activation, preactivation, gradient
    or other."""
    lower = tag.lower()
    words = set(_tokens(tag))
    if words & _GRADIENT_WORDS or lower.endswith(".grad"):
        return "gradient"
    if any(p in lower for p in _PREACTIVATION_PHRASES) or words & _PREACTIVATION_WORDS:
        return "preactivation"
    if words & _ACTIVATION_WORDS:
        return "activation"
    if words & _BIAS_WORDS:
        return "bias"
    if words & _WEIGHT_WORDS:
        return "weight"
    return "other"


_ROLE_SUFFIX = re.compile(
    r"(?i)(^|[/._:\-])(weights?|kernels?|bias(es)?|[wb](?=\d*$)|grad(ient)?s?|activations?"
    r"|outputs?|histograms?|summar(y|ies)|distribution|values|preactivations?|before_relu"
    r"|pre_activation|logits)(?=$|[/._:\-\d])"
)


def layer_of(tag: str) -> str:
    """Return the layer a tag belongs to: the tag without its role and decoration words.

    ``dense_1/kernel_0`` → ``dense_1``; ``fc1.weight.grad`` → ``fc1``; ``weights_conv1`` → ``conv1``;
    ``W1`` → ``1``. A tag that is nothing but role words belongs to the layer ``(model)``.
    """
    name = tag
    name = re.sub(r"(?i)^(grads?|gradients?)[/.]", "", name)
    name = re.sub(r":\d+$", "", name)
    previous = None
    while previous != name:
        previous = name
        name = _ROLE_SUFFIX.sub(lambda m: m.group(1) if m.start() == 0 else "", name)
        name = re.sub(r"(?i)([/._\-])0$", "", name)  # Keras' "_0" variable suffix
        name = name.strip("/._:- ")
    return name or "(model)"


def _depth_key(layer: str) -> tuple[str, tuple[int, ...]]:
    stem = re.sub(r"\d+", "", layer).strip("/._:- ")
    numbers = tuple(int(n) for n in re.findall(r"\d+", layer))
    return stem, numbers


def _is_head(stem: str) -> bool:
    words = re.findall(r"[a-z]+", stem.lower())
    return bool(words) and words[-1] in _HEAD_STEMS


def assign_roles(
    tags: Iterable[str], overrides: Mapping[str, str] | None = None
) -> dict[str, TagRole]:
    """Return a :class:`TagRole` for every tag.

    Depth orders layers by the numbers in their names (``dense`` < ``dense_1`` < ``dense_2``,
    ``fc1`` < ``fc2``), and layers with different name stems by first appearance in ``tags``,
    except that classifier-head stems (``fc``, ``dense``, ``linear``, ``classifier``, ``head``,
    ...) come after all others (``conv1d`` < ``dense``, ``features.3`` < ``classifier.1``).
    ``overrides`` maps a regular expression on the tag name to a role, first match wins.
    """
    tags = list(tags)
    compiled = [(re.compile(p), r) for p, r in (overrides or {}).items()]
    layers: dict[str, str] = {}
    roles: dict[str, str] = {}
    for tag in tags:
        role = next((r for pattern, r in compiled if pattern.search(tag)), None) or role_of(tag)
        roles[tag] = role
        layers[tag] = layer_of(tag)
    stem_order: dict[str, int] = {}
    for layer in layers.values():
        stem_order.setdefault(_depth_key(layer)[0], len(stem_order))
    ordered = sorted(
        set(layers.values()),
        key=lambda name: (
            _is_head(_depth_key(name)[0]),
            stem_order[_depth_key(name)[0]],
            _depth_key(name)[1],
            name,
        ),
    )
    depth = {name: i for i, name in enumerate(ordered)}
    return {tag: TagRole(tag, layers[tag], roles[tag], depth[layers[tag]]) for tag in tags}
