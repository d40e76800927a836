import { test } from "node:test";
import assert from "node:assert/strict";
import { DroppedError, createLoader } from "../src/loader.js";

/** A request whose answer the test releases by hand. */
function controllable() {
  /** @type {Map<string, (v: string) => void>} */
  const release = new Map();
  let active = 0;
  let peak = 0;
  /** @type {string[]} */
  const started = [];
  const run = (/** @type {string} */ key) => () =>
    new Promise((resolve) => {
      active++;
      peak = Math.max(peak, active);
      started.push(key);
      release.set(key, (v) => {
        active--;
        resolve(v);
      });
    });
  return { release, run, started, peak: () => peak };
}

const tick = () => new Promise((r) => setImmediate(r));

test("at most `concurrency` requests run; the newest queued request starts next", async () => {
  const c = controllable();
  const loader = createLoader({ concurrency: 2 });
  const results = ["a", "b", "c", "d"].map((k) => loader.get(k, c.run(k)));
  await tick();
  assert.deepEqual(c.started, ["a", "b"]);
  assert.deepEqual(loader.stats(), { queued: 2, active: 2, cached: 0 });
  c.release.get("a")?.("A");
  await tick();
  assert.deepEqual(c.started, ["a", "b", "d"], "the card the user scrolled to last goes first");
  c.release.get("b")?.("B");
  await tick();
  c.release.get("d")?.("D");
  c.release.get("c")?.("C");
  assert.deepEqual(await Promise.all(results), ["A", "B", "C", "D"]);
  assert.equal(c.peak(), 2);
});

test("one request per key, then the cache answers; a failure is not cached", async () => {
  let calls = 0;
  const loader = createLoader({ concurrency: 1 });
  const run = async () => ++calls;
  const [x, y] = await Promise.all([loader.get("k", run), loader.get("k", run)]);
  assert.deepEqual([x, y, calls], [1, 1, 1]);
  assert.equal(await loader.get("k", run), 1);
  assert.equal(loader.peek("k"), 1);
  let fails = 0;
  const boom = async () => {
    fails++;
    throw new Error("HTTP 500");
  };
  await assert.rejects(loader.get("bad", boom), /HTTP 500/);
  await assert.rejects(loader.get("bad", boom), /HTTP 500/);
  assert.equal(fails, 2);
  assert.equal(loader.peek("bad"), undefined);
});

test("the cache keeps the most recently used entries", async () => {
  const loader = createLoader({ concurrency: 4, cacheSize: 2 });
  await loader.get("a", async () => 1);
  await loader.get("b", async () => 2);
  await loader.get("a", async () => 99); // use a again
  await loader.get("c", async () => 3);
  assert.equal(loader.peek("a"), 1);
  assert.equal(loader.peek("b"), undefined, "least recently used is evicted");
  assert.equal(loader.peek("c"), 3);
});

test("clear() drops queued requests and forgets the cache; a running request is not cached afterwards", async () => {
  const c = controllable();
  const loader = createLoader({ concurrency: 1 });
  const running = loader.get("a", c.run("a"));
  const queued = loader.get("b", c.run("b"));
  await tick();
  loader.clear();
  await assert.rejects(queued, DroppedError);
  c.release.get("a")?.("old");
  assert.equal(await running, "old", "its waiter still gets the answer");
  assert.equal(loader.peek("a"), undefined, "but stale data is not cached");
  const fresh = loader.get("a", async () => "new");
  assert.equal(await fresh, "new");
});
