// Compare mode: the tags × runs matrix of verdicts, how different the runs are on each tag, the
// sort orders, and the sentence under the overlaid bands. DOM-free.

import { statusRank, worstStatus } from "./status.js";
import { tagPasses } from "./filters.js";
import { compareLayers } from "./runview.js";
import { formatNumber, isolateBidi } from "./format.js";

/** @typedef {import("./model.js").Run} Run */
/** @typedef {import("./model.js").Tag} Tag */
/** @typedef {import("./status.js").Status} Status */

/** @typedef {"difference" | "severity" | "layer" | "name"} CompareSort */

/** The sort orders, in menu order. @type {ReadonlyArray<{value: CompareSort, label: string}>} */
export const COMPARE_SORTS = Object.freeze([
  { value: "difference", label: "Most different first" },
  { value: "severity", label: "Worst first" },
  { value: "layer", label: "By layer" },
  { value: "name", label: "By name" },
]);

/**
 * A valid sort, "difference" for anything else.
 * @param {unknown} value
 * @returns {CompareSort}
 */
export function parseCompareSort(value) {
  return COMPARE_SORTS.some((s) => s.value === value) ? /** @type {CompareSort} */ (value) : "difference";
}

/**
 * @typedef {object} CompareCell
 * @property {string} run
 * @property {Tag | null} tag          null when the run does not log this tag
 * @property {number | null} distance  W1 distance of its last distribution from the reference run's (GET compare), in the reference's spreads
 */

/**
 * @typedef {object} CompareRow
 * @property {string} tag
 * @property {string | null} layer
 * @property {number | null} depth
 * @property {string} role
 * @property {CompareCell[]} cells    one per compared run, in run order
 * @property {boolean} differ         the runs' verdict ids differ (or the tag is missing in some)
 * @property {number} severitySpread  worst minus best status rank over the runs that have it
 * @property {number} movementSpread  |log10| ratio of the largest to the smallest movement
 * @property {number | null} distance largest distance from the reference run
 * @property {Status} worst
 */

/** Movements below this count as this much when taking ratios (a frozen layer has 0). */
const MOVEMENT_FLOOR = 0.01;

/**
 * The verdict ids of a tag as one comparable key ("" for no verdict, "absent" when missing).
 * @param {Tag | null} tag
 * @returns {string}
 */
export function verdictKey(tag) {
  if (!tag) return "absent";
  return [...new Set(tag.verdicts.map((v) => v.id))].sort().join(",");
}

/**
 * The rows of the matrix for the given runs: every tag any of them logs that passes the
 * filters in at least one run. `distances` holds, per run name, the distance of each of its
 * tags from the reference run (from GET compare); it may be empty.
 * @param {readonly Run[]} runs
 * @param {{tagFilter: import("./tagfilter.js").TagFilter, severity: import("./filters.js").SeverityFilter, role?: string}} filters
 * @param {Map<string, Map<string, number | null>>} [distances]
 * @returns {CompareRow[]}
 */
export function buildCompareRows(runs, filters, distances = new Map()) {
  /** @type {Map<string, CompareRow>} */
  const rows = new Map();
  const byRun = runs.map((run) => new Map(run.tags.map((t) => [t.tag, t])));
  /** @type {Set<string>} */
  const seen = new Set();
  /** @type {Tag[]} */
  const order = [];
  for (const run of runs) {
    for (const tag of run.tags) {
      if (seen.has(tag.tag)) continue;
      seen.add(tag.tag);
      order.push(tag);
    }
  }
  for (const first of order) {
    const cells = runs.map((run, i) => ({
      run: run.run,
      tag: byRun[i].get(first.tag) ?? null,
      distance: distances.get(run.run)?.get(first.tag) ?? null,
    }));
    const present = cells.map((c) => c.tag).filter((t) => t !== null);
    if (!present.some((t) => tagPasses(/** @type {Tag} */ (t), filters))) continue;
    const keys = new Set(cells.map((c) => verdictKey(c.tag)));
    const ranks = present.map((t) => statusRank(/** @type {Tag} */ (t).status));
    const moves = /** @type {number[]} */ (present.map((t) => /** @type {Tag} */ (t).movement).filter((m) => m !== null && m !== undefined && Number.isFinite(m)));
    const movementSpread =
      moves.length > 1 ? Math.abs(Math.log10(Math.max(...moves, MOVEMENT_FLOOR) / Math.max(Math.min(...moves), MOVEMENT_FLOOR))) : 0;
    const dists = cells.map((c) => c.distance).filter((d) => d !== null);
    const withLayer = present.find((t) => t && t.layer !== null) ?? first;
    rows.set(first.tag, {
      tag: first.tag,
      layer: withLayer.layer,
      depth: withLayer.depth,
      role: first.role,
      cells,
      differ: keys.size > 1,
      severitySpread: ranks.length ? Math.max(...ranks) - Math.min(...ranks) : 0,
      movementSpread,
      distance: dists.length ? Math.max(.../** @type {number[]} */ (dists)) : null,
      worst: worstStatus(present.map((t) => /** @type {Tag} */ (t).status)),
    });
  }
  return [...rows.values()];
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/**
 * A sorted copy of the rows. "difference": differing verdicts first, then the widest severity
 * spread, then the largest distance (or movement spread when no distance is known), then by
 * layer; "severity": worst status first; "layer": depth order; "name": by tag name.
 * @param {readonly CompareRow[]} rows
 * @param {CompareSort} sort
 * @returns {CompareRow[]}
 */
export function sortCompareRows(rows, sort) {
  const byLayer = (/** @type {CompareRow} */ a, /** @type {CompareRow} */ b) => compareLayers(a, b) || collator.compare(a.tag, b.tag);
  const cmp = {
    difference: (/** @type {CompareRow} */ a, /** @type {CompareRow} */ b) =>
      Number(b.differ) - Number(a.differ) ||
      b.severitySpread - a.severitySpread ||
      (b.distance ?? b.movementSpread) - (a.distance ?? a.movementSpread) ||
      byLayer(a, b),
    severity: (/** @type {CompareRow} */ a, /** @type {CompareRow} */ b) =>
      statusRank(b.worst) - statusRank(a.worst) || Number(b.differ) - Number(a.differ) || byLayer(a, b),
    layer: byLayer,
    name: (/** @type {CompareRow} */ a, /** @type {CompareRow} */ b) => collator.compare(a.tag, b.tag),
  }[sort];
  return [...rows].sort(cmp);
}

/**
 * How far a tag moved over a run, in words: "never moved", "moved by 0.61× its initial spread".
 * @param {number | null | undefined} movement
 * @returns {string}
 */
export function movementPhrase(movement) {
  if (movement === null || movement === undefined || !Number.isFinite(movement)) return "has no movement measure";
  if (movement < 1e-3) return "never moved";
  if (movement < 0.05) return `barely moved (${formatNumber(Number(movement.toPrecision(2)))}\u00D7 its initial spread)`;
  return `moved by ${formatNumber(Number(movement.toPrecision(2)))}\u00D7 its initial spread`;
}

/**
 * The sentence under the overlaid bands of two runs, e.g. "In frozen_early this layer's tag
 * fc1.weight never moved; in healthy it moved by 0.3× its initial spread."
 * @param {string} tagName
 * @param {{run: string, tag: Tag | null}} a
 * @param {{run: string, tag: Tag | null}} b
 * @returns {string}
 */
export function compareSentence(tagName, a, b) {
  const part = (/** @type {{run: string, tag: Tag | null}} */ side) =>
    side.tag ? movementPhrase(side.tag.movement) : "is not logged";
  // Names are isolated: a right-to-left override in one must not reverse the rest of the sentence.
  const first = `In ${isolateBidi(a.run)}, ${isolateBidi(tagName)} ${part(a)}`;
  const second = `in ${isolateBidi(b.run)} it ${part(b)}`;
  return `${first}; ${second}.`;
}

/**
 * The run the others are measured against when the user has not picked one: the healthiest
 * (best status, then fewest critical and warning tags, then the earliest).
 * @param {readonly Run[]} runs
 * @returns {Run | null}
 */
export function referenceRun(runs) {
  let best = null;
  for (const r of runs) {
    if (
      !best ||
      statusRank(r.status) < statusRank(best.status) ||
      (statusRank(r.status) === statusRank(best.status) &&
        r.counts.critical * 1000 + r.counts.warning < best.counts.critical * 1000 + best.counts.warning)
    ) {
      best = r;
    }
  }
  return best;
}

/**
 * The two runs to overlay for a row when the user has not picked them: the run where the tag is
 * worst (ties: the one that moved least differently… the earliest) against the reference run,
 * or against the run where it is best when the reference does not log it.
 * @param {CompareRow} row
 * @param {string | null} [reference]
 * @returns {[string, string] | null}
 */
export function defaultPair(row, reference = null) {
  const present = row.cells.filter((c) => c.tag !== null);
  if (present.length < 2) return row.cells.length >= 2 ? [row.cells[0].run, row.cells[1].run] : null;
  const rank = (/** @type {CompareCell} */ c) => statusRank(/** @type {Tag} */ (c.tag).status);
  const ref = present.find((c) => c.run === reference);
  let best = ref ?? present[0];
  if (!ref) for (const c of present) if (rank(c) < rank(best)) best = c;
  let worst = null;
  for (const c of present) {
    if (c === best) continue;
    if (!worst || rank(c) > rank(worst) || (rank(c) === rank(worst) && Number(verdictKey(c.tag) !== verdictKey(best.tag)) > Number(verdictKey(worst.tag) !== verdictKey(best.tag)))) worst = c;
  }
  return worst ? [worst.run, best.run] : null;
}

/**
 * The compare route's answer as a map tag → distance (null where a side is missing).
 * @param {unknown} raw
 * @returns {Map<string, number | null>}
 */
export function distancesFromCompare(raw) {
  /** @type {Map<string, number | null>} */
  const out = new Map();
  const tags = raw && typeof raw === "object" && Array.isArray(/** @type {any} */ (raw).tags) ? /** @type {any[]} */ (/** @type {any} */ (raw).tags) : [];
  for (const t of tags) {
    if (!t || typeof t !== "object" || typeof t.tag !== "string") continue;
    out.set(t.tag, typeof t.distance === "number" && Number.isFinite(t.distance) ? t.distance : null);
  }
  return out;
}
