// The "Copy Markdown" report: what the page shows, as GitHub-flavoured Markdown that stands on
// its own in an issue or a pull request. Run and tag names are untrusted, so every piece of
// data goes through escapeMarkdown. DOM-free.

import { statusLook, STATUSES } from "./status.js";
import { tagSeverity, SEVERITY_FILTERS } from "./filters.js";
import { formatTagSteps } from "./format.js";

/** @typedef {import("./filters.js").RunView} RunView */
/** @typedef {import("./filters.js").SeverityFilter} SeverityFilter */
/** @typedef {import("./model.js").Tag} Tag */

/**
 * Text made safe for one line of Markdown, including a table cell: line breaks become spaces;
 * backslash, backtick, pipe, asterisk, tilde and square brackets are backslash-escaped; `<` and
 * `>` (and an `&` that would start an entity) become HTML entities so no tag or link survives;
 * an underscore is escaped unless it sits inside a word ("dense_1" stays readable).
 * @param {unknown} value
 * @returns {string}
 */
export function escapeMarkdown(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return text
    .replace(/\r\n|\r|\n/g, " ")
    .replace(/[\\`|*~[\]]/g, "\\$&")
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, "\\_");
}

/**
 * One Markdown table row from already-escaped cells.
 * @param {string[]} cells
 * @returns {string}
 */
function row(cells) {
  return `| ${cells.join(" | ")} |`;
}

/**
 * "✖ critical" for a status.
 * @param {unknown} status
 * @returns {string}
 */
function badge(status) {
  const look = statusLook(status);
  return `${look.icon} ${look.label}`;
}

/**
 * What the verdicts column says for a tag.
 * @param {Tag} tag
 * @returns {string}
 */
function verdictCell(tag) {
  const titles = tag.verdicts.map((v) => `${statusLook(v.severity).icon} ${escapeMarkdown(v.title)}`);
  if (tag.status === "unknown" && tag.reason) titles.push(`cannot diagnose: ${escapeMarkdown(tag.reason)}`);
  return titles.join("; ") || "\u2014";
}

/**
 * @typedef {object} ReportOptions
 * @property {string} tagFilter        the tag filter text as typed ("" for none)
 * @property {SeverityFilter} severity
 * @property {string} [generatedAt]    a timestamp to print, e.g. an ISO date
 */

/**
 * The Markdown report of the shown runs: a summary table of counts, run-level findings, and per
 * run a table of the flagged tags (every shown tag that is not plainly ok) with verdict titles.
 * @param {readonly RunView[]} views
 * @param {ReportOptions} options
 * @returns {string}
 */
export function buildMarkdownReport(views, options) {
  /** @type {string[]} */
  const lines = ["# Histogram diagnostics", ""];
  /** @type {string[]} */
  const context = [`${views.length} ${views.length === 1 ? "run" : "runs"}`];
  if (options.tagFilter) context.push(`tag filter: ${escapeMarkdown(options.tagFilter)}`);
  if (options.severity !== "all") {
    const label = SEVERITY_FILTERS.find((f) => f.value === options.severity)?.label ?? options.severity;
    context.push(`showing: ${escapeMarkdown(label.toLowerCase())}`);
  }
  if (options.generatedAt) context.push(`generated ${escapeMarkdown(options.generatedAt)}`);
  lines.push(`${context.join(" \u00B7 ")} \u2014 by tb\\_histdiag`, "");

  if (!views.length) {
    lines.push("No runs with histograms.");
    return `${lines.join("\n")}\n`;
  }

  lines.push(row(["Run", "Status", ...STATUSES.map((s) => badge(s))]));
  lines.push(row(["---", "---", ...STATUSES.map(() => "---:")]));
  for (const { run } of views) {
    lines.push(row([escapeMarkdown(run.run), badge(run.status), ...STATUSES.map((s) => String(run.counts[s]))]));
  }

  for (const view of views) {
    const { run } = view;
    lines.push("", `## ${escapeMarkdown(run.run)} \u2014 ${badge(run.status)}`, "");
    if (run.verdicts.length) {
      for (const v of run.verdicts) {
        const summary = v.summary ? ` \u2014 ${escapeMarkdown(v.summary)}` : "";
        lines.push(`- ${statusLook(v.severity).icon} **${escapeMarkdown(v.title)}**${summary}`);
      }
      lines.push("");
    }
    const flagged = view.shownTags.filter((t) => tagSeverity(t) !== "ok");
    if (!flagged.length) {
      lines.push(
        view.shownTags.length
          ? `No flagged tags (${view.shownTags.length} shown, all ok).`
          : "No tags match the filters.",
      );
      continue;
    }
    lines.push(row(["Tag", "Layer", "Role", "Steps", "Status", "Verdicts"]));
    lines.push(row(["---", "---", "---", "---", "---", "---"]));
    for (const tag of flagged) {
      lines.push(
        row([
          escapeMarkdown(tag.tag),
          escapeMarkdown(tag.layer ?? "\u2014"),
          escapeMarkdown(tag.role),
          escapeMarkdown(formatTagSteps(tag.steps, tag.firstStep, tag.lastStep)),
          badge(tag.status),
          verdictCell(tag),
        ]),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
