import { test } from "node:test";
import assert from "node:assert/strict";
import { buildRunView, buildView, compareLayers, compareTags, rowKey } from "../src/runview.js";
import { compileTagFilter } from "../src/tagfilter.js";
import { normalizeDiagnostics, normalizeTag } from "../src/model.js";
import { rawFixture } from "./helpers.mjs";

const NO_FILTER = { tagFilter: compileTagFilter(""), severity: /** @type {const} */ ("all") };

/** @param {string} text @param {import("../src/filters.js").SeverityFilter} [severity] */
function filters(text, severity = "all") {
  return { tagFilter: compileTagFilter(text), severity };
}

test("buildRunView groups by layer in depth order, roles in order inside a layer", () => {
  const [run] = normalizeDiagnostics(rawFixture()).runs;
  const view = buildRunView(run, NO_FILTER);
  assert.deepEqual(
    view.groups.map((g) => [g.layer, g.depth, g.tags.map((t) => t.tag)]),
    [
      ["dense", 0, ["dense/kernel_0", "dense/bias_0"]],
      ["dense_1", 1, ["dense_1/kernel_0", "dense_1/bias_0"]],
      ["dense_2", 2, ["dense_2/activation"]],
    ],
    "dense_2 is not in the layers list and is grouped from the tag's own layer field",
  );
  assert.equal(view.groups[1].verdicts[0].id, "bias_only");
  assert.equal(view.shownTags.length, 5);
});

test("buildRunView drops layers without shown tags and reports totals", () => {
  const [run] = normalizeDiagnostics(rawFixture()).runs;
  const view = buildRunView(run, filters("kernel", "warning"));
  assert.deepEqual(
    view.groups.map((g) => [g.layer, g.tags.length, g.total]),
    [
      ["dense", 1, 2],
      ["dense_1", 1, 2],
    ],
  );
  assert.deepEqual(buildRunView(run, filters("nothing-matches")).groups, []);
});

test("buildRunView: a tag listed by two layers is shown once; unknown tag names are ignored", () => {
  const doc = normalizeDiagnostics({
    runs: [
      {
        run: "r",
        layers: [
          { layer: "a", depth: 0, tags: ["a/w", "ghost"] },
          { layer: "b", depth: 1, tags: ["a/w", "b/w"] },
        ],
        tags: [
          { tag: "a/w", layer: "a", depth: 0, status: "ok" },
          { tag: "b/w", layer: "b", depth: 1, status: "ok" },
        ],
      },
    ],
  });
  const view = buildRunView(doc.runs[0], NO_FILTER);
  assert.deepEqual(view.shownTags.map((t) => t.tag), ["a/w", "b/w"]);
});

test("buildView covers every run, keeping the order of the response", () => {
  const doc = normalizeDiagnostics(rawFixture());
  const views = buildView(doc, filters("weight"));
  assert.deepEqual(views.map((v) => v.run.run), doc.runs.map((r) => r.run));
  assert.deepEqual(views[0].shownTags, []);
  assert.deepEqual(views[1].shownTags.map((t) => t.tag), ["fc.weight"]);
});

test("compareLayers: depth, then layers without depth last, then natural names", () => {
  const layers = [
    { layer: "z", depth: null },
    { layer: "dense_10", depth: 1 },
    { layer: "dense_2", depth: 1 },
    { layer: null, depth: null },
    { layer: "input", depth: 0 },
  ];
  assert.deepEqual(
    [...layers].sort(compareLayers).map((l) => l.layer),
    ["input", "dense_2", "dense_10", "z", null],
  );
});

test("compareTags: weights, biases, activations, gradients, others; numbers in names compare as numbers", () => {
  const tags = [
    ["x/grad", "gradient"],
    ["x/act", "activation"],
    ["x/bias", "bias"],
    ["x/kernel_10", "weight"],
    ["x/kernel_2", "weight"],
    ["x/misc", "other"],
  ].map(([tag, role]) => normalizeTag({ tag, role }));
  assert.deepEqual(
    tags.sort(compareTags).map((t) => t.tag),
    ["x/kernel_2", "x/kernel_10", "x/bias", "x/act", "x/grad", "x/misc"],
  );
});

test("rowKey separates run and tag unambiguously", () => {
  assert.notEqual(rowKey("a/b", "c"), rowKey("a", "b/c"));
  assert.notEqual(rowKey('a","b', "c"), rowKey("a", 'b","c'));
  assert.equal(rowKey("r", "t"), rowKey("r", "t"));
});

test("buildView shows only the selected runs", () => {
  const doc = normalizeDiagnostics(rawFixture());
  assert.deepEqual(buildView(doc, { tagFilter: compileTagFilter(""), severity: "all", runs: new Set(["constant_init_tf2"]) }).map((v) => v.run.run), ["constant_init_tf2"]);
  assert.deepEqual(buildView(doc, { tagFilter: compileTagFilter(""), severity: "all", runs: new Set() }), []);
});
