// Copying text and offering it as a download, both from inside the plugin iframe (whose CSP
// allows blob: URLs for downloads).

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

/**
 * Point a link at a fresh blob: URL holding `text` (revoking the one it held before), so that
 * following it downloads the text as a file.
 * @param {HTMLAnchorElement} link
 * @param {string} text
 * @param {string} type  MIME type, e.g. "text/markdown"
 */
export function setDownload(link, text, type) {
  clearDownload(link);
  link.setAttribute("href", URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` })));
}

/**
 * Take the link's blob: URL away (and free it); the link stops being a link until setDownload.
 * @param {HTMLAnchorElement} link
 */
export function clearDownload(link) {
  const previous = link.getAttribute("href");
  if (previous && previous.startsWith("blob:")) URL.revokeObjectURL(previous);
  link.removeAttribute("href");
}
