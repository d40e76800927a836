"""Hostile run and tag names through the routes and the reports: data, never markup."""

from __future__ import annotations

import json
import re
import urllib.parse

from tb_histdiag.reports import markdown as markdown_report
from tests.conftest import HOSTILE_RUNS, HOSTILE_TAGS
from tests.test_plugin_wsgi import PREFIX, get_json, make_client


def test_routes_return_hostile_names_verbatim_and_find_them_again(hostile_logdir):
    client = make_client(hostile_logdir)
    body = get_json(client, f"{PREFIX}/runs")
    runs = [r["run"] for r in body["runs"]]
    for name in HOSTILE_RUNS:
        assert name in runs
    # TensorBoard cannot load a directory whose name is not UTF-8: it is reported, not lost.
    assert not any("latin1-" in r for r in runs)
    problems = get_json(client, f"{PREFIX}/diagnostics")["problems"]
    assert [p["run"] for p in problems] == ["latin1-\\xe9t\\xe9"]
    assert "not valid UTF-8" in problems[0]["problem"]
    for run in runs:
        for tag in HOSTILE_TAGS:
            query = urllib.parse.urlencode({"run": run, "tag": tag})
            doc = get_json(client, f"{PREFIX}/diagnostics?{query}")
            assert doc["runs"][0]["run"] == run
            assert doc["runs"][0]["tags"][0]["tag"] == tag
            series = get_json(client, f"{PREFIX}/series?{query}")
            assert series["tag"] == tag


def test_json_escapes_keep_markup_inert(hostile_logdir):
    response = make_client(hostile_logdir).get(f"{PREFIX}/diagnostics")
    raw = response.get_data(as_text=True)
    json.loads(raw)
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_markdown_report_cannot_be_broken_by_a_name(hostile_logdir):
    from tensorboard import context

    from tb_histdiag.engine.diagnosis import Diagnoser
    from tb_histdiag.reading.reader import HistogramReader
    from tests.conftest import python_provider

    diagnosis = Diagnoser(HistogramReader(python_provider(hostile_logdir))).diagnose(
        context.RequestContext(), ""
    )
    markdown = markdown_report.to_markdown(diagnosis)
    # No raw markup: a "<" is either escaped (\<) or an entity (&lt;).
    assert re.search(r"(?<!\\)<(script|img|svg|b>)", markdown) is None
    # Every row of every table has as many cells as its header: names cannot add or split cells.
    table: list[int] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            table.append(len(re.findall(r"(?<!\\)\|", line)))
            continue
        assert len(set(table)) <= 1, table
        table = []
