// The layer learning map of one run: layers (depth order) × logged steps, each cell coloured by
// how far the layer's weights have moved from their first logged step, in spreads of that first
// step (GET layer_map). Layers that never moved are hatched grey and say "not learning" in words,
// so the answer does not rest on colour. DOM-free.

import { s } from "../svg.js";
import { FONT, ellipsize, haloText, hatchId, hatchPattern, tickLabel } from "./common.js";
import { MOVEMENT_MAX, STILL_BELOW, movementClass, movementColor, movementPosition, viridis } from "./colors.js";
import { formatNumber } from "../format.js";

/** @typedef {import("./colors.js").ChartTheme} ChartTheme */
/** @typedef {import("./colors.js").MovementClass} MovementClass */

/**
 * @typedef {object} MapLayer
 * @property {string | null} layer
 * @property {number | null} depth
 * @property {string} tag
 * @property {string} role
 * @property {string} status
 * @property {number[]} steps
 * @property {Array<number | null>} movement
 */

/**
 * @typedef {object} LayerMap
 * @property {string} run
 * @property {MapLayer[]} layers
 */

/**
 * @param {unknown} v
 * @returns {unknown[]}
 */
function arr(v) {
  return Array.isArray(v) ? v : [];
}

/**
 * The layer_map response, typed; rows whose steps and movements disagree in length are cut to
 * the shorter. Throws a TypeError when it is not a layer map.
 * @param {unknown} raw
 * @returns {LayerMap}
 */
export function normalizeLayerMap(raw) {
  if (raw === null || typeof raw !== "object" || !Array.isArray(/** @type {any} */ (raw).layers)) {
    throw new TypeError('the layer_map response has no "layers" list');
  }
  const r = /** @type {Record<string, unknown>} */ (raw);
  return {
    run: String(r.run ?? ""),
    layers: arr(r.layers).map((l) => {
      const o = /** @type {Record<string, unknown>} */ (l && typeof l === "object" ? l : {});
      const steps = arr(o.steps).map((v) => (typeof v === "number" && Number.isFinite(v) ? v : 0));
      const movement = arr(o.movement).map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null));
      const n = Math.min(steps.length, movement.length);
      return {
        layer: o.layer === null || o.layer === undefined ? null : String(o.layer),
        depth: typeof o.depth === "number" && Number.isFinite(o.depth) ? o.depth : null,
        tag: String(o.tag ?? ""),
        role: String(o.role ?? ""),
        status: String(o.status ?? "unknown"),
        steps: steps.slice(0, n),
        movement: movement.slice(0, n),
      };
    }),
  };
}

/**
 * Columns of the map: at most `max` groups of consecutive step indices; each column shows the
 * last non-null movement in its group.
 * @param {readonly number[]} steps
 * @param {ReadonlyArray<number | null>} movement
 * @param {number} max
 * @returns {Array<{step: number, value: number | null}>}
 */
export function mapColumns(steps, movement, max) {
  const n = steps.length;
  const cols = Math.min(n, Math.max(1, max));
  /** @type {Array<{step: number, value: number | null}>} */
  const out = [];
  for (let c = 0; c < cols; c++) {
    const start = Math.floor((c * n) / cols);
    const end = Math.floor(((c + 1) * n) / cols) - 1;
    let value = null;
    for (let i = end; i >= start; i--) {
      if (movement[i] !== null) {
        value = movement[i];
        break;
      }
    }
    out.push({ step: steps[end], value });
  }
  return out;
}

/**
 * The words beside a layer's row.
 * @param {MovementClass} cls
 * @param {number | null} last
 * @returns {string}
 */
export function movementWords(cls, last) {
  if (cls === "still") return "not learning";
  if (cls === "slow") return "barely moving";
  if (cls === "unknown") return "no data";
  return `moved ${formatNumber(last === null ? null : Number(last.toPrecision(2)))}\u00D7`;
}

/**
 * A summary of a run's map in words, e.g. "3 of 4 layers not learning (fc1, fc2, fc3)".
 * @param {LayerMap} map
 * @returns {{still: string[], slow: string[], moving: string[], text: string}}
 */
export function summarizeLayerMap(map) {
  /** @type {string[]} */ const still = [];
  /** @type {string[]} */ const slow = [];
  /** @type {string[]} */ const moving = [];
  for (const l of map.layers) {
    const { cls } = movementClass(l.movement);
    const name = l.layer ?? l.tag;
    if (cls === "still") still.push(name);
    else if (cls === "slow") slow.push(name);
    else if (cls === "moving") moving.push(name);
  }
  const total = map.layers.length;
  /** @type {string[]} */
  const parts = [];
  if (!total) return { still, slow, moving, text: "no layers with weights" };
  if (still.length) parts.push(`${still.length} of ${total} not learning`);
  if (slow.length) parts.push(`${slow.length} barely moving`);
  if (!still.length && !slow.length) {
    const all = total === 1 ? "the one layer learning" : `all ${total} layers learning`;
    parts.push(moving.length === total ? all : `${moving.length} of ${total} learning`);
  }
  return { still, slow, moving, text: parts.join(", ") };
}

/**
 * @typedef {object} LayerMapHover
 * @property {"layermap"} kind
 * @property {{left: number, top: number, width: number, height: number}} plot
 * @property {number} rowHeight
 * @property {Array<{layer: MapLayer, cols: Array<{step: number, value: number | null}>, y: number}>} rows
 */

/**
 * Build the map.
 * @param {{map: LayerMap, width: number, theme: ChartTheme, label?: string}} o
 * @returns {{node: import("../svg.js").SvgNode, hover: LayerMapHover, height: number}}
 */
export function layerMapChart(o) {
  const fontSize = 11;
  const rowHeight = 18;
  const gap = 3;
  const labelWidth = Math.min(120, Math.max(60, Math.round(o.width * 0.24)));
  const wordsWidth = 92;
  const plot = { left: labelWidth, top: 4, width: Math.max(20, o.width - labelWidth - wordsWidth - 6), height: 0 };
  const rows = o.map.layers.map((layer, i) => ({
    layer,
    cols: mapColumns(layer.steps, layer.movement, Math.max(4, Math.floor(plot.width / 3))),
    y: plot.top + i * (rowHeight + gap),
  }));
  plot.height = rows.length ? rows.length * (rowHeight + gap) - gap : rowHeight;
  const height = plot.top + plot.height + 18;
  const allSteps = o.map.layers.flatMap((l) => l.steps);
  const first = allSteps.length ? Math.min(...allSteps) : 0;
  const last = allSteps.length ? Math.max(...allSteps) : 0;
  const still = o.theme.still;

  const node = s(
    "svg",
    {
      width: o.width,
      height,
      viewBox: `0 0 ${o.width} ${height}`,
      role: "img",
      "aria-label": o.label ?? `layer learning map of ${o.map.run}`,
      "font-family": FONT,
      "font-size": fontSize,
      "data-testid": "layer-map-chart",
      class: "hd-chart",
    },
    o.label ? s("title", {}, o.label) : null,
    s("defs", {}, hatchPattern(o.theme.hatch, 0.7)),
    rows.map(({ layer, cols, y }) => {
      const { cls, max, last: lastMove } = movementClass(layer.movement);
      const w = plot.width / Math.max(1, cols.length);
      const words = movementWords(cls, lastMove);
      const wordsColor = cls === "still" || cls === "slow" ? o.theme.severity.warning : o.theme.muted;
      const name = layer.layer ?? layer.tag;
      return s(
        "g",
        {
          "data-testid": "layer-map-row",
          "data-layer": name,
          "data-tag": layer.tag,
          "data-movement-class": cls,
          "data-max-movement": max === null ? "" : String(max),
        },
        s("title", {}, `${name} (${layer.tag}): ${words}`),
        s("text", { x: labelWidth - 6, y: y + rowHeight / 2 + fontSize * 0.35, "text-anchor": "end", fill: o.theme.text }, ellipsize(name, Math.floor((labelWidth - 8) / 6.2))),
        cols.map((c, k) =>
          s("rect", {
            x: plot.left + k * w,
            y,
            width: w + 0.5,
            height: rowHeight,
            fill: c.value === null ? o.theme.missing : c.value < STILL_BELOW ? still : movementColor(c.value, o.theme),
          }),
        ),
        cls === "still" ? s("rect", { x: plot.left, y, width: plot.width, height: rowHeight, fill: `url(#${hatchId(o.theme.hatch)})` }) : null,
        s("rect", { x: plot.left, y, width: plot.width, height: rowHeight, fill: "none", stroke: o.theme.grid, "stroke-width": 1 }),
        s(
          "text",
          { x: plot.left + plot.width + 6, y: y + rowHeight / 2 + fontSize * 0.35, fill: wordsColor, "font-weight": cls === "still" ? 600 : 400 },
          words,
        ),
      );
    }),
    s(
      "g",
      { fill: o.theme.muted, "font-size": 10 },
      s("text", { x: plot.left, y: plot.top + plot.height + 13 }, `step ${tickLabel(first, 1, "step")}`),
      s("text", { x: plot.left + plot.width, y: plot.top + plot.height + 13, "text-anchor": "end" }, `step ${tickLabel(last, 1, "step")}`),
    ),
    s("rect", { class: "hd-hover-cell", x: -10, y: -10, width: 0, height: rowHeight, fill: "none", stroke: o.theme.text, "stroke-width": 1.5, visibility: "hidden" }),
  );
  return { node, hover: { kind: "layermap", plot, rowHeight, rows }, height };
}

/**
 * The legend of the movement ramp: a gradient bar with tick labels, and the "not learning"
 * swatch.
 * @param {{width: number, theme: ChartTheme}} o
 * @returns {import("../svg.js").SvgNode}
 */
export function layerMapLegend(o) {
  const barX = 150;
  const barW = Math.max(80, Math.min(240, o.width - barX - 20));
  const stops = Array.from({ length: 9 }, (_, i) => i / 8);
  const ticks = [STILL_BELOW, 0.01, 0.1, 1, MOVEMENT_MAX];
  return s(
    "svg",
    { width: o.width, height: 34, viewBox: `0 0 ${o.width} 34`, "font-family": FONT, "font-size": 10.5, role: "img", "aria-label": "colour legend of the layer map", "data-testid": "layer-map-legend" },
    s(
      "defs",
      {},
      hatchPattern(o.theme.hatch, 0.7),
      s("linearGradient", { id: "hd-movement-ramp", x1: 0, x2: 1, y1: 0, y2: 0 }, stops.map((t) => s("stop", { offset: t, "stop-color": viridis(t) }))),
    ),
    s("rect", { x: 0, y: 4, width: 22, height: 12, fill: o.theme.still }),
    s("rect", { x: 0, y: 4, width: 22, height: 12, fill: `url(#${hatchId(o.theme.hatch)})` }),
    s("text", { x: 28, y: 14, fill: o.theme.text }, "not learning"),
    s("rect", { x: barX, y: 4, width: barW, height: 12, fill: "url(#hd-movement-ramp)" }),
    ticks.map((t) => {
      const x = barX + movementPosition(t) * barW;
      return s("text", { x, y: 28, fill: o.theme.muted, "text-anchor": "middle" }, t === MOVEMENT_MAX ? `\u2265${t}` : formatNumber(t));
    }),
    haloText({ x: barX + barW + 8, y: 14, fill: o.theme.muted }, "moved, in first-step spreads", o.theme),
  );
}
