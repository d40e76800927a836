// A guard on the security rule: the frontend builds DOM only with createElement, textContent and
// setAttribute. None of its sources may use an HTML-parsing sink.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const SINKS = [
  /\binnerHTML\b/,
  /\bouterHTML\b/,
  /\binsertAdjacentHTML\b/,
  /\bdocument\.write(ln)?\b/,
  /\bcreateContextualFragment\b/,
  /\bDOMParser\b/,
  /\bsetHTMLUnsafe\b/,
  /\bsrcdoc\b/,
  /\beval\s*\(/,
  /\bnew\s+Function\s*\(/,
];

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".js") ? [path] : [];
  });
}

test("no HTML-parsing sinks in frontend/src", () => {
  const files = sources(SRC);
  assert.ok(files.length >= 10, "found the sources");
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const sink of SINKS) assert.doesNotMatch(text, sink, `${file} uses ${sink}`);
  }
});

test("the guard itself catches a sink", () => {
  assert.match("el.innerHTML = name", SINKS[0]);
  assert.match("el.insertAdjacentHTML('beforeend', x)", SINKS[2]);
  assert.doesNotMatch("el.textContent = name", SINKS[0]);
});
