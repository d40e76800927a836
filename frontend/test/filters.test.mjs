import { test } from "node:test";
import assert from "node:assert/strict";
import { SEVERITY_FILTERS, parseSeverityFilter, tagPasses, tagSeverity } from "../src/filters.js";
import { compileTagFilter } from "../src/tagfilter.js";
import { normalizeDiagnostics, normalizeTag } from "../src/model.js";
import { rawFixture } from "./helpers.mjs";

/** @param {string} text @param {import("../src/filters.js").SeverityFilter} [severity] */
function filters(text, severity = "all") {
  return { tagFilter: compileTagFilter(text), severity };
}

test("parseSeverityFilter accepts the four choices only", () => {
  assert.deepEqual(
    SEVERITY_FILTERS.map((f) => f.value),
    ["all", "info", "warning", "critical"],
  );
  for (const f of SEVERITY_FILTERS) assert.equal(parseSeverityFilter(f.value), f.value);
  for (const bad of ["ok", "unknown", "WARNING", "", null, undefined]) assert.equal(parseSeverityFilter(bad), "all");
});

test("tagSeverity: the worse of status and verdicts", () => {
  const infoOnly = normalizeTag({ tag: "t", status: "ok", verdicts: [{ id: "slow", severity: "info" }] });
  assert.equal(tagSeverity(infoOnly), "info");
  const plainOk = normalizeTag({ tag: "t", status: "ok" });
  assert.equal(tagSeverity(plainOk), "ok");
  const unknown = normalizeTag({ tag: "t", status: "unknown", reason: "empty" });
  assert.equal(tagSeverity(unknown), "unknown");
  const critical = normalizeTag({ tag: "t", status: "critical", verdicts: [{ id: "x", severity: "warning" }] });
  assert.equal(tagSeverity(critical), "critical");
});

test("tagPasses: severity thresholds", () => {
  const [run] = normalizeDiagnostics(rawFixture()).runs;
  const names = (/** @type {import("../src/filters.js").SeverityFilter} */ severity) =>
    run.tags.filter((t) => tagPasses(t, filters("", severity))).map((t) => t.tag).sort();
  assert.equal(names("all").length, 5);
  assert.deepEqual(names("info"), ["dense/bias_0", "dense/kernel_0", "dense_1/kernel_0"]);
  assert.deepEqual(names("warning"), ["dense/kernel_0", "dense_1/kernel_0"]);
  assert.deepEqual(names("critical"), ["dense_1/kernel_0"]);
});

test("tagPasses: an invalid regex hides nothing", () => {
  const tag = normalizeTag({ tag: "a/b", status: "ok" });
  assert.equal(tagPasses(tag, filters("(")), true);
  assert.equal(tagPasses(tag, filters("zzz")), false);
  assert.equal(tagPasses(tag, filters("A/B")), true);
});

test("the role filter keeps one role; unknown roles count as 'other'", async () => {
  const { tagPasses, parseRoleFilter, selectedRuns } = await import("../src/filters.js");
  const { normalizeTag } = await import("../src/model.js");
  const base = { tagFilter: compileTagFilter(""), severity: /** @type {const} */ ("all") };
  const weight = normalizeTag({ tag: "w", role: "weight", status: "ok" });
  const odd = normalizeTag({ tag: "x", role: "embedding", status: "ok" });
  assert.ok(tagPasses(weight, { ...base, role: "weight" }));
  assert.ok(!tagPasses(weight, { ...base, role: "bias" }));
  assert.ok(tagPasses(weight, { ...base, role: "all" }));
  assert.ok(tagPasses(odd, { ...base, role: "other" }));
  assert.ok(!tagPasses(odd, { ...base, role: "weight" }));
  assert.equal(parseRoleFilter("gradient"), "gradient");
  assert.equal(parseRoleFilter("toString"), "all");
  assert.deepEqual(selectedRuns([{ run: "a" }, { run: "b" }], new Set(["b", "zzz"])), [{ run: "b" }]);
  assert.deepEqual(selectedRuns([{ run: "a" }], null), [{ run: "a" }]);
});
