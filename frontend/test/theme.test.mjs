import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveTheme, watchTheme } from "../src/theme.js";

test("the parent's dark-mode class wins over the media query", () => {
  assert.equal(resolveTheme({ parentDark: true, prefersDark: false }), "dark");
  assert.equal(resolveTheme({ parentDark: false, prefersDark: true }), "light");
});

test("without a readable parent, prefers-color-scheme decides", () => {
  assert.equal(resolveTheme({ parentDark: null, prefersDark: true }), "dark");
  assert.equal(resolveTheme({ parentDark: null, prefersDark: false }), "light");
});

/** A fake media query list with a settable `matches`. */
function fakeMedia(matches) {
  /** @type {Set<() => void>} */
  const listeners = new Set();
  return {
    matches,
    addEventListener: (_type, fn) => listeners.add(fn),
    removeEventListener: (_type, fn) => listeners.delete(fn),
    fire() {
      for (const fn of listeners) fn();
    },
    listeners,
  };
}

test("watchTheme standalone follows the media query and stops when asked", () => {
  const media = fakeMedia(false);
  const win = /** @type {any} */ ({ matchMedia: () => media });
  win.parent = win;
  /** @type {string[]} */
  const seen = [];
  const stop = watchTheme(win, (t) => seen.push(t));
  media.matches = true;
  media.fire();
  media.fire(); // no change, no call
  assert.deepEqual(seen, ["light", "dark"]);
  stop();
  assert.equal(media.listeners.size, 0);
});

test("watchTheme survives a parent that throws on access", () => {
  const media = fakeMedia(true);
  const win = /** @type {any} */ ({ matchMedia: () => media });
  Object.defineProperty(win, "parent", {
    get() {
      return {
        get document() {
          throw new Error("SecurityError: cross-origin");
        },
      };
    },
  });
  /** @type {string[]} */
  const seen = [];
  watchTheme(win, (t) => seen.push(t));
  assert.deepEqual(seen, ["dark"]);
});

test("watchTheme reads the parent body's class", () => {
  const media = fakeMedia(true);
  const classes = new Set();
  const body = { classList: { contains: (c) => classes.has(c) } };
  const win = /** @type {any} */ ({ matchMedia: () => media, parent: { document: { body } } });
  /** @type {string[]} */
  const seen = [];
  watchTheme(win, (t) => seen.push(t));
  assert.deepEqual(seen, ["light"], "parent without dark-mode is light even if the OS prefers dark");
});
