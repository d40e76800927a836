// Putting a chart on the page and making it answer the pointer: the hover rule or ridge follows
// the nearest step and a tooltip lists step, max, the percentiles, min, mean and std.

import { h, replaceChildren } from "./dom.js";
import { toDom } from "../svg.js";
import { nearestIndex, stepStats } from "../series.js";
import { formatNumber, formatStep } from "../format.js";
import { movementPhrase } from "../compare.js";

/** @typedef {import("../charts/bands.js").BandsHover} BandsHover */
/** @typedef {import("../charts/ridgeline.js").RidgelineHover} RidgelineHover */
/** @typedef {import("../charts/layermap.js").LayerMapHover} LayerMapHover */
/** @typedef {BandsHover | RidgelineHover | LayerMapHover} Hover */

/** @type {HTMLDivElement | null} */
let tooltipEl = null;

/**
 * The one tooltip of the page, created on first use. It moves into an open modal dialog so it
 * is drawn above it.
 * @param {Document} doc
 * @returns {HTMLDivElement}
 */
function tooltip(doc) {
  if (!tooltipEl || tooltipEl.ownerDocument !== doc) {
    tooltipEl = h("div", { class: "hd-tooltip", role: "tooltip", "data-testid": "chart-tooltip", hidden: true });
  }
  const host = doc.querySelector("dialog[open]") ?? doc.body;
  if (tooltipEl.parentElement !== host) host.appendChild(tooltipEl);
  return tooltipEl;
}

/**
 * Show the tooltip near the pointer.
 * @param {Document} doc
 * @param {MouseEvent} event
 * @param {Array<Node | string | null>} content
 */
function showTooltip(doc, event, content) {
  const tip = tooltip(doc);
  replaceChildren(tip, ...content);
  tip.hidden = false;
  const view = doc.defaultView;
  const vw = view?.innerWidth ?? 1000;
  const vh = view?.innerHeight ?? 800;
  const rect = tip.getBoundingClientRect();
  let x = event.clientX + 14;
  let y = event.clientY + 14;
  if (x + rect.width > vw - 4) x = Math.max(4, event.clientX - rect.width - 14);
  if (y + rect.height > vh - 4) y = Math.max(4, event.clientY - rect.height - 14);
  tip.style.left = `${x}px`;
  tip.style.top = `${y}px`;
}

/**
 * @param {Document} doc
 */
export function hideTooltip(doc) {
  if (tooltipEl && tooltipEl.ownerDocument === doc) tooltipEl.hidden = true;
}

/**
 * The table of one step's statistics.
 * @param {import("../series.js").Series} series
 * @param {number} i
 * @param {{color?: string, run?: string}} [head]
 * @returns {HTMLElement}
 */
export function statsTable(series, i, head = {}) {
  const st = stepStats(series, i);
  return h(
    "div",
    { class: "hd-tip-block" },
    h(
      "div",
      { class: "hd-tip-head" },
      head.color ? h("span", { class: "hd-run-dot", style: `background-color: ${head.color}`, "aria-hidden": "true" }) : null,
      head.run ? h("span", { class: "hd-tip-run" }, head.run) : null,
      h("span", {}, `step ${formatStep(st.step)}`),
      st.nonfinite ? h("span", { class: "hd-sev-text-critical" }, " \u00B7 NaN/Inf") : null,
    ),
    st.valid
      ? h(
          "table",
          { class: "hd-tip-table" },
          h(
            "tbody",
            {},
            st.rows.map(([label, value]) =>
              h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, label === "count" ? formatStep(value) : formatNumber(value))),
            ),
          ),
        )
      : h("div", { class: "hd-muted" }, "no valid values at this step"),
  );
}

/**
 * Mount an SVG chart into `slot` and wire its hover.
 * @param {HTMLElement} slot
 * @param {{node: import("../svg.js").SvgNode, hover?: Hover}} chart
 * @param {{onStep?: (step: number) => void, tooltip?: boolean}} [options]  tooltip: false when the
 *        page shows the hovered step's statistics elsewhere (the detail view)
 * @returns {SVGElement}
 */
export function mountChart(slot, chart, options = {}) {
  const doc = slot.ownerDocument;
  const svg = toDom(chart.node, doc);
  replaceChildren(slot);
  slot.appendChild(svg);
  const hover = chart.hover;
  if (!hover) return svg;

  /** @param {MouseEvent} event @returns {[number, number]} */
  const local = (event) => {
    const rect = svg.getBoundingClientRect();
    const vb = svg.getAttribute("viewBox")?.split(/\s+/).map(Number) ?? [0, 0, rect.width, rect.height];
    return [((event.clientX - rect.left) * vb[2]) / (rect.width || 1), ((event.clientY - rect.top) * vb[3]) / (rect.height || 1)];
  };
  const rule = svg.querySelector(".hd-hover-rule");
  const ridgePath = svg.querySelector(".hd-hover-ridge");
  const cell = svg.querySelector(".hd-hover-cell");

  const tip = options.tooltip !== false;
  /** @param {MouseEvent} event @param {Array<Node | string | null>} blocks */
  const show = (event, blocks) => (tip ? showTooltip(doc, event, blocks) : undefined);
  const clear = () => {
    hideTooltip(doc);
    rule?.setAttribute("visibility", "hidden");
    ridgePath?.setAttribute("visibility", "hidden");
    cell?.setAttribute("visibility", "hidden");
  };

  svg.addEventListener("mouseleave", clear);
  svg.addEventListener("mousemove", (event) => {
    const [x, y] = local(event);
    const p = hover.plot;
    if (x < p.left - 4 || x > p.left + p.width + 4 || y < p.top - 4 || y > p.top + p.height + 4) {
      clear();
      return;
    }
    if (hover.kind === "bands") {
      const step = hover.stepAt(x);
      /** @type {Array<Node | string | null>} */
      const blocks = [];
      let snapped = step;
      for (const entry of hover.entries) {
        const i = nearestIndex(entry.series.steps, step);
        if (i === -1) continue;
        snapped = entry.series.steps[i];
        blocks.push(statsTable(entry.series, i, hover.entries.length > 1 ? { color: entry.color, run: entry.run } : {}));
      }
      const px = hover.xOf(snapped);
      rule?.setAttribute("x1", String(px));
      rule?.setAttribute("x2", String(px));
      rule?.setAttribute("visibility", "visible");
      show(event, blocks);
      options.onStep?.(snapped);
    } else if (hover.kind === "ridgeline") {
      if (!hover.ridges.length) return;
      // The ridge whose base is the first at or below the pointer: its body is what is under it.
      const best = hover.ridges.find((r) => r.baseline >= y - 1) ?? hover.ridges[hover.ridges.length - 1];
      ridgePath?.setAttribute("d", best.d);
      ridgePath?.setAttribute("visibility", "visible");
      show(event, [
        statsTable(hover.series, best.index),
        h("div", { class: "hd-tip-foot" }, `pointer at value ${formatNumber(hover.valueAt(x))}`),
      ]);
      options.onStep?.(best.step);
    } else if (hover.kind === "layermap") {
      const rowIndex = Math.floor((y - p.top) / (hover.rowHeight + 3));
      const row = hover.rows[rowIndex];
      if (!row || !row.cols.length) return clear();
      const w = p.width / row.cols.length;
      const k = Math.max(0, Math.min(row.cols.length - 1, Math.floor((x - p.left) / w)));
      const col = row.cols[k];
      cell?.setAttribute("x", String(p.left + k * w));
      cell?.setAttribute("y", String(row.y));
      cell?.setAttribute("width", String(w));
      cell?.setAttribute("visibility", "visible");
      showTooltip(doc, event, [
        h(
          "div",
          { class: "hd-tip-block" },
          h("div", { class: "hd-tip-head" }, h("span", {}, row.layer.layer ?? row.layer.tag), h("span", { class: "hd-muted" }, row.layer.tag)),
          h("div", {}, `step ${formatStep(col.step)}: ${col.value === null ? "no valid data" : movementPhrase(col.value).replace("its initial spread", "the first step\u2019s spread")}`),
        ),
      ]);
    }
  });
  return svg;
}
