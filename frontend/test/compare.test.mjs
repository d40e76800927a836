import { test } from "node:test";
import assert from "node:assert/strict";
import {
  buildCompareRows,
  compareSentence,
  defaultPair,
  distancesFromCompare,
  movementPhrase,
  parseCompareSort,
  referenceRun,
  sortCompareRows,
  verdictKey,
} from "../src/compare.js";
import { compileTagFilter } from "../src/tagfilter.js";
import { normalizeRun } from "../src/model.js";

const tag = (/** @type {string} */ name, /** @type {string} */ status, /** @type {string[]} */ ids = [], movement = 0.5, layer = "fc1", depth = 0) => ({
  tag: name,
  role: "weight",
  layer,
  depth,
  status,
  movement,
  verdicts: ids.map((id) => ({ id, severity: status, title: id })),
});
const runs = () => [
  normalizeRun({ run: "broken", status: "warning", tags: [tag("fc1.weight", "warning", ["frozen"], 0), tag("fc2.weight", "ok", [], 0.4, "fc2", 1), tag("only_a", "ok")] }, 0),
  normalizeRun({ run: "healthy", status: "ok", tags: [tag("fc1.weight", "ok", [], 0.3), tag("fc2.weight", "ok", [], 0.41, "fc2", 1)] }, 1),
  normalizeRun({ run: "nan", status: "critical", tags: [tag("fc1.weight", "critical", ["nonfinite"], 0.35), tag("fc2.weight", "ok", [], 0.02, "fc2", 1)] }, 2),
];
const all = { tagFilter: compileTagFilter(""), severity: /** @type {const} */ ("all") };

test("rows: the union of tags, one cell per run, 'not logged' where a run lacks the tag", () => {
  const rows = buildCompareRows(runs(), all);
  assert.deepEqual(rows.map((r) => r.tag), ["fc1.weight", "fc2.weight", "only_a"]);
  const only = rows[2];
  assert.deepEqual(only.cells.map((c) => c.tag === null), [false, true, true]);
  assert.equal(only.differ, true, "missing in some runs counts as different");
  assert.equal(rows[0].differ, true);
  assert.equal(rows[0].severitySpread, 3);
  assert.equal(rows[0].worst, "critical");
  assert.equal(rows[1].differ, false);
  assert.ok(rows[1].movementSpread > 1, "0.02 vs 0.41 is more than a decade apart");
});

test("rows respect the filters in at least one run", () => {
  assert.deepEqual(buildCompareRows(runs(), { ...all, tagFilter: compileTagFilter("fc2") }).map((r) => r.tag), ["fc2.weight"]);
  assert.deepEqual(buildCompareRows(runs(), { ...all, severity: "critical" }).map((r) => r.tag), ["fc1.weight"]);
  assert.deepEqual(buildCompareRows(runs(), { ...all, role: "bias" }), []);
});

test("sorting: most different first, worst first, by layer, by name", () => {
  const rows = buildCompareRows(runs(), all);
  assert.deepEqual(sortCompareRows(rows, "difference").map((r) => r.tag), ["fc1.weight", "only_a", "fc2.weight"]);
  assert.deepEqual(sortCompareRows(rows, "severity").map((r) => r.tag), ["fc1.weight", "only_a", "fc2.weight"]);
  assert.deepEqual(sortCompareRows(rows, "layer").map((r) => r.tag), ["fc1.weight", "only_a", "fc2.weight"]);
  assert.deepEqual(sortCompareRows(rows, "name").map((r) => r.tag), ["fc1.weight", "fc2.weight", "only_a"]);
  assert.deepEqual(rows.map((r) => r.tag), ["fc1.weight", "fc2.weight", "only_a"], "sorting copies");
});

test("distances from the compare route order rows that agree on verdicts", () => {
  const r = runs().slice(1);
  const distances = new Map([["nan", new Map([["fc1.weight", 0.1], ["fc2.weight", 2.5]])]]);
  const rows = buildCompareRows(r, all, distances);
  assert.equal(rows.find((x) => x.tag === "fc2.weight")?.distance, 2.5);
  assert.equal(rows[0].cells[1].distance, 0.1);
  const twoOk = buildCompareRows([r[0], r[0]], all, new Map());
  assert.equal(twoOk[0].distance, null);
});

test("distancesFromCompare reads the route's answer and ignores junk", () => {
  const d = distancesFromCompare({ a: "x", b: "y", tags: [{ tag: "t1", distance: 0.42 }, { tag: "t2", distance: null }, { tag: 3 }, null, "x"] });
  assert.deepEqual([...d], [["t1", 0.42], ["t2", null]]);
  assert.equal(distancesFromCompare(null).size, 0);
  assert.equal(distancesFromCompare({ tags: "no" }).size, 0);
});

test("the reference run is the healthiest; the default pair is the worst run against it", () => {
  const r = runs();
  assert.equal(referenceRun(r)?.run, "healthy");
  assert.equal(referenceRun([]), null);
  const [row] = sortCompareRows(buildCompareRows(r, all), "difference");
  assert.deepEqual(defaultPair(row, "healthy"), ["nan", "healthy"]);
  assert.deepEqual(defaultPair(row), ["nan", "healthy"], "without a reference: worst vs best");
  const only = buildCompareRows(r, all).find((x) => x.tag === "only_a");
  assert.deepEqual(defaultPair(/** @type {any} */ (only), "healthy"), ["broken", "healthy"], "a tag in one run still gives a pair");
});

test("the sentence under the overlay says how each run moved, in words", () => {
  const r = runs();
  const broken = r[0].tags[0];
  const healthy = r[1].tags[0];
  assert.equal(
    compareSentence("fc1.weight", { run: "broken", tag: broken }, { run: "healthy", tag: healthy }),
    "In broken, fc1.weight never moved; in healthy it moved by 0.3\u00D7 its initial spread.",
  );
  assert.equal(compareSentence("x", { run: "a", tag: null }, { run: "b", tag: healthy }), "In a, x is not logged; in b it moved by 0.3\u00D7 its initial spread.");
  assert.equal(movementPhrase(0.012), "barely moved (0.012\u00D7 its initial spread)");
  assert.equal(movementPhrase(null), "has no movement measure");
  assert.equal(movementPhrase(NaN), "has no movement measure");
});

test("verdictKey and parseCompareSort", () => {
  assert.equal(verdictKey(null), "absent");
  assert.equal(verdictKey(/** @type {any} */ ({ verdicts: [{ id: "b" }, { id: "a" }, { id: "b" }] })), "a,b");
  assert.equal(parseCompareSort("name"), "name");
  assert.equal(parseCompareSort("constructor"), "difference");
});

test("compareSentence isolates names, so a right-to-left override cannot reverse the sentence", () => {
  const tag = runs()[1].tags[0];
  assert.equal(
    compareSentence("t", { run: "\u202Eevil", tag }, { run: "b", tag }),
    "In \u2068\u202Eevil\u2069, t moved by 0.3\u00D7 its initial spread; in b it moved by 0.3\u00D7 its initial spread.",
  );
});
