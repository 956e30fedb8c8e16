"""/embed.js, /embed.css and /embed-edit.js: the widget's source parts served as the one classic
script sites embed, the one stylesheet it injects and the one editing script it loads.

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

from comments.ui.assets import (
    EDIT_DIR,
    EDIT_PARTS,
    STYLE_PARTS,
    WIDGET_DIR,
    WIDGET_PARTS,
    join_parts,
)
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


def test_embed_edit_js_is_one_script_with_every_part_in_order(client: FlaskClient) -> None:
    """Served where embed.js has always loaded it from, so cached embeds keep finding it."""
    assert sorted(EDIT_PARTS) == sorted(path.name for path in EDIT_DIR.glob("*.js"))
    response = client.get("/embed-edit.js")
    assert response.status_code == 200
    script = response.get_data(as_text=True)

    assert script.startswith("/*!\n * Comments widget, part two:")
    assert script.rstrip().endswith("})();")
    position = 0
    for name in EDIT_PARTS:
        part = (EDIT_DIR / name).read_text(encoding="utf-8").strip()
        found = script.find(part, position)
        assert found >= position, f"{name} is missing or out of order"
        position = found + len(part)

    # The contract with embed.js: one factory registered, returning the hooks it calls.
    assert 'if (!widget || typeof widget.register !== "function") return;' in script
    assert "return { decorate, remember, showNudge, payloadFields, takenDown };" in script
    assert script.count("widget.register(create);") == 1
    assert script.count('"use strict"') == 1
    assert not re.search(r"^\s*(import|export)\b", script, re.MULTILINE)


@pytest.mark.parametrize("url", ["/embed.js", "/embed-edit.js"])
def test_widget_script_headers(client: FlaskClient, url: str) -> None:
    response = client.get(url, headers={"Origin": "https://blog.example.org"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JS
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert f"max-age={ASSET_MAX_AGE}" in response.headers["Cache-Control"]
    etag, weak = response.get_etag()
    assert not weak
    assert etag == hashlib.sha256(response.get_data()).hexdigest()


@pytest.mark.parametrize("url", ["/embed.js", "/embed-edit.js"])
def test_widget_script_answers_304_to_its_own_etag(client: FlaskClient, url: str) -> None:
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Access-Control-Allow-Origin"] == "*"

    other = client.get(url, headers={"If-None-Match": '"an-older-widget"'})
    assert other.status_code == 200
    assert other.get_data() == first.get_data()


@pytest.mark.parametrize(
    ("directory", "parts"), [(WIDGET_DIR, WIDGET_PARTS), (EDIT_DIR, EDIT_PARTS)]
)
def test_a_changed_part_changes_the_etag(
    tmp_path: Path, directory: Path, parts: tuple[str, ...]
) -> None:
    """Browsers holding the old script revalidate with its ETag: a change to any one part must
    answer that with the new script, not a 304."""
    copy = tmp_path / directory.name
    shutil.copytree(directory, copy)
    before = join_parts(copy, parts)
    for name in parts:
        source = (copy / name).read_text(encoding="utf-8")
        (copy / name).write_text(source.replace(";", "; ", 1), encoding="utf-8")
        after = join_parts(copy, parts)
        assert after.etag != before.etag, f"a change to {name} kept the ETag"
        assert after.etag == hashlib.sha256(after.body).hexdigest()
        (copy / name).write_text(source, encoding="utf-8")
    assert join_parts(copy, parts).etag == before.etag


@pytest.mark.parametrize("url", ["/embed.js", "/embed-edit.js"])
def test_widget_script_is_not_cached_in_debug(app: Flask, url: str) -> None:
    app.debug = True
    response = app.test_client().get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to parse the script")
@pytest.mark.parametrize("url", ["/embed.js", "/embed-edit.js"])
def test_widget_script_parses_as_one_classic_script(
    client: FlaskClient, tmp_path: Path, url: str
) -> None:
    script = tmp_path / "script.js"
    script.write_bytes(client.get(url).get_data())
    node = shutil.which("node") or "node"
    result = subprocess.run(
        [node, "--check", str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
