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
from typing import Union

import numpy as np

from tb_histdiag.engine.roles import ROLES
from tb_histdiag.errors import InputError
from tb_histdiag.verdicts import DEFAULT_THRESHOLDS, Thresholds
from tb_histdiag.verdicts.table import VERDICT_IDS

ENV_VAR = "TB_HISTDIAG_CONFIG"
_SECTIONS = ("roles", "thresholds", "expect")

#: Thresholds: the engine's defaults (None), a :class:`~tb_histdiag.verdicts.Thresholds`, a mapping
#: of overrides, or the path of a TOML or JSON file of overrides.
ThresholdsSpec = Union[None, Thresholds, Mapping[str, float], str, "os.PathLike[str]"]


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the problem."""


@dataclasses.dataclass(frozen=True)
class Config:
    """Role overrides (regex → role), thresholds, and expectations (regex → the verdict ids
    expected on matching tags, see :mod:`tb_histdiag.engine.expectations`)."""

    roles: Mapping[str, str] = dataclasses.field(default_factory=dict)
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    expect: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def parse_document(text: str, as_json: bool) -> object:
    """Parse the text of a configuration or thresholds file, JSON or TOML: the one reader of both.

    Raises ``ValueError`` (``JSONDecodeError``, ``TOMLDecodeError``) for text that does not parse
    and ``ImportError`` when TOML cannot be read here (Python < 3.11 without ``tomli``).
    """
    if as_json:
        return json.loads(text)
    try:
        import tomllib  # Python 3.11+
    except ImportError:
        import tomli as tomllib  # an ImportError here: the caller explains it
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
    thresholds = checked_overrides(overrides, source, error=ConfigError)
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
        data = parse_document(text, as_json=path.endswith(".json"))
    except ImportError:
        raise ConfigError(
            f"{path}: reading TOML needs Python 3.11+ or 'pip install tomli'; "
            "or write the file as JSON"
        ) from None
    except ValueError as e:  # JSONDecodeError and TOMLDecodeError are ValueErrors
        raise ConfigError(f"{path}: {e}") from None
    return parse_config(data, path)


def config_from_environment() -> Config | None:
    """The configuration named by ``TB_HISTDIAG_CONFIG``, or None when it is not set."""
    path = os.environ.get(ENV_VAR)
    return load_config(path) if path else None


# Threshold files and specs (the Python API's ``thresholds=``, the command line's --thresholds).


def _read_thresholds_file(path: str) -> object:
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8-sig")
    as_json = path.lower().endswith(".json") or text.lstrip().startswith("{")
    try:
        return parse_document(text, as_json)
    except ImportError:
        raise InputError(
            f"reading the TOML thresholds file '{path}' needs Python 3.11+ or the tomli "
            "package (pip install tomli); or write it as JSON"
        ) from None
    except ValueError as e:
        kind = "JSON" if as_json else "TOML"
        raise InputError(f"thresholds file '{path}' is not valid {kind}: {e}") from None


def _threshold_table(document: object, source: str) -> Mapping[str, object]:
    """The overrides in a parsed file: top-level keys, a ``[thresholds]`` table, or
    ``[tool.tb_histdiag.thresholds]`` (so the table can live in a ``pyproject.toml``)."""
    if not isinstance(document, Mapping):
        raise InputError(f"{source} must hold a table of threshold names and numbers")
    if "tool" in document:
        table = document.get("tool", {})
        for key in ("tb_histdiag", "thresholds"):
            table = table.get(key) if isinstance(table, Mapping) else None
        if table is None:
            raise InputError(f"{source} has no [tool.tb_histdiag.thresholds] table")
        document = table
    elif set(document) == {"thresholds"} and isinstance(document["thresholds"], Mapping):
        document = document["thresholds"]
    if not isinstance(document, Mapping):
        raise InputError(f"{source} must hold a table of threshold names and numbers")
    return document


def checked_overrides(
    overrides: Mapping[str, object],
    source: str,
    base: Thresholds = DEFAULT_THRESHOLDS,
    error: type[ValueError] = InputError,
) -> Thresholds:
    """``base`` with ``overrides`` applied, each name known and each value a finite number (a
    whole one for a whole-number threshold); ``error`` names ``source`` and the problem."""
    try:
        base.with_overrides(dict.fromkeys(overrides, 0))
    except KeyError as e:
        raise error(f"{source}: {e.args[0]}") from None
    clean: dict[str, float] = {}
    for name, value in overrides.items():
        default = getattr(DEFAULT_THRESHOLDS, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise error(f"{source}: threshold '{name}' must be a number, not {value!r}")
        if isinstance(default, int) and not float(value).is_integer():
            raise error(f"{source}: threshold '{name}' must be a whole number, not {value!r}")
        if not np.isfinite(value):
            raise error(f"{source}: threshold '{name}' must be finite, not {value!r}")
        clean[name] = int(value) if isinstance(default, int) else float(value)
    return base.with_overrides(clean)


def load_thresholds(
    path: str | os.PathLike[str], base: Thresholds = DEFAULT_THRESHOLDS
) -> Thresholds:
    """Return ``base`` (the engine's thresholds) with the overrides in a TOML or JSON file applied.

    The file holds threshold names and numbers at its top level, in a ``[thresholds]`` table, or
    in ``[tool.tb_histdiag.thresholds]`` (a ``pyproject.toml``). Unknown names, non-numbers and
    unreadable files raise :class:`InputError` (or :class:`OSError`) naming the problem.
    """
    path = os.fspath(path)
    source = f"thresholds file '{path}'"
    return checked_overrides(_threshold_table(_read_thresholds_file(path), source), source, base)


def resolve_thresholds(spec: ThresholdsSpec, base: Thresholds = DEFAULT_THRESHOLDS) -> Thresholds:
    if spec is None:
        return base
    if isinstance(spec, Thresholds):
        return spec
    if isinstance(spec, Mapping):
        return checked_overrides(spec, "thresholds", base)
    if isinstance(spec, (str, os.PathLike)):
        return load_thresholds(spec, base)
    raise TypeError(
        f"thresholds must be a Thresholds, a mapping or a file path, not {type(spec).__name__}"
    )
