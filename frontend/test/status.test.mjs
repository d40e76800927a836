import { test } from "node:test";
import assert from "node:assert/strict";
import { STATUSES, isStatus, statusLook, statusRank, toStatus, worstStatus } from "../src/status.js";

test("the five statuses are known, worst first", () => {
  assert.deepEqual([...STATUSES], ["critical", "warning", "info", "ok", "unknown"]);
  for (const s of STATUSES) assert.equal(isStatus(s), true);
});

test("anything else is not a status and maps to unknown", () => {
  for (const bad of ["CRITICAL", "error", "", null, undefined, 3, {}, "toString", "__proto__"]) {
    assert.equal(isStatus(bad), false, String(bad));
    assert.equal(toStatus(bad), "unknown");
  }
});

test("ranks order critical > warning > info > ok > unknown", () => {
  assert.ok(statusRank("critical") > statusRank("warning"));
  assert.ok(statusRank("warning") > statusRank("info"));
  assert.ok(statusRank("info") > statusRank("ok"));
  assert.ok(statusRank("ok") > statusRank("unknown"));
  assert.equal(statusRank("bogus"), statusRank("unknown"));
});

test("worstStatus picks the worst and ignores junk", () => {
  assert.equal(worstStatus(["ok", "warning", "info"]), "warning");
  assert.equal(worstStatus(["ok", "critical", "nonsense"]), "critical");
  assert.equal(worstStatus(["ok"]), "ok");
  assert.equal(worstStatus([]), "unknown");
});

test("every status has an icon and its word (never colour alone)", () => {
  assert.deepEqual(statusLook("critical"), { status: "critical", icon: "\u2716", label: "critical" });
  assert.deepEqual(statusLook("warning"), { status: "warning", icon: "\u26A0", label: "warning" });
  assert.deepEqual(statusLook("info"), { status: "info", icon: "\u2139", label: "info" });
  assert.deepEqual(statusLook("ok"), { status: "ok", icon: "\u2714", label: "ok" });
  assert.deepEqual(statusLook("unknown"), { status: "unknown", icon: "?", label: "unknown" });
  assert.equal(statusLook("<b>").label, "unknown");
});
