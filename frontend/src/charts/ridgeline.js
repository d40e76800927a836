// The ridgeline, drawn like TensorBoard's Histograms view in "offset" mode: x = value over the
// 30 common bins, one ridge per (sampled) step, older steps further back (up), newer in front,
// coloured from a darker to a lighter shade of the run colour. Verdict marks: spans and steps as
// horizontal bands/rules across the time axis, values (0 for dead units, ±1 for saturation) as
// vertical rules. DOM-free.

import { scaleLinear } from "d3-scale";
import { s } from "../svg.js";
import { maxCount, sampleIndices, stepExtent, widen } from "../series.js";
import { FONT, bottomAxis, haloText, hatchId, hatchPattern, placeLabel, sideAxis, spanColors } from "./common.js";
import { ridgeColor } from "./colors.js";

/** @typedef {import("../series.js").Series} Series */
/** @typedef {import("./marks.js").Mark} Mark */
/** @typedef {import("./colors.js").ChartTheme} ChartTheme */
/** @typedef {import("./common.js").Plot} Plot */

/** TensorBoard samples 51 histograms per chart. */
export const MAX_RIDGES = 51;
/** The tallest bin of any step reaches this fraction of the plot height. */
const RIDGE_FRACTION = 0.38;

/**
 * @typedef {object} Ridge
 * @property {number} index      index into the series' steps
 * @property {number} step
 * @property {number} baseline   pixel y of the ridge's base
 * @property {string} d          SVG path (closed area from the baseline)
 * @property {number} t          position in time, 0 (first) … 1 (last)
 */

/**
 * @typedef {object} RidgelineLayout
 * @property {Plot} plot
 * @property {[number, number]} xDomain
 * @property {number} ridgeHeight  pixels of the tallest bin
 * @property {Ridge[]} ridges      oldest first (drawn first, so newer ridges overlap them)
 * @property {(step: number) => number} yOf   step → baseline pixel
 * @property {(value: number) => number} xOf  value → pixel
 * @property {(px: number) => number} valueAt pixel → value
 */

/**
 * Where each ridge goes. `edges`/`counts` default to the series' own 30 bins; the compare view
 * passes counts re-binned onto common edges.
 * @param {Series} series
 * @param {{plot: Plot, maxRidges?: number, edges?: number[], counts?: Array<number[] | null>, extraValues?: number[]}} o
 * @returns {RidgelineLayout}
 */
export function ridgelineLayout(series, o) {
  const edges = o.edges ?? series.edges;
  const counts = o.counts ?? series.counts;
  const plot = o.plot;
  let lo = edges.length ? edges[0] : -1;
  let hi = edges.length ? edges[edges.length - 1] : 1;
  for (const v of o.extraValues ?? []) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const xDomain = widen(lo, hi);
  const x = scaleLinear().domain(xDomain).range([plot.left, plot.left + plot.width]);
  const ridgeHeight = Math.max(4, plot.height * RIDGE_FRACTION);
  const [s0, s1] = stepExtent(series.steps);
  const y = scaleLinear()
    .domain(series.steps.length > 1 ? [s0, s1] : [s0, s1])
    .range(series.steps.length > 1 ? [plot.top + ridgeHeight, plot.top + plot.height] : [plot.top + plot.height, plot.top + plot.height]);
  const top = maxCount(counts);
  const n = series.steps.length;
  /** @type {Ridge[]} */
  const ridges = [];
  for (const i of sampleIndices(n, o.maxRidges ?? MAX_RIDGES)) {
    const row = counts[i];
    if (!row || edges.length < 2) continue;
    const base = y(series.steps[i]);
    /** @type {string[]} */
    const pts = [`M${r(x(edges[0]))},${r(base)}`];
    for (let b = 0; b < row.length; b++) {
      const cx = x((edges[b] + edges[b + 1]) / 2);
      pts.push(`L${r(cx)},${r(base - (row[b] / top) * ridgeHeight)}`);
    }
    pts.push(`L${r(x(edges[edges.length - 1]))},${r(base)}Z`);
    ridges.push({ index: i, step: series.steps[i], baseline: base, d: pts.join(""), t: n > 1 ? i / (n - 1) : 1 });
  }
  return {
    plot,
    xDomain,
    ridgeHeight,
    ridges,
    yOf: (step) => y(step),
    xOf: (value) => x(value),
    valueAt: (px) => x.invert(px),
  };
}

/**
 * @param {number} v
 * @returns {number}
 */
function r(v) {
  return Math.round(v * 10) / 10;
}

/**
 * @typedef {object} RidgelineOptions
 * @property {Series} series
 * @property {string} color
 * @property {Mark[]} [marks]
 * @property {number} width
 * @property {number} height
 * @property {ChartTheme} theme
 * @property {boolean} [compact]
 * @property {string} [label]
 * @property {number[]} [edges]                 common edges (compare view)
 * @property {Array<number[] | null>} [counts]  counts on those edges
 */

/**
 * @typedef {object} RidgelineHover
 * @property {"ridgeline"} kind
 * @property {Plot} plot
 * @property {Ridge[]} ridges
 * @property {Series} series
 * @property {(px: number) => number} valueAt
 */

/**
 * Marks over the ridgeline: time marks as horizontal bands/rules at the steps' baselines, value
 * marks as vertical rules.
 * @param {readonly Mark[]} marks
 * @param {RidgelineLayout} layout
 * @param {ChartTheme} theme
 * @param {number} fontSize
 * @returns {import("../svg.js").SvgNode[]}
 */
function ridgeMarks(marks, layout, theme, fontSize) {
  const { plot } = layout;
  let labelRow = 0;
  return marks
    .map((m) => {
      const color = theme.severity[m.severity] ?? theme.severity.unknown;
      const common = { "data-testid": "verdict-mark", "data-verdict-id": m.id, "data-kind": m.kind };
      if (m.kind === "span" && m.from !== undefined && m.to !== undefined) {
        // From just above the first ridge of the span to the base of its last.
        const y0 = Math.max(plot.top, layout.yOf(m.from) - Math.min(layout.ridgeHeight, 6));
        const y1 = Math.min(plot.top + plot.height, layout.yOf(m.to));
        const ly = plot.top + fontSize + 1 + labelRow++ * (fontSize + 2);
        return s(
          "g",
          { ...common, "data-from": m.from, "data-to": m.to },
          s("rect", { x: plot.left, y: y0, width: plot.width, height: Math.max(2, y1 - y0), fill: color, "fill-opacity": 0.06 }),
          s("rect", { x: plot.left, y: y0, width: plot.width, height: Math.max(2, y1 - y0), fill: `url(#${hatchId(color)})`, "fill-opacity": 0.8 }),
          s("line", { x1: plot.left + 0.5, x2: plot.left + 0.5, y1: y0, y2: y1, stroke: color, "stroke-width": 2 }),
          m.label ? haloText({ x: plot.left + 4, y: ly, fill: color, "font-weight": 500 }, m.label, theme) : null,
        );
      }
      if (m.kind === "step" && m.at !== undefined) {
        const py = Math.max(plot.top, Math.min(plot.top + plot.height, layout.yOf(m.at)));
        return s(
          "g",
          { ...common, "data-at": m.at },
          s("line", { x1: plot.left, x2: plot.left + plot.width, y1: py, y2: py, stroke: color, "stroke-width": 1.5, "stroke-dasharray": "4 3" }),
          s("path", { d: `M${plot.left},${py - 4}L${plot.left},${py + 4}L${plot.left + 6},${py}Z`, fill: color }),
          m.label ? haloText({ x: plot.left + 8, y: py - 3, fill: color, "font-weight": 500 }, m.label, theme) : null,
        );
      }
      if (m.kind === "value" && m.at !== undefined) {
        const px = layout.xOf(m.at);
        if (!(px >= plot.left - 0.5 && px <= plot.left + plot.width + 0.5)) return null;
        const ly = plot.top + fontSize + 1 + labelRow++ * (fontSize + 2);
        const p = placeLabel(px, plot, m.label, fontSize);
        return s(
          "g",
          { ...common, "data-at": m.at },
          s("line", { x1: px, x2: px, y1: plot.top, y2: plot.top + plot.height, stroke: color, "stroke-width": 1.5, "stroke-dasharray": "4 3" }),
          m.label ? haloText({ x: p.x, y: ly, fill: color, "font-weight": 500, "text-anchor": p.anchor }, m.label, theme) : null,
        );
      }
      return null;
    })
    .filter((n) => n !== null);
}

/**
 * Build the chart.
 * @param {RidgelineOptions} o
 * @returns {{node: import("../svg.js").SvgNode, hover: RidgelineHover}}
 */
export function ridgelineChart(o) {
  const compact = o.compact ?? false;
  const fontSize = compact ? 9.5 : 11;
  const marks = o.marks ?? [];
  const plot = { left: compact ? 6 : 10, top: compact ? 6 : 10, width: 0, height: 0 };
  plot.width = Math.max(10, o.width - plot.left - (compact ? 34 : 46));
  plot.height = Math.max(10, o.height - plot.top - (compact ? 16 : 22));
  const extraValues = marks.filter((m) => m.kind === "value" && m.at !== undefined).map((m) => /** @type {number} */ (m.at));
  const layout = ridgelineLayout(o.series, {
    plot,
    maxRidges: compact ? 40 : MAX_RIDGES,
    edges: o.edges,
    counts: o.counts,
    extraValues,
  });
  const x = scaleLinear().domain(layout.xDomain).range([plot.left, plot.left + plot.width]);
  const [s0, s1] = stepExtent(o.series.steps);
  const stepScale = scaleLinear().domain([s0, s1]).range([layout.yOf(s0), layout.yOf(s1)]);
  const spans = spanColors(marks, o.theme);
  const nonfiniteRows = o.series.steps
    .map((st, i) => (o.series.nonfinite[i] ? st : null))
    .filter((st) => st !== null);

  const node = s(
    "svg",
    {
      width: o.width,
      height: o.height,
      viewBox: `0 0 ${o.width} ${o.height}`,
      role: "img",
      "aria-label": o.label ?? "histogram ridgeline",
      "font-family": FONT,
      "data-testid": "ridgeline-chart",
      "data-ridges": layout.ridges.length,
      class: "hd-chart",
    },
    o.label ? s("title", {}, o.label) : null,
    spans.length ? s("defs", {}, spans.map((c) => hatchPattern(c, 0.28))) : null,
    bottomAxis(x, plot, { count: compact ? 3 : 6, kind: "value", theme: o.theme, fontSize, grid: true }),
    o.series.steps.length > 1
      ? sideAxis(stepScale, plot, { count: compact ? 3 : 5, kind: "step", theme: o.theme, fontSize, side: "right" })
      : null,
    s(
      "g",
      { class: "hd-ridges" },
      layout.ridges.map((ridge) =>
        s("path", {
          d: ridge.d,
          "data-step": ridge.step,
          fill: ridgeColor(o.color, ridge.t),
          "fill-opacity": 0.92,
          stroke: o.theme.ridgeStroke,
          "stroke-width": compact ? 0.5 : 0.75,
        }),
      ),
    ),
    nonfiniteRows.map((st) =>
      s("text", { "data-testid": "nonfinite-tick", x: plot.left + plot.width + 2, y: layout.yOf(st) + 3, "font-size": fontSize, fill: o.theme.severity.critical }, "\u00D7"),
    ),
    ridgeMarks(marks, layout, o.theme, fontSize),
    s("path", { class: "hd-hover-ridge", d: "", fill: "none", stroke: o.theme.text, "stroke-width": 1.5, visibility: "hidden" }),
  );
  return {
    node,
    hover: { kind: "ridgeline", plot, ridges: layout.ridges, series: o.series, valueAt: layout.valueAt },
  };
}
