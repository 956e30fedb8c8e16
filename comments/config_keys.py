"""The keys in the configuration: SECRET_KEY, MODEL_SIGNING_KEY, IP_HASH_KEY, checked at
start-up or generated once into the instance folder."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from comments.config_errors import ConfigError

#: Keys that sign sessions, tokens and model artifacts, or key the IP hash: anyone who guesses
#: one can forge a staff session, so a short or blank value is refused, not used.
SECRET_MIN_LENGTH = 32
SECRETS = ("SECRET_KEY", "MODEL_SIGNING_KEY", "IP_HASH_KEY")


def secret(name: str, raw: str) -> str:
    """A key set in the environment without the whitespace around it, or a ConfigError that
    says how long without echoing it.

    An env file or a mounted secret may keep a newline or spaces: used as given, the key would
    differ from the same key written plainly elsewhere, and instances would refuse each other's
    tokens, IP hashes and model signatures.
    """
    key = raw.strip()
    if len(key) < SECRET_MIN_LENGTH:
        raise ConfigError(
            f"{name} must be at least {SECRET_MIN_LENGTH} characters of random text, got "
            f"{len(key)} (generate one: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'), or leave it unset to have one generated"
        )
    return key


def secret_key(instance_path: Path, name: str = "secret_key") -> str:
    """The key in ``instance_path / name``, generated there by the first process to ask.

    gunicorn's workers start together, so the key is written to a file of its own and linked
    into place whole: a worker that read a file another had created but not yet written got
    an empty key (sessions, form tokens, IP hashes and model signatures unlike the others').
    """
    key_file = instance_path / name
    try:
        instance_path.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            _write_new_key(key_file)
        key = key_file.read_text().strip()
    except OSError as error:
        # Typically a service user that may not write the folder: say what to set instead.
        raise ConfigError(
            f"{name.upper()} is unset and no key can be generated in {instance_path} "
            f"({error.strerror or error}): set {name.upper()} to {SECRET_MIN_LENGTH}+ random "
            "characters, the same on every instance, or let the service write that folder"
        ) from error
    if len(key) < SECRET_MIN_LENGTH:
        raise ConfigError(
            f"{key_file} holds {len(key)} characters, not a generated key: restore it from a "
            "backup, or delete it to have a new one generated"
        )
    return key


def _write_new_key(key_file: Path) -> None:
    """Write a new key beside ``key_file`` and link it into place whole (mode 0600)."""
    fd, written = tempfile.mkstemp(dir=key_file.parent, prefix=f".{key_file.name}-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        os.link(written, key_file)
    except FileExistsError:
        pass  # another process was first: every process uses its key
    finally:
        os.unlink(written)
