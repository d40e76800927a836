// SVG as plain data. Charts are built as a small tree of {tag, attrs, children} nodes by DOM-free
// code (so node --test can check their geometry), then either turned into real elements with
// createElementNS/setAttribute/textContent for the page, or serialised with our own escaping for
// the SVG/PNG downloads. Text from data is only ever a text node or an attribute value.

export const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * @typedef {object} SvgNode
 * @property {string} tag
 * @property {Record<string, string>} attrs
 * @property {Array<SvgNode | string>} children
 */

/**
 * A child of an SVG node; null/undefined/false are skipped, arrays flattened.
 * @typedef {SvgNode | string | number | null | undefined | false | readonly unknown[]} SvgChild
 */

/** Element names we create. Anything else is a programming error, not data. */
const TAG_NAME = /^[a-zA-Z][a-zA-Z0-9]*$/;
/** Attribute names we set (e.g. "stroke-width", "data-tag", "font-family"). */
const ATTR_NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]*$/;

/**
 * @param {SvgNode["children"]} out
 * @param {readonly unknown[]} children
 */
function flatten(out, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (typeof child === "string") out.push(child);
    else if (typeof child === "number") out.push(String(child));
    else if (Array.isArray(child)) flatten(out, child);
    else if (typeof child === "object" && "tag" in child) out.push(/** @type {SvgNode} */ (child));
  }
}

/**
 * An SVG node. Attribute values are stringified; null/undefined/false drop the attribute.
 * Numbers are rounded to 2 decimals to keep the markup small.
 * @param {string} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attrs]
 * @param {...SvgChild} children
 * @returns {SvgNode}
 */
export function s(tag, attrs = {}, ...children) {
  if (!TAG_NAME.test(tag)) throw new TypeError(`bad SVG element name ${JSON.stringify(tag)}`);
  /** @type {Record<string, string>} */
  const out = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (!ATTR_NAME.test(key)) throw new TypeError(`bad SVG attribute name ${JSON.stringify(key)}`);
    out[key] = typeof value === "number" ? String(round2(value)) : value === true ? "" : String(value);
  }
  /** @type {SvgNode["children"]} */
  const kids = [];
  flatten(kids, children);
  return { tag, attrs: out, children: kids };
}

/**
 * @param {number} v
 * @returns {number}
 */
export function round2(v) {
  return Number.isFinite(v) ? Math.round(v * 100) / 100 : 0;
}

/**
 * Characters XML 1.0 does not allow at all (C0 controls except tab/newline/return, lone
 * surrogates, U+FFFE/U+FFFF). A run name may hold them; a serialised SVG with one is not an image.
 */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text made safe for XML character data and attribute values: invalid characters dropped,
 * & < > " ' as entities.
 * @param {unknown} value
 * @returns {string}
 */
export function escapeXml(value) {
  return String(value ?? "")
    .replace(INVALID_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * The text of a node and its descendants (for tests and titles).
 * @param {SvgNode | string} node
 * @returns {string}
 */
export function textOf(node) {
  if (typeof node === "string") return node;
  return node.children.map(textOf).join("");
}

/**
 * Serialise a node as XML. The root gets the SVG namespace when it is an <svg>.
 * @param {SvgNode} node
 * @param {{root?: boolean}} [options]
 * @returns {string}
 */
export function serializeSvg(node, options = { root: true }) {
  const attrs = { ...node.attrs };
  if (options.root && node.tag === "svg") attrs.xmlns = SVG_NS;
  const attrText = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join("");
  if (!node.children.length) return `<${node.tag}${attrText}/>`;
  const inner = node.children
    .map((c) => (typeof c === "string" ? escapeXml(c) : serializeSvg(c, { root: false })))
    .join("");
  return `<${node.tag}${attrText}>${inner}</${node.tag}>`;
}

/**
 * A complete standalone SVG file.
 * @param {SvgNode} node  an <svg> node
 * @returns {string}
 */
export function svgDocument(node) {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serializeSvg(node)}\n`;
}

/**
 * Real SVG elements for a node, in `doc`.
 * @param {SvgNode} node
 * @param {Document} doc
 * @returns {SVGElement}
 */
export function toDom(node, doc) {
  const el = /** @type {SVGElement} */ (doc.createElementNS(SVG_NS, node.tag));
  for (const [k, v] of Object.entries(node.attrs)) el.setAttribute(k, v);
  for (const child of node.children) {
    if (typeof child === "string") el.appendChild(doc.createTextNode(child.replace(INVALID_XML, "")));
    else el.appendChild(toDom(child, doc));
  }
  return el;
}

/**
 * Depth-first search for nodes matching a predicate (tests and exports).
 * @param {SvgNode} node
 * @param {(n: SvgNode) => boolean} predicate
 * @returns {SvgNode[]}
 */
export function findNodes(node, predicate) {
  /** @type {SvgNode[]} */
  const found = [];
  const walk = (/** @type {SvgNode} */ n) => {
    if (predicate(n)) found.push(n);
    for (const c of n.children) if (typeof c !== "string") walk(c);
  };
  walk(node);
  return found;
}
