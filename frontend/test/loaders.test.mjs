import { test } from "node:test";
import assert from "node:assert/strict";
import { createLoaders } from "../src/app/loaders.js";
import { normalizeRun } from "../src/model.js";
import { rawSeries } from "./helpers.mjs";

/** A fake GET of the plugin routes that records what was asked. */
function fakeGetJson() {
  /** @type {Array<[string, Record<string, unknown>]>} */
  const calls = [];
  /** @param {string} route @param {Record<string, unknown>} [params] */
  const getJson = async (route, params = {}) => {
    calls.push([route, params]);
    if (route === "series") return rawSeries();
    if (route === "layer_map") return { run: params.run, layers: [] };
    if (route === "compare") return { tags: [{ tag: "t", distance: 0.5 }] };
    if (route === "../../runs") return ["b", "a"];
    return { runs: [] };
  };
  return { calls, getJson: /** @type {typeof import("../src/api.js").getJson} */ (/** @type {unknown} */ (getJson)) };
}

/** @param {string} name @param {number} lastStep */
const run = (name, lastStep) => normalizeRun({ run: name, tags: [{ tag: "t", status: "ok", steps: 3, first_step: 0, last_step: lastStep }] });

test("a series is fetched once per tag until the tag logs new steps", async () => {
  const fake = fakeGetJson();
  const loaders = createLoaders({ getJson: fake.getJson });
  const r = run("a", 2);
  await loaders.series("a", r.tags[0]);
  await loaders.series("a", r.tags[0]);
  assert.equal(fake.calls.length, 1);
  assert.deepEqual(fake.calls[0], ["series", { run: "a", tag: "t" }]);
  await loaders.series("a", run("a", 5).tags[0]);
  assert.equal(fake.calls.length, 2);
});

test("layer maps and distances are peeked without loading, and keyed by the runs' versions", async () => {
  const fake = fakeGetJson();
  const loaders = createLoaders({ getJson: fake.getJson });
  const [a, b] = [run("a", 2), run("b", 2)];
  assert.equal(loaders.peekLayerMap(a), undefined);
  assert.equal(loaders.peekDistances(a, b), undefined);
  assert.equal(fake.calls.length, 0);
  const map = await loaders.layerMap(a);
  assert.deepEqual(map.raw, { run: "a", layers: [] });
  assert.equal(loaders.peekLayerMap(a), map);
  assert.equal(loaders.peekLayerMap(run("a", 3)), undefined, "a run that logged new steps is fetched again");
  const d = await loaders.distances(a, b);
  assert.equal(d.get("t"), 0.5);
  assert.equal(loaders.peekDistances(a, b), d);
  assert.equal(loaders.peekDistances(b, a), undefined);
  assert.deepEqual(fake.calls.slice(1), [["compare", { a: "a", b: "b" }]]);
});

test("diagnostics: the document and TensorBoard's run order; null order when it cannot be read", async () => {
  const fake = fakeGetJson();
  const signal = new AbortController().signal;
  assert.deepEqual(await createLoaders({ getJson: fake.getJson }).diagnostics(signal), [{ runs: [] }, ["b", "a"]]);
  const failing = /** @type {typeof import("../src/api.js").getJson} */ (
    async (route) => {
      if (route === "../../runs") throw new Error("no");
      return { runs: [] };
    }
  );
  assert.deepEqual(await createLoaders({ getJson: failing }).diagnostics(signal), [{ runs: [] }, null]);
});
