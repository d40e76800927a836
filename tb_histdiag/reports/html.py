"""The HTML report: one self-contained file with every run's verdicts and inline SVG charts.

No scripts at all and nothing fetched: the page carries a Content-Security-Policy that allows
only its own stylesheet (by hash), so it opens from a file, an e-mail attachment or a CI artifact
with no network. Every piece of text from the data (run, tag and layer names, verdict wording) is
cleaned of control characters, HTML-escaped and, for names, wrapped in ``<bdi>`` so a
right-to-left override cannot reorder the text around it. Styles live in classes (a CSP hash does
not cover ``style`` attributes) scoped under ``.tbhd``, so the notebook fragment cannot restyle
the notebook.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Mapping, Sequence

from tb_histdiag import __version__
from tb_histdiag.reports.bands import BandsChart
from tb_histdiag.reports.compare import TagComparison
from tb_histdiag.reports.phrases import (
    ICONS,
    STATUS_ORDER,
    clean_text,
    counts_text,
    flagged_tags,
    format_key,
    format_number,
    format_tag_steps,
    format_value,
    format_verdict_steps,
    logging_advice,
    loss_text,
    nothing_flagged,
    run_findings,
    summary_line,
)
from tb_histdiag.reports.svg import bands_svg
from tb_histdiag.reports.svg import escape_html as _text
from tb_histdiag.results import Diagnosis, RunDiagnosis, TagDiagnosis, Verdict

Charts = Mapping[tuple[str, str], BandsChart]

CSS = """
.tbhd{--fg:#1f2328;--muted:#59636e;--bg:#fff;--card:#f6f8fa;--line:#d1d9e0;--link:#0969da;
--critical:#cf222e;--warning:#9a6700;--info:#0969da;--ok:#1a7f37;--unknown:#59636e;
--band:#1f6feb;color:var(--fg);background:var(--bg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;
margin:0 auto;padding:16px 20px 40px}
@media (prefers-color-scheme:dark){.tbhd{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#151b23;
--line:#3d444d;--link:#4493f8;--critical:#f85149;--warning:#d29922;--info:#4493f8;--ok:#3fb950;
--unknown:#9198a1;--band:#4493f8}}
.tbhd h1{font-size:1.6em;margin:.2em 0}
.tbhd h2{font-size:1.3em;margin:1.6em 0 .4em;padding-top:.6em;border-top:1px solid var(--line)}
.tbhd h3{font-size:1em;margin:0}
.tbhd h4{font-size:1em;margin:.6em 0 .2em}
.tbhd p{margin:.3em 0}
.tbhd a{color:var(--link)}
.tbhd code{font:0.95em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
overflow-wrap:anywhere}
.tbhd .muted{color:var(--muted)}
.tbhd table{border-collapse:collapse;margin:.5em 0;font-size:.95em}
.tbhd th,.tbhd td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
.tbhd td.num,.tbhd th.num{text-align:right;font-variant-numeric:tabular-nums}
.tbhd .badge{display:inline-block;font-weight:600;white-space:nowrap}
.tbhd .badge.sev-critical{color:var(--critical)}.tbhd .badge.sev-warning{color:var(--warning)}
.tbhd .badge.sev-info{color:var(--info)}.tbhd .badge.sev-ok{color:var(--ok)}
.tbhd .badge.sev-unknown{color:var(--unknown)}
.tbhd .finding,.tbhd .card{background:var(--card);border:1px solid var(--line);
border-left:4px solid var(--unknown);border-radius:6px;padding:8px 12px;margin:10px 0}
.tbhd .finding.sev-critical,.tbhd .card.sev-critical{border-left-color:var(--critical)}
.tbhd .finding.sev-warning,.tbhd .card.sev-warning{border-left-color:var(--warning)}
.tbhd .finding.sev-info,.tbhd .card.sev-info{border-left-color:var(--info)}
.tbhd .card{content-visibility:auto;contain-intrinsic-size:auto 420px}
.tbhd .card header{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:baseline}
.tbhd .card-body{display:grid;grid-template-columns:minmax(260px,440px) 1fr;gap:4px 18px;
align-items:start}
@media (max-width:760px){.tbhd .card-body{grid-template-columns:1fr}}
.tbhd .verdict+.verdict{border-top:1px dashed var(--line);margin-top:8px;padding-top:4px}
.tbhd dl{display:grid;grid-template-columns:max-content auto;gap:0 12px;margin:.3em 0}
.tbhd dt{color:var(--muted)}.tbhd dd{margin:0;font-variant-numeric:tabular-nums}
.tbhd svg.chart{display:block;width:100%;max-width:640px;height:auto;margin:6px 0}
.tbhd svg .axis{stroke:var(--line);stroke-width:1;fill:none}
.tbhd svg .zero{stroke:var(--muted);stroke-width:.6;stroke-dasharray:3 3;fill:none}
.tbhd svg text{fill:var(--muted);font:10px system-ui,sans-serif}
.tbhd svg .lane text{fill:var(--fg);font-weight:600}
.tbhd svg .band{fill:var(--band);stroke:none}
.tbhd svg .b0{fill-opacity:.15}.tbhd svg .b1{fill-opacity:.15}
.tbhd svg .b2{fill-opacity:.2}.tbhd svg .b3{fill-opacity:.25}
.tbhd svg .median{stroke:var(--band);stroke-width:1.5;fill:none}
.tbhd svg .dot{fill:var(--band)}
.tbhd svg .span{fill-opacity:.08}.tbhd svg .bar{fill-opacity:.85}
.tbhd svg .sev-critical{fill:var(--critical)}.tbhd svg .sev-warning{fill:var(--warning)}
.tbhd svg .sev-info{fill:var(--info)}
.tbhd svg .nonfinite{fill:var(--critical)}
.tbhd details{margin:.6em 0}.tbhd summary{cursor:pointer;color:var(--muted)}
.tbhd footer{margin-top:2em;color:var(--muted);font-size:.9em}
@media print{.tbhd .card{break-inside:avoid}}
""".strip()


def _name(value: object) -> str:
    """An untrusted name: escaped and isolated from the surrounding text's direction."""
    return f"<bdi>{_text(value)}</bdi>"


def _badge(status: str) -> str:
    return (
        f'<span class="badge sev-{_text(status)}">{ICONS.get(status, "?")} {_text(status)}</span>'
    )


def _evidence(evidence: Mapping[str, object]) -> str:
    if not evidence:
        return ""
    rows = "".join(
        f"<dt>{_text(format_key(k))}</dt><dd>{_text(format_value(v))}</dd>"
        for k, v in evidence.items()
    )
    return f"<dl>{rows}</dl>"


def _verdict_body(v: Verdict) -> str:
    return (
        f"<p>{_text(v.summary)}</p>{_evidence(v.evidence)}"
        f"<p><strong>Fix:</strong> {_text(v.fix)}</p>"
    )


def _finding(layer: str | None, v: Verdict) -> str:
    where = f"layer {_name(layer)}: " if layer is not None else ""
    tags = (
        f'<p class="muted">Rests on: {", ".join(f"<code>{_name(t)}</code>" for t in v.tags)}</p>'
        if v.tags
        else ""
    )
    return (
        f'<div class="finding sev-{_text(v.severity)}"><h3>{_badge(v.severity)} {where}{_text(v.title)} '
        f'<span class="muted">({_text(format_verdict_steps(v.steps))})</span></h3>'
        f"{_verdict_body(v)}{tags}</div>"
    )


def _card(run: RunDiagnosis, tag: TagDiagnosis, chart: BandsChart | None) -> str:
    parts = [
        f'<article class="card sev-{_text(tag.status)}"><header>{_badge(tag.status)}'
        f"<h3><code>{_name(tag.tag)}</code></h3>"
        f'<span class="muted">{_text(tag.role)} · layer {_name(tag.layer)} · '
        f"{_text(format_tag_steps(tag))} steps</span></header>"
    ]
    parts.append('<div class="card-body">')
    if chart is not None and tag.first_step is not None and tag.last_step is not None:
        parts.append(bands_svg(chart, tag.verdicts, tag.tag, tag.first_step, tag.last_step))
    parts.append("<div>")
    if not tag.verdicts:
        parts.append(f"<p>Cannot be diagnosed: {_text(tag.reason or 'no usable data')}.</p>")
    for v in tag.verdicts:
        parts.append(
            f'<section class="verdict"><h4>{_badge(v.severity)} {_text(v.title)} '
            f'<span class="muted">({_text(format_verdict_steps(v.steps))})</span></h4>'
            f"{_verdict_body(v)}</section>"
        )
    parts.append("</div></div></article>")
    return "".join(parts)


def _healthy_table(tags: Sequence[TagDiagnosis]) -> str:
    rows = "".join(
        f"<tr><td><code>{_name(t.tag)}</code></td><td>{_name(t.layer)}</td>"
        f"<td>{_text(t.role)}</td><td>{_text(format_tag_steps(t))}</td>"
        f'<td class="num">{_text(format_number(t.movement))}</td></tr>'
        for t in tags
    )
    return (
        f"<details><summary>{len(tags)} healthy tag{'' if len(tags) == 1 else 's'}</summary>"
        '<table><thead><tr><th scope="col">Tag</th><th scope="col">Layer</th>'
        '<th scope="col">Role</th><th scope="col">Steps</th>'
        '<th scope="col" class="num">Movement</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        '<p class="muted">Movement: Wasserstein-1 distance between the first and last logged '
        "distribution, in standard deviations.</p></details>"
    )


def _run_section(index: int, run: RunDiagnosis, charts: Charts, min_severity: str | None) -> str:
    parts = [
        f'<section class="run" id="run-{index}"><h2>{_name(run.run)} {_badge(run.status)}</h2>',
        f'<p class="muted">{len(run.tags)} tag{"" if len(run.tags) == 1 else "s"}: '
        f"{_text(counts_text(run))}</p>",
    ]
    loss = loss_text(run)
    if loss:
        parts.append(f"<p>Training {_text(loss)}.</p>")
    parts += [_finding(layer, v) for layer, v in run_findings(run)]
    advice = logging_advice(run)
    if advice is not None:
        text, loggers = advice
        items = "".join(
            f"<li>{_text(label)}: <code>{_text(line)}</code></li>" for label, line in loggers
        )
        parts.append(
            f'<div class="finding sev-info logging"><p>{_text(text)}</p><ul>{items}</ul></div>'
        )
    flagged = flagged_tags(run)
    parts += [_card(run, t, charts.get((run.run, t.tag))) for t in flagged]
    if not flagged:
        nothing = nothing_flagged(run, min_severity).capitalize() + "."
        parts.append(f"<p>{_text(nothing)}</p>")
    healthy = [t for t in run.tags if t.status == "ok"]
    if healthy:
        parts.append(_healthy_table(healthy))
    parts.append("</section>")
    return "".join(parts)


def _summary_table(diagnosis: Diagnosis) -> str:
    head = "".join(f'<th scope="col" class="num">{_badge(s)}</th>' for s in STATUS_ORDER)
    rows = []
    for i, run in enumerate(diagnosis.runs):
        counts = run.counts()
        cells = "".join(f'<td class="num">{counts[s]}</td>' for s in STATUS_ORDER)
        rows.append(
            f'<tr><th scope="row"><a href="#run-{i}">{_name(run.run)}</a></th>'
            f"<td>{_badge(run.status)}</td>{cells}</tr>"
        )
    return (
        f'<table><thead><tr><th scope="col">Run</th><th scope="col">Status</th>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _header(title: str, lines: Sequence[str]) -> str:
    context = " · ".join(_text(line) for line in lines)
    return f'<header><h1>{_text(title)}</h1><p class="muted">{context}</p></header>'


def _footer() -> str:
    return (
        f"<footer>Generated by tb_histdiag {_text(__version__)}. Bands: TensorBoard's "
        "Distributions view (min, ±1.5σ, ±1σ, ±0.5σ, median of a normal, as quantiles); "
        "tinted spans and bars: the steps where each verdict shows; red ticks: NaN/Inf.</footer>"
    )


def _body(
    diagnosis: Diagnosis,
    charts: Charts | None,
    context: Sequence[str],
    min_severity: str | None,
    generated_at: str | None,
) -> str:
    charts = charts or {}
    lines = [summary_line(diagnosis), *context]
    if min_severity:
        lines.append(f"showing: {min_severity} and above")
    if generated_at:
        lines.append(f"generated {generated_at}")
    parts = [_header("Histogram diagnostics", lines)]
    if not diagnosis.runs:
        parts.append("<p>No runs with histograms.</p>")
    else:
        parts.append(_summary_table(diagnosis))
        parts += [
            _run_section(i, run, charts, min_severity) for i, run in enumerate(diagnosis.runs)
        ]
    parts.append(_footer())
    return "".join(parts)


def _document(title: str, body: str) -> str:
    digest = base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode("ascii")
    policy = f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="color-scheme" content="light dark">'
        f'<meta name="generator" content="tb_histdiag {_text(__version__)}">'
        f"<title>{_text(title)}</title><style>{CSS}</style></head>"
        f'<body><main class="tbhd">{body}</main></body></html>\n'
    )


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def to_html(
    diagnosis: Diagnosis,
    charts: Charts | None = None,
    context: Sequence[str] = (),
    min_severity: str | None = None,
    generated_at: str | None = None,
) -> str:
    """A self-contained HTML document of ``diagnosis``.

    ``charts`` maps ``(run, tag)`` to the bands drawn on that tag's card (none by default; the
    results of :func:`tb_histdiag.diagnose` carry theirs as ``.charts``).
    ``context`` lists, in words, what the report was restricted to.
    """
    body = _body(diagnosis, charts, context, min_severity, generated_at or _now())
    return _document("Histogram diagnostics", body)


def to_html_fragment(diagnosis: Diagnosis, charts: Charts | None = None) -> str:
    """The report as an HTML fragment with its scoped stylesheet, for a notebook cell."""
    return f'<div class="tbhd"><style>{CSS}</style>{_body(diagnosis, charts, (), None, None)}</div>'


def compare_to_html(a: str, b: str, rows: Sequence[TagComparison]) -> str:
    """The comparison of run ``a`` with reference run ``b`` as a self-contained HTML document."""
    differ = sum(1 for r in rows if r.verdicts_differ)

    def side(d: TagDiagnosis | None) -> str:
        if d is None:
            return '<td class="muted">not logged</td>'
        titles = "".join(f"<div>{_badge(v.severity)} {_text(v.title)}</div>" for v in d.verdicts)
        return f"<td>{titles or _badge(d.status)}</td>"

    body_rows = "".join(
        f'<tr><th scope="row"><code>{_name(r.tag)}</code>{" ≠" if r.verdicts_differ else ""}'
        f"</th><td>{_name((r.a or r.b).layer)}</td>{side(r.a)}{side(r.b)}"
        f'<td class="num">{_text(format_number(r.distance))}</td>'
        f'<td class="num">{_text(format_number(r.std_ratio))}</td></tr>'
        for r in rows
    )
    body = (
        _header(
            "Histogram diagnostics: comparison",
            [
                f"{clean_text(a)} vs {clean_text(b)} (reference)",
                f"{differ} of {len(rows)} tags have different verdicts",
                f"generated {_now()}",
            ],
        )
        + '<table><thead><tr><th scope="col">Tag</th><th scope="col">Layer</th>'
        f'<th scope="col">A: {_name(a)}</th><th scope="col">B: {_name(b)}</th>'
        '<th scope="col" class="num">Distance</th><th scope="col" class="num">Spread A/B</th>'
        f"</tr></thead><tbody>{body_rows}</tbody></table>"
        '<p class="muted">Distance: Wasserstein-1 distance between the two runs\' last logged '
        "distributions of the tag, in B's standard deviations. ≠: the verdicts differ.</p>"
        + _footer()
    )
    return _document("Histogram diagnostics: comparison", body)
