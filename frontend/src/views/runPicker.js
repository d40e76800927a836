// The run multi-select: a button that opens a panel of checkboxes, one per run with its colour,
// plus "All" and "None" and a name filter when there are many runs. Changes apply at once.

import { h, replaceChildren } from "./dom.js";
import { runColor } from "../palette.js";
import { statusLook } from "../status.js";

/** Show the name filter inside the panel from this many runs on. */
const FILTER_FROM = 8;

/**
 * @typedef {object} RunPicker
 * @property {HTMLElement} root
 * @property {(runs: ReadonlyArray<{run: string, colorIndex: number, status: string}>, selected: ReadonlySet<string> | null) => void} update
 */

/**
 * @param {(selected: string[] | null) => void} onChange  null = all runs
 * @returns {RunPicker}
 */
export function runPicker(onChange) {
  /** @type {ReadonlyArray<{run: string, colorIndex: number, status: string}>} */
  let runs = [];
  /** @type {Set<string> | null} */
  let selected = null;

  const label = h("span", { class: "hd-picker-label" }, "Runs");
  const dots = h("span", { class: "hd-picker-dots", "aria-hidden": "true" });
  const button = h(
    "button",
    {
      type: "button",
      class: "hd-select hd-picker-button",
      id: "hd-run-picker",
      "data-testid": "run-picker",
      "aria-haspopup": "true",
      "aria-expanded": "false",
      "aria-controls": "hd-run-panel",
    },
    dots,
    label,
    h("span", { class: "hd-picker-caret", "aria-hidden": "true" }, "\u25BE"),
  );
  const search = h("input", { type: "search", class: "hd-input hd-picker-search", placeholder: "Filter runs", "aria-label": "Filter runs", "data-testid": "run-search" });
  const list = h("div", { class: "hd-picker-list", role: "group", "aria-label": "Runs" });
  const panel = h(
    "div",
    { class: "hd-popover", id: "hd-run-panel", "data-testid": "run-picker-panel", hidden: true },
    h(
      "div",
      { class: "hd-picker-actions" },
      h("button", { type: "button", class: "hd-mini", "data-testid": "runs-all", onclick: () => commit(null) }, "All"),
      h("button", { type: "button", class: "hd-mini", "data-testid": "runs-none", onclick: () => commit(new Set()) }, "None"),
      search,
    ),
    list,
  );
  const root = h("div", { class: "hd-field hd-picker" }, h("label", { for: "hd-run-picker" }, "Runs"), h("div", { class: "hd-picker-anchor" }, button, panel));

  /** @param {Set<string> | null} next */
  function commit(next) {
    selected = next && next.size === runs.length && runs.every((r) => next.has(r.run)) ? null : next;
    paint();
    onChange(selected ? runs.filter((r) => selected?.has(r.run)).map((r) => r.run) : null);
  }

  /** @param {boolean} open */
  function setOpen(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) {
      search.value = "";
      paintList();
      (list.querySelector("input") ?? search).focus();
    }
  }

  function paintButton() {
    const shown = selected ? runs.filter((r) => selected?.has(r.run)) : runs;
    label.textContent = selected ? `${shown.length} of ${runs.length} runs` : `All ${runs.length} runs`;
    replaceChildren(
      dots,
      shown.slice(0, 7).map((r) => h("span", { class: "hd-run-dot", style: `background-color: ${runColor(r.colorIndex)}` })),
    );
  }

  function paintList() {
    const q = search.value.trim().toLowerCase();
    search.hidden = runs.length < FILTER_FROM;
    replaceChildren(
      list,
      runs
        .filter((r) => !q || r.run.toLowerCase().includes(q))
        .map((r) => {
          const look = statusLook(r.status);
          const input = h("input", {
            type: "checkbox",
            "data-testid": "run-option",
            "data-run": r.run,
            checked: !selected || selected.has(r.run),
          });
          input.addEventListener("change", () => {
            const next = new Set(selected ?? runs.map((x) => x.run));
            if (input.checked) next.add(r.run);
            else next.delete(r.run);
            commit(next);
          });
          return h(
            "label",
            { class: "hd-picker-item", title: r.run },
            input,
            h("span", { class: "hd-run-dot", style: `background-color: ${runColor(r.colorIndex)}`, "aria-hidden": "true" }),
            h("span", { class: "hd-picker-name" }, r.run),
            h("span", { class: `hd-picker-status hd-sev-text-${look.status}`, title: look.label }, look.icon, h("span", { class: "hd-visually-hidden" }, ` ${look.label}`)),
          );
        }),
    );
  }

  function paint() {
    paintButton();
    if (!panel.hidden) {
      for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (list.querySelectorAll("input[type=checkbox]"))) {
        const run = input.getAttribute("data-run") ?? "";
        input.checked = !selected || selected.has(run);
      }
    }
  }

  button.addEventListener("click", () => setOpen(panel.hidden));
  search.addEventListener("input", paintList);
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      event.stopPropagation();
      setOpen(false);
      button.focus();
    }
  });
  // Close when focus or a click goes elsewhere.
  root.ownerDocument.addEventListener("mousedown", (event) => {
    if (!panel.hidden && !root.contains(/** @type {Node} */ (event.target))) setOpen(false);
  });
  root.addEventListener("focusout", (event) => {
    const next = /** @type {Node | null} */ (event.relatedTarget);
    if (!panel.hidden && next && !root.contains(next)) setOpen(false);
  });

  return {
    root,
    update(nextRuns, nextSelected) {
      runs = nextRuns;
      selected = nextSelected ? new Set(nextSelected) : null;
      paintButton();
      if (!panel.hidden) paintList();
    },
  };
}
