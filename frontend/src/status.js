// The status and severity vocabulary of the diagnostics contract, and how each one is shown.
// DOM-free.

/** @typedef {"ok" | "info" | "warning" | "critical" | "unknown"} Status */
/** @typedef {"info" | "warning" | "critical"} Severity */

/** Statuses in the order a report lists them: worst first. @type {readonly Status[]} */
export const STATUSES = Object.freeze(["critical", "warning", "info", "ok", "unknown"]);

/**
 * How bad each status is; "unknown" (cannot be judged) ranks below "ok" so that it never
 * passes a severity threshold, and above nothing.
 * @type {Readonly<Record<Status, number>>}
 */
const RANK = Object.freeze({ unknown: -1, ok: 0, info: 1, warning: 2, critical: 3 });

/**
 * Icon and words per status. The icon is decoration; the word always travels with it so that
 * colour is never the only signal.
 * @type {Readonly<Record<Status, {icon: string, label: string}>>}
 */
const LOOK = Object.freeze({
  critical: { icon: "\u2716", label: "critical" },
  warning: { icon: "\u26A0", label: "warning" },
  info: { icon: "\u2139", label: "info" },
  ok: { icon: "\u2714", label: "ok" },
  unknown: { icon: "?", label: "unknown" },
});

/**
 * Whether a value is one of the five statuses of the contract.
 * @param {unknown} value
 * @returns {value is Status}
 */
export function isStatus(value) {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(RANK, value);
}

/**
 * A known status, or "unknown" for anything the backend might send that we do not know.
 * @param {unknown} value
 * @returns {Status}
 */
export function toStatus(value) {
  return isStatus(value) ? value : "unknown";
}

/**
 * Numeric badness of a status: critical 3, warning 2, info 1, ok 0, unknown -1.
 * @param {unknown} status
 * @returns {number}
 */
export function statusRank(status) {
  return RANK[toStatus(status)];
}

/**
 * The worse of the given statuses ("unknown" when the list is empty).
 * @param {Iterable<unknown>} statuses
 * @returns {Status}
 */
export function worstStatus(statuses) {
  /** @type {Status} */
  let worst = "unknown";
  for (const s of statuses) {
    const status = toStatus(s);
    if (statusRank(status) > statusRank(worst)) worst = status;
  }
  return worst;
}

/**
 * Icon and label for a status.
 * @param {unknown} status
 * @returns {{status: Status, icon: string, label: string}}
 */
export function statusLook(status) {
  const s = toStatus(status);
  return { status: s, ...LOOK[s] };
}
