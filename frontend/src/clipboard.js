// Copying text to the clipboard from inside the plugin iframe.

/**
 * Copy text to the clipboard: the async Clipboard API first, then the textarea + execCommand
 * fallback for contexts where that API is missing or refused. Resolves to whether it worked.
 * @param {string} text
 * @param {Document} doc
 * @returns {Promise<boolean>}
 */
export async function copyText(text, doc) {
  try {
    const clipboard = doc.defaultView?.navigator?.clipboard;
    if (clipboard && typeof clipboard.writeText === "function") {
      await clipboard.writeText(text);
      return true;
    }
  } catch {
    // Permission denied or not focused: try the fallback.
  }
  const area = doc.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.top = "0";
  area.style.left = "-9999px";
  doc.body.appendChild(area);
  const focused = doc.activeElement;
  try {
    area.select();
    return doc.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
    if (focused instanceof HTMLElement) focused.focus();
  }
}
