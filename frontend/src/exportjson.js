// The "Download JSON" document: what the view shows, as data. The diagnostics of the shown runs
// (the backend's own objects, cut down to the shown tags), the view's filters, and the layer
// maps and comparison that have loaded. DOM-free.

/** Schema id of the export. */
export const EXPORT_SCHEMA = "tb_histdiag/view-export/v1";

/**
 * @typedef {object} ExportInput
 * @property {unknown} raw                       the diagnostics document as the backend sent it
 * @property {import("./runview.js").RunView[]} views   what is shown
 * @property {Record<string, unknown>} view       the view state (filters, runs, compare mode)
 * @property {string} generatedAt
 * @property {Map<string, unknown>} [layerMaps]  raw layer maps by run
 * @property {unknown} [compare]                 the comparison rows (compare mode)
 */

/**
 * @param {unknown} v
 * @returns {Record<string, unknown>}
 */
function obj(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? /** @type {Record<string, unknown>} */ (v) : {};
}

/**
 * The export document (a plain object; JSON.stringify it).
 * @param {ExportInput} input
 * @returns {Record<string, unknown>}
 */
export function buildJsonExport(input) {
  const doc = obj(input.raw);
  const rawRuns = Array.isArray(doc.runs) ? doc.runs.map(obj) : [];
  const byName = new Map(rawRuns.map((r) => [String(r.run ?? ""), r]));
  const runs = input.views.map((view) => {
    const raw = byName.get(view.run.run) ?? {};
    const shown = new Set(view.shownTags.map((t) => t.tag));
    const tags = Array.isArray(raw.tags) ? raw.tags.filter((t) => shown.has(String(obj(t).tag ?? ""))) : [];
    const layers = Array.isArray(raw.layers)
      ? raw.layers
          .map(obj)
          .map((l) => ({ ...l, tags: Array.isArray(l.tags) ? l.tags.filter((t) => shown.has(String(t))) : [] }))
          .filter((l) => l.tags.length > 0)
      : [];
    return { ...raw, tags, layers };
  });
  /** @type {Record<string, unknown>} */
  const out = {
    schema: EXPORT_SCHEMA,
    generated_at: input.generatedAt,
    source_schema: doc.schema ?? null,
    view: input.view,
    runs,
  };
  if (input.layerMaps && input.layerMaps.size) {
    out.layer_maps = input.views.map((v) => input.layerMaps?.get(v.run.run)).filter((m) => m !== undefined);
  }
  if (input.compare !== undefined && input.compare !== null) out.compare = input.compare;
  return out;
}
