"""User configuration: role overrides for tag names and threshold overrides, from TOML or JSON.

```toml
[roles]            # regular expression on the tag name -> role; the first match wins
"^Qpred$" = "activation"
"/w_hidden$" = "weight"

[thresholds]       # any field of tb_histdiag.rules.Thresholds
dead_warning_fraction = 0.8
```
The plugin reads the file named by the ``TB_HISTDIAG_CONFIG`` environment variable when
TensorBoard starts; the command line takes ``--config FILE``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping

from tb_histdiag.roles import ROLES
from tb_histdiag.rules import DEFAULT_THRESHOLDS, Thresholds

ENV_VAR = "TB_HISTDIAG_CONFIG"
_SECTIONS = ("roles", "thresholds")


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the problem."""


@dataclasses.dataclass(frozen=True)
class Config:
    """Role overrides (regex → role) and thresholds."""

    roles: Mapping[str, str] = dataclasses.field(default_factory=dict)
    thresholds: Thresholds = DEFAULT_THRESHOLDS


def _parse(path: str, text: str) -> object:
    if path.endswith(".json"):
        return json.loads(text)
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        try:
            import tomli as tomllib
        except ImportError:
            raise ConfigError(
                f"{path}: reading TOML needs Python 3.11+ or 'pip install tomli'; "
                "or write the file as JSON"
            ) from None
    return tomllib.loads(text)


def parse_config(data: object, source: str = "config") -> Config:
    """Validate parsed data (a mapping with ``roles`` and/or ``thresholds``) into a Config."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a table with [roles] and/or [thresholds]")
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise ConfigError(
            f"{source}: unknown section(s) {', '.join(unknown)}; known: roles, thresholds"
        )
    roles = data.get("roles", {})
    if not isinstance(roles, Mapping):
        raise ConfigError(f"{source}: [roles] must map regular expressions to roles")
    for pattern, role in roles.items():
        if role not in ROLES:
            raise ConfigError(
                f"{source}: role {role!r} for {pattern!r} is not one of {', '.join(ROLES)}"
            )
        try:
            re.compile(pattern)
        except re.error as e:
            raise ConfigError(f"{source}: invalid regular expression {pattern!r}: {e}") from None
    overrides = data.get("thresholds", {})
    if not isinstance(overrides, Mapping):
        raise ConfigError(f"{source}: [thresholds] must map threshold names to numbers")
    bad = sorted(
        k for k, v in overrides.items() if isinstance(v, bool) or not isinstance(v, (int, float))
    )
    if bad:
        raise ConfigError(f"{source}: threshold(s) {', '.join(bad)} must be numbers")
    try:
        thresholds = DEFAULT_THRESHOLDS.with_overrides(dict(overrides))
    except KeyError as e:
        raise ConfigError(f"{source}: {e.args[0]}") from None
    return Config(roles=dict(roles), thresholds=thresholds)


def load_config(path: str) -> Config:
    """Read a TOML (or ``.json``) configuration file; raises :class:`ConfigError`."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ConfigError(f"{path}: {e.strerror or e}") from None
    try:
        data = _parse(path, text)
    except ConfigError:
        raise
    except ValueError as e:  # JSONDecodeError and TOMLDecodeError are ValueErrors
        raise ConfigError(f"{path}: {e}") from None
    return parse_config(data, path)


def config_from_environment() -> Config | None:
    """The configuration named by ``TB_HISTDIAG_CONFIG``, or None when it is not set."""
    path = os.environ.get(ENV_VAR)
    return load_config(path) if path else None
