// Light or dark. TensorBoard toggles class "dark-mode" on its own <body> and tells iframes
// nothing, so we read the parent's class (same origin) and follow its changes; standalone, or
// when the parent cannot be read, we follow prefers-color-scheme.

/** @typedef {"light" | "dark"} Theme */

/**
 * The theme to use. `parentDark` is null when there is no readable TensorBoard parent; when it
 * is known it wins over the media query (TensorBoard's own toggle can disagree with the OS).
 * @param {{parentDark: boolean | null, prefersDark: boolean}} inputs
 * @returns {Theme}
 */
export function resolveTheme({ parentDark, prefersDark }) {
  if (parentDark !== null) return parentDark ? "dark" : "light";
  return prefersDark ? "dark" : "light";
}

/**
 * The parent document's body, or null when standalone or not readable.
 * @param {Window} win
 * @returns {HTMLElement | null}
 */
function parentBody(win) {
  try {
    if (!win.parent || win.parent === win) return null;
    return win.parent.document.body ?? null;
  } catch {
    return null; // cross-origin parent
  }
}

/**
 * Call `onChange` with the current theme now and whenever it changes. Returns a function that
 * stops watching.
 * @param {Window} win
 * @param {(theme: Theme) => void} onChange
 * @returns {() => void}
 */
export function watchTheme(win, onChange) {
  const body = parentBody(win);
  const media = typeof win.matchMedia === "function" ? win.matchMedia("(prefers-color-scheme: dark)") : null;
  /** @type {Theme | null} */
  let current = null;
  const update = () => {
    let parentDark = null;
    try {
      parentDark = body ? body.classList.contains("dark-mode") : null;
    } catch {
      parentDark = null;
    }
    const next = resolveTheme({ parentDark, prefersDark: media ? media.matches : false });
    if (next !== current) {
      current = next;
      onChange(next);
    }
  };
  update();

  /** @type {MutationObserver | null} */
  let observer = null;
  if (body) {
    try {
      observer = new MutationObserver(update);
      observer.observe(body, { attributes: true, attributeFilter: ["class"] });
    } catch {
      observer = null;
    }
  }
  media?.addEventListener?.("change", update);
  return () => {
    observer?.disconnect();
    media?.removeEventListener?.("change", update);
  };
}
