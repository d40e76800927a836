// The Diagnostics tab: holds the view state, loads the document, and redraws the content when
// data or filters change. The header and toolbar are built once; only the content is redrawn.

import { ApiError, fetchDiagnostics } from "./api.js";
import { buildView, compileTagFilter, rowKey } from "./filters.js";
import { buildMarkdownReport } from "./markdown.js";
import { deepLinkHash, parseHash, readViewState, serializeHash, writeViewState } from "./urlstate.js";
import { hashStore } from "./location.js";
import { clearDownload, copyText, setDownload } from "./clipboard.js";
import { h, replaceChildren } from "./views/dom.js";
import { buildHeader } from "./views/header.js";
import { runSummary } from "./views/summary.js";
import { runSection } from "./views/runSection.js";
import { emptyState, errorState, loadingState, noMatchState } from "./views/states.js";
import { plural } from "./format.js";

/** @typedef {import("./model.js").Diagnostics} Diagnostics */
/** @typedef {import("./filters.js").SeverityFilter} SeverityFilter */

/** Pause after the last keystroke before the tag filter applies, in milliseconds. */
const FILTER_DELAY_MS = 150;
/** How long a "Copied" notice stays, in milliseconds. */
const NOTICE_MS = 2500;

/**
 * "2026-01-05 14:03 UTC" for the report.
 * @param {Date} date
 * @returns {string}
 */
function reportTimestamp(date) {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * @param {Window} win
 * @returns {{root: HTMLElement, load: () => Promise<void>}}
 */
export function createApp(win) {
  const doc = win.document;
  const store = hashStore(win);
  const initial = readViewState(parseHash(store.read()));

  const state = {
    /** @type {Diagnostics | null} */
    data: null,
    /** @type {ApiError | null} */
    error: null,
    loading: false,
    /** @type {Date | null} */
    updatedAt: null,
    tagFilterText: initial.tagFilter,
    tagFilter: compileTagFilter(initial.tagFilter),
    /** @type {SeverityFilter} */
    severity: initial.severity,
    /** @type {Set<string>} */
    expanded: new Set(initial.open ? [rowKey(initial.open.run, initial.open.tag)] : []),
    /** The tag whose details were opened last; it is the one the URL remembers. */
    lastOpened: initial.open,
    /** Scroll to the tag the URL opened, once, after the first load. */
    scrollTo: initial.open,
  };

  const header = buildHeader({ tagFilter: state.tagFilterText, severity: state.severity });
  const content = h("main", { class: "hd-content", id: "hd-content" });
  const root = h("div", { class: "hd-app" }, header.root, content);

  // --- URL state -------------------------------------------------------------------------
  const saveHash = () => {
    const next = writeViewState(parseHash(store.read()), {
      tagFilter: state.tagFilterText,
      severity: state.severity,
      open: state.lastOpened,
    });
    store.replace(serializeHash(next));
  };

  // --- status line -----------------------------------------------------------------------
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let noticeTimer;
  const showStatus = () => {
    if (state.loading) header.statusText.textContent = state.data ? "Reloading\u2026" : "";
    else if (state.updatedAt) header.statusText.textContent = `Updated ${state.updatedAt.toLocaleTimeString()}`;
    else header.statusText.textContent = "";
  };
  /** @param {string} text */
  const notice = (text) => {
    clearTimeout(noticeTimer);
    header.statusText.textContent = text;
    noticeTimer = setTimeout(showStatus, NOTICE_MS);
  };

  // --- filters ---------------------------------------------------------------------------
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
  const clearFilters = () => {
    clearTimeout(filterTimer);
    header.tagInput.value = "";
    header.severitySelect.value = "all";
    state.tagFilterText = "";
    state.tagFilter = compileTagFilter("");
    state.severity = "all";
    showFilterError();
    saveHash();
    renderContent();
    header.tagInput.focus();
  };
  showFilterError();

  // --- actions ---------------------------------------------------------------------------
  const report = () =>
    state.data
      ? buildMarkdownReport(buildView(state.data, { tagFilter: state.tagFilter, severity: state.severity }), {
          tagFilter: state.tagFilter.error ? "" : state.tagFilterText,
          severity: state.severity,
          generatedAt: reportTimestamp(new Date()),
        })
      : null;

  header.reloadButton.addEventListener("click", () => void load());
  header.copyButton.addEventListener("click", async () => {
    const text = report();
    if (text === null) return;
    notice((await copyText(text, doc)) ? "Markdown report copied" : "Copy failed: use Download .md");
  });
  header.downloadLink.addEventListener("click", (event) => {
    const text = report();
    if (text === null) {
      event.preventDefault();
      return;
    }
    // Regenerated on click so the file matches what is shown right now.
    setDownload(header.downloadLink, text, "text/markdown");
  });

  /** @param {boolean} enabled */
  const setExportsEnabled = (enabled) => {
    header.copyButton.disabled = !enabled;
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

  /** @param {string} tag */
  const openInHistograms = (tag) => store.navigate(deepLinkHash(parseHash(store.read()), tag));

  // --- content ---------------------------------------------------------------------------
  /**
   * The tag row that has focus, as [run, tag], so it can get focus back after a redraw.
   * @returns {[string, string] | null}
   */
  const focusedRow = () => {
    const active = doc.activeElement;
    if (!active || !content.contains(active) || active.getAttribute("data-testid") !== "tag-row") return null;
    const run = active.closest('[data-testid="run-section"]')?.getAttribute("data-run");
    const tag = active.getAttribute("data-tag");
    return run !== null && run !== undefined && tag !== null ? [run, tag] : null;
  };
  /**
   * @param {string} run
   * @param {string} tag
   * @returns {HTMLElement | null}
   */
  const findRow = (run, tag) => {
    for (const section of content.querySelectorAll('[data-testid="run-section"]')) {
      if (section.getAttribute("data-run") !== run) continue;
      for (const row of section.querySelectorAll('[data-testid="tag-row"]')) {
        if (row.getAttribute("data-tag") === tag) return /** @type {HTMLElement} */ (row);
      }
    }
    return null;
  };

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
    const banner = state.error ? errorState(state.error, { onRetry: () => void load(), stale: true }) : null;
    if (!data.runs.length) {
      header.shownText.textContent = "";
      replaceChildren(content, banner, emptyState());
      return;
    }

    const views = buildView(data, { tagFilter: state.tagFilter, severity: state.severity });
    const total = data.runs.reduce((n, r) => n + r.tags.length, 0);
    const shown = views.reduce((n, v) => n + v.shownTags.length, 0);
    header.shownText.textContent = shown === total ? plural(total, "tag") : `${shown} of ${plural(total, "tag")}`;

    const keepFocus = focusedRow();
    const scrollY = win.scrollY;
    replaceChildren(
      content,
      banner,
      runSummary(data.runs, (run) => {
        const heading = doc.getElementById(`hd-run-${run.index}`);
        heading?.scrollIntoView({ block: "start" });
        heading?.focus({ preventScroll: true });
      }),
      shown === 0 && total > 0 ? noMatchState(clearFilters) : null,
      views.map((view) =>
        runSection(view, {
          isOpen: (tag) => state.expanded.has(rowKey(view.run.run, tag)),
          onToggle: (tag, open) => {
            const key = rowKey(view.run.run, tag);
            const last = state.lastOpened;
            if (open) {
              state.expanded.add(key);
              state.lastOpened = { run: view.run.run, tag };
            } else {
              state.expanded.delete(key);
              if (last && rowKey(last.run, last.tag) === key) state.lastOpened = null;
            }
            saveHash();
          },
          openInHistograms: store.embedded ? openInHistograms : null,
        }),
      ),
    );
    win.scrollTo(0, scrollY);
    if (keepFocus) findRow(...keepFocus)?.focus({ preventScroll: true });
    if (state.scrollTo) {
      findRow(state.scrollTo.run, state.scrollTo.tag)?.scrollIntoView({ block: "center" });
      state.scrollTo = null;
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
    try {
      const data = await fetchDiagnostics({ signal: controller.signal });
      if (mine !== generation) return;
      state.data = data;
      state.error = null;
      state.updatedAt = new Date();
    } catch (err) {
      if (mine !== generation) return;
      state.error = err instanceof ApiError ? err : new ApiError(err instanceof Error ? err.message : String(err), 0, "diagnostics");
    } finally {
      if (mine === generation) {
        state.loading = false;
        inFlight = null;
        header.reloadButton.classList.remove("hd-busy");
      }
    }
    renderContent();
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

  return { root, load };
}
