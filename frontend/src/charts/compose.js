// Standalone SVG figures for the downloads: a card (title, verdicts, bands and ridgeline), the
// layer maps, and the whole view. Built from the same chart nodes as the page, placed as nested
// <svg> elements, with the background painted in and system fonts only. DOM-free.

import { s } from "../svg.js";
import { FONT, ellipsize } from "./common.js";
import { bandsChart } from "./bands.js";
import { ridgelineChart } from "./ridgeline.js";
import { layerMapChart, layerMapLegend, summarizeLayerMap } from "./layermap.js";
import { verdictMarks } from "./marks.js";
import { BIN_COUNT, rebin, uniformEdges, valueExtent } from "../series.js";
import { statusLook } from "../status.js";
import { isolateBidi } from "../format.js";

/** @typedef {import("../svg.js").SvgNode} SvgNode */
/** @typedef {import("./colors.js").ChartTheme} ChartTheme */
/** @typedef {{node: SvgNode, width: number, height: number}} Block */

/**
 * A copy of an <svg> node placed at (x, y) inside a parent SVG.
 * @param {SvgNode} node
 * @param {number} x
 * @param {number} y
 * @returns {SvgNode}
 */
export function place(node, x, y) {
  return { tag: node.tag, attrs: { ...node.attrs, x: String(Math.round(x)), y: String(Math.round(y)) }, children: node.children };
}

/**
 * Lines of text as a block.
 * @param {Array<{text: string, size?: number, weight?: number, color?: string}>} lines
 * @param {number} width
 * @param {ChartTheme} theme
 * @returns {Block}
 */
export function textBlock(lines, width, theme) {
  let y = 0;
  const texts = lines.map((l) => {
    const size = l.size ?? 12;
    y += size * 1.45;
    return s("text", { x: 0, y: y - size * 0.35, "font-size": size, "font-weight": l.weight ?? 400, fill: l.color ?? theme.text }, isolateBidi(ellipsize(l.text, Math.floor(width / (size * 0.55)))));
  });
  const height = Math.ceil(y + 2);
  return { node: s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, "font-family": FONT }, texts), width, height };
}

/**
 * Blocks stacked top to bottom (or in a grid of `columns`) on a painted background.
 * @param {Block[]} blocks
 * @param {{width: number, theme: ChartTheme, padding?: number, gap?: number, columns?: number, label?: string}} o
 * @returns {Block}
 */
export function stack(blocks, o) {
  const pad = o.padding ?? 16;
  const gap = o.gap ?? 12;
  const columns = Math.max(1, o.columns ?? 1);
  const colWidth = (o.width - 2 * pad - gap * (columns - 1)) / columns;
  /** @type {SvgNode[]} */
  const placed = [];
  let y = pad;
  for (let i = 0; i < blocks.length; i += columns) {
    const row = blocks.slice(i, i + columns);
    row.forEach((b, k) => placed.push(place(b.node, pad + k * (colWidth + gap), y)));
    y += Math.max(...row.map((b) => b.height)) + gap;
  }
  const height = Math.ceil(y - gap + pad);
  const node = s(
    "svg",
    { width: o.width, height, viewBox: `0 0 ${o.width} ${height}`, "font-family": FONT, role: "img", "aria-label": o.label ?? "tb_histdiag" },
    o.label ? s("title", {}, o.label) : null,
    s("rect", { x: 0, y: 0, width: o.width, height, fill: o.theme.background }),
    placed,
  );
  return { node, width: o.width, height };
}

/**
 * @typedef {object} CardInput
 * @property {string} run
 * @property {string} color
 * @property {import("../model.js").Tag} tag
 * @property {import("../series.js").Series | null} series   null when it could not be loaded
 */

/**
 * A card as one figure: "run · tag", status and verdict titles, then the bands and the ridgeline.
 * @param {CardInput} card
 * @param {{width: number, theme: ChartTheme, chartHeight?: number}} o
 * @returns {Block}
 */
export function cardBlock(card, o) {
  const { theme } = o;
  const look = statusLook(card.tag.status);
  const head = textBlock(
    [
      { text: isolateBidi(card.tag.tag), size: 13, weight: 600 },
      { text: `${isolateBidi(card.run)} \u00B7 ${card.tag.role}${card.tag.layer ? ` \u00B7 layer ${isolateBidi(card.tag.layer)}` : ""}`, size: 11, color: theme.muted },
      { text: `${look.icon} ${look.label}${card.tag.verdicts.length ? ` \u2014 ${card.tag.verdicts.map((v) => v.title).join("; ")}` : ""}`, size: 11.5, color: theme.severity[look.status] ?? theme.text },
    ],
    o.width,
    theme,
  );
  const h = o.chartHeight ?? 150;
  const half = Math.floor((o.width - 10) / 2);
  /** @type {Block[]} */
  const blocks = [head];
  if (card.series) {
    const marks = verdictMarks(card.tag.verdicts, { extent: valueExtent(card.series) });
    const bands = bandsChart({ entries: [{ series: card.series, color: card.color, run: card.run }], marks, width: half, height: h, theme, compact: o.width < 560 });
    const ridge = ridgelineChart({ series: card.series, color: card.color, marks, width: half, height: h, theme, compact: o.width < 560 });
    blocks.push({
      node: s("svg", { width: o.width, height: h, viewBox: `0 0 ${o.width} ${h}` }, place(bands.node, 0, 0), place(ridge.node, half + 10, 0)),
      width: o.width,
      height: h,
    });
  } else {
    blocks.push(textBlock([{ text: "(no chart: the series could not be loaded)", size: 11, color: theme.muted }], o.width, theme));
  }
  return stack(blocks, { width: o.width, theme, padding: 0, gap: 6 });
}

/**
 * One run's layer map with its heading, as a block.
 * @param {import("./layermap.js").LayerMap} map
 * @param {{width: number, theme: ChartTheme, color: string}} o
 * @returns {Block}
 */
export function layerMapBlock(map, o) {
  const chart = layerMapChart({ map, width: o.width, theme: o.theme });
  const head = textBlock(
    [
      { text: `\u25CF ${isolateBidi(map.run)}`, size: 12.5, weight: 600, color: o.color },
      { text: summarizeLayerMap(map).text, size: 11, color: o.theme.muted },
    ],
    o.width,
    o.theme,
  );
  return stack([head, { node: chart.node, width: o.width, height: chart.height }], { width: o.width, theme: o.theme, padding: 0, gap: 4 });
}

/**
 * The layer maps of several runs in a grid, with the legend, as a figure.
 * @param {Array<{map: import("./layermap.js").LayerMap, color: string}>} maps
 * @param {{width: number, theme: ChartTheme, title?: string}} o
 * @returns {Block}
 */
export function layerMapsFigure(maps, o) {
  const columns = Math.max(1, Math.min(maps.length, Math.floor(o.width / 380)));
  const colWidth = Math.floor((o.width - 32 - 16 * (columns - 1)) / columns);
  const title = textBlock([{ text: o.title ?? "Layer learning map", size: 15, weight: 600 }], o.width - 32, o.theme);
  const legendNode = layerMapLegend({ width: o.width - 32, theme: o.theme });
  const grid = stack(
    maps.map((m) => layerMapBlock(m.map, { width: colWidth, theme: o.theme, color: m.color })),
    { width: o.width - 32, theme: o.theme, padding: 0, gap: 16, columns },
  );
  return stack([title, { node: legendNode, width: o.width - 32, height: 34 }, grid], { width: o.width, theme: o.theme, padding: 16, gap: 10, label: o.title ?? "Layer learning map" });
}

/**
 * @typedef {object} OverlaySide
 * @property {string} run
 * @property {string} color
 * @property {import("../series.js").Series} series
 * @property {import("../model.js").Tag | null} tag
 */

/**
 * The compare overlay's charts: both runs' bands on one pair of axes, and each run's ridgeline
 * re-binned onto the same 30 bins over their common range so the shapes compare directly.
 * @param {OverlaySide[]} sides
 * @param {{bandsWidth: number, bandsHeight: number, ridgeWidth: number, ridgeHeight: number, theme: ChartTheme, label: string}} o
 * @returns {{bands: ReturnType<typeof bandsChart>, ridges: Array<ReturnType<typeof ridgelineChart>>}}
 */
export function overlayCharts(sides, o) {
  const bands = bandsChart({
    entries: sides.map((sd) => ({ series: sd.series, color: sd.color, run: sd.run })),
    width: o.bandsWidth,
    height: o.bandsHeight,
    theme: o.theme,
    label: o.label,
  });
  let lo = Infinity;
  let hi = -Infinity;
  for (const sd of sides) {
    if (sd.series.edges.length) {
      lo = Math.min(lo, sd.series.edges[0]);
      hi = Math.max(hi, sd.series.edges[sd.series.edges.length - 1]);
    }
  }
  const edges = lo <= hi ? uniformEdges(lo, hi, BIN_COUNT) : [];
  const ridges = sides.map((sd) =>
    ridgelineChart({
      series: sd.series,
      color: sd.color,
      width: o.ridgeWidth,
      height: o.ridgeHeight,
      theme: o.theme,
      compact: o.ridgeWidth < 360,
      marks: sd.tag ? verdictMarks(sd.tag.verdicts, { extent: valueExtent(sd.series) }) : [],
      edges: edges.length ? edges : undefined,
      counts: edges.length ? sd.series.counts.map((row) => (row ? rebin(sd.series.edges, row, edges) : null)) : undefined,
      label: `${sd.run}: histograms of ${sd.series.tag}`,
    }),
  );
  return { bands, ridges };
}

/**
 * The compare matrix as an SVG table block (the first `maxRows` rows).
 * @param {readonly import("../compare.js").CompareRow[]} rows
 * @param {Array<{run: string, color: string}>} runs
 * @param {{width: number, theme: ChartTheme, maxRows?: number}} o
 * @returns {Block}
 */
export function compareMatrixBlock(rows, runs, o) {
  const maxRows = o.maxRows ?? 40;
  const shown = rows.slice(0, maxRows);
  const rowH = 18;
  const tagW = Math.min(260, Math.max(140, o.width * 0.28));
  const colW = Math.max(70, (o.width - tagW) / Math.max(1, runs.length));
  const headH = 22;
  const height = headH + shown.length * rowH + (rows.length > shown.length ? rowH : 0) + 4;
  const t = o.theme;
  const node = s(
    "svg",
    { width: o.width, height, viewBox: `0 0 ${o.width} ${height}`, "font-family": FONT, "font-size": 11, "data-testid": "compare-matrix-figure" },
    runs.map((r, i) =>
      s(
        "g",
        {},
        s("circle", { cx: tagW + i * colW + 5, cy: 11, r: 4, fill: r.color }),
        s("text", { x: tagW + i * colW + 13, y: 15, fill: t.text, "font-weight": 600 }, isolateBidi(ellipsize(r.run, Math.floor((colW - 16) / 6)))),
      ),
    ),
    s("line", { x1: 0, x2: o.width, y1: headH - 2, y2: headH - 2, stroke: t.axis }),
    shown.map((row, k) => {
      const y = headH + k * rowH;
      return s(
        "g",
        {},
        row.differ ? s("rect", { x: 0, y, width: o.width, height: rowH, fill: t.severity.warning, "fill-opacity": 0.07 }) : null,
        s("text", { x: 2, y: y + 13, fill: t.text }, ellipsize(`${row.differ ? "\u2260 " : ""}${row.tag}`, Math.floor(tagW / 6.2))),
        row.cells.map((c, i) => {
          const look = c.tag ? statusLook(c.tag.status) : null;
          const ids = c.tag ? [...new Set(c.tag.verdicts.map((v) => v.id))].join(", ") : "";
          const text = !look ? "not logged" : `${look.icon} ${ids || look.label}`;
          return s("text", { x: tagW + i * colW + 2, y: y + 13, fill: look ? (t.severity[look.status] ?? t.text) : t.muted }, ellipsize(text, Math.floor((colW - 4) / 6)));
        }),
      );
    }),
    rows.length > shown.length
      ? s("text", { x: 2, y: headH + shown.length * rowH + 13, fill: t.muted }, `\u2026 ${rows.length - shown.length} more tags`)
      : null,
  );
  return { node, width: o.width, height };
}
