import { test } from "node:test";
import assert from "node:assert/strict";
import { RUN_PALETTE, runColor } from "../src/palette.js";

test("TensorBoard's colour-blind palette, in order", () => {
  assert.deepEqual([...RUN_PALETTE], ["#ff7043", "#0077bb", "#cc3311", "#33bbee", "#ee3377", "#009988", "#bbbbbb"]);
});

test("runColor indexes by run order and wraps around", () => {
  assert.equal(runColor(0), "#ff7043");
  assert.equal(runColor(1), "#0077bb");
  assert.equal(runColor(6), "#bbbbbb");
  assert.equal(runColor(7), "#ff7043");
  assert.equal(runColor(15), "#0077bb");
});

test("runColor never returns undefined for odd indexes", () => {
  assert.equal(runColor(-1), "#bbbbbb");
  assert.equal(runColor(2.7), "#cc3311");
  assert.equal(runColor(Number.NaN), "#ff7043");
  assert.equal(runColor(Number.POSITIVE_INFINITY), "#ff7043");
});
