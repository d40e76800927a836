import { test } from "node:test";
import assert from "node:assert/strict";

import { baselineOf, freshText, markFresh } from "../src/fresh.js";
import { normalizeDiagnostics } from "../src/model.js";

const verdict = (id, severity = "warning") => ({ id, severity, title: id, summary: "", evidence: {}, steps: [3, 9], fix: "" });

function doc(tagVerdicts, runVerdicts = []) {
  return normalizeDiagnostics({
    schema: "tb_histdiag/diagnostics/v1",
    runs: [
      {
        run: "train",
        status: "warning",
        verdicts: runVerdicts,
        layers: [{ layer: "fc1", depth: 0, tags: Object.keys(tagVerdicts), verdicts: [] }],
        tags: Object.entries(tagVerdicts).map(([tag, verdicts]) => ({ tag, role: "weight", layer: "fc1", depth: 0, status: "warning", verdicts })),
      },
    ],
  });
}

test("verdicts present on the first load are not new; later ones are, once per finding", () => {
  const first = doc({ "fc1.weight": [verdict("frozen")], "fc1.bias": [] });
  const baseline = baselineOf(first);
  assert.equal(markFresh(first, baseline), 0);
  assert.equal(first.runs[0].tags[0].verdicts[0].fresh, false);

  const later = doc(
    { "fc1.weight": [verdict("frozen")], "fc1.bias": [verdict("nonfinite", "critical")] },
    [{ ...verdict("last_layer_only"), tags: ["fc1.weight"] }],
  );
  assert.equal(markFresh(later, baseline), 2);
  const byTag = Object.fromEntries(later.runs[0].tags.map((t) => [t.tag, t.verdicts]));
  assert.equal(byTag["fc1.weight"][0].fresh, false);
  assert.equal(byTag["fc1.bias"][0].fresh, true);
  assert.equal(later.runs[0].verdicts[0].fresh, true);
});

test("the same verdict id on another tag is a new finding; a resolved one is not counted", () => {
  const baseline = baselineOf(doc({ a: [verdict("frozen")], b: [] }));
  const later = doc({ a: [], b: [verdict("frozen")] });
  assert.equal(markFresh(later, baseline), 1);
  assert.equal(later.runs[0].tags.find((t) => t.tag === "b").verdicts[0].fresh, true);
});

test("names that look like key separators do not collide", () => {
  const baseline = baselineOf(doc({ 'a","tag': [verdict("frozen")] }));
  assert.equal(markFresh(doc({ a: [verdict("frozen")] }), baseline), 1);
});

test("the header text", () => {
  assert.equal(freshText(0), "");
  assert.equal(freshText(1), "1 new finding since the page was opened");
  assert.equal(freshText(3), "3 new findings since the page was opened");
});
