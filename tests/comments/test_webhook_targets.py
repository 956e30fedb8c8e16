"""Saving a webhook URL that every delivery would refuse (a host on loopback, a private
network, link-local or a reserved range) is refused at once while WEBHOOKS_ALLOW_PRIVATE_TARGETS
is off, by the API and the CLI alike; a name DNS cannot resolve yet is saved with a warning."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from comments.services.webhooks import endpoints

API = "/api/v1/admin/webhooks"
NOT_PUBLIC = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",  # a name that resolves only to loopback
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://169.254.169.254/latest/meta-data",  # cloud metadata
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://240.0.0.1/hook",  # reserved
    "http://0.0.0.0/hook",
    # IPv6 addresses that carry a private IPv4 one to a translator (is_global says public)
    "http://[64:ff9b::a00:5]/hook",  # NAT64: 10.0.0.5
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",  # NAT64: 169.254.169.254
    "http://[2002:7f00:1::]/hook",  # 6to4: 127.0.0.1
    "http://[::7f00:1]/hook",  # IPv4-compatible: 127.0.0.1
]
#: RFC 6761: never resolves, wherever the tests run.
UNRESOLVABLE = "https://hooks.invalid/comments"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WEBHOOKS_ALLOW_PRIVATE_TARGETS": False}


@pytest.mark.parametrize("url", NOT_PUBLIC)
def test_the_api_refuses_a_url_on_a_non_public_address_naming_the_url_field(
    client: FlaskClient, admin: dict[str, str], url: str
) -> None:
    response = client.post(API, json={"url": url}, headers=admin)
    assert response.status_code == 422, response.get_json()
    [message] = response.get_json()["errors"]["url"]
    assert "not a public address" in message and "WEBHOOKS_ALLOW_PRIVATE_TARGETS" in message
    assert client.get(API, headers=admin).get_json() == {"endpoints": []}


def test_a_changed_url_is_vetted_as_a_new_one_and_a_refused_change_keeps_the_old(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    created = client.post(API, json={"url": "https://1.1.1.1/hook"}, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert "warnings" not in created.get_json(), "a public address is saved without a word"
    endpoint = f"{API}/{created.get_json()['id']}"
    refused = client.patch(endpoint, json={"url": "http://127.0.0.1/hook"}, headers=admin)
    assert refused.status_code == 422 and "url" in refused.get_json()["errors"]
    [listed] = client.get(API, headers=admin).get_json()["endpoints"]
    assert listed["url"] == "https://1.1.1.1/hook"


def test_a_name_that_does_not_resolve_is_saved_with_a_warning(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    """The admin's machine may not reach the DNS the service uses; each delivery checks again."""
    created = client.post(API, json={"url": UNRESOLVABLE}, headers=admin)
    assert created.status_code == 201, created.get_json()
    [warning] = created.get_json()["warnings"]
    assert "hooks.invalid could not be resolved" in warning
    [listed] = client.get(API, headers=admin).get_json()["endpoints"]
    assert "warnings" not in listed


def test_the_cli_refuses_a_non_public_address_in_one_line_with_exit_status_1(
    runner: FlaskCliRunner,
) -> None:
    refused = runner.invoke(args=["webhooks", "add", "default", "http://127.0.0.1:9/hook"])
    assert refused.exit_code == 1, refused.output
    [line] = refused.output.strip().splitlines()
    assert "url:" in line and "127.0.0.1" in line and "WEBHOOKS_ALLOW_PRIVATE_TARGETS" in line
    assert runner.invoke(args=["webhooks", "list"]).stdout == ""


def test_the_cli_saves_an_unresolvable_name_with_a_warning_on_stderr(
    runner: FlaskCliRunner,
) -> None:
    added = runner.invoke(args=["webhooks", "add", "default", UNRESOLVABLE])
    assert added.exit_code == 0, added.output
    assert "Warning: hooks.invalid could not be resolved" in added.stderr
    assert added.stdout.strip().splitlines()[-1].startswith("whsec_")


def test_saving_waits_for_a_silent_resolver_only_so_long(
    client: FlaskClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resolver that never answers (here: one that hangs) cannot hang the admin's request."""
    released = threading.Event()

    def silent(*args: Any, **kwargs: Any) -> Any:
        released.wait(10)
        raise socket.gaierror("gave up")

    monkeypatch.setattr(socket, "getaddrinfo", silent)
    monkeypatch.setattr(endpoints, "SAVE_RESOLVE_TIMEOUT", 0.2)
    try:
        started = time.monotonic()
        created = client.post(API, json={"url": "https://hooks.example.org/x"}, headers=admin)
        assert time.monotonic() - started < 2
        assert created.status_code == 201, created.get_json()
        assert "no answer from DNS within 0.2 s" in created.get_json()["warnings"][0]
    finally:
        released.set()
