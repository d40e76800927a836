import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_NAME_CHARS, MIN_NAME_CHARS, compileTagFilter, nameCharsBound, patternCost, tagFilterMatches } from "../src/tagfilter.js";
import { tagPasses } from "../src/filters.js";
import { normalizeTag } from "../src/model.js";

/** @param {string} text @param {import("../src/filters.js").SeverityFilter} [severity] */
function filters(text, severity = "all") {
  return { tagFilter: compileTagFilter(text), severity };
}

test("compileTagFilter: empty matches everything, text is a case-insensitive regex", () => {
  assert.deepEqual(compileTagFilter(""), { regex: null, error: null });
  assert.equal(compileTagFilter("KERNEL|bias_0$").maxChars, MAX_NAME_CHARS);
  const { regex, error } = compileTagFilter("KERNEL|bias_0$");
  assert.equal(error, null);
  assert.ok(regex?.test("dense/kernel_0"));
  assert.ok(regex?.test("dense/bias_0"));
  assert.ok(!regex?.test("dense/bias_01"));
});

test("compileTagFilter: an invalid regex gives a message, never a throw", () => {
  for (const bad of ["(", "[a-", "*x", "a{2,1}"]) {
    const result = compileTagFilter(bad);
    assert.equal(result.regex, null, bad);
    assert.match(result.error ?? "", /^Invalid regular expression/, bad);
  }
});

/** Names built to make a backtracking regex work hard (the hostile logdir has a 2,000-char tag). */
const LONG_NAMES = ["x".repeat(2000), "a".repeat(2000), `${"a".repeat(2000)}!`, "ab".repeat(1000), " ".repeat(2000), "1".repeat(2000)];

test("compileTagFilter refuses exponential patterns with a message, never hangs", () => {
  const exponential = [
    "(a+)+$",
    "(a*)*b",
    "(x+)+y",
    "^(a|aa)+$",
    "(?:x|x)*y",
    "(\\w+\\s?)*$",
    "((ab)*c)+",
    "(a?){2,}",
    "(?<g>a+)+",
    "(a+){2,5}",
    "(.*,)+x",
    "(a)\\1*",
    "(a)(b\\1)+",
  ];
  for (const text of exponential) {
    const result = compileTagFilter(text);
    assert.equal(result.regex, null, text);
    assert.match(result.error ?? "", /^Filter not applied: .*exponentially/, text);
  }
  // A refused filter hides nothing, like an invalid one (the page shows the message).
  const tag = normalizeTag({ tag: "a".repeat(2000), status: "ok" });
  assert.equal(tagPasses(tag, filters("(a+)+$")), true);
});

test("compileTagFilter refuses too many repetitions in a row, counting alternatives apart", () => {
  const refused = compileTagFilter(".*a.*a.*a.*a");
  assert.equal(refused.regex, null);
  assert.match(refused.error ?? "", /^Filter not applied: it has 4 repetitions/);
  assert.equal(patternCost("^conv.*kernel|dense.*bias|x.*y.*z").repeats, 2, "alternatives do not add up");
  assert.equal(patternCost("(a.*b|c.*d.*e)f.*").repeats, 3);
  assert.equal(patternCost("a?b?c?").optionals, 3);
  assert.equal(patternCost("\\d{1,3}x{2}").optionals, 1, "a short bounded range is an optional part");
  assert.equal(patternCost("\\d{1,30}").repeats, 1);
  assert.equal(patternCost("[(+*]a").repeats, 0, "quantifier characters inside a class are literal");
  assert.equal(patternCost("\\(a\\)\\+").repeats, 0, "escaped quantifiers are literal");
  assert.equal(patternCost("(?:ab)?c").refused, null, "an optional group is not a repeat");
  for (let k = 0; k <= 3; k++) assert.ok(nameCharsBound(k, 0) >= MIN_NAME_CHARS, `k=${k}`);
  assert.ok(nameCharsBound(4, 0) < MIN_NAME_CHARS);
});

test("ordinary tag filters are accepted unchanged", () => {
  for (const text of ["dense", "^fc[12]\\.weight$", "kernel|bias", "^conv.*kernel", "layer_\\d+/(weight|bias)", "(?:dense|conv)_?\\d*/kernel", "^model/.*/bias_0$", "[a-z]+_\\d+"]) {
    const result = compileTagFilter(text);
    assert.equal(result.error, null, text);
    assert.ok(result.regex, text);
  }
});

test("tagFilterMatches: every accepted pattern stays fast on 2,000-character names", () => {
  const hard = [".*.*y", ".*.*.*y", "x*x*x*y", "\\w+\\w+\\w+!", "\\s*\\s*\\s*$", "a?a?a?a?a?a?a?a?aaaaaaaaa", "(a+)?b", "a{1,100}a{1,100}a{1,100}b", "[ax]+[ax]+[ax]+$z"];
  const start = performance.now();
  for (const text of hard) {
    const filter = compileTagFilter(text);
    assert.equal(filter.error, null, text);
    for (const name of LONG_NAMES) tagFilterMatches(filter, name);
  }
  const ms = performance.now() - start;
  // Unbounded, ".*.*y" alone takes ~2 s per 2,000-character name; bounded, all of these take
  // a few ms per name at worst.
  assert.ok(ms < 1500, `${ms.toFixed(0)} ms for ${hard.length * LONG_NAMES.length} tests`);
});

test("tagFilterMatches: simple patterns see the whole name, costly ones a documented prefix", () => {
  const long = `${"x".repeat(1000)}.weight_end`;
  assert.equal(tagFilterMatches(compileTagFilter("weight_end$"), `${"x".repeat(3000)}.weight_end`), true, "no repetition: 4,096 chars");
  assert.equal(tagFilterMatches(compileTagFilter("x+\\.weight_end$"), long), true, "one repetition: 1,448 chars");
  assert.equal(tagFilterMatches(compileTagFilter("x+\\.weight_end$"), `x${long}`.repeat(2)), false, "cut at 1,448 chars");
  const two = compileTagFilter("x.*x.*weight");
  assert.equal(two.maxChars, nameCharsBound(2, 0));
  assert.equal(tagFilterMatches(two, long), false, "two repetitions: only the first 128 characters are tested");
  assert.equal(tagFilterMatches(two, "xx.weight"), true);
  assert.equal(tagFilterMatches(compileTagFilter(""), long), true);
  assert.equal(tagFilterMatches(compileTagFilter("("), long), true, "invalid: nothing hidden");
});
