// The detail view of a card: a modal dialog with larger charts, the statistics of the hovered
// step, every verdict in full (explanation, where, evidence, fixes), and links that open the same
// tag in TensorBoard's Histograms and Distributions tabs.

import { h, replaceChildren } from "./dom.js";
import { runDot, statusBadge } from "./badge.js";
import { verdictArticle } from "./verdict.js";
import { formatNumber, formatTagSteps, MISSING } from "../format.js";
import { movementPhrase } from "../compare.js";
import { statsTable } from "./chart.js";
import { nearestIndex } from "../series.js";

/** @typedef {import("../model.js").Tag} Tag */
/** @typedef {import("../model.js").Run} Run */
/** @typedef {import("../series.js").Series} Series */

/**
 * @typedef {object} DetailView
 * @property {HTMLDialogElement} root
 * @property {(run: Run, tag: Tag, links: {histograms: string | null, distributions: string | null}) => HTMLElement} show
 *           open (or refill) the dialog; returns the element that holds the chart slots
 * @property {(series: Series) => void} setSeries  the loaded series (for the step statistics)
 * @property {(step: number) => void} showStep     statistics of the step nearest to `step`
 * @property {() => void} close
 * @property {() => boolean} isOpen
 */

/**
 * @param {{onClose: () => void, onDownload: (format: "png" | "svg") => void}} o
 * @returns {DetailView}
 */
export function detailView(o) {
  const body = h("div", { class: "hd-dialog-body" });
  const closeButton = h("button", { type: "button", class: "hd-icon-button", "data-testid": "detail-close", "aria-label": "Close details", title: "Close (Esc)" }, "\u2715");
  const titleEl = h("h2", { class: "hd-dialog-title", id: "hd-dialog-title" });
  const root = h(
    "dialog",
    { class: "hd-dialog", "data-testid": "detail-view", "aria-labelledby": "hd-dialog-title" },
    h("div", { class: "hd-dialog-head" }, titleEl, closeButton),
    body,
  );
  /** @type {Series | null} */
  let series = null;
  /** @type {HTMLElement | null} */
  let statsSlot = null;

  closeButton.addEventListener("click", () => root.close());
  root.addEventListener("close", () => o.onClose());
  // A click on the backdrop (outside the dialog box) closes it.
  root.addEventListener("mousedown", (event) => {
    if (event.target !== root) return;
    const r = root.getBoundingClientRect();
    const inside = event.clientX >= r.left && event.clientX <= r.right && event.clientY >= r.top && event.clientY <= r.bottom;
    if (!inside) root.close();
  });

  return {
    root,
    show(run, tag, links) {
      series = null;
      root.setAttribute("data-run", run.run);
      root.setAttribute("data-tag", tag.tag);
      replaceChildren(
        titleEl,
        runDot(run.colorIndex),
        h("span", { class: "hd-dialog-tag" }, tag.tag),
        statusBadge(tag.status),
      );
      const charts = h(
        "div",
        { class: "hd-detail-charts" },
        h(
          "figure",
          { class: "hd-figure" },
          h("figcaption", {}, "Distribution over steps ", h("span", { class: "hd-muted" }, "(bands: min, \u00B11.5\u03C3, \u00B11\u03C3, \u00B10.5\u03C3, median percentiles, max)")),
          h("div", { class: "hd-chart-slot hd-loading-slot hd-chart-large", "data-slot": "bands" }),
        ),
        h(
          "figure",
          { class: "hd-figure" },
          h("figcaption", {}, "Histograms by step ", h("span", { class: "hd-muted" }, "(30 bins, newest in front)")),
          h("div", { class: "hd-chart-slot hd-loading-slot hd-chart-large", "data-slot": "ridgeline" }),
        ),
      );
      statsSlot = h("div", { class: "hd-step-stats", "data-testid": "step-stats" }, h("span", { class: "hd-muted" }, "Loading\u2026"));
      replaceChildren(
        body,
        h(
          "dl",
          { class: "hd-facts hd-facts-inline" },
          h("dt", {}, "Run"),
          h("dd", {}, run.run),
          h("dt", {}, "Layer"),
          h("dd", {}, tag.layer ?? MISSING, tag.depth !== null ? ` (depth ${formatNumber(tag.depth)})` : ""),
          h("dt", {}, "Role"),
          h("dd", {}, tag.role),
          h("dt", {}, "Steps logged"),
          h("dd", {}, formatTagSteps(tag.steps, tag.firstStep, tag.lastStep)),
          h("dt", {}, "Movement"),
          h("dd", {}, tag.movement === null ? MISSING : `${movementPhrase(tag.movement)} (first \u2192 last step)`),
        ),
        h("div", { class: "hd-detail-grid" }, charts, h("aside", { class: "hd-detail-side" }, h("h3", {}, "Hovered step"), statsSlot)),
        tag.status === "unknown"
          ? h("p", { class: "hd-reason-block" }, "Cannot diagnose this tag: ", tag.reason ?? "no reason given.")
          : null,
        h(
          "section",
          { class: "hd-detail-verdicts" },
          h("h3", {}, tag.verdicts.length ? "Findings" : "Findings: none"),
          tag.verdicts.length
            ? tag.verdicts.map(verdictArticle)
            : tag.status !== "unknown"
              ? h("p", { class: "hd-muted" }, "Nothing unusual in this tag\u2019s histograms.")
              : null,
        ),
        h(
          "div",
          { class: "hd-detail-actions" },
          links.histograms
            ? h("a", { class: "hd-button", "data-testid": "open-histograms", href: links.histograms, target: "_top" }, "Open in Histograms tab")
            : null,
          links.distributions
            ? h("a", { class: "hd-button", "data-testid": "open-distributions", href: links.distributions, target: "_top" }, "Open in Distributions tab")
            : null,
          h("button", { type: "button", class: "hd-button", "data-testid": "card-download-svg", onclick: () => o.onDownload("svg") }, "Download SVG"),
          h("button", { type: "button", class: "hd-button", "data-testid": "card-download-png", onclick: () => o.onDownload("png") }, "Download PNG"),
        ),
      );
      if (!root.open) root.showModal();
      return charts;
    },
    setSeries(next) {
      series = next;
      if (next.steps.length) this.showStep(next.steps[next.steps.length - 1]);
    },
    showStep(step) {
      if (!series || !statsSlot) return;
      const i = nearestIndex(series.steps, step);
      if (i !== -1) replaceChildren(statsSlot, statsTable(series, i));
    },
    close() {
      if (root.open) root.close();
    },
    isOpen() {
      return root.open;
    },
  };
}
