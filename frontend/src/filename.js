// Download file names from untrusted run and tag names. DOM-free.

/** Longest file name we offer (most file systems allow 255 bytes; leave room for " (1)"). */
export const MAX_FILENAME = 120;

/** Names Windows reserves for devices, whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * One safe piece of a file name: letters and digits of any script, ".", "_" and "-"; runs of
 * anything else (slashes, spaces, controls, bidi overrides, quotes…) become one "_"; leading
 * and trailing dots, underscores and hyphens are trimmed.
 * @param {unknown} text
 * @returns {string}
 */
export function filenamePart(text) {
  return String(text ?? "")
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}._-]+/gu, "_")
    .replace(/_{2,}/g, "_")
    .replace(/\.{2,}/g, ".")
    .replace(/^[._-]+|[._-]+$/g, "");
}

/**
 * A download file name: "tb_histdiag-<parts joined by ->.<ext>", at most MAX_FILENAME
 * characters, never empty, never hidden (leading dot), never a reserved device name.
 * @param {ReadonlyArray<unknown>} parts  e.g. [run, tag]
 * @param {string} ext                    e.g. "png"
 * @returns {string}
 */
export function safeFilename(parts, ext) {
  const extension = String(ext).toLowerCase().replace(/[^a-z0-9]/g, "") || "bin";
  const pieces = ["tb_histdiag", ...parts.map(filenamePart).filter(Boolean)];
  let base = pieces.join("-");
  const room = MAX_FILENAME - extension.length - 1;
  if ([...base].length > room) base = [...base].slice(0, room).join("").replace(/[._-]+$/, "");
  if (RESERVED.test(base)) base = `_${base}`;
  return `${base}.${extension}`;
}
