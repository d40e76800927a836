// The "Copy Markdown" report: what the page shows, as GitHub-flavoured Markdown that stands on
// its own in an issue or a pull request. Run and tag names are untrusted, so every piece of
// data goes through escapeMarkdown. DOM-free.

import { statusLook, STATUSES } from "./status.js";
import { tagSeverity, SEVERITY_FILTERS } from "./filters.js";
import { formatKey, formatTagSteps, formatValue, formatVerdictSteps, isolateBidi } from "./format.js";
import { ROLE_FILTERS } from "./filters.js";

/** @typedef {import("./runview.js").RunView} RunView */
/** @typedef {import("./filters.js").SeverityFilter} SeverityFilter */
/** @typedef {import("./model.js").Tag} Tag */

/**
 * Text made safe for one line of Markdown, including a table cell: line breaks become spaces;
 * backslash, backtick, pipe, asterisk, tilde and square brackets are backslash-escaped; `<` and
 * `>` (and an `&` that would start an entity) become HTML entities so no tag or link survives;
 * an underscore is escaped unless it sits inside a word ("dense_1" stays readable); text with
 * bidi controls is isolated so it cannot reverse the rest of its line.
 * @param {unknown} value
 * @returns {string}
 */
export function escapeMarkdown(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return isolateBidi(text
    .replace(/\r\n|\r|\n/g, " ")
    .replace(/[\\`|*~[\]]/g, "\\$&")
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, "\\_"));
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
 * @property {string} [role]           the role filter ("all" when absent)
 * @property {number} [totalRuns]      runs in the logdir, when only some are selected
 * @property {Map<string, {still: string[], slow: string[], moving: string[]}>} [layerMaps]
 *           per run, the layer map summary (only runs whose map has loaded)
 * @property {{runs: string[], rows: import("./compare.js").CompareRow[], overlay?: string | null} | null} [compare]
 *           compare mode: the matrix in its current order, and the sentence under the overlay
 */

/** Most rows the comparison table lists (the rest are counted). */
const MAX_COMPARE_ROWS = 60;

/**
 * The evidence of a verdict in one table cell: "key: value; key: value".
 * @param {Record<string, unknown>} evidence
 * @returns {string}
 */
function evidenceCell(evidence) {
  const entries = Object.entries(evidence);
  if (!entries.length) return "\u2014";
  return entries.map(([k, v]) => `${escapeMarkdown(formatKey(k))}: ${escapeMarkdown(formatValue(v))}`).join("; ");
}

/**
 * A compare-matrix cell: the status icon and the verdict ids, or "not logged".
 * @param {import("./model.js").Tag | null} tag
 * @returns {string}
 */
function compareCell(tag) {
  if (!tag) return "not logged";
  const ids = [...new Set(tag.verdicts.map((v) => v.id))];
  return `${statusLook(tag.status).icon} ${ids.length ? escapeMarkdown(ids.join(", ")) : statusLook(tag.status).label}`;
}

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
  const runsWord = options.totalRuns !== undefined && options.totalRuns !== views.length
    ? `${views.length} of ${options.totalRuns} runs`
    : `${views.length} ${views.length === 1 ? "run" : "runs"}`;
  const context = [runsWord];
  if (options.tagFilter) context.push(`tag filter: ${escapeMarkdown(options.tagFilter)}`);
  if (options.role && options.role !== "all") {
    const label = ROLE_FILTERS.find((f) => f.value === options.role)?.label ?? options.role;
    context.push(`role: ${escapeMarkdown(label.toLowerCase())}`);
  }
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

  const maps = options.layerMaps;
  if (maps && views.some((v) => maps.has(v.run.run))) {
    lines.push("", "## Layer learning", "", "How far each layer's weights moved from their first logged step, relative to their spread.", "");
    lines.push(row(["Run", "Not learning", "Barely moving", "Learning"]));
    lines.push(row(["---", "---", "---", "---"]));
    for (const { run } of views) {
      const m = maps.get(run.run);
      if (!m) continue;
      const list = (/** @type {string[]} */ names) => (names.length ? names.map(escapeMarkdown).join(", ") : "\u2014");
      lines.push(row([escapeMarkdown(run.run), list(m.still), list(m.slow), list(m.moving)]));
    }
  }

  if (options.compare && options.compare.rows.length) {
    const { runs, rows } = options.compare;
    const differing = rows.filter((r) => r.differ);
    lines.push("", "## Comparison", "");
    lines.push(`${differing.length} of ${rows.length} tags have different verdicts across ${runs.map(escapeMarkdown).join(", ")}.`, "");
    if (options.compare.overlay) lines.push(escapeMarkdown(options.compare.overlay), "");
    const shown = rows.slice(0, MAX_COMPARE_ROWS);
    lines.push(row(["Tag", "Layer", ...runs.map(escapeMarkdown)]));
    lines.push(row(["---", "---", ...runs.map(() => "---")]));
    for (const r of shown) {
      lines.push(row([escapeMarkdown(r.tag), escapeMarkdown(r.layer ?? "\u2014"), ...r.cells.map((c) => compareCell(c.tag))]));
    }
    if (rows.length > shown.length) lines.push("", `(${rows.length - shown.length} more tags not listed.)`);
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
    if (run.logging) {
      lines.push(`> \u2139 ${escapeMarkdown(run.logging.advice)}`);
      for (const [framework, line] of run.logging.loggers) {
        const fence = line.includes("`") ? "``" : "`";
        lines.push(`> - ${escapeMarkdown(framework)}: ${fence}${line}${fence}`);
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
    const evidence = flagged.flatMap((tag) => tag.verdicts.map((v) => ({ tag, v })));
    if (evidence.length) {
      lines.push("", "| Tag | Verdict | Where | Evidence |", "| --- | --- | --- | --- |");
      for (const { tag, v } of evidence) {
        lines.push(
          row([
            escapeMarkdown(tag.tag),
            `${statusLook(v.severity).icon} ${escapeMarkdown(v.id)}`,
            escapeMarkdown(formatVerdictSteps(v.steps)),
            evidenceCell(v.evidence),
          ]),
        );
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
