"""User configuration files: role overrides and thresholds, and their errors."""

from __future__ import annotations

import pytest

from tb_histdiag.engine.config import ConfigError, load_config, parse_config
from tests.test_plugin_wsgi import PREFIX, get_json, make_client


def test_toml_config_sets_roles_and_thresholds(tmp_path):
    path = tmp_path / "tb_histdiag.toml"
    path.write_text('[roles]\n"^const$" = "weight"\n\n[thresholds]\ndead_warning_fraction = 0.8\n')
    config = load_config(str(path))
    assert config.roles == {"^const$": "weight"}
    assert config.thresholds.dead_warning_fraction == 0.8


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"rules": {}}, "unknown section(s) rules"),
        ({"roles": {"x": "kernel"}}, "role 'kernel'"),
        ({"roles": {"(": "weight"}}, "invalid regular expression"),
        ({"thresholds": {"dead_fraction": 0.5}}, "unknown threshold(s): dead_fraction"),
        ({"thresholds": {"dead_warning_fraction": "high"}}, "must be numbers"),
        ([1, 2], "expected a table"),
    ],
)
def test_bad_configs_name_the_problem(data, needle):
    with pytest.raises(ConfigError) as info:
        parse_config(data, "my.toml")
    assert needle in str(info.value)
    assert str(info.value).startswith("my.toml: ")


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match=r"missing\.toml"):
        load_config(str(tmp_path / "missing.toml"))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ConfigError, match=r"broken\.json"):
        load_config(str(broken))


def test_plugin_applies_the_config_from_the_environment(writers_logdir, tmp_path, monkeypatch):
    path = tmp_path / "c.toml"
    path.write_text('[roles]\n"^const$" = "weight"\n')
    monkeypatch.setenv("TB_HISTDIAG_CONFIG", str(path))
    body = get_json(make_client(writers_logdir), f"{PREFIX}/diagnostics?run=tf2&tag=const")
    tag = body["runs"][0]["tags"][0]
    assert tag["role"] == "weight"
    # As a weight, an all-identical tensor is critical (broken symmetry), not a warning.
    assert tag["status"] == "critical"


def test_plugin_survives_a_bad_config(writers_logdir, tmp_path, monkeypatch):
    path = tmp_path / "bad.toml"
    path.write_text("[nonsense]\n")
    monkeypatch.setenv("TB_HISTDIAG_CONFIG", str(path))
    body = get_json(make_client(writers_logdir), f"{PREFIX}/diagnostics?run=tf2&tag=const")
    assert body["runs"][0]["tags"][0]["role"] == "other"
