// The header (title, status line, actions) and the filter toolbar. These elements live for the
// whole session; the app only updates their state, so focus and typing are never interrupted.

import { h } from "./dom.js";
import { ROLE_FILTERS, SEVERITY_FILTERS } from "../filters.js";

/**
 * @typedef {object} HeaderParts
 * @property {HTMLElement} root
 * @property {HTMLElement} pickerSlot    where the run picker goes
 * @property {HTMLInputElement} tagInput
 * @property {HTMLElement} filterError
 * @property {HTMLSelectElement} severitySelect
 * @property {HTMLSelectElement} roleSelect
 * @property {HTMLButtonElement} tagsViewButton
 * @property {HTMLButtonElement} compareViewButton
 * @property {HTMLButtonElement} reloadButton
 * @property {HTMLButtonElement} copyButton
 * @property {HTMLDetailsElement} downloadMenu
 * @property {HTMLAnchorElement} downloadLink      the Markdown report (blob: link)
 * @property {HTMLButtonElement} viewPngButton
 * @property {HTMLButtonElement} viewSvgButton
 * @property {HTMLButtonElement} jsonButton
 * @property {HTMLElement} statusText   "Updated 12:03:04", "Copied", ... (polite live region)
 * @property {HTMLElement} shownText    "12 of 40 tags"
 */

/**
 * Build the header and toolbar.
 * @param {{tagFilter: string, severity: string, role: string}} initial
 * @returns {HeaderParts}
 */
export function buildHeader(initial) {
  const tagInput = h("input", {
    type: "search",
    id: "hd-tag-filter",
    class: "hd-input",
    "data-testid": "tag-filter",
    placeholder: "Filter tags (regular expression)",
    spellcheck: "false",
    autocomplete: "off",
    "aria-describedby": "hd-filter-error",
  });
  tagInput.value = initial.tagFilter;

  const severitySelect = h(
    "select",
    { id: "hd-severity-filter", class: "hd-select", "data-testid": "severity-filter" },
    SEVERITY_FILTERS.map((f) => h("option", { value: f.value }, f.label)),
  );
  severitySelect.value = initial.severity;
  const roleSelect = h(
    "select",
    { id: "hd-role-filter", class: "hd-select", "data-testid": "role-filter" },
    ROLE_FILTERS.map((f) => h("option", { value: f.value }, f.label)),
  );
  roleSelect.value = initial.role;

  const tagsViewButton = h("button", { type: "button", class: "hd-seg", "data-testid": "view-tags", "aria-pressed": "true" }, "Tags");
  const compareViewButton = h(
    "button",
    { type: "button", class: "hd-seg", "data-testid": "view-compare", "aria-pressed": "false", title: "Compare runs tag by tag" },
    "Compare",
  );

  const filterError = h("span", { id: "hd-filter-error", class: "hd-filter-error", "data-testid": "filter-error", role: "alert" });
  const reloadButton = h(
    "button",
    { type: "button", class: "hd-button hd-button-primary", "data-testid": "reload-button", title: "Reload diagnostics" },
    h("span", { class: "hd-reload-icon", "aria-hidden": "true" }, "\u21BB"),
    " Reload",
  );
  const copyButton = h("button", { type: "button", class: "hd-button", "data-testid": "copy-markdown", title: "Copy a Markdown report of what is shown" }, "Copy Markdown");
  const downloadLink = h(
    "a",
    { class: "hd-menu-item", "data-testid": "download-markdown", download: "tb_histdiag-report.md", "aria-disabled": "true", role: "menuitem" },
    "Report (.md)",
  );
  const viewPngButton = h("button", { type: "button", class: "hd-menu-item", "data-testid": "download-view-png", role: "menuitem" }, "View as PNG");
  const viewSvgButton = h("button", { type: "button", class: "hd-menu-item", "data-testid": "download-view-svg", role: "menuitem" }, "View as SVG");
  const jsonButton = h("button", { type: "button", class: "hd-menu-item", "data-testid": "download-json", role: "menuitem" }, "Data (.json)");
  const downloadMenu = h(
    "details",
    { class: "hd-menu", "data-testid": "download-menu" },
    h("summary", { class: "hd-button", "aria-haspopup": "menu" }, "Download", h("span", { class: "hd-picker-caret", "aria-hidden": "true" }, "\u25BE")),
    h("div", { class: "hd-menu-panel", role: "menu" }, downloadLink, viewPngButton, viewSvgButton, jsonButton),
  );
  downloadMenu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && downloadMenu.open) {
      downloadMenu.open = false;
      downloadMenu.querySelector("summary")?.focus();
    }
  });
  downloadMenu.ownerDocument.addEventListener("mousedown", (event) => {
    if (downloadMenu.open && !downloadMenu.contains(/** @type {Node} */ (event.target))) downloadMenu.open = false;
  });
  const statusText = h("span", { class: "hd-status-text", "aria-live": "polite", "data-testid": "status-text" });
  const shownText = h("span", { class: "hd-shown", "data-testid": "shown-count" });
  const pickerSlot = h("div", { class: "hd-picker-slot" });

  const root = h(
    "div",
    { class: "hd-top" },
    h(
      "header",
      { class: "hd-header" },
      h("h1", { class: "hd-title" }, "Diagnostics"),
      statusText,
      h("div", { class: "hd-actions" }, copyButton, downloadMenu, reloadButton),
    ),
    h(
      "div",
      { class: "hd-toolbar", role: "search" },
      pickerSlot,
      h(
        "div",
        { class: "hd-field hd-field-grow" },
        h("label", { for: "hd-tag-filter" }, "Tags"),
        tagInput,
        filterError,
      ),
      h("div", { class: "hd-field" }, h("label", { for: "hd-severity-filter" }, "Show"), severitySelect),
      h("div", { class: "hd-field" }, h("label", { for: "hd-role-filter" }, "Role"), roleSelect),
      h(
        "div",
        { class: "hd-field" },
        h("span", { class: "hd-field-label", id: "hd-view-label" }, "View"),
        h("div", { class: "hd-segmented", role: "group", "aria-labelledby": "hd-view-label" }, tagsViewButton, compareViewButton),
      ),
      shownText,
    ),
  );
  return {
    root,
    pickerSlot,
    tagInput,
    filterError,
    severitySelect,
    roleSelect,
    tagsViewButton,
    compareViewButton,
    reloadButton,
    copyButton,
    downloadMenu,
    downloadLink,
    viewPngButton,
    viewSvgButton,
    jsonButton,
    statusText,
    shownText,
  };
}
