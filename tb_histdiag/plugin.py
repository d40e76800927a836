"""The TensorBoard plugin: thin HTTP routes over ``*_impl`` methods.

Loaded by TensorBoard through the ``tensorboard_plugins`` entry point. This module must import
with nothing but tensorboard, werkzeug and numpy and must never raise at import time: an entry
point that fails to import stops TensorBoard itself from starting. Every response goes through
``http_util.Respond`` (``nosniff``, gzip, JSON cleansing); errors are JSON ``{"error": ...}``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable

from tensorboard import plugin_util
from tensorboard.backend import http_util
from tensorboard.plugins import base_plugin
from werkzeug import wrappers

from tb_histdiag import documents
from tb_histdiag.engine.config import ENV_VAR, Config, ConfigError, config_from_environment
from tb_histdiag.engine.diagnosis import DEFAULT_CACHE_SIZE, Diagnoser
from tb_histdiag.errors import names_list
from tb_histdiag.reading.listing import LISTING_TTL_ENV
from tb_histdiag.reading.logdir_check import PLUGIN_VERIFY_BYTES, LogdirChecker
from tb_histdiag.reading.reader import HistogramReader
from tb_histdiag.reading.series import HISTOGRAMS_PLUGIN
from tb_histdiag.reports import compare
from tb_histdiag.results import Diagnosis
from tb_histdiag.timing import Timing

logger = logging.getLogger(__name__)

PLUGIN_NAME = "tb_histdiag"
STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")

#: Longest run or tag name accepted in a query (longer names cannot come from a real logdir path).
MAX_PARAM_LENGTH = 4096

_MIME_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".map": "application/json",
}


#: The environment variable bounding the plugin's cache (entries; about 11 kB each).
CACHE_SIZE_ENV = "TB_HISTDIAG_CACHE_SIZE"

#: Seconds the plugin reuses TensorBoard's series listing (listing costs the Rust data server
#: ~45 ms per call; TensorBoard itself reloads every 5 s by default).
DEFAULT_LISTING_TTL = 1.0

#: Seconds a listing may be older than the TTL when a request for one series only needs the
#: run's tag *names* from it (for roles and validation); that series' own last step is listed
#: fresh, and a newer listing is fetched in the background.
NAMES_MAX_STALE = 30.0


def _env_number(name: str, default: float, kind: type) -> float:
    """A non-negative number from the environment, or ``default`` (a bad value is logged)."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
        if value < 0:
            raise ValueError(raw)
        return value
    except ValueError:
        logger.error("tb_histdiag: ignoring %s=%r (not a non-negative number)", name, raw)
        return default


class RequestError(Exception):
    """A client error answered as JSON ``{"error": message}`` with ``code``."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _json_route(handler: Callable) -> Callable:
    """Wrap a route: GET/HEAD only, JSON errors, and no traceback ever reaches the client."""

    @functools.wraps(handler)
    @wrappers.Request.application
    def route(self: HistDiagPlugin, request: wrappers.Request) -> wrappers.Response:
        if request.method not in ("GET", "HEAD"):
            return http_util.Respond(
                request,
                {"error": f"method {request.method} not allowed; use GET"},
                "application/json",
                code=405,
                headers=[("Allow", "GET, HEAD")],
            )
        try:
            return handler(self, request)
        except RequestError as e:
            return http_util.Respond(request, {"error": e.message}, "application/json", code=e.code)
        except Exception:
            logger.exception("tb_histdiag: unexpected error serving %s", request.path)
            return http_util.Respond(
                request,
                {"error": "internal error in tb_histdiag; see the TensorBoard log for details"},
                "application/json",
                code=500,
            )

    return route


def _request_context(request: wrappers.Request) -> tuple[object, str]:
    """TensorBoard's request context and experiment id ("" locally) of a request."""
    return plugin_util.context(request.environ), plugin_util.experiment_id(request.environ)


def _param(request: wrappers.Request, name: str, required: bool) -> str | None:
    values = request.args.getlist(name)
    if not values:
        if required:
            raise RequestError(400, f"missing query parameter '{name}'")
        return None
    if len(values) > 1:
        raise RequestError(400, f"query parameter '{name}' given {len(values)} times; give it once")
    value = values[0]
    if not value:
        raise RequestError(400, f"query parameter '{name}' is empty")
    if len(value) > MAX_PARAM_LENGTH:
        raise RequestError(
            400, f"query parameter '{name}' is longer than {MAX_PARAM_LENGTH} characters"
        )
    return value


def _static_files(directory: str) -> dict[str, str]:
    """The allow-list: relative URL path → file path of every regular file built into ``static/``."""
    files = {}
    if not os.path.isdir(directory):
        return files
    for root, dirs, names in os.walk(directory, followlinks=False):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
        for name in names:
            path = os.path.join(root, name)
            ext = os.path.splitext(name)[1]
            if ext in _MIME_TYPES and os.path.isfile(path) and not os.path.islink(path):
                rel = os.path.relpath(path, directory).replace(os.sep, "/")
                files[rel] = path
    return files


class HistDiagPlugin(base_plugin.TBPlugin):
    """The Diagnostics tab: health verdicts for histogram series."""

    plugin_name = PLUGIN_NAME

    def __init__(self, context: base_plugin.TBContext):
        self._provider = context.data_provider
        user_config = Config()
        try:
            user_config = config_from_environment() or user_config
        except ConfigError as e:
            # A bad config must not take TensorBoard down: say so and use the defaults.
            logger.error("tb_histdiag: ignoring %s: %s", ENV_VAR, e)
        self._diagnoser = Diagnoser(
            HistogramReader(
                context.data_provider,
                context.sampling_hints,
                listing_ttl=_env_number(LISTING_TTL_ENV, DEFAULT_LISTING_TTL, float),
            ),
            thresholds=user_config.thresholds,
            role_overrides=user_config.roles,
            cache_size=_env_number(CACHE_SIZE_ENV, DEFAULT_CACHE_SIZE, int),
            expectations=user_config.expect,
        )
        self._static = _static_files(STATIC_DIR)
        flags_logdir = getattr(context.flags, "logdir", "") if context.flags else ""
        self._logdir = context.logdir or flags_logdir or ""
        self._checker = LogdirChecker(max_verify_bytes=PLUGIN_VERIFY_BYTES)

    def get_plugin_apps(self) -> dict[str, Callable]:
        return {
            "/runs": self._serve_runs,
            "/diagnostics": self._serve_diagnostics,
            "/series": self._serve_series,
            "/layer_map": self._serve_layer_map,
            "/compare": self._serve_compare,
            "/static/*": self._serve_static,
        }

    def is_active(self) -> bool:
        # TensorBoard enables the tab from data_plugin_names(); this is only its fallback.
        return False

    def data_plugin_names(self) -> tuple[str, ...]:
        return (HISTOGRAMS_PLUGIN,)

    def frontend_metadata(self) -> base_plugin.FrontendMetadata:
        return base_plugin.FrontendMetadata(
            es_module_path="/static/index.js", tab_name="Diagnostics"
        )

    # Implementations: plain arguments in, plain data out.

    def _index(self, ctx: object, experiment: str) -> dict:
        if self._provider is None:
            return {}
        return self._diagnoser.reader.index(ctx, experiment)

    def _run_infos(self, ctx: object, experiment: str, run: str) -> dict:
        index = self._index(ctx, experiment)
        if run not in index:
            raise RequestError(
                404, f"run '{run}' has no histograms (runs: {names_list(index, 10, in_all=True)})"
            )
        return index[run]

    def _series_infos(self, ctx: object, experiment: str, run: str, tag: str) -> dict:
        """The run's series for a request about one of them. The names may come from a listing
        up to :data:`NAMES_MAX_STALE` seconds old (refreshed in the background); if it is older
        than the TTL, ``tag``'s own last step (the cache key) is listed for it alone, so no
        single-series request waits for a full listing (~45 ms through the Rust data server,
        ~0.3 ms for one series). A run or tag missing there is looked up afresh before a 404."""
        if self._provider is None:
            return self._run_infos(ctx, experiment, run)  # a 404: there is no data at all
        reader = self._diagnoser.reader
        index, fresh = reader.index_for_names(ctx, experiment, NAMES_MAX_STALE)
        infos = index.get(run)
        if infos is None or tag not in infos:
            infos, fresh = self._run_infos(ctx, experiment, run), True
            if tag not in infos:
                raise RequestError(
                    404,
                    f"run '{run}' has no histogram tag '{tag}' (tags: {names_list(infos, 10, in_all=True)})",
                )
        if fresh:
            return infos
        info = reader.series_info(ctx, experiment, run, tag)
        if info is None:
            raise RequestError(404, f"histogram tag '{tag}' of run '{run}' has no data")
        if info != infos[tag]:
            infos = {**infos, tag: info}  # the shared index must not be changed
        return infos

    def runs_impl(self, ctx: object, experiment: str) -> dict:
        """Runs with their histogram tags, each with role, layer, depth and step facts."""
        return documents.runs_document(self._index(ctx, experiment), self._diagnoser.roles)

    def diagnostics_impl(
        self,
        ctx: object,
        experiment: str,
        run: str | None = None,
        tag: str | None = None,
        timing: Timing | None = None,
    ) -> dict:
        """The diagnostics document for all runs, one run, and/or one tag."""
        timing = timing or Timing()
        if run is not None:
            with timing.measure("list"):
                if tag is None:
                    infos = self._run_infos(ctx, experiment, run)
                else:
                    infos = self._series_infos(ctx, experiment, run, tag)
            diagnosis = self._diagnoser.diagnose_run(
                ctx,
                experiment,
                run,
                infos,
                None if tag is None else tag.__eq__,
                timing=timing,
                read_all=tag is None,
            )
            if not diagnosis.tags:
                raise RequestError(404, f"run '{run}' has no readable histogram data")
            return documents.diagnostics_document(Diagnosis(runs=(diagnosis,)))
        everything = self._diagnoser.diagnose(
            ctx,
            experiment,
            tags=None if tag is None else tag.__eq__,
            timing=timing,
            read_all=tag is None,
        )
        if tag is not None and not everything.runs:
            raise RequestError(404, f"no run has a histogram tag '{tag}'")
        problems = None
        if tag is None and not experiment:
            with timing.measure("check"):
                problems = [p.to_dict() for p in self._checker.check(self._logdir)]
        return documents.diagnostics_document(everything, problems)

    def series_impl(
        self, ctx: object, experiment: str, run: str, tag: str, timing: Timing | None = None
    ) -> dict:
        """Chart data of one series: steps, distribution bands and re-binned histograms."""
        timing = timing or Timing()
        infos = self._series_infos(ctx, experiment, run, tag)
        with timing.measure("read"):
            series = self._diagnoser.reader.read(ctx, experiment, run, [tag]).get(tag)
        if series is None:
            raise RequestError(404, f"histogram tag '{tag}' of run '{run}' has no data")
        return documents.series_document(series, self._diagnoser.roles(infos)[tag], timing)

    def layer_map_impl(self, ctx: object, experiment: str, run: str | None = None) -> dict:
        """Per layer (depth order), how far its weights moved from their first logged step;
        for one run, or (``run=None``) for every run in one answer."""
        if run is not None:
            infos = self._run_infos(ctx, experiment, run)
            diagnosis = self._diagnoser.diagnose_run(ctx, experiment, run, infos)
            return documents.layer_map_document(diagnosis)
        everything = self._diagnoser.diagnose(ctx, experiment)
        return documents.layer_maps_document(everything.runs)

    def compare_impl(self, ctx: object, experiment: str, run_a: str, run_b: str) -> dict:
        """Tag-by-tag comparison of two runs (B is the reference)."""
        diagnoses = []
        for run in (run_a, run_b):
            infos = self._run_infos(ctx, experiment, run)
            diagnoses.append(self._diagnoser.diagnose_run(ctx, experiment, run, infos))
        return documents.compare_document(run_a, run_b, compare.compare_runs(*diagnoses))

    # Routes.

    @_json_route
    def _serve_runs(self, request: wrappers.Request) -> wrappers.Response:
        ctx, experiment = _request_context(request)
        return http_util.Respond(request, self.runs_impl(ctx, experiment), "application/json")

    @_json_route
    def _serve_diagnostics(self, request: wrappers.Request) -> wrappers.Response:
        timing = Timing()
        run, tag = _param(request, "run", False), _param(request, "tag", False)
        ctx, experiment = _request_context(request)
        body = self.diagnostics_impl(ctx, experiment, run, tag, timing)
        with timing.measure("json"):
            response = http_util.Respond(request, body, "application/json")
        response.headers["Server-Timing"] = timing.header()
        return response

    @_json_route
    def _serve_series(self, request: wrappers.Request) -> wrappers.Response:
        timing = Timing()
        run, tag = _param(request, "run", True), _param(request, "tag", True)
        ctx, experiment = _request_context(request)
        document = self.series_impl(ctx, experiment, run, tag, timing)
        with timing.measure("json"):
            # The document is plain data without NaN already: encoding it here skips
            # TensorBoard's NaN-cleansing pass over every number of the chart data.
            body = json.dumps(document, allow_nan=False, separators=(",", ":"))
            response = http_util.Respond(request, body, "application/json")
        response.headers["Server-Timing"] = timing.header()
        return response

    @_json_route
    def _serve_layer_map(self, request: wrappers.Request) -> wrappers.Response:
        run = _param(request, "run", False)
        ctx, experiment = _request_context(request)
        return http_util.Respond(
            request, self.layer_map_impl(ctx, experiment, run), "application/json"
        )

    @_json_route
    def _serve_compare(self, request: wrappers.Request) -> wrappers.Response:
        run_a, run_b = _param(request, "a", True), _param(request, "b", True)
        ctx, experiment = _request_context(request)
        body = self.compare_impl(ctx, experiment, run_a, run_b)
        return http_util.Respond(request, body, "application/json")

    @_json_route
    def _serve_static(self, request: wrappers.Request) -> wrappers.Response:
        prefix = f"/data/plugin/{PLUGIN_NAME}/static/"
        rel = request.path[len(prefix) :] if request.path.startswith(prefix) else ""
        path = self._static.get(rel)
        if path is None:
            raise RequestError(404, "no such static file")
        with open(path, "rb") as f:
            body = f.read()
        return http_util.Respond(request, body, _MIME_TYPES[os.path.splitext(path)[1]])
