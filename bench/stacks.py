"""The three servers the HTTP benches compare, each under gunicorn with 2 sync workers.

- ours: ``wsgi:app`` on a freshly migrated database, rate limits off (RATELIMIT_ENABLED=0), the
  ``default`` site allowing the blog origin the requests come from;
- bare: ``bench/bare_app.py`` on its own migrated database of the same engine;
- Isso 0.14 (SQLite only), installed in ``.bench/isso-venv``, its rate limiter (``[guard]``) off.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import WORK, Server, driver_url, free_port, get_json, log

ROOT = Path(__file__).resolve().parents[1]
#: The page that embeds the widget; the site allows it, so requests carry it as Origin.
ORIGIN = "https://blog.example.org"
ISSO_VERSION = "0.14.0"
ISSO_VENV = WORK / "isso-venv"
ISSO_SETUP = f"isso {ISSO_VERSION}, SQLite, [guard] enabled = false: its rate limiter is off"
SECRET = "bench-secret-key-of-the-benchmarks-only"


def app_for(url: str, folder: Path) -> Any:
    """Our app, configured as the bench serves it, for work in-process."""
    from comments import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": driver_url(url),
            "SECRET_KEY": SECRET,
            "MODEL_STORE": str(folder / "models"),
            "MODEL_SIGNING_KEY": SECRET,
            "RATELIMIT_ENABLED": False,
            # No delivery thread: it would outlive the work and poll the measured database
            # with BEGIN IMMEDIATE every 2 s, racing the server under test.
            "WEBHOOKS_DELIVER_IN_PROCESS": False,
        }
    )


def migrate(url: str, folder: Path, *cli: list[str], stdin: str = "") -> list[str]:
    """Upgrade the schema, then run CLI commands (e.g. ``sites update``) with ``stdin`` as
    their input; returns their output."""
    import flask_migrate

    from comments.extensions import db

    app = app_for(url, folder)
    outputs = []
    with app.app_context():
        flask_migrate.upgrade()
        runner = app.test_cli_runner()
        for args in cli:
            result = runner.invoke(args=args, input=stdin, catch_exceptions=False)
            if result.exit_code != 0:
                raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.output}")
            outputs.append(result.output)
        db.engine.dispose()
    return outputs


def prepare_ours(url: str, folder: Path) -> None:
    migrate(url, folder, ["sites", "update", "default", "--origin", ORIGIN])


def ours(url: str, folder: Path, port: int | None = None) -> Server:
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "MODEL_SIGNING_KEY": SECRET,
        "MODEL_STORE": str(folder / "models"),
        "RATELIMIT_ENABLED": "0",
    }
    command = [sys.executable, "-m", "gunicorn", "wsgi:app"]
    return Server("ours", command, env, health="/healthz", log_dir=folder, port=port)


def bare(url: str, folder: Path) -> Server:
    command = [sys.executable, "-m", "gunicorn", "bench.bare_app:app"]
    return Server("bare", command, {"DATABASE_URL": url}, health="/health", log_dir=folder)


def form_tokens(server: Server, threads: list[str]) -> dict[str, str]:
    """A token per thread, as the widget fetches them; waits out the site's minimum seconds."""
    from urllib.parse import quote

    tokens, wait = {}, 0
    for key in threads:
        answer = get_json(f"{server.url}/api/v1/form-token?thread={quote(key)}")
        tokens[key], wait = answer["token"], max(wait, answer["min_seconds"])
    time.sleep(wait + 0.5)
    return tokens


# -- Isso -------------------------------------------------------------------------------------


def isso_gunicorn() -> Path:
    """Isso's own venv (created on first use), so its pins never touch the project's."""
    gunicorn = ISSO_VENV / "bin" / "gunicorn"
    if not gunicorn.exists():
        log(f"installing isso=={ISSO_VERSION} into {ISSO_VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
        pip = [str(ISSO_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, f"isso=={ISSO_VERSION}", "gunicorn"], check=True)
    return gunicorn


ISSO_CONFIG = """\
# Isso's defaults, except: its own SQLite file, this host, and [guard] (its rate limiter) off.
[general]
dbpath = {dbpath}
host = {host}
[moderation]
enabled = false
[guard]
enabled = false
"""


def isso(folder: Path) -> Server:
    """Isso with its rate limiter off (``[guard] enabled = false``), on a fresh SQLite file."""
    gunicorn = isso_gunicorn()
    config = folder / "isso.cfg"
    # Its host is the server itself on loopback: Isso probes its host at start-up.
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    config.write_text(ISSO_CONFIG.format(dbpath=folder / "isso.db", host=host))
    return Server(
        "isso",
        # --preload: the master creates Isso's database once; two workers creating it at the
        # same time race on its preferences table and one fails to boot.
        [str(gunicorn), "--preload", "isso.run:application"],
        {"ISSO_SETTINGS": str(config)},
        health="/config",
        log_dir=folder,
        port=port,
    )
