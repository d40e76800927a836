// Status badges and verdict chips: icon and word together, colour only as a third signal.

import { h } from "./dom.js";
import { statusLook } from "../status.js";
import { runColor } from "../palette.js";

/**
 * A status badge, e.g. "✖ critical".
 * @param {unknown} status
 * @param {{compact?: boolean}} [options]  compact: a smaller badge for table cells
 * @returns {HTMLSpanElement}
 */
export function statusBadge(status, options = {}) {
  const look = statusLook(status);
  return h(
    "span",
    {
      class: `hd-badge hd-sev-${look.status}${options.compact ? " hd-badge-compact" : ""}`,
      "data-testid": "status-badge",
      "data-status": look.status,
    },
    h("span", { class: "hd-badge-icon", "aria-hidden": "true" }, look.icon),
    look.label,
  );
}

/**
 * A verdict title chip (icon, title; the severity in the tooltip and for screen readers).
 * @param {import("../model.js").Verdict} verdict
 * @returns {HTMLSpanElement}
 */
export function verdictChip(verdict) {
  const look = statusLook(verdict.severity);
  return h(
    "span",
    {
      class: `hd-chip hd-sev-${look.status}`,
      "data-testid": "verdict",
      "data-verdict-id": verdict.id,
      "data-severity": look.status,
      title: `${look.label}: ${verdict.title}`,
    },
    h("span", { class: "hd-badge-icon", "aria-hidden": "true" }, look.icon),
    h("span", { class: "hd-visually-hidden" }, `${look.label}: `),
    verdict.title,
    expectedMark(verdict),
    freshMark(verdict),
  );
}

/**
 * The "new" mark of a verdict that was not there when the page was opened (null if it was).
 * @param {import("../model.js").Verdict} verdict
 * @returns {HTMLSpanElement | null}
 */
export function freshMark(verdict) {
  if (!verdict.fresh) return null;
  return h(
    "span",
    { class: "hd-fresh", "data-testid": "fresh", title: "New since this page was opened" },
    "new",
  );
}

/**
 * The "expected" mark of a verdict the configuration's [expect] table declared (null if not):
 * text, not colour, with the pattern in the tooltip (the pattern is untrusted text: textContent
 * and an attribute only).
 * @param {import("../model.js").Verdict} verdict
 * @returns {HTMLSpanElement | null}
 */
export function expectedMark(verdict) {
  if (!verdict.expected) return null;
  return h(
    "span",
    {
      class: "hd-expected",
      "data-testid": "expected",
      title: `As configured: [expect] pattern ${verdict.expected}`,
    },
    "expected",
  );
}

/**
 * The coloured dot of a run.
 * @param {number} index  the run's position in the response
 * @returns {HTMLSpanElement}
 */
export function runDot(index) {
  return h("span", {
    class: "hd-run-dot",
    "aria-hidden": "true",
    style: `background-color: ${runColor(index)}`,
  });
}
