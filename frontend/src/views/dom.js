// The one way this frontend builds DOM. Strings only ever become text nodes and attribute values
// (createElement + textContent/setAttribute); there is no path from data to HTML parsing.

/**
 * A child to append; arrays (of children, nested) are flattened. JSDoc cannot name a recursive
 * alias, so the array's items are typed loosely.
 * @typedef {Node | string | number | null | undefined | false | readonly unknown[]} Child
 */

/**
 * @typedef {Record<string, string | number | boolean | null | undefined | EventListener>} Props
 * Attribute values are set with setAttribute (true → present and empty; false/null/undefined →
 * absent); "class" sets className; keys starting with "on" and holding a function add an event
 * listener ("onclick" → "click").
 */

/**
 * Append children: strings and numbers as text nodes, arrays flattened, empty values skipped.
 * @param {Element | DocumentFragment} parent
 * @param {readonly Child[]} children
 */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (typeof child === "string" || typeof child === "number") {
      parent.appendChild(document.createTextNode(String(child)));
    } else if (child instanceof Node) {
      parent.appendChild(child);
    } else if (Array.isArray(child)) {
      append(parent, /** @type {Child[]} */ (child));
    }
  }
}

/**
 * Create an element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      if (!key.startsWith("on")) throw new TypeError(`function given for attribute "${key}"`);
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = String(value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * Replace all children of `parent`.
 * @param {Element} parent
 * @param {...Child} children
 */
export function replaceChildren(parent, ...children) {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}
