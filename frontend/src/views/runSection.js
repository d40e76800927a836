// One run: heading, run-level verdicts, and its tags in a table grouped by layer. Rows open with a
// click, Enter or Space; ArrowUp/ArrowDown move between rows.

import { h } from "./dom.js";
import { runDot, statusBadge, verdictChip } from "./badge.js";
import { verdictArticle, verdictDisclosure } from "./verdict.js";
import { formatNumber, formatTagSteps, plural, MISSING } from "../format.js";

/** @typedef {import("../model.js").Tag} Tag */
/** @typedef {import("../filters.js").RunView} RunView */
/** @typedef {import("../filters.js").LayerGroup} LayerGroup */

/**
 * @typedef {object} RunSectionOptions
 * @property {(tag: string) => boolean} isOpen            whether a tag's details start open
 * @property {(tag: string, open: boolean) => void} onToggle
 * @property {((tag: string) => void) | null} openInHistograms  null when not inside TensorBoard
 */

const COLUMNS = ["Tag", "Role", "Steps", "Status", "Findings"];

/**
 * The findings cell: a chip per verdict, the reason for an unknown status, or a dash.
 * @param {Tag} tag
 * @returns {HTMLElement[] | string}
 */
function findings(tag) {
  /** @type {HTMLElement[]} */
  const items = tag.verdicts.map(verdictChip);
  if (tag.status === "unknown" && tag.reason) {
    items.push(h("span", { class: "hd-reason", "data-testid": "unknown-reason" }, tag.reason));
  }
  return items.length ? items : [h("span", { class: "hd-muted" }, MISSING)];
}

/**
 * The expanded details of a tag.
 * @param {Tag} tag
 * @param {RunSectionOptions["openInHistograms"]} openInHistograms
 * @returns {HTMLDivElement}
 */
function tagDetails(tag, openInHistograms) {
  return h(
    "div",
    { class: "hd-details" },
    h(
      "dl",
      { class: "hd-facts" },
      h("dt", {}, "Layer"),
      h("dd", {}, tag.layer ?? MISSING),
      h("dt", {}, "Depth"),
      h("dd", {}, formatNumber(tag.depth)),
      h("dt", {}, "Role"),
      h("dd", {}, tag.role),
      h("dt", {}, "Steps logged"),
      h("dd", {}, formatTagSteps(tag.steps, tag.firstStep, tag.lastStep)),
    ),
    tag.status === "unknown"
      ? h("p", { class: "hd-reason-block" }, "Cannot diagnose this tag: ", tag.reason ?? "no reason given.")
      : null,
    tag.verdicts.length
      ? tag.verdicts.map(verdictArticle)
      : tag.status !== "unknown"
        ? h("p", { class: "hd-muted" }, "Nothing unusual in this tag\u2019s histograms.")
        : null,
    openInHistograms
      ? h(
          "p",
          { class: "hd-details-actions" },
          h(
            "button",
            { type: "button", class: "hd-button", onclick: () => openInHistograms(tag.tag) },
            "Open in Histograms tab",
          ),
        )
      : null,
  );
}

/**
 * Open or close a tag row, building its details row on first open.
 * @param {HTMLTableRowElement} row
 * @param {Tag} tag
 * @param {boolean} open
 * @param {RunSectionOptions["openInHistograms"]} openInHistograms
 */
function setRowOpen(row, tag, open, openInHistograms) {
  row.setAttribute("aria-expanded", String(open));
  const id = row.getAttribute("aria-controls") ?? "";
  let details = /** @type {HTMLTableRowElement | null} */ (row.nextElementSibling);
  if (!details || details.id !== id) {
    if (!open) return;
    details = h(
      "tr",
      { class: "hd-details-row", id, "data-testid": "tag-details", "data-tag": tag.tag },
      h("td", { colspan: COLUMNS.length }, tagDetails(tag, openInHistograms)),
    );
    row.after(details);
  }
  details.hidden = !open;
}

/**
 * @param {LayerGroup} group
 * @returns {HTMLTableRowElement}
 */
function layerRow(group) {
  const detail = [
    group.depth !== null ? `depth ${formatNumber(group.depth)}` : null,
    group.tags.length === group.total ? plural(group.total, "tag") : `${group.tags.length} of ${plural(group.total, "tag")}`,
  ]
    .filter(Boolean)
    .join(" \u00B7 ");
  return h(
    "tr",
    { class: "hd-layer-row" },
    h(
      "th",
      { colspan: COLUMNS.length, scope: "colgroup" },
      h("span", { class: "hd-layer-name" }, group.layer ?? "(no layer)"),
      h("span", { class: "hd-muted hd-layer-meta" }, detail),
      group.verdicts.length ? h("div", { class: "hd-layer-verdicts" }, group.verdicts.map(verdictDisclosure)) : null,
    ),
  );
}

/**
 * Move focus to the previous or next tag row of the same table.
 * @param {HTMLTableRowElement} row
 * @param {1 | -1} direction
 */
function focusSibling(row, direction) {
  const table = row.closest("table");
  if (!table) return;
  const rows = [...table.querySelectorAll('tr[data-testid="tag-row"]')];
  const next = rows[rows.indexOf(row) + direction];
  if (next instanceof HTMLElement) next.focus();
}

/**
 * The table of a run's shown tags.
 * @param {RunView} view
 * @param {RunSectionOptions} options
 * @returns {HTMLTableElement}
 */
function tagTable(view, options) {
  /** @type {WeakMap<Element, Tag>} */
  const tagOfRow = new WeakMap();
  /** @type {Array<[HTMLTableRowElement, Tag]>} */
  const startOpen = [];
  let rowNumber = 0;
  const idBase = `hd-r${view.run.index}-`;

  const bodies = view.groups.map((group) =>
    h(
      "tbody",
      {},
      layerRow(group),
      group.tags.map((tag) => {
        const row = h(
          "tr",
          {
            class: `hd-tag-row hd-row-${tag.status}`,
            tabindex: 0,
            "data-testid": "tag-row",
            "data-tag": tag.tag,
            "data-status": tag.status,
            "aria-expanded": "false",
            "aria-controls": `${idBase}${rowNumber++}`,
          },
          h(
            "td",
            { class: "hd-cell-tag" },
            h(
              "div",
              { class: "hd-cell-tag-inner" },
              h("span", { class: "hd-caret", "aria-hidden": "true" }),
              h("span", { class: "hd-tag-name" }, tag.tag),
            ),
          ),
          h("td", { class: "hd-cell-role" }, tag.role),
          h("td", { class: "hd-cell-steps" }, formatTagSteps(tag.steps, tag.firstStep, tag.lastStep)),
          h("td", { class: "hd-cell-status" }, statusBadge(tag.status, { compact: true })),
          h("td", { class: "hd-cell-findings" }, findings(tag)),
        );
        tagOfRow.set(row, tag);
        if (options.isOpen(tag.tag)) startOpen.push([row, tag]);
        return row;
      }),
    ),
  );

  /**
   * @param {Event} event
   * @returns {[HTMLTableRowElement, Tag] | null}
   */
  const rowOf = (event) => {
    const target = /** @type {Element | null} */ (event.target);
    // Clicks inside an open layer verdict or a button belong to that control, not to the row.
    if (!target || target.closest("details, button, a, summary")) return null;
    const row = /** @type {HTMLTableRowElement | null} */ (target.closest('tr[data-testid="tag-row"]'));
    const tag = row ? tagOfRow.get(row) : undefined;
    return row && tag ? [row, tag] : null;
  };
  /**
   * @param {HTMLTableRowElement} row
   * @param {Tag} tag
   */
  const toggle = (row, tag) => {
    const open = row.getAttribute("aria-expanded") !== "true";
    setRowOpen(row, tag, open, options.openInHistograms);
    options.onToggle(tag.tag, open);
  };

  const table = h(
    "table",
    {
      class: "hd-table",
      onclick: (event) => {
        const hit = rowOf(event);
        if (hit) toggle(...hit);
      },
      onkeydown: (event) => {
        const key = /** @type {KeyboardEvent} */ (event).key;
        const hit = rowOf(event);
        if (!hit || event.target !== hit[0]) return;
        if (key === "Enter" || key === " ") {
          event.preventDefault();
          toggle(...hit);
        } else if (key === "ArrowDown" || key === "ArrowUp") {
          event.preventDefault();
          focusSibling(hit[0], key === "ArrowDown" ? 1 : -1);
        }
      },
    },
    h("colgroup", {}, COLUMNS.map((c) => h("col", { class: `hd-col-${c.toLowerCase()}` }))),
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col" }, c)))),
    bodies,
  );

  for (const [row, tag] of startOpen) setRowOpen(row, tag, true, options.openInHistograms);
  return table;
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
  return h(
    "section",
    { class: "hd-run", "data-testid": "run-section", "data-run": run.run, "aria-labelledby": headingId },
    h(
      "h2",
      { class: "hd-run-heading", id: headingId, tabindex: -1 },
      runDot(run.index),
      h("span", { class: "hd-run-title" }, run.run),
      statusBadge(run.status),
      h(
        "span",
        { class: "hd-muted hd-run-meta" },
        shown === run.tags.length ? plural(shown, "tag") : `${shown} of ${plural(run.tags.length, "tag")} shown`,
      ),
    ),
    run.verdicts.length ? h("div", { class: "hd-run-verdict-list" }, run.verdicts.map(verdictDisclosure)) : null,
    shown
      ? h("div", { class: "hd-table-wrap" }, tagTable(view, options))
      : h(
          "p",
          { class: "hd-muted hd-run-empty" },
          run.tags.length ? "No tags of this run match the filters." : "This run has no histogram tags.",
        ),
  );
}
