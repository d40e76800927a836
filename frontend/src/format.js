// Turning numbers, steps, evidence values and errors into short text. DOM-free.

/** Shown for a missing value (null, undefined, NaN reported as null by the backend). */
export const MISSING = "\u2014";

/** En dash used in ranges ("0–99"). */
const RANGE = "\u2013";

/** Significant digits for non-integers. */
const SIGNIFICANT = 4;

/**
 * A measured value with sensible precision: integers below 1e6 in full, other values with 4
 * significant digits; exponent notation below 1e-3 and from 1e6 on (large float32 values are
 * integers, and "3.2e11" reads better than twelve digits); trailing zeros trimmed. Non-finite
 * values are spelled out. Steps and counts use formatStep instead.
 * @param {number | null | undefined} value
 * @returns {string}
 */
export function formatNumber(value) {
  if (value === null || value === undefined) return MISSING;
  if (typeof value !== "number") return String(value);
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+\u221E";
  if (value === -Infinity) return "\u2212\u221E";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e6) return String(value);
  if (abs >= 1e-3 && abs < 1e6) {
    // Number() drops trailing zeros and avoids toPrecision's exponent form (12345.6 → "12350").
    return String(Number(value.toPrecision(SIGNIFICANT)));
  }
  const [mantissa, exponent] = value.toExponential(SIGNIFICANT - 1).split("e");
  return `${Number(mantissa)}e${exponent.replace("+", "")}`;
}

/**
 * A step or a count: integers in full as logged (no separators, no exponent); anything else
 * as formatNumber.
 * @param {number | null | undefined} value
 * @returns {string}
 */
export function formatStep(value) {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return formatNumber(value);
}

/**
 * An evidence value as text: numbers via formatNumber, null as "—", booleans as yes/no,
 * the backend's non-finite strings kept, lists joined, objects as compact JSON.
 * @param {unknown} value
 * @returns {string}
 */
export function formatValue(value) {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string") return value === "" ? MISSING : value;
  if (Array.isArray(value)) return value.map(formatValue).join(", ");
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * An evidence key in words: "distinct_values" → "distinct values".
 * @param {string} key
 * @returns {string}
 */
export function formatKey(key) {
  if (key === "expected") return "expected (pattern)"; // the [expect] pattern of the config
  return key.replace(/_+/g, " ").trim() || key;
}

/**
 * Steps a verdict shows at: [] → "—", [5] or [5, 5] → "step 5", [0, 99] → "steps 0–99",
 * longer lists → "steps 3, 8, 12".
 * @param {readonly number[]} steps
 * @returns {string}
 */
export function formatVerdictSteps(steps) {
  if (!steps.length) return MISSING;
  if (steps.length === 1 || (steps.length === 2 && steps[0] === steps[1])) return `step ${formatStep(steps[0])}`;
  if (steps.length === 2) return `steps ${formatStep(steps[0])}${RANGE}${formatStep(steps[1])}`;
  return `steps ${steps.map(formatStep).join(", ")}`;
}

/**
 * A tag's logged steps: count and range, e.g. "100 (0–99)", "1 (5)", "—".
 * @param {number | null} count
 * @param {number | null} first
 * @param {number | null} last
 * @returns {string}
 */
export function formatTagSteps(count, first, last) {
  /** @type {string} */
  let range = "";
  if (first !== null && last !== null) {
    range = first === last ? formatStep(first) : `${formatStep(first)}${RANGE}${formatStep(last)}`;
  } else if (first !== null || last !== null) {
    range = formatStep(first ?? last);
  }
  if (count === null) return range || MISSING;
  return range ? `${formatStep(count)} (${range})` : formatStep(count);
}

/**
 * "1 tag", "3 tags".
 * @param {number} n
 * @param {string} singular
 * @param {string} [plural]
 * @returns {string}
 */
export function plural(n, singular, plural = `${singular}s`) {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** Characters that change the direction of the text after them (marks, embeddings, overrides, isolates). */
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/**
 * Text that cannot change the direction of what follows it: a name with bidi controls (e.g. a
 * run named "\u202Eright-to-left", whose override would otherwise reverse the rest of a sentence,
 * numbers included) is wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE, with extra
 * isolates to balance any the name opens or closes itself. Text without bidi controls is returned
 * unchanged.
 * @param {unknown} value
 * @returns {string}
 */
export function isolateBidi(value) {
  const text = String(value ?? "");
  if (!BIDI_CONTROL.test(text)) return text;
  let open = 0;
  let strayClose = 0;
  for (const ch of text) {
    if (ch === "\u2066" || ch === "\u2067" || ch === "\u2068") open += 1;
    else if (ch === "\u2069") {
      if (open) open -= 1;
      else strayClose += 1;
    }
  }
  return `${"\u2068".repeat(1 + strayClose)}${text}${"\u2069".repeat(1 + open)}`;
}

/**
 * What went wrong, as text: an Error's message, anything else thrown as a string.
 * @param {unknown} err
 * @returns {string}
 */
export function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}
