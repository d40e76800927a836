// Findings that appeared since the page was opened: while a run trains, TensorBoard reloads and
// the tab marks the verdicts that were not there on the first load. DOM-free.

/** @typedef {import("./model.js").Diagnostics} Diagnostics */
/** @typedef {import("./model.js").Verdict} Verdict */

/**
 * Every verdict of a document with the key that identifies it across reloads (run, scope, the
 * tag or layer it is about, verdict id), run verdicts first, then layers, then tags.
 * @param {Diagnostics} data
 * @returns {Array<[string, Verdict]>}
 */
export function keyedVerdicts(data) {
  /** @type {Array<[string, Verdict]>} */
  const out = [];
  const key = (/** @type {string[]} */ ...parts) => JSON.stringify(parts);
  for (const run of data.runs) {
    for (const v of run.verdicts) out.push([key(run.run, "run", run.run, v.id), v]);
    for (const layer of run.layers) {
      for (const v of layer.verdicts) out.push([key(run.run, "layer", String(layer.layer), v.id), v]);
    }
    for (const tag of run.tags) {
      for (const v of tag.verdicts) out.push([key(run.run, "tag", tag.tag, v.id), v]);
    }
  }
  return out;
}

/**
 * The keys of the verdicts of the first load, to compare later loads with.
 * @param {Diagnostics} data
 * @returns {Set<string>}
 */
export function baselineOf(data) {
  return new Set(keyedVerdicts(data).map(([k]) => k));
}

/**
 * Mark (`verdict.fresh = true`) the verdicts of `data` that were not in `baseline`, and return
 * how many findings (distinct keys) are new.
 * @param {Diagnostics} data
 * @param {Set<string>} baseline
 * @returns {number}
 */
export function markFresh(data, baseline) {
  const fresh = new Set();
  for (const [k, v] of keyedVerdicts(data)) {
    v.fresh = !baseline.has(k);
    if (v.fresh) fresh.add(k);
  }
  return fresh.size;
}

/**
 * The header's words for `count` new findings ("" for none).
 * @param {number} count
 * @returns {string}
 */
export function freshText(count) {
  if (!count) return "";
  return `${count} new finding${count === 1 ? "" : "s"} since the page was opened`;
}
