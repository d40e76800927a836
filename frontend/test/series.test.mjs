import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BASIS_POINTS,
  binIndex,
  maxCount,
  nearestIndex,
  normalizeSeries,
  rebin,
  sampleIndices,
  stepExtent,
  stepStats,
  uniformEdges,
  valueExtent,
  widen,
} from "../src/series.js";
import { rawSeries } from "./helpers.mjs";

test("normalizeSeries keeps valid steps and turns broken rows into gaps", () => {
  const s = normalizeSeries(rawSeries());
  assert.deepEqual(s.steps, [0, 10, 20]);
  assert.deepEqual(s.valid, [true, false, true]);
  assert.deepEqual(s.nonfinite, [false, true, false]);
  assert.equal(s.bands[1], null);
  assert.equal(s.counts[1], null);
  assert.equal(s.edges.length, 31);
  assert.equal(s.stats.min[1], null);
  const raw = rawSeries();
  raw.bands.values[2] = [1, 2, 3]; // wrong width
  raw.histogram.counts[0] = [1, "x", ...Array(28).fill(0)]; // a non-number
  const bad = normalizeSeries(raw);
  assert.equal(bad.bands[2], null);
  assert.equal(bad.valid[2], false, "a step without bands is not drawn");
  assert.equal(bad.counts[0], null);
});

test("normalizeSeries rejects what is not a series and tolerates missing parts", () => {
  assert.throws(() => normalizeSeries(null), TypeError);
  assert.throws(() => normalizeSeries({ steps: "no" }), TypeError);
  const s = normalizeSeries({ steps: [1, 2] });
  assert.deepEqual(s.bands, [null, null]);
  assert.deepEqual(s.edges, []);
  assert.deepEqual(s.basisPoints, [...BASIS_POINTS]);
});

test("valueExtent covers min to max of the valid steps; widen and stepExtent never return an empty range", () => {
  assert.deepEqual(valueExtent(normalizeSeries(rawSeries())), [-1.2, 1.4]);
  assert.equal(valueExtent(normalizeSeries({ steps: [1] })), null);
  assert.deepEqual(widen(2, 2), [1.8, 2.2]);
  assert.deepEqual(widen(0, 0), [-1, 1]);
  assert.deepEqual(widen(-1, 3), [-1, 3]);
  assert.deepEqual(stepExtent([5]), [4.5, 5.5]);
  assert.deepEqual(stepExtent([]), [0, 1]);
  assert.deepEqual(stepExtent([0, 3, 9]), [0, 9]);
});

test("sampleIndices keeps first and last, at most max, evenly", () => {
  assert.deepEqual(sampleIndices(5, 10), [0, 1, 2, 3, 4]);
  const s = sampleIndices(1000, 51);
  assert.equal(s.length, 51);
  assert.equal(s[0], 0);
  assert.equal(s.at(-1), 999);
  assert.ok(s.every((v, i) => i === 0 || v > s[i - 1]), "strictly increasing");
  assert.deepEqual(sampleIndices(10, 1), [9]);
  assert.deepEqual(sampleIndices(0, 5), []);
  assert.deepEqual(sampleIndices(5, 0), []);
});

test("rebin conserves mass inside the new range and spreads it uniformly", () => {
  const edges = [0, 1, 2, 3];
  const counts = [3, 6, 9];
  const same = rebin(edges, counts, edges);
  assert.deepEqual(same, counts);
  const halves = rebin(edges, counts, [0, 0.5, 1, 1.5, 2, 2.5, 3]);
  assert.deepEqual(halves, [1.5, 1.5, 3, 3, 4.5, 4.5]);
  const coarse = rebin(edges, counts, [0, 1.5, 3]);
  assert.deepEqual(coarse, [6, 12]);
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  const wide = rebin(edges, counts, uniformEdges(-10, 10, 30));
  assert.ok(Math.abs(sum(wide) - 18) < 1e-9);
  const clipped = rebin(edges, counts, [1, 2]);
  assert.deepEqual(clipped, [6], "mass outside the new range is dropped");
});

test("rebin puts a zero-width bucket's mass in the bin that holds it, and handles empty input", () => {
  assert.deepEqual(rebin([0.5, 0.5], [4], [0, 1, 2]), [4, 0]);
  assert.deepEqual(rebin([2, 2], [4], [0, 1, 2]), [0, 4], "the last bin is closed on the right");
  assert.deepEqual(rebin([5, 5], [4], [0, 1, 2]), [0, 0], "outside: dropped");
  assert.deepEqual(rebin([], [], [0, 1]), [0]);
  assert.deepEqual(rebin([0, 1], [1], [0]), []);
  assert.deepEqual(rebin([0, 1], [-3], [0, 1]), [0], "negative masses are ignored");
});

test("binIndex and uniformEdges", () => {
  const e = uniformEdges(0, 3, 3);
  assert.deepEqual(e, [0, 1, 2, 3]);
  assert.equal(binIndex(e, 0), 0);
  assert.equal(binIndex(e, 1), 1);
  assert.equal(binIndex(e, 2.999), 2);
  assert.equal(binIndex(e, 3), 2);
  assert.equal(binIndex(e, -0.1), -1);
  assert.equal(binIndex(e, 3.1), -1);
  assert.equal(binIndex(e, NaN), -1);
  assert.equal(uniformEdges(1, 1, 30).length, 31);
  assert.ok(uniformEdges(1, 1, 30)[0] < 1);
});

test("nearestIndex, maxCount and stepStats", () => {
  assert.equal(nearestIndex([0, 10, 20], 14), 1);
  assert.equal(nearestIndex([0, 10, 20], 16), 2);
  assert.equal(nearestIndex([0, 10, 20], 15), 1, "ties to the earlier");
  assert.equal(nearestIndex([0, 10, 20], -50), 0);
  assert.equal(nearestIndex([0, 10, 20], 500), 2);
  assert.equal(nearestIndex([], 1), -1);
  assert.equal(maxCount([[1, 5], null, [2]]), 5);
  assert.equal(maxCount([null]), 1);
  const s = normalizeSeries(rawSeries());
  const st = stepStats(s, 2);
  assert.equal(st.step, 20);
  assert.deepEqual(st.rows.slice(0, 2), [["max", 1.4], ["93.3%", 0.9]]);
  assert.deepEqual(st.rows[8], ["min", -1.2]);
  assert.deepEqual(st.rows.slice(9).map(([k]) => k), ["mean", "std", "count"]);
  const invalid = stepStats(s, 1);
  assert.equal(invalid.valid, false);
  assert.equal(invalid.nonfinite, true);
  assert.equal(invalid.rows[0][1], null);
});
