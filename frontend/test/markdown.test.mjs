import { test } from "node:test";
import assert from "node:assert/strict";
import { buildMarkdownReport, escapeMarkdown } from "../src/markdown.js";
import { buildView } from "../src/runview.js";
import { compileTagFilter } from "../src/tagfilter.js";
import { normalizeDiagnostics } from "../src/model.js";
import { rawFixture } from "./helpers.mjs";

test("escapeMarkdown escapes what would break a table cell or inject markup", () => {
  assert.equal(escapeMarkdown("a|b"), "a\\|b");
  assert.equal(escapeMarkdown("back\\slash"), "back\\\\slash");
  assert.equal(escapeMarkdown("`code`"), "\\`code\\`");
  assert.equal(escapeMarkdown("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
  assert.equal(escapeMarkdown("line1\nline2\r\nline3\rline4"), "line1 line2 line3 line4");
  assert.equal(escapeMarkdown("[click](javascript:alert(1))"), "\\[click\\](javascript:alert(1))");
  assert.equal(escapeMarkdown("**bold** ~~gone~~"), "\\*\\*bold\\*\\* \\~\\~gone\\~\\~");
  assert.equal(escapeMarkdown("&lt;"), "&amp;lt;", "an existing entity is shown literally");
});

test("escapeMarkdown keeps ordinary tag names readable", () => {
  assert.equal(escapeMarkdown("dense_1/kernel_0"), "dense_1/kernel_0");
  assert.equal(escapeMarkdown("fc1.weight"), "fc1.weight");
  assert.equal(escapeMarkdown("a & b"), "a & b");
  assert.equal(escapeMarkdown("_private_"), "\\_private\\_", "underscores that could start emphasis are escaped");
});

test("escapeMarkdown handles non-strings", () => {
  assert.equal(escapeMarkdown(null), "");
  assert.equal(escapeMarkdown(undefined), "");
  assert.equal(escapeMarkdown(12), "12");
});

test("escapeMarkdown output never contains a raw pipe, angle bracket or line break", () => {
  const nasty = "a|b\\|c\n<script>`x`</script>\r|";
  const out = escapeMarkdown(nasty);
  assert.ok(!/[\n\r<>]/.test(out));
  // every pipe is preceded by an odd number of backslashes
  for (const m of out.matchAll(/(\\*)\|/g)) assert.equal(m[1].length % 2, 1, out);
});

test("the report lists runs, counts, run findings and flagged tags", () => {
  const doc = normalizeDiagnostics(rawFixture());
  const views = buildView(doc, { tagFilter: compileTagFilter(""), severity: "all" });
  const md = buildMarkdownReport(views, { tagFilter: "", severity: "all", generatedAt: "2026-01-05 14:03 UTC" });
  const lines = md.split("\n");
  assert.equal(lines[0], "# Histogram diagnostics");
  assert.equal(lines[2], "2 runs \u00B7 generated 2026-01-05 14:03 UTC \u2014 by tb\\_histdiag");
  assert.ok(lines.includes("| Run | Status | \u2716 critical | \u26A0 warning | \u2139 info | \u2714 ok | ? unknown |"));
  assert.ok(lines.includes("| constant_init_tf2 | \u2716 critical | 1 | 1 | 0 | 2 | 1 |"));
  assert.ok(
    lines.includes(
      "- \u26A0 **Only the last layer learns** \u2014 The output layer's weights move; dense and dense_1 stay where they started.",
    ),
  );
  assert.ok(
    lines.includes("| dense_1/kernel_0 | dense_1 | weight | 100 (0\u201399) | \u2716 critical | \u2716 All weights are identical |"),
  );
  assert.ok(lines.includes("| dense/bias_0 | dense | bias | 100 (0\u201399) | \u2714 ok | \u2139 Changes very little |"));
  assert.ok(
    lines.includes(
      "| dense_2/activation | dense_2 | activation | 1 (5) | ? unknown | cannot diagnose: only 1 step logged; at least 3 are needed |",
    ),
  );
  assert.ok(!md.includes("dense_1/bias_0"), "ok tags without verdicts are not flagged");
  assert.ok(lines.includes("No flagged tags (1 shown, all ok)."));
});

/**
 * Every Markdown table has as many cells in each row as in its header.
 * @param {string} md
 */
function assertTablesAreRectangular(md) {
  let width = -1;
  let tables = 0;
  for (const line of md.split("\n")) {
    if (!line.startsWith("|")) {
      width = -1;
      continue;
    }
    const cells = line.split(/(?<!\\)\|/).length - 2;
    if (width === -1) {
      width = cells;
      tables++;
    } else {
      assert.equal(cells, width, `row with ${cells} cells in a table of ${width}: ${line}`);
    }
  }
  assert.ok(tables > 0, "has tables");
}

test("hostile run names cannot break the report's tables", () => {
  const doc = normalizeDiagnostics(rawFixture());
  const views = buildView(doc, { tagFilter: compileTagFilter(""), severity: "all" });
  const md = buildMarkdownReport(views, { tagFilter: "", severity: "all" });
  assert.ok(!md.includes("<img"));
  assert.ok(md.includes("| &lt;img src=x onerror=alert(1)&gt;\\|\\`run\\` | \u2714 ok | 0 | 0 | 0 | 1 | 0 |"));
  assert.ok(md.includes("## &lt;img src=x onerror=alert(1)&gt;\\|\\`run\\` \u2014 \u2714 ok"));
  assertTablesAreRectangular(md);
});

test("the report states the filters and what they hide", () => {
  const doc = normalizeDiagnostics(rawFixture());
  const views = buildView(doc, { tagFilter: compileTagFilter("kernel|zzz"), severity: "critical" });
  const md = buildMarkdownReport(views, { tagFilter: "kernel|zzz", severity: "critical" });
  assert.ok(md.includes("2 runs \u00B7 tag filter: kernel\\|zzz \u00B7 showing: critical only"));
  assert.ok(md.includes("| dense_1/kernel_0 |"));
  assert.ok(!md.includes("| dense/kernel_0 |"), "the warning tag is filtered out");
  assert.ok(md.includes("No tags match the filters."));
});

test("an empty document gives a short report", () => {
  const md = buildMarkdownReport([], { tagFilter: "", severity: "all" });
  assert.equal(md, "# Histogram diagnostics\n\n0 runs \u2014 by tb\\_histdiag\n\nNo runs with histograms.\n");
});

test("the report lists every flagged verdict with its evidence in a table", () => {
  const doc = normalizeDiagnostics(rawFixture());
  const views = buildView(doc, { tagFilter: compileTagFilter(""), severity: "all" });
  const md = buildMarkdownReport(views, { tagFilter: "", severity: "all" });
  const lines = md.split("\n");
  assert.ok(lines.includes("| Tag | Verdict | Where | Evidence |"));
  assert.ok(lines.includes("| dense/kernel_0 | \u26A0 frozen | steps 0\u201399 | relative change: 1.234e-5; spread: 0.05123 |"), md);
  assertTablesAreRectangular(md);
});

test("the report adds layer learning, selection and role when given", () => {
  const doc = normalizeDiagnostics(rawFixture());
  const views = buildView(doc, { tagFilter: compileTagFilter(""), severity: "all", runs: new Set(["constant_init_tf2"]) });
  const md = buildMarkdownReport(views, {
    tagFilter: "",
    severity: "all",
    role: "weight",
    totalRuns: 2,
    layerMaps: new Map([["constant_init_tf2", { still: ["dense", "dense_1"], slow: [], moving: ["dense_2|x"] }]]),
  });
  assert.ok(md.includes("1 of 2 runs \u00B7 role: weights"), md);
  assert.ok(md.includes("## Layer learning"));
  assert.ok(md.includes("| constant_init_tf2 | dense, dense_1 | \u2014 | dense_2\\|x |"), md);
  assert.ok(!md.includes("onerror"), "the unselected hostile run is not in the report");
  assertTablesAreRectangular(md);
});

test("in compare mode the report has the matrix with escaped names and the overlay sentence", async () => {
  const { buildCompareRows, sortCompareRows } = await import("../src/compare.js");
  const doc = normalizeDiagnostics(rawFixture());
  const filters = { tagFilter: compileTagFilter(""), severity: /** @type {const} */ ("all") };
  const rows = sortCompareRows(buildCompareRows(doc.runs, filters), "difference");
  const views = buildView(doc, filters);
  const md = buildMarkdownReport(views, {
    tagFilter: "",
    severity: "all",
    compare: { runs: doc.runs.map((r) => r.run), rows, overlay: "In a, x never moved; in b it moved by 0.3\u00D7 its initial spread." },
  });
  assert.ok(md.includes("## Comparison"));
  assert.ok(md.includes("| Tag | Layer | constant_init_tf2 | &lt;img src=x onerror=alert(1)&gt;\\|\\`run\\` |"), md);
  assert.ok(md.includes("| dense_1/kernel_0 | dense_1 | \u2716 constant | not logged |"), md);
  assert.ok(md.includes("In a, x never moved"));
  assert.match(md, /\d+ of \d+ tags have different verdicts/);
  assertTablesAreRectangular(md);
});

test("escapeMarkdown isolates text with bidi controls within its cell", () => {
  assert.equal(escapeMarkdown("\u202Eright|left"), "\u2068\u202Eright\\|left\u2069");
  assert.equal(escapeMarkdown("plain_name"), "plain_name");
});

test("a run whose causes are inferred carries the advice and the one-line loggers", () => {
  const raw = rawFixture();
  raw.runs[0].logging = {
    weights_only: true,
    inferred: ["dense_1/kernel_0"],
    advice: "This run logs weights only, so 1 of its tags carry a cause inferred from the weights.",
    loggers: { keras: 'HistogramLogger("logs/run1", probe=(x, y))', pytorch: "log_histograms(writer, model, step)" },
  };
  const doc = normalizeDiagnostics(raw);
  const views = buildView(doc, { tagFilter: compileTagFilter(""), severity: "all" });
  const lines = buildMarkdownReport(views, { tagFilter: "", severity: "all" }).split("\n");
  const at = lines.indexOf(`> \u2139 ${raw.runs[0].logging.advice}`);
  assert.ok(at > 0, lines.join("\n"));
  assert.equal(lines[at + 1], '> - Keras: `HistogramLogger("logs/run1", probe=(x, y))`');
  assert.equal(lines[at + 2], "> - PyTorch: `log_histograms(writer, model, step)`");
  assert.equal(lines.filter((l) => l.startsWith("> \u2139")).length, 1, "only the run that has it");
});
