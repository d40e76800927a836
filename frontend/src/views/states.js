// Loading, error, empty, no-match and no-runs states.

import { h } from "./dom.js";

/**
 * @returns {HTMLDivElement}
 */
export function loadingState() {
  return h(
    "div",
    { class: "hd-state hd-loading", "data-testid": "loading-state", role: "status" },
    h("span", { class: "hd-spinner", "aria-hidden": "true" }),
    "Loading diagnostics\u2026",
  );
}

/**
 * An error with the HTTP status and the backend's message.
 * @param {{message: string, status: number}} error
 * @param {{onRetry: () => void, stale: boolean}} options  stale: older results are still shown below
 * @returns {HTMLDivElement}
 */
export function errorState(error, { onRetry, stale }) {
  const where = error.status ? `HTTP ${error.status}` : "Network error";
  return h(
    "div",
    { class: `hd-state hd-error${stale ? " hd-error-banner" : ""}`, "data-testid": "error-state", role: "alert" },
    h("p", { class: "hd-error-title" }, stale ? "Could not refresh diagnostics; showing the last results." : "Could not load diagnostics."),
    h("p", { class: "hd-error-detail" }, h("span", { class: "hd-error-status", "data-testid": "error-status" }, where), ": ", h("span", { "data-testid": "error-message" }, error.message)),
    h("button", { type: "button", class: "hd-button", onclick: onRetry }, "Try again"),
  );
}

/** The three ways to log histograms, shown when there is nothing to diagnose. */
const SNIPPETS = [
  {
    title: "Keras",
    code: [
      'tb = tf.keras.callbacks.TensorBoard(log_dir="logs/run1", histogram_freq=1)',
      "model.fit(x, y, epochs=10, callbacks=[tb])",
    ],
  },
  {
    title: "PyTorch",
    code: [
      "from torch.utils.tensorboard import SummaryWriter",
      'writer = SummaryWriter("logs/run1")',
      'writer.add_histogram("fc1.weight", model.fc1.weight, step)',
    ],
  },
  {
    title: "TensorFlow",
    code: [
      'writer = tf.summary.create_file_writer("logs/run1")',
      "with writer.as_default():",
      '    tf.summary.histogram("w", w, step=step)',
    ],
  },
];

/**
 * No runs with histograms: how to log them.
 * @returns {HTMLDivElement}
 */
export function emptyState() {
  return h(
    "div",
    { class: "hd-state hd-empty", "data-testid": "empty-state" },
    h("h2", {}, "No histograms to diagnose yet"),
    h(
      "p",
      {},
      "Diagnostics reads the histograms of weights, biases, activations and gradients that your training logs. ",
      "Log some with one of these, point TensorBoard's --logdir at the log directory, and reload.",
    ),
    h(
      "div",
      { class: "hd-snippets" },
      SNIPPETS.map((s) =>
        h("figure", { class: "hd-snippet" }, h("figcaption", {}, s.title), h("pre", {}, h("code", {}, s.code.join("\n")))),
      ),
    ),
  );
}

/**
 * Filters hide every tag.
 * @param {() => void} onClear
 * @returns {HTMLDivElement}
 */
export function noMatchState(onClear) {
  return h(
    "div",
    { class: "hd-state hd-no-match", "data-testid": "no-match-state", role: "status" },
    h("p", {}, "No tags match the filters."),
    h("button", { type: "button", class: "hd-button", onclick: onClear }, "Clear filters"),
  );
}

/**
 * The run picker has no run selected.
 * @param {() => void} onShowAll
 * @returns {HTMLDivElement}
 */
export function noRunsState(onShowAll) {
  return h(
    "div",
    { class: "hd-state hd-no-match", "data-testid": "no-runs-state", role: "status" },
    h("p", {}, "No runs selected."),
    h("button", { type: "button", class: "hd-button", onclick: onShowAll }, "Show all runs"),
  );
}
