// Which tags are shown: the tag regex and the severity threshold, and the per-run, per-layer
// grouping the table draws. DOM-free.

import { statusRank, worstStatus } from "./status.js";

/** @typedef {import("./model.js").Diagnostics} Diagnostics */
/** @typedef {import("./model.js").Run} Run */
/** @typedef {import("./model.js").Tag} Tag */
/** @typedef {import("./model.js").Verdict} Verdict */
/** @typedef {import("./status.js").Status} Status */

/** @typedef {"all" | "info" | "warning" | "critical"} SeverityFilter */

/** The severity filter's choices, in menu order. @type {ReadonlyArray<{value: SeverityFilter, label: string}>} */
export const SEVERITY_FILTERS = Object.freeze([
  { value: "all", label: "All tags" },
  { value: "info", label: "Info and above" },
  { value: "warning", label: "Warnings and above" },
  { value: "critical", label: "Critical only" },
]);

/**
 * A valid severity filter value, "all" for anything else.
 * @param {unknown} value
 * @returns {SeverityFilter}
 */
export function parseSeverityFilter(value) {
  return SEVERITY_FILTERS.some((f) => f.value === value) ? /** @type {SeverityFilter} */ (value) : "all";
}

/** The role filter's choices ("all" or one role of the contract). */
export const ROLE_FILTERS = Object.freeze([
  { value: "all", label: "All roles" },
  { value: "weight", label: "Weights" },
  { value: "bias", label: "Biases" },
  { value: "activation", label: "Activations" },
  { value: "preactivation", label: "Pre-activations" },
  { value: "gradient", label: "Gradients" },
  { value: "other", label: "Other" },
]);

/**
 * A valid role filter value, "all" for anything else.
 * @param {unknown} value
 * @returns {string}
 */
export function parseRoleFilter(value) {
  return ROLE_FILTERS.some((f) => f.value === value) ? String(value) : "all";
}

/**
 * @typedef {object} Filters
 * @property {TagFilter} tagFilter
 * @property {SeverityFilter} severity
 * @property {string} [role]                    "all" (default) or a role
 * @property {ReadonlySet<string> | null} [runs] the selected runs; null/absent = all
 */

/**
 * @typedef {object} TagFilter
 * @property {RegExp | null} regex  null when the filter is empty (everything matches) or invalid
 * @property {string | null} error  why the text is not a valid regular expression
 */

/**
 * Compile the tag filter text like TensorBoard's: a case-insensitive regular expression searched
 * anywhere in the tag name. Invalid text yields an error message instead of throwing.
 * @param {string} text
 * @returns {TagFilter}
 */
export function compileTagFilter(text) {
  if (!text) return { regex: null, error: null };
  try {
    return { regex: new RegExp(text, "i"), error: null };
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^Invalid regular expression:\s*/, "") : "";
    return { regex: null, error: detail ? `Invalid regular expression: ${detail}` : "Invalid regular expression" };
  }
}

/**
 * The worst thing known about a tag: its status, or a verdict that is worse (a tag whose only
 * verdicts are "info" is reported as "ok" by the backend but still passes the "info" filter).
 * @param {Tag} tag
 * @returns {Status}
 */
export function tagSeverity(tag) {
  if (tag.status === "unknown" && tag.verdicts.length === 0) return "unknown";
  return worstStatus([tag.status, ...tag.verdicts.map((v) => v.severity)]);
}

/**
 * Whether a tag passes the tag, role and severity filters. An invalid regex hides nothing (the
 * page shows the error). A tag whose role is not one of the menu's counts as "other".
 * @param {Tag} tag
 * @param {Filters} filters
 * @returns {boolean}
 */
export function tagPasses(tag, filters) {
  if (filters.tagFilter.regex) {
    filters.tagFilter.regex.lastIndex = 0;
    if (!filters.tagFilter.regex.test(tag.tag)) return false;
  }
  if (filters.role && filters.role !== "all") {
    const role = ROLE_FILTERS.some((f) => f.value === tag.role) ? tag.role : "other";
    if (role !== filters.role) return false;
  }
  if (filters.severity === "all") return true;
  return statusRank(tagSeverity(tag)) >= statusRank(filters.severity);
}

/** Display order of roles inside a layer; other roles follow alphabetically. */
const ROLE_ORDER = ["weight", "kernel", "bias", "preactivation", "activation", "gradient"];

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
 * The runs in the selection (all of them for null), in document order.
 * @template {{run: string}} R
 * @param {readonly R[]} runs
 * @param {ReadonlySet<string> | null} selection
 * @returns {R[]}
 */
export function selectedRuns(runs, selection) {
  return selection ? runs.filter((r) => selection.has(r.run)) : [...runs];
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
