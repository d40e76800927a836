import { test } from "node:test";
import assert from "node:assert/strict";
import { cardBlock, compareMatrixBlock, layerMapsFigure, overlayCharts, stack, textBlock } from "../src/charts/compose.js";
import { CHART_THEMES } from "../src/charts/colors.js";
import { findNodes, serializeSvg, svgDocument } from "../src/svg.js";
import { normalizeSeries } from "../src/series.js";
import { normalizeTag } from "../src/model.js";
import { buildCompareRows } from "../src/compare.js";
import { compileTagFilter } from "../src/tagfilter.js";
import { normalizeRun } from "../src/model.js";
import { normalizeLayerMap } from "../src/charts/layermap.js";
import { rawSeries } from "./helpers.mjs";

const theme = CHART_THEMES.dark;
const EVIL = '<img src=x onerror=alert(1)>"&';

test("a card figure: escaped names, both charts, the verdict mark, a painted background", () => {
  const tag = normalizeTag({ tag: EVIL, role: "weight", layer: "fc1", status: "warning", verdicts: [{ id: "frozen", severity: "warning", title: `Never changes ${EVIL}`, steps: [0, 20] }] });
  const fig = stack([cardBlock({ run: EVIL, color: "#ff7043", tag, series: normalizeSeries(rawSeries()) }, { width: 700, theme })], { width: 732, theme, label: EVIL });
  const xml = svgDocument(fig.node);
  assert.ok(!xml.includes("<img"), "names are text");
  assert.ok(xml.includes("&lt;img src=x onerror=alert(1)&gt;&quot;&amp;"));
  assert.equal(findNodes(fig.node, (n) => n.attrs["data-testid"] === "bands-chart").length, 1);
  assert.equal(findNodes(fig.node, (n) => n.attrs["data-testid"] === "ridgeline-chart").length, 1);
  assert.ok(findNodes(fig.node, (n) => n.attrs["data-verdict-id"] === "frozen").length >= 2);
  assert.equal(fig.node.children.find((c) => typeof c !== "string" && c.tag === "rect")?.attrs.fill, theme.background);
  assert.ok(!/font-face|@import|url\(http/.test(xml), "no external fonts or resources");
  assert.ok(Number(fig.node.attrs.height) > 150);
});

test("a card whose series failed still exports, with a note", () => {
  const tag = normalizeTag({ tag: "t", status: "ok" });
  const xml = serializeSvg(cardBlock({ run: "r", color: "#000000", tag, series: null }, { width: 400, theme }).node);
  assert.ok(xml.includes("could not be loaded"));
});

test("the layer maps figure places one map per run in a grid with the legend", () => {
  const map = (run) => ({ map: normalizeLayerMap({ run, layers: [{ layer: "fc1", tag: "fc1.w", steps: [0, 1, 2], movement: [0, 0, 0] }] }), color: "#0077bb" });
  const fig = layerMapsFigure([map("a"), map("b"), map("c"), map("d")], { width: 1200, theme });
  assert.equal(findNodes(fig.node, (n) => n.attrs["data-testid"] === "layer-map-chart").length, 4);
  assert.equal(findNodes(fig.node, (n) => n.attrs["data-testid"] === "layer-map-legend").length, 1);
  assert.equal(Number(fig.node.attrs.width), 1200);
});

test("the compare matrix figure lists rows up to the limit and counts the rest", () => {
  const runs = [0, 1].map((i) => normalizeRun({ run: `r${i}|${EVIL}`, tags: Array.from({ length: 5 }, (_, k) => ({ tag: `t${k}`, status: k === i ? "warning" : "ok", verdicts: k === i ? [{ id: "frozen", severity: "warning" }] : [] })) }, i));
  const rows = buildCompareRows(runs, { tagFilter: compileTagFilter(""), severity: "all" });
  const block = compareMatrixBlock(rows, runs.map((r) => ({ run: r.run, color: "#888888" })), { width: 800, theme, maxRows: 3 });
  const xml = serializeSvg(block.node);
  assert.ok(xml.includes("2 more tags"));
  assert.ok(xml.includes("frozen"));
  assert.ok(!xml.includes("<img"));
});

test("overlay charts share one value axis and re-bin both ridgelines onto common bins", () => {
  const a = normalizeSeries(rawSeries());
  const raw = rawSeries();
  raw.histogram.edges = raw.histogram.edges.map((e) => e * 2);
  const b = normalizeSeries(raw);
  const { bands, ridges } = overlayCharts(
    [{ run: "a", color: "#111111", series: a, tag: null }, { run: "b", color: "#222222", series: b, tag: null }],
    { bandsWidth: 500, bandsHeight: 250, ridgeWidth: 250, ridgeHeight: 220, theme, label: "t" },
  );
  assert.equal(findNodes(bands.node, (n) => n.attrs["data-testid"] === "bands-series").length, 2);
  const xAxisLabels = ridges.map((r) => findNodes(r.node, (n) => n.tag === "text").map((n) => n.children.join("")).join(" "));
  assert.equal(ridges.length, 2);
  assert.equal(xAxisLabels[0].split(" ").slice(0, 3).join(" "), xAxisLabels[1].split(" ").slice(0, 3).join(" "), "same x ticks");
});

test("textBlock grows with its lines", () => {
  assert.ok(textBlock([{ text: "a" }, { text: "b", size: 20 }], 300, theme).height > textBlock([{ text: "a" }], 300, theme).height);
});
