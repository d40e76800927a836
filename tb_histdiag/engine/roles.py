"""From histogram tag names to (layer, role, depth).

People name their histograms in many styles: Keras 2 (``dense_1/kernel_0``), Keras 3
(``dense/kernel/histogram``), PyTorch modules (``layer1.0.conv1.weight``, ``bn1.running_var``,
``encoder.layers.0.self_attn.out_proj.weight``, ``grad/fc1.weight``, ``fc1.weight.grad``) and TF1
code (``layer1/weights``, ``W_conv1``, ``conv5_weights``, ``con1_before_relu``). A tag is split into
components at ``/``, ``.`` and ``:``; **the tensor's own name decides the role**: the last
component that names one (``kernel``, ``bias``, ``gamma``, ``running_var``, ``embeddings``, ...).
The components before it only name the layer, so ``L1_16_Dense_RELU/bias_0`` is a bias and a Keras
layer called ``output`` has a weight, not an activation. A ``weight``/``bias`` of a normalisation
module (``bn1``, ``norm2``, ``LayerNorm``, ``batch_normalization``) is its scale/shift. Gradient
markers (``grad/``, ``.grad``, ``/gradient``) make a gradient of the role the rest names, kept as
:attr:`TagRole.target`. Names that say nothing about their role get ``other``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

ROLES = (
    "weight",
    "bias",
    "norm_scale",
    "norm_shift",
    "running_stat",
    "activation",
    "preactivation",
    "gradient",
    "input",
    "output",
    "other",
)

#: What each role means, for help texts and documents.
ROLE_DESCRIPTIONS = {
    "weight": "trainable weights: kernels, weight matrices, embeddings",
    "bias": "trainable biases of weight layers",
    "norm_scale": "scales of normalisation layers (BatchNorm/LayerNorm gamma, norm.weight)",
    "norm_shift": "shifts of normalisation layers (BatchNorm/LayerNorm beta, norm.bias)",
    "running_stat": "running statistics, not trained (moving_mean, running_var)",
    "activation": "outputs of hidden layers",
    "preactivation": "inputs of an activation function (x @ W + b), logits",
    "gradient": "gradients of any of the above",
    "input": "the data fed to the model, and its labels",
    "output": "the model's output probabilities (softmax, sigmoid)",
    "other": "anything the name does not tell",
}

_GRADIENT_WORDS = {"grad", "grads", "gradient", "gradients"}
_DECORATION_WORDS = {
    "histogram",
    "histograms",
    "hist",
    "summary",
    "summaries",
    "distribution",
    "distributions",
    "values",
    # param/fc1.weight beside grad/fc1.weight: a namespace of parameters, as grad/ is of gradients
    "param",
    "params",
    "parameter",
    "parameters",
}
_NORM_MODULE_WORDS = {
    "bn",
    "norm",
    "layernorm",
    "batchnorm",
    "groupnorm",
    "rmsnorm",
    "instancenorm",
    "normalization",
    "normalisation",
    "ln",
    "gn",
}
_PREACTIVATION_WORDS = {
    "preactivation",
    "preactivations",
    "preactivate",
    "preact",
    "preacts",
    "logits",
    "pre",
}
#: TensorFlow's summaries tutorial names the affine output ``layer1/Wx_plus_b/pre_activations``.
_WX_PLUS_B = re.compile(r"(?i)wx_?plus_?b")
#: A PyTorch module's repr used as a tag by forward hooks (``Linear(in_features=10, ...)``).
_MODULE_REPR = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\((.*)\)")
_PREACTIVATION_PHRASES = ("before_relu", "before_activation", "pre_activation", "pre-activation")
_OUTPUT_WORDS = {"probs", "probabilities", "probability", "softmax", "predictions", "yhat"}
_ACTIVATION_WORDS = {"activation", "activations", "act", "acts", "output", "outputs", "relu"}
#: The data fed to the model, and the labels it is trained on (TF1 tutorials log ``X``, ``Y``).
_INPUT_WORDS = {"input", "inputs", "x", "y", "images", "image", "data", "labels", "label"}
_BIAS_WORDS = {"bias", "biases", "b"}
_WEIGHT_WORDS = {"weight", "weights", "kernel", "kernels", "w", "embedding", "embeddings"}
_SCALE_WORDS = {"gamma", "scale"}
_SHIFT_WORDS = {"beta", "offset"}
_ROLE_WORDS = (
    _PREACTIVATION_WORDS
    | _OUTPUT_WORDS
    | _ACTIVATION_WORDS
    | _INPUT_WORDS
    | _BIAS_WORDS
    | _WEIGHT_WORDS
    | _SCALE_WORDS
    | _SHIFT_WORDS
    | {"running", "moving"}
)

#: Words, split at case changes too (``LayerNorm`` → layer, norm; ``W_conv1`` → w, conv, 1).
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_COMPONENT = re.compile(r"[^/.:]+")

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
    """Where a tag sits in the model: its layer name, role and depth (0 = closest to the input).

    ``target`` is, for a gradient, the role of the tensor it is the gradient of (``weight``,
    ``bias``, ``norm_scale``, ...; None when the name does not say).
    """

    tag: str
    layer: str
    role: str
    depth: int
    target: str | None = None


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


@dataclasses.dataclass(frozen=True)
class _Parsed:
    role: str
    layer: str
    target: str | None


def _is_norm_module(component: str) -> bool:
    words = _words(component)
    joined = "".join(w for w in words if not w.isdigit())
    return bool(set(words) & _NORM_MODULE_WORDS) or joined.endswith(("norm", "normalization"))


def is_batch_norm(layer: str) -> bool:
    """Whether a normalisation layer's name says it normalises each channel over the batch (or
    the sample): BatchNorm or InstanceNorm (``bn1``, ``BatchNorm2d``, ``batch_normalization``),
    which remove a per-channel constant. LayerNorm, GroupNorm and RMSNorm normalise across
    channels and do not."""
    words = set(_words(layer))
    return bool(words & {"bn", "batchnorm", "instancenorm"}) or (
        bool(words & {"batch", "instance"}) and bool(words & {"norm", "normalization"})
    )


def _own_role(component: str, parent: str | None) -> str | None:
    """The role a component names, or None when it names none."""
    words = _words(component)
    wordset = set(words)
    lower = component.lower()
    if (wordset & {"running", "moving"} and wordset & {"mean", "var", "variance", "std"}) or (
        wordset >= {"batches", "tracked"}
    ):
        return "running_stat"
    if (
        any(p in lower for p in _PREACTIVATION_PHRASES)
        or wordset & _PREACTIVATION_WORDS
        or _WX_PLUS_B.fullmatch(component)
    ):
        return "preactivation"
    norm_parent = parent is not None and _is_norm_module(parent)
    if wordset & _SCALE_WORDS and (norm_parent or "gamma" in wordset):
        return "norm_scale"
    if wordset & _SHIFT_WORDS and (norm_parent or "beta" in wordset):
        return "norm_shift"
    if wordset & _WEIGHT_WORDS:
        return "norm_scale" if norm_parent and wordset & {"weight", "weights"} else "weight"
    if wordset & _BIAS_WORDS:
        return "norm_shift" if norm_parent else "bias"
    if wordset & _OUTPUT_WORDS:
        return "output"
    if wordset & _ACTIVATION_WORDS or (words and words[0] == "h" and len(words) > 1):
        return "activation"  # TF1 tutorials call hidden activations h_conv1, h_fc1
    if len(words) > 1 and words[-1] == "out" and lower.endswith("_out"):
        return "activation"  # Keras 1's callback: dense_1_W, dense_1_b and the output dense_1_out
    meaningful = {w for w in words if not w.isdigit()}
    if meaningful and meaningful <= _INPUT_WORDS:  # a bare number ("weights/0") names nothing
        return "input"
    return None


_ROLE_SUFFIX = re.compile(
    r"(?i)(^|[/._:\-])(weights?|kernels?|bias(es)?|[wb](?=\d*$)|grad(ient)?s?|activations?"
    r"|outputs?|histograms?|summar(y|ies)|distribution|values|preactivations?|before_relu"
    r"|pre_activation|logits)(?=$|[/._:\-\d])"
)


def _strip_role_words(name: str) -> str:
    """A single component without its role and decoration words (``weights_conv1`` → ``conv1``,
    ``W1`` → ``1``)."""
    name = re.sub(r"(?i)^[wbh]_(?=[a-z])", "", name)  # TF1: W_conv1, b_fc1, h_pool1
    previous = None
    while previous != name:
        previous = name
        name = _ROLE_SUFFIX.sub(lambda m: m.group(1) if m.start() == 0 else "", name)
        name = re.sub(r"(?i)([/._\-])0$", "", name)  # Keras' "_0" variable suffix
        name = re.sub(r"(?i)(?<=[a-z0-9])_out$", "", name)  # Keras 1: dense_1_out
        name = name.strip("/._:- ")
    return name


#: A Keras weight name with no layer in front (``kernel/histogram``): how older Keras 3 callbacks
#: name every layer's weights (keras-team/keras#20809). Such a tag belongs to no known layer.
_KERAS_BARE_WEIGHT = re.compile(
    r"(kernel|bias|gamma|beta|moving_mean|moving_variance|embeddings|recurrent_kernel"
    r"|depthwise_kernel|pointwise_kernel|alpha)(_\d+)?/histogram"
)


def names_no_layer(tag: str) -> bool:
    """Whether ``tag`` is a Keras weight name with no layer in front (``kernel/histogram``)."""
    return _KERAS_BARE_WEIGHT.fullmatch(tag) is not None


def _is_role_namespace(component: str) -> bool:
    if _WX_PLUS_B.fullmatch(component):
        return True
    meaningful = {w for w in _words(component) if not w.isdigit()}
    return bool(meaningful) and meaningful <= _ROLE_WORDS


def _parse(tag: str, scopes: frozenset[str] = frozenset()) -> _Parsed:
    """Role, layer and gradient target of one tag. ``scopes`` are the layers whose parameters the
    run logs under their name: a component that is one of them, with more after it, is a name
    scope (TF1's ``output/Model`` beside ``output/Weights``), not the tensor's own name."""
    head, _, last = tag.rpartition("/")
    module = _MODULE_REPR.fullmatch(last)
    if module:
        return _module_output(head, last, module.group(1), scopes)
    name = re.sub(r":\d+$", "", tag)
    spans = [(m.start(), m.end(), m.group()) for m in _COMPONENT.finditer(name)]
    gradient = False
    kept: list[tuple[int, int, str]] = []
    for start, end, comp in spans:
        words = _words(comp)
        meaningful = [w for w in words if not w.isdigit()]
        if meaningful and set(meaningful) <= _DECORATION_WORDS:
            continue
        if set(words) & _GRADIENT_WORDS:
            gradient = True
            rest = [w for w in meaningful if w not in _GRADIENT_WORDS]
            if not rest:
                continue  # a pure marker: grad/, .grad, /gradients
            comp = re.sub(r"(?i)(^|[_\-])?grad(ient)?s?([_\-]|$)", "_", comp).strip("_-")
        kept.append((start, end, comp))
    if not kept:
        return _Parsed("gradient" if gradient else "other", "(model)", None)
    # The tensor's own name: the last component that names a role.
    own_index, own_role = None, None
    for i in range(len(kept) - 1, -1, -1):
        if i < len(kept) - 1 and kept[i][2] in scopes:
            kept = kept[: i + 1]  # the scope is the layer; what follows names no role
            break
        parent = kept[i - 1][2] if i > 0 else None
        role = _own_role(kept[i][2], parent)
        if role is not None:
            own_index, own_role = i, role
            break
    layer_parts = [k for i, k in enumerate(kept) if i != own_index]
    # Namespaces made of role words only (``activations/``, ``grad/``) name no layer, unless
    # nothing else does (a Keras layer called ``output``).
    named = [k for k in layer_parts if not _is_role_namespace(k[2])]
    # TF1 repeats the name scope inside the tag (layer1/weights/layer1/weights): once is enough.
    repeat = next((i for i, k in enumerate(named) if i and k[2] == named[0][2]), None)
    if repeat is not None:
        named = named[:repeat]
    if named:
        layer_parts = named
    elif own_index is not None and kept[own_index][2] in scopes:
        layer_parts = [kept[own_index]]  # activations/output of a layer called output
    elif own_index is not None and not _is_role_namespace(kept[own_index][2]):
        layer_parts = []  # activations/L1_Dense_RELU: the own component holds the layer name
    if layer_parts:
        layer = name[layer_parts[0][0] : layer_parts[-1][1]]
        layer = re.sub(r"(?i)[/._\-]0$", "", layer) if own_index is None else layer
    else:
        layer = _strip_role_words(kept[own_index][2]) if own_index is not None else name
    layer = layer.strip("/._:- ") or "(model)"
    if names_no_layer(tag):
        layer = "(model)"  # gamma/histogram names no layer called gamma
    if gradient:
        return _Parsed("gradient", layer, own_role)
    return _Parsed(own_role or "other", layer, None)


#: What can come out of a module: a forward hook sees one of these (or a gradient of one).
_MODULE_OUTPUTS = ("activation", "preactivation", "output")


def _module_output(head: str, last: str, module: str, scopes: frozenset[str]) -> _Parsed:
    """A tag whose last component is a module's repr (``Pre-Activations/Linear(...)``): what a
    forward hook saw come out of that module. Its arguments say nothing of the role
    (``bias=True`` is not a bias), and they keep modules of one class apart as layers. The role
    comes from the namespaces and the class (``ReLU`` → activation, ``Softmax`` → output);
    a module's output is otherwise an activation."""
    p = _parse(f"{head}/{module}" if head else module, scopes)
    role = p.role if p.role in (*_MODULE_OUTPUTS, "gradient") else "activation"
    target = p.target if p.target in _MODULE_OUTPUTS else None
    layer = (
        p.layer[: -len(module)] + last if p.layer.endswith(module) else f"{head}/{last}".lstrip("/")
    )
    return _Parsed(role, layer, target)


def role_of(tag: str) -> str:
    """Return the role a tag name announces (one of :data:`ROLES`)."""
    return _parse(tag).role


def layer_of(tag: str) -> str:
    """Return the layer a tag belongs to: the tag without its own name and decoration.

    ``dense_1/kernel_0`` → ``dense_1``; ``fc1.weight.grad`` → ``fc1``; ``weights_conv1`` → ``conv1``;
    ``W1`` → ``1``. A tag that is nothing but role words belongs to the layer ``(model)``.
    """
    return _parse(tag).layer


#: Roles of tensors a layer holds under its own name (``output/Weights``): such a layer name is
#: a name scope wherever it appears.
_PARAMETER_ROLES = ("weight", "bias", "norm_scale", "norm_shift", "running_stat")


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
    scopes = frozenset(
        p.layer
        for p, tag in ((_parse(tag), tag) for tag in tags)
        if p.role in _PARAMETER_ROLES and tag.startswith(p.layer)
    )
    parsed: dict[str, _Parsed] = {}
    for tag in tags:
        p = _parse(tag, scopes)
        role = next((r for pattern, r in compiled if pattern.search(tag)), None)
        parsed[tag] = p if role is None else dataclasses.replace(p, role=role)
    stem_order: dict[str, int] = {}
    for p in parsed.values():
        stem_order.setdefault(_depth_key(p.layer)[0], len(stem_order))
    ordered = sorted(
        {p.layer for p in parsed.values()},
        key=lambda name: (
            _is_head(_depth_key(name)[0]),
            stem_order[_depth_key(name)[0]],
            _depth_key(name)[1],
            name,
        ),
    )
    depth = {name: i for i, name in enumerate(ordered)}
    return {
        tag: TagRole(tag, p.layer, p.role, depth[p.layer], p.target) for tag, p in parsed.items()
    }
