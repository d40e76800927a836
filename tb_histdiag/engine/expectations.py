r"""Declared expectations: verdicts the configuration says to expect become info, "as configured".

A frozen pretrained backbone during fine-tuning is frozen on purpose; the configuration's
``[expect]`` table says so (regular expression on the tag name → expected condition(s), each a
verdict id)::

    [expect]
    "^backbone\\." = "frozen"
    "^encoder\\.embed" = ["frozen", "slow"]

:func:`apply_expectations` rewrites one assembled run: a tag verdict whose id a pattern matching
the tag expects, and a layer or run verdict whose tags are all expected to be in that state
(``bias_only`` and ``last_layer_only`` are also covered when the frozen tags they rest on are all
expected to be ``frozen``), becomes severity ``info`` with the title "…, as configured", one more
sentence in its summary naming the pattern(s), and ``"expected": "<pattern>"`` in its evidence.
Nothing is hidden: the verdict stays, with all its evidence, so the tab, the reports and the JSON
show that it was seen and that it was declared.

A pure function of the run and the table; the configuration validates the table
(:func:`tb_histdiag.engine.config.parse_expect`).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping, Sequence

from tb_histdiag.results import RunDiagnosis, TagDiagnosis, Verdict

#: ``[expect]`` as the configuration holds it: pattern → expected conditions (verdict ids).
Expect = Mapping[str, "str | Sequence[str]"]

#: Short names of the conditions for the title "<name>, as configured".
LABELS = {
    "nonfinite": "NaN or Inf values",
    "constant": "Constant",
    "frozen": "Frozen",
    "exploding": "Exploding",
    "collapsing": "Collapsing",
    "dead": "Dead units",
    "saturated": "Saturated",
    "vanishing": "Vanishing gradients",
    "slow": "Barely changes",
    "multimodal": "Values in a few spikes",
    "bias_only": "Only the biases learn",
    "last_layer_only": "Only the last layers learn",
    "unnamed_layers": "Tags that name no layer",
    "several_trainings": "Several trainings in one run",
}

#: Layer and run verdicts that state that some of their tags are frozen: expecting those tags
#: to be ``frozen`` expects the verdict too (a frozen backbone under a learning head *is*
#: "only the last layers learn").
FROZEN_STATES = frozenset({"bias_only", "last_layer_only"})

#: The evidence key that marks a verdict as expected; its value is the matching pattern(s).
EVIDENCE_KEY = "expected"


@dataclasses.dataclass(frozen=True)
class _Rule:
    pattern: str
    regex: re.Pattern[str]
    conditions: frozenset[str]


def _conditions(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@functools.lru_cache(maxsize=64)
def _compile(items: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[_Rule, ...]:
    return tuple(_Rule(p, re.compile(p), frozenset(c)) for p, c in items)


def _rules(expect: Expect) -> tuple[_Rule, ...]:
    return _compile(tuple((p, _conditions(c)) for p, c in expect.items()))


def _pattern_for(rules: Sequence[_Rule], tag: str, condition: str) -> str | None:
    """The first pattern (in the table's order) that matches ``tag`` and expects ``condition``."""
    for rule in rules:
        if condition in rule.conditions and rule.regex.search(tag):
            return rule.pattern
    return None


def _quoted(patterns: Sequence[str]) -> str:
    quoted = [f'"{p}"' for p in patterns]
    if len(quoted) == 1:
        return f"pattern {quoted[0]}"
    return "patterns " + ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _as_expected(v: Verdict, condition: str, patterns: Sequence[str], matching: str) -> Verdict:
    """``v`` as info "as configured"; ``matching`` says what matched, e.g. "the tag matches"."""
    label = LABELS.get(v.id, v.id.replace("_", " ").capitalize())
    sentence = (
        f" As configured: {matching} the [expect] {_quoted(patterns)} expecting "
        f'"{condition}", so this is reported as info.'
    )
    return dataclasses.replace(
        v,
        severity="info",
        title=f"{label}, as configured",
        summary=v.summary + sentence,
        evidence={**v.evidence, EVIDENCE_KEY: " | ".join(patterns)},
        fix=_fix(v.fix),
    )


def _fix(fix: str) -> str:
    """The fix of an expected verdict: nothing to do, then the usual advice for the case that
    the state is not intended after all (without its own advice to declare it in [expect])."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", fix.strip())
    usual = " ".join(s for s in sentences if "[expect]" not in s)
    head = "Nothing to do while this is intended (declared in [expect])."
    return f"{head} Otherwise, the usual advice: {usual}" if usual else head


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _tag_verdicts(rules: Sequence[_Rule], tag: TagDiagnosis) -> TagDiagnosis:
    verdicts = []
    changed = False
    for v in tag.verdicts:
        pattern = _pattern_for(rules, tag.tag, v.id)
        if pattern is None:
            verdicts.append(v)
            continue
        verdicts.append(_as_expected(v, v.id, [pattern], "the tag matches"))
        changed = True
    return dataclasses.replace(tag, verdicts=tuple(verdicts)) if changed else tag


def _group_verdict(rules: Sequence[_Rule], v: Verdict, frozen: frozenset[str]) -> Verdict:
    """A layer or run verdict, as expected when its tags are all declared (see the module)."""
    if not v.tags:
        return v
    direct = [_pattern_for(rules, t, v.id) for t in v.tags]
    if all(direct):
        return _as_expected(v, v.id, _unique(p for p in direct if p), "all its tags match")
    if v.id in FROZEN_STATES:
        frozen_tags = [t for t in v.tags if t in frozen]
        patterns = [_pattern_for(rules, t, "frozen") for t in frozen_tags]
        if frozen_tags and all(patterns):
            return _as_expected(
                v, "frozen", _unique(p for p in patterns if p), "its frozen tags match"
            )
    return v


def apply_expectations(run: RunDiagnosis, expect: Expect | None) -> RunDiagnosis:
    """``run`` with the verdicts ``expect`` declares turned into info "as configured" (see the
    module); ``run`` itself when nothing is declared or nothing matches."""
    if not expect:
        return run
    rules = _rules(expect)
    frozen = frozenset(t.tag for t in run.tags if any(v.id == "frozen" for v in t.verdicts))
    tags = tuple(_tag_verdicts(rules, t) for t in run.tags)
    layers = tuple(
        dataclasses.replace(
            layer, verdicts=tuple(_group_verdict(rules, v, frozen) for v in layer.verdicts)
        )
        if layer.verdicts
        else layer
        for layer in run.layers
    )
    verdicts = tuple(_group_verdict(rules, v, frozen) for v in run.verdicts)
    return dataclasses.replace(run, tags=tags, layers=layers, verdicts=verdicts)
