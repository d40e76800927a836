import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MISSING,
  formatKey,
  formatNumber,
  formatStep,
  formatTagSteps,
  formatValue,
  formatVerdictSteps,
  plural,
} from "../src/format.js";

test("formatNumber: integers in full", () => {
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(1), "1");
  assert.equal(formatNumber(-42), "-42");
  assert.equal(formatNumber(1190), "1190");
  assert.equal(formatNumber(999999), "999999");
});

test("formatNumber: four significant digits, trailing zeros trimmed", () => {
  assert.equal(formatNumber(0.05123), "0.05123");
  assert.equal(formatNumber(0.051234567), "0.05123");
  assert.equal(formatNumber(3.14159), "3.142");
  assert.equal(formatNumber(1.5), "1.5");
  assert.equal(formatNumber(-2.25), "-2.25");
  assert.equal(formatNumber(0.001), "0.001");
  assert.equal(formatNumber(12345.678), "12350", "no exponent form below 1e6");
  assert.equal(formatNumber(999999.5), "1000000", "rounding up to 1e6 stays plain");
});

test("formatNumber: exponent notation for tiny and huge values", () => {
  assert.equal(formatNumber(0.0000123456), "1.235e-5");
  assert.equal(formatNumber(1e-12), "1e-12");
  assert.equal(formatNumber(-3.5e-7), "-3.5e-7");
  assert.equal(formatNumber(2.5e6), "2.5e6");
  assert.equal(formatNumber(1.23456e20), "1.235e20");
  assert.equal(formatNumber(123456789), "1.235e8", "large integer-valued floats are not spelled out");
  assert.equal(formatNumber(-2e6), "-2e6");
});

test("formatNumber: missing and non-finite values", () => {
  assert.equal(formatNumber(null), MISSING);
  assert.equal(formatNumber(undefined), MISSING);
  assert.equal(formatNumber(Number.NaN), "NaN");
  assert.equal(formatNumber(Infinity), "+\u221E");
  assert.equal(formatNumber(-Infinity), "\u2212\u221E");
});

test("formatStep: steps and counts in full, however large", () => {
  assert.equal(formatStep(0), "0");
  assert.equal(formatStep(12345678), "12345678");
  assert.equal(formatStep(2 ** 40), "1099511627776");
  assert.equal(formatStep(null), MISSING);
  assert.equal(formatStep(1.5), "1.5", "a non-integer falls back to formatNumber");
  assert.equal(formatStep(2 ** 60), "1.153e18", "beyond safe integers the digits would lie");
});

test("formatValue: evidence values of every JSON type", () => {
  assert.equal(formatValue(null), "\u2014");
  assert.equal(formatValue(undefined), "\u2014");
  assert.equal(formatValue(0.0), "0");
  assert.equal(formatValue(true), "yes");
  assert.equal(formatValue(false), "no");
  assert.equal(formatValue("uniform"), "uniform");
  assert.equal(formatValue(""), "\u2014");
  assert.equal(formatValue("NaN"), "NaN", "the backend's non-finite strings are kept");
  assert.equal(formatValue([0, 0.5, null]), "0, 0.5, \u2014");
  assert.equal(formatValue({ a: 1 }), '{"a":1}');
});

test("formatKey turns snake_case into words", () => {
  assert.equal(formatKey("distinct_values"), "distinct values");
  assert.equal(formatKey("spread"), "spread");
  assert.equal(formatKey("mass__at_zero_"), "mass at zero");
  assert.equal(formatKey("_"), "_", "a key that would vanish is kept");
  assert.equal(formatKey("expected"), "expected (pattern)", "the [expect] pattern says what it is");
});

test("formatVerdictSteps", () => {
  assert.equal(formatVerdictSteps([]), MISSING);
  assert.equal(formatVerdictSteps([5]), "step 5");
  assert.equal(formatVerdictSteps([180, 180]), "step 180");
  assert.equal(formatVerdictSteps([0, 99]), "steps 0\u201399");
  assert.equal(formatVerdictSteps([3, 8, 12]), "steps 3, 8, 12");
});

test("formatTagSteps: count and range", () => {
  assert.equal(formatTagSteps(100, 0, 99), "100 (0\u201399)");
  assert.equal(formatTagSteps(1, 5, 5), "1 (5)");
  assert.equal(formatTagSteps(null, 0, 10), "0\u201310");
  assert.equal(formatTagSteps(3, null, null), "3");
  assert.equal(formatTagSteps(3, null, 7), "3 (7)");
  assert.equal(formatTagSteps(null, null, null), MISSING);
  assert.equal(formatTagSteps(500, 0, 12345678), "500 (0\u201312345678)");
});

test("plural", () => {
  assert.equal(plural(0, "tag"), "0 tags");
  assert.equal(plural(1, "tag"), "1 tag");
  assert.equal(plural(2, "run"), "2 runs");
  assert.equal(plural(2, "child", "children"), "2 children");
});

test("isolateBidi: names with bidi controls cannot reorder the text after them", async () => {
  const { isolateBidi } = await import("../src/format.js");
  assert.equal(isolateBidi("fc1.weight"), "fc1.weight", "plain names unchanged");
  assert.equal(isolateBidi("\u202Eright-to-left"), "\u2068\u202Eright-to-left\u2069");
  assert.equal(isolateBidi("a\u200Fb"), "\u2068a\u200Fb\u2069");
  // A name that opens isolates itself gets one closing per open isolate, plus ours.
  assert.equal(isolateBidi("\u2067x\u2066y"), "\u2068\u2067x\u2066y\u2069\u2069\u2069");
  // A name that closes more than it opens cannot close ours early.
  assert.equal(isolateBidi("\u2069\u2069x\u202E"), "\u2068\u2068\u2068\u2069\u2069x\u202E\u2069");
  assert.equal(isolateBidi(null), "");
});
