// The tab's stylesheet, injected as one <style> element (the iframe's CSP allows inline styles,
// and one JS file keeps the static allow-list short). Colours are custom properties switched by
// <html data-theme="dark|light">; the look follows TensorBoard: Roboto-like system fonts at 13px,
// grey surfaces with thin borders, its orange used sparingly (focus ring, primary action).

export const STYLE = `
:root {
  color-scheme: light;
  --font: Roboto, "Helvetica Neue", "Segoe UI", Arial, system-ui, sans-serif;
  --mono: "Roboto Mono", ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  --accent: #f57c00;
  --focus: #e65100;
  --bg: #f5f6f7;
  --surface: #ffffff;
  --surface-2: #f8f9fa;
  --details: #fbfbfb;
  --hover: #f1f3f4;
  --border: #dadce0;
  --border-subtle: #ebebeb;
  --text: #202124;
  --muted: #5f6368;
  --code: #f1f3f4;
  --crit-fg: #b3261e; --crit-bg: #fce8e6;
  --warn-fg: #8a4b00; --warn-bg: #fef3e0;
  --info-fg: #0b57a0; --info-bg: #e8f0fe;
  --ok-fg: #1e6b34; --ok-bg: #e6f4ea;
  --unk-fg: #4d5156; --unk-bg: #eceff1;
}
:root[data-theme="dark"] {
  color-scheme: dark;
  --focus: #ffa726;
  --bg: #303030;
  --surface: #3a3a3a;
  --surface-2: #424242;
  --details: #363636;
  --hover: #454545;
  --border: #5a5a5a;
  --border-subtle: #4a4a4a;
  --text: #ececec;
  --muted: #b0b0b0;
  --code: #2a2a2a;
  --crit-fg: #ff8f85; --crit-bg: rgba(244, 67, 54, 0.18);
  --warn-fg: #ffc266; --warn-bg: rgba(255, 152, 0, 0.16);
  --info-fg: #8ab4f8; --info-bg: rgba(66, 133, 244, 0.2);
  --ok-fg: #81c995; --ok-bg: rgba(52, 168, 83, 0.18);
  --unk-fg: #c4c7c5; --unk-bg: rgba(255, 255, 255, 0.08);
}
html, body { margin: 0; padding: 0; background: var(--bg); }
body { color: var(--text); font: 13px/1.45 var(--font); -webkit-font-smoothing: antialiased; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
button, input, select { font: inherit; color: inherit; }
h1, h2, h4, h5 { font-weight: 500; }
code, pre { font-family: var(--mono); }

.hd-app { padding: 12px 24px 48px; max-width: 1600px; margin: 0 auto; min-height: 100vh; }
.hd-visually-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
}
.hd-muted { color: var(--muted); }

/* header and toolbar */
.hd-header { display: flex; align-items: center; gap: 16px; padding: 4px 0 10px; border-bottom: 1px solid var(--border); }
.hd-title { margin: 0; font-size: 18px; letter-spacing: 0.1px; }
.hd-title::after { content: ""; display: block; height: 2px; margin-top: 2px; width: 24px; background: var(--accent); border-radius: 1px; }
.hd-status-text { color: var(--muted); font-size: 12px; }
.hd-actions { margin-left: auto; display: flex; gap: 8px; }
.hd-button {
  display: inline-flex; align-items: center; gap: 4px; height: 30px; padding: 0 12px;
  border: 1px solid var(--border); border-radius: 4px; background: var(--surface);
  color: var(--text); cursor: pointer; text-decoration: none; white-space: nowrap;
}
.hd-button:hover { background: var(--hover); }
.hd-button:disabled, .hd-button[aria-disabled="true"] { opacity: 0.5; cursor: default; pointer-events: none; }
.hd-button-primary { border-color: var(--accent); }
.hd-reload-icon { color: var(--accent); font-size: 15px; line-height: 1; display: inline-block; }
.hd-busy .hd-reload-icon { animation: hd-spin 0.9s linear infinite; }
.hd-link {
  border: 0; padding: 0; background: none; cursor: pointer; font-weight: 500;
  text-align: left; overflow-wrap: anywhere;
}
.hd-link:hover { text-decoration: underline; }

.hd-toolbar { display: flex; align-items: flex-end; flex-wrap: wrap; gap: 8px 20px; padding: 12px 0; }
.hd-field { display: flex; flex-direction: column; gap: 3px; }
.hd-field-grow { flex: 1 1 320px; max-width: 560px; position: relative; }
.hd-field > label { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.4px; }
.hd-input, .hd-select {
  height: 30px; padding: 0 8px; border: 1px solid var(--border); border-radius: 4px;
  background: var(--surface);
}
.hd-input:focus-visible, .hd-select:focus-visible { outline: none; border-color: var(--focus); box-shadow: 0 0 0 1px var(--focus); }
.hd-input[aria-invalid="true"] { border-color: var(--crit-fg); }
.hd-filter-error { color: var(--crit-fg); font-size: 12px; min-height: 0; }
.hd-filter-error:empty { display: none; }
.hd-shown { color: var(--muted); font-size: 12px; padding-bottom: 7px; margin-left: auto; }

/* badges and chips: icon + word; colour is the third signal */
.hd-badge, .hd-chip { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
.hd-badge { padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 500; }
.hd-badge-compact { padding: 0 7px; font-size: 11.5px; }
.hd-chip { padding: 1px 7px; border-radius: 4px; font-size: 12px; margin: 1px 6px 1px 0; white-space: normal; }
.hd-badge-icon { font-size: 0.95em; line-height: 1; }
.hd-expected { display: inline-block; margin-left: 6px; padding: 0 5px; border: 1px solid currentColor; border-radius: 3px; font-size: 10.5px; font-weight: 600; line-height: 1.4; white-space: nowrap; }
.hd-fresh { display: inline-block; margin-left: 6px; padding: 0 5px; border: 1px solid currentColor; border-radius: 3px; font-size: 10.5px; font-weight: 700; line-height: 1.4; white-space: nowrap; text-transform: uppercase; }
.hd-sev-critical { color: var(--crit-fg); background: var(--crit-bg); }
.hd-sev-warning { color: var(--warn-fg); background: var(--warn-bg); }
.hd-sev-info { color: var(--info-fg); background: var(--info-bg); }
.hd-sev-ok { color: var(--ok-fg); background: var(--ok-bg); }
.hd-sev-unknown { color: var(--unk-fg); background: var(--unk-bg); }
.hd-sev-text-critical { color: var(--crit-fg); }
.hd-sev-text-warning { color: var(--warn-fg); }
.hd-sev-text-info { color: var(--info-fg); }
.hd-sev-text-ok { color: var(--ok-fg); }
.hd-sev-text-unknown { color: var(--unk-fg); }
.hd-run-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; flex: none; }

/* run summary */
.hd-summary { margin: 4px 0 8px; }
.hd-run-cards {
  list-style: none; margin: 0; padding: 0; display: grid; gap: 10px;
  grid-template-columns: repeat(auto-fill, minmax(360px, 1fr));
}
.hd-run-card { background: var(--surface); border: 1px solid var(--border-subtle); border-radius: 6px; padding: 10px 12px; }
.hd-run-card-head { display: flex; align-items: center; gap: 8px; }
.hd-run-card-head .hd-badge { margin-left: auto; }
.hd-counts { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 12px; }
.hd-count { display: inline-flex; align-items: center; gap: 3px; }
.hd-count-n { font-weight: 500; font-variant-numeric: tabular-nums; }
.hd-count-critical { color: var(--crit-fg); }
.hd-count-warning { color: var(--warn-fg); }
.hd-count-info { color: var(--info-fg); }
.hd-count-ok { color: var(--ok-fg); }
.hd-count-unknown { color: var(--unk-fg); }
.hd-count-zero { color: var(--muted); opacity: 0.75; }
.hd-run-verdicts { list-style: none; margin: 6px 0 0; padding: 6px 0 0; border-top: 1px solid var(--border-subtle); }
.hd-run-verdicts li { display: flex; gap: 6px; align-items: baseline; }
.hd-run-verdicts li > :last-child { color: var(--text); }

/* run sections */
.hd-run { margin-top: 22px; }
.hd-run-heading { display: flex; align-items: center; gap: 8px; font-size: 15px; margin: 0 0 8px; flex-wrap: wrap; }
.hd-run-heading:focus { outline: none; }
.hd-run-heading:focus-visible { outline: 2px solid var(--focus); }
.hd-run-title { overflow-wrap: anywhere; }
/* Names are untrusted text: a right-to-left override in one must not reorder what follows it. */
.hd-run-title, .hd-run-name, .hd-picker-name, .hd-card-name, .hd-dialog-tag, .hd-cmp-tag, .hd-tip-run, .hd-picker-item, .hd-cmp-sentence { unicode-bidi: isolate; }
.hd-run-meta { font-size: 12px; font-weight: 400; }
.hd-run-empty { margin: 4px 0; }
.hd-run-verdict-list, .hd-layer-verdicts { display: flex; flex-direction: column; gap: 6px; margin-bottom: 8px; }
.hd-layer-verdicts { margin: 6px 0 2px; font-weight: 400; }
.hd-disclosure { background: var(--surface); border: 1px solid var(--border-subtle); border-left-width: 3px; border-radius: 4px; padding: 6px 10px; }
.hd-sev-border-critical { border-left-color: var(--crit-fg); }
.hd-sev-border-warning { border-left-color: var(--warn-fg); }
.hd-sev-border-info { border-left-color: var(--info-fg); }
.hd-sev-border-ok { border-left-color: var(--ok-fg); }
.hd-sev-border-unknown { border-left-color: var(--unk-fg); }
.hd-disclosure > summary { cursor: pointer; display: flex; align-items: center; gap: 6px; list-style: none; }
.hd-disclosure > summary::-webkit-details-marker { display: none; }
.hd-disclosure > summary::before { content: "\\25B8"; color: var(--muted); width: 10px; }
.hd-disclosure[open] > summary::before { content: "\\25BE"; }
.hd-disclosure > summary .hd-chip { margin: 0; }
.hd-disclosure-title { font-weight: 500; }
.hd-disclosure[open] > .hd-verdict-body { padding: 6px 0 2px 16px; }

/* layer groups and tag cards */
.hd-layer { margin: 10px 0 4px; }
.hd-layer-head { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; font-size: 13.5px; margin: 0 0 6px; padding: 4px 0; border-bottom: 1px solid var(--border-subtle); }
.hd-layer-name { overflow-wrap: anywhere; font-weight: 500; }
.hd-layer-meta { font-weight: 400; font-size: 12px; }
.hd-layer-move { font-size: 12px; font-weight: 400; margin-left: auto; }
.hd-move-still, .hd-move-slow { color: var(--warn-fg); font-weight: 500; }
.hd-move-moving { color: var(--muted); }
.hd-cards { display: grid; gap: 10px; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); }
.hd-card {
  position: relative; display: flex; flex-direction: column; gap: 4px; min-width: 0;
  background: var(--surface); border: 1px solid var(--border-subtle); border-radius: 6px;
  padding: 8px 10px 32px; cursor: pointer;
}
.hd-card:hover { border-color: var(--muted); }
.hd-card:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
.hd-card-critical { box-shadow: inset 3px 0 var(--crit-fg); }
.hd-card-warning { box-shadow: inset 3px 0 var(--warn-fg); }
.hd-card-head { display: flex; align-items: center; gap: 8px; min-width: 0; }
.hd-card-name { font-weight: 500; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; flex: 1 1 auto; min-width: 0; }
.hd-card-facts { font-size: 11.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.hd-card-verdicts { min-height: 22px; display: flex; flex-wrap: wrap; align-items: center; font-size: 12px; }
.hd-card-verdicts .hd-chip { margin: 1px 6px 1px 0; }
.hd-card-charts { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
.hd-chart-slot { height: 124px; min-width: 0; position: relative; }
.hd-chart-slot > svg { display: block; overflow: visible; }
.hd-chart-large { height: 300px; }
/* A static placeholder: an animation on thousands of slots would keep the page busy. */
.hd-loading-slot { border-radius: 4px; background: var(--surface-2); }
.hd-chart-error { margin: 0; padding: 8px; font-size: 12px; color: var(--crit-fg); overflow-wrap: anywhere; }
.hd-card-actions { position: absolute; right: 10px; bottom: 6px; display: flex; gap: 4px; opacity: 0.55; }
.hd-card:hover .hd-card-actions, .hd-card:focus-within .hd-card-actions { opacity: 1; }
.hd-mini {
  height: 22px; padding: 0 8px; font-size: 11.5px; border-radius: 3px; cursor: pointer;
  border: 1px solid var(--border); background: var(--surface); color: var(--text);
}
.hd-mini:hover { background: var(--hover); }
.hd-undiagnosable { background: var(--unk-bg); border-radius: 6px; padding: 8px 12px; margin: 0 0 8px; }
.hd-undiagnosable p { margin: 0 0 4px; font-weight: 500; }
.hd-undiagnosable ul { margin: 0; padding-left: 18px; }
.hd-logging { background: var(--info-bg); border-radius: 6px; padding: 8px 12px; margin: 0 0 8px; }
.hd-logging p { margin: 0 0 4px; }
.hd-logging ul { margin: 0; padding-left: 18px; }
.hd-logging code { font-size: 12px; overflow-wrap: anywhere; }

/* overview: run cards with their layer maps */
.hd-section-head { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin: 6px 0 2px; }
.hd-section-title { font-size: 14px; margin: 0; font-weight: 500; }
.hd-section-note { margin: 0; font-size: 12px; flex: 1 1 400px; }
.hd-section-actions { display: flex; gap: 6px; }
.hd-legend { margin: 2px 0 6px; height: 34px; overflow: hidden; }
.hd-map { margin-top: 8px; padding-top: 6px; border-top: 1px solid var(--border-subtle); }
.hd-map-summary { font-size: 12px; margin-bottom: 4px; font-weight: 500; }
.hd-map-slot { min-height: 40px; }
.hd-map-slot > svg { display: block; }
.hd-map[data-state="loading"] .hd-map-slot { border-radius: 4px; background: var(--surface-2); }

/* popovers: run picker and download menu */
.hd-picker-anchor, .hd-menu { position: relative; }
.hd-picker-button { display: inline-flex; align-items: center; gap: 6px; cursor: pointer; min-width: 170px; }
.hd-picker-dots { display: inline-flex; gap: 2px; }
.hd-picker-dots .hd-run-dot { width: 8px; height: 8px; }
.hd-picker-caret { color: var(--muted); margin-left: auto; padding-left: 4px; }
.hd-popover, .hd-menu-panel {
  position: absolute; z-index: 20; top: calc(100% + 4px); left: 0; min-width: 260px; max-width: 420px;
  background: var(--surface); border: 1px solid var(--border); border-radius: 6px;
  box-shadow: 0 4px 16px rgba(0,0,0,0.18); padding: 6px;
}
.hd-picker-actions { display: flex; gap: 6px; align-items: center; padding: 2px 2px 6px; border-bottom: 1px solid var(--border-subtle); }
.hd-picker-search { height: 24px; flex: 1; min-width: 0; }
.hd-picker-list { max-height: 320px; overflow: auto; padding-top: 4px; }
.hd-picker-item { display: flex; align-items: center; gap: 6px; padding: 3px 4px; border-radius: 3px; cursor: pointer; }
.hd-picker-item:hover { background: var(--hover); }
.hd-picker-name { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.hd-picker-status { font-size: 12px; }
.hd-menu > summary { list-style: none; }
.hd-menu > summary::-webkit-details-marker { display: none; }
.hd-menu-panel { left: auto; right: 0; min-width: 170px; display: flex; flex-direction: column; padding: 4px; }
.hd-menu-item {
  display: block; text-align: left; padding: 6px 10px; border: 0; border-radius: 3px; background: none;
  color: var(--text); text-decoration: none; cursor: pointer; font-size: 13px;
}
.hd-menu-item:hover, .hd-menu-item:focus-visible { background: var(--hover); }
.hd-menu-item[aria-disabled="true"], .hd-menu-item:disabled { opacity: 0.5; pointer-events: none; }
.hd-segmented { display: inline-flex; border: 1px solid var(--border); border-radius: 4px; overflow: hidden; height: 30px; }
.hd-seg { border: 0; background: var(--surface); padding: 0 12px; cursor: pointer; }
.hd-seg + .hd-seg { border-left: 1px solid var(--border); }
.hd-seg[aria-pressed="true"] { background: var(--accent); color: #fff; font-weight: 500; }
.hd-seg:disabled { opacity: 0.5; cursor: default; }
.hd-field-label { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.4px; }

/* tooltip */
.hd-tooltip {
  position: fixed; z-index: 50; pointer-events: none; max-width: 320px;
  background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: 4px;
  box-shadow: 0 2px 10px rgba(0,0,0,0.2); padding: 6px 8px; font-size: 12px;
}
.hd-tip-block + .hd-tip-block { margin-top: 6px; padding-top: 6px; border-top: 1px solid var(--border-subtle); }
.hd-tip-head { display: flex; gap: 6px; align-items: center; font-weight: 500; margin-bottom: 2px; }
.hd-tip-run { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 180px; }
.hd-tip-table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.hd-tip-table th { text-align: left; font-weight: 400; color: var(--muted); padding: 0 12px 0 0; }
.hd-tip-table td { text-align: right; font-family: var(--mono); font-size: 11.5px; }
.hd-tip-foot { margin-top: 4px; color: var(--muted); }

/* detail dialog */
.hd-dialog {
  width: min(1180px, calc(100vw - 32px)); max-height: calc(100vh - 32px); padding: 0;
  border: 1px solid var(--border); border-radius: 8px; background: var(--bg); color: var(--text);
  box-shadow: 0 8px 40px rgba(0,0,0,0.35);
}
.hd-dialog::backdrop { background: rgba(0,0,0,0.4); }
.hd-dialog-head { position: sticky; top: 0; z-index: 2; display: flex; align-items: center; gap: 10px; padding: 10px 16px; background: var(--surface); border-bottom: 1px solid var(--border); }
.hd-dialog-title { display: flex; align-items: center; gap: 8px; margin: 0; font-size: 16px; min-width: 0; flex: 1; }
.hd-dialog-tag { overflow-wrap: anywhere; }
.hd-icon-button { border: 0; background: none; font-size: 16px; width: 30px; height: 30px; border-radius: 50%; cursor: pointer; color: var(--muted); }
.hd-icon-button:hover { background: var(--hover); color: var(--text); }
.hd-dialog-body { padding: 12px 16px 18px; display: flex; flex-direction: column; gap: 14px; }
.hd-facts-inline { grid-template-columns: repeat(5, max-content 1fr); }
.hd-detail-grid { display: grid; grid-template-columns: minmax(0, 1fr) 200px; gap: 14px; }
.hd-detail-charts { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; min-width: 0; }
.hd-figure { margin: 0; min-width: 0; background: var(--surface); border: 1px solid var(--border-subtle); border-radius: 6px; padding: 8px; }
.hd-figure figcaption { font-size: 12px; margin-bottom: 4px; font-weight: 500; }
.hd-detail-side { background: var(--surface); border: 1px solid var(--border-subtle); border-radius: 6px; padding: 8px 10px; }
.hd-detail-side h3, .hd-detail-verdicts h3 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.4px; color: var(--muted); margin: 0 0 6px; font-weight: 500; }
.hd-detail-verdicts { display: flex; flex-direction: column; gap: 12px; }
.hd-detail-actions { display: flex; gap: 8px; flex-wrap: wrap; }

/* compare */
.hd-compare { display: flex; flex-direction: column; gap: 14px; margin-top: 8px; }
.hd-cmp-overlay { background: var(--surface); border: 1px solid var(--border-subtle); border-radius: 6px; padding: 10px 12px; }
.hd-cmp-overlay-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.hd-cmp-title { margin: 0; font-size: 15px; overflow-wrap: anywhere; }
.hd-cmp-pair { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; margin-left: auto; }
.hd-cmp-pair .hd-select { max-width: 220px; }
.hd-cmp-sentence { margin: 8px 0; font-size: 13.5px; }
.hd-cmp-charts { display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr); gap: 12px; }
.hd-cmp-charts .hd-figure { border: 0; padding: 0; }
.hd-cmp-ridges { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.hd-cmp-ridge { min-width: 0; }
.hd-cmp-ridge-label { font-size: 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--muted); }
.hd-cmp-ridge .hd-chart-slot { height: 240px; }
.hd-cmp-charts .hd-chart-large { height: 280px; }
.hd-cmp-matrix { background: var(--surface); border: 1px solid var(--border-subtle); border-radius: 6px; padding: 8px 0 8px; }
.hd-cmp-toolbar { display: flex; align-items: center; gap: 12px; padding: 0 12px 8px; }
.hd-cmp-sort { margin-left: auto; display: flex; align-items: center; gap: 4px; }
.hd-cmp-scroll { overflow: auto; max-height: 70vh; }
.hd-cmp-table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
.hd-cmp-table thead th { position: sticky; top: 0; z-index: 1; background: var(--surface); text-align: left; font-weight: 500; color: var(--muted); padding: 6px 10px; border-bottom: 1px solid var(--border); white-space: nowrap; }
.hd-cmp-run { display: table-cell; }
.hd-cmp-run .hd-run-dot { margin-right: 6px; vertical-align: -1px; }
.hd-cmp-row { cursor: pointer; }
.hd-cmp-row:hover { background: var(--hover); }
.hd-cmp-row:focus-visible { outline: 2px solid var(--focus); outline-offset: -2px; }
.hd-cmp-row > * { padding: 4px 10px; border-bottom: 1px solid var(--border-subtle); text-align: left; white-space: nowrap; }
.hd-cmp-tag { font-weight: 500; max-width: 320px; overflow: hidden; text-overflow: ellipsis; }
.hd-cmp-picked { background: var(--details); box-shadow: inset 3px 0 var(--accent); }
.hd-cmp-diff-mark { color: var(--warn-fg); }
.hd-cmp-icon { margin-right: 4px; }
.hd-cmp-critical .hd-cmp-words { color: var(--crit-fg); }
.hd-cmp-warning .hd-cmp-words { color: var(--warn-fg); }
.hd-cmp-info .hd-cmp-words { color: var(--info-fg); }
.hd-cmp-ok .hd-cmp-words { color: var(--muted); }
.hd-cmp-dist { font-size: 11px; font-variant-numeric: tabular-nums; }
.hd-cmp-ref { font-size: 11px; font-weight: 400; color: var(--accent); }
.hd-cmp-legend { font-size: 12px; }
.hd-cmp-matrix > .hd-button { margin: 8px 12px 0; }
.hd-note { margin: 8px 0; color: var(--muted); }
.hd-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; font-size: 12.5px; }
.hd-facts dt { color: var(--muted); }
.hd-facts dd { margin: 0; overflow-wrap: anywhere; }
.hd-reason-block { margin: 0; padding: 6px 10px; border-radius: 4px; background: var(--unk-bg); color: var(--text); }
.hd-verdict { border-left: 3px solid var(--unk-fg); padding: 2px 0 2px 12px; }
.hd-verdict-critical { border-left-color: var(--crit-fg); }
.hd-verdict-warning { border-left-color: var(--warn-fg); }
.hd-verdict-info { border-left-color: var(--info-fg); }
.hd-verdict-title { margin: 0 0 4px; font-size: 14px; display: flex; align-items: center; gap: 6px; }
.hd-verdict-body { display: flex; flex-direction: column; align-items: flex-start; gap: 6px; }
.hd-verdict-body p { margin: 0; max-width: 80ch; }
.hd-verdict-body h5 { margin: 4px 0 0; font-size: 11px; text-transform: uppercase; letter-spacing: 0.4px; color: var(--muted); }
.hd-fix { margin: 0; padding-left: 18px; }
p.hd-fix { padding-left: 0; }
.hd-evidence { border-collapse: collapse; font-size: 12.5px; width: auto; }
.hd-evidence th { text-align: left; font-weight: 400; color: var(--muted); padding: 1px 16px 1px 0; vertical-align: top; }
.hd-evidence td { font-family: var(--mono); font-size: 12px; font-variant-numeric: tabular-nums; padding: 1px 0; overflow-wrap: anywhere; }
.hd-tag-list { font-family: var(--mono); font-size: 12px; }

/* states */
.hd-state { margin: 24px 0; }
.hd-loading { display: flex; align-items: center; gap: 10px; color: var(--muted); }
.hd-spinner {
  width: 16px; height: 16px; border-radius: 50%; border: 2px solid var(--border);
  border-top-color: var(--accent); animation: hd-spin 0.8s linear infinite;
}
@keyframes hd-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .hd-spinner, .hd-busy .hd-reload-icon { animation: none; } }
.hd-error { border: 1px solid var(--crit-fg); background: var(--crit-bg); border-radius: 6px; padding: 12px 16px; }
.hd-error-banner { margin: 12px 0 0; }
.hd-error p { margin: 0 0 8px; }
.hd-error-title { font-weight: 500; color: var(--crit-fg); }
.hd-error-detail { overflow-wrap: anywhere; }
.hd-error-status { font-weight: 500; }
.hd-empty h2 { font-size: 16px; margin: 0 0 6px; }
.hd-empty > p { max-width: 80ch; color: var(--muted); margin: 0 0 14px; }
.hd-snippets { display: grid; gap: 12px; max-width: 760px; }
.hd-snippet { margin: 0; background: var(--surface); border: 1px solid var(--border-subtle); border-radius: 6px; padding: 10px 12px; }
.hd-snippet figcaption { font-weight: 500; margin-bottom: 6px; }
.hd-snippet pre { margin: 0; padding: 8px 10px; background: var(--code); border-radius: 4px; overflow-x: auto; font-size: 12px; line-height: 1.5; }
.hd-no-match { display: flex; align-items: center; gap: 12px; color: var(--muted); }
.hd-no-match p { margin: 0; }
`;
