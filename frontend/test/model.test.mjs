import { test } from "node:test";
import assert from "node:assert/strict";
import { countStatuses, normalizeDiagnostics, normalizeTag, normalizeVerdict, normalizeLogging } from "../src/model.js";
import { rawFixture } from "./helpers.mjs";

test("normalizeDiagnostics keeps the fixture's content", () => {
  const doc = normalizeDiagnostics(rawFixture());
  assert.equal(doc.schema, "tb_histdiag/diagnostics/v1");
  assert.equal(doc.runs.length, 2);
  const [run, hostile] = doc.runs;
  assert.equal(run.run, "constant_init_tf2");
  assert.equal(run.index, 0);
  assert.equal(hostile.index, 1);
  assert.equal(hostile.run, "<img src=x onerror=alert(1)>|`run`", "names are kept verbatim, not sanitised");
  assert.equal(run.status, "critical");
  assert.deepEqual(run.counts, { critical: 1, warning: 1, info: 0, ok: 2, unknown: 1 });
  assert.equal(run.verdicts[0].id, "last_layer_only");
  assert.deepEqual(run.verdicts[0].tags, ["dense/kernel_0", "dense_1/kernel_0"]);
  const kernel = run.tags.find((t) => t.tag === "dense_1/kernel_0");
  assert.ok(kernel);
  assert.equal(kernel.firstStep, 0);
  assert.equal(kernel.lastStep, 99);
  assert.equal(kernel.verdicts[0].title, "All weights are identical");
  assert.deepEqual(kernel.verdicts[0].fix, ["Initialise weights randomly (e.g. Glorot uniform)."]);
  assert.equal(kernel.verdicts[0].evidence.ratio, null);
  const unknown = run.tags.find((t) => t.status === "unknown");
  assert.equal(unknown?.reason, "only 1 step logged; at least 3 are needed");
});

test("fix may be a list; empty fix text disappears", () => {
  const doc = normalizeDiagnostics(rawFixture());
  const tags = doc.runs[0].tags;
  assert.deepEqual(tags.find((t) => t.tag === "dense/kernel_0")?.verdicts[0].fix, [
    "Raise the learning rate.",
    "Check trainable=True.",
  ]);
  assert.deepEqual(tags.find((t) => t.tag === "dense/bias_0")?.verdicts[0].fix, []);
});

test("rejects documents that are not diagnostics", () => {
  assert.throws(() => normalizeDiagnostics(null), TypeError);
  assert.throws(() => normalizeDiagnostics([]), TypeError);
  assert.throws(() => normalizeDiagnostics("runs"), TypeError);
  assert.throws(() => normalizeDiagnostics({ schema: "x" }), /no "runs" list/);
  assert.throws(() => normalizeDiagnostics({ runs: {} }), /no "runs" list/);
});

test("fills defaults for a sparse run and computes missing counts", () => {
  const doc = normalizeDiagnostics({
    runs: [
      {
        run: "r",
        tags: [
          { tag: "a/kernel", layer: "a", depth: 0, status: "critical" },
          { tag: "a/bias", layer: "a", depth: 0, status: "ok" },
          { tag: "b/kernel", status: "bogus" },
        ],
      },
    ],
  });
  const [run] = doc.runs;
  assert.equal(doc.schema, null);
  assert.equal(run.status, "unknown");
  assert.deepEqual(run.counts, { critical: 1, warning: 0, info: 0, ok: 1, unknown: 1 });
  assert.deepEqual(run.verdicts, []);
  assert.deepEqual(
    run.layers.map((l) => [l.layer, l.tags]),
    [
      ["a", ["a/kernel", "a/bias"]],
      [null, ["b/kernel"]],
    ],
  );
  assert.equal(run.tags[2].role, "other");
  assert.equal(run.tags[2].steps, null);
});

test("normalizeTag: non-finite or wrongly typed numbers become null", () => {
  const tag = normalizeTag({ tag: "t", steps: "100", first_step: Number.NaN, last_step: null, depth: Infinity });
  assert.equal(tag.steps, null);
  assert.equal(tag.firstStep, null);
  assert.equal(tag.lastStep, null);
  assert.equal(tag.depth, null);
});

test("normalizeVerdict: defaults, title falls back to id, steps keep finite numbers only", () => {
  const v = normalizeVerdict({ id: "frozen", severity: "fatal", steps: [0, "5", null, 9], evidence: [1, 2] });
  assert.equal(v.title, "frozen");
  assert.equal(v.severity, "unknown");
  assert.deepEqual(v.steps, [0, 9]);
  assert.deepEqual(v.evidence, {}, "a list is not an evidence object");
  assert.deepEqual(normalizeVerdict(undefined).id, "unnamed");
});

test("normalizeVerdict: the [expect] pattern of a declared verdict, from its evidence", () => {
  const declared = normalizeVerdict({ id: "frozen", severity: "info", evidence: { expected: "^backbone\\." } });
  assert.equal(declared.expected, "^backbone\\.");
  assert.equal(normalizeVerdict({ id: "frozen", evidence: { unchanged_steps: 40 } }).expected, null);
  assert.equal(normalizeVerdict({ id: "frozen", evidence: { expected: "" } }).expected, null);
  assert.equal(normalizeVerdict({ id: "frozen", evidence: { expected: true } }).expected, null);
});

test("countStatuses", () => {
  const tags = ["ok", "ok", "warning", "unknown"].map((status, i) => normalizeTag({ tag: `t${i}`, status }));
  assert.deepEqual(countStatuses(tags), { critical: 0, warning: 1, info: 0, ok: 2, unknown: 1 });
  assert.deepEqual(countStatuses([]), { critical: 0, warning: 0, info: 0, ok: 0, unknown: 0 });
});

test("normalizeLogging: the advice of a run whose causes are inferred, null otherwise", () => {
  const raw = {
    weights_only: true,
    inferred: ["dense/kernel_0", 7],
    advice: "This run logs weights only, so 2 of its tags carry a cause inferred from the weights.",
    loggers: { keras: "HistogramLogger(...)", pytorch: "log_histograms(...)", other: 3, jax: "" },
  };
  assert.deepEqual(normalizeLogging(raw), {
    weightsOnly: true,
    inferred: ["dense/kernel_0", "7"],
    advice: raw.advice,
    loggers: [
      ["Keras", "HistogramLogger(...)"],
      ["PyTorch", "log_histograms(...)"],
    ],
  });
  assert.equal(normalizeLogging(null), null);
  assert.equal(normalizeLogging(undefined), null);
  assert.equal(normalizeLogging(["advice"]), null);
  assert.equal(normalizeLogging({ loggers: {} }), null, "no advice, nothing to say");
  const doc = normalizeDiagnostics({ runs: [{ run: "a", tags: [], logging: raw }, { run: "b", tags: [] }] });
  assert.equal(doc.runs[0].logging?.weightsOnly, true);
  assert.equal(doc.runs[1].logging, null);
});
