import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError, errorMessageFromBody, fetchDiagnostics, getJson, routeUrl } from "../src/api.js";
import { rawFixture } from "./helpers.mjs";

/**
 * A fetch stub that records requested URLs and answers with a fixed response.
 * @param {number} status
 * @param {string} body
 * @param {string} [statusText]
 */
function stubFetch(status, body, statusText = "") {
  /** @type {string[]} */
  const urls = [];
  /** @type {typeof fetch} */
  const fetchImpl = async (url) => {
    urls.push(String(url));
    return new Response(body, { status, statusText, headers: { "Content-Type": "application/json" } });
  };
  return { fetchImpl, urls };
}

test("routeUrl stays relative and encodes parameters", () => {
  assert.equal(routeUrl("diagnostics"), "diagnostics");
  assert.equal(routeUrl("series", { run: "a b/c", tag: "x&y=z#" }), "series?run=a+b%2Fc&tag=x%26y%3Dz%23");
  assert.equal(routeUrl("series", { run: "r", tag: null, step: undefined }), "series?run=r");
  assert.equal(routeUrl("series", { step: 0 }), "series?step=0");
});

test("fetchDiagnostics requests the relative route and normalises the document", async () => {
  const { fetchImpl, urls } = stubFetch(200, JSON.stringify(rawFixture()));
  const doc = await fetchDiagnostics({ fetchImpl });
  assert.deepEqual(urls, ["diagnostics"]);
  assert.equal(doc.runs.length, 2);
  assert.equal(doc.runs[0].run, "constant_init_tf2");
});

test("a JSON 4xx yields ApiError with the backend's message and status", async () => {
  const { fetchImpl } = stubFetch(404, JSON.stringify({ error: "run 'x' has no histogram tag 'y'" }));
  await assert.rejects(getJson("series", { run: "x", tag: "y" }, { fetchImpl }), (err) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 404);
    assert.equal(err.message, "run 'x' has no histogram tag 'y'");
    assert.equal(err.route, "series");
    return true;
  });
});

test("a network failure yields ApiError with status 0", async () => {
  /** @type {typeof fetch} */
  const fetchImpl = async () => {
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(fetchDiagnostics({ fetchImpl }), (err) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 0);
    assert.match(err.message, /could not reach/);
    return true;
  });
});

test("an abort is passed through, not turned into an ApiError", async () => {
  /** @type {typeof fetch} */
  const fetchImpl = async () => {
    throw new DOMException("aborted", "AbortError");
  };
  await assert.rejects(fetchDiagnostics({ fetchImpl }), { name: "AbortError" });
});

test("invalid JSON and a non-diagnostics body are errors, not crashes", async () => {
  await assert.rejects(fetchDiagnostics(stubFetch(200, "{not json")), /not valid JSON/);
  await assert.rejects(fetchDiagnostics(stubFetch(200, '{"runs": 3}')), (err) => {
    assert.ok(err instanceof ApiError);
    assert.match(err.message, /no "runs" list/);
    return true;
  });
});

test("errorMessageFromBody: JSON error, plain text, HTML, empty", () => {
  assert.equal(errorMessageFromBody(400, "Bad Request", '{"error": "missing run"}'), "missing run");
  assert.equal(
    errorMessageFromBody(404, "", "Not found: No histogram tag 'x' for run 'nope'"),
    "Not found: No histogram tag 'x' for run 'nope'",
  );
  assert.equal(errorMessageFromBody(500, "Internal Server Error", "<!doctype html><h1>500</h1>"), "Internal Server Error");
  assert.equal(errorMessageFromBody(502, "", ""), "request failed with HTTP 502");
  assert.equal(errorMessageFromBody(400, "", '{"error": ""}'), '{"error": ""}');
  const long = "x".repeat(1000);
  assert.equal(errorMessageFromBody(500, "", long).length, 301);
});
