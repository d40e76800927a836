// Which tags are shown: the severity and role choices, the run selection, and whether a tag passes
// the tag, role and severity filters. DOM-free.

import { statusRank, worstStatus } from "./status.js";
import { tagFilterMatches } from "./tagfilter.js";

/** @typedef {import("./model.js").Tag} Tag */
/** @typedef {import("./status.js").Status} Status */
/** @typedef {import("./tagfilter.js").TagFilter} TagFilter */

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
  { value: "norm_scale", label: "Norm scales" },
  { value: "norm_shift", label: "Norm shifts" },
  { value: "running_stat", label: "Running statistics" },
  { value: "activation", label: "Activations" },
  { value: "preactivation", label: "Pre-activations" },
  { value: "gradient", label: "Gradients" },
  { value: "input", label: "Inputs" },
  { value: "output", label: "Outputs" },
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
  if (!tagFilterMatches(filters.tagFilter, tag.tag)) return false;
  if (filters.role && filters.role !== "all") {
    const role = ROLE_FILTERS.some((f) => f.value === tag.role) ? tag.role : "other";
    if (role !== filters.role) return false;
  }
  if (filters.severity === "all") return true;
  return statusRank(tagSeverity(tag)) >= statusRank(filters.severity);
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
