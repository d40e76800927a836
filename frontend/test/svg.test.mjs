import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeXml, findNodes, s, serializeSvg, svgDocument, textOf } from "../src/svg.js";

const HOSTILE = '<img src=x onerror=alert(1)>&"\'</text><script>x</script>';

test("s() builds nodes, drops empty attributes and children, rounds numbers", () => {
  const node = s("g", { a: 1.23456, b: null, c: undefined, d: false, e: true, f: "x" }, null, false, "t", 3, [s("rect"), [s("line")]]);
  assert.deepEqual(node.attrs, { a: "1.23", e: "", f: "x" });
  assert.deepEqual(
    node.children.map((c) => (typeof c === "string" ? c : c.tag)),
    ["t", "3", "rect", "line"],
  );
});

test("s() refuses element and attribute names that could inject markup", () => {
  assert.throws(() => s("svg onload=alert(1)"), TypeError);
  assert.throws(() => s("g", { "x onload": "1" }), TypeError);
  assert.throws(() => s("g", { 'a"': "1" }), TypeError);
  assert.throws(() => s(""), TypeError);
});

test("serialisation escapes text and attribute values from data", () => {
  const node = s("svg", { width: 10, "data-run": HOSTILE }, s("title", {}, HOSTILE), s("text", {}, HOSTILE));
  const xml = serializeSvg(node);
  assert.ok(xml.startsWith('<svg width="10" data-run="&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;&lt;/text&gt;'));
  assert.ok(xml.includes('xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(!xml.includes("<img"), "no element from data");
  assert.ok(!xml.includes("<script"), "no element from data");
  assert.equal((xml.match(/<text>/g) ?? []).length, 1);
  assert.equal((xml.match(/<\/text>/g) ?? []).length, 1, "the data cannot close the text element");
});

test("serialisation drops characters XML forbids (a name with a NUL still gives a valid file)", () => {
  assert.equal(escapeXml("a\u0000b\u0007c\u001Fd\tok\n"), "ab" + "cd\tok\n");
  assert.equal(escapeXml("lone \uD800 surrogate \uDC00 end"), "lone  surrogate  end");
  assert.equal(escapeXml("pair \uD83D\uDE00 kept"), "pair \uD83D\uDE00 kept");
  assert.equal(escapeXml(null), "");
  const xml = serializeSvg(s("svg", { "data-x": "a\u0001b" }, s("text", {}, "c\u0002d")));
  assert.ok(!/[\u0000-\u0008]/.test(xml));
  assert.ok(xml.includes('data-x="ab"') && xml.includes(">cd<"));
});

test("only the root gets the namespace; empty elements self-close; the document has a prolog", () => {
  const xml = serializeSvg(s("svg", {}, s("svg", { x: 1 }, s("rect"))));
  assert.equal(xml.match(/xmlns=/g)?.length, 1);
  assert.ok(xml.includes('<svg x="1"><rect/></svg>'));
  assert.ok(svgDocument(s("svg")).startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns='));
});

test("textOf and findNodes walk the tree", () => {
  const node = s("svg", {}, s("g", { id: "a" }, s("text", {}, "x"), s("text", {}, "y")), s("g", { id: "b" }));
  assert.equal(textOf(node), "xy");
  assert.deepEqual(findNodes(node, (n) => n.tag === "g").map((n) => n.attrs.id), ["a", "b"]);
  assert.deepEqual(findNodes(node, (n) => n.tag === "circle"), []);
});
