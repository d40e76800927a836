// What each verdict draws on a chart, decided from its id, its steps and its evidence. Verdicts
// this frontend does not know still get a generic mark from their steps, so a new backend rule
// shows up without a frontend change. DOM-free.

/** @typedef {import("../model.js").Verdict} Verdict */

/**
 * A mark on a chart.
 * - "span": the steps from..to (a shaded band across time)
 * - "step": one step (a dashed rule across time)
 * - "value": one value (a rule across the value axis: 0 for dead units, ±1 for saturation)
 * @typedef {object} Mark
 * @property {"span" | "step" | "value"} kind
 * @property {string} id          the verdict id it comes from
 * @property {string} severity
 * @property {string} label       a few words drawn beside the mark
 * @property {number} [from]      span start step
 * @property {number} [to]        span end step
 * @property {number} [at]        step (kind "step") or value (kind "value")
 */

/** Verdicts about a layer or a run: they are drawn on the layer map, not on one tag's chart. */
export const NOT_ON_TAG_CHARTS = Object.freeze(new Set(["bias_only", "last_layer_only", "unnamed_layers", "several_trainings"]));

/**
 * Short words for the mark of each known verdict.
 * @type {Readonly<Record<string, string>>}
 */
export const MARK_LABELS = Object.freeze({
  nonfinite: "first NaN/Inf",
  constant: "constant",
  frozen: "frozen",
  exploding: "growth starts",
  collapsing: "collapsing",
  dead: "spike at 0",
  saturated: "saturated",
  vanishing: "vanishing",
  slow: "barely moving",
  multimodal: "multimodal",
});

/**
 * What an inferred cause is called on the chart of the parameters it was inferred from.
 * @type {Readonly<Record<string, string>>}
 */
const INFERRED_LABELS = Object.freeze({ dead: "dead units", vanishing: "vanishing gradients" });

/**
 * A finite number from the evidence, or null.
 * @param {Record<string, unknown>} evidence
 * @param {...string} keys  tried in order
 * @returns {number | null}
 */
function evidenceNumber(evidence, ...keys) {
  for (const key of keys) {
    const v = evidence[key];
    if (typeof v === "number" && Number.isFinite(v)) return v;
  }
  return null;
}

/**
 * "62%" for 0.62.
 * @param {number} fraction
 * @returns {string}
 */
function percent(fraction) {
  const p = fraction * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)}%`;
}

/**
 * A span mark from the verdict's steps, starting at `since` when the evidence gives it.
 * @param {Verdict} v
 * @param {string} label
 * @param {number | null} since
 * @returns {Mark | null}
 */
function spanOf(v, label, since) {
  if (!v.steps.length) return since === null ? null : { kind: "step", id: v.id, severity: v.severity, label, at: since };
  const from = since ?? v.steps[0];
  const to = v.steps[v.steps.length - 1];
  if (to > from) return { kind: "span", id: v.id, severity: v.severity, label, from, to };
  return { kind: "step", id: v.id, severity: v.severity, label, at: from };
}

/** Where common bounded activations saturate. */
const ACTIVATION_BOUNDS = Object.freeze({
  tanh: [-1, 1],
  softsign: [-1, 1],
  hardtanh: [-1, 1],
  sigmoid: [0, 1],
  hard_sigmoid: [0, 1],
  relu6: [0, 6],
});

/**
 * The values saturation piles up at: the evidence's bounds when it names them (or its activation:
 * tanh ±1, sigmoid 0 and 1), else ±1, or 0 and 1 when the data never goes below zero.
 * @param {Record<string, unknown>} evidence
 * @param {[number, number] | null} extent  the data's value range
 * @returns {number[]}
 */
export function saturationBounds(evidence, extent) {
  const bounds = evidence.bounds;
  if (Array.isArray(bounds) && bounds.length && bounds.every((b) => typeof b === "number" && Number.isFinite(b))) {
    return /** @type {number[]} */ (bounds);
  }
  const activation = typeof evidence.activation === "string" ? evidence.activation.toLowerCase() : "";
  if (Object.prototype.hasOwnProperty.call(ACTIVATION_BOUNDS, activation)) return [...ACTIVATION_BOUNDS[activation]];
  const lo = evidenceNumber(evidence, "low", "lower", "lower_bound");
  const hi = evidenceNumber(evidence, "high", "upper", "upper_bound");
  if (lo !== null || hi !== null) return [lo, hi].filter((b) => b !== null).map(Number);
  if (extent && extent[0] >= -0.05) return [0, 1];
  return [-1, 1];
}

/**
 * The marks of a tag's verdicts.
 * @param {readonly Verdict[]} verdicts
 * @param {{extent?: [number, number] | null}} [context]  the data's value range (for saturation)
 * @returns {Mark[]}
 */
export function verdictMarks(verdicts, context = {}) {
  /** @type {Mark[]} */
  const marks = [];
  for (const v of verdicts) {
    if (NOT_ON_TAG_CHARTS.has(v.id)) continue;
    const ev = v.evidence;
    const label = MARK_LABELS[v.id] ?? v.id.replace(/_+/g, " ");
    if (ev.inferred === true && Object.prototype.hasOwnProperty.call(INFERRED_LABELS, v.id)) {
      // A cause inferred from weight-only logs: the chart shows the parameters, not the cause
      // (no spike at 0 on a kernel), so the mark spans the steps the inference rests on.
      const m = spanOf(v, `likely ${INFERRED_LABELS[v.id]}`, null);
      if (m) marks.push(m);
      continue;
    }
    switch (v.id) {
      case "nonfinite": {
        const at = evidenceNumber(ev, "first_nonfinite_step") ?? v.steps[0];
        if (at !== undefined) marks.push({ kind: "step", id: v.id, severity: v.severity, label, at });
        break;
      }
      case "frozen": {
        const m = spanOf(v, label, evidenceNumber(ev, "unchanged_since_step", "since_step"));
        if (m) marks.push(m);
        break;
      }
      case "constant": {
        const m = spanOf(v, label, evidenceNumber(ev, "constant_since_step", "since_step"));
        if (m) marks.push(m);
        break;
      }
      case "exploding": {
        const at = evidenceNumber(ev, "onset_step", "growth_onset_step", "since_step") ?? v.steps[0];
        if (at !== undefined) marks.push({ kind: "step", id: v.id, severity: v.severity, label, at });
        break;
      }
      case "dead": {
        const zero = evidenceNumber(ev, "zero_fraction");
        marks.push({
          kind: "value",
          id: v.id,
          severity: v.severity,
          label: zero === null ? label : `${label} (${percent(zero)} zeros)`,
          at: 0,
        });
        break;
      }
      case "saturated": {
        const bounds = saturationBounds(ev, context.extent ?? null);
        const pile = bounds.map((b) => (b > 0 ? `+${b}` : String(b).replace("-", "\u2212"))).join(" / ");
        bounds.forEach((b, i) =>
          marks.push({ kind: "value", id: v.id, severity: v.severity, label: i === 0 ? `piles at ${pile}` : "", at: b }),
        );
        break;
      }
      default: {
        const m = spanOf(v, label, null);
        if (m) marks.push(m);
      }
    }
  }
  return marks;
}
