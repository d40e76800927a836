// The tag filter: TensorBoard's case-insensitive regex searched in tag names, and the bound on what
// one test of it may cost (below). DOM-free.

/**
 * @typedef {object} TagFilter
 * @property {RegExp | null} regex  null when the filter is empty (everything matches), invalid or
 *                                  refused as too slow
 * @property {string | null} error  why the text is not applied (invalid or refused)
 * @property {number} [maxChars]    how many leading characters of a name the regex is tested on
 */

// --- bounding the cost of a tag filter ----------------------------------------------------------
//
// JavaScript regular expressions backtrack, and tag names are untrusted (a logdir may hold a
// 2,000-character name) while the filter text may come from a shared link. A single test can then
// take seconds to hours and freeze the tab. Two rules bound the cost of every test:
//
// 1. Exponential patterns are refused: a repeated group (`*`, `+`, `{m,}`, `{m,n}` with n > 1)
//    whose body holds a repetition or an alternation, e.g. `(a+)+$`, `(a|aa)*`, `(\w+\s?)*`. Such
//    a group can split the same text in exponentially many ways, so no length bound helps (25
//    characters already take seconds). This also refuses some harmless patterns such as
//    `(dense_\d+/)+`; rewrite them without the nesting. Backreferences inside or after a repeat
//    are refused for the same reason.
// 2. Polynomial patterns are bounded: a backtracking test of a pattern with k variable repetitions
//    in a row (`*`, `+`, `{m,}`, `{m,n}` with n - m > 4; alternatives count separately) costs up
//    to about L^(k+1) steps on a name of L characters (`.*.*y` takes ~2 s on 2,000 characters),
//    and each of p optional parts (`?`, `{1,3}`) multiplies that by a small factor (~2). The
//    regex is therefore tested on at most the first L characters of a name, with L the largest
//    length (at most MAX_NAME_CHARS) for which 2^p * L^(k+1) <= 2^COST_BUDGET_LOG2, about a
//    millisecond per test: 4096 characters for k = 0, 1448 for k = 1, 128 for k = 2, 38 for
//    k = 3. A pattern for which L would fall below MIN_NAME_CHARS (e.g. four repetitions in a
//    row) is refused.
//
// Trade-off: a name longer than L is filtered on its first L characters, as if it ended there
// (`$` matches at the cut, text after it is not seen). Real tag names are far shorter than these
// bounds except for patterns with three repetitions in a row.

/** The most leading characters of a name a filter is tested on. */
export const MAX_NAME_CHARS = 4096;
/** A filter for which fewer leading characters could be tested is refused. */
export const MIN_NAME_CHARS = 32;
/** log2 of the step budget of one test: 2^optionals * chars^(repeats + 1) stays under 2^this. */
export const COST_BUDGET_LOG2 = 21;
/** A bounded repetition `{m,n}` with n - m at most this counts as an optional part. */
const MAX_OPTIONAL_SPAN = 4;

/**
 * How many leading characters of a name a pattern with `repeats` variable repetitions in a row
 * and `optionals` optional parts may be tested on (rule 2 above).
 * @param {number} repeats
 * @param {number} optionals
 * @returns {number}
 */
export function nameCharsBound(repeats, optionals) {
  const chars = Math.floor(2 ** ((COST_BUDGET_LOG2 - optionals) / (repeats + 1)) + 1e-9);
  return Math.min(MAX_NAME_CHARS, chars);
}

/**
 * @typedef {object} PatternCost
 * @property {string | null} refused  why the pattern is refused, or null
 * @property {number} repeats         variable repetitions on the costliest alternative (`*`, `+`,
 *                                    `{m,}`, `{m,n}` with n - m > 4)
 * @property {number} optionals       optional parts (`?`, `{m,n}` with n - m <= 4)
 * @property {number} maxChars        leading characters of a name the regex may be tested on
 */

/**
 * Read a `{m}`, `{m,}` or `{m,n}` quantifier at `i` (the index of "{").
 * @param {string} text
 * @param {number} i
 * @returns {{min: number, max: number, end: number} | null}  end: index after "}"; null if literal
 */
function braceQuantifier(text, i) {
  const m = /^\{(\d+)(,(\d*))?\}/.exec(text.slice(i, i + 40));
  if (!m) return null;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
  return { min, max, end: i + m[0].length };
}

/**
 * How expensive a (syntactically valid) regular expression can be to test: see the rules above.
 * A small scanner, not a full parser: it skips escapes and character classes, tracks groups, and
 * classifies each quantifier and what it applies to.
 * @param {string} text
 * @returns {PatternCost}
 */
export function patternCost(text) {
  // Per group: whether it holds a variable repetition, an alternative, a backreference; the
  // repetitions on the current alternative and the most on any earlier one (alternatives are
  // tried one after another, so their costs do not multiply).
  /** @typedef {{quantified: boolean, alternates: boolean, backref: boolean, repeats: number, most: number}} Frame */
  /** @returns {Frame} */
  const frame = () => ({ quantified: false, alternates: false, backref: false, repeats: 0, most: 0 });
  /** @type {Frame[]} */
  const stack = [frame()];
  let optionals = 0;
  /** @type {string | null} */
  let refused = null;
  /** What the next quantifier applies to: a closed group's frame, an atom, a backreference. */
  /** @type {{kind: "group", frame: Frame} | {kind: "atom"} | {kind: "backref"} | null} */
  let last = null;
  let i = 0;
  while (i < text.length && !refused) {
    const c = text[i];
    const top = stack[stack.length - 1];
    /** @type {{min: number, max: number, end: number} | null} */
    let q = null;
    if (c === "*") q = { min: 0, max: Infinity, end: i + 1 };
    else if (c === "+") q = { min: 1, max: Infinity, end: i + 1 };
    else if (c === "?") q = { min: 0, max: 1, end: i + 1 };
    else if (c === "{") q = braceQuantifier(text, i);
    if (q && last) {
      const repeat = q.max > 1;
      const variable = q.max > q.min;
      if (variable && q.max - q.min > MAX_OPTIONAL_SPAN) top.repeats += 1;
      else if (variable) optionals += 1;
      if (repeat && last.kind === "group" && (last.frame.quantified || last.frame.alternates || last.frame.backref)) {
        refused = "it repeats a group that itself holds a repetition or an alternative, like (a+)+, which can take exponentially long on long tag names";
      } else if (repeat && last.kind === "backref") {
        refused = "it repeats a backreference, which can take exponentially long on long tag names";
      }
      if (variable || (last.kind === "group" && last.frame.quantified)) top.quantified = true;
      if (last.kind === "group" && last.frame.backref) top.backref = true;
      last = null;
      i = q.end;
      if (text[i] === "?") i += 1; // lazy: same cost
      continue;
    }
    if (c === "\\") {
      const next = text[i + 1] ?? "";
      i += 2;
      if (/[1-9]/.test(next) || (next === "k" && text[i] === "<")) {
        top.backref = true;
        last = { kind: "backref" };
        if (next === "k") i = Math.max(i, text.indexOf(">", i) + 1);
      } else {
        last = /[bB]/.test(next) ? null : { kind: "atom" };
      }
      continue;
    }
    if (c === "[") {
      let j = i + 1;
      if (text[j] === "^") j += 1;
      while (j < text.length && text[j] !== "]") j += text[j] === "\\" ? 2 : 1;
      last = { kind: "atom" };
      i = j + 1;
      continue;
    }
    if (c === "(") {
      stack.push(frame());
      last = null;
      i += 1;
      if (text[i] === "?") {
        // (?:  (?=  (?!  (?<=  (?<!  (?<name>
        const m = /^\?(:|=|!|<=|<!|<[^>]*>)/.exec(text.slice(i));
        i += m ? m[0].length : 1;
      }
      continue;
    }
    if (c === ")") {
      const closed = stack.length > 1 ? stack.pop() : undefined;
      const parent = stack[stack.length - 1];
      if (closed) {
        if (closed.quantified) parent.quantified = true;
        if (closed.backref) parent.backref = true;
        parent.repeats += Math.max(closed.most, closed.repeats);
        last = { kind: "group", frame: closed };
      }
      i += 1;
      continue;
    }
    if (c === "|") {
      top.alternates = true;
      top.most = Math.max(top.most, top.repeats);
      top.repeats = 0;
      last = null;
      i += 1;
      continue;
    }
    last = c === "^" || c === "$" ? null : { kind: "atom" };
    i += 1;
  }
  const repeats = Math.max(stack[0].most, stack[0].repeats);
  const maxChars = nameCharsBound(repeats, optionals);
  if (!refused && maxChars < MIN_NAME_CHARS) {
    const parts = [];
    if (repeats) parts.push(`${repeats} repetitions (*, +, {m,n}) in a row`);
    if (optionals) parts.push(`${optionals} optional parts (?)`);
    refused = `it has ${parts.join(" and ")}, which can take too long on long tag names; use fewer`;
  }
  return { refused, repeats, optionals, maxChars };
}

/**
 * Compile the tag filter text like TensorBoard's: a case-insensitive regular expression searched
 * anywhere in the tag name. Invalid text yields an error message instead of throwing; patterns
 * that could take too long are refused with a message too (see patternCost), and the others are
 * tested on a bounded number of leading characters (`maxChars`, see tagFilterMatches).
 * @param {string} text
 * @returns {TagFilter}
 */
export function compileTagFilter(text) {
  if (!text) return { regex: null, error: null };
  /** @type {RegExp} */
  let regex;
  try {
    regex = new RegExp(text, "i");
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^Invalid regular expression:\s*/, "") : "";
    return { regex: null, error: detail ? `Invalid regular expression: ${detail}` : "Invalid regular expression" };
  }
  const cost = patternCost(text);
  if (cost.refused) return { regex: null, error: `Filter not applied: ${cost.refused}.` };
  return { regex, error: null, maxChars: cost.maxChars };
}

/**
 * Whether a tag name matches a compiled filter (an empty, invalid or refused filter matches
 * everything). Only the first `maxChars` characters of the name are tested.
 * @param {TagFilter} filter
 * @param {string} name
 * @returns {boolean}
 */
export function tagFilterMatches(filter, name) {
  if (!filter.regex) return true;
  const limit = filter.maxChars ?? MIN_NAME_CHARS;
  filter.regex.lastIndex = 0;
  return filter.regex.test(name.length > limit ? name.slice(0, limit) : name);
}
