"""A database outage for an app in this process, made for real on the engine under test.

On SQLite the database lives alone in a folder that goes away like an unmounted volume (a
file takes its place, so opening the database fails); on PostgreSQL the app reaches the server
through a TCP proxy that cuts the network. Nothing of ours is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from comments.extensions import db
from tests.servers import TcpProxy


def on_a_volume(db_url: str, volume: Path) -> str:
    """An SQLite database moved alone into ``volume``, which a test can then take away."""
    volume.mkdir()
    return f"sqlite:///{Path(make_url(db_url).database or '').rename(volume / 'comments.db')}"


class DatabaseOutage:
    """``begin`` makes the database unreachable for the app, ``end`` brings it back."""

    def __init__(self, tmp_path: Path) -> None:
        self.volume = tmp_path / "volume"
        self.proxy: TcpProxy | None = None

    @contextmanager
    def around(self, db_url: str) -> Iterator[str]:
        """The URL the app should use to be at the mercy of this outage."""
        url = make_url(db_url)
        if url.get_backend_name() == "sqlite":
            yield on_a_volume(db_url, self.volume)
            return
        with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as self.proxy:
            yield url.set(port=self.proxy.port).render_as_string(hide_password=False)

    def begin(self, app: Flask) -> None:
        if self.proxy is not None:
            self.proxy.cut()
            return
        self.volume.rename(self.volume.with_name("unmounted"))
        self.volume.write_text("not a directory: opening the database fails")
        # An open SQLite file stays readable after its folder goes; a worker restarted during
        # the outage opens it anew, which is what fails.
        with app.app_context():
            db.engine.dispose()

    def end(self) -> None:
        if self.proxy is not None:
            self.proxy.restore()
            return
        self.volume.unlink()
        self.volume.with_name("unmounted").rename(self.volume)
