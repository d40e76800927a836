// The Diagnostics tab: holds the view state (mirrored in TensorBoard's URL hash), loads the
// diagnostics document, and draws the overview with layer maps, the tag cards, the detail dialog
// and compare mode. The header and toolbar are built once; only the content is redrawn. The parts
// live in app/ (the state, what is fetched, the lookups by name, compare mode, the exports, the
// lazily built and drawn cards), each given what it needs in one context object; this file holds
// the state and wires them together.

import { ApiError, getJson } from "./api.js";
import { normalizeDiagnostics } from "./model.js";
import { parseRoleFilter, selectedRuns } from "./filters.js";
import { buildView } from "./runview.js";
import { compileTagFilter } from "./tagfilter.js";
import { deepLinkHash, parseHash, readViewState, serializeHash, writeViewState } from "./urlstate.js";
import { hashStore } from "./location.js";
import { chartTheme } from "./charts/colors.js";
import { h, replaceChildren } from "./views/dom.js";
import { buildHeader } from "./views/header.js";
import { runPicker } from "./views/runPicker.js";
import { overview } from "./views/overview.js";
import { runSection } from "./views/runSection.js";
import { chartError, drawCharts } from "./views/card.js";
import { detailView } from "./views/detail.js";
import { emptyState, errorState, loadingState, noMatchState, noRunsState } from "./views/states.js";
import { messageOf, plural } from "./format.js";
import { baselineOf, freshText, markFresh } from "./fresh.js";
import { createState } from "./app/state.js";
import { createLoaders } from "./app/loaders.js";
import { createLookups } from "./app/lookups.js";
import { createCompareMode } from "./app/compareMode.js";
import { createExports } from "./app/exports.js";
import { createLazyCards } from "./app/lazyCards.js";

/** @typedef {import("./filters.js").SeverityFilter} SeverityFilter */

/** Pause after the last keystroke before the tag filter applies, in milliseconds. */
const FILTER_DELAY_MS = 150;
/** How long a "Copied" notice stays, in milliseconds. */
const NOTICE_MS = 2500;

/**
 * @param {Window} win
 * @returns {{root: HTMLElement, load: () => Promise<void>, setTheme: (theme: "light" | "dark") => void}}
 */
export function createApp(win) {
  const doc = win.document;
  const store = hashStore(win);
  const state = createState(readViewState(parseHash(store.read())));
  const loaders = createLoaders({ getJson });
  const lookups = createLookups();
  const { runByName, findTag, colorOf } = lookups;

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
      if (state.open) void exporter.downloadCard(state.open.run, state.open.tag, format);
    },
  });
  const root = h("div", { class: "hd-app" }, header.root, content, detail.root);

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
  header.reloadButton.addEventListener("click", () => void load());

  // --- the parts ---------------------------------------------------------------------------
  const compare = createCompareMode({ state, loaders, content, filters, findTag, colorOf, saveHash, renderContent, openDetail });
  const exporter = createExports({ doc, state, header, loaders, compare, filters, findTag, colorOf, notice });
  const cards = createLazyCards({ state, loaders, root, content, runByName, findTag, colorOf });

  // --- detail view --------------------------------------------------------------------------
  /**
   * Open the detail view of a tag and draw its charts.
   * @param {string} runName
   * @param {string} tagName
   */
  function openDetail(runName, tagName) {
    const run = runByName(runName);
    const tag = findTag(runName, tagName);
    if (!run || !tag) return;
    state.open = { run: runName, tag: tagName };
    saveHash();
    const hashNow = parseHash(store.read());
    const links = store.embedded
      ? { histograms: store.hrefFor(deepLinkHash(hashNow, tagName, "histograms")), distributions: store.hrefFor(deepLinkHash(hashNow, tagName, "distributions")) }
      : { histograms: null, distributions: null };
    const charts = detail.show(run, tag, links);
    loaders.series(runName, tag).then(
      (series) => {
        if (!detail.isOpen() || detail.root.getAttribute("data-tag") !== tagName || detail.root.getAttribute("data-run") !== runName) return;
        detail.setSeries(series);
        drawCharts(charts, { series, tag, run: runName, color: colorOf(runName), theme: chartTheme(state.theme), height: 300, compact: false, onStep: (step) => detail.showStep(step) });
      },
      (err) => chartError(charts, messageOf(err)),
    );
  }

  // --- content ---------------------------------------------------------------------------
  function renderContent() {
    content.setAttribute("aria-busy", String(state.loading));
    showStatus();
    const data = state.data;
    if (!data) {
      exporter.setEnabled(false);
      header.shownText.textContent = "";
      if (state.error) replaceChildren(content, errorState(state.error, { onRetry: () => void load(), stale: false }));
      else replaceChildren(content, loadingState());
      return;
    }
    exporter.setEnabled(true);
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
        noRunsState(() => {
          state.selected = null;
          saveHash();
          renderContent();
        }),
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
      onDownload: exporter.downloadMaps,
    });
    const batch = cards.begin();
    const sections = comparing
      ? [compare.render(runs)]
      : views.map((view) =>
          runSection(view, {
            onOpen: (run, tag) => openDetail(run, tag),
            onDownload: (run, tag, format) => void exporter.downloadCard(run, tag, format),
            schedule: batch.schedule,
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
    batch.start();
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
      const [raw, order] = await loaders.diagnostics(controller.signal);
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
        lookups.index(data);
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
