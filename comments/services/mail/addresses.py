"""What counts as an e-mail address, for the sender (MAIL_FROM) and a test mail's recipient:
the check the API applies to authors' addresses, so nothing is queued that cannot be sent."""

from __future__ import annotations

import ipaddress
from email.errors import InvalidHeaderDefect
from email.headerregistry import AddressHeader, HeaderRegistry

from marshmallow import ValidationError, validate

#: RFC 5321's limit on a forward path.
MAX_ADDRESS_LENGTH = 254
_email = validate.Email()
_headers = HeaderRegistry()


def is_address(value: str) -> bool:
    """A bare address (``ann@example.org``) as the API accepts authors' (marshmallow's Email:
    a dotted domain, ``localhost`` or ``[192.0.2.1]``), or with an IPv6 literal
    (``ann@[IPv6:2001:db8::1]``, RFC 5321 4.1.3)."""
    if len(value) > MAX_ADDRESS_LENGTH or any(c.isspace() for c in value):
        return False
    local, _, domain = value.rpartition("@")
    if domain.startswith("[IPv6:") and domain.endswith("]"):
        try:
            ipaddress.IPv6Address(domain[6:-1])
        except ValueError:
            return False
        value = f"{local}@localhost"  # the domain is fine: check the local part alone
    try:
        _email(value)
    except ValidationError:
        return False
    return True


def sender_problem(value: str) -> str | None:
    """Why MAIL_FROM cannot be a From: line, if it cannot: one address, bare or with a name
    (``Comments <comments@example.org>``)."""
    if any(c in value for c in "\r\n"):
        return "must be one line"
    header = _headers("From", value)
    assert isinstance(header, AddressHeader)
    defects = [d for d in header.defects if isinstance(d, InvalidHeaderDefect)]
    if defects or len(header.addresses) != 1:
        return "must be one address, e.g. comments@example.org or Comments <comments@example.org>"
    if not is_address(header.addresses[0].addr_spec):
        return "must hold an e-mail address (an IP address in brackets: comments@[192.0.2.1])"
    return None


def default_sender(host: str | None) -> str:
    """``comments@`` the host of PUBLIC_URL; an IP address becomes an address literal
    (``comments@[192.0.2.1]``, ``comments@[IPv6:2001:db8::1]``), as RFC 5321 writes it."""
    if not host:
        return "comments@localhost"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"comments@{host}"
    if address.version == 6:
        return f"comments@[IPv6:{address}]"
    return f"comments@[{address}]"
