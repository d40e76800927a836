// Shared test data.
import { readFileSync } from "node:fs";

/** The raw fixture document (a fresh copy per call, so tests may mutate it). */
export function rawFixture() {
  return JSON.parse(readFileSync(new URL("./fixtures/diagnostics.json", import.meta.url), "utf8"));
}
