// Cards and layer maps built and drawn lazily, so that thousands of tags answer at once: the first
// screen of cards is built with the render and the rest in short chunks that yield to the browser;
// a card's charts (and a run's layer map) are fetched and drawn only when it comes near the
// viewport.

import { DroppedError } from "../loader.js";
import { messageOf } from "../format.js";
import { chartTheme, movementClass } from "../charts/colors.js";
import { addCardActions, CARD_CHART_HEIGHT, chartError, drawCharts } from "../views/card.js";
import { drawLayerMap, layerMapError } from "../views/overview.js";

/** @typedef {import("../model.js").Run} Run */
/** @typedef {import("../model.js").Tag} Tag */
/** @typedef {import("../charts/layermap.js").LayerMap} LayerMap */
/** @typedef {import("./state.js").AppState} AppState */
/** @typedef {import("./loaders.js").Loaders} Loaders */

/** Start drawing a card this far before it scrolls into view. */
const LAZY_MARGIN = "400px 0px";
/** Cards built with the first screen; the rest are added in chunks so the page answers at once. */
const FIRST_CARDS = 120;
/** Time one chunk of card building may take before yielding to the browser, in milliseconds. */
const CHUNK_MS = 24;
/** Card height and width the placeholders of not-yet-built grids assume, in pixels. */
const CARD_ESTIMATE = { height: 250, minWidth: 360, gap: 10 };

/**
 * @typedef {object} LazyCardsContext
 * @property {AppState} state                     its theme colours the charts
 * @property {Loaders} loaders
 * @property {HTMLElement} root                   the tab's root: `data-cards` says whether every card is built
 * @property {HTMLElement} content                the tab's content, where the cards and maps are
 * @property {(run: string) => Run | undefined} runByName
 * @property {(run: string, tag: string) => Tag | null} findTag
 * @property {(run: string) => string} colorOf
 */

/**
 * One render's cards.
 * @typedef {object} CardBatch
 * @property {(grid: HTMLElement, count: number, fill: () => HTMLElement[]) => void} schedule
 *           fill a layer's card grid with the first screen, or later in a chunk
 * @property {() => void} start  once the render is in the document: build the first cards, watch
 *           the cards and layer maps, and build the rest in chunks
 */

/**
 * @typedef {object} LazyCards
 * @property {() => CardBatch} begin  a new render: the cards of older renders stop being built and watched
 */

/**
 * @param {LazyCardsContext} ctx
 * @returns {LazyCards}
 */
export function createLazyCards(ctx) {
  const { state, loaders, root, content, runByName, findTag, colorOf } = ctx;
  /** Bumped by each render: chunks of an older render stop. */
  let renderToken = 0;

  const io =
    typeof IntersectionObserver === "function"
      ? new IntersectionObserver(
          (entries) => {
            for (const entry of entries) {
              if (!entry.isIntersecting) continue;
              io?.unobserve(entry.target);
              drawLazy(/** @type {HTMLElement} */ (entry.target));
            }
          },
          { rootMargin: LAZY_MARGIN },
        )
      : null;
  /** @param {HTMLElement} el */
  const observe = (el) => (io ? io.observe(el) : drawLazy(el));

  /** @param {HTMLElement} el */
  function drawLazy(el) {
    if (!el.isConnected) return;
    const runName = el.getAttribute("data-run") ?? "";
    if (el.getAttribute("data-testid") === "layer-map") {
      const run = runByName(runName);
      if (!run) return;
      loaders.layerMap(run).then(
        ({ map }) => {
          if (!el.isConnected) return;
          drawLayerMap(el, map, chartTheme(state.theme));
          markLayerMovement(run.run, map);
        },
        (err) => {
          if (err instanceof DroppedError) observe(el);
          else if (el.isConnected) layerMapError(el, messageOf(err));
        },
      );
      return;
    }
    const tag = findTag(runName, el.getAttribute("data-tag") ?? "");
    if (!tag) return;
    loaders.series(runName, tag).then(
      (series) => {
        if (!el.isConnected) return;
        const charts = /** @type {HTMLElement} */ (el.querySelector(".hd-card-charts"));
        drawCharts(charts, { series, tag, run: runName, color: colorOf(runName), theme: chartTheme(state.theme), height: CARD_CHART_HEIGHT, compact: true });
        addCardActions(el);
        el.setAttribute("data-drawn", "true");
      },
      (err) => {
        if (err instanceof DroppedError) observe(el);
        else if (el.isConnected) {
          chartError(/** @type {HTMLElement} */ (el.querySelector(".hd-card-charts")), messageOf(err));
          addCardActions(el);
        }
      },
    );
  }

  /**
   * Write each layer's movement class into its layer heading in the run's section.
   * @param {string} runName
   * @param {LayerMap} map
   */
  function markLayerMovement(runName, map) {
    const section = [...content.querySelectorAll('[data-testid="run-section"]')].find((el) => el.getAttribute("data-run") === runName);
    if (!section) return;
    const byLayer = new Map(map.layers.map((l) => [l.layer ?? "", movementClass(l.movement)]));
    for (const el of section.querySelectorAll("[data-layer-move]")) {
      const m = byLayer.get(el.getAttribute("data-layer-move") ?? "");
      if (!m || m.cls === "unknown") continue;
      el.setAttribute("data-movement-class", m.cls);
      el.className = `hd-layer-move hd-move-${m.cls}`;
      el.textContent = m.cls === "still" ? "weights not learning" : m.cls === "slow" ? "weights barely moving" : "weights learning";
    }
  }

  /** @returns {CardBatch} */
  function begin() {
    const token = ++renderToken;
    // The old cards and maps are about to go: stop watching them.
    io?.disconnect();
    let budget = FIRST_CARDS;
    /** @type {Array<() => void>} grids of the first screen, built as soon as they are in the document */
    const now = [];
    /** @type {Array<() => void>} the other grids, built in chunks */
    const later = [];
    const columns = Math.max(1, Math.floor((content.clientWidth + CARD_ESTIMATE.gap) / (CARD_ESTIMATE.minWidth + CARD_ESTIMATE.gap)));
    /** @type {CardBatch["schedule"]} */
    const schedule = (grid, count, fill) => {
      const build = () => {
        grid.style.minHeight = "";
        const cards = fill();
        for (const card of cards) grid.appendChild(card);
        for (const card of cards) observe(card);
      };
      if (budget > 0) {
        budget -= count;
        now.push(build);
      } else {
        // Below the first screen: the browser skips laying out these grids until they come near
        // the viewport (thousands of cards would otherwise cost seconds of layout), and the
        // estimated height keeps the page from jumping while they fill.
        const estimate = Math.ceil(count / columns) * (CARD_ESTIMATE.height + CARD_ESTIMATE.gap);
        grid.style.minHeight = `${estimate}px`;
        grid.style.setProperty("content-visibility", "auto");
        grid.style.setProperty("contain-intrinsic-size", `auto ${estimate}px`);
        grid.setAttribute("data-pending", "true");
        later.push(() => {
          grid.removeAttribute("data-pending");
          build();
        });
      }
    };
    const start = () => {
      for (const el of content.querySelectorAll('[data-testid="layer-map"]')) observe(/** @type {HTMLElement} */ (el));
      // The first cards now; the rest in chunks that yield to the browser between them.
      for (const job of now) job();
      const pump = () => {
        if (token !== renderToken) return;
        const until = performance.now() + CHUNK_MS;
        while (later.length && performance.now() < until) later.shift()?.();
        if (later.length) setTimeout(pump, 0);
        else root.setAttribute("data-cards", "complete");
      };
      root.setAttribute("data-cards", later.length ? "pending" : "complete");
      if (later.length) setTimeout(pump, 0);
    };
    return { schedule, start };
  }

  return { begin };
}
