import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SEVERITY_FILTERS,
  buildRunView,
  buildView,
  compareLayers,
  compareTags,
  compileTagFilter,
  MAX_NAME_CHARS,
  MIN_NAME_CHARS,
  nameCharsBound,
  parseSeverityFilter,
  patternCost,
  rowKey,
  tagFilterMatches,
  tagPasses,
  tagSeverity,
} from "../src/filters.js";
import { normalizeDiagnostics, normalizeTag } from "../src/model.js";
import { rawFixture } from "./helpers.mjs";

const NO_FILTER = { tagFilter: compileTagFilter(""), severity: /** @type {const} */ ("all") };

/** @param {string} text @param {import("../src/filters.js").SeverityFilter} [severity] */
function filters(text, severity = "all") {
  return { tagFilter: compileTagFilter(text), severity };
}

test("compileTagFilter: empty matches everything, text is a case-insensitive regex", () => {
  assert.deepEqual(compileTagFilter(""), { regex: null, error: null });
  assert.equal(compileTagFilter("KERNEL|bias_0$").maxChars, MAX_NAME_CHARS);
  const { regex, error } = compileTagFilter("KERNEL|bias_0$");
  assert.equal(error, null);
  assert.ok(regex?.test("dense/kernel_0"));
  assert.ok(regex?.test("dense/bias_0"));
  assert.ok(!regex?.test("dense/bias_01"));
});

test("compileTagFilter: an invalid regex gives a message, never a throw", () => {
  for (const bad of ["(", "[a-", "*x", "a{2,1}"]) {
    const result = compileTagFilter(bad);
    assert.equal(result.regex, null, bad);
    assert.match(result.error ?? "", /^Invalid regular expression/, bad);
  }
});

/** Names built to make a backtracking regex work hard (the hostile logdir has a 2,000-char tag). */
const LONG_NAMES = ["x".repeat(2000), "a".repeat(2000), `${"a".repeat(2000)}!`, "ab".repeat(1000), " ".repeat(2000), "1".repeat(2000)];

test("compileTagFilter refuses exponential patterns with a message, never hangs", () => {
  const exponential = [
    "(a+)+$",
    "(a*)*b",
    "(x+)+y",
    "^(a|aa)+$",
    "(?:x|x)*y",
    "(\\w+\\s?)*$",
    "((ab)*c)+",
    "(a?){2,}",
    "(?<g>a+)+",
    "(a+){2,5}",
    "(.*,)+x",
    "(a)\\1*",
    "(a)(b\\1)+",
  ];
  for (const text of exponential) {
    const result = compileTagFilter(text);
    assert.equal(result.regex, null, text);
    assert.match(result.error ?? "", /^Filter not applied: .*exponentially/, text);
  }
  // A refused filter hides nothing, like an invalid one (the page shows the message).
  const tag = normalizeTag({ tag: "a".repeat(2000), status: "ok" });
  assert.equal(tagPasses(tag, filters("(a+)+$")), true);
});

test("compileTagFilter refuses too many repetitions in a row, counting alternatives apart", () => {
  const refused = compileTagFilter(".*a.*a.*a.*a");
  assert.equal(refused.regex, null);
  assert.match(refused.error ?? "", /^Filter not applied: it has 4 repetitions/);
  assert.equal(patternCost("^conv.*kernel|dense.*bias|x.*y.*z").repeats, 2, "alternatives do not add up");
  assert.equal(patternCost("(a.*b|c.*d.*e)f.*").repeats, 3);
  assert.equal(patternCost("a?b?c?").optionals, 3);
  assert.equal(patternCost("\\d{1,3}x{2}").optionals, 1, "a short bounded range is an optional part");
  assert.equal(patternCost("\\d{1,30}").repeats, 1);
  assert.equal(patternCost("[(+*]a").repeats, 0, "quantifier characters inside a class are literal");
  assert.equal(patternCost("\\(a\\)\\+").repeats, 0, "escaped quantifiers are literal");
  assert.equal(patternCost("(?:ab)?c").refused, null, "an optional group is not a repeat");
  for (let k = 0; k <= 3; k++) assert.ok(nameCharsBound(k, 0) >= MIN_NAME_CHARS, `k=${k}`);
  assert.ok(nameCharsBound(4, 0) < MIN_NAME_CHARS);
});

test("ordinary tag filters are accepted unchanged", () => {
  for (const text of ["dense", "^fc[12]\\.weight$", "kernel|bias", "^conv.*kernel", "layer_\\d+/(weight|bias)", "(?:dense|conv)_?\\d*/kernel", "^model/.*/bias_0$", "[a-z]+_\\d+"]) {
    const result = compileTagFilter(text);
    assert.equal(result.error, null, text);
    assert.ok(result.regex, text);
  }
});

test("tagFilterMatches: every accepted pattern stays fast on 2,000-character names", () => {
  const hard = [".*.*y", ".*.*.*y", "x*x*x*y", "\\w+\\w+\\w+!", "\\s*\\s*\\s*$", "a?a?a?a?a?a?a?a?aaaaaaaaa", "(a+)?b", "a{1,100}a{1,100}a{1,100}b", "[ax]+[ax]+[ax]+$z"];
  const start = performance.now();
  for (const text of hard) {
    const filter = compileTagFilter(text);
    assert.equal(filter.error, null, text);
    for (const name of LONG_NAMES) tagFilterMatches(filter, name);
  }
  const ms = performance.now() - start;
  // Unbounded, ".*.*y" alone takes ~2 s per 2,000-character name; bounded, all of these take
  // a few ms per name at worst.
  assert.ok(ms < 1500, `${ms.toFixed(0)} ms for ${hard.length * LONG_NAMES.length} tests`);
});

test("tagFilterMatches: simple patterns see the whole name, costly ones a documented prefix", () => {
  const long = `${"x".repeat(1000)}.weight_end`;
  assert.equal(tagFilterMatches(compileTagFilter("weight_end$"), `${"x".repeat(3000)}.weight_end`), true, "no repetition: 4,096 chars");
  assert.equal(tagFilterMatches(compileTagFilter("x+\\.weight_end$"), long), true, "one repetition: 1,448 chars");
  assert.equal(tagFilterMatches(compileTagFilter("x+\\.weight_end$"), `x${long}`.repeat(2)), false, "cut at 1,448 chars");
  const two = compileTagFilter("x.*x.*weight");
  assert.equal(two.maxChars, nameCharsBound(2, 0));
  assert.equal(tagFilterMatches(two, long), false, "two repetitions: only the first 128 characters are tested");
  assert.equal(tagFilterMatches(two, "xx.weight"), true);
  assert.equal(tagFilterMatches(compileTagFilter(""), long), true);
  assert.equal(tagFilterMatches(compileTagFilter("("), long), true, "invalid: nothing hidden");
});

test("parseSeverityFilter accepts the four choices only", () => {
  assert.deepEqual(
    SEVERITY_FILTERS.map((f) => f.value),
    ["all", "info", "warning", "critical"],
  );
  for (const f of SEVERITY_FILTERS) assert.equal(parseSeverityFilter(f.value), f.value);
  for (const bad of ["ok", "unknown", "WARNING", "", null, undefined]) assert.equal(parseSeverityFilter(bad), "all");
});

test("tagSeverity: the worse of status and verdicts", () => {
  const infoOnly = normalizeTag({ tag: "t", status: "ok", verdicts: [{ id: "slow", severity: "info" }] });
  assert.equal(tagSeverity(infoOnly), "info");
  const plainOk = normalizeTag({ tag: "t", status: "ok" });
  assert.equal(tagSeverity(plainOk), "ok");
  const unknown = normalizeTag({ tag: "t", status: "unknown", reason: "empty" });
  assert.equal(tagSeverity(unknown), "unknown");
  const critical = normalizeTag({ tag: "t", status: "critical", verdicts: [{ id: "x", severity: "warning" }] });
  assert.equal(tagSeverity(critical), "critical");
});

test("tagPasses: severity thresholds", () => {
  const [run] = normalizeDiagnostics(rawFixture()).runs;
  const names = (/** @type {import("../src/filters.js").SeverityFilter} */ severity) =>
    run.tags.filter((t) => tagPasses(t, filters("", severity))).map((t) => t.tag).sort();
  assert.equal(names("all").length, 5);
  assert.deepEqual(names("info"), ["dense/bias_0", "dense/kernel_0", "dense_1/kernel_0"]);
  assert.deepEqual(names("warning"), ["dense/kernel_0", "dense_1/kernel_0"]);
  assert.deepEqual(names("critical"), ["dense_1/kernel_0"]);
});

test("tagPasses: an invalid regex hides nothing", () => {
  const tag = normalizeTag({ tag: "a/b", status: "ok" });
  assert.equal(tagPasses(tag, filters("(")), true);
  assert.equal(tagPasses(tag, filters("zzz")), false);
  assert.equal(tagPasses(tag, filters("A/B")), true);
});

test("buildRunView groups by layer in depth order, roles in order inside a layer", () => {
  const [run] = normalizeDiagnostics(rawFixture()).runs;
  const view = buildRunView(run, NO_FILTER);
  assert.deepEqual(
    view.groups.map((g) => [g.layer, g.depth, g.tags.map((t) => t.tag)]),
    [
      ["dense", 0, ["dense/kernel_0", "dense/bias_0"]],
      ["dense_1", 1, ["dense_1/kernel_0", "dense_1/bias_0"]],
      ["dense_2", 2, ["dense_2/activation"]],
    ],
    "dense_2 is not in the layers list and is grouped from the tag's own layer field",
  );
  assert.equal(view.groups[1].verdicts[0].id, "bias_only");
  assert.equal(view.shownTags.length, 5);
});

test("buildRunView drops layers without shown tags and reports totals", () => {
  const [run] = normalizeDiagnostics(rawFixture()).runs;
  const view = buildRunView(run, filters("kernel", "warning"));
  assert.deepEqual(
    view.groups.map((g) => [g.layer, g.tags.length, g.total]),
    [
      ["dense", 1, 2],
      ["dense_1", 1, 2],
    ],
  );
  assert.deepEqual(buildRunView(run, filters("nothing-matches")).groups, []);
});

test("buildRunView: a tag listed by two layers is shown once; unknown tag names are ignored", () => {
  const doc = normalizeDiagnostics({
    runs: [
      {
        run: "r",
        layers: [
          { layer: "a", depth: 0, tags: ["a/w", "ghost"] },
          { layer: "b", depth: 1, tags: ["a/w", "b/w"] },
        ],
        tags: [
          { tag: "a/w", layer: "a", depth: 0, status: "ok" },
          { tag: "b/w", layer: "b", depth: 1, status: "ok" },
        ],
      },
    ],
  });
  const view = buildRunView(doc.runs[0], NO_FILTER);
  assert.deepEqual(view.shownTags.map((t) => t.tag), ["a/w", "b/w"]);
});

test("buildView covers every run, keeping the order of the response", () => {
  const doc = normalizeDiagnostics(rawFixture());
  const views = buildView(doc, filters("weight"));
  assert.deepEqual(views.map((v) => v.run.run), doc.runs.map((r) => r.run));
  assert.deepEqual(views[0].shownTags, []);
  assert.deepEqual(views[1].shownTags.map((t) => t.tag), ["fc.weight"]);
});

test("compareLayers: depth, then layers without depth last, then natural names", () => {
  const layers = [
    { layer: "z", depth: null },
    { layer: "dense_10", depth: 1 },
    { layer: "dense_2", depth: 1 },
    { layer: null, depth: null },
    { layer: "input", depth: 0 },
  ];
  assert.deepEqual(
    [...layers].sort(compareLayers).map((l) => l.layer),
    ["input", "dense_2", "dense_10", "z", null],
  );
});

test("compareTags: weights, biases, activations, gradients, others; numbers in names compare as numbers", () => {
  const tags = [
    ["x/grad", "gradient"],
    ["x/act", "activation"],
    ["x/bias", "bias"],
    ["x/kernel_10", "weight"],
    ["x/kernel_2", "weight"],
    ["x/misc", "other"],
  ].map(([tag, role]) => normalizeTag({ tag, role }));
  assert.deepEqual(
    tags.sort(compareTags).map((t) => t.tag),
    ["x/kernel_2", "x/kernel_10", "x/bias", "x/act", "x/grad", "x/misc"],
  );
});

test("rowKey separates run and tag unambiguously", () => {
  assert.notEqual(rowKey("a/b", "c"), rowKey("a", "b/c"));
  assert.notEqual(rowKey('a","b', "c"), rowKey("a", 'b","c'));
  assert.equal(rowKey("r", "t"), rowKey("r", "t"));
});

test("the role filter keeps one role; unknown roles count as 'other'", async () => {
  const { tagPasses, parseRoleFilter, selectedRuns } = await import("../src/filters.js");
  const { normalizeTag } = await import("../src/model.js");
  const base = { tagFilter: compileTagFilter(""), severity: /** @type {const} */ ("all") };
  const weight = normalizeTag({ tag: "w", role: "weight", status: "ok" });
  const odd = normalizeTag({ tag: "x", role: "embedding", status: "ok" });
  assert.ok(tagPasses(weight, { ...base, role: "weight" }));
  assert.ok(!tagPasses(weight, { ...base, role: "bias" }));
  assert.ok(tagPasses(weight, { ...base, role: "all" }));
  assert.ok(tagPasses(odd, { ...base, role: "other" }));
  assert.ok(!tagPasses(odd, { ...base, role: "weight" }));
  assert.equal(parseRoleFilter("gradient"), "gradient");
  assert.equal(parseRoleFilter("toString"), "all");
  assert.deepEqual(selectedRuns([{ run: "a" }, { run: "b" }], new Set(["b", "zzz"])), [{ run: "b" }]);
  assert.deepEqual(selectedRuns([{ run: "a" }], null), [{ run: "a" }]);
});

test("buildView shows only the selected runs", () => {
  const doc = normalizeDiagnostics(rawFixture());
  assert.deepEqual(buildView(doc, { tagFilter: compileTagFilter(""), severity: "all", runs: new Set(["constant_init_tf2"]) }).map((v) => v.run.run), ["constant_init_tf2"]);
  assert.deepEqual(buildView(doc, { tagFilter: compileTagFilter(""), severity: "all", runs: new Set() }), []);
});
