"""Tag names in the styles people really use → (layer, role, depth)."""

from __future__ import annotations

import pytest

from tb_histdiag.roles import assign_roles, layer_of, role_of


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
