"""/embed.js and /embed.css: the widget's source parts served as the one classic script sites
embed and the one stylesheet it injects.

The browser tests show the widget working; these show what a broken join would look like to a
site: a part missing or out of order, a second request, lost headers, or no 304 on revalidation.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments.ui.assets import STYLE_PARTS, WIDGET_DIR, WIDGET_PARTS
from comments.ui.views import ASSET_MAX_AGE

JS = "application/javascript; charset=utf-8"


def test_embed_js_is_one_script_with_every_part_in_order(client: FlaskClient) -> None:
    response = client.get("/embed.js")
    assert response.status_code == 200
    script = response.get_data(as_text=True)

    assert script.startswith("/*!\n * Comments widget.")
    assert script.rstrip().endswith("})();")
    position = 0
    for name in WIDGET_PARTS:
        part = (WIDGET_DIR / name).read_text(encoding="utf-8").strip()
        found = script.find(part, position)
        assert found >= position, f"{name} is missing or out of order"
        position = found + len(part)

    # The contract with embedding pages and with embed-edit.js, and functions from the last parts.
    assert "if (window.commentsWidget) return;" in script
    assert "document.currentScript" in script
    assert (
        "window.commentsWidget = Object.freeze({ version: VERSION, base: BASE.href, register })"
        in script
    )
    assert "async function submit(ctx, event)" in script
    assert "function createWidget(root)" in script
    # One wrapping function; no module syntax, which a classic <script> cannot run.
    assert script.count('"use strict"') == 1
    assert not re.search(r"^\s*(import|export)\b", script, re.MULTILINE)


def test_every_widget_source_file_is_served() -> None:
    """A part left out of WIDGET_PARTS would silently never reach a page."""
    assert sorted(WIDGET_PARTS) == sorted(path.name for path in WIDGET_DIR.glob("*.js"))


def test_embed_css_is_one_stylesheet_with_every_part_in_order(client: FlaskClient) -> None:
    """The host page gets one stylesheet however many parts it is written in; a part left out
    of STYLE_PARTS would never reach a page, and the order is the cascade's."""
    assert sorted(STYLE_PARTS) == sorted(path.name for path in WIDGET_DIR.glob("*.css"))
    response = client.get("/embed.css")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    sheet = response.get_data(as_text=True)
    position = 0
    for name in STYLE_PARTS:
        part = (WIDGET_DIR / name).read_text(encoding="utf-8").strip()
        found = sheet.find(part, position)
        assert found >= position, f"{name} is missing or out of order"
        position = found + len(part)
    again = client.get("/embed.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_embed_js_headers(client: FlaskClient) -> None:
    response = client.get("/embed.js", headers={"Origin": "https://blog.example.org"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JS
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert f"max-age={ASSET_MAX_AGE}" in response.headers["Cache-Control"]
    etag, weak = response.get_etag()
    assert not weak
    assert etag == hashlib.sha256(response.get_data()).hexdigest()


def test_embed_js_answers_304_to_its_own_etag(client: FlaskClient) -> None:
    first = client.get("/embed.js")
    again = client.get("/embed.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Access-Control-Allow-Origin"] == "*"

    other = client.get("/embed.js", headers={"If-None-Match": '"an-older-widget"'})
    assert other.status_code == 200
    assert other.get_data() == first.get_data()


def test_embed_js_is_not_cached_in_debug(app: Flask) -> None:
    app.debug = True
    response = app.test_client().get("/embed.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to parse the script")
def test_embed_js_parses_as_one_classic_script(client: FlaskClient, tmp_path: Path) -> None:
    script = tmp_path / "embed.js"
    script.write_bytes(client.get("/embed.js").get_data())
    node = shutil.which("node") or "node"
    result = subprocess.run(
        [node, "--check", str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
