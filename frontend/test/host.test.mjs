import { test } from "node:test";
import assert from "node:assert/strict";
import { BOOTSTRAP, DATA_RELOADED, RUNS_CHANGED, connectHost, decodeMessage, encodeReply } from "../src/host.js";

test("decodeMessage reads protocol messages", () => {
  const text = JSON.stringify({ type: DATA_RELOADED, id: 7, payload: null, error: null, isReply: false });
  assert.deepEqual(decodeMessage(text), { type: DATA_RELOADED, id: 7, payload: null, error: null, isReply: false });
  const reply = decodeMessage(JSON.stringify({ type: "experimental.GetRuns", id: 2, payload: ["a"], isReply: true }));
  assert.equal(reply?.isReply, true);
  assert.deepEqual(reply?.payload, ["a"]);
});

test("decodeMessage ignores anything else", () => {
  for (const junk of [undefined, null, 3, {}, "", "not json", "[]", "null", '{"id": 1}', '{"type": 5}']) {
    assert.equal(decodeMessage(junk), null, String(junk));
  }
});

test("encodeReply echoes type and id with an empty payload", () => {
  const msg = decodeMessage(JSON.stringify({ type: RUNS_CHANGED, id: 3, payload: ["a", "b"], isReply: false }));
  assert.ok(msg);
  assert.deepEqual(JSON.parse(encodeReply(msg)), { type: RUNS_CHANGED, id: 3, payload: null, error: null, isReply: true });
});

test("connectHost does nothing standalone", () => {
  const win = /** @type {any} */ ({});
  win.parent = win;
  let reloads = 0;
  const close = connectHost(win, { onReload: () => reloads++ });
  close();
  assert.equal(reloads, 0);
});

test("connectHost survives a parent whose postMessage throws", () => {
  const win = /** @type {any} */ ({
    parent: {
      postMessage() {
        throw new Error("blocked");
      },
    },
  });
  const close = connectHost(win, { onReload: () => {} });
  assert.equal(typeof close, "function");
  close();
});

/**
 * Wait for the next message on a port.
 * @param {MessagePort} port
 * @returns {Promise<unknown>}
 */
function nextMessage(port) {
  return new Promise((resolve) => {
    port.onmessage = (event) => resolve(event.data);
  });
}

test("connectHost bootstraps, answers broadcasts and reloads on DataReloaded and RunsChanged", async () => {
  /** @type {Array<{message: unknown, origin: string, port: MessagePort}>} */
  const posted = [];
  const win = /** @type {any} */ ({
    parent: {
      postMessage(message, origin, transfer) {
        posted.push({ message, origin, port: transfer[0] });
      },
    },
  });
  let reloads = 0;
  const close = connectHost(win, { onReload: () => reloads++ });
  try {
    assert.equal(posted.length, 1);
    assert.equal(posted[0].message, BOOTSTRAP);
    assert.equal(posted[0].origin, "*");
    const hostPort = posted[0].port;

    let reply = nextMessage(hostPort);
    hostPort.postMessage(JSON.stringify({ type: DATA_RELOADED, id: 1, payload: null, error: null, isReply: false }));
    assert.deepEqual(JSON.parse(String(await reply)), {
      type: DATA_RELOADED,
      id: 1,
      payload: null,
      error: null,
      isReply: true,
    });
    assert.equal(reloads, 1);

    reply = nextMessage(hostPort);
    hostPort.postMessage(JSON.stringify({ type: "experimental.Unknown", id: 2, payload: 1, error: null, isReply: false }));
    assert.equal(JSON.parse(String(await reply)).id, 2, "unknown requests are answered too");
    assert.equal(reloads, 1, "but do not reload");

    reply = nextMessage(hostPort);
    hostPort.postMessage(JSON.stringify({ type: RUNS_CHANGED, id: 3, payload: ["a"], error: null, isReply: false }));
    await reply;
    assert.equal(reloads, 2);
    hostPort.close();
  } finally {
    close();
  }
});
