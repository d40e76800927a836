// Downloads from inside the plugin iframe: a blob: link clicked for the user (the iframe's CSP
// allows blob: downloads), a link of our own pointed at a blob: URL, and SVG → PNG by drawing the
// SVG blob on a canvas (img-src blob: is allowed, and such a canvas is not tainted).

import { svgDocument } from "./svg.js";

/** The longest side of an exported PNG, in device pixels (canvas limits and file size). */
const MAX_PNG_SIDE = 16000;
/** Most pixels of an exported PNG. */
const MAX_PNG_AREA = 60e6;

/**
 * Offer `blob` as a download named `filename`.
 * @param {Document} doc
 * @param {Blob} blob
 * @param {string} filename
 */
export function downloadBlob(doc, blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  a.setAttribute("data-testid", "download-anchor");
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // Chromium reads the blob when the download starts; give it a moment before freeing it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Download an SVG node as an .svg file.
 * @param {Document} doc
 * @param {import("./svg.js").SvgNode} node
 * @param {string} filename
 */
export function downloadSvg(doc, node, filename) {
  downloadBlob(doc, new Blob([svgDocument(node)], { type: "image/svg+xml;charset=utf-8" }), filename);
}

/**
 * The PNG of an SVG node, drawn at `scale` (reduced for very large figures).
 * @param {Document} doc
 * @param {import("./svg.js").SvgNode} node  an <svg> with width and height attributes
 * @param {number} [scale]
 * @returns {Promise<Blob>}
 */
export async function svgToPng(doc, node, scale = 2) {
  const width = Number(node.attrs.width) || 800;
  const height = Number(node.attrs.height) || 600;
  const k = Math.max(0.25, Math.min(scale, MAX_PNG_SIDE / width, MAX_PNG_SIDE / height, Math.sqrt(MAX_PNG_AREA / (width * height))));
  const url = URL.createObjectURL(new Blob([svgDocument(node)], { type: "image/svg+xml;charset=utf-8" }));
  try {
    const img = new Image();
    img.decoding = "async";
    img.src = url;
    await img.decode();
    const canvas = doc.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * k));
    canvas.height = Math.max(1, Math.round(height * k));
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2D canvas");
    ctx.setTransform(k, 0, 0, k, 0, 0);
    ctx.drawImage(img, 0, 0, width, height);
    return await new Promise((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the PNG could not be encoded"))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Download an SVG node as a .png file.
 * @param {Document} doc
 * @param {import("./svg.js").SvgNode} node
 * @param {string} filename
 */
export async function downloadPng(doc, node, filename) {
  downloadBlob(doc, await svgToPng(doc, node), filename);
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
