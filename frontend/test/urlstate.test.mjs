import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KEYS,
  deepLinkHash,
  exactRegex,
  parseHash,
  parseStringList,
  readViewState,
  serializeHash,
  withParam,
  writeViewState,
} from "../src/urlstate.js";

test("parseHash: tab first, then decoded pairs in order", () => {
  assert.deepEqual(parseHash("#tb_histdiag&tagFilter=dense%7Cconv&p.tb_histdiag.severity=warning"), {
    tab: "tb_histdiag",
    params: [
      ["tagFilter", "dense|conv"],
      ["p.tb_histdiag.severity", "warning"],
    ],
  });
  assert.deepEqual(parseHash(""), { tab: "", params: [] });
  assert.deepEqual(parseHash("#"), { tab: "", params: [] });
  assert.deepEqual(parseHash("scalars"), { tab: "scalars", params: [] });
});

test("parseHash: '+' is a space (form-encoded links), '%2B' a plus", () => {
  const list = '["run a", "b+c"]';
  const formEncoded = `#tb_histdiag&p.tb_histdiag.runs=${encodeURIComponent(list).replace(/%20/g, "+")}`;
  assert.deepEqual(parseStringList(parseHash(formEncoded).params[0][1]), ["run a", "b+c"]);
  const ours = serializeHash({ tab: "tb_histdiag", params: [["p.tb_histdiag.runs", list]] });
  assert.deepEqual(parseHash(ours).params, [["p.tb_histdiag.runs", list]]);
});

test("parseHash: values may contain '=' and malformed escapes do not throw", () => {
  assert.deepEqual(parseHash("#t&k=a%3Db=c").params, [["k", "a=b=c"]]);
  assert.deepEqual(parseHash("#t&k=%E0%A4%A&&x=").params, [
    ["k", "%E0%A4%A"],
    ["x", ""],
  ]);
});

test("serializeHash round-trips awkward values", () => {
  const hash = { tab: "tb_histdiag", params: /** @type {Array<[string, string]>} */ ([["tagFilter", "a&b=c#d %"], ["x", ""]]) };
  const text = serializeHash(hash);
  assert.equal(text, "#tb_histdiag&tagFilter=a%26b%3Dc%23d%20%25&x=");
  assert.deepEqual(parseHash(text), hash);
  assert.equal(serializeHash({ tab: "", params: [] }), "");
});

test("withParam sets in place, appends, removes, and does not mutate", () => {
  const hash = parseHash("#t&a=1&b=2");
  assert.equal(serializeHash(withParam(hash, "a", "9")), "#t&a=9&b=2");
  assert.equal(serializeHash(withParam(hash, "c", "3")), "#t&a=1&b=2&c=3");
  assert.equal(serializeHash(withParam(hash, "a", undefined)), "#t&b=2");
  assert.equal(serializeHash(withParam(hash, "zz", undefined)), "#t&a=1&b=2");
  assert.equal(serializeHash(hash), "#t&a=1&b=2");
});

test("readViewState: our keys win over TensorBoard's shared tagFilter", () => {
  assert.deepEqual(readViewState(parseHash("#tb_histdiag&tagFilter=dense")), {
    tagFilter: "dense",
    severity: "all",
    open: null,
    runs: null,
    role: "all",
    compare: false,
    compareTag: null,
    compareRuns: null,
    sort: "difference",
  });
  assert.equal(readViewState(parseHash("#x&tagFilter=dense&p.tb_histdiag.tagFilter=")).tagFilter, "");
  assert.equal(readViewState(parseHash("#x&tagFilter=dense&p.tb_histdiag.tagFilter=conv")).tagFilter, "conv");
});

test("readViewState: invalid severity falls back, open needs both run and tag", () => {
  const state = readViewState(parseHash("#x&p.tb_histdiag.severity=loud&p.tb_histdiag.run=r"));
  assert.equal(state.severity, "all");
  assert.equal(state.open, null);
  const open = readViewState(parseHash("#x&p.tb_histdiag.run=r%261&p.tb_histdiag.tag=a%2Fb"));
  assert.deepEqual(open.open, { run: "r&1", tag: "a/b" });
});

test("writeViewState keeps foreign keys and leaves defaults out", () => {
  const hash = parseHash("#tb_histdiag&tagFilter=dense&_smoothingWeight=0.6");
  const same = writeViewState(hash, { tagFilter: "dense", severity: "all", open: null });
  assert.equal(serializeHash(same), "#tb_histdiag&tagFilter=dense&_smoothingWeight=0.6");
  const changed = writeViewState(hash, { tagFilter: "", severity: "critical", open: { run: "r", tag: "t/1" } });
  assert.equal(
    serializeHash(changed),
    "#tb_histdiag&tagFilter=dense&_smoothingWeight=0.6&p.tb_histdiag.tagFilter=&p.tb_histdiag.severity=critical&p.tb_histdiag.run=r&p.tb_histdiag.tag=t%2F1",
  );
  assert.deepEqual(readViewState(changed), {
    tagFilter: "",
    severity: "critical",
    open: { run: "r", tag: "t/1" },
    runs: null,
    role: "all",
    compare: false,
    compareTag: null,
    compareRuns: null,
    sort: "difference",
  });
  const reset = writeViewState(changed, { tagFilter: "dense", severity: "all", open: null });
  assert.deepEqual(
    reset.params.map(([k]) => k),
    ["tagFilter", "_smoothingWeight"],
  );
  assert.ok(!reset.params.some(([k]) => Object.values(KEYS).includes(k)));
});

test("exactRegex matches the tag and only the tag", () => {
  for (const tag of ["dense/kernel_0", "a.b", "x(1)+[2]", "^$|\\", "fc1.weight*"]) {
    const re = new RegExp(exactRegex(tag));
    assert.ok(re.test(tag), tag);
    assert.ok(!re.test(`${tag}x`), tag);
    assert.ok(!re.test(`x${tag}`), tag);
  }
  assert.equal(exactRegex("dense/kernel_0"), "^dense/kernel_0$");
  assert.ok(!new RegExp(exactRegex("a.b")).test("axb"));
});

test("deepLinkHash opens the Histograms tab filtered to one tag, keeping other keys", () => {
  const hash = parseHash("#tb_histdiag&tagFilter=old&p.tb_histdiag.severity=warning");
  assert.equal(
    deepLinkHash(hash, "dense_1/kernel_0"),
    "#histograms&tagFilter=%5Edense_1%2Fkernel_0%24&p.tb_histdiag.severity=warning",
  );
  assert.equal(deepLinkHash(parseHash(""), "a.b", "distributions"), "#distributions&tagFilter=%5Ea%5C.b%24");
});

/** Names chosen to break a naive hash or JSON encoding. */
const HOSTILE = [
  "<img src=x onerror=alert(1)>",
  "a&b=c#d %25 %zz",
  'quote"s and \'single\'',
  "[\"json\",\"looking\"]",
  "line\nbreak\ttab",
  "p.tb_histdiag.runs=evil",
  "unicode \u00e9\u4e2d\ud83d\ude00",
  "",
];

test("the whole view state round-trips through the hash, hostile values included", () => {
  const state = {
    tagFilter: "^dense.*(kernel|bias)$&x=1",
    severity: /** @type {const} */ ("warning"),
    open: { run: HOSTILE[0], tag: HOSTILE[1] },
    runs: HOSTILE,
    role: "gradient",
    compare: true,
    compareTag: HOSTILE[2],
    compareRuns: /** @type {[string, string]} */ ([HOSTILE[3], HOSTILE[4]]),
    sort: /** @type {const} */ ("layer"),
  };
  const text = serializeHash(writeViewState(parseHash("#tb_histdiag&tagFilter=x&keep=1"), state));
  assert.ok(!/[\s"<>#]/.test(text.slice(1)), `the hash has no raw specials: ${text}`);
  const back = readViewState(parseHash(text));
  assert.deepEqual(back, state);
  assert.ok(text.includes("keep=1"), "foreign keys survive");
});

test("compare keys are written only in compare mode, and defaults are left out", () => {
  const base = { tagFilter: "", severity: /** @type {const} */ ("all"), open: null };
  const off = serializeHash(writeViewState(parseHash("#tb_histdiag"), { ...base, compare: false, compareTag: "t", compareRuns: ["a", "b"], sort: "name", role: "all", runs: null }));
  assert.equal(off, "#tb_histdiag");
  const on = serializeHash(writeViewState(parseHash("#tb_histdiag"), { ...base, compare: true, compareTag: null, compareRuns: null, sort: "difference" }));
  assert.equal(on, "#tb_histdiag&p.tb_histdiag.compare=1");
});

test("hand-edited or hostile state values fall back instead of throwing", () => {
  const cases = [
    "#x&p.tb_histdiag.runs=%5B1%2C2%5D", // numbers, not strings
    "#x&p.tb_histdiag.runs=not%20json",
    "#x&p.tb_histdiag.runs=%7B%22a%22%3A1%7D", // an object
    "#x&p.tb_histdiag.runs=%E0%A4%A", // malformed escape
  ];
  for (const hash of cases) assert.equal(readViewState(parseHash(hash)).runs, null, hash);
  assert.deepEqual(readViewState(parseHash("#x&p.tb_histdiag.runs=%5B%22a%22%2C%22a%22%5D")).runs, ["a"], "duplicates dropped");
  assert.deepEqual(readViewState(parseHash("#x&p.tb_histdiag.runs=%5B%5D")).runs, [], "an empty selection is kept");
  const s = readViewState(parseHash("#x&p.tb_histdiag.role=admin&p.tb_histdiag.sort=random&p.tb_histdiag.compare=yes&p.tb_histdiag.compareRuns=%5B%22a%22%5D"));
  assert.equal(s.role, "all");
  assert.equal(s.sort, "difference");
  assert.equal(s.compare, false);
  assert.equal(s.compareRuns, null, "a pair needs two runs");
});

test("parseStringList accepts only arrays of strings", () => {
  assert.deepEqual(parseStringList('["a","b"]'), ["a", "b"]);
  assert.equal(parseStringList(undefined), null);
  assert.equal(parseStringList('"a"'), null);
  assert.equal(parseStringList('["a", null]'), null);
  assert.equal(parseStringList("__proto__"), null);
});
