// The view's state in TensorBoard's URL hash. TensorBoard keeps its state in the top page's hash
// as `#<tab>&key=value&...` (keys and values URI-encoded) and keeps keys it does not know, so the
// Diagnostics tab stores its own under the `p.tb_histdiag.` prefix. The legacy Histograms and
// Distributions tabs share the plain `tagFilter` key; it seeds our tag filter. DOM-free.

import { parseRoleFilter, parseSeverityFilter } from "./filters.js";
import { parseCompareSort } from "./compare.js";

/** @typedef {import("./filters.js").SeverityFilter} SeverityFilter */
/** @typedef {import("./compare.js").CompareSort} CompareSort */

/** TensorBoard's shared tag-filter key (legacy dashboards). */
export const SHARED_TAG_FILTER = "tagFilter";
const PREFIX = "p.tb_histdiag.";
export const KEYS = Object.freeze({
  tagFilter: `${PREFIX}tagFilter`,
  severity: `${PREFIX}severity`,
  run: `${PREFIX}run`,
  tag: `${PREFIX}tag`,
  runs: `${PREFIX}runs`,
  role: `${PREFIX}role`,
  compare: `${PREFIX}compare`,
  compareTag: `${PREFIX}compareTag`,
  compareRuns: `${PREFIX}compareRuns`,
  sort: `${PREFIX}sort`,
});

/**
 * @typedef {object} Hash
 * @property {string} tab                 the leading item without "=" (TensorBoard's active tab)
 * @property {Array<[string, string]>} params  decoded key/value pairs in their original order
 */

/**
 * decodeURIComponent that keeps malformed input as it is instead of throwing. A "+" is a
 * space, as in form encoding (Python's urlencode writes links that way); our own links encode
 * a literal "+" as %2B, so nothing is lost.
 * @param {string} text
 * @returns {string}
 */
function safeDecode(text) {
  const spaced = text.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * Parse a location hash ("#scalars&tagFilter=a%7Cb") into the tab and decoded pairs.
 * @param {string} hash  with or without the leading "#"
 * @returns {Hash}
 */
export function parseHash(hash) {
  const body = hash.startsWith("#") ? hash.slice(1) : hash;
  /** @type {Hash} */
  const parsed = { tab: "", params: [] };
  for (const item of body.split("&")) {
    if (!item) continue;
    const eq = item.indexOf("=");
    if (eq === -1) {
      if (!parsed.tab) parsed.tab = safeDecode(item);
      continue;
    }
    parsed.params.push([safeDecode(item.slice(0, eq)), safeDecode(item.slice(eq + 1))]);
  }
  return parsed;
}

/**
 * The hash string for a parsed hash, "" when it holds nothing.
 * @param {Hash} hash
 * @returns {string}
 */
export function serializeHash(hash) {
  const items = hash.params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  if (hash.tab) items.unshift(encodeURIComponent(hash.tab));
  return items.length ? `#${items.join("&")}` : "";
}

/**
 * @param {Hash} hash
 * @param {string} key
 * @returns {string | undefined}
 */
function get(hash, key) {
  const found = hash.params.find(([k]) => k === key);
  return found ? found[1] : undefined;
}

/**
 * A copy of the hash with `key` set to `value` (in place if present, else appended), or removed
 * when `value` is undefined.
 * @param {Hash} hash
 * @param {string} key
 * @param {string | undefined} value
 * @returns {Hash}
 */
export function withParam(hash, key, value) {
  const params = hash.params.filter(([k]) => k !== key || value !== undefined);
  if (value !== undefined) {
    const i = params.findIndex(([k]) => k === key);
    if (i === -1) params.push([key, value]);
    else params[i] = [key, value];
  }
  return { tab: hash.tab, params };
}

/**
 * @typedef {object} ViewState
 * @property {string} tagFilter
 * @property {SeverityFilter} severity
 * @property {{run: string, tag: string} | null} open  the tag whose detail view is open
 * @property {string[] | null} [runs]        the selected runs; null = all runs
 * @property {string} [role]                 "all" or a role
 * @property {boolean} [compare]             compare mode
 * @property {string | null} [compareTag]    the tag whose bands are overlaid in compare mode
 * @property {[string, string] | null} [compareRuns]  the two runs overlaid (A, reference B)
 * @property {CompareSort} [sort]            the compare matrix's order
 */

/**
 * A list of strings stored as a JSON array; null for anything else (a hand-edited or hostile
 * value never throws and never yields non-strings).
 * @param {string | undefined} text
 * @returns {string[] | null}
 */
export function parseStringList(text) {
  if (text === undefined) return null;
  try {
    const value = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return [...new Set(value)];
  } catch {
    // not JSON
  }
  return null;
}

/**
 * The view state stored in a hash: our own keys first, then TensorBoard's shared tag filter.
 * @param {Hash} hash
 * @returns {Required<ViewState>}
 */
export function readViewState(hash) {
  const run = get(hash, KEYS.run);
  const tag = get(hash, KEYS.tag);
  const pair = parseStringList(get(hash, KEYS.compareRuns));
  return {
    tagFilter: get(hash, KEYS.tagFilter) ?? get(hash, SHARED_TAG_FILTER) ?? "",
    severity: parseSeverityFilter(get(hash, KEYS.severity)),
    open: run !== undefined && tag !== undefined ? { run, tag } : null,
    runs: parseStringList(get(hash, KEYS.runs)),
    role: parseRoleFilter(get(hash, KEYS.role)),
    compare: get(hash, KEYS.compare) === "1",
    compareTag: get(hash, KEYS.compareTag) ?? null,
    compareRuns: pair && pair.length === 2 ? [pair[0], pair[1]] : null,
    sort: parseCompareSort(get(hash, KEYS.sort)),
  };
}

/**
 * The hash with the view state written under our keys, every other key untouched. Defaults are
 * left out; our tag filter is stored only when it differs from the shared one it started from.
 * @param {Hash} hash
 * @param {ViewState} state
 * @returns {Hash}
 */
export function writeViewState(hash, state) {
  const shared = get(hash, SHARED_TAG_FILTER) ?? "";
  let next = withParam(hash, KEYS.tagFilter, state.tagFilter === shared ? undefined : state.tagFilter);
  next = withParam(next, KEYS.severity, state.severity === "all" ? undefined : state.severity);
  next = withParam(next, KEYS.run, state.open ? state.open.run : undefined);
  next = withParam(next, KEYS.tag, state.open ? state.open.tag : undefined);
  next = withParam(next, KEYS.runs, state.runs ? JSON.stringify(state.runs) : undefined);
  next = withParam(next, KEYS.role, state.role && state.role !== "all" ? state.role : undefined);
  next = withParam(next, KEYS.compare, state.compare ? "1" : undefined);
  next = withParam(next, KEYS.compareTag, state.compare && state.compareTag ? state.compareTag : undefined);
  next = withParam(next, KEYS.compareRuns, state.compare && state.compareRuns ? JSON.stringify(state.compareRuns) : undefined);
  next = withParam(next, KEYS.sort, state.compare && state.sort && state.sort !== "difference" ? state.sort : undefined);
  return next;
}

/**
 * A regular expression that matches exactly `text`.
 * @param {string} text
 * @returns {string}
 */
export function exactRegex(text) {
  return `^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
}

/**
 * The hash that opens TensorBoard's Histograms (or Distributions) tab filtered to one tag,
 * keeping every other key of the current hash.
 * @param {Hash} hash
 * @param {string} tag
 * @param {"histograms" | "distributions"} [tab]
 * @returns {string}
 */
export function deepLinkHash(hash, tag, tab = "histograms") {
  return serializeHash(withParam({ tab, params: hash.params }, SHARED_TAG_FILTER, exactRegex(tag)));
}
