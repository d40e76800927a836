// Entry point. TensorBoard's plugin_entry.html imports this module and calls render() once per
// page load, inside an iframe whose <base> is .../data/plugin/tb_histdiag/.

import { createApp } from "./app.js";
import { connectHost } from "./host.js";
import { STYLE } from "./style.js";
import { watchTheme } from "./theme.js";

const STYLE_ID = "tb-histdiag-style";
const ROOT_ID = "tb-histdiag-root";

/**
 * Draw the Diagnostics tab into the current document and start loading.
 * Never rejects: a failure is logged and shown as text.
 * @returns {Promise<void>}
 */
export async function render() {
  const doc = document;
  try {
    doc.documentElement.setAttribute("lang", "en");
    if (!doc.getElementById(STYLE_ID)) {
      const style = doc.createElement("style");
      style.id = STYLE_ID;
      style.textContent = STYLE;
      (doc.head ?? doc.documentElement).appendChild(style);
    }
    doc.getElementById(ROOT_ID)?.remove();
    const app = createApp(window);
    app.root.id = ROOT_ID;
    watchTheme(window, (theme) => {
      doc.documentElement.setAttribute("data-theme", theme);
      app.setTheme(theme);
    });
    doc.body.appendChild(app.root);
    connectHost(window, { onReload: () => void app.load() });
    await app.load();
  } catch (err) {
    console.error("tb_histdiag: the Diagnostics tab failed to start", err);
    const message = doc.createElement("p");
    message.setAttribute("data-testid", "error-state");
    message.textContent = `The Diagnostics tab failed to start: ${err instanceof Error ? err.message : String(err)}`;
    doc.body.appendChild(message);
  }
}
