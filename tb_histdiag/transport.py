"""A workaround for a stall in the transport of TensorBoard's Rust data server.

Measured with TensorBoard 2.21 and tensorboard-data-server 0.7 on loopback: a gRPC answer of
a few kB to a few hundred kB (a listing of more than four series, 51 steps of a TF2
histogram, ...) regularly arrives ~40-45 ms late, while smaller and much larger answers take
a few milliseconds. That is the classic interplay of Nagle's algorithm on the sender, which
holds the answer's last small segment until the previous one is acknowledged, and delayed
acknowledgements on the receiver, which wait up to 40 ms for something to send back with the
ACK. Large answers do not stall because the client keeps sending flow-control updates.

Any packet the client sends carries the pending ACK. So while a call is in flight, a
:class:`Nudger` thread sends a tiny request (``list_runs``, ~0.4 ms) every few milliseconds:
measured on the bench logdir, 51-step TF2 reads went from 44 ms to 4 ms and the listing of
200 series from 44 ms to ~3 ms. Only TensorBoard's gRPC provider is wrapped; the Python
provider has no transport.
"""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)

#: Seconds a call may run before the first nudge, and between nudges.
NUDGE_INTERVAL = 0.005

#: The provider methods that fetch data through the transport.
_NUDGED_METHODS = ("list_tensors", "read_tensors", "list_scalars", "read_scalars")


def is_grpc_provider(provider: object) -> bool:
    """Whether ``provider`` is TensorBoard's client of the Rust data server."""
    return type(provider).__module__ == "tensorboard.data.grpc_provider"


class Nudger:
    """Sends a tiny request to the provider every :data:`NUDGE_INTERVAL` seconds while at
    least one call is in flight (one daemon thread per provider, idle otherwise)."""

    def __init__(self, provider: object):
        self._provider = provider
        self._in_flight = 0
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Nudger:
        with self._wake:
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
                self._wake.wait(NUDGE_INTERVAL)
                busy = self._in_flight > 0
            if busy:
                try:
                    self._provider.list_runs(ctx, experiment_id="")
                except Exception:  # the real call reports its own errors
                    logger.debug("tb_histdiag: nudge failed", exc_info=True)


class NudgedProvider:
    """A data provider whose fetching calls are accompanied by a :class:`Nudger`; everything
    else passes through."""

    def __init__(self, provider: object):
        self._provider = provider
        self._nudger = Nudger(provider)

    def __getattr__(self, name: str) -> object:
        attr = getattr(self._provider, name)
        if name not in _NUDGED_METHODS:
            return attr

        def call(*args: object, **kwargs: object) -> object:
            with self._nudger:
                return attr(*args, **kwargs)

        return call


def without_stalls(provider: object) -> object:
    """``provider`` itself, or wrapped in a :class:`NudgedProvider` if it talks gRPC."""
    if provider is not None and is_grpc_provider(provider):
        return NudgedProvider(provider)
    return provider
