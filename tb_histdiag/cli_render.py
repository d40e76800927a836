"""Rendering what ``tb-histdiag`` diagnosed in the format its arguments ask for (text, Markdown,
JSON, HTML), for a diagnosis or a ``--compare`` of two runs."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence

from tb_histdiag.cli_args import use_color


def context(args: argparse.Namespace, roles: Sequence[str] | None) -> list[str]:
    """What the report was restricted to, in words (escaped by each renderer)."""
    out = []
    if len(args.logdirs) == 1:
        out.append(f"logdir: {args.logdirs[0]}")
    else:
        out.append(f"logdirs: {', '.join(args.logdirs)}")
    if args.run:
        out.append(f"run filter: {args.run}")
    if args.tag:
        out.append(f"tag filter: {args.tag}")
    if roles:
        out.append(f"roles: {', '.join(roles)}")
    if args.samples:
        out.append(f"{args.samples} steps sampled per tag")
    return out


def render(args: argparse.Namespace, diagnosis: object, roles: list[str] | None) -> str:
    from tb_histdiag.reports import html as html_report
    from tb_histdiag.reports import markdown as markdown_report
    from tb_histdiag.reports import text as report

    color = use_color(args.color, args.output in (None, "-"))
    if args.format == "json":
        return json.dumps(diagnosis.to_dict(), indent=1, allow_nan=False) + "\n"
    if args.format == "markdown":
        return markdown_report.to_markdown(
            diagnosis, context=context(args, roles), min_severity=args.min_severity
        )
    if args.format == "html":
        return html_report.to_html(
            diagnosis,
            charts=diagnosis.charts,
            context=context(args, roles),
            min_severity=args.min_severity,
        )
    width = 100
    if args.output in (None, "-") and sys.stdout.isatty():
        width = shutil.get_terminal_size((100, 24)).columns - 1
    return report.to_text(
        diagnosis,
        color=color,
        details=args.details,
        min_severity=args.min_severity,
        width=width,
    )


def render_compare(args: argparse.Namespace, diagnosis: object) -> tuple[str, list[object]]:
    from tb_histdiag import documents
    from tb_histdiag.reports import compare
    from tb_histdiag.reports import html as html_report
    from tb_histdiag.reports import markdown as markdown_report
    from tb_histdiag.reports import text as report

    name_a, name_b = args.compare
    run_a, run_b = diagnosis[name_a], diagnosis[name_b]
    rows = compare.compare_runs(run_a, run_b, args.min_severity)
    if args.format == "json":
        document = documents.compare_document(name_a, name_b, rows)
        text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    elif args.format == "markdown":
        text = markdown_report.compare_to_markdown(name_a, name_b, rows)
    elif args.format == "html":
        text = html_report.compare_to_html(name_a, name_b, rows)
    else:
        color = use_color(args.color, args.output in (None, "-"))
        text = report.compare_to_text(name_a, name_b, rows, color=color)
    return text, rows
