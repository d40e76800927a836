"""Tag names in the styles people really use → (layer, role, depth)."""

from __future__ import annotations

import pytest

from tb_histdiag.engine.roles import assign_roles, layer_of, role_of


@pytest.mark.parametrize(
    ("tag", "role", "layer"),
    [
        ("dense/kernel_0", "weight", "dense"),
        ("dense_1/bias_0", "bias", "dense_1"),
        ("dense/kernel/histogram", "weight", "dense"),
        ("fc1.weight", "weight", "fc1"),
        ("layer1.0.conv1.weight", "weight", "layer1.0.conv1"),
        ("features.3.bias", "bias", "features.3"),
        ("grad/fc1.weight", "gradient", "fc1"),
        ("fc1.weight.grad", "gradient", "fc1"),
        ("layer1/weights", "weight", "layer1"),
        ("conv5_weights", "weight", "conv5"),
        ("weights_conv1", "weight", "conv1"),
        ("biases_conv1", "bias", "conv1"),
        ("local1_biases", "bias", "local1"),
        ("con1_before_relu", "preactivation", "con1"),
        ("conv2_output_distribution", "activation", "conv2"),
        ("dense/activation", "activation", "dense"),
        ("Qpred", "other", "Qpred"),
        ("conv1d/kernel_0", "weight", "conv1d"),
        ("conv1d_1/bias_0/gradient", "gradient", "conv1d_1"),
        ("conv2d_3/kernel_0", "weight", "conv2d_3"),
        ("conv1.weight", "weight", "conv1"),
        ("grad/conv2.bias", "gradient", "conv2"),
        ("preactivations/conv1", "preactivation", "conv1"),
        ("activations/conv2", "activation", "conv2"),
    ],
)
def test_role_and_layer(tag, role, layer):
    assert role_of(tag) == role
    assert layer_of(tag) == layer


def test_depth_follows_numeric_suffixes_then_first_appearance():
    roles = assign_roles(
        ["dense_2/kernel_0", "dense/kernel_0", "dense_1/kernel_0", "dense_10/bias_0"]
    )
    depth = {r.layer: r.depth for r in roles.values()}
    assert sorted(depth, key=depth.get) == ["dense", "dense_1", "dense_2", "dense_10"]
    roles = assign_roles(["conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight"])
    assert [
        roles[t].depth for t in ("conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight")
    ] == [
        0,
        1,
        2,
        3,
    ]


def test_overrides_win_over_the_name():
    roles = assign_roles(["Qpred", "fc1.weight"], overrides={"^Qpred$": "activation"})
    assert roles["Qpred"].role == "activation"
    assert roles["fc1.weight"].role == "weight"


def test_conv_layers_before_dense_layers_in_both_naming_styles():
    keras = ["dense_1/kernel_0", "conv1d_1/kernel_0", "dense/kernel_0", "conv1d/kernel_0"]
    roles = assign_roles(sorted(keras))
    assert sorted(keras, key=lambda t: roles[t].depth) == [
        "conv1d/kernel_0",
        "conv1d_1/kernel_0",
        "dense/kernel_0",
        "dense_1/kernel_0",
    ]
    torch = ["fc2.weight", "conv2.weight", "fc1.weight", "conv1.weight"]
    roles = assign_roles(sorted(torch))
    assert [
        roles[t].depth for t in ("conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight")
    ] == [
        0,
        1,
        2,
        3,
    ]


def test_classifier_heads_come_after_the_layers_they_read_whatever_the_listing_order():
    # TensorBoard lists tags sorted: torchvision's classifier.* sorts before features.*.
    tags = ["classifier.1.weight", "classifier.4.weight", "features.0.weight", "features.3.weight"]
    roles = assign_roles(tags)
    assert sorted(tags, key=lambda t: roles[t].depth) == [
        "features.0.weight",
        "features.3.weight",
        "classifier.1.weight",
        "classifier.4.weight",
    ]
    roles = assign_roles(["dense/kernel_0", "lstm/kernel_0", "embedding/embeddings_0"])
    assert roles["dense/kernel_0"].depth == 2
    # Only heads: the usual numeric order.
    roles = assign_roles(["fc2.weight", "fc10.weight", "fc1.weight"])
    assert [roles[t].depth for t in ("fc1.weight", "fc2.weight", "fc10.weight")] == [0, 1, 2]


@pytest.mark.parametrize(
    ("tag", "role", "layer"),
    [
        # The tensor's own name decides; words in the layer path only name the layer.
        ("L1_16_Dense_RELU/bias_0/histogram", "bias", "L1_16_Dense_RELU"),
        ("output/kernel_0", "weight", "output"),
        ("output/kernel/histogram", "weight", "output"),
        ("bert.encoder.layer.0.output.dense.weight", "weight", "bert.encoder.layer.0.output.dense"),
        (
            "encoder.layers.0.self_attn.out_proj.weight",
            "weight",
            "encoder.layers.0.self_attn.out_proj",
        ),
        ("encoder.layers.0.self_attn.in_proj_bias", "bias", "encoder.layers.0.self_attn"),
        ("head.weight", "weight", "head"),
        ("lstm.weight_ih_l0", "weight", "lstm"),
        ("embedding/embeddings_0", "weight", "embedding"),
        ("activations/L1_16_Dense_RELU", "activation", "L1_16_Dense_RELU"),
        # Normalisation scales and shifts, and running statistics, are roles of their own.
        ("bn1.weight", "norm_scale", "bn1"),
        ("bn1.bias", "norm_shift", "bn1"),
        ("bn1.running_var", "running_stat", "bn1"),
        ("layer1.0.bn1.running_mean", "running_stat", "layer1.0.bn1"),
        ("bn1.num_batches_tracked", "running_stat", "bn1"),
        ("encoder.layers.1.norm2.weight", "norm_scale", "encoder.layers.1.norm2"),
        ("bert.embeddings.LayerNorm.bias", "norm_shift", "bert.embeddings.LayerNorm"),
        ("batch_normalization/gamma_0", "norm_scale", "batch_normalization"),
        ("batch_normalization_1/beta/histogram", "norm_shift", "batch_normalization_1"),
        ("batch_normalization/moving_variance/histogram", "running_stat", "batch_normalization"),
        ("layer_normalization/gamma", "norm_scale", "layer_normalization"),
        # TF1 tutorials: weights, biases, hidden activations and the input data.
        ("conv1/weights", "weight", "conv1"),
        ("W_conv1", "weight", "conv1"),
        ("b_fc1", "bias", "fc1"),
        ("h_conv1", "activation", "conv1"),
        ("layer1/X", "input", "layer1"),
        ("Y", "input", "Y"),
        # TF1 repeats the name scope: layer1/weights/layer1/weights is layer1's weight.
        ("layer1/weights/layer1/weights", "weight", "layer1"),
        ("layer1/layer1/outputs", "activation", "layer1"),
        ("input", "input", "input"),
        ("predictions/probs", "output", "predictions"),
        # Tags of public logdirs (December audit): TensorFlow's summaries tutorial, PyTorch
        # forward hooks that name a histogram after the module's repr, param/ beside grad/.
        ("layer1/Wx_plus_b/preactivate", "preactivation", "layer1"),
        ("layer1/Wx_plus_b/pre_activations", "preactivation", "layer1"),
        ("layer2/Wx_plus_b", "preactivation", "layer2"),
        (
            "Linear(in_features=10, out_features=20, bias=True)",
            "activation",
            "Linear(in_features=10, out_features=20, bias=True)",
        ),
        (
            "Pre-Activations/train/Conv2d(1, 10, kernel_size=(5, 5), stride=(1, 1))",
            "preactivation",
            "train/Conv2d(1, 10, kernel_size=(5, 5), stride=(1, 1))",
        ),
        ("ReLU()", "activation", "ReLU()"),
        ("Softmax(dim=1)", "output", "Softmax(dim=1)"),
        ("param/0.weight", "weight", "0"),
        # Keras 1's callback: {layer}_W, {layer}_b and the layer's output {layer}_out.
        ("dense_1_W", "weight", "dense_1"),
        ("dense_1_out", "activation", "dense_1"),
        ("fc_out.weight", "weight", "fc_out"),
        ("params/conv1/weight", "weight", "conv1"),
        # Older Keras 3 callbacks write the weight's own name only: no layer is named.
        ("kernel/histogram", "weight", "(model)"),
        ("gamma/histogram", "norm_scale", "(model)"),
        ("moving_mean/histogram", "running_stat", "(model)"),
        ("recurrent_kernel/histogram", "weight", "(model)"),
        ("embeddings/histogram", "weight", "(model)"),
    ],
)
def test_role_from_the_tensors_own_name(tag, role, layer):
    assert role_of(tag) == role
    assert layer_of(tag) == layer


@pytest.mark.parametrize(
    ("tag", "target", "layer"),
    [
        ("grad/bn1.weight", "norm_scale", "bn1"),
        ("conv1.bias.grad", "bias", "conv1"),
        ("gradients/encoder.layers.0.norm1.bias", "norm_shift", "encoder.layers.0.norm1"),
        ("dense/kernel_0/gradient", "weight", "dense"),
        ("grads/dense/kernel:0", "weight", "dense"),
    ],
)
def test_gradients_know_what_they_are_the_gradient_of(tag, target, layer):
    (found,) = assign_roles([tag]).values()
    assert (found.role, found.target, found.layer) == ("gradient", target, layer)


def test_a_layer_that_holds_parameters_is_a_name_scope_wherever_it_appears():
    """TF1 tutorials log ``tf.summary.histogram("Model", logits)`` inside ``name_scope("output")``
    beside that scope's weights: ``output`` is the layer, not the role of ``Model``. A role
    namespace in front of a layer name (``weights/conv1``) stays one, and the activations of a
    Keras layer called ``output`` belong to it."""
    tags = ["output/Weights", "output/Model", "weights/conv1", "biases/conv1"]
    tags += ["activations/output", "layer2/layer2/outputs", "layer2/weights/layer2/weights"]
    roles = assign_roles(tags)
    assert (roles["output/Model"].layer, roles["output/Model"].role) == ("output", "other")
    assert roles["output/Model"].depth == roles["output/Weights"].depth
    assert (roles["weights/conv1"].layer, roles["weights/conv1"].role) == ("conv1", "weight")
    assert (roles["biases/conv1"].layer, roles["biases/conv1"].role) == ("conv1", "bias")
    assert (roles["activations/output"].layer, roles["activations/output"].role) == (
        "output",
        "activation",
    )
    assert roles["layer2/layer2/outputs"].layer == "layer2"
    assert roles["layer2/layer2/outputs"].role == "activation"
