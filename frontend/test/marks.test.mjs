import { test } from "node:test";
import assert from "node:assert/strict";
import { saturationBounds, verdictMarks } from "../src/charts/marks.js";
import { normalizeVerdict } from "../src/model.js";

/** @param {Record<string, unknown>} raw */
const v = (raw) => normalizeVerdict({ severity: "warning", title: "t", ...raw });

test("frozen and constant shade their span, from the step the evidence names", () => {
  assert.deepEqual(verdictMarks([v({ id: "frozen", steps: [0, 297], evidence: { unchanged_since_step: 30 } })]), [
    { kind: "span", id: "frozen", severity: "warning", label: "frozen", from: 30, to: 297 },
  ]);
  assert.deepEqual(verdictMarks([v({ id: "constant", steps: [6, 297], evidence: { constant_since_step: 6 } })])[0], {
    kind: "span",
    id: "constant",
    severity: "warning",
    label: "constant",
    from: 6,
    to: 297,
  });
});

test("nonfinite marks its first non-finite step, exploding its onset", () => {
  const [m] = verdictMarks([v({ id: "nonfinite", severity: "critical", steps: [180, 297], evidence: { first_nonfinite_step: 183 } })]);
  assert.deepEqual(m, { kind: "step", id: "nonfinite", severity: "critical", label: "first NaN/Inf", at: 183 });
  const [fallback] = verdictMarks([v({ id: "nonfinite", steps: [180, 180] })]);
  assert.equal(fallback.at, 180);
  const [e] = verdictMarks([v({ id: "exploding", steps: [40, 99] })]);
  assert.deepEqual([e.kind, e.at, e.label], ["step", 40, "growth starts"]);
});

test("dead marks the spike at 0 with the share of zeros; saturated marks its bounds", () => {
  const [d] = verdictMarks([v({ id: "dead", steps: [0, 9], evidence: { zero_fraction: 0.62 } })]);
  assert.deepEqual([d.kind, d.at, d.label], ["value", 0, "spike at 0 (62% zeros)"]);
  assert.equal(verdictMarks([v({ id: "dead", evidence: { zero_fraction: 0.055 } })])[0].label, "spike at 0 (5.5% zeros)");
  const sat = verdictMarks([v({ id: "saturated", steps: [0, 9] })], { extent: [-1, 1] });
  assert.deepEqual(sat.map((m) => [m.kind, m.at]), [["value", -1], ["value", 1]]);
  assert.equal(sat[0].label, "piles at \u22121 / +1");
  const sigmoid = verdictMarks([v({ id: "saturated" })], { extent: [0, 1] });
  assert.deepEqual(sigmoid.map((m) => m.at), [0, 1]);
});

test("saturationBounds prefers the evidence", () => {
  assert.deepEqual(saturationBounds({ bounds: [-6, 6] }, null), [-6, 6]);
  assert.deepEqual(saturationBounds({ low: 0, high: 6 }, null), [0, 6]);
  assert.deepEqual(saturationBounds({ bounds: ["x"] }, [-2, 2]), [-1, 1], "bad evidence is ignored");
  assert.deepEqual(saturationBounds({}, null), [-1, 1]);
  assert.deepEqual(saturationBounds({ activation: "sigmoid", min: 0.001, max: 0.999 }, [-3, 3]), [0, 1]);
  assert.deepEqual(saturationBounds({ activation: "tanh", min: -1, max: 1 }, [0, 1]), [-1, 1]);
  assert.deepEqual(saturationBounds({ activation: "__proto__" }, [0, 1]), [0, 1]);
});

test("layer and run verdicts are not drawn on a tag's chart", () => {
  assert.deepEqual(verdictMarks([v({ id: "bias_only", steps: [0, 9] }), v({ id: "last_layer_only", steps: [0, 9] })]), []);
});

test("unknown verdict ids degrade to a span or a step from their steps, and to nothing without steps", () => {
  const [span] = verdictMarks([v({ id: "brand_new_rule", steps: [3, 9] })]);
  assert.deepEqual([span.kind, span.from, span.to, span.label], ["span", 3, 9, "brand new rule"]);
  const [step] = verdictMarks([v({ id: "other", steps: [4, 4] })]);
  assert.deepEqual([step.kind, step.at], ["step", 4]);
  assert.deepEqual(verdictMarks([v({ id: "other", steps: [] })]), []);
  for (const id of ["collapsing", "vanishing", "slow", "multimodal"]) {
    assert.equal(verdictMarks([v({ id, steps: [0, 9] })])[0].kind, "span", id);
  }
});

test("a cause inferred from weight-only logs spans its steps: no spike at 0 on a kernel", () => {
  const [dead] = verdictMarks([v({ id: "dead", steps: [0, 288], evidence: { inferred: true, bias_max: -3 } })]);
  assert.deepEqual(dead, { kind: "span", id: "dead", severity: "warning", label: "likely dead units", from: 0, to: 288 });
  const [vanishing] = verdictMarks([v({ id: "vanishing", steps: [0, 9], evidence: { inferred: true } })]);
  assert.equal(vanishing.label, "likely vanishing gradients");
  assert.equal(vanishing.kind, "span");
  // a fact told beside an inference (a kernel whose inputs are dead never changes) keeps its mark
  const [frozen] = verdictMarks([v({ id: "frozen", steps: [0, 288], evidence: { inferred: true } })]);
  assert.equal(frozen.label, "frozen");
  // read from the data, the same verdict keeps its own mark
  assert.equal(verdictMarks([v({ id: "dead", steps: [0, 9], evidence: { zero_fraction: 1 } })])[0].kind, "value");
});
