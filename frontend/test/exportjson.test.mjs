import { test } from "node:test";
import assert from "node:assert/strict";
import { EXPORT_SCHEMA, buildJsonExport } from "../src/exportjson.js";
import { buildView } from "../src/runview.js";
import { compileTagFilter } from "../src/tagfilter.js";
import { normalizeDiagnostics } from "../src/model.js";
import { rawFixture } from "./helpers.mjs";

test("the JSON export holds the shown runs and tags as the backend sent them, and the view", () => {
  const raw = rawFixture();
  const doc = normalizeDiagnostics(raw);
  const views = buildView(doc, { tagFilter: compileTagFilter("kernel"), severity: "all", runs: new Set(["constant_init_tf2"]) });
  const out = buildJsonExport({
    raw,
    views,
    view: { tag_filter: "kernel" },
    generatedAt: "2026-01-01T00:00:00Z",
    layerMaps: new Map([["constant_init_tf2", { run: "constant_init_tf2", layers: [] }], ["other", { run: "other" }]]),
  });
  assert.equal(out.schema, EXPORT_SCHEMA);
  assert.equal(out.source_schema, raw.schema);
  const runs = /** @type {any[]} */ (out.runs);
  assert.deepEqual(runs.map((r) => r.run), ["constant_init_tf2"]);
  assert.deepEqual(runs[0].tags.map((t) => t.tag).sort(), ["dense/kernel_0", "dense_1/kernel_0"]);
  assert.ok(runs[0].layers.every((l) => l.tags.every((t) => t.includes("kernel"))));
  assert.deepEqual(runs[0].verdicts, raw.runs[0].verdicts, "run verdicts are kept whole");
  assert.deepEqual(out.layer_maps, [{ run: "constant_init_tf2", layers: [] }], "only the shown runs' maps");
  assert.equal(out.compare, undefined);
  const text = JSON.stringify(out);
  assert.deepEqual(JSON.parse(text), out, "plain JSON");
});

test("the export survives a document with missing parts", () => {
  const doc = normalizeDiagnostics({ runs: [{ run: "r" }] });
  const out = buildJsonExport({ raw: { runs: [{ run: "r" }] }, views: buildView(doc, { tagFilter: compileTagFilter(""), severity: "all" }), view: {}, generatedAt: "t", compare: { tags: [] } });
  assert.deepEqual(out.runs, [{ run: "r", tags: [], layers: [] }]);
  assert.deepEqual(out.compare, { tags: [] });
  assert.deepEqual(buildJsonExport({ raw: null, views: [], view: {}, generatedAt: "t" }).runs, []);
});
