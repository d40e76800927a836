// The overview at the top: one card per selected run with its status, tags per status, the
// run-level verdicts in words, and its layer learning map (filled in when GET layer_map answers).

import { h, replaceChildren } from "./dom.js";
import { expectedMark, runDot, statusBadge } from "./badge.js";
import { countsList } from "./summary.js";
import { statusLook } from "../status.js";
import { isolateBidi } from "../format.js";
import { layerMapChart, layerMapLegend, summarizeLayerMap } from "../charts/layermap.js";
import { mountChart } from "./chart.js";
import { toDom } from "../svg.js";

/** @typedef {import("../model.js").Run} Run */
/** @typedef {import("../charts/layermap.js").LayerMap} LayerMap */

/**
 * One run's card.
 * @param {Run} run
 * @param {{onJump: (run: Run) => void}} o
 * @returns {HTMLLIElement}
 */
function runCard(run, o) {
  return h(
    "li",
    { class: "hd-run-card", "data-testid": "run-summary", "data-run": run.run },
    h(
      "div",
      { class: "hd-run-card-head" },
      runDot(run.colorIndex),
      h("button", { type: "button", class: "hd-link hd-run-name", title: `Go to ${isolateBidi(run.run)}`, onclick: () => o.onJump(run) }, run.run),
      statusBadge(run.status),
    ),
    countsList(run.counts),
    run.verdicts.length
      ? h(
          "ul",
          { class: "hd-run-verdicts" },
          run.verdicts.map((v) => {
            const look = statusLook(v.severity);
            return h(
              "li",
              { class: `hd-sev-text-${look.status}`, "data-testid": "run-verdict-title", "data-verdict-id": v.id },
              h("span", { class: "hd-badge-icon", "aria-hidden": "true" }, look.icon),
              h("span", { class: "hd-visually-hidden" }, `${look.label}: `),
              v.title,
              expectedMark(v),
            );
          }),
        )
      : null,
    h(
      "div",
      { class: "hd-map", "data-testid": "layer-map", "data-run": run.run, "data-state": "loading" },
      h("div", { class: "hd-map-summary hd-muted", "data-testid": "layer-map-summary" }, "Layer learning map\u2026"),
      h("div", { class: "hd-map-slot" }),
    ),
  );
}

/**
 * The overview of the selected runs.
 * @param {readonly Run[]} runs
 * @param {{onJump: (run: Run) => void, theme: import("../charts/colors.js").ChartTheme, onDownload: (format: "png" | "svg") => void}} o
 * @returns {HTMLElement}
 */
export function overview(runs, o) {
  const legend = h("div", { class: "hd-legend" });
  legend.appendChild(toDom(layerMapLegend({ width: 620, theme: o.theme }), legend.ownerDocument));
  return h(
    "section",
    { class: "hd-summary", "aria-label": "Runs" },
    h(
      "div",
      { class: "hd-section-head" },
      h("h2", { class: "hd-section-title" }, "Runs and layer learning"),
      h(
        "p",
        { class: "hd-section-note hd-muted" },
        "Each map row is a layer (input at the top); colour is how far its weights have moved from their first logged step, in units of their initial spread.",
      ),
      h(
        "div",
        { class: "hd-section-actions" },
        h("button", { type: "button", class: "hd-mini", "data-testid": "layermap-download-svg", onclick: () => o.onDownload("svg") }, "Maps as SVG"),
        h("button", { type: "button", class: "hd-mini", "data-testid": "layermap-download-png", onclick: () => o.onDownload("png") }, "Maps as PNG"),
      ),
    ),
    legend,
    h("ul", { class: "hd-run-cards" }, runs.map((r) => runCard(r, o))),
  );
}

/**
 * Fill a run card's map.
 * @param {HTMLElement} mapEl   the [data-testid=layer-map] element
 * @param {LayerMap} map
 * @param {import("../charts/colors.js").ChartTheme} theme
 */
export function drawLayerMap(mapEl, map, theme) {
  const slot = /** @type {HTMLElement} */ (mapEl.querySelector(".hd-map-slot"));
  const summary = /** @type {HTMLElement} */ (mapEl.querySelector(".hd-map-summary"));
  const sum = summarizeLayerMap(map);
  mapEl.setAttribute("data-state", "ready");
  mapEl.setAttribute("data-still", String(sum.still.length));
  summary.className = `hd-map-summary ${sum.still.length || sum.slow.length ? "hd-sev-text-warning" : "hd-muted"}`;
  summary.textContent = map.layers.length ? `Layers: ${sum.text}` : "No weight histograms to map.";
  if (!map.layers.length) {
    replaceChildren(slot);
    return;
  }
  const width = Math.max(220, Math.floor(slot.clientWidth || 320));
  mountChart(slot, layerMapChart({ map, width, theme, label: `Layer learning map of ${map.run}` }));
}

/**
 * Show why a map could not be loaded.
 * @param {HTMLElement} mapEl
 * @param {string} message
 */
export function layerMapError(mapEl, message) {
  mapEl.setAttribute("data-state", "error");
  const summary = /** @type {HTMLElement} */ (mapEl.querySelector(".hd-map-summary"));
  summary.className = "hd-map-summary hd-chart-error";
  summary.textContent = `No layer map: ${message}`;
}
