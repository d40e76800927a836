r"""User configuration: role overrides for tag names, threshold overrides and declared
expectations, from TOML or JSON.

```toml
[roles]            # regular expression on the tag name -> role; the first match wins
"^Qpred$" = "activation"
"/w_hidden$" = "weight"

[thresholds]       # any field of tb_histdiag.verdicts.Thresholds
dead_warning_fraction = 0.8

[expect]           # regular expression on the tag name -> expected condition(s): verdict ids
"^backbone\\." = "frozen"
"^encoder\\.embed" = ["frozen", "slow"]
```
Verdicts that ``[expect]`` declares become info "as configured" (see
:mod:`tb_histdiag.engine.expectations`).
The plugin reads the file named by the ``TB_HISTDIAG_CONFIG`` environment variable when
TensorBoard starts; the command line takes ``--config FILE``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping

from tb_histdiag.engine.roles import ROLES
from tb_histdiag.verdicts import DEFAULT_THRESHOLDS, Thresholds
from tb_histdiag.verdicts.table import VERDICT_IDS

ENV_VAR = "TB_HISTDIAG_CONFIG"
_SECTIONS = ("roles", "thresholds", "expect")


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the problem."""


@dataclasses.dataclass(frozen=True)
class Config:
    """Role overrides (regex → role), thresholds, and expectations (regex → the verdict ids
    expected on matching tags, see :mod:`tb_histdiag.engine.expectations`)."""

    roles: Mapping[str, str] = dataclasses.field(default_factory=dict)
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    expect: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


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


def parse_expect(expect: object, source: str = "config") -> dict[str, tuple[str, ...]]:
    """Validate an ``[expect]`` table (regular expression → a verdict id or a list of them)
    into ``{pattern: (condition, ...)}``; a :class:`ConfigError` names ``source`` and the key."""
    if not isinstance(expect, Mapping):
        raise ConfigError(
            f"{source}: [expect] must map regular expressions on tag names to expected "
            "conditions (verdict ids)"
        )
    out = {}
    for pattern, value in expect.items():
        where = f"{source}: [expect] {pattern!r}"
        if not isinstance(pattern, str):
            raise ConfigError(f"{where}: the key must be a regular expression (a string)")
        conditions = (value,) if isinstance(value, str) else value
        if (
            not isinstance(conditions, (list, tuple))
            or not conditions
            or not all(isinstance(c, str) for c in conditions)
        ):
            raise ConfigError(
                f"{where}: expected a condition or a list of conditions, not {value!r} "
                f"(conditions: {', '.join(VERDICT_IDS)})"
            )
        unknown = [c for c in conditions if c not in VERDICT_IDS]
        if unknown:
            raise ConfigError(
                f"{where}: unknown condition(s) {', '.join(map(repr, unknown))}; conditions are "
                f"verdict ids: {', '.join(VERDICT_IDS)}"
            )
        try:
            re.compile(pattern)
        except re.error as e:
            raise ConfigError(f"{where}: invalid regular expression: {e}") from None
        out[pattern] = tuple(dict.fromkeys(conditions))
    return out


def parse_config(data: object, source: str = "config") -> Config:
    """Validate parsed data (a mapping with ``roles``, ``thresholds`` and/or ``expect``) into a
    Config."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a table with [roles], [thresholds] and/or [expect]")
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise ConfigError(
            f"{source}: unknown section(s) {', '.join(unknown)}; known: {', '.join(_SECTIONS)}"
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
    expect = parse_expect(data.get("expect", {}), source)
    return Config(roles=dict(roles), thresholds=thresholds, expect=expect)


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
