// Shared test data.
import { readFileSync } from "node:fs";
import { BASIS_POINTS } from "../src/series.js";

/** The raw fixture document (a fresh copy per call, so tests may mutate it). */
export function rawFixture() {
  return JSON.parse(readFileSync(new URL("./fixtures/diagnostics.json", import.meta.url), "utf8"));
}

/** A series response like GET series sends: 3 steps, the middle one invalid (NaN). */
export function rawSeries() {
  const edges = Array.from({ length: 31 }, (_, i) => -1.5 + i * 0.1);
  const counts = (shift) => Array.from({ length: 30 }, (_, i) => Math.max(0, 10 - Math.abs(i - 15 - shift)));
  return {
    run: "r",
    tag: "t",
    steps: [0, 10, 20],
    wall_times: [1, 2, 3],
    valid: [true, false, true],
    nonfinite: [false, true, false],
    stats: { min: [-1, null, -1.2], max: [1, null, 1.4], mean: [0, null, 0.1], std: [0.5, null, 0.6], count: [100, null, 100] },
    bands: { basis_points: [...BASIS_POINTS], values: [[-1, -0.7, -0.5, -0.2, 0, 0.2, 0.5, 0.7, 1], null, [-1.2, -0.8, -0.5, -0.2, 0.1, 0.3, 0.6, 0.9, 1.4]] },
    histogram: { edges, counts: [counts(0), null, counts(2)] },
  };
}

