// Compare mode: one tag's bands of two runs overlaid (with each run's ridgeline on common bins),
// the sentence that says how each moved, and the tags × runs matrix of verdicts, sortable by how
// different the runs are.

import { h, replaceChildren } from "./dom.js";
import { runDot } from "./badge.js";
import { statusLook } from "../status.js";
import { COMPARE_SORTS } from "../compare.js";
import { isolateBidi } from "../format.js";
import { formatNumber } from "../format.js";
import { runColor } from "../palette.js";

/** @typedef {import("../compare.js").CompareRow} CompareRow */
/** @typedef {import("../compare.js").CompareSort} CompareSort */
/** @typedef {import("../model.js").Run} Run */

/** Rows drawn at first; "Show more" adds this many again (a table of 2,000 × runs cells is slow). */
export const MATRIX_PAGE = 150;

/**
 * @typedef {object} CompareParts
 * @property {HTMLElement} root
 * @property {HTMLElement} overlay      [data-testid=compare-overlay]; the app fills its chart slots
 * @property {HTMLElement} bandsSlot
 * @property {HTMLElement} ridgeSlots   one slot per overlaid run, filled by the app
 * @property {HTMLElement} sentence
 */

/**
 * A matrix cell: icon and the verdict words, or "ok", or "not logged".
 * @param {import("../compare.js").CompareCell} cell
 * @returns {HTMLTableCellElement}
 */
function matrixCell(cell) {
  if (!cell.tag) {
    return h("td", { class: "hd-cmp-cell hd-cmp-absent", "data-testid": "compare-cell", "data-run": cell.run, "data-status": "absent" }, h("span", { class: "hd-muted" }, "not logged"));
  }
  const look = statusLook(cell.tag.status);
  const ids = [...new Set(cell.tag.verdicts.map((v) => v.id))];
  return h(
    "td",
    {
      class: `hd-cmp-cell hd-cmp-${look.status}`,
      "data-testid": "compare-cell",
      "data-run": cell.run,
      "data-status": look.status,
      "data-verdicts": ids.join(","),
      title: cell.tag.verdicts.map((v) => v.title).join("\n") || look.label,
    },
    h("span", { class: `hd-cmp-icon hd-sev-text-${look.status}`, "aria-hidden": "true" }, look.icon),
    h("span", { class: "hd-cmp-words" }, ids.length ? ids.join(", ").replace(/_/g, " ") : look.label),
    cell.distance !== null ? h("span", { class: "hd-cmp-dist hd-muted", title: "W1 distance of the last distribution from the reference run, in its spreads" }, ` \u0394${formatNumber(Number(cell.distance.toPrecision(2)))}`) : null,
  );
}

/**
 * @param {object} o
 * @param {readonly Run[]} o.runs              the compared (selected) runs
 * @param {readonly CompareRow[]} o.rows       sorted
 * @param {CompareSort} o.sort
 * @param {string | null} o.tag                the overlaid tag
 * @param {[string, string] | null} o.pair     the overlaid runs (A, reference B)
 * @param {string | null} o.reference         the run distances are measured from
 * @param {(sort: CompareSort) => void} o.onSort
 * @param {(tag: string) => void} o.onPickTag
 * @param {(pair: [string, string]) => void} o.onPickPair
 * @param {(run: string, tag: string) => void} o.onOpen
 * @returns {CompareParts}
 */
export function compareView(o) {
  const colorOf = new Map(o.runs.map((r) => [r.run, runColor(r.colorIndex)]));
  const differing = o.rows.filter((r) => r.differ).length;

  // --- overlay ------------------------------------------------------------------------------
  const runOptions = (/** @type {string} */ value) =>
    o.runs.map((r) => {
      const opt = h("option", { value: r.run }, r.run);
      if (r.run === value) opt.selected = true;
      return opt;
    });
  const [a, b] = o.pair ?? [o.runs[0]?.run ?? "", o.runs[1]?.run ?? ""];
  const selectA = h("select", { class: "hd-select", "data-testid": "compare-run-a", "aria-label": "Run" }, runOptions(a));
  const selectB = h("select", { class: "hd-select", "data-testid": "compare-run-b", "aria-label": "Reference run" }, runOptions(b));
  const onPair = () => o.onPickPair([selectA.value, selectB.value]);
  selectA.addEventListener("change", onPair);
  selectB.addEventListener("change", onPair);
  const bandsSlot = h("div", { class: "hd-chart-slot hd-loading-slot hd-chart-large", "data-slot": "overlay" });
  const ridgeSlots = h("div", { class: "hd-cmp-ridges" });
  const sentence = h("p", { class: "hd-cmp-sentence", "data-testid": "compare-sentence" });
  const overlay = h(
    "section",
    { class: "hd-cmp-overlay", "data-testid": "compare-overlay", "data-tag": o.tag ?? "", "data-runs": JSON.stringify([a, b]) },
    h(
      "div",
      { class: "hd-cmp-overlay-head" },
      h("h3", { class: "hd-cmp-title" }, o.tag ?? "No tag"),
      h(
        "div",
        { class: "hd-cmp-pair" },
        h("span", { class: "hd-run-dot", style: `background-color: ${colorOf.get(a) ?? "#888"}`, "aria-hidden": "true" }),
        selectA,
        h("span", { class: "hd-muted" }, "vs"),
        h("span", { class: "hd-run-dot", style: `background-color: ${colorOf.get(b) ?? "#888"}`, "aria-hidden": "true" }),
        selectB,
        o.tag
          ? h("button", { type: "button", class: "hd-mini", "data-testid": "compare-open-a", onclick: () => o.onOpen(a, /** @type {string} */ (o.tag)) }, `Details in ${isolateBidi(a)}`)
          : null,
      ),
    ),
    sentence,
    h(
      "div",
      { class: "hd-cmp-charts" },
      h("figure", { class: "hd-figure" }, h("figcaption", {}, "Both runs\u2019 distributions over steps (bands; solid line = median, dashed = min/max)"), bandsSlot),
      h("figure", { class: "hd-figure" }, h("figcaption", {}, "Histograms by step, on common bins"), ridgeSlots),
    ),
  );

  // --- matrix -------------------------------------------------------------------------------
  const sortSelect = h(
    "select",
    { class: "hd-select", "data-testid": "compare-sort", "aria-label": "Sort tags" },
    COMPARE_SORTS.map((s) => h("option", { value: s.value }, s.label)),
  );
  sortSelect.value = o.sort;
  sortSelect.addEventListener("change", () => o.onSort(/** @type {CompareSort} */ (sortSelect.value)));
  const tbody = h("tbody", {});
  let drawn = 0;
  const more = h("button", { type: "button", class: "hd-button", "data-testid": "compare-more" }, "Show more");
  const drawMore = () => {
    const next = o.rows.slice(drawn, drawn + MATRIX_PAGE);
    for (const row of next) {
      tbody.appendChild(
        h(
          "tr",
          {
            class: `hd-cmp-row${row.tag === o.tag ? " hd-cmp-picked" : ""}${row.differ ? " hd-cmp-differ" : ""}`,
            tabindex: 0,
            "data-testid": "compare-row",
            "data-tag": row.tag,
            "data-differ": String(row.differ),
            "aria-selected": String(row.tag === o.tag),
          },
          h("th", { scope: "row", class: "hd-cmp-tag" }, row.differ ? h("span", { class: "hd-cmp-diff-mark", title: "verdicts differ" }, "\u2260 ") : null, row.tag),
          h("td", { class: "hd-muted" }, row.layer ?? "\u2014"),
          row.cells.map(matrixCell),
        ),
      );
    }
    drawn += next.length;
    more.hidden = drawn >= o.rows.length;
    more.textContent = `Show more (${o.rows.length - drawn} left)`;
  };
  more.addEventListener("click", drawMore);
  drawMore();
  const pick = (/** @type {Event} */ event) => {
    const row = /** @type {Element} */ (event.target).closest('[data-testid="compare-row"]');
    if (row) o.onPickTag(row.getAttribute("data-tag") ?? "");
  };
  tbody.addEventListener("click", pick);
  tbody.addEventListener("keydown", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (target.getAttribute("data-testid") !== "compare-row") return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      pick(event);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const sib = event.key === "ArrowDown" ? target.nextElementSibling : target.previousElementSibling;
      if (sib instanceof HTMLElement) sib.focus();
    }
  });

  const table = h(
    "table",
    { class: "hd-cmp-table", "data-testid": "compare-matrix" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Tag"),
        h("th", { scope: "col" }, "Layer"),
        o.runs.map((r) =>
          h(
            "th",
            { scope: "col", "data-run": r.run, class: "hd-cmp-run", "data-reference": r.run === o.reference ? "true" : null },
            runDot(r.colorIndex),
            h("span", {}, r.run),
            r.run === o.reference ? h("span", { class: "hd-cmp-ref" }, " reference") : null,
          ),
        ),
      ),
    ),
    tbody,
  );

  const root = h(
    "section",
    { class: "hd-compare", "data-testid": "compare-view", "aria-label": "Compare runs" },
    overlay,
    h(
      "div",
      { class: "hd-cmp-matrix" },
      h(
        "div",
        { class: "hd-cmp-toolbar" },
        h("h3", { class: "hd-section-title" }, "Verdicts by tag and run"),
        h("span", { class: "hd-muted", "data-testid": "compare-count" }, `${differing} of ${o.rows.length} tags differ`),
        o.reference
          ? h("span", { class: "hd-muted hd-cmp-legend" }, `\u0394 = distance of the last distribution from ${o.reference}\u2019s, in its spreads`)
          : null,
        h("label", { class: "hd-cmp-sort" }, h("span", { class: "hd-muted" }, "Sort "), sortSelect),
      ),
      h("div", { class: "hd-cmp-scroll" }, table),
      more,
    ),
  );
  return { root, overlay, bandsSlot, ridgeSlots, sentence };
}

/**
 * Replace the ridgeline slots with one per run.
 * @param {HTMLElement} ridgeSlots
 * @param {string[]} runs
 * @returns {HTMLElement[]}
 */
export function ridgeSlotsFor(ridgeSlots, runs) {
  const slots = runs.map((run) =>
    h("div", { class: "hd-cmp-ridge" }, h("div", { class: "hd-cmp-ridge-label" }, run), h("div", { class: "hd-chart-slot hd-loading-slot", "data-slot": "ridge", "data-run": run })),
  );
  replaceChildren(ridgeSlots, slots);
  return slots.map((s) => /** @type {HTMLElement} */ (s.lastElementChild));
}
