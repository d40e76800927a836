"""A workaround for a stall in the transport of TensorBoard's Rust data server.

Measured with TensorBoard 2.21 and tensorboard-data-server 0.7 on loopback: a gRPC answer of
a few kB to a few hundred kB (a listing of more than four series, 51 steps of a TF2
histogram, ...) regularly arrives ~40-45 ms late, while smaller and much larger answers take
a few milliseconds. That is the classic interplay of Nagle's algorithm on the sender, which
holds the answer's last small segment until the previous one is acknowledged, and delayed
acknowledgements on the receiver, which wait up to 40 ms for something to send back with the
ACK. Large answers do not stall because the client keeps sending flow-control updates.

Any packet the client sends carries the pending ACK. So while a call is in flight, a
:class:`Nudger` thread sends a tiny request (``list_runs``, ~0.4 ms) after 5 ms, then at
doubling intervals:
measured on the bench logdir (``make bench``, the in-process table), 51-step TF2 reads went
from 44 ms to ~7 ms and the listing of 200 series from 44 ms to ~7 ms. Only TensorBoard's gRPC provider is wrapped; the Python
provider has no transport.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

logger = logging.getLogger(__name__)

#: Seconds a call may run before the first nudge; the wait doubles after every nudge (up to
#: :data:`MAX_NUDGE_INTERVAL`) while calls stay in flight, so the large reads that never stall
#: (they keep the client sending flow-control frames) are not slowed by a stream of nudges.
NUDGE_INTERVAL = 0.003
MAX_NUDGE_INTERVAL = 0.16

#: The provider methods that fetch data through the transport.
_NUDGED_METHODS = ("list_tensors", "read_tensors", "list_scalars", "read_scalars")


def is_grpc_provider(provider: object) -> bool:
    """Whether ``provider`` is TensorBoard's client of the Rust data server."""
    return type(provider).__module__ == "tensorboard.data.grpc_provider"


class Nudger:
    """Sends a tiny request to the provider :data:`NUDGE_INTERVAL` seconds after a call
    starts, then at doubling intervals while calls are in flight (one daemon thread per
    provider, idle otherwise)."""

    def __init__(self, provider: object):
        self._provider = provider
        self._in_flight = 0
        self._interval = NUDGE_INTERVAL
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Nudger:
        with self._wake:
            if self._in_flight == 0:
                self._interval = NUDGE_INTERVAL
            self._in_flight += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tb_histdiag-nudge", daemon=True
                )
                self._thread.start()
            self._wake.notify()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._wake:
            self._in_flight -= 1

    def _run(self) -> None:
        from tensorboard import context

        ctx = context.RequestContext()
        while True:
            with self._wake:
                while self._in_flight == 0:
                    self._wake.wait()
                # Give the call its chance to finish on its own first.
                self._wake.wait(self._interval)
                busy = self._in_flight > 0
                if busy:
                    self._interval = min(2 * self._interval, MAX_NUDGE_INTERVAL)
            if busy:
                try:
                    self._provider.list_runs(ctx, experiment_id="")
                except Exception:  # the real call reports its own errors
                    logger.debug("tb_histdiag: nudge failed", exc_info=True)


def _may_stall(method: str, kwargs: Mapping[str, object]) -> bool:
    """Whether a call's answer may be of the stalling size: every listing and scalar read, and
    tensor reads of one series. Reads of several series at once (the plugin's chunks of a run
    are megabytes each) do not stall, and nudges running beside them only slowed them (measured:
    diagnosing the L bench logdir took ~7% longer); the plugin nudges its own chunk reads only
    while their size is unknown or small (``STALL_BYTES`` in :mod:`tb_histdiag.reading.series`)."""
    if method != "read_tensors":
        return True
    tags = getattr(kwargs.get("run_tag_filter"), "tags", None)
    return tags is not None and len(tags) <= 1


class NudgedProvider:
    """A data provider whose fetching calls are accompanied by a :class:`Nudger`; everything
    else passes through."""

    def __init__(self, provider: object):
        self._provider = provider
        self.nudger = Nudger(provider)

    def __getattr__(self, name: str) -> object:
        attr = getattr(self._provider, name)
        if name not in _NUDGED_METHODS:
            return attr

        def call(*args: object, **kwargs: object) -> object:
            if not _may_stall(name, kwargs):
                return attr(*args, **kwargs)
            with self.nudger:
                return attr(*args, **kwargs)

        return call


def without_stalls(provider: object) -> object:
    """``provider`` itself, or wrapped in a :class:`NudgedProvider` if it talks gRPC."""
    if provider is not None and is_grpc_provider(provider):
        return NudgedProvider(provider)
    return provider
