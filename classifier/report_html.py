"""Render an evaluation report (the dict from :func:`classifier.evaluate`) as one HTML file.

Self-contained so it can be mailed or attached to an issue: inline CSS, plots as ``data:``
images, no script and no external URL.  Every string that comes from the data (source names,
file names, scorer names and notes) goes through :func:`html.escape`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from . import report_plots

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 78rem;
       padding: 0 1rem; color: #1d2125; }
h1 { font-size: 1.5rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccd; }
h3 { margin-top: 1.8rem; } h4 { margin: 1.2rem 0 .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d5d8dc; padding: .25rem .5rem; text-align: right;
         vertical-align: top; }
th { background: #f3f4f6; } td.name, th.name { text-align: left; }
small, .muted { color: #5b6770; } .na { color: #9aa1a8; text-align: center; }
.warnings { background: #fff6e0; border: 1px solid #e5c26b; padding: .5rem 1rem .5rem 2rem; }
table.cm { margin: 0; font-size: 12px; } table.cm td, table.cm th { padding: 0 .35rem; }
.plots { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
figure { margin: 0; } figcaption { font-size: 12px; color: #5b6770; max-width: 40rem; }
img { max-width: 100%; height: auto; }
"""


def _number(value: float | None, digits: int = 3) -> str:
    return "&ndash;" if value is None else f"{value:.{digits}f}"


def _interval(ci: Sequence[float] | None) -> str:
    return "" if ci is None else f"<br><small>[{_number(ci[0])}, {_number(ci[1])}]</small>"


def _signed(delta: Mapping[str, Any] | None) -> str:
    if delta is None:
        return ""
    ci = delta["ci"]
    interval = "" if ci is None else f" [{ci[0]:+.3f}, {ci[1]:+.3f}]"
    return f"<br><small>Δ {delta['value']:+.3f}{interval}</small>"


def _names(report: Mapping[str, Any], head: str) -> list[str]:
    """The scorers that score ``head``, in report order."""
    return [s["name"] for s in report["scorers"] if head in s["heads"]]


def _header(report: Mapping[str, Any]) -> list[str]:
    data, settings = report["data"], report["settings"]
    sources = ", ".join(f"{escape(name)} ({rows})" for name, rows in data["sources"].items())
    if settings["bootstrap"]:
        method = (
            f"{settings['bootstrap']} bootstrap resamples within each source (seed "
            f"{settings['seed']}), {settings['level']:.0%} percentile intervals in brackets"
        )
    else:
        method = "no bootstrap intervals (--bootstrap 0)"
    parts = [
        f"<h1>Evaluation of model {escape(report['model_version'])} on {escape(data['file'])}</h1>",
        f"<p>{data['rows']} rows; sources: {sources}.<br><small>sha256 "
        f"{escape(data['sha256'])}; generated {escape(report['generated_at'])}; {method}."
        "</small></p>",
    ]
    if report["warnings"]:
        items = "".join(f"<li>{escape(w)}</li>" for w in report["warnings"])
        parts.append(f'<ul class="warnings">{items}</ul>')
    return parts


def _scorers(report: Mapping[str, Any]) -> list[str]:
    rows = []
    for s in report["scorers"]:
        thresholds = "; ".join(
            f"{escape(head)}.{escape(name)} = {value:g}"
            for head, named in s["thresholds"].items()
            for name, value in named.items()
        )
        heads = escape(", ".join(s["heads"])) or ("not run" if s["not_run"] else "none")
        rows.append(
            f'<tr><td class="name">{escape(s["name"])}</td><td class="name">'
            f'{escape(s["version"])}</td><td class="name">{heads}</td><td class="name">'
            f'{thresholds or "&ndash;"}</td><td class="name">{escape(s["note"])}</td></tr>'
        )
    return [
        "<h2>Scorers</h2>",
        "<table><tr><th class=name>name</th><th class=name>version</th><th class=name>heads"
        "</th><th class=name>operating thresholds</th><th class=name>note</th></tr>",
        *rows,
        "</table>",
        "<p class=muted>Δ is the difference to the evaluated model on the same resamples "
        "(paired), with its interval; an interval that excludes 0 is a real difference on this "
        "data.</p>",
    ]


def _ranking_table(report: Mapping[str, Any], head: str) -> list[str]:
    scorers = [s["name"] for s in report["scorers"]]
    top = "".join(f"<th colspan=2>{escape(name)}</th>" for name in scorers)
    sub = "<th>ROC-AUC</th><th>PR-AUC</th>" * len(scorers)
    rows = []
    for source, entry in report["heads"][head]["sources"].items():
        cells = [
            f'<td class="name">{escape(source)}</td><td>{entry["n"]}</td>'
            f"<td>{entry['positives']}</td>"
        ]
        for name in scorers:
            figures = entry["scorers"][name]
            if figures is None:
                cells.append('<td class="na" colspan=2>n/a</td>')
                continue
            for metric in ("roc_auc", "pr_auc"):
                cells.append(
                    f"<td>{_number(figures[metric])}{_interval(figures.get(metric + '_ci'))}"
                    f"{_signed(figures.get(metric + '_minus_evaluated'))}</td>"
                )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return [
        "<h3>Ranking: ROC-AUC and PR-AUC</h3>",
        f"<table><tr><th class=name rowspan=2>source</th><th rowspan=2>n</th>"
        f"<th rowspan=2>positives</th>{top}</tr><tr>{sub}</tr>",
        *rows,
        "</table>",
    ]


def _confusion(cm: Mapping[str, int]) -> str:
    return (
        '<table class="cm"><tr><th></th><th>flagged</th><th>passed</th></tr>'
        f"<tr><th>positive</th><td>{cm['tp']}</td><td>{cm['fn']}</td></tr>"
        f"<tr><th>negative</th><td>{cm['fp']}</td><td>{cm['tn']}</td></tr></table>"
    )


def _threshold_table(report: Mapping[str, Any], head: str) -> list[str]:
    rows = []
    for source, entry in report["heads"][head]["sources"].items():
        for name, figures in entry["scorers"].items():
            if figures is None:
                continue
            for label, at in figures["thresholds"].items():
                rows.append(
                    f'<tr><td class="name">{escape(source)}</td><td class="name">'
                    f"{escape(name)}</td><td class=name>{escape(label)} = {at['threshold']:g}"
                    f"</td><td>{_number(at['precision'])}</td><td>{_number(at['recall'])}</td>"
                    f"<td>{_number(at['f1'])}</td><td>{_number(at['false_positive_rate'], 4)}"
                    f"</td><td>{_confusion(at['confusion'])}</td></tr>"
                )
    return [
        "<h3>At the operating thresholds</h3>",
        "<table><tr><th class=name>source</th><th class=name>scorer</th><th class=name>"
        "threshold</th><th>precision</th><th>recall</th><th>F1</th><th>false-positive rate"
        "</th><th>confusion matrix</th></tr>",
        *rows,
        "</table>",
    ]


def _plots(report: Mapping[str, Any], head: str) -> list[str]:
    parts = [
        "<h3>Calibration and score distributions</h3>",
        "<p class=muted>Calibration: among rows whose score fell in a bin, the share that is "
        "positive, against their mean score; a calibrated score lies on the diagonal (the "
        "source's prevalence moves it). Histograms: each class's score distribution; dashed "
        "lines are the scorer's operating thresholds.</p>",
    ]
    if not report_plots.available():
        return [*parts, "<p>Plots need matplotlib: <code>pip install -e '.[ml]'</code>.</p>"]
    names = _names(report, head)
    thresholds = {
        s["name"]: s["thresholds"].get(head, {}) for s in report["scorers"] if s["name"] in names
    }
    for source, entry in report["heads"][head]["sources"].items():
        title = escape(source)
        parts += [
            f"<h4>{title} <small>({entry['n']} rows, {entry['positives']} positive)</small></h4>",
            '<div class="plots">',
            f'<figure><img src="{report_plots.calibration_image(entry, names)}" '
            f'alt="calibration of {escape(head)} scores on {title}">'
            "<figcaption>calibration</figcaption></figure>",
            f'<figure><img src="{report_plots.histogram_image(entry, names, thresholds)}" '
            f'alt="{escape(head)} score histograms on {title}">'
            "<figcaption>score histograms by label</figcaption></figure>",
            "</div>",
        ]
    return parts


def render_html(report: Mapping[str, Any]) -> str:
    """The whole report as one HTML document."""
    title = f"Evaluation of {report['model_version']} on {report['data']['file']}"
    body = [*_header(report), *_scorers(report)]
    for head, result in report["heads"].items():
        body.append(f"<h2>{escape(head)}</h2>")
        if not result["sources"]:
            body.append("<p>No row of this file is labelled for this head.</p>")
            continue
        body += _ranking_table(report, head) + _threshold_table(report, head)
        body += _plots(report, head)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
