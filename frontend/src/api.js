// Talking to the plugin's backend routes. URLs stay relative: the iframe's <base> points at
// .../data/plugin/tb_histdiag/, so path prefixes and /experiment/<id>/ keep working.
// DOM-free apart from the global fetch, which callers may replace.

import { normalizeDiagnostics } from "./model.js";

/** A failed request, with the HTTP status (0 when the server could not be reached). */
export class ApiError extends Error {
  /**
   * @param {string} message  what went wrong, in words fit for the page
   * @param {number} status   HTTP status, 0 for network failures
   * @param {string} route    the route that failed, e.g. "diagnostics"
   */
  constructor(message, status, route) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.route = route;
  }
}

/** Longest piece of a non-JSON error body that we show. */
const MAX_BODY_CHARS = 300;

/**
 * A relative URL for a route with query parameters (null/undefined parameters are dropped).
 * @param {string} route  e.g. "diagnostics", "series"
 * @param {Record<string, string | number | null | undefined>} [params]
 * @returns {string}
 */
export function routeUrl(route, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined) query.set(key, String(value));
  }
  const qs = query.toString();
  return qs ? `${route}?${qs}` : route;
}

/**
 * The message to show for a failed response: the backend's `{"error": ...}` when present,
 * else the start of the body, else the status text.
 * @param {number} status
 * @param {string} statusText
 * @param {string} body
 * @returns {string}
 */
export function errorMessageFromBody(status, statusText, body) {
  const text = body.trim();
  if (text) {
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === "object" && typeof parsed.error === "string" && parsed.error) {
        return parsed.error;
      }
    } catch {
      // Not JSON (e.g. TensorBoard's text/plain or HTML error pages): fall through.
    }
    if (!text.startsWith("<")) {
      return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}\u2026` : text;
    }
  }
  return statusText || `request failed with HTTP ${status}`;
}

/**
 * GET a JSON route. Resolves to the parsed body; rejects with ApiError.
 * @param {string} route
 * @param {Record<string, string | number | null | undefined>} [params]
 * @param {{fetchImpl?: typeof fetch, signal?: AbortSignal}} [options]
 * @returns {Promise<unknown>}
 */
export async function getJson(route, params = {}, options = {}) {
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const url = routeUrl(route, params);
  /** @type {Response} */
  let response;
  try {
    response = await fetchImpl(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof Error && err.name === "AbortError") throw err;
    throw new ApiError("could not reach the TensorBoard server", 0, route);
  }
  const body = await response.text();
  if (!response.ok) {
    throw new ApiError(
      errorMessageFromBody(response.status, response.statusText, body),
      response.status,
      route,
    );
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new ApiError(`the "${route}" response is not valid JSON`, response.status, route);
  }
}

/**
 * GET diagnostics, normalised.
 * @param {{fetchImpl?: typeof fetch, signal?: AbortSignal}} [options]
 * @returns {Promise<import("./model.js").Diagnostics>}
 */
export async function fetchDiagnostics(options = {}) {
  const raw = await getJson("diagnostics", {}, options);
  try {
    return normalizeDiagnostics(raw);
  } catch (err) {
    throw new ApiError(err instanceof Error ? err.message : String(err), 200, "diagnostics");
  }
}
