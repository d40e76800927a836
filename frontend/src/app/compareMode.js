// Compare mode: the tags × runs matrix of the selected runs with their distances from the
// reference run, and one tag's bands and ridgelines of two runs overlaid. Reads the picks from the
// app's state and writes the ones it owns (tag, pair, sort); fetches what is missing, then asks for
// one redraw.

import { selectedRuns } from "../filters.js";
import { buildCompareRows, compareSentence, defaultPair, referenceRun, sortCompareRows } from "../compare.js";
import { chartTheme } from "../charts/colors.js";
import { overlayCharts } from "../charts/compose.js";
import { chartError } from "../views/card.js";
import { mountChart } from "../views/chart.js";
import { compareView, ridgeSlotsFor } from "../views/compareView.js";

/** @typedef {import("../model.js").Run} Run */
/** @typedef {import("../model.js").Tag} Tag */
/** @typedef {import("../filters.js").Filters} Filters */
/** @typedef {import("../compare.js").CompareRow} CompareRow */
/** @typedef {import("../charts/compose.js").OverlaySide} OverlaySide */
/** @typedef {import("./state.js").AppState} AppState */
/** @typedef {import("./loaders.js").Loaders} Loaders */
/** @typedef {import("./loaders.js").Distances} Distances */

/**
 * @typedef {object} CompareContext
 * @property {AppState} state
 * @property {Loaders} loaders
 * @property {HTMLElement} content                          the tab's content (the overlay is scrolled into view in it)
 * @property {() => Filters} filters                        the filters in force
 * @property {(run: string, tag: string) => Tag | null} findTag
 * @property {(run: string) => string} colorOf
 * @property {() => void} saveHash                          write the picks to the URL
 * @property {() => void} renderContent                     redraw the content
 * @property {(run: string, tag: string) => void} openDetail
 */

/**
 * @typedef {object} CompareModel
 * @property {Run[]} runs        the selected runs
 * @property {CompareRow[]} rows the matrix rows, in the picked order
 * @property {Run | null} ref    the reference run
 */

/**
 * @typedef {object} CompareMode
 * @property {() => CompareModel | null} model  the compare rows as shown (null outside compare mode)
 * @property {(runs: Run[]) => [string, string] | null} currentPair  the overlaid pair
 * @property {(pair: [string, string], tagName: string) => Promise<OverlaySide[]>} overlaySides
 *           both sides of the overlay, with their series loaded (sides that fail are left out)
 * @property {(runs: Run[]) => HTMLElement} render  the compare section, and the fetches that complete it
 */

/**
 * @param {CompareContext} ctx
 * @returns {CompareMode}
 */
export function createCompareMode(ctx) {
  const { state, loaders, content, filters, findTag, colorOf, saveHash, renderContent, openDetail } = ctx;
  let compareToken = 0;

  /** @returns {CompareModel | null} */
  const model = () => {
    if (!state.data || !state.compare) return null;
    const runs = selectedRuns(state.data.runs, state.selected);
    if (runs.length < 2) return null;
    const ref = referenceOf(runs);
    /** @type {Map<string, Distances>} */
    const distances = new Map();
    if (ref) {
      for (const r of runs) {
        if (r === ref) continue;
        const d = loaders.peekDistances(r, ref);
        if (d) distances.set(r.run, d);
      }
    }
    const rows = sortCompareRows(buildCompareRows(runs, filters(), distances), state.sort);
    return { runs, rows, ref };
  };
  /**
   * The reference run: the user's pick (B of the pair) when selected, else the healthiest.
   * @param {Run[]} runs
   * @returns {Run | null}
   */
  function referenceOf(runs) {
    const picked = state.compareRuns ? runs.find((r) => r.run === state.compareRuns?.[1]) : undefined;
    return picked ?? referenceRun(runs);
  }
  /**
   * The overlaid pair: the user's pick when both runs are selected, else the default for the tag.
   * @param {Run[]} runs
   * @returns {[string, string] | null}
   */
  function currentPair(runs) {
    const names = new Set(runs.map((r) => r.run));
    if (state.compareRuns && names.has(state.compareRuns[0]) && names.has(state.compareRuns[1])) return state.compareRuns;
    const rows = buildCompareRows(runs, filters());
    const row = rows.find((r) => r.tag === state.compareTag) ?? sortCompareRows(rows, "difference")[0];
    const ref = referenceOf(runs)?.run ?? null;
    return row ? defaultPair(row, ref) : runs.length >= 2 ? [runs[0].run, runs[1].run] : null;
  }

  /**
   * Both sides of the overlay, with their series loaded (sides that fail are left out).
   * @param {[string, string]} pair
   * @param {string} tagName
   */
  async function overlaySides(pair, tagName) {
    const sides = await Promise.all(
      pair.map(async (run) => {
        const tag = findTag(run, tagName);
        if (!tag) return null;
        try {
          return { run, color: colorOf(run), series: await loaders.series(run, tag), tag };
        } catch {
          return null;
        }
      }),
    );
    return /** @type {OverlaySide[]} */ (sides.filter((x) => x !== null));
  }

  /**
   * The compare section, and the fetches that complete it.
   * @param {Run[]} runs
   * @returns {HTMLElement}
   */
  function render(runs) {
    const shown = /** @type {CompareModel} */ (model());
    const { rows } = shown;
    if (!state.compareTag || !rows.some((r) => r.tag === state.compareTag)) state.compareTag = rows[0]?.tag ?? null;
    const pair = currentPair(runs);
    const parts = compareView({
      runs,
      rows,
      sort: state.sort,
      tag: state.compareTag,
      pair,
      reference: shown.ref?.run ?? null,
      onSort: (sort) => {
        state.sort = sort;
        saveHash();
        renderContent();
      },
      onPickTag: (tag) => {
        state.compareTag = tag;
        // A picked pair stays; otherwise the default pair follows the tag.
        saveHash();
        renderContent();
        content.querySelector('[data-testid="compare-overlay"]')?.scrollIntoView({ block: "nearest" });
      },
      onPickPair: (next) => {
        state.compareRuns = next;
        saveHash();
        renderContent();
      },
      onOpen: (run, tag) => openDetail(run, tag),
    });
    const tagName = state.compareTag;
    if (pair && tagName) {
      parts.sentence.textContent = compareSentence(tagName, { run: pair[0], tag: findTag(pair[0], tagName) }, { run: pair[1], tag: findTag(pair[1], tagName) });
      const slots = ridgeSlotsFor(parts.ridgeSlots, pair);
      void overlaySides(pair, tagName).then((sides) => {
        if (!parts.root.isConnected) return;
        const theme = chartTheme(state.theme);
        if (!sides.length) {
          chartError(parts.overlay, "neither run logs this tag");
          return;
        }
        const bandsWidth = Math.max(300, Math.floor(parts.bandsSlot.clientWidth || 600));
        const ridgeWidth = Math.max(160, Math.floor(slots[0]?.clientWidth || 300));
        const charts = overlayCharts(sides, { bandsWidth, bandsHeight: 280, ridgeWidth, ridgeHeight: 240, theme, label: `${tagName}: ${pair.join(" vs ")}` });
        parts.bandsSlot.classList.remove("hd-loading-slot");
        mountChart(parts.bandsSlot, charts.bands);
        parts.overlay.setAttribute("data-drawn", "true");
        sides.forEach((side, i) => {
          const slot = slots.find((el) => el.getAttribute("data-run") === side.run) ?? slots[i];
          slot.classList.remove("hd-loading-slot");
          mountChart(slot, charts.ridges[i]);
        });
      });
    } else {
      parts.sentence.textContent = "Pick a tag in the matrix to overlay two runs.";
    }
    // Distances from the reference run: fetch what is missing, then redraw once.
    if (shown.ref) {
      const ref = shown.ref;
      const missing = runs.filter((r) => r !== ref && !loaders.peekDistances(r, ref));
      if (missing.length) {
        const token = ++compareToken;
        void Promise.allSettled(missing.map((r) => loaders.distances(r, ref))).then((results) => {
          if (token === compareToken && state.compare && results.some((r) => r.status === "fulfilled")) renderContent();
        });
      }
    }
    return parts.root;
  }

  return { model, currentPair, overlaySides, render };
}
