// Colours the charts need as concrete values (an exported SVG has no CSS variables): the chart
// theme per light/dark, run-colour ramps for the ridgeline, and the movement ramp of the layer
// map. DOM-free.

/** @typedef {"light" | "dark"} Theme */

/**
 * @typedef {object} ChartTheme
 * @property {string} background  behind a chart (and the PNG)
 * @property {string} text
 * @property {string} muted
 * @property {string} grid
 * @property {string} axis
 * @property {string} ridgeStroke   the outline between overlapping ridges
 * @property {string} still         layer-map cells where nothing moved
 * @property {string} hatch         the stripes over "still" cells and frozen spans
 * @property {string} missing       layer-map cells without data
 * @property {Record<string, string>} severity  critical | warning | info | ok | unknown → colour
 */

/** @type {Readonly<Record<Theme, ChartTheme>>} */
export const CHART_THEMES = Object.freeze({
  light: {
    background: "#ffffff",
    text: "#202124",
    muted: "#5f6368",
    grid: "#e8eaed",
    axis: "#9aa0a6",
    ridgeStroke: "#ffffff",
    still: "#e3e5e8",
    hatch: "#9aa0a6",
    missing: "#f8f9fa",
    severity: { critical: "#c5221f", warning: "#b06000", info: "#1967d2", ok: "#188038", unknown: "#5f6368" },
  },
  dark: {
    background: "#3a3a3a",
    text: "#ececec",
    muted: "#b0b0b0",
    grid: "#4a4a4a",
    axis: "#7a7a7a",
    ridgeStroke: "#3a3a3a",
    still: "#4e4e4e",
    hatch: "#8a8a8a",
    missing: "#333333",
    severity: { critical: "#ff8f85", warning: "#ffc266", info: "#8ab4f8", ok: "#81c995", unknown: "#c4c7c5" },
  },
});

/**
 * The chart theme for a page theme (light for anything unknown).
 * @param {unknown} theme
 * @returns {ChartTheme}
 */
export function chartTheme(theme) {
  return theme === "dark" ? CHART_THEMES.dark : CHART_THEMES.light;
}

/**
 * "#ff7043" → [255, 112, 67]; a bad value gives grey.
 * @param {string} hex
 * @returns {[number, number, number]}
 */
export function parseHex(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return [128, 128, 128];
  const n = Number.parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * [255, 112, 67] → "#ff7043" (channels clamped and rounded).
 * @param {readonly number[]} rgb
 * @returns {string}
 */
export function toHex(rgb) {
  return `#${rgb
    .slice(0, 3)
    .map((c) => Math.max(0, Math.min(255, Math.round(c))).toString(16).padStart(2, "0"))
    .join("")}`;
}

/**
 * Linear mix of two colours in RGB: t = 0 gives `a`, t = 1 gives `b`.
 * @param {string} a
 * @param {string} b
 * @param {number} t
 * @returns {string}
 */
export function mix(a, b, t) {
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
  const ca = parseHex(a);
  const cb = parseHex(b);
  return toHex(ca.map((c, i) => c + (cb[i] - c) * u));
}

/**
 * The ridgeline's colour for a step at `t` ∈ [0, 1] of the time range: the run colour darkened
 * for the oldest ridge, lightened for the newest (TensorBoard's Histograms view runs from a darker
 * to a brighter shade of the run colour).
 * @param {string} runColor
 * @param {number} t
 * @returns {string}
 */
export function ridgeColor(runColor, t) {
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
  return u < 0.5 ? mix(runColor, "#000000", 0.35 * (1 - 2 * u)) : mix(runColor, "#ffffff", 0.35 * (2 * u - 1));
}

/** Viridis, sampled at 9 points (colour-blind safe, perceptually uniform, readable in both themes). */
const VIRIDIS = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"];

/**
 * A colour on the viridis ramp for t ∈ [0, 1].
 * @param {number} t
 * @returns {string}
 */
export function viridis(t) {
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  return mix(VIRIDIS[i], VIRIDIS[i + 1], u - i);
}

/** Movement (in spreads of the first step) that the layer map treats as "not moved at all". */
export const STILL_BELOW = 1e-3;
/** Movement below which a layer is "barely moving". */
export const SLOW_BELOW = 0.05;
/** The movement ramp is logarithmic from STILL_BELOW to this (and saturates above). */
export const MOVEMENT_MAX = 2;

/**
 * Where a movement sits on the log ramp, 0 at STILL_BELOW, 1 at MOVEMENT_MAX.
 * @param {number} movement
 * @returns {number}
 */
export function movementPosition(movement) {
  if (!(movement > STILL_BELOW)) return 0;
  const t = Math.log10(movement / STILL_BELOW) / Math.log10(MOVEMENT_MAX / STILL_BELOW);
  return Math.max(0, Math.min(1, t));
}

/**
 * The layer-map colour of one cell: null → "missing", below STILL_BELOW → "still", else viridis
 * on a log scale.
 * @param {number | null} movement
 * @param {ChartTheme} theme
 * @returns {string}
 */
export function movementColor(movement, theme) {
  if (movement === null || !Number.isFinite(movement)) return theme.missing;
  if (movement < STILL_BELOW) return theme.still;
  return viridis(movementPosition(movement));
}

/** @typedef {"still" | "slow" | "moving" | "unknown"} MovementClass */

/**
 * How a layer moved over the whole run, from its per-step movements (nulls ignored): "still" when
 * it never left its first distribution, "slow" when it barely did, "moving", or "unknown" when
 * there are fewer than two values.
 * @param {ReadonlyArray<number | null>} movements
 * @returns {{cls: MovementClass, max: number | null, last: number | null}}
 */
export function movementClass(movements) {
  const finite = movements.filter((m) => typeof m === "number" && Number.isFinite(m));
  if (finite.length < 2) return { cls: "unknown", max: finite.length ? finite[0] : null, last: finite.at(-1) ?? null };
  const max = Math.max(...finite.map(Math.abs));
  const last = /** @type {number} */ (finite.at(-1));
  const cls = max < STILL_BELOW ? "still" : max < SLOW_BELOW ? "slow" : "moving";
  return { cls, max, last };
}
