// The Diagnostics tab: holds the view state (mirrored in TensorBoard's URL hash), loads the
// diagnostics document, and draws the overview with layer maps, the tag cards (charts drawn
// lazily as cards scroll into view), the detail dialog and compare mode. The header and toolbar
// are built once; only the content is redrawn.

import { ApiError, getJson } from "./api.js";
import { normalizeDiagnostics } from "./model.js";
import { parseRoleFilter, selectedRuns } from "./filters.js";
import { buildView } from "./runview.js";
import { compileTagFilter } from "./tagfilter.js";
import { buildMarkdownReport } from "./markdown.js";
import { deepLinkHash, parseHash, readViewState, serializeHash, writeViewState } from "./urlstate.js";
import { hashStore } from "./location.js";
import { copyText } from "./clipboard.js";
import { createLoader, DroppedError } from "./loader.js";
import { normalizeSeries } from "./series.js";
import { normalizeLayerMap, summarizeLayerMap } from "./charts/layermap.js";
import { movementClass, chartTheme } from "./charts/colors.js";
import { cardBlock, compareMatrixBlock, layerMapsFigure, overlayCharts, place, stack, textBlock } from "./charts/compose.js";
import { buildCompareRows, compareSentence, defaultPair, distancesFromCompare, referenceRun, sortCompareRows } from "./compare.js";
import { buildJsonExport } from "./exportjson.js";
import { clearDownload, downloadBlob, downloadPng, downloadSvg, setDownload } from "./download.js";
import { safeFilename } from "./filename.js";
import { runColor } from "./palette.js";
import { statusLook, statusRank } from "./status.js";
import { tagSeverity } from "./filters.js";
import { s } from "./svg.js";
import { h, replaceChildren } from "./views/dom.js";
import { buildHeader } from "./views/header.js";
import { runPicker } from "./views/runPicker.js";
import { overview, drawLayerMap, layerMapError } from "./views/overview.js";
import { runSection } from "./views/runSection.js";
import { CARD_CHART_HEIGHT, addCardActions, chartError, drawCharts } from "./views/card.js";
import { detailView } from "./views/detail.js";
import { compareView, ridgeSlotsFor } from "./views/compareView.js";
import { mountChart } from "./views/chart.js";
import { emptyState, errorState, loadingState, noMatchState } from "./views/states.js";
import { plural } from "./format.js";
import { baselineOf, freshText, markFresh } from "./fresh.js";

/** @typedef {import("./model.js").Diagnostics} Diagnostics */
/** @typedef {import("./model.js").Run} Run */
/** @typedef {import("./model.js").Tag} Tag */
/** @typedef {import("./filters.js").SeverityFilter} SeverityFilter */
/** @typedef {import("./series.js").Series} Series */
/** @typedef {import("./charts/layermap.js").LayerMap} LayerMap */
/** @typedef {import("./compare.js").CompareSort} CompareSort */

/** Pause after the last keystroke before the tag filter applies, in milliseconds. */
const FILTER_DELAY_MS = 150;
/** How long a "Copied" notice stays, in milliseconds. */
const NOTICE_MS = 2500;
/** Series requests in flight at once. */
const SERIES_CONCURRENCY = 4;
/** Start drawing a card this far before it scrolls into view. */
const LAZY_MARGIN = "400px 0px";
/** The "whole view" export draws at most this many cards (worst first). */
const MAX_VIEW_CARDS = 24;
/** Width of the exported figures, in CSS pixels. */
const EXPORT_WIDTH = 1200;
/** Cards built with the first screen; the rest are added in chunks so the page answers at once. */
const FIRST_CARDS = 120;
/** Time one chunk of card building may take before yielding to the browser, in milliseconds. */
const CHUNK_MS = 24;
/** Card height and width the placeholders of not-yet-built grids assume, in pixels. */
const CARD_ESTIMATE = { height: 250, minWidth: 360, gap: 10 };

/**
 * "2026-01-05 14:03 UTC" for the report.
 * @param {Date} date
 * @returns {string}
 */
function reportTimestamp(date) {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * @param {unknown} err
 * @returns {string}
 */
function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

/**
 * @param {string} run
 * @param {string} tag
 * @returns {string}
 */
function pairKey(run, tag) {
  return `${run}\u0000${tag}`;
}

/**
 * @param {Window} win
 * @returns {{root: HTMLElement, load: () => Promise<void>, setTheme: (theme: "light" | "dark") => void}}
 */
export function createApp(win) {
  const doc = win.document;
  const store = hashStore(win);
  const initial = readViewState(parseHash(store.read()));

  const state = {
    /** @type {Diagnostics | null} */
    data: null,
    /** @type {unknown} */
    raw: null,
    rawText: "",
    /** @type {ApiError | null} */
    error: null,
    loading: false,
    /** @type {Date | null} */
    updatedAt: null,
    /** @type {Set<string> | null} the findings of the first load (fresh.js) */
    baseline: null,
    /** Findings that appeared since the first load. */
    freshCount: 0,
    tagFilterText: initial.tagFilter,
    tagFilter: compileTagFilter(initial.tagFilter),
    /** @type {SeverityFilter} */
    severity: initial.severity,
    role: initial.role,
    /** @type {Set<string> | null} null = every run */
    selected: initial.runs ? new Set(initial.runs) : null,
    /** The tag whose detail view is open. */
    open: initial.open,
    compare: initial.compare,
    /** @type {string | null} */
    compareTag: initial.compareTag,
    /** @type {[string, string] | null} */
    compareRuns: initial.compareRuns,
    /** @type {CompareSort} */
    sort: initial.sort,
    /** @type {"light" | "dark"} */
    theme: "light",
    /** Open the detail view named in the URL once, after the first load. */
    openFromUrl: initial.open !== null,
  };

  /** @type {ReturnType<typeof createLoader<Series>>} */
  const seriesLoader = createLoader({ concurrency: SERIES_CONCURRENCY, cacheSize: 400 });
  /** @type {ReturnType<typeof createLoader<{map: LayerMap, raw: unknown}>>} */
  const mapLoader = createLoader({ concurrency: 3, cacheSize: 128 });
  /** @type {ReturnType<typeof createLoader<Map<string, number | null>>>} */
  const compareLoader = createLoader({ concurrency: 2, cacheSize: 128 });

  const header = buildHeader({ tagFilter: state.tagFilterText, severity: state.severity, role: state.role });
  const picker = runPicker((selected) => {
    state.selected = selected ? new Set(selected) : null;
    saveHash();
    renderContent();
  });
  header.pickerSlot.appendChild(picker.root);
  const content = h("main", { class: "hd-content", id: "hd-content" });
  const detail = detailView({
    onClose: () => {
      state.open = null;
      saveHash();
    },
    onDownload: (format) => {
      if (state.open) void downloadCard(state.open.run, state.open.tag, format);
    },
  });
  const root = h("div", { class: "hd-app" }, header.root, content, detail.root);

  // --- lookups -----------------------------------------------------------------------------
  /** @type {Map<string, Run>} */
  let runsByName = new Map();
  /** @type {Map<string, Tag>} */
  let tagsByKey = new Map();
  /** @param {string} run */
  const colorOf = (run) => runColor(runsByName.get(run)?.colorIndex ?? 0);
  /** @param {string} run @param {string} tag */
  const findTag = (run, tag) => tagsByKey.get(pairKey(run, tag)) ?? null;

  /** @param {string} run @param {Tag} tag */
  const seriesKey = (run, tag) => `${pairKey(run, tag.tag)}\u0000${tag.lastStep}\u0000${tag.steps}`;
  /**
   * The series of a tag (cached until the tag logs new steps).
   * @param {string} run
   * @param {Tag} tag
   * @returns {Promise<Series>}
   */
  const loadSeries = (run, tag) =>
    seriesLoader.get(seriesKey(run, tag), async () => normalizeSeries(await getJson("series", { run, tag: tag.tag })));
  /** @param {Run} run */
  const runVersion = (run) => run.tags.reduce((m, t) => Math.max(m, t.lastStep ?? -1), -1) + ":" + run.tags.length;
  /**
   * @param {Run} run
   * @returns {Promise<{map: LayerMap, raw: unknown}>}
   */
  const loadLayerMap = (run) =>
    mapLoader.get(`${run.run}\u0000${runVersion(run)}`, async () => {
      const raw = await getJson("layer_map", { run: run.run });
      return { map: normalizeLayerMap(raw), raw };
    });
  /** @param {Run} run @returns {{map: LayerMap, raw: unknown} | undefined} */
  const peekLayerMap = (run) => mapLoader.peek(`${run.run}\u0000${runVersion(run)}`);
  /**
   * Distances of run `a`'s tags from run `b`'s (GET compare).
   * @param {Run} a
   * @param {Run} b
   */
  const compareKey = (a, b) => `${a.run}\u0000${b.run}\u0000${runVersion(a)}\u0000${runVersion(b)}`;
  /** @param {Run} a @param {Run} b */
  const loadDistances = (a, b) =>
    compareLoader.get(compareKey(a, b), async () => distancesFromCompare(await getJson("compare", { a: a.run, b: b.run })));

  // --- URL state -------------------------------------------------------------------------
  const saveHash = () => {
    const next = writeViewState(parseHash(store.read()), {
      tagFilter: state.tagFilterText,
      severity: state.severity,
      open: state.open,
      runs: state.selected ? [...state.selected] : null,
      role: state.role,
      compare: state.compare,
      compareTag: state.compareTag,
      compareRuns: state.compareRuns,
      sort: state.sort,
    });
    store.replace(serializeHash(next));
  };

  // --- status line -----------------------------------------------------------------------
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let noticeTimer;
  const showStatus = () => {
    if (state.loading) header.statusText.textContent = state.data ? "Reloading\u2026" : "";
    else if (state.updatedAt) {
      const fresh = freshText(state.freshCount);
      header.statusText.textContent = `Updated ${state.updatedAt.toLocaleTimeString()}${fresh ? ` \u00b7 ${fresh}` : ""}`;
    }
    else header.statusText.textContent = "";
  };
  /** @param {string} text */
  const notice = (text) => {
    clearTimeout(noticeTimer);
    header.statusText.textContent = text;
    noticeTimer = setTimeout(showStatus, NOTICE_MS);
  };

  // --- filters ---------------------------------------------------------------------------
  const filters = () => ({ tagFilter: state.tagFilter, severity: state.severity, role: state.role, runs: state.selected });
  const showFilterError = () => {
    header.filterError.textContent = state.tagFilter.error ?? "";
    if (state.tagFilter.error) header.tagInput.setAttribute("aria-invalid", "true");
    else header.tagInput.removeAttribute("aria-invalid");
  };
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let filterTimer;
  header.tagInput.addEventListener("input", () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      state.tagFilterText = header.tagInput.value;
      state.tagFilter = compileTagFilter(state.tagFilterText);
      showFilterError();
      saveHash();
      renderContent();
    }, FILTER_DELAY_MS);
  });
  header.severitySelect.addEventListener("change", () => {
    state.severity = /** @type {SeverityFilter} */ (header.severitySelect.value);
    saveHash();
    renderContent();
  });
  header.roleSelect.addEventListener("change", () => {
    state.role = parseRoleFilter(header.roleSelect.value);
    saveHash();
    renderContent();
  });
  /** @param {boolean} on */
  const setCompare = (on) => {
    state.compare = on;
    saveHash();
    renderContent();
    win.scrollTo(0, 0);
  };
  header.tagsViewButton.addEventListener("click", () => setCompare(false));
  header.compareViewButton.addEventListener("click", () => setCompare(true));
  const clearFilters = () => {
    clearTimeout(filterTimer);
    header.tagInput.value = "";
    header.severitySelect.value = "all";
    header.roleSelect.value = "all";
    state.tagFilterText = "";
    state.tagFilter = compileTagFilter("");
    state.severity = "all";
    state.role = "all";
    showFilterError();
    saveHash();
    renderContent();
    header.tagInput.focus();
  };
  showFilterError();

  // --- the report and the downloads ------------------------------------------------------------
  /** The compare rows as shown (null outside compare mode). */
  const compareModel = () => {
    if (!state.data || !state.compare) return null;
    const runs = selectedRuns(state.data.runs, state.selected);
    if (runs.length < 2) return null;
    const ref = referenceOf(runs);
    /** @type {Map<string, Map<string, number | null>>} */
    const distances = new Map();
    if (ref) {
      for (const r of runs) {
        if (r === ref) continue;
        const d = compareLoader.peek(compareKey(r, ref));
        if (d) distances.set(r.run, d);
      }
    }
    const rows = sortCompareRows(buildCompareRows(runs, filters(), distances), state.sort);
    return { runs, rows, ref };
  };
  /**
   * The reference run: the user's pick (B of the pair) when selected, else the healthiest.
   * @param {Run[]} runs
   * @returns {Run | null}
   */
  function referenceOf(runs) {
    const picked = state.compareRuns ? runs.find((r) => r.run === state.compareRuns?.[1]) : undefined;
    return picked ?? referenceRun(runs);
  }
  /**
   * The overlaid pair: the user's pick when both runs are selected, else the default for the tag.
   * @param {Run[]} runs
   * @returns {[string, string] | null}
   */
  function currentPair(runs) {
    const names = new Set(runs.map((r) => r.run));
    if (state.compareRuns && names.has(state.compareRuns[0]) && names.has(state.compareRuns[1])) return state.compareRuns;
    const rows = buildCompareRows(runs, filters());
    const row = rows.find((r) => r.tag === state.compareTag) ?? sortCompareRows(rows, "difference")[0];
    const ref = referenceOf(runs)?.run ?? null;
    return row ? defaultPair(row, ref) : runs.length >= 2 ? [runs[0].run, runs[1].run] : null;
  }

  const report = () => {
    if (!state.data) return null;
    const views = buildView(state.data, filters());
    /** @type {Map<string, {still: string[], slow: string[], moving: string[]}>} */
    const maps = new Map();
    for (const v of views) {
      const m = peekLayerMap(v.run);
      if (m) maps.set(v.run.run, summarizeLayerMap(m.map));
    }
    const cmp = compareModel();
    let overlay = null;
    if (cmp && state.compareTag) {
      const pair = currentPair(cmp.runs);
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

  header.reloadButton.addEventListener("click", () => void load());
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
        const m = peekLayerMap(v.run);
        if (m) maps.set(v.run.run, m.raw);
      }
      const cmp = compareModel();
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
  const setExportsEnabled = (enabled) => {
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
      series = await loadSeries(run, tag);
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
    const maps = await Promise.all(runs.map((r) => loadLayerMap(r).then((m) => ({ map: m.map, color: colorOf(r.run) }), () => null)));
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
    /** @type {import("./charts/compose.js").Block[]} */
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
    const cmp = compareModel();
    if (cmp) {
      const pair = currentPair(cmp.runs);
      const tagName = state.compareTag ?? cmp.rows[0]?.tag ?? null;
      if (pair && tagName) {
        const sides = await overlaySides(pair, tagName);
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

  // --- detail view --------------------------------------------------------------------------
  /**
   * Open the detail view of a tag and draw its charts.
   * @param {string} runName
   * @param {string} tagName
   */
  function openDetail(runName, tagName) {
    const run = runsByName.get(runName);
    const tag = findTag(runName, tagName);
    if (!run || !tag) return;
    state.open = { run: runName, tag: tagName };
    saveHash();
    const hashNow = parseHash(store.read());
    const links = store.embedded
      ? { histograms: store.hrefFor(deepLinkHash(hashNow, tagName, "histograms")), distributions: store.hrefFor(deepLinkHash(hashNow, tagName, "distributions")) }
      : { histograms: null, distributions: null };
    const charts = detail.show(run, tag, links);
    loadSeries(runName, tag).then(
      (series) => {
        if (!detail.isOpen() || detail.root.getAttribute("data-tag") !== tagName || detail.root.getAttribute("data-run") !== runName) return;
        detail.setSeries(series);
        drawCharts(charts, { series, tag, run: runName, color: colorOf(runName), theme: chartTheme(state.theme), height: 300, compact: false, onStep: (step) => detail.showStep(step) });
      },
      (err) => chartError(charts, messageOf(err)),
    );
  }

  // --- lazy drawing -------------------------------------------------------------------------
  const io =
    typeof IntersectionObserver === "function"
      ? new IntersectionObserver(
          (entries) => {
            for (const entry of entries) {
              if (!entry.isIntersecting) continue;
              io?.unobserve(entry.target);
              drawLazy(/** @type {HTMLElement} */ (entry.target));
            }
          },
          { rootMargin: LAZY_MARGIN },
        )
      : null;
  /** @param {HTMLElement} el */
  const observe = (el) => (io ? io.observe(el) : drawLazy(el));

  /** @param {HTMLElement} el */
  function drawLazy(el) {
    if (!el.isConnected) return;
    const runName = el.getAttribute("data-run") ?? "";
    if (el.getAttribute("data-testid") === "layer-map") {
      const run = runsByName.get(runName);
      if (!run) return;
      loadLayerMap(run).then(
        ({ map }) => {
          if (!el.isConnected) return;
          drawLayerMap(el, map, chartTheme(state.theme));
          markLayerMovement(run.run, map);
        },
        (err) => {
          if (err instanceof DroppedError) observe(el);
          else if (el.isConnected) layerMapError(el, messageOf(err));
        },
      );
      return;
    }
    const tag = findTag(runName, el.getAttribute("data-tag") ?? "");
    if (!tag) return;
    loadSeries(runName, tag).then(
      (series) => {
        if (!el.isConnected) return;
        const charts = /** @type {HTMLElement} */ (el.querySelector(".hd-card-charts"));
        drawCharts(charts, { series, tag, run: runName, color: colorOf(runName), theme: chartTheme(state.theme), height: CARD_CHART_HEIGHT, compact: true });
        addCardActions(el);
        el.setAttribute("data-drawn", "true");
      },
      (err) => {
        if (err instanceof DroppedError) observe(el);
        else if (el.isConnected) {
          chartError(/** @type {HTMLElement} */ (el.querySelector(".hd-card-charts")), messageOf(err));
          addCardActions(el);
        }
      },
    );
  }

  /**
   * Write each layer's movement class into its layer heading in the run's section.
   * @param {string} runName
   * @param {LayerMap} map
   */
  function markLayerMovement(runName, map) {
    const section = [...content.querySelectorAll('[data-testid="run-section"]')].find((el) => el.getAttribute("data-run") === runName);
    if (!section) return;
    const byLayer = new Map(map.layers.map((l) => [l.layer ?? "", movementClass(l.movement)]));
    for (const el of section.querySelectorAll("[data-layer-move]")) {
      const m = byLayer.get(el.getAttribute("data-layer-move") ?? "");
      if (!m || m.cls === "unknown") continue;
      el.setAttribute("data-movement-class", m.cls);
      el.className = `hd-layer-move hd-move-${m.cls}`;
      el.textContent = m.cls === "still" ? "weights not learning" : m.cls === "slow" ? "weights barely moving" : "weights learning";
    }
  }

  // --- compare mode ------------------------------------------------------------------------
  /**
   * Both sides of the overlay, with their series loaded (sides that fail are left out).
   * @param {[string, string]} pair
   * @param {string} tagName
   */
  async function overlaySides(pair, tagName) {
    const sides = await Promise.all(
      pair.map(async (run) => {
        const tag = findTag(run, tagName);
        if (!tag) return null;
        try {
          return { run, color: colorOf(run), series: await loadSeries(run, tag), tag };
        } catch {
          return null;
        }
      }),
    );
    return /** @type {import("./charts/compose.js").OverlaySide[]} */ (sides.filter((x) => x !== null));
  }

  /**
   * The compare section, and the fetches that complete it.
   * @param {Run[]} runs
   * @returns {HTMLElement}
   */
  function renderCompare(runs) {
    const model = /** @type {NonNullable<ReturnType<typeof compareModel>>} */ (compareModel());
    const { rows } = model;
    if (!state.compareTag || !rows.some((r) => r.tag === state.compareTag)) state.compareTag = rows[0]?.tag ?? null;
    const pair = currentPair(runs);
    const parts = compareView({
      runs,
      rows,
      sort: state.sort,
      tag: state.compareTag,
      pair,
      reference: model.ref?.run ?? null,
      onSort: (sort) => {
        state.sort = sort;
        saveHash();
        renderContent();
      },
      onPickTag: (tag) => {
        state.compareTag = tag;
        // A picked pair stays; otherwise the default pair follows the tag.
        saveHash();
        renderContent();
        content.querySelector('[data-testid="compare-overlay"]')?.scrollIntoView({ block: "nearest" });
      },
      onPickPair: (next) => {
        state.compareRuns = next;
        saveHash();
        renderContent();
      },
      onOpen: (run, tag) => openDetail(run, tag),
    });
    const tagName = state.compareTag;
    if (pair && tagName) {
      parts.sentence.textContent = compareSentence(tagName, { run: pair[0], tag: findTag(pair[0], tagName) }, { run: pair[1], tag: findTag(pair[1], tagName) });
      const slots = ridgeSlotsFor(parts.ridgeSlots, pair);
      void overlaySides(pair, tagName).then((sides) => {
        if (!parts.root.isConnected) return;
        const theme = chartTheme(state.theme);
        if (!sides.length) {
          chartError(parts.overlay, "neither run logs this tag");
          return;
        }
        const bandsWidth = Math.max(300, Math.floor(parts.bandsSlot.clientWidth || 600));
        const ridgeWidth = Math.max(160, Math.floor(slots[0]?.clientWidth || 300));
        const charts = overlayCharts(sides, { bandsWidth, bandsHeight: 280, ridgeWidth, ridgeHeight: 240, theme, label: `${tagName}: ${pair.join(" vs ")}` });
        parts.bandsSlot.classList.remove("hd-loading-slot");
        mountChart(parts.bandsSlot, charts.bands);
        parts.overlay.setAttribute("data-drawn", "true");
        sides.forEach((side, i) => {
          const slot = slots.find((el) => el.getAttribute("data-run") === side.run) ?? slots[i];
          slot.classList.remove("hd-loading-slot");
          mountChart(slot, charts.ridges[i]);
        });
      });
    } else {
      parts.sentence.textContent = "Pick a tag in the matrix to overlay two runs.";
    }
    // Distances from the reference run: fetch what is missing, then redraw once.
    if (model.ref) {
      const ref = model.ref;
      const missing = runs.filter((r) => r !== ref && !compareLoader.peek(compareKey(r, ref)));
      if (missing.length) {
        const token = ++compareToken;
        void Promise.allSettled(missing.map((r) => loadDistances(r, ref))).then((results) => {
          if (token === compareToken && state.compare && results.some((r) => r.status === "fulfilled")) renderContent();
        });
      }
    }
    return parts.root;
  }
  let compareToken = 0;
  /** Bumped by each render: chunks of an older render stop. */
  let renderToken = 0;

  // --- content ---------------------------------------------------------------------------
  function renderContent() {
    content.setAttribute("aria-busy", String(state.loading));
    showStatus();
    const data = state.data;
    if (!data) {
      setExportsEnabled(false);
      header.shownText.textContent = "";
      if (state.error) replaceChildren(content, errorState(state.error, { onRetry: () => void load(), stale: false }));
      else replaceChildren(content, loadingState());
      return;
    }
    setExportsEnabled(true);
    picker.update(data.runs, state.selected);
    const banner = state.error ? errorState(state.error, { onRetry: () => void load(), stale: true }) : null;
    if (!data.runs.length) {
      header.shownText.textContent = "";
      replaceChildren(content, banner, emptyState());
      return;
    }

    const runs = selectedRuns(data.runs, state.selected);
    const canCompare = runs.length >= 2;
    header.compareViewButton.disabled = !canCompare;
    header.compareViewButton.title = canCompare ? "Compare runs tag by tag" : "Select two or more runs to compare";
    const comparing = state.compare && canCompare;
    header.tagsViewButton.setAttribute("aria-pressed", String(!comparing));
    header.compareViewButton.setAttribute("aria-pressed", String(comparing));

    const views = buildView(data, filters());
    const total = runs.reduce((n, r) => n + r.tags.length, 0);
    const shown = views.reduce((n, v) => n + v.shownTags.length, 0);
    header.shownText.textContent = shown === total ? plural(total, "tag") : `${shown} of ${plural(total, "tag")}`;

    if (!runs.length) {
      replaceChildren(
        content,
        banner,
        h(
          "div",
          { class: "hd-state hd-no-match", "data-testid": "no-runs-state", role: "status" },
          h("p", {}, "No runs selected."),
          h(
            "button",
            {
              type: "button",
              class: "hd-button",
              onclick: () => {
                state.selected = null;
                saveHash();
                renderContent();
              },
            },
            "Show all runs",
          ),
        ),
      );
      return;
    }

    const scrollY = win.scrollY;
    const focusedKey = (() => {
      const a = doc.activeElement;
      if (!a || !content.contains(a) || a.getAttribute("data-testid") !== "tag-row") return null;
      return [a.getAttribute("data-run") ?? "", a.getAttribute("data-tag") ?? ""];
    })();
    const theme = chartTheme(state.theme);
    const overviewEl = overview(runs, {
      theme,
      onJump: (run) => {
        const heading = doc.getElementById(`hd-run-${run.index}`);
        heading?.scrollIntoView({ block: "start" });
        heading?.focus({ preventScroll: true });
      },
      onDownload: downloadMaps,
    });
    const token = ++renderToken;
    // The old cards and maps are about to go: stop watching them.
    io?.disconnect();
    let budget = FIRST_CARDS;
    /** @type {Array<() => void>} grids of the first screen, built as soon as they are in the document */
    const now = [];
    /** @type {Array<() => void>} the other grids, built in chunks */
    const later = [];
    const columns = Math.max(1, Math.floor((content.clientWidth + CARD_ESTIMATE.gap) / (CARD_ESTIMATE.minWidth + CARD_ESTIMATE.gap)));
    /** @type {(grid: HTMLElement, count: number, fill: () => HTMLElement[]) => void} */
    const schedule = (grid, count, fill) => {
      const build = () => {
        grid.style.minHeight = "";
        const cards = fill();
        for (const card of cards) grid.appendChild(card);
        for (const card of cards) observe(card);
      };
      if (budget > 0) {
        budget -= count;
        now.push(build);
      } else {
        // Below the first screen: the browser skips laying out these grids until they come near
        // the viewport (thousands of cards would otherwise cost seconds of layout), and the
        // estimated height keeps the page from jumping while they fill.
        const estimate = Math.ceil(count / columns) * (CARD_ESTIMATE.height + CARD_ESTIMATE.gap);
        grid.style.minHeight = `${estimate}px`;
        grid.style.setProperty("content-visibility", "auto");
        grid.style.setProperty("contain-intrinsic-size", `auto ${estimate}px`);
        grid.setAttribute("data-pending", "true");
        later.push(() => {
          grid.removeAttribute("data-pending");
          build();
        });
      }
    };
    const sections = comparing
      ? [renderCompare(runs)]
      : views.map((view) =>
          runSection(view, {
            onOpen: (run, tag) => openDetail(run, tag),
            onDownload: (run, tag, format) => void downloadCard(run, tag, format),
            schedule,
          }),
        );
    replaceChildren(
      content,
      banner,
      comparing ? null : overviewEl,
      shown === 0 && total > 0 ? noMatchState(clearFilters) : null,
      sections,
      comparing ? overviewEl : null,
    );
    for (const el of content.querySelectorAll('[data-testid="layer-map"]')) observe(/** @type {HTMLElement} */ (el));
    // The first cards now; the rest in chunks that yield to the browser between them.
    for (const job of now) job();
    const pump = () => {
      if (token !== renderToken) return;
      const until = performance.now() + CHUNK_MS;
      while (later.length && performance.now() < until) later.shift()?.();
      if (later.length) setTimeout(pump, 0);
      else root.setAttribute("data-cards", "complete");
    };
    root.setAttribute("data-cards", later.length ? "pending" : "complete");
    if (later.length) setTimeout(pump, 0);
    win.scrollTo(0, scrollY);
    if (focusedKey) {
      const again = [...content.querySelectorAll('[data-testid="tag-row"]')].find(
        (el) => el.getAttribute("data-run") === focusedKey[0] && el.getAttribute("data-tag") === focusedKey[1],
      );
      if (again instanceof HTMLElement) again.focus({ preventScroll: true });
    }
  }

  // --- loading ---------------------------------------------------------------------------
  let generation = 0;
  /** @type {AbortController | null} */
  let inFlight = null;

  /**
   * TensorBoard's run order (GET /data/runs), which its Histograms and Distributions tabs use
   * for run colours; null when it cannot be read.
   * @param {AbortSignal} signal
   * @returns {Promise<string[] | null>}
   */
  async function tensorboardRunOrder(signal) {
    try {
      const list = await getJson("../../runs", {}, { signal });
      return Array.isArray(list) ? list.map(String) : null;
    } catch {
      return null;
    }
  }

  /** Fetch the diagnostics again; a newer call supersedes an older one still in flight. */
  async function load() {
    const mine = ++generation;
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    state.loading = true;
    header.reloadButton.classList.add("hd-busy");
    renderContentOrStatus();
    let changed = false;
    try {
      const [raw, order] = await Promise.all([getJson("diagnostics", {}, { signal: controller.signal }), tensorboardRunOrder(controller.signal)]);
      if (mine !== generation) return;
      performance.mark?.("tb_histdiag:received");
      const text = JSON.stringify([raw, order]);
      changed = text !== state.rawText;
      if (changed) {
        let data;
        try {
          data = normalizeDiagnostics(raw);
        } catch (err) {
          throw new ApiError(messageOf(err), 200, "diagnostics");
        }
        if (state.baseline === null) state.baseline = baselineOf(data);
        state.freshCount = markFresh(data, state.baseline);
        const index = new Map((order ?? []).map((name, i) => [name, i]));
        for (const run of data.runs) run.colorIndex = index.get(run.run) ?? index.size + run.index;
        state.data = data;
        state.raw = raw;
        state.rawText = text;
        runsByName = new Map(data.runs.map((r) => [r.run, r]));
        tagsByKey = new Map(data.runs.flatMap((r) => r.tags.map((t) => [pairKey(r.run, t.tag), t])));
      }
      changed = changed || state.error !== null;
      state.error = null;
      state.updatedAt = new Date();
    } catch (err) {
      if (mine !== generation) return;
      if (err instanceof Error && err.name === "AbortError") return;
      state.error = err instanceof ApiError ? err : new ApiError(messageOf(err), 0, "diagnostics");
      changed = true;
    } finally {
      if (mine === generation) {
        state.loading = false;
        inFlight = null;
        header.reloadButton.classList.remove("hd-busy");
      }
    }
    if (changed) {
      renderContent();
      performance.mark?.("tb_histdiag:rendered");
      // The first frame after the render, layout included: the page answers input from here on.
      win.requestAnimationFrame(() => setTimeout(() => performance.mark?.("tb_histdiag:painted"), 0));
      root.setAttribute("data-ready", "true");
    } else {
      content.setAttribute("aria-busy", "false");
      showStatus();
    }
    if (state.openFromUrl) {
      state.openFromUrl = false;
      if (state.open && findTag(state.open.run, state.open.tag)) openDetail(state.open.run, state.open.tag);
      else {
        state.open = null;
        saveHash();
      }
    } else if (changed && detail.isOpen() && state.open) {
      if (findTag(state.open.run, state.open.tag)) openDetail(state.open.run, state.open.tag);
      else detail.close();
    }
  }

  /** While reloading, keep the shown results and only update the status line. */
  function renderContentOrStatus() {
    if (state.data) {
      content.setAttribute("aria-busy", "true");
      showStatus();
    } else {
      renderContent();
    }
  }

  // Redraw the charts at their new size when the width changes.
  let lastWidth = win.innerWidth;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let resizeTimer;
  win.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (Math.abs(win.innerWidth - lastWidth) < 8) return;
      lastWidth = win.innerWidth;
      if (state.data) renderContent();
    }, 200);
  });

  return {
    root,
    load,
    setTheme(theme) {
      if (theme === state.theme) return;
      state.theme = theme;
      if (state.data) {
        renderContent();
        if (detail.isOpen() && state.open) openDetail(state.open.run, state.open.tag);
      }
    },
  };
}
