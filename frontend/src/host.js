// TensorBoard's iframe "plugin library" protocol (tensorboard/components/experimental/plugin_lib),
// spoken directly because it is not published on npm:
//   1. the guest posts "experimental.bootstrap" to its parent with a MessagePort;
//   2. every message on that port is JSON {type, id, payload, error, isReply};
//   3. whoever receives a non-reply message must answer with a reply (same type and id).
// The host broadcasts "experimental.DataReloaded" after each reload and
// "experimental.RunsChanged" when the run list changes.

export const BOOTSTRAP = "experimental.bootstrap";
export const DATA_RELOADED = "experimental.DataReloaded";
export const RUNS_CHANGED = "experimental.RunsChanged";

/**
 * @typedef {object} HostMessage
 * @property {string} type
 * @property {number} id
 * @property {unknown} payload
 * @property {string | null} error
 * @property {boolean} isReply
 */

/**
 * Parse one message from the port; null for anything that is not a protocol message.
 * @param {unknown} data
 * @returns {HostMessage | null}
 */
export function decodeMessage(data) {
  if (typeof data !== "string") return null;
  let parsed;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== "object" || typeof parsed.type !== "string") return null;
  return {
    type: parsed.type,
    id: typeof parsed.id === "number" ? parsed.id : 0,
    payload: parsed.payload ?? null,
    error: typeof parsed.error === "string" ? parsed.error : null,
    isReply: parsed.isReply === true,
  };
}

/**
 * The JSON text of the reply a guest owes for a non-reply message.
 * @param {HostMessage} message
 * @returns {string}
 */
export function encodeReply(message) {
  return JSON.stringify({ type: message.type, id: message.id, payload: null, error: null, isReply: true });
}

/**
 * Connect to TensorBoard and call `onReload` when it reloads data or the run list changes.
 * Does nothing (and never throws) when there is no TensorBoard parent.
 * @param {Window} win
 * @param {{onReload: () => void}} handlers
 * @returns {() => void}  closes the connection
 */
export function connectHost(win, { onReload }) {
  if (!win.parent || win.parent === win || typeof MessageChannel === "undefined") return () => {};
  /** @type {MessageChannel | null} */
  let channel = null;
  try {
    channel = new MessageChannel();
    const port = channel.port1;
    port.onmessage = (event) => {
      const message = decodeMessage(event.data);
      if (!message || message.isReply) return;
      try {
        port.postMessage(encodeReply(message));
      } catch {
        // The host went away; nothing to answer.
      }
      if (message.type === DATA_RELOADED || message.type === RUNS_CHANGED) onReload();
    };
    port.start();
    win.parent.postMessage(BOOTSTRAP, "*", [channel.port2]);
  } catch {
    channel?.port1.close();
    channel?.port2.close();
    return () => {};
  }
  const port = channel.port1;
  return () => {
    try {
      port.close();
    } catch {
      // already closed
    }
  };
}
