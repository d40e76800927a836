import { test } from "node:test";
import assert from "node:assert/strict";
import { layerMapChart, layerMapLegend, mapColumns, movementWords, normalizeLayerMap, summarizeLayerMap } from "../src/charts/layermap.js";
import { CHART_THEMES } from "../src/charts/colors.js";
import { findNodes, serializeSvg } from "../src/svg.js";

const theme = CHART_THEMES.light;
const STEPS = Array.from({ length: 100 }, (_, i) => i * 3);

/** The layer map of the "only the last layer learns" run (seed 000), as GET layer_map sends it. */
function frozenEarlyMap() {
  const still = STEPS.map(() => 0);
  const moving = STEPS.map((_, i) => i * 0.011);
  return {
    run: "frozen_early",
    layers: [
      { layer: "fc1", depth: 0, tag: "fc1.weight", role: "weight", status: "warning", steps: STEPS, movement: still },
      { layer: "fc2", depth: 1, tag: "fc2.weight", role: "weight", status: "warning", steps: STEPS, movement: still },
      { layer: "fc3", depth: 2, tag: "fc3.weight", role: "weight", status: "warning", steps: STEPS, movement: still },
      { layer: "fc4", depth: 3, tag: "fc4.weight", role: "weight", status: "ok", steps: STEPS, movement: moving },
    ],
  };
}

test("normalizeLayerMap types the response and trims mismatched rows", () => {
  const map = normalizeLayerMap({ run: "r", layers: [{ layer: null, depth: "x", tag: 5, steps: [0, 1, 2], movement: [0, null, "bad", 4] }] });
  assert.deepEqual(map.layers[0], { layer: null, depth: null, tag: "5", role: "", status: "unknown", steps: [0, 1, 2], movement: [0, null, null] });
  assert.throws(() => normalizeLayerMap({ run: "r" }), TypeError);
  assert.throws(() => normalizeLayerMap(null), TypeError);
});

test("the seed-000 answer is visible: layers 1-3 not learning, only the last one moves", () => {
  const map = normalizeLayerMap(frozenEarlyMap());
  const sum = summarizeLayerMap(map);
  assert.deepEqual(sum.still, ["fc1", "fc2", "fc3"]);
  assert.deepEqual(sum.moving, ["fc4"]);
  assert.equal(sum.text, "3 of 4 not learning");
  const { node } = layerMapChart({ map, width: 360, theme });
  const rows = findNodes(node, (n) => n.attrs["data-testid"] === "layer-map-row");
  assert.deepEqual(rows.map((r) => [r.attrs["data-layer"], r.attrs["data-movement-class"]]), [
    ["fc1", "still"],
    ["fc2", "still"],
    ["fc3", "still"],
    ["fc4", "moving"],
  ]);
  const xml = serializeSvg(node);
  assert.equal((xml.match(/not learning/g) ?? []).length, 3 + 3, "in words (and in each row's title), not colour alone");
  // Still rows are hatched; the moving row's last cell is a colour from the ramp, not the still grey.
  assert.equal(findNodes(rows[0], (n) => (n.attrs.fill ?? "").startsWith("url(#hd-hatch")).length, 1);
  assert.equal(findNodes(rows[3], (n) => (n.attrs.fill ?? "").startsWith("url(#hd-hatch")).length, 0);
  const cells = findNodes(rows[3], (n) => n.tag === "rect" && n.attrs.stroke === undefined);
  assert.notEqual(cells.at(-1)?.attrs.fill, theme.still);
});

test("mapColumns groups steps into at most max columns, keeping the last value of each", () => {
  const cols = mapColumns(STEPS, STEPS.map((_, i) => i), 10);
  assert.equal(cols.length, 10);
  assert.deepEqual(cols[0], { step: 27, value: 9 });
  assert.deepEqual(cols.at(-1), { step: 297, value: 99 });
  assert.deepEqual(mapColumns([0, 1], [0, 1], 10).length, 2);
  assert.deepEqual(mapColumns([0, 1, 2, 3], [0, 5, null, null], 2), [{ step: 1, value: 5 }, { step: 3, value: null }]);
  assert.deepEqual(mapColumns([], [], 5), []);
});

test("movement words and summaries", () => {
  assert.equal(movementWords("still", 0), "not learning");
  assert.equal(movementWords("slow", 0.01), "barely moving");
  assert.equal(movementWords("moving", 1.234), "moved 1.2\u00D7");
  assert.equal(movementWords("unknown", null), "no data");
  assert.equal(summarizeLayerMap({ run: "r", layers: [] }).text, "no layers with weights");
  const healthy = normalizeLayerMap({ run: "h", layers: [{ layer: "a", tag: "a", steps: [0, 1], movement: [0, 0.5] }, { layer: "b", tag: "b", steps: [0, 1], movement: [0, 0.9] }] });
  assert.equal(summarizeLayerMap(healthy).text, "all 2 layers learning");
  const one = { ...healthy, layers: healthy.layers.slice(0, 1) };
  assert.equal(summarizeLayerMap(one).text, "the one layer learning");
  const mixed = normalizeLayerMap({ run: "m", layers: [{ layer: "a", tag: "a", steps: [0, 1], movement: [0, 0.01] }, { layer: "b", tag: "b", steps: [0, 1], movement: [0, 0.9] }] });
  assert.equal(summarizeLayerMap(mixed).text, "1 barely moving");
});

test("hostile layer names stay text in the map and its legend is self-contained", () => {
  const raw = frozenEarlyMap();
  raw.layers[0].layer = '<script>alert(1)</script>"';
  const xml = serializeSvg(layerMapChart({ map: normalizeLayerMap(raw), width: 400, theme }).node);
  assert.ok(!xml.includes("<script>"));
  assert.ok(xml.includes("&lt;script&gt;"));
  const legend = serializeSvg(layerMapLegend({ width: 500, theme }));
  assert.ok(legend.includes("linearGradient") && legend.includes("not learning"));
});
