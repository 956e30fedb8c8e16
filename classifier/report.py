"""Writing an evaluation report: ``report.json`` for tools, ``report.html`` for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .report_html import render_html

JSON_FILE = "report.json"
HTML_FILE = "report.html"


def write_report(report: dict[str, Any], output_dir: str | Path) -> tuple[Path, Path]:
    """Write both files into ``output_dir`` (created if needed); return their paths.

    The JSON is strict (no NaN), so any JSON reader can load it.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = output_dir / JSON_FILE, output_dir / HTML_FILE
    json_path.write_text(json.dumps(report, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path
