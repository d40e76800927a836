import { test } from "node:test";
import assert from "node:assert/strict";
import { scaleLinear } from "d3-scale";
import { bandPaths, bandsChart, combinedExtent } from "../src/charts/bands.js";
import { ridgelineChart, ridgelineLayout } from "../src/charts/ridgeline.js";
import { CHART_THEMES, chartTheme, mix, movementClass, movementColor, parseHex, ridgeColor, toHex, viridis } from "../src/charts/colors.js";
import { tickLabel, ellipsize } from "../src/charts/common.js";
import { findNodes, serializeSvg } from "../src/svg.js";
import { normalizeSeries, BAND_OPACITY } from "../src/series.js";
import { rawSeries } from "./helpers.mjs";

const theme = CHART_THEMES.light;
const series = () => normalizeSeries(rawSeries());
const testid = (/** @type {string} */ id) => (/** @type {import("../src/svg.js").SvgNode} */ n) => n.attrs["data-testid"] === id;

test("bandPaths: 8 bands, each broken at the invalid step", () => {
  const x = scaleLinear().domain([0, 20]).range([0, 200]);
  const y = scaleLinear().domain([-2, 2]).range([100, 0]);
  const paths = bandPaths(series(), x, y);
  assert.equal(paths.length, 8);
  for (const d of paths) assert.equal((d.match(/M/g) ?? []).length, 2, `a gap at step 10: ${d}`);
  // Band 0 (min → 6.7%) at step 0 spans y(-1) = 75 to y(-0.7) = 67.5.
  assert.match(paths[0], /^M0,67\.5/);
  assert.ok(paths[0].includes("75"), paths[0]);
});

test("bandsChart draws TensorBoard's bands with its opacities, marks and NaN ticks", () => {
  const s = series();
  const marks = /** @type {import("../src/charts/marks.js").Mark[]} */ ([
    { kind: "span", id: "frozen", severity: "warning", label: "frozen", from: 0, to: 20 },
    { kind: "step", id: "nonfinite", severity: "critical", label: "first NaN/Inf", at: 10 },
    { kind: "value", id: "dead", severity: "warning", label: "spike at 0", at: 0 },
  ]);
  const { node, hover } = bandsChart({ entries: [{ series: s, color: "#ff7043", run: "r" }], marks, width: 300, height: 150, theme });
  assert.equal(node.attrs["data-testid"], "bands-chart");
  const bands = findNodes(node, (n) => n.attrs["data-band"] !== undefined);
  assert.equal(bands.length, 8);
  assert.deepEqual(bands.map((b) => Number(b.attrs["fill-opacity"])), BAND_OPACITY.map((o) => Math.round(o * 100) / 100));
  assert.ok(bands.every((b) => b.attrs.fill === "#ff7043" && b.attrs["stroke-width"] === "0.5"));
  const drawn = findNodes(node, testid("verdict-mark"));
  assert.deepEqual(drawn.map((m) => [m.attrs["data-verdict-id"], m.attrs["data-kind"]]), [["frozen", "span"], ["nonfinite", "step"], ["dead", "value"]]);
  assert.equal(findNodes(node, testid("nonfinite-tick")).length, 1);
  assert.equal(hover.kind, "bands");
  assert.ok(Math.abs(hover.stepAt(hover.xOf(10)) - 10) < 1e-9);
  assert.ok(serializeSvg(node).includes("first NaN/Inf"));
});

test("the overlay draws one group per run with median and min/max lines, and a common value range", () => {
  const a = series();
  const raw = rawSeries();
  raw.bands.values = raw.bands.values.map((r) => (r ? r.map((v) => v * 3) : r));
  const b = normalizeSeries(raw);
  const { node } = bandsChart({ entries: [{ series: a, color: "#111111", run: "a" }, { series: b, color: "#222222", run: "b" }], width: 400, height: 200, theme });
  const groups = findNodes(node, testid("bands-series"));
  assert.deepEqual(groups.map((g) => g.attrs["data-run"]), ["a", "b"]);
  const lines = findNodes(node, (n) => n.attrs.class === "hd-overlay-lines");
  assert.deepEqual(lines.map((g) => g.attrs["data-run"]), ["a", "b"]);
  assert.equal(findNodes(lines[0], (n) => n.tag === "path" && n.attrs.fill === "none").length, 3, "median, min and max");
  const [lo, hi] = combinedExtent([a, b], []);
  assert.ok(Math.abs(lo + 3.6) < 1e-9 && Math.abs(hi - 4.2) < 1e-9, `${lo} ${hi}`);
  assert.deepEqual(combinedExtent([], [{ kind: "value", id: "d", severity: "info", label: "", at: 5 }]), [-1, 5]);
});

test("ridgelineLayout: one ridge per valid sampled step, older ridges higher, heights within the plot", () => {
  const s = series();
  const plot = { left: 0, top: 0, width: 300, height: 200 };
  const layout = ridgelineLayout(s, { plot });
  assert.deepEqual(layout.ridges.map((r) => r.step), [0, 20], "the invalid step has no ridge");
  assert.ok(layout.ridges[0].baseline < layout.ridges[1].baseline, "older is further up");
  assert.equal(layout.ridges[1].baseline, 200);
  assert.ok(layout.ridgeHeight <= 200 * 0.4);
  for (const r of layout.ridges) {
    const ys = [...r.d.matchAll(/,(-?[\d.]+)/g)].map((m) => Number(m[1]));
    assert.ok(Math.min(...ys) >= r.baseline - layout.ridgeHeight - 0.1, "no ridge taller than the tallest bin");
    assert.ok(Math.max(...ys) <= r.baseline + 0.1);
    assert.ok(r.d.endsWith("Z"));
  }
  assert.deepEqual(layout.xDomain, [-1.5, 1.5]);
  const capped = ridgelineLayout(normalizeSeries({ ...rawSeries(), steps: [0, 10, 20], valid: [true, true, true] }), { plot, maxRidges: 2 });
  assert.deepEqual(capped.ridges.map((r) => r.step), [0, 20]);
});

test("ridgelineLayout widens the value range for value marks and uses re-binned counts when given", () => {
  const s = series();
  const plot = { left: 0, top: 0, width: 300, height: 200 };
  assert.deepEqual(ridgelineLayout(s, { plot, extraValues: [3] }).xDomain, [-1.5, 3]);
  const edges = [-3, 0, 3];
  const layout = ridgelineLayout(s, { plot, edges, counts: [[1, 1], null, [0, 2]] });
  assert.equal(layout.ridges.length, 2);
  assert.equal((layout.ridges[0].d.match(/L/g) ?? []).length, 3, "2 bins + closing edge");
});

test("ridgelineChart colours ridges from dark (old) to light (new) and draws marks", () => {
  const { node, hover } = ridgelineChart({
    series: series(),
    color: "#0077bb",
    width: 300,
    height: 160,
    theme,
    marks: [{ kind: "value", id: "dead", severity: "warning", label: "spike at 0", at: 0 }, { kind: "span", id: "frozen", severity: "warning", label: "frozen", from: 0, to: 20 }],
  });
  const ridges = findNodes(node, (n) => n.tag === "path" && n.attrs["data-step"] !== undefined);
  assert.deepEqual(ridges.map((r) => r.attrs.fill), [ridgeColor("#0077bb", 0), ridgeColor("#0077bb", 1)]);
  assert.equal(findNodes(node, testid("verdict-mark")).length, 2);
  assert.equal(findNodes(node, testid("nonfinite-tick")).length, 1);
  assert.equal(hover.ridges.length, 2);
});

test("colours: hex round trip, mixing, ramps, themes", () => {
  assert.deepEqual(parseHex("#ff7043"), [255, 112, 67]);
  assert.deepEqual(parseHex("nonsense"), [128, 128, 128]);
  assert.equal(toHex([255, 112, 67]), "#ff7043");
  assert.equal(toHex([300, -5, 12.6]), "#ff000d");
  assert.equal(mix("#000000", "#ffffff", 0.5), "#808080");
  assert.equal(mix("#000000", "#ffffff", 9), "#ffffff");
  assert.equal(viridis(0), "#440154");
  assert.equal(viridis(1), "#fde725");
  assert.equal(viridis(NaN), "#440154");
  assert.ok(ridgeColor("#808080", 0) < "#808080" && ridgeColor("#808080", 1) > "#808080", "darker then lighter");
  assert.equal(ridgeColor("#808080", 0.5), "#808080");
  assert.equal(chartTheme("dark"), CHART_THEMES.dark);
  assert.equal(chartTheme("<script>"), CHART_THEMES.light);
});

test("movement colours and classes: still, barely moving, moving, no data", () => {
  assert.equal(movementColor(0, theme), theme.still);
  assert.equal(movementColor(null, theme), theme.missing);
  assert.equal(movementColor(1e9, theme), viridis(1));
  assert.notEqual(movementColor(0.01, theme), movementColor(0.5, theme));
  assert.deepEqual(movementClass([0, 0, 0, 0]), { cls: "still", max: 0, last: 0 });
  assert.equal(movementClass([0, 0.002, 0.01]).cls, "slow");
  assert.equal(movementClass([0, 0.3, 1.1]).cls, "moving");
  assert.equal(movementClass([0, null, null]).cls, "unknown");
  assert.equal(movementClass([]).cls, "unknown");
  assert.equal(movementClass([0, null, 0.4, null]).last, 0.4);
});

test("tick labels and ellipsis", () => {
  assert.equal(tickLabel(0.25, 0.05, "value"), "0.25");
  assert.equal(tickLabel(-1.5, 0.5, "value"), "\u22121.5");
  assert.equal(tickLabel(0.0001, 0.0001, "value"), "1e-4");
  assert.equal(tickLabel(250000, 50000, "value"), "2.5e5");
  assert.equal(tickLabel(12000, 2000, "step"), "12k");
  assert.equal(tickLabel(2000000, 1e6, "step"), "2M");
  assert.equal(tickLabel(150, 50, "step"), "150");
  assert.equal(tickLabel(0, 1, "value"), "0");
  assert.equal(ellipsize("abcdef", 4), "abc\u2026");
  assert.equal(ellipsize("abc", 4), "abc");
  assert.equal(ellipsize("\ud83d\ude00\ud83d\ude00\ud83d\ude00", 2), "\ud83d\ude00\u2026", "never splits a surrogate pair");
});
