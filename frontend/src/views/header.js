// The header (title, status line, actions) and the filter toolbar. These elements live for the
// whole session; the app only updates their state, so focus and typing are never interrupted.

import { h } from "./dom.js";
import { SEVERITY_FILTERS } from "../filters.js";

/**
 * @typedef {object} HeaderParts
 * @property {HTMLElement} root
 * @property {HTMLInputElement} tagInput
 * @property {HTMLElement} filterError
 * @property {HTMLSelectElement} severitySelect
 * @property {HTMLButtonElement} reloadButton
 * @property {HTMLButtonElement} copyButton
 * @property {HTMLAnchorElement} downloadLink
 * @property {HTMLElement} statusText   "Updated 12:03:04", "Copied", ... (polite live region)
 * @property {HTMLElement} shownText    "12 of 40 tags"
 */

/**
 * Build the header and toolbar.
 * @param {{tagFilter: string, severity: string}} initial
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

  const filterError = h("span", { id: "hd-filter-error", class: "hd-filter-error", "data-testid": "filter-error", role: "alert" });
  const reloadButton = h(
    "button",
    { type: "button", class: "hd-button hd-button-primary", "data-testid": "reload-button", title: "Reload diagnostics" },
    h("span", { class: "hd-reload-icon", "aria-hidden": "true" }, "\u21BB"),
    " Reload",
  );
  const copyButton = h("button", { type: "button", class: "hd-button", "data-testid": "copy-markdown" }, "Copy Markdown");
  const downloadLink = h(
    "a",
    { class: "hd-button", "data-testid": "download-markdown", download: "tb_histdiag-report.md", "aria-disabled": "true" },
    "Download .md",
  );
  const statusText = h("span", { class: "hd-status-text", "aria-live": "polite" });
  const shownText = h("span", { class: "hd-shown", "data-testid": "shown-count" });

  const root = h(
    "div",
    { class: "hd-top" },
    h(
      "header",
      { class: "hd-header" },
      h("h1", { class: "hd-title" }, "Diagnostics"),
      statusText,
      h("div", { class: "hd-actions" }, copyButton, downloadLink, reloadButton),
    ),
    h(
      "div",
      { class: "hd-toolbar", role: "search" },
      h(
        "div",
        { class: "hd-field hd-field-grow" },
        h("label", { for: "hd-tag-filter" }, "Tags"),
        tagInput,
        filterError,
      ),
      h("div", { class: "hd-field" }, h("label", { for: "hd-severity-filter" }, "Show"), severitySelect),
      shownText,
    ),
  );
  return { root, tagInput, filterError, severitySelect, reloadButton, copyButton, downloadLink, statusText, shownText };
}
