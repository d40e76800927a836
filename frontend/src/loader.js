// A small loader for per-chart data (series, layer maps, comparisons): at most `concurrency`
// requests at a time, newest requests first (the cards the user just scrolled to), one request
// per key however many cards ask, and a bounded cache of results. DOM-free.

/**
 * @template T
 * @typedef {object} Pending
 * @property {string} key
 * @property {() => Promise<T>} run
 * @property {Array<{resolve: (v: T) => void, reject: (e: unknown) => void}>} waiters
 */

/**
 * @template T
 * @typedef {object} Loader
 * @property {(key: string, run: () => Promise<T>) => Promise<T>} get  cached value, or queue `run`
 * @property {(key: string) => T | undefined} peek                      cached value without loading
 * @property {() => void} clear          forget the cache and drop queued (not yet started) requests
 * @property {() => {queued: number, active: number, cached: number}} stats
 */

/** Raised for requests dropped by clear() before they started. */
export class DroppedError extends Error {
  constructor() {
    super("request dropped");
    this.name = "DroppedError";
  }
}

/**
 * @template T
 * @param {{concurrency?: number, cacheSize?: number}} [options]
 * @returns {Loader<T>}
 */
export function createLoader(options = {}) {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const cacheSize = Math.max(1, options.cacheSize ?? 256);
  /** @type {Map<string, T>} insertion order = recency (re-inserted on use) */
  const cache = new Map();
  /** @type {Map<string, Pending<T>>} */
  const pending = new Map();
  /** @type {Pending<T>[]} queued, not started; the last is served first */
  const queue = [];
  let active = 0;
  let epoch = 0;

  /**
   * @param {string} key
   * @param {T} value
   */
  const remember = (key, value) => {
    cache.delete(key);
    cache.set(key, value);
    while (cache.size > cacheSize) cache.delete(/** @type {string} */ (cache.keys().next().value));
  };

  const pump = () => {
    while (active < concurrency && queue.length) {
      const job = /** @type {Pending<T>} */ (queue.pop());
      const mine = epoch;
      active++;
      Promise.resolve()
        .then(job.run)
        .then(
          (value) => {
            if (mine === epoch) remember(job.key, value);
            for (const w of job.waiters) w.resolve(value);
          },
          (err) => {
            for (const w of job.waiters) w.reject(err);
          },
        )
        .finally(() => {
          active--;
          if (pending.get(job.key) === job) pending.delete(job.key);
          pump();
        });
    }
  };

  return {
    get(key, run) {
      if (cache.has(key)) {
        const value = /** @type {T} */ (cache.get(key));
        remember(key, value);
        return Promise.resolve(value);
      }
      return new Promise((resolve, reject) => {
        const existing = pending.get(key);
        if (existing) {
          existing.waiters.push({ resolve, reject });
          // Asked again: move it to the front of the queue if it has not started.
          const i = queue.indexOf(existing);
          if (i !== -1 && i !== queue.length - 1) {
            queue.splice(i, 1);
            queue.push(existing);
          }
          return;
        }
        /** @type {Pending<T>} */
        const job = { key, run, waiters: [{ resolve, reject }] };
        pending.set(key, job);
        queue.push(job);
        pump();
      });
    },
    peek(key) {
      return cache.get(key);
    },
    clear() {
      epoch++;
      cache.clear();
      for (const job of queue.splice(0)) {
        pending.delete(job.key);
        for (const w of job.waiters) w.reject(new DroppedError());
      }
      // Requests already running finish for their waiters, but a new ask starts afresh.
      pending.clear();
    },
    stats() {
      return { queued: queue.length, active, cached: cache.size };
    },
  };
}
