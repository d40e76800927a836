// One run: heading, run-level verdicts, and its tags as cards grouped by layer in depth order.

import { h } from "./dom.js";
import { runDot, statusBadge } from "./badge.js";
import { verdictDisclosure } from "./verdict.js";
import { tagCard } from "./card.js";
import { formatNumber, plural } from "../format.js";

/** @typedef {import("../model.js").Tag} Tag */
/** @typedef {import("../runview.js").RunView} RunView */
/** @typedef {import("../runview.js").LayerGroup} LayerGroup */

/**
 * @typedef {object} RunSectionOptions
 * @property {(run: string, tag: string) => void} onOpen
 * @property {(run: string, tag: string, format: "png" | "svg") => void} onDownload
 * @property {(grid: HTMLElement, count: number, fill: () => HTMLElement[]) => void} schedule
 *           fills a layer's card grid now or later (the app renders thousands of cards in chunks)
 */

/**
 * Why a run's tags cannot be diagnosed, grouped: [[reason, count], …], most common first.
 * @param {readonly Tag[]} tags
 * @returns {Array<[string, number]>}
 */
export function reasonCounts(tags) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const t of tags) {
    if (t.status !== "unknown") continue;
    const reason = t.reason ?? "no reason given";
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * @param {LayerGroup} group
 * @param {string} run
 * @param {RunSectionOptions} options
 * @returns {HTMLElement}
 */
function layerGroup(group, run, options) {
  const detail = [
    group.depth !== null ? `depth ${formatNumber(group.depth)}` : null,
    group.tags.length === group.total ? plural(group.total, "tag") : `${group.tags.length} of ${plural(group.total, "tag")}`,
  ]
    .filter(Boolean)
    .join(" \u00B7 ");
  return h(
    "section",
    { class: "hd-layer", "data-testid": "layer-group", "data-layer": group.layer ?? "" },
    h(
      "h3",
      { class: "hd-layer-head" },
      h("span", { class: "hd-layer-name" }, group.layer ?? "(no layer)"),
      h("span", { class: "hd-muted hd-layer-meta" }, detail),
      h("span", { class: "hd-layer-move", "data-layer-move": group.layer ?? "" }),
    ),
    group.verdicts.length ? h("div", { class: "hd-layer-verdicts" }, group.verdicts.map(verdictDisclosure)) : null,
    scheduled(group, run, options),
  );
}

/**
 * A layer's card grid, filled by the app's scheduler.
 * @param {LayerGroup} group
 * @param {string} run
 * @param {RunSectionOptions} options
 * @returns {HTMLElement}
 */
function scheduled(group, run, options) {
  const grid = h("div", { class: "hd-cards" });
  options.schedule(grid, group.tags.length, () =>
    group.tags.map((tag) => tagCard(tag, { run, onOpen: options.onOpen, onDownload: options.onDownload })),
  );
  return grid;
}

/**
 * Where the run's causes are inferred from weight-only logs: the advice and the one line per
 * framework that logs activations and gradients to confirm them.
 * @param {NonNullable<import("../model.js").Run["logging"]>} logging
 * @returns {HTMLElement}
 */
function loggingAdvice(logging) {
  return h(
    "div",
    { class: "hd-logging", "data-testid": "logging-advice", role: "note" },
    h("p", {}, logging.advice),
    h(
      "ul",
      {},
      logging.loggers.map(([framework, line]) => h("li", {}, `${framework}: `, h("code", {}, line))),
    ),
  );
}

/**
 * Move focus to the previous or next card of the run (ArrowLeft/Up, ArrowRight/Down).
 * @param {HTMLElement} card
 * @param {1 | -1} direction
 */
function focusSibling(card, direction) {
  const section = card.closest('[data-testid="run-section"]');
  if (!section) return;
  const cards = [...section.querySelectorAll('[data-testid="tag-row"]')];
  const next = cards[cards.indexOf(card) + direction];
  if (next instanceof HTMLElement) next.focus();
}

/**
 * A run's section.
 * @param {RunView} view
 * @param {RunSectionOptions} options
 * @returns {HTMLElement}
 */
export function runSection(view, options) {
  const { run } = view;
  const headingId = `hd-run-${run.index}`;
  const shown = view.shownTags.length;
  const undiagnosable = run.tags.length > 0 && run.tags.every((t) => t.status === "unknown");
  const section = h(
    "section",
    { class: "hd-run", "data-testid": "run-section", "data-run": run.run, "aria-labelledby": headingId },
    h(
      "h2",
      { class: "hd-run-heading", id: headingId, tabindex: -1 },
      runDot(run.colorIndex),
      h("span", { class: "hd-run-title" }, run.run),
      statusBadge(run.status),
      h(
        "span",
        { class: "hd-muted hd-run-meta" },
        shown === run.tags.length ? plural(shown, "tag") : `${shown} of ${plural(run.tags.length, "tag")} shown`,
      ),
    ),
    undiagnosable
      ? h(
          "div",
          { class: "hd-undiagnosable", "data-testid": "undiagnosable-run", role: "note" },
          h("p", {}, `None of this run\u2019s ${plural(run.tags.length, "histogram tag")} can be diagnosed:`),
          h(
            "ul",
            {},
            reasonCounts(run.tags).map(([reason, n]) => h("li", {}, `${reason} (${plural(n, "tag")})`)),
          ),
        )
      : null,
    run.verdicts.length ? h("div", { class: "hd-run-verdict-list" }, run.verdicts.map(verdictDisclosure)) : null,
    run.logging ? loggingAdvice(run.logging) : null,
    shown
      ? view.groups.map((g) => layerGroup(g, run.run, options))
      : h(
          "p",
          { class: "hd-muted hd-run-empty" },
          run.tags.length ? "No tags of this run match the filters." : "This run has no histogram tags.",
        ),
  );

  section.addEventListener("click", (event) => {
    const target = /** @type {Element | null} */ (event.target);
    if (!target || target.closest("details, summary, a")) return;
    const card = /** @type {HTMLElement | null} */ (target.closest('[data-testid="tag-row"]'));
    if (!card) return;
    const tag = card.getAttribute("data-tag") ?? "";
    const action = target.closest("button")?.getAttribute("data-action");
    if (action === "png" || action === "svg") options.onDownload(run.run, tag, action);
    else if (!target.closest("button") || action === "open") options.onOpen(run.run, tag);
  });
  section.addEventListener("keydown", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (target.getAttribute("data-testid") !== "tag-row") return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      options.onOpen(run.run, target.getAttribute("data-tag") ?? "");
    } else if (event.key === "ArrowRight" || event.key === "ArrowDown") {
      event.preventDefault();
      focusSibling(target, 1);
    } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
      event.preventDefault();
      focusSibling(target, -1);
    }
  });
  return section;
}
