// The distribution-bands chart, drawn like TensorBoard's Distributions view: x = step, y = value,
// 8 filled areas between the 9 basis-point quantiles in the run colour with TensorBoard's
// per-band opacities and a 0.5px stroke; invalid steps are gaps. Verdict marks are drawn on top.
// Several series (one per run) can share the axes for the compare overlay. DOM-free.

import { scaleLinear } from "d3-scale";
import { area, line } from "d3-shape";
import { s } from "../svg.js";
import { BAND_OPACITY, stepExtent, valueExtent, widen } from "../series.js";
import { FONT, bottomAxis, haloText, hatchId, hatchPattern, placeLabel, sideAxis, spanColors } from "./common.js";

/** @typedef {import("../series.js").Series} Series */
/** @typedef {import("./marks.js").Mark} Mark */
/** @typedef {import("./colors.js").ChartTheme} ChartTheme */
/** @typedef {import("./common.js").Plot} Plot */

/**
 * @typedef {object} BandsEntry
 * @property {Series} series
 * @property {string} color   the run colour
 * @property {string} run
 */

/**
 * @typedef {object} BandsOptions
 * @property {BandsEntry[]} entries
 * @property {Mark[]} [marks]
 * @property {number} width
 * @property {number} height
 * @property {ChartTheme} theme
 * @property {boolean} [compact]   small card chart: fewer ticks, smaller font
 * @property {string} [label]      accessible name
 */

/**
 * @typedef {object} BandsHover
 * @property {"bands"} kind
 * @property {Plot} plot
 * @property {(px: number) => number} stepAt   pixel x → step
 * @property {(step: number) => number} xOf    step → pixel x
 * @property {BandsEntry[]} entries
 */

/**
 * The SVG path of each of the 8 bands of a series (d attribute strings), with gaps at invalid
 * steps. Exported for tests.
 * @param {Series} series
 * @param {(step: number) => number} x
 * @param {(value: number) => number} y
 * @returns {string[]}
 */
export function bandPaths(series, x, y) {
  const idx = series.steps.map((_, i) => i);
  /** @type {string[]} */
  const paths = [];
  for (let b = 0; b < 8; b++) {
    const gen = area()
      .defined((i) => series.bands[/** @type {number} */ (i)] !== null)
      .x((i) => x(series.steps[/** @type {number} */ (i)]))
      .y0((i) => y(/** @type {number[]} */ (series.bands[/** @type {number} */ (i)])[b]))
      .y1((i) => y(/** @type {number[]} */ (series.bands[/** @type {number} */ (i)])[b + 1]));
    paths.push(gen(/** @type {any} */ (idx)) ?? "");
  }
  return paths;
}

/**
 * A line through one quantile of a series (0 = min, 4 = median, 8 = max), with gaps.
 * @param {Series} series
 * @param {number} q
 * @param {(step: number) => number} x
 * @param {(value: number) => number} y
 * @returns {string}
 */
export function quantilePath(series, q, x, y) {
  const idx = series.steps.map((_, i) => i);
  const gen = line()
    .defined((i) => series.bands[/** @type {number} */ (i)] !== null)
    .x((i) => x(series.steps[/** @type {number} */ (i)]))
    .y((i) => y(/** @type {number[]} */ (series.bands[/** @type {number} */ (i)])[q]));
  return gen(/** @type {any} */ (idx)) ?? "";
}

/**
 * The value range of several series plus the values that marks point at.
 * @param {readonly Series[]} list
 * @param {readonly Mark[]} marks
 * @returns {[number, number]}
 */
export function combinedExtent(list, marks) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const series of list) {
    const e = valueExtent(series);
    if (e) {
      lo = Math.min(lo, e[0]);
      hi = Math.max(hi, e[1]);
    }
  }
  if (!(lo <= hi)) {
    lo = -1;
    hi = 1;
  }
  for (const m of marks) {
    if (m.kind === "value" && m.at !== undefined) {
      lo = Math.min(lo, m.at);
      hi = Math.max(hi, m.at);
    }
  }
  return widen(lo, hi);
}

/**
 * Marks over a plot whose x axis is the step: spans as shaded, hatched bands, steps as dashed
 * rules; value marks as horizontal rules when `y` is given. Labels stack at the top.
 * @param {readonly Mark[]} marks
 * @param {Plot} plot
 * @param {(step: number) => number} x
 * @param {((value: number) => number) | null} y
 * @param {ChartTheme} theme
 * @param {number} fontSize
 * @returns {import("../svg.js").SvgNode[]}
 */
export function timeMarks(marks, plot, x, y, theme, fontSize) {
  const clampX = (/** @type {number} */ v) => Math.max(plot.left, Math.min(plot.left + plot.width, v));
  let labelRow = 0;
  /**
   * @param {number} px
   * @param {string} text
   * @param {number} ly
   * @param {string} color
   */
  const label = (px, text, ly, color) => {
    const p = placeLabel(px, plot, text, fontSize);
    return haloText({ x: p.x, y: ly, fill: color, "font-weight": 500, "text-anchor": p.anchor }, text, theme);
  };
  /** @type {import("../svg.js").SvgNode[]} */
  const out = [];
  for (const m of marks) {
    const color = theme.severity[m.severity] ?? theme.severity.unknown;
    const common = { "data-testid": "verdict-mark", "data-verdict-id": m.id, "data-kind": m.kind };
    const labelY = plot.top + fontSize + 2 + labelRow * (fontSize + 2);
    if (m.kind === "span" && m.from !== undefined && m.to !== undefined) {
      labelRow++;
      const x0 = clampX(x(m.from));
      const x1 = clampX(x(m.to));
      const w = Math.max(2, x1 - x0);
      out.push(
        s(
          "g",
          { ...common, "data-from": m.from, "data-to": m.to },
          s("rect", { x: x0, y: plot.top, width: w, height: plot.height, fill: color, "fill-opacity": 0.06 }),
          s("rect", { x: x0, y: plot.top, width: w, height: plot.height, fill: `url(#${hatchId(color)})` }),
          s("line", { x1: x0, x2: x0 + w, y1: plot.top + 0.5, y2: plot.top + 0.5, stroke: color, "stroke-width": 2 }),
          m.label ? label(x0 - 1, m.label, labelY, color) : null,
        ),
      );
    } else if (m.kind === "step" && m.at !== undefined) {
      labelRow++;
      const px = clampX(x(m.at));
      out.push(
        s(
          "g",
          { ...common, "data-at": m.at },
          s("line", { x1: px, x2: px, y1: plot.top, y2: plot.top + plot.height, stroke: color, "stroke-width": 1.5, "stroke-dasharray": "4 3" }),
          s("path", { d: `M${px - 4},${plot.top}L${px + 4},${plot.top}L${px},${plot.top + 6}Z`, fill: color }),
          m.label ? label(px, m.label, labelY, color) : null,
        ),
      );
    } else if (m.kind === "value" && m.at !== undefined && y) {
      const py = y(m.at);
      if (!(py >= plot.top - 0.5 && py <= plot.top + plot.height + 0.5)) continue;
      const ly = py > plot.top + fontSize + 2 ? py - 3 : py + fontSize + 1;
      out.push(
        s(
          "g",
          { ...common, "data-at": m.at },
          s("line", { x1: plot.left, x2: plot.left + plot.width, y1: py, y2: py, stroke: color, "stroke-width": 1.5, "stroke-dasharray": "4 3" }),
          m.label ? haloText({ x: plot.left + plot.width - 2, y: ly, fill: color, "font-weight": 500, "text-anchor": "end" }, m.label, theme) : null,
        ),
      );
    }
  }
  return out;
}

/**
 * Build the chart.
 * @param {BandsOptions} o
 * @returns {{node: import("../svg.js").SvgNode, hover: BandsHover}}
 */
export function bandsChart(o) {
  const compact = o.compact ?? false;
  const fontSize = compact ? 9.5 : 11;
  const marks = o.marks ?? [];
  const plot = {
    left: compact ? 38 : 48,
    top: compact ? 6 : 10,
    width: 0,
    height: 0,
  };
  plot.width = Math.max(10, o.width - plot.left - (compact ? 8 : 14));
  plot.height = Math.max(10, o.height - plot.top - (compact ? 16 : 22));
  const allSteps = o.entries.flatMap((e) => e.series.steps).sort((a, b) => a - b);
  const [s0, s1] = stepExtent(allSteps.length ? [allSteps[0], allSteps[allSteps.length - 1]] : []);
  const x = scaleLinear().domain([s0, s1]).range([plot.left, plot.left + plot.width]);
  const y = scaleLinear()
    .domain(combinedExtent(o.entries.map((e) => e.series), marks))
    .range([plot.top + plot.height, plot.top])
    .nice(compact ? 3 : 5);
  const overlay = o.entries.length > 1;

  const spans = spanColors(marks, o.theme);
  const clipId = `hd-clip-${Math.round(plot.width)}-${Math.round(plot.height)}`;

  const node = s(
    "svg",
    {
      width: o.width,
      height: o.height,
      viewBox: `0 0 ${o.width} ${o.height}`,
      role: "img",
      "aria-label": o.label ?? "distribution bands",
      "font-family": FONT,
      "data-testid": "bands-chart",
      "data-steps": allSteps.length,
      class: "hd-chart",
    },
    o.label ? s("title", {}, o.label) : null,
    s(
      "defs",
      {},
      spans.map((c) => hatchPattern(c, 0.28)),
      s("clipPath", { id: clipId }, s("rect", { x: plot.left, y: plot.top - 1, width: plot.width, height: plot.height + 2 })),
    ),
    sideAxis(y, plot, { count: compact ? 3 : 5, kind: "value", theme: o.theme, fontSize, grid: true }),
    bottomAxis(x, plot, { count: compact ? 3 : 6, kind: "step", theme: o.theme, fontSize }),
    s(
      "g",
      { "clip-path": `url(#${clipId})` },
      o.entries.map((e) => {
        const paths = bandPaths(e.series, x, y);
        return s(
          "g",
          { class: "hd-bands", "data-run": e.run, "data-testid": "bands-series" },
          paths.map((d, b) =>
            s("path", {
              d,
              "data-band": b,
              fill: e.color,
              "fill-opacity": overlay ? BAND_OPACITY[b] * 0.6 : BAND_OPACITY[b],
              stroke: e.color,
              "stroke-opacity": overlay ? 0 : 1,
              "stroke-width": 0.5,
            }),
          ),
          // Steps with NaN/Inf: a small tick under the plot.
          e.series.steps.map((st, i) =>
            e.series.nonfinite[i]
              ? s("path", {
                  "data-testid": "nonfinite-tick",
                  d: `M${x(st) - 3},${plot.top + plot.height}L${x(st) + 3},${plot.top + plot.height}L${x(st)},${plot.top + plot.height - 5}Z`,
                  fill: o.theme.severity.critical,
                })
              : null,
          ),
        );
      }),
      // In the overlay, every run's median and min/max lines go above all the bands.
      overlay
        ? o.entries.map((e) =>
            s(
              "g",
              { class: "hd-overlay-lines", "data-run": e.run },
              [0, 4, 8].map((q) =>
                s("path", {
                  d: quantilePath(e.series, q, x, y),
                  fill: "none",
                  stroke: e.color,
                  "stroke-width": q === 4 ? 2 : 1.25,
                  "stroke-dasharray": q === 4 ? null : "4 2",
                }),
              ),
            ),
          )
        : null,
      timeMarks(marks, plot, x, y, o.theme, fontSize),
    ),
    s("line", { class: "hd-hover-rule", x1: -10, x2: -10, y1: plot.top, y2: plot.top + plot.height, stroke: o.theme.text, "stroke-opacity": 0.6, "stroke-width": 1, visibility: "hidden" }),
  );
  return {
    node,
    hover: {
      kind: "bands",
      plot,
      stepAt: (px) => x.invert(px),
      xOf: (step) => x(step),
      entries: o.entries,
    },
  };
}
