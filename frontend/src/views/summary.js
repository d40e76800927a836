// The per-run summary at the top: run, overall status, tags per status, run-level verdicts.

import { h } from "./dom.js";
import { runDot, statusBadge } from "./badge.js";
import { statusLook } from "../status.js";

/** @typedef {import("../model.js").Run} Run */

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

/**
 * One run's summary card.
 * @param {Run} run
 * @param {(run: Run) => void} onJump  scroll to the run's table
 * @returns {HTMLLIElement}
 */
function runCard(run, onJump) {
  return h(
    "li",
    { class: "hd-run-card", "data-testid": "run-summary", "data-run": run.run },
    h(
      "div",
      { class: "hd-run-card-head" },
      runDot(run.index),
      h("button", { type: "button", class: "hd-link hd-run-name", title: `Go to ${run.run}`, onclick: () => onJump(run) }, run.run),
      statusBadge(run.status),
    ),
    countsList(run.counts),
    run.verdicts.length
      ? h(
          "ul",
          { class: "hd-run-verdicts" },
          run.verdicts.map((v) => {
            const look = statusLook(v.severity);
            return h(
              "li",
              { class: `hd-sev-text-${look.status}`, "data-testid": "run-verdict-title", "data-verdict-id": v.id },
              h("span", { class: "hd-badge-icon", "aria-hidden": "true" }, look.icon),
              h("span", { class: "hd-visually-hidden" }, `${look.label}: `),
              v.title,
            );
          }),
        )
      : null,
  );
}

/**
 * The summary of all runs.
 * @param {readonly Run[]} runs
 * @param {(run: Run) => void} onJump
 * @returns {HTMLElement}
 */
export function runSummary(runs, onJump) {
  return h(
    "section",
    { class: "hd-summary", "aria-label": "Runs" },
    h("ul", { class: "hd-run-cards" }, runs.map((r) => runCard(r, onJump))),
  );
}
