// The exports of the tab: Copy Markdown and the Download menu (the report, the whole view as PNG
// or SVG, the data as JSON), and the PNG/SVG buttons of a card and of the layer maps. Each export
// is built from what is shown at the moment of the click; its progress and failures go to the
// status line.

import { selectedRuns, tagSeverity } from "../filters.js";
import { buildView } from "../runview.js";
import { buildMarkdownReport } from "../markdown.js";
import { buildJsonExport } from "../exportjson.js";
import { copyText } from "../clipboard.js";
import { clearDownload, downloadBlob, downloadPng, downloadSvg, setDownload } from "../download.js";
import { safeFilename } from "../filename.js";
import { compareSentence } from "../compare.js";
import { statusLook, statusRank } from "../status.js";
import { messageOf, plural } from "../format.js";
import { s } from "../svg.js";
import { summarizeLayerMap } from "../charts/layermap.js";
import { chartTheme } from "../charts/colors.js";
import { cardBlock, compareMatrixBlock, layerMapsFigure, overlayCharts, place, stack, textBlock } from "../charts/compose.js";

/** @typedef {import("../model.js").Tag} Tag */
/** @typedef {import("../filters.js").Filters} Filters */
/** @typedef {import("../series.js").Series} Series */
/** @typedef {import("../charts/layermap.js").LayerMap} LayerMap */
/** @typedef {import("../views/header.js").HeaderParts} HeaderParts */
/** @typedef {import("./state.js").AppState} AppState */
/** @typedef {import("./loaders.js").Loaders} Loaders */
/** @typedef {import("./compareMode.js").CompareMode} CompareMode */

/** The "whole view" export draws at most this many cards (worst first). */
const MAX_VIEW_CARDS = 24;
/** Width of the exported figures, in CSS pixels. */
const EXPORT_WIDTH = 1200;

/**
 * "2026-01-05 14:03 UTC" for the report.
 * @param {Date} date
 * @returns {string}
 */
function reportTimestamp(date) {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * @typedef {object} ExportsContext
 * @property {Document} doc
 * @property {AppState} state
 * @property {HeaderParts} header        its Copy button and Download menu are wired here
 * @property {Loaders} loaders
 * @property {CompareMode} compare
 * @property {() => Filters} filters     the filters in force
 * @property {(run: string, tag: string) => Tag | null} findTag
 * @property {(run: string) => string} colorOf
 * @property {(text: string) => void} notice  a passing message in the status line
 */

/**
 * @typedef {object} Exports
 * @property {(enabled: boolean) => void} setEnabled  the header's exports on (something is loaded) or off
 * @property {(run: string, tagName: string, format: "png" | "svg") => Promise<void>} downloadCard
 * @property {(format: "png" | "svg") => void} downloadMaps  the selected runs' layer maps
 */

/**
 * Wire the header's exports and return the ones the content calls.
 * @param {ExportsContext} ctx
 * @returns {Exports}
 */
export function createExports(ctx) {
  const { doc, state, header, loaders, compare, filters, findTag, colorOf, notice } = ctx;

  /** The Markdown report of what is shown (null before the first load). */
  const report = () => {
    if (!state.data) return null;
    const views = buildView(state.data, filters());
    /** @type {Map<string, {still: string[], slow: string[], moving: string[]}>} */
    const maps = new Map();
    for (const v of views) {
      const m = loaders.peekLayerMap(v.run);
      if (m) maps.set(v.run.run, summarizeLayerMap(m.map));
    }
    const cmp = compare.model();
    let overlay = null;
    if (cmp && state.compareTag) {
      const pair = compare.currentPair(cmp.runs);
      if (pair) overlay = compareSentence(state.compareTag, { run: pair[0], tag: findTag(pair[0], state.compareTag) }, { run: pair[1], tag: findTag(pair[1], state.compareTag) });
    }
    return buildMarkdownReport(views, {
      tagFilter: state.tagFilter.error ? "" : state.tagFilterText,
      severity: state.severity,
      role: state.role,
      totalRuns: state.data.runs.length,
      layerMaps: maps,
      compare: cmp ? { runs: cmp.runs.map((r) => r.run), rows: cmp.rows, overlay } : null,
      generatedAt: reportTimestamp(new Date()),
    });
  };

  header.copyButton.addEventListener("click", async () => {
    const text = report();
    if (text === null) return;
    notice((await copyText(text, doc)) ? "Markdown report copied" : "Copy failed: use Download \u2192 Report (.md)");
  });
  header.downloadLink.addEventListener("click", (event) => {
    const text = report();
    if (text === null) {
      event.preventDefault();
      return;
    }
    // Regenerated on click so the file matches what is shown right now.
    setDownload(header.downloadLink, text, "text/markdown");
    header.downloadMenu.open = false;
  });
  /**
   * Run an export and report failures in the status line.
   * @param {string} what
   * @param {() => Promise<void>} job
   */
  const exporting = async (what, job) => {
    header.downloadMenu.open = false;
    notice(`Preparing ${what}\u2026`);
    try {
      await job();
      notice(`Downloaded ${what}`);
    } catch (err) {
      console.warn("tb_histdiag: export failed", err);
      notice(`Could not export ${what}: ${messageOf(err)}`);
    }
  };
  header.viewPngButton.addEventListener("click", () => void exporting("the view as PNG", async () => downloadPng(doc, await viewFigure(), safeFilename([state.compare ? "compare" : "view"], "png"))));
  header.viewSvgButton.addEventListener("click", () => void exporting("the view as SVG", async () => downloadSvg(doc, await viewFigure(), safeFilename([state.compare ? "compare" : "view"], "svg"))));
  header.jsonButton.addEventListener("click", () =>
    void exporting("the data as JSON", async () => {
      if (!state.data) throw new Error("nothing loaded yet");
      const views = buildView(state.data, filters());
      /** @type {Map<string, unknown>} */
      const maps = new Map();
      for (const v of views) {
        const m = loaders.peekLayerMap(v.run);
        if (m) maps.set(v.run.run, m.raw);
      }
      const cmp = compare.model();
      const doc_ = buildJsonExport({
        raw: state.raw,
        views,
        view: {
          runs: views.map((v) => v.run.run),
          tag_filter: state.tagFilterText,
          severity: state.severity,
          role: state.role,
          compare: state.compare,
          compare_tag: state.compare ? state.compareTag : null,
          open: state.open,
        },
        generatedAt: new Date().toISOString(),
        layerMaps: maps,
        compare: cmp
          ? {
              runs: cmp.runs.map((r) => r.run),
              reference: cmp.ref?.run ?? null,
              tags: cmp.rows.map((r) => ({
                tag: r.tag,
                layer: r.layer,
                verdicts_differ: r.differ,
                runs: Object.fromEntries(
                  r.cells.map((c) => [c.run, c.tag ? { status: c.tag.status, verdicts: c.tag.verdicts.map((v) => v.id), movement: c.tag.movement, distance: c.distance } : null]),
                ),
              })),
            }
          : undefined,
      });
      downloadBlob(doc, new Blob([`${JSON.stringify(doc_, null, 2)}\n`], { type: "application/json" }), safeFilename([], "json"));
    }),
  );

  /** @param {boolean} enabled */
  const setEnabled = (enabled) => {
    header.copyButton.disabled = !enabled;
    for (const b of [header.viewPngButton, header.viewSvgButton, header.jsonButton]) b.disabled = !enabled;
    if (enabled) {
      header.downloadLink.removeAttribute("aria-disabled");
      if (!header.downloadLink.getAttribute("href")?.startsWith("blob:")) {
        setDownload(header.downloadLink, report() ?? "", "text/markdown");
      }
    } else {
      header.downloadLink.setAttribute("aria-disabled", "true");
      clearDownload(header.downloadLink);
    }
  };

  /**
   * A card as a figure (loads its series if needed).
   * @param {string} run
   * @param {Tag} tag
   * @param {number} width
   */
  const cardFigure = async (run, tag, width) => {
    /** @type {Series | null} */
    let series = null;
    try {
      series = await loaders.series(run, tag);
    } catch {
      series = null;
    }
    return cardBlock({ run, color: colorOf(run), tag, series }, { width, theme: chartTheme(state.theme), chartHeight: width > 600 ? 200 : 150 });
  };
  /**
   * @param {string} run
   * @param {string} tagName
   * @param {"png" | "svg"} format
   */
  async function downloadCard(run, tagName, format) {
    const tag = findTag(run, tagName);
    if (!tag) return;
    await exporting(`${tagName} as ${format.toUpperCase()}`, async () => {
      const block = await cardFigure(run, tag, 760);
      const figure = stack([block], { width: 792, theme: chartTheme(state.theme), padding: 16, label: `${run}: ${tagName}` });
      const name = safeFilename([run, tagName], format);
      if (format === "svg") downloadSvg(doc, figure.node, name);
      else await downloadPng(doc, figure.node, name);
    });
  }
  /** The selected runs' layer maps as a figure (loads missing maps). */
  const mapsFigure = async (/** @type {number} */ width) => {
    if (!state.data) throw new Error("nothing loaded yet");
    const runs = selectedRuns(state.data.runs, state.selected);
    const maps = await Promise.all(runs.map((r) => loaders.layerMap(r).then((m) => ({ map: m.map, color: colorOf(r.run) }), () => null)));
    const ok = /** @type {Array<{map: LayerMap, color: string}>} */ (maps.filter((m) => m !== null && m.map.layers.length));
    if (!ok.length) throw new Error("no layer map to draw");
    return layerMapsFigure(ok, { width, theme: chartTheme(state.theme) });
  };
  /** @param {"png" | "svg"} format */
  const downloadMaps = (format) =>
    void exporting(`the layer maps as ${format.toUpperCase()}`, async () => {
      const fig = await mapsFigure(EXPORT_WIDTH);
      const runs = state.data ? selectedRuns(state.data.runs, state.selected) : [];
      const name = safeFilename(["layer-map", ...(runs.length === 1 ? [runs[0].run] : [])], format);
      if (format === "svg") downloadSvg(doc, fig.node, name);
      else await downloadPng(doc, fig.node, name);
    });

  /** The whole view as one figure: what is shown, top to bottom. */
  async function viewFigure() {
    if (!state.data) throw new Error("nothing loaded yet");
    const theme = chartTheme(state.theme);
    const inner = EXPORT_WIDTH - 32;
    const views = buildView(state.data, filters());
    const shown = views.reduce((n, v) => n + v.shownTags.length, 0);
    /** @type {import("../charts/compose.js").Block[]} */
    const blocks = [
      textBlock(
        [
          { text: "Histogram diagnostics", size: 18, weight: 600 },
          {
            text: [
              `${views.length} of ${plural(state.data.runs.length, "run")}`,
              plural(shown, "tag"),
              state.tagFilterText ? `tag filter: ${state.tagFilterText}` : null,
              state.severity !== "all" ? `showing ${state.severity} and above` : null,
              state.role !== "all" ? `role: ${state.role}` : null,
              reportTimestamp(new Date()),
              "tb_histdiag",
            ]
              .filter(Boolean)
              .join(" \u00B7 "),
            size: 11.5,
            color: theme.muted,
          },
        ],
        inner,
        theme,
      ),
      textBlock(
        views.map((v) => {
          const look = statusLook(v.run.status);
          const counts = `${v.run.counts.critical} critical, ${v.run.counts.warning} warning, ${v.run.counts.info} info, ${v.run.counts.ok} ok`;
          const verdicts = v.run.verdicts.map((x) => x.title).join("; ");
          return { text: `\u25CF ${v.run.run} \u2014 ${look.icon} ${look.label} (${counts})${verdicts ? ` \u2014 ${verdicts}` : ""}`, size: 12, color: theme.severity[look.status] ?? theme.text };
        }),
        inner,
        theme,
      ),
    ];
    const cmp = compare.model();
    if (cmp) {
      const pair = compare.currentPair(cmp.runs);
      const tagName = state.compareTag ?? cmp.rows[0]?.tag ?? null;
      if (pair && tagName) {
        const sides = await compare.overlaySides(pair, tagName);
        if (sides.length) {
          const charts = overlayCharts(sides, { bandsWidth: Math.floor(inner * 0.55), bandsHeight: 260, ridgeWidth: Math.floor((inner * 0.45 - 12) / sides.length), ridgeHeight: 260, theme, label: tagName });
          blocks.push(
            textBlock(
              [
                { text: `Compare: ${tagName}`, size: 14, weight: 600 },
                { text: compareSentence(tagName, { run: pair[0], tag: findTag(pair[0], tagName) }, { run: pair[1], tag: findTag(pair[1], tagName) }), size: 12 },
              ],
              inner,
              theme,
            ),
            {
              node: s(
                "svg",
                { width: inner, height: 260, viewBox: `0 0 ${inner} 260` },
                place(charts.bands.node, 0, 0),
                charts.ridges.map((r, i) => place(r.node, Math.floor(inner * 0.55) + 12 + i * Math.floor((inner * 0.45 - 12) / sides.length), 0)),
              ),
              width: inner,
              height: 260,
            },
          );
        }
      }
      blocks.push(compareMatrixBlock(cmp.rows, cmp.runs.map((r) => ({ run: r.run, color: colorOf(r.run) })), { width: inner, theme, maxRows: 40 }));
    } else {
      try {
        const maps = await mapsFigure(inner);
        blocks.push(maps);
      } catch {
        // no maps: skip
      }
      const cards = views
        .flatMap((v) => v.shownTags.map((t) => ({ run: v.run.run, tag: t })))
        .sort((a, b) => statusRank(tagSeverity(b.tag)) - statusRank(tagSeverity(a.tag)));
      const picked = cards.slice(0, MAX_VIEW_CARDS);
      if (picked.length) {
        const colWidth = Math.floor((inner - 2 * 16) / 3);
        const figures = await Promise.all(picked.map((c) => cardFigure(c.run, c.tag, colWidth)));
        blocks.push(
          textBlock(
            [{ text: cards.length > picked.length ? `Tags (the ${picked.length} worst of ${cards.length} shown)` : "Tags", size: 14, weight: 600 }],
            inner,
            theme,
          ),
          stack(figures, { width: inner, theme, padding: 0, gap: 16, columns: 3 }),
        );
      }
    }
    return stack(blocks, { width: EXPORT_WIDTH, theme, padding: 16, gap: 14, label: "tb_histdiag diagnostics" }).node;
  }

  return { setEnabled, downloadCard, downloadMaps };
}
