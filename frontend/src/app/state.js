// The tab's state: what has loaded and what the user picked (the picks are mirrored in the URL
// hash). One object, created here from the URL's view state; app.js holds it and hands it to the
// app's modules, which read it and write the picks they own.

import { compileTagFilter } from "../tagfilter.js";

/** @typedef {import("../model.js").Diagnostics} Diagnostics */
/** @typedef {import("../api.js").ApiError} ApiError */
/** @typedef {import("../filters.js").SeverityFilter} SeverityFilter */
/** @typedef {import("../tagfilter.js").TagFilter} TagFilter */
/** @typedef {import("../compare.js").CompareSort} CompareSort */
/** @typedef {import("../urlstate.js").ViewState} ViewState */

/**
 * @typedef {object} AppState
 * @property {Diagnostics | null} data
 * @property {unknown} raw                     the diagnostics document as the backend sent it
 * @property {string} rawText                  its JSON with TensorBoard's run order (to see changes)
 * @property {ApiError | null} error
 * @property {boolean} loading
 * @property {Date | null} updatedAt
 * @property {Set<string> | null} baseline     the findings of the first load (fresh.js)
 * @property {number} freshCount               findings that appeared since the first load
 * @property {string} tagFilterText
 * @property {TagFilter} tagFilter
 * @property {SeverityFilter} severity
 * @property {string} role
 * @property {Set<string> | null} selected     null = every run
 * @property {{run: string, tag: string} | null} open  the tag whose detail view is open
 * @property {boolean} compare
 * @property {string | null} compareTag
 * @property {[string, string] | null} compareRuns
 * @property {CompareSort} sort
 * @property {"light" | "dark"} theme
 * @property {boolean} openFromUrl             open the detail view named in the URL once, after the first load
 */

/**
 * The state before the first load, with the picks the URL holds.
 * @param {Required<ViewState>} initial
 * @returns {AppState}
 */
export function createState(initial) {
  return {
    data: null,
    raw: null,
    rawText: "",
    error: null,
    loading: false,
    updatedAt: null,
    baseline: null,
    freshCount: 0,
    tagFilterText: initial.tagFilter,
    tagFilter: compileTagFilter(initial.tagFilter),
    severity: initial.severity,
    role: initial.role,
    selected: initial.runs ? new Set(initial.runs) : null,
    open: initial.open,
    compare: initial.compare,
    compareTag: initial.compareTag,
    compareRuns: initial.compareRuns,
    sort: initial.sort,
    theme: "light",
    openFromUrl: initial.open !== null,
  };
}
