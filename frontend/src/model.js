// The diagnostics document (schema tb_histdiag/diagnostics/v1) as the views use it.
// `normalizeDiagnostics` turns whatever JSON arrived into this shape, filling defaults, so no
// view has to guard against a missing field. DOM-free.

import { toStatus, STATUSES } from "./status.js";

export const SCHEMA = "tb_histdiag/diagnostics/v1";

/** @typedef {import("./status.js").Status} Status */

/**
 * @typedef {object} Verdict
 * @property {string} id          fixed vocabulary, e.g. "frozen"
 * @property {Status} severity    info | warning | critical (unknown if the backend sent something else)
 * @property {string} title       one line
 * @property {string} summary     plain-language explanation
 * @property {Record<string, unknown>} evidence  the numbers the verdict rests on
 * @property {number[]} steps     where it shows (usually [first, last])
 * @property {string[]} fix       concrete suggestions (one or more paragraphs)
 * @property {string[]} tags      for layer and run verdicts: the tags they rest on
 * @property {string | null} expected  the configuration's [expect] pattern that declared this
 *   verdict (evidence key "expected"; the verdict is then info, "as configured"), else null
 * @property {boolean} fresh      not there when the page was opened (set by fresh.js)
 */

/**
 * @typedef {object} Tag
 * @property {string} tag
 * @property {string} role        weight | bias | activation | ... (free text from the backend)
 * @property {string | null} layer
 * @property {number | null} depth
 * @property {number | null} steps       number of logged steps
 * @property {number | null} firstStep
 * @property {number | null} lastStep
 * @property {Status} status
 * @property {string | null} reason      why a tag could not be diagnosed (status "unknown")
 * @property {number | null} movement    W1 distance first → last logged step, in first-step spreads
 * @property {Verdict[]} verdicts
 */

/**
 * @typedef {object} Layer
 * @property {string | null} layer
 * @property {number | null} depth
 * @property {string[]} tags
 * @property {Verdict[]} verdicts
 */

/** @typedef {Record<Status, number>} Counts */

/**
 * @typedef {object} Run
 * @property {string} run
 * @property {number} index       position in the response (ids, fallback colour order)
 * @property {number} colorIndex  position in TensorBoard's run list (GET /data/runs): the run colour
 * @property {Status} status
 * @property {Counts} counts      tags per status
 * @property {Verdict[]} verdicts run-level verdicts
 * @property {Layer[]} layers
 * @property {Tag[]} tags
 * @property {Logging | null} logging  what to log where causes are inferred from the weights
 */

/**
 * @typedef {object} Logging
 * @property {boolean} weightsOnly   the run logs no activations, gradients or outputs
 * @property {string[]} inferred     tags whose verdicts are inferences
 * @property {string} advice         one sentence
 * @property {Array<[string, string]>} loggers  [framework, the one line that logs more]
 */

/**
 * @typedef {object} Diagnostics
 * @property {string | null} schema
 * @property {Run[]} runs
 */

/**
 * A finite number, or null.
 * @param {unknown} value
 * @returns {number | null}
 */
function finiteOrNull(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * A string, or null for null/undefined; other values are stringified.
 * @param {unknown} value
 * @returns {string | null}
 */
function stringOrNull(value) {
  if (value === null || value === undefined) return null;
  return String(value);
}

/**
 * @param {unknown} value
 * @returns {unknown[]}
 */
function arrayOf(value) {
  return Array.isArray(value) ? value : [];
}

/**
 * @param {unknown} value
 * @returns {Record<string, unknown>}
 */
function objectOf(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? /** @type {Record<string, unknown>} */ (value)
    : {};
}

/**
 * Fix text as a list of paragraphs: the contract sends one string, a list is accepted too.
 * @param {unknown} value
 * @returns {string[]}
 */
function paragraphs(value) {
  if (typeof value === "string") return value.trim() ? [value] : [];
  return arrayOf(value)
    .filter((p) => p !== null && p !== undefined && String(p).trim() !== "")
    .map(String);
}

/**
 * @param {unknown} raw
 * @returns {Verdict}
 */
export function normalizeVerdict(raw) {
  const v = objectOf(raw);
  const id = stringOrNull(v.id) ?? "unnamed";
  return {
    id,
    severity: toStatus(v.severity),
    title: stringOrNull(v.title) ?? id,
    summary: stringOrNull(v.summary) ?? "",
    evidence: objectOf(v.evidence),
    steps: arrayOf(v.steps).filter((s) => typeof s === "number" && Number.isFinite(s)).map(Number),
    fix: paragraphs(v.fix),
    tags: arrayOf(v.tags).map(String),
    expected: expectedPattern(v.evidence),
    fresh: false,
  };
}

/**
 * The [expect] pattern a verdict was declared by (evidence key "expected"), or null.
 * @param {unknown} evidence
 * @returns {string | null}
 */
export function expectedPattern(evidence) {
  const value = objectOf(evidence).expected;
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * @param {unknown} raw
 * @returns {Tag}
 */
export function normalizeTag(raw) {
  const t = objectOf(raw);
  const status = toStatus(t.status);
  return {
    tag: stringOrNull(t.tag) ?? "",
    role: stringOrNull(t.role) ?? "other",
    layer: stringOrNull(t.layer),
    depth: finiteOrNull(t.depth),
    steps: finiteOrNull(t.steps),
    firstStep: finiteOrNull(t.first_step),
    lastStep: finiteOrNull(t.last_step),
    status,
    reason: stringOrNull(t.reason),
    movement: finiteOrNull(t.movement),
    verdicts: arrayOf(t.verdicts).map(normalizeVerdict),
  };
}

/**
 * Tags per status, counted from the tags themselves.
 * @param {readonly Tag[]} tags
 * @returns {Counts}
 */
export function countStatuses(tags) {
  /** @type {Counts} */
  const counts = { critical: 0, warning: 0, info: 0, ok: 0, unknown: 0 };
  for (const t of tags) counts[t.status] += 1;
  return counts;
}

/**
 * The run's layers: the backend's list when it sent one, else derived from the tags.
 * @param {unknown} rawLayers
 * @param {readonly Tag[]} tags
 * @returns {Layer[]}
 */
function normalizeLayers(rawLayers, tags) {
  if (Array.isArray(rawLayers)) {
    return rawLayers.map((raw) => {
      const l = objectOf(raw);
      return {
        layer: stringOrNull(l.layer),
        depth: finiteOrNull(l.depth),
        tags: arrayOf(l.tags).map(String),
        verdicts: arrayOf(l.verdicts).map(normalizeVerdict),
      };
    });
  }
  /** @type {Map<string | null, Layer>} */
  const byName = new Map();
  for (const t of tags) {
    let layer = byName.get(t.layer);
    if (!layer) {
      layer = { layer: t.layer, depth: t.depth, tags: [], verdicts: [] };
      byName.set(t.layer, layer);
    }
    layer.tags.push(t.tag);
  }
  return [...byName.values()];
}

/** How the frameworks of `logging.loggers` are named in the tab. */
const FRAMEWORKS = { keras: "Keras", pytorch: "PyTorch" };

/**
 * A run's `logging` advice, or null when nothing is inferred (or the field is absent).
 * @param {unknown} raw
 * @returns {Logging | null}
 */
export function normalizeLogging(raw) {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return null;
  const l = objectOf(raw);
  const advice = stringOrNull(l.advice);
  if (!advice) return null;
  /** @type {Array<[string, string]>} */
  const loggers = Object.entries(objectOf(l.loggers))
    .filter(([, line]) => typeof line === "string" && line)
    .map(([key, line]) => [FRAMEWORKS[/** @type {keyof typeof FRAMEWORKS} */ (key)] ?? key, String(line)]);
  return {
    weightsOnly: l.weights_only === true,
    inferred: arrayOf(l.inferred).map((t) => String(t)),
    advice,
    loggers,
  };
}

/**
 * @param {unknown} raw
 * @param {number} index
 * @returns {Run}
 */
export function normalizeRun(raw, index) {
  const r = objectOf(raw);
  const tags = arrayOf(r.tags).map(normalizeTag);
  const sent = objectOf(r.counts);
  const counted = countStatuses(tags);
  /** @type {Counts} */
  const counts = { critical: 0, warning: 0, info: 0, ok: 0, unknown: 0 };
  for (const s of STATUSES) {
    const n = finiteOrNull(sent[s]);
    counts[s] = n === null ? counted[s] : n;
  }
  return {
    run: stringOrNull(r.run) ?? "",
    index,
    colorIndex: index,
    status: toStatus(r.status),
    counts,
    verdicts: arrayOf(r.verdicts).map(normalizeVerdict),
    layers: normalizeLayers(r.layers, tags),
    tags,
    logging: normalizeLogging(r.logging),
  };
}

/**
 * The diagnostics document with every field present and typed.
 * Throws a TypeError when the JSON is not a diagnostics document at all.
 * @param {unknown} raw  parsed JSON from GET diagnostics
 * @returns {Diagnostics}
 */
export function normalizeDiagnostics(raw) {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new TypeError("the diagnostics response is not a JSON object");
  }
  const doc = /** @type {Record<string, unknown>} */ (raw);
  if (!Array.isArray(doc.runs)) {
    throw new TypeError("the diagnostics response has no \"runs\" list");
  }
  return {
    schema: stringOrNull(doc.schema),
    runs: doc.runs.map(normalizeRun),
  };
}
