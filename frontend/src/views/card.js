// A tag's card: name, status, verdict chips, and two chart slots (distribution bands and
// ridgeline) that the app fills lazily when the card scrolls into view. Click, Enter or Space
// opens the detail view; arrow keys move between cards.

import { h, replaceChildren } from "./dom.js";
import { statusBadge, verdictChip } from "./badge.js";
import { formatTagSteps, MISSING } from "../format.js";
import { movementPhrase } from "../compare.js";
import { bandsChart } from "../charts/bands.js";
import { ridgelineChart } from "../charts/ridgeline.js";
import { verdictMarks } from "../charts/marks.js";
import { valueExtent } from "../series.js";
import { mountChart } from "./chart.js";

/** @typedef {import("../model.js").Tag} Tag */
/** @typedef {import("../series.js").Series} Series */

/** Height of the card charts, in pixels (the CSS reserves it so nothing jumps). */
export const CARD_CHART_HEIGHT = 124;

/**
 * @typedef {object} CardOptions
 * @property {string} run
 * @property {(run: string, tag: string) => void} onOpen
 * @property {(run: string, tag: string, format: "png" | "svg") => void} onDownload
 */

/**
 * @param {Tag} tag
 * @param {CardOptions} o
 * @returns {HTMLElement}
 */
export function tagCard(tag, o) {
  const chips = tag.verdicts.map(verdictChip);
  const facts = [tag.role, formatTagSteps(tag.steps, tag.firstStep, tag.lastStep) + " steps"];
  if (tag.movement !== null) facts.push(movementPhrase(tag.movement));
  const card = h(
    "article",
    {
      class: `hd-card hd-card-${tag.status}`,
      tabindex: 0,
      "data-testid": "tag-row",
      "data-tag": tag.tag,
      "data-run": o.run,
      "data-status": tag.status,
      "aria-label": `${tag.tag}: ${tag.status}${tag.verdicts.length ? `, ${tag.verdicts.map((v) => v.title).join("; ")}` : ""}. Press Enter for details.`,
    },
    h(
      "div",
      { class: "hd-card-head" },
      h("span", { class: "hd-card-name", title: tag.tag }, tag.tag),
      statusBadge(tag.status, { compact: true }),
    ),
    h("div", { class: "hd-card-facts hd-muted" }, facts.join(" \u00B7 ")),
    h(
      "div",
      { class: "hd-card-verdicts" },
      chips.length ? chips : null,
      tag.status === "unknown" && tag.reason ? h("span", { class: "hd-reason", "data-testid": "unknown-reason" }, tag.reason) : null,
      !chips.length && !(tag.status === "unknown" && tag.reason) ? h("span", { class: "hd-muted" }, "no findings") : null,
    ),
    h(
      "div",
      { class: "hd-card-charts" },
      h("div", { class: "hd-chart-slot hd-loading-slot", "data-slot": "bands", "aria-label": "distribution bands" }),
      h("div", { class: "hd-chart-slot hd-loading-slot", "data-slot": "ridgeline", "aria-label": "histogram ridgeline" }),
    ),
  );
  return card;
}

/**
 * The card's buttons (Details, SVG, PNG), added when its charts are drawn: thousands of cards
 * that never scroll into view do not need them.
 * @param {HTMLElement} card
 */
export function addCardActions(card) {
  if (card.querySelector(".hd-card-actions")) return;
  card.appendChild(
    h(
      "div",
      { class: "hd-card-actions" },
      h("button", { type: "button", class: "hd-mini", "data-action": "open", "data-testid": "card-open", title: "Details, evidence and fixes" }, "Details"),
      h("button", { type: "button", class: "hd-mini", "data-action": "svg", "data-testid": "card-download-svg", title: "Download this card as SVG" }, "SVG"),
      h("button", { type: "button", class: "hd-mini", "data-action": "png", "data-testid": "card-download-png", title: "Download this card as PNG" }, "PNG"),
    ),
  );
}

/**
 * Draw the charts of a card (or of the detail view) from a loaded series.
 * @param {HTMLElement} container  holds [data-slot=bands] and [data-slot=ridgeline]
 * @param {{series: Series, tag: Tag, run: string, color: string, theme: import("../charts/colors.js").ChartTheme, height: number, compact: boolean, onStep?: (step: number) => void}} o
 */
export function drawCharts(container, o) {
  const marks = verdictMarks(o.tag.verdicts, { extent: valueExtent(o.series) });
  for (const slot of /** @type {NodeListOf<HTMLElement>} */ (container.querySelectorAll("[data-slot]"))) {
    const width = Math.max(120, Math.floor(slot.clientWidth || slot.getBoundingClientRect().width || 200));
    slot.classList.remove("hd-loading-slot");
    const common = { marks, width, height: o.height, theme: o.theme, compact: o.compact };
    const which = slot.getAttribute("data-slot");
    if (which === "bands") {
      mountChart(
        slot,
        bandsChart({ ...common, entries: [{ series: o.series, color: o.color, run: o.run }], label: `Distribution of ${o.tag.tag} over steps (${o.run})` }),
        { onStep: o.onStep, tooltip: !o.onStep },
      );
    } else if (which === "ridgeline") {
      mountChart(slot, ridgelineChart({ ...common, series: o.series, color: o.color, label: `Histograms of ${o.tag.tag} by step (${o.run})` }), {
        onStep: o.onStep,
        tooltip: !o.onStep,
      });
    }
  }
}

/**
 * Show a load error in a card's chart slots.
 * @param {HTMLElement} container
 * @param {string} message
 */
export function chartError(container, message) {
  for (const slot of /** @type {NodeListOf<HTMLElement>} */ (container.querySelectorAll("[data-slot]"))) {
    slot.classList.remove("hd-loading-slot");
    replaceChildren(slot, h("p", { class: "hd-chart-error", "data-testid": "chart-error" }, `No chart: ${message || MISSING}`));
  }
}
