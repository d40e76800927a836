// The loaded document's runs and tags by name, and each run's colour (TensorBoard's palette by
// its position in TensorBoard's run order). Replaced as a whole when a new document loads.

import { runColor } from "../palette.js";

/** @typedef {import("../model.js").Diagnostics} Diagnostics */
/** @typedef {import("../model.js").Run} Run */
/** @typedef {import("../model.js").Tag} Tag */

/**
 * @typedef {object} Lookups
 * @property {(data: Diagnostics) => void} index         index a newly loaded document
 * @property {(run: string) => Run | undefined} runByName
 * @property {(run: string, tag: string) => Tag | null} findTag
 * @property {(run: string) => string} colorOf
 */

/**
 * @param {string} run
 * @param {string} tag
 * @returns {string}
 */
function pairKey(run, tag) {
  return `${run}\u0000${tag}`;
}

/** @returns {Lookups} */
export function createLookups() {
  /** @type {Map<string, Run>} */
  let runsByName = new Map();
  /** @type {Map<string, Tag>} */
  let tagsByKey = new Map();
  return {
    index(data) {
      runsByName = new Map(data.runs.map((r) => [r.run, r]));
      tagsByKey = new Map(data.runs.flatMap((r) => r.tags.map((t) => [pairKey(r.run, t.tag), t])));
    },
    runByName: (run) => runsByName.get(run),
    findTag: (run, tag) => tagsByKey.get(pairKey(run, tag)) ?? null,
    colorOf: (run) => runColor(runsByName.get(run)?.colorIndex ?? 0),
  };
}
