// Run colours. TensorBoard gives plugins no colour API; its legacy Histograms and Distributions
// tabs colour runs from the colour-blind-safe palette below by the run's index, so we do the same
// with the run's position in our response.

/** @type {readonly string[]} */
export const RUN_PALETTE = Object.freeze([
  "#ff7043",
  "#0077bb",
  "#cc3311",
  "#33bbee",
  "#ee3377",
  "#009988",
  "#bbbbbb",
]);

/**
 * The colour of the run at `index` (wraps around the palette; negative or non-integer indexes
 * are clamped to a valid entry).
 * @param {number} index
 * @returns {string}
 */
export function runColor(index) {
  const n = RUN_PALETTE.length;
  const i = Number.isFinite(index) ? Math.trunc(index) : 0;
  return RUN_PALETTE[((i % n) + n) % n];
}
