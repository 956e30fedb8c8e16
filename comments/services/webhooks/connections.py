"""Direct webhook connections go only to addresses checked public as they connect.

Checking a URL's host and then letting httpx resolve it again left a gap (DNS rebinding): an
admin's name answering a public address to the check and 127.0.0.1 or 169.254.169.254 to the
connection reached the service's own network. Here the name is resolved once per connection,
every address is checked (``targets.check_host``), and the socket is opened to one of those
addresses themselves. TLS still names and verifies the host, which httpcore passes to
``start_tls`` apart from the address connected to.

Connections to a proxy (``HTTPS_PROXY``) are not checked: the operator chose it, and a filtering
proxy checks the receiver's address itself. A host listed in ``NO_PROXY`` is connected to
directly, so it is checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from comments.services.webhooks.targets import check_host


class PublicOnlyBackend(httpcore.SyncBackend):
    """httpcore's socket backend, refusing hosts that are or resolve to non-public addresses."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        target = check_host(host, timeout)
        if target.refused:
            raise httpcore.ConnectError(f"Refused when connecting: {target.refused}")
        if target.unresolved:
            raise httpcore.ConnectError(target.unresolved)
        failure = httpcore.ConnectError(f"{host} has no address to connect to")
        for address in target.addresses:  # as socket.create_connection tries them, in order
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:
                failure = error
        raise failure


class PublicOnlyTransport(httpx.HTTPTransport):
    """httpx's default transport, with its connection pool on ``PublicOnlyBackend``."""

    def __init__(self, *, trust_env: bool = True, limits: httpx.Limits | None = None) -> None:
        super().__init__(trust_env=trust_env)
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        # HTTPTransport takes no network backend, so its pool is rebuilt with one (httpx
        # keeps it in ``_pool``; test_webhook_rebinding fails if that ever changes).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=trust_env),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PublicOnlyBackend(),
        )


class PublicOnlyClient(httpx.Client):
    """An httpx client whose direct connections (no proxy, or a ``NO_PROXY`` host) go through
    ``PublicOnlyTransport``; proxies from the environment apply as in any client."""

    def _init_transport(
        self,
        verify: Any = True,
        cert: Any = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> httpx.BaseTransport:
        # Overridden rather than passing transport=..., which switches the environment's
        # proxies off. Deliveries use none of the other options (HTTP/1.1, verified TLS).
        return PublicOnlyTransport(trust_env=trust_env, limits=limits)
