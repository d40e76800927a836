// Tags per status of a run, as the overview cards show them.

import { h } from "./dom.js";
import { statusLook } from "../status.js";

/** Count order in the summary; "unknown" is listed only when non-zero. */
const COUNTED = /** @type {const} */ (["critical", "warning", "info", "ok", "unknown"]);

/**
 * Tags per status as a compact list ("✖ 3 critical", ...); zero counts are dimmed.
 * @param {import("../model.js").Counts} counts
 * @returns {HTMLUListElement}
 */
export function countsList(counts) {
  return h(
    "ul",
    { class: "hd-counts", "aria-label": "Tags by status" },
    COUNTED.filter((s) => s !== "unknown" || counts.unknown > 0).map((s) => {
      const look = statusLook(s);
      return h(
        "li",
        { class: `hd-count hd-count-${s}${counts[s] ? "" : " hd-count-zero"}`, "data-status": s },
        h("span", { class: "hd-badge-icon", "aria-hidden": "true" }, look.icon),
        h("span", { class: "hd-count-n" }, String(counts[s])),
        ` ${look.label}`,
      );
    }),
  );
}
