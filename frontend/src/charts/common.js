// Pieces shared by the charts: the font, tick labels, axes, the hatch pattern and the verdict
// marks drawn over a plot. Everything returns SVG nodes (see ../svg.js). DOM-free.

import { s } from "../svg.js";

/** System fonts only: an exported SVG/PNG must not depend on a web font. */
export const FONT = "Roboto, 'Helvetica Neue', Arial, sans-serif";

/**
 * @typedef {object} Plot
 * @property {number} left
 * @property {number} top
 * @property {number} width
 * @property {number} height
 */

/**
 * A tick label: "0.25", "−1.5", "1e-4", "12k" for steps.
 * @param {number} value
 * @param {number} step     the distance between ticks
 * @param {"value" | "step"} kind
 * @returns {string}
 */
export function tickLabel(value, step, kind) {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  let text;
  if (kind === "step") {
    if (abs >= 1e6) text = `${trim((value / 1e6).toFixed(abs % 1e6 === 0 ? 0 : 1))}M`;
    else if (abs >= 1e4) text = `${trim((value / 1e3).toFixed(abs % 1e3 === 0 ? 0 : 1))}k`;
    else text = String(Math.round(value));
  } else if (abs >= 1e5 || abs < 1e-3) {
    const [m, e] = value.toExponential(1).split("e");
    text = `${trim(m)}e${e.replace("+", "")}`;
  } else {
    const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(Math.abs(step) || 1))));
    text = trim(value.toFixed(decimals));
  }
  return text.replace(/^-/, "\u2212");
}

/**
 * "1.50" → "1.5", "2.0" → "2".
 * @param {string} text
 * @returns {string}
 */
function trim(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * Shorten text to at most `max` characters with an ellipsis (for labels in a fixed column).
 * @param {string} text
 * @param {number} max
 * @returns {string}
 */
export function ellipsize(text, max) {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join("")}\u2026`;
}

/**
 * The id of the hatch pattern for a colour (one per colour; identical copies in several SVGs of
 * a page are harmless).
 * @param {string} color  "#rrggbb"
 * @returns {string}
 */
export function hatchId(color) {
  return `hd-hatch-${color.replace(/[^0-9a-zA-Z]/g, "")}`;
}

/**
 * A diagonal-stripe pattern definition.
 * @param {string} color
 * @param {number} [opacity]
 * @returns {import("../svg.js").SvgNode}
 */
export function hatchPattern(color, opacity = 0.45) {
  return s(
    "pattern",
    { id: hatchId(color), width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
    s("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: color, "stroke-width": 1.5, "stroke-opacity": opacity }),
  );
}

/**
 * Text with a halo in the background colour so it stays readable over the data.
 * @param {Record<string, string | number | null | undefined>} attrs
 * @param {string} text
 * @param {import("./colors.js").ChartTheme} theme
 * @returns {import("../svg.js").SvgNode}
 */
export function haloText(attrs, text, theme) {
  return s(
    "text",
    { ...attrs, stroke: theme.background, "stroke-width": 3, "stroke-linejoin": "round", "paint-order": "stroke" },
    text,
  );
}

/**
 * Horizontal axis: tick marks and labels under the plot.
 * @param {{(v: number): number, ticks: (n: number) => number[]}} scale
 * @param {Plot} plot
 * @param {{count: number, kind: "value" | "step", theme: import("./colors.js").ChartTheme, fontSize: number, grid?: boolean}} o
 * @returns {import("../svg.js").SvgNode}
 */
export function bottomAxis(scale, plot, o) {
  const ticks = scale.ticks(o.count);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const y = plot.top + plot.height;
  return s(
    "g",
    { class: "hd-axis", "font-size": o.fontSize, fill: o.theme.muted, "text-anchor": "middle" },
    s("line", { x1: plot.left, x2: plot.left + plot.width, y1: y, y2: y, stroke: o.theme.axis, "stroke-width": 1 }),
    ticks.map((t) => {
      const x = scale(t);
      return [
        o.grid ? s("line", { x1: x, x2: x, y1: plot.top, y2: y, stroke: o.theme.grid, "stroke-width": 1 }) : null,
        s("line", { x1: x, x2: x, y1: y, y2: y + 3, stroke: o.theme.axis }),
        s("text", { x, y: y + 3 + o.fontSize }, tickLabel(t, step, o.kind)),
      ];
    }),
  );
}

/**
 * Vertical axis at the left (or right) of the plot, with optional grid lines.
 * @param {{(v: number): number, ticks: (n: number) => number[]}} scale
 * @param {Plot} plot
 * @param {{count: number, kind: "value" | "step", theme: import("./colors.js").ChartTheme, fontSize: number, side?: "left" | "right", grid?: boolean}} o
 * @returns {import("../svg.js").SvgNode}
 */
export function sideAxis(scale, plot, o) {
  const ticks = scale.ticks(o.count);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const right = o.side === "right";
  const x = right ? plot.left + plot.width : plot.left;
  return s(
    "g",
    { class: "hd-axis", "font-size": o.fontSize, fill: o.theme.muted, "text-anchor": right ? "start" : "end" },
    ticks.map((t) => {
      const y = scale(t);
      return [
        o.grid ? s("line", { x1: plot.left, x2: plot.left + plot.width, y1: y, y2: y, stroke: o.theme.grid, "stroke-width": 1 }) : null,
        s("text", { x: right ? x + 4 : x - 4, y: y + o.fontSize * 0.35 }, tickLabel(t, step, o.kind)),
      ];
    }),
  );
}

/**
 * Where to put a label next to x so it stays inside the plot: to the right when it fits, else
 * to the left, else flush with the plot's left edge.
 * @param {number} x
 * @param {{left: number, width: number}} plot
 * @param {string} text
 * @param {number} fontSize
 * @returns {{x: number, anchor: "start" | "end"}}
 */
export function placeLabel(x, plot, text, fontSize) {
  const width = [...text].length * fontSize * 0.56;
  const right = plot.left + plot.width;
  if (x + 4 + width <= right) return { x: x + 4, anchor: "start" };
  if (x - 4 - width >= plot.left) return { x: x - 4, anchor: "end" };
  return { x: plot.left + 2, anchor: "start" };
}

/**
 * The distinct colours of the shaded verdict spans among `marks`, one hatch pattern each.
 * @param {Array<{kind: string, severity?: string}>} marks
 * @param {{severity: Record<string, string>}} theme
 * @returns {string[]}
 */
export function spanColors(marks, theme) {
  return [...new Set(marks.filter((m) => m.kind === "span").map((m) => theme.severity[m.severity] ?? theme.severity.unknown))];
}
