// What the tab fetches: the diagnostics document with TensorBoard's run order, and the per-chart
// data (series, layer maps, distances between runs), each kind through its own loader (loader.js:
// bounded concurrency, newest first, a cache) keyed so that a tag or run that logged new steps is
// fetched again.

import { distancesFromCompare } from "../compare.js";
import { normalizeLayerMap } from "../charts/layermap.js";
import { createLoader } from "../loader.js";
import { normalizeSeries } from "../series.js";

/** @typedef {import("../model.js").Run} Run */
/** @typedef {import("../model.js").Tag} Tag */
/** @typedef {import("../series.js").Series} Series */
/** @typedef {import("../charts/layermap.js").LayerMap} LayerMap */
/** @typedef {{map: LayerMap, raw: unknown}} LoadedLayerMap  normalised, and as the backend sent it */
/** @typedef {Map<string, number | null>} Distances  by tag */

/** Series requests in flight at once. */
const SERIES_CONCURRENCY = 4;

/**
 * @typedef {object} LoadersContext
 * @property {typeof import("../api.js").getJson} getJson  GET of a plugin route
 */

/**
 * @typedef {object} Loaders
 * @property {(signal: AbortSignal) => Promise<[unknown, string[] | null]>} diagnostics
 *           the diagnostics document and TensorBoard's run order (null when it cannot be read)
 * @property {(run: string, tag: Tag) => Promise<Series>} series
 *           the series of a tag (cached until the tag logs new steps)
 * @property {(run: Run) => Promise<LoadedLayerMap>} layerMap
 * @property {(run: Run) => LoadedLayerMap | undefined} peekLayerMap  a loaded map, without loading
 * @property {(a: Run, b: Run) => Promise<Distances>} distances  run `a`'s tags from run `b`'s (GET compare)
 * @property {(a: Run, b: Run) => Distances | undefined} peekDistances  loaded distances, without loading
 */

/**
 * A run's version for the cache keys: changes when it logs new steps or tags.
 * @param {Run} run
 * @returns {string}
 */
function runVersion(run) {
  return run.tags.reduce((m, t) => Math.max(m, t.lastStep ?? -1), -1) + ":" + run.tags.length;
}

/**
 * @param {LoadersContext} ctx
 * @returns {Loaders}
 */
export function createLoaders(ctx) {
  const { getJson } = ctx;
  /** @type {import("../loader.js").Loader<Series>} */
  const seriesLoader = createLoader({ concurrency: SERIES_CONCURRENCY, cacheSize: 400 });
  /** @type {import("../loader.js").Loader<LoadedLayerMap>} */
  const mapLoader = createLoader({ concurrency: 3, cacheSize: 128 });
  /** @type {import("../loader.js").Loader<Distances>} */
  const compareLoader = createLoader({ concurrency: 2, cacheSize: 128 });

  /** @param {string} run @param {Tag} tag */
  const seriesKey = (run, tag) => `${run}\u0000${tag.tag}\u0000${tag.lastStep}\u0000${tag.steps}`;
  /** @param {Run} run */
  const mapKey = (run) => `${run.run}\u0000${runVersion(run)}`;
  /** @param {Run} a @param {Run} b */
  const compareKey = (a, b) => `${a.run}\u0000${b.run}\u0000${runVersion(a)}\u0000${runVersion(b)}`;

  /**
   * TensorBoard's run order (GET /data/runs), which its Histograms and Distributions tabs use
   * for run colours; null when it cannot be read.
   * @param {AbortSignal} signal
   * @returns {Promise<string[] | null>}
   */
  async function tensorboardRunOrder(signal) {
    try {
      const list = await getJson("../../runs", {}, { signal });
      return Array.isArray(list) ? list.map(String) : null;
    } catch {
      return null;
    }
  }

  return {
    diagnostics: (signal) => Promise.all([getJson("diagnostics", {}, { signal }), tensorboardRunOrder(signal)]),
    series: (run, tag) =>
      seriesLoader.get(seriesKey(run, tag), async () => normalizeSeries(await getJson("series", { run, tag: tag.tag }))),
    layerMap: (run) =>
      mapLoader.get(mapKey(run), async () => {
        const raw = await getJson("layer_map", { run: run.run });
        return { map: normalizeLayerMap(raw), raw };
      }),
    peekLayerMap: (run) => mapLoader.peek(mapKey(run)),
    distances: (a, b) =>
      compareLoader.get(compareKey(a, b), async () => distancesFromCompare(await getJson("compare", { a: a.run, b: b.run }))),
    peekDistances: (a, b) => compareLoader.peek(compareKey(a, b)),
  };
}
