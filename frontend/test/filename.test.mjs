import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_FILENAME, filenamePart, safeFilename } from "../src/filename.js";

test("ordinary names stay readable", () => {
  assert.equal(safeFilename(["healthy_tf2", "dense/kernel_0"], "png"), "tb_histdiag-healthy_tf2-dense_kernel_0.png");
  assert.equal(safeFilename([], "json"), "tb_histdiag.json");
  assert.equal(safeFilename(["run é 中"], "svg"), "tb_histdiag-run_é_中.svg");
});

test("hostile names cannot escape the folder, hide the file or smuggle controls", () => {
  const name = safeFilename(["../../etc/passwd", "<img src=x onerror=alert(1)>", "a\u0000b\u202Egnp.exe"], "PNG");
  assert.equal(name, "tb_histdiag-etc_passwd-img_src_x_onerror_alert_1-a_b_gnp.exe.png");
  assert.ok(!/[\\/:*?"<>|\u0000-\u001f\u202e]/.test(name));
  assert.equal(filenamePart("..."), "");
  assert.equal(filenamePart(".hidden"), "hidden");
  assert.equal(filenamePart(null), "");
  assert.equal(safeFilename(["", "..", "///"], "svg"), "tb_histdiag.svg");
  assert.equal(safeFilename(["x"], "../exe"), "tb_histdiag-x.exe");
  assert.equal(safeFilename(["x"], ""), "tb_histdiag-x.bin");
});

test("long names are cut to the limit without a trailing separator", () => {
  const name = safeFilename(["r".repeat(300), "t"], "png");
  assert.ok(name.length <= MAX_FILENAME, String(name.length));
  assert.ok(name.endsWith("r.png"));
  const emoji = safeFilename(["\ud83d\ude00".repeat(200)], "svg");
  assert.ok([...emoji].length <= MAX_FILENAME);
  assert.ok(!/[\ud800-\udbff]\./.test(emoji), "no half surrogate pair before the extension");
});
