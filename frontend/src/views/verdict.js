// A verdict in full: what the histogram shows, the numbers behind it, where, and what to do.

import { h } from "./dom.js";
import { expectedMark, statusBadge } from "./badge.js";
import { statusLook } from "../status.js";
import { formatKey, formatValue, formatVerdictSteps } from "../format.js";

/** @typedef {import("../model.js").Verdict} Verdict */

/**
 * The evidence as a two-column key/value table, or null when there is none.
 * @param {Record<string, unknown>} evidence
 * @returns {HTMLTableElement | null}
 */
export function evidenceTable(evidence) {
  const entries = Object.entries(evidence);
  if (!entries.length) return null;
  return h(
    "table",
    { class: "hd-evidence", "data-testid": "evidence" },
    h(
      "tbody",
      {},
      entries.map(([key, value]) =>
        h(
          "tr",
          {},
          h("th", { scope: "row", title: key }, formatKey(key)),
          h("td", {}, formatValue(value)),
        ),
      ),
    ),
  );
}

/**
 * The body of a verdict: summary, steps, evidence, the tags it rests on, and the fix.
 * @param {Verdict} verdict
 * @returns {HTMLDivElement}
 */
export function verdictBody(verdict) {
  const evidence = evidenceTable(verdict.evidence);
  return h(
    "div",
    { class: "hd-verdict-body" },
    verdict.summary ? h("p", { class: "hd-verdict-summary" }, verdict.summary) : null,
    h(
      "dl",
      { class: "hd-facts" },
      h("dt", {}, "Where"),
      h("dd", {}, formatVerdictSteps(verdict.steps)),
      verdict.tags.length ? [h("dt", {}, "Tags"), h("dd", { class: "hd-tag-list" }, verdict.tags.join(", "))] : null,
    ),
    evidence ? [h("h5", {}, "Evidence"), evidence] : null,
    verdict.fix.length
      ? [
          h("h5", {}, "How to fix"),
          verdict.fix.length === 1
            ? h("p", { class: "hd-fix" }, verdict.fix[0])
            : h("ul", { class: "hd-fix" }, verdict.fix.map((p) => h("li", {}, p))),
        ]
      : null,
  );
}

/**
 * A verdict inside a tag's expanded details.
 * @param {Verdict} verdict
 * @returns {HTMLElement}
 */
export function verdictArticle(verdict) {
  return h(
    "article",
    {
      class: `hd-verdict hd-verdict-${statusLook(verdict.severity).status}`,
      "data-testid": "verdict-detail",
      "data-verdict-id": verdict.id,
    },
    h(
      "h4",
      { class: "hd-verdict-title" },
      statusBadge(verdict.severity, { compact: true }),
      " ",
      verdict.title,
      expectedMark(verdict),
    ),
    verdictBody(verdict),
  );
}

/**
 * A run- or layer-level verdict as a disclosure: the title line, opening to the full body.
 * @param {Verdict} verdict
 * @returns {HTMLDetailsElement}
 */
export function verdictDisclosure(verdict) {
  const look = statusLook(verdict.severity);
  return h(
    "details",
    {
      class: `hd-disclosure hd-sev-border-${look.status}`,
      "data-testid": "verdict",
      "data-verdict-id": verdict.id,
      "data-severity": look.status,
    },
    h(
      "summary",
      {},
      h("span", { class: `hd-chip hd-sev-${look.status}` }, h("span", { "aria-hidden": "true" }, look.icon), ` ${look.label}`),
      " ",
      h("span", { class: "hd-disclosure-title" }, verdict.title),
      expectedMark(verdict),
    ),
    verdictBody(verdict),
  );
}
