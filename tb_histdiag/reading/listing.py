"""Provider listings reused for a short while: the one cache of ``list_tensors``/``list_scalars``.

Listing every series is the dominant cost of a cached diagnosis (see :class:`CachedListings`);
:class:`~tb_histdiag.reading.reader.HistogramReader` wraps its provider in it when given a TTL.
"""

from __future__ import annotations

import logging
import os
import threading
import time

logger = logging.getLogger(__name__)

#: Environment variable: seconds a provider listing (``list_tensors``/``list_scalars``) may be
#: reused by a :class:`HistogramReader` built without an explicit ``listing_ttl``.
LISTING_TTL_ENV = "TB_HISTDIAG_LISTING_TTL"

#: Most listings kept per provider (one per experiment, plugin and run filter).
_LISTING_CACHE_ENTRIES = 1024


def listing_ttl_from_environment() -> float:
    try:
        return max(0.0, float(os.environ.get(LISTING_TTL_ENV, "0") or 0))
    except ValueError:
        return 0.0


class CachedListings:
    """A data provider whose listings are reused for ``ttl`` seconds; everything else passes through.

    Listing every series is the dominant cost of a cached diagnosis: ``list_tensors`` over 1,000
    series takes ~50 ms through the Rust data server (the gRPC call plus building its result) and
    scans every stored point in the Python provider, while a cached diagnosis needs well under
    1 ms. A listing is at most ``ttl`` seconds older than the provider's data, and TensorBoard
    itself reloads a logdir only every ``--reload_interval`` (5 s by default), so a TTL of about
    1 s is invisible in practice. Concurrent callers of an expired listing wait for one refresh.
    The request context is not part of the key: local TensorBoard has no per-user data.
    """

    def __init__(self, provider: object, ttl: float):
        self._provider = provider
        self.ttl = ttl
        self._lock = threading.Lock()
        self._refresh_locks: dict[tuple, threading.Lock] = {}
        self._entries: dict[tuple, tuple[float, object]] = {}

    def __getattr__(self, name: str) -> object:
        return getattr(self._provider, name)

    def list_tensors(
        self, ctx: object, *, experiment_id: str, plugin_name: str, run_tag_filter=None
    ):
        """``provider.list_tensors``, reused for ``ttl`` seconds."""
        return self.listing("list_tensors", ctx, experiment_id, plugin_name, run_tag_filter)[0]

    def list_scalars(
        self, ctx: object, *, experiment_id: str, plugin_name: str, run_tag_filter=None
    ):
        """``provider.list_scalars``, reused for ``ttl`` seconds."""
        return self.listing("list_scalars", ctx, experiment_id, plugin_name, run_tag_filter)[0]

    def listing(
        self,
        method: str,
        ctx: object,
        experiment_id: str,
        plugin_name: str,
        run_tag_filter: object = None,
        max_stale: float = 0.0,
    ) -> tuple[object, bool]:
        """``(listing, fresh)``: a listing no older than ``ttl`` seconds (``fresh``), or, when
        ``max_stale > ttl``, one up to ``max_stale`` seconds old while a background thread fetches
        a new one (stale-while-revalidate), so the caller never waits for the provider. Only
        callers that need the *names* in a listing, not its last steps, should use a stale one."""
        runs = getattr(run_tag_filter, "runs", None)
        tags = getattr(run_tag_filter, "tags", None)
        key = (
            method,
            experiment_id,
            plugin_name,
            None if runs is None else tuple(sorted(runs)),
            None if tags is None else tuple(sorted(tags)),
        )
        call = (method, ctx, experiment_id, plugin_name, run_tag_filter)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None:
            age = time.monotonic() - entry[0]
            if age < self.ttl:
                return entry[1], True
            if age < max_stale:
                refresh = self._refresh_lock(key)
                if refresh.acquire(blocking=False):  # else a refresh is already under way
                    threading.Thread(
                        target=self._refresh_then_release,
                        args=(key, refresh, call),
                        name="tb_histdiag-listing",
                        daemon=True,
                    ).start()
                return entry[1], False
        refresh = self._refresh_lock(key)
        with refresh:
            hit = self._fresh(key)  # another thread may have refreshed it while this one waited
            if hit is not None:
                return hit, True
            return self._refresh(key, refresh, call), True

    def _refresh_lock(self, key: tuple) -> threading.Lock:
        with self._lock:
            return self._refresh_locks.setdefault(key, threading.Lock())

    def _refresh(self, key: tuple, refresh: threading.Lock, call: tuple) -> object:
        method, ctx, experiment_id, plugin_name, run_tag_filter = call
        started = time.monotonic()  # the listing is as old as the call that made it
        result = getattr(self._provider, method)(
            ctx,
            experiment_id=experiment_id,
            plugin_name=plugin_name,
            run_tag_filter=run_tag_filter,
        )
        with self._lock:
            if len(self._entries) >= _LISTING_CACHE_ENTRIES:
                self._entries.clear()
                self._refresh_locks = {key: refresh}
            self._entries[key] = (started, result)
        return result

    def _refresh_then_release(self, key: tuple, refresh: threading.Lock, call: tuple) -> None:
        try:
            self._refresh(key, refresh, call)
        except Exception:  # the next caller lists synchronously and sees the error itself
            logger.warning("tb_histdiag: background listing refresh failed", exc_info=True)
        finally:
            refresh.release()

    def _fresh(self, key: tuple) -> object | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry[0] < self.ttl:
            return entry[1]
        return None
