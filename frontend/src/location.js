// Reading and writing the hash of the page that holds the view's state: TensorBoard's top page
// when we are its same-origin iframe, else our own page. Every access is guarded, so a
// cross-origin or missing parent degrades to "no URL state" rather than an exception.

/**
 * @typedef {object} HashStore
 * @property {boolean} embedded                 true when the hash is TensorBoard's
 * @property {() => string} read                the current hash ("" when unreadable)
 * @property {(hash: string) => void} replace   rewrite the hash without a history entry or navigation
 * @property {(hash: string) => void} navigate  set the hash so the page reacts (e.g. switches tab)
 * @property {(hash: string) => string | null} hrefFor  the full URL of the page with that hash (null if unknown)
 */

/**
 * The parent window if it is a different, readable window; else null.
 * @param {Window} win
 * @returns {Window | null}
 */
function readableParent(win) {
  try {
    if (!win.parent || win.parent === win) return null;
    void win.parent.location.hash; // throws when cross-origin
    return win.parent;
  } catch {
    return null;
  }
}

/**
 * @param {Window} win
 * @returns {HashStore}
 */
export function hashStore(win) {
  const parent = readableParent(win);
  const target = parent ?? win;
  return {
    embedded: parent !== null,
    read() {
      try {
        return target.location.hash;
      } catch {
        return "";
      }
    },
    replace(hash) {
      try {
        const url = new URL(target.location.href);
        url.hash = hash;
        if (url.href !== target.location.href) target.history.replaceState(target.history.state, "", url.href);
      } catch {
        // Not writable: the state just does not persist.
      }
    },
    navigate(hash) {
      try {
        target.location.hash = hash;
      } catch {
        // ignore
      }
    },
    hrefFor(hash) {
      try {
        const url = new URL(target.location.href);
        url.hash = hash;
        return url.href;
      } catch {
        return null;
      }
    },
  };
}
