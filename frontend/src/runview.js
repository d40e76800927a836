// What each run shows: its tags that pass the filters, grouped by layer in depth order, roles in
// order inside a layer. DOM-free.

import { selectedRuns, tagPasses } from "./filters.js";

/** @typedef {import("./model.js").Diagnostics} Diagnostics */
/** @typedef {import("./model.js").Run} Run */
/** @typedef {import("./model.js").Tag} Tag */
/** @typedef {import("./model.js").Verdict} Verdict */
/** @typedef {import("./filters.js").Filters} Filters */

/** Display order of roles inside a layer; other roles follow alphabetically. */
const ROLE_ORDER = [
  "input",
  "weight",
  "kernel",
  "bias",
  "norm_scale",
  "norm_shift",
  "running_stat",
  "preactivation",
  "activation",
  "gradient",
  "output",
];

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/**
 * @param {string} role
 * @returns {number}
 */
function roleIndex(role) {
  const i = ROLE_ORDER.indexOf(role.toLowerCase());
  return i === -1 ? ROLE_ORDER.length : i;
}

/**
 * Order of tags inside a layer: by role (weights, biases, activations, gradients), then by name
 * with numbers compared as numbers ("dense_2" before "dense_10").
 * @param {Tag} a
 * @param {Tag} b
 * @returns {number}
 */
export function compareTags(a, b) {
  return (
    roleIndex(a.role) - roleIndex(b.role) ||
    collator.compare(a.role, b.role) ||
    collator.compare(a.tag, b.tag)
  );
}

/**
 * @typedef {object} LayerGroup
 * @property {string | null} layer  null for tags the backend could not place in a layer
 * @property {number | null} depth
 * @property {Verdict[]} verdicts   layer-level verdicts (e.g. bias_only)
 * @property {Tag[]} tags           the tags that pass the filters, in display order
 * @property {number} total         tags in the layer before filtering
 */

/**
 * @typedef {object} RunView
 * @property {Run} run
 * @property {LayerGroup[]} groups  layers in depth order with at least one shown tag
 * @property {Tag[]} shownTags      the tags shown, in display order
 */

/**
 * Depth order: shallow first, layers without a depth last, then by name.
 * @param {{layer: string | null, depth: number | null}} a
 * @param {{layer: string | null, depth: number | null}} b
 * @returns {number}
 */
export function compareLayers(a, b) {
  const da = a.depth ?? Number.POSITIVE_INFINITY;
  const db = b.depth ?? Number.POSITIVE_INFINITY;
  if (da !== db) return da < db ? -1 : 1;
  if (a.layer === null || b.layer === null) return a.layer === b.layer ? 0 : a.layer === null ? 1 : -1;
  return collator.compare(a.layer, b.layer);
}

/**
 * A run's tags grouped by layer in depth order, keeping only tags that pass the filters.
 * Layers come from the run's layer list; tags that no listed layer claims are grouped by their
 * own `layer` field.
 * @param {Run} run
 * @param {Filters} filters
 * @returns {RunView}
 */
export function buildRunView(run, filters) {
  /** @type {Map<string, Tag>} */
  const byName = new Map(run.tags.map((t) => [t.tag, t]));
  /** @type {Set<string>} */
  const claimed = new Set();
  /** @type {{layer: string | null, depth: number | null, verdicts: Verdict[], all: Tag[]}[]} */
  const layers = [];
  for (const layer of run.layers) {
    /** @type {Tag[]} */
    const all = [];
    for (const name of layer.tags) {
      const tag = byName.get(name);
      if (tag && !claimed.has(name)) {
        claimed.add(name);
        all.push(tag);
      }
    }
    const depth = layer.depth ?? all.find((t) => t.depth !== null)?.depth ?? null;
    layers.push({ layer: layer.layer, depth, verdicts: layer.verdicts, all });
  }
  /** @type {Map<string | null, {layer: string | null, depth: number | null, verdicts: Verdict[], all: Tag[]}>} */
  const unclaimed = new Map();
  for (const tag of run.tags) {
    if (claimed.has(tag.tag)) continue;
    let group = unclaimed.get(tag.layer);
    if (!group) {
      group = { layer: tag.layer, depth: tag.depth, verdicts: [], all: [] };
      unclaimed.set(tag.layer, group);
      layers.push(group);
    }
    group.all.push(tag);
  }

  /** @type {LayerGroup[]} */
  const groups = layers
    .map((l) => ({
      layer: l.layer,
      depth: l.depth,
      verdicts: l.verdicts,
      tags: l.all.filter((t) => tagPasses(t, filters)).sort(compareTags),
      total: l.all.length,
    }))
    .filter((g) => g.tags.length > 0)
    .sort(compareLayers);
  return { run, groups, shownTags: groups.flatMap((g) => g.tags) };
}

/**
 * Every selected run's view under the filters.
 * @param {Diagnostics} doc
 * @param {Filters} filters
 * @returns {RunView[]}
 */
export function buildView(doc, filters) {
  return selectedRuns(doc.runs, filters.runs ?? null).map((run) => buildRunView(run, filters));
}

/**
 * A key that identifies one tag of one run (for the set of expanded rows).
 * @param {string} run
 * @param {string} tag
 * @returns {string}
 */
export function rowKey(run, tag) {
  return JSON.stringify([run, tag]);
}
