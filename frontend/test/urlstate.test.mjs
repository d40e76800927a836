import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KEYS,
  deepLinkHash,
  exactRegex,
  parseHash,
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
  assert.deepEqual(readViewState(changed), { tagFilter: "", severity: "critical", open: { run: "r", tag: "t/1" } });
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
