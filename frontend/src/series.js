// One histogram series (GET series?run=&tag=) as the charts use it, and the pure geometry behind
// the distribution bands and the ridgeline: step sampling, re-binning onto common bins, value
// ranges, the statistics shown on hover. DOM-free.

/** TensorBoard's Distributions view basis points (min, -1.5σ, -1σ, -0.5σ, median, …, max). */
export const BASIS_POINTS = Object.freeze([0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000]);
/** Fill opacity of the 8 bands between consecutive basis points (vz-distribution-chart). */
export const BAND_OPACITY = Object.freeze([0.0912, 0.5436, 0.5992, 0.766, 0.766, 0.5992, 0.5436, 0.0912]);
/** TensorBoard's Histograms view re-bins every step onto this many common bins. */
export const BIN_COUNT = 30;

/**
 * @typedef {object} Series
 * @property {string} run
 * @property {string} tag
 * @property {number[]} steps
 * @property {Array<number | null>} wallTimes
 * @property {boolean[]} valid
 * @property {boolean[]} nonfinite
 * @property {{min: Array<number|null>, max: Array<number|null>, mean: Array<number|null>, std: Array<number|null>, count: Array<number|null>}} stats
 * @property {number[]} basisPoints
 * @property {Array<number[] | null>} bands      per step, 9 quantiles (null on invalid steps)
 * @property {number[]} edges                    BIN_COUNT + 1 bin edges ([] when no valid step)
 * @property {Array<number[] | null>} counts     per step, mass per bin (null on invalid steps)
 */

/**
 * @param {unknown} v
 * @returns {number | null}
 */
function num(v) {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * @param {unknown} v
 * @returns {unknown[]}
 */
function arr(v) {
  return Array.isArray(v) ? v : [];
}

/**
 * @param {unknown} v
 * @returns {Record<string, unknown>}
 */
function obj(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? /** @type {Record<string, unknown>} */ (v) : {};
}

/**
 * A per-step list of numeric rows of a given width; a row with a missing or non-finite entry
 * becomes null (the step is drawn as a gap).
 * @param {unknown} rows
 * @param {number} n       number of steps
 * @param {number} width
 * @returns {Array<number[] | null>}
 */
function rowsOf(rows, n, width) {
  const list = arr(rows);
  /** @type {Array<number[] | null>} */
  const out = [];
  for (let i = 0; i < n; i++) {
    const row = list[i];
    if (!Array.isArray(row) || row.length !== width) {
      out.push(null);
      continue;
    }
    const values = row.map(num);
    out.push(values.every((v) => v !== null) ? /** @type {number[]} */ (values) : null);
  }
  return out;
}

/**
 * The series response with every field present and typed; steps without valid data get null
 * rows. Throws a TypeError when the JSON is not a series at all.
 * @param {unknown} raw
 * @returns {Series}
 */
export function normalizeSeries(raw) {
  const r = obj(raw);
  if (!Array.isArray(r.steps)) throw new TypeError('the series response has no "steps" list');
  const steps = r.steps.map((s) => num(s) ?? 0);
  const n = steps.length;
  const stats = obj(r.stats);
  const perStep = (/** @type {unknown} */ v) => {
    const list = arr(v);
    return steps.map((_, i) => num(list[i]));
  };
  const valid = steps.map((_, i) => arr(r.valid)[i] !== false);
  const bands = obj(r.bands);
  const hist = obj(r.histogram);
  const edges = arr(hist.edges).map(num);
  const goodEdges = edges.length >= 2 && edges.every((e) => e !== null) ? /** @type {number[]} */ (edges) : [];
  const bandRows = rowsOf(bands.values, n, BASIS_POINTS.length);
  const countRows = goodEdges.length ? rowsOf(hist.counts, n, goodEdges.length - 1) : steps.map(() => null);
  return {
    run: String(r.run ?? ""),
    tag: String(r.tag ?? ""),
    steps,
    wallTimes: perStep(r.wall_times),
    valid: valid.map((v, i) => v && bandRows[i] !== null),
    nonfinite: steps.map((_, i) => arr(r.nonfinite)[i] === true),
    stats: {
      min: perStep(stats.min),
      max: perStep(stats.max),
      mean: perStep(stats.mean),
      std: perStep(stats.std),
      count: perStep(stats.count),
    },
    basisPoints: arr(bands.basis_points).length === BASIS_POINTS.length ? arr(bands.basis_points).map((b) => num(b) ?? 0) : [...BASIS_POINTS],
    bands: bandRows,
    edges: goodEdges,
    counts: countRows,
  };
}

/**
 * The range of values the bands cover over all valid steps (min of the lowest band to max of
 * the highest), widened when flat so a scale still has a span; null when nothing is valid.
 * @param {Series} series
 * @returns {[number, number] | null}
 */
export function valueExtent(series) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of series.bands) {
    if (!row) continue;
    lo = Math.min(lo, row[0]);
    hi = Math.max(hi, row[row.length - 1]);
  }
  if (!(lo <= hi)) return null;
  return widen(lo, hi);
}

/**
 * A non-empty interval around [lo, hi]: a zero-width range becomes TensorBoard's
 * [v/1.1 − 1, v·1.1 + 1] style padding (scaled down for small values).
 * @param {number} lo
 * @param {number} hi
 * @returns {[number, number]}
 */
export function widen(lo, hi) {
  if (hi > lo) return [lo, hi];
  const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
  return [lo - pad, hi + pad];
}

/**
 * The range of steps; a single step gets a span of 1 so it can be drawn.
 * @param {readonly number[]} steps
 * @returns {[number, number]}
 */
export function stepExtent(steps) {
  if (!steps.length) return [0, 1];
  const lo = steps[0];
  const hi = steps[steps.length - 1];
  return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
}

/**
 * Indices of at most `max` steps spread evenly over 0..n-1, always with the first and last
 * (the ridgeline draws one ridge per kept step, like TensorBoard's 51-sample downsampling).
 * @param {number} n
 * @param {number} max
 * @returns {number[]}
 */
export function sampleIndices(n, max) {
  if (n <= 0 || max <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  if (max === 1) return [n - 1];
  /** @type {number[]} */
  const out = [];
  for (let k = 0; k < max; k++) {
    const i = Math.round((k * (n - 1)) / (max - 1));
    if (out[out.length - 1] !== i) out.push(i);
  }
  return out;
}

/**
 * Re-bin a histogram onto new edges, spreading each bin's mass uniformly over its width (a
 * zero-width bin is a point mass); mass outside the new range is dropped. Total mass inside the
 * new range is conserved.
 * @param {readonly number[]} edges      n+1 increasing edges
 * @param {readonly number[]} counts     n masses
 * @param {readonly number[]} newEdges   m+1 increasing edges
 * @returns {number[]}                   m masses
 */
export function rebin(edges, counts, newEdges) {
  const m = newEdges.length - 1;
  const out = new Array(Math.max(0, m)).fill(0);
  if (m <= 0) return out;
  for (let i = 0; i < counts.length && i + 1 < edges.length; i++) {
    const mass = counts[i];
    if (!(mass > 0)) continue;
    const left = edges[i];
    const right = edges[i + 1];
    if (!(right > left)) {
      // A point mass: into the bin that holds it (the last bin is closed on the right).
      const j = binIndex(newEdges, left);
      if (j !== -1) out[j] += mass;
      continue;
    }
    const density = mass / (right - left);
    let j = Math.max(0, binIndex(newEdges, left));
    for (; j < m; j++) {
      const lo = Math.max(left, newEdges[j]);
      const hi = Math.min(right, newEdges[j + 1]);
      if (newEdges[j] >= right) break;
      if (hi > lo) out[j] += density * (hi - lo);
    }
  }
  return out;
}

/**
 * The bin of `value` among edges (left-closed, the last bin also right-closed), -1 outside.
 * @param {readonly number[]} edges
 * @param {number} value
 * @returns {number}
 */
export function binIndex(edges, value) {
  const m = edges.length - 1;
  if (m <= 0 || !(value >= edges[0]) || !(value <= edges[m])) return -1;
  let lo = 0;
  let hi = m;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (value >= edges[mid]) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * `count + 1` equal-width edges over [lo, hi] (a zero-width range is widened first).
 * @param {number} lo
 * @param {number} hi
 * @param {number} [count]
 * @returns {number[]}
 */
export function uniformEdges(lo, hi, count = BIN_COUNT) {
  const [a, b] = widen(lo, hi);
  return Array.from({ length: count + 1 }, (_, i) => (i === count ? b : a + ((b - a) * i) / count));
}

/**
 * The index of the step nearest to `step` (ties to the earlier), -1 for no steps.
 * @param {readonly number[]} steps  sorted
 * @param {number} step
 * @returns {number}
 */
export function nearestIndex(steps, step) {
  if (!steps.length) return -1;
  let lo = 0;
  let hi = steps.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] <= step) lo = mid;
    else hi = mid;
  }
  return Math.abs(steps[hi] - step) < Math.abs(step - steps[lo]) ? hi : lo;
}

/** Labels of the basis points as percentiles, from the top band down (as a tooltip lists them). */
export const PERCENTILE_LABELS = Object.freeze(["min", "6.7%", "15.9%", "30.9%", "median", "69.1%", "84.1%", "93.3%", "max"]);

/**
 * @typedef {object} StepStats
 * @property {number} step
 * @property {boolean} valid
 * @property {boolean} nonfinite
 * @property {Array<[string, number | null]>} rows   label/value pairs, max first
 */

/**
 * What the tooltip shows for step index `i`: max, the percentiles, min, then mean, std and count.
 * @param {Series} series
 * @param {number} i
 * @returns {StepStats}
 */
export function stepStats(series, i) {
  const q = series.bands[i];
  /** @type {Array<[string, number | null]>} */
  const rows = [];
  for (let k = PERCENTILE_LABELS.length - 1; k >= 0; k--) rows.push([PERCENTILE_LABELS[k], q ? q[k] : null]);
  rows.push(["mean", series.stats.mean[i]], ["std", series.stats.std[i]], ["count", series.stats.count[i]]);
  return { step: series.steps[i], valid: series.valid[i], nonfinite: series.nonfinite[i], rows };
}

/**
 * The largest mass in any bin of any step (1 when there is none), to scale ridge heights.
 * @param {ReadonlyArray<readonly number[] | null>} counts
 * @returns {number}
 */
export function maxCount(counts) {
  let max = 0;
  for (const row of counts) if (row) for (const c of row) if (c > max) max = c;
  return max > 0 ? max : 1;
}
