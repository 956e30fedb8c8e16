"""Staff accounts and their credentials: passwords (scrypt) and bearer tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from comments.errors import FieldErrors
from comments.models import ROLES, ApiToken, Site, Staff

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}\Z")
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "cmt_"
# Verifying a password for an unknown name costs the same as for a known one.
_DUMMY_HASH = generate_password_hash("not a real password")
#: How stale a token's last_used_at may get: writing it on every call made each read a write.
TOKEN_TOUCH_EVERY = timedelta(minutes=1)

log = logging.getLogger(__name__)


def hash_token(token: str) -> str:
    """Tokens carry 256 bits of randomness, so a plain digest is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_new_staff(session: Session, name: str, role: str, site_names: list[str]) -> None:
    """Refuse what `create_staff` would, the password aside: `flask users create` asks for a
    password (twice) only for an account it can create, with a database it can use."""
    errors, _ = _new_staff_errors(session, name, role, site_names)
    if errors:
        raise FieldErrors(errors)


def create_staff(
    session: Session, name: str, role: str, password: str, site_names: list[str]
) -> Staff:
    errors, sites = _new_staff_errors(session, name, role, site_names)
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Must be at least {MIN_PASSWORD_LENGTH} characters."]
    if errors:
        raise FieldErrors(errors)
    staff = Staff(name=name, role=role, password_hash=generate_password_hash(password), sites=sites)
    session.add(staff)
    session.flush()
    return staff


def _new_staff_errors(
    session: Session, name: str, role: str, site_names: list[str]
) -> tuple[dict[str, list[str]], list[Site]]:
    errors: dict[str, list[str]] = {}
    if not _NAME.match(name):
        errors["name"] = ["Use 1-64 letters, digits, _ . @ or -."]
    elif session.scalar(select(Staff).where(Staff.name == name)) is not None:
        errors["name"] = [f"A staff member named {name!r} exists already."]
    if role not in ROLES:
        errors["role"] = [f"Must be one of {', '.join(ROLES)}."]
    sites, unknown = _named_sites(session, site_names)
    if unknown:
        errors["site"] = [unknown]
    return errors, sites


def _named_sites(session: Session, names: list[str]) -> tuple[list[Site], str | None]:
    """The sites of these names, and what to say about the names no site has."""
    sites = list(session.scalars(select(Site).where(Site.name.in_(names))))
    missing = sorted(set(names) - {site.name for site in sites})
    return sites, f"Unknown site(s): {', '.join(missing)}." if missing else None


def change_sites(
    session: Session, staff: Staff, *, add: list[str], remove: list[str], all_sites: bool
) -> None:
    """Widen or narrow the sites a moderator (or analyst) works on; no site means all of them.

    ``all_sites`` lifts the limit first, so with ``add`` it replaces the list. Refused: a site
    to remove that is not in the list (the admin would believe it gone), and removing the last
    one, which would quietly give every site.
    """
    added, unknown = _named_sites(session, add)
    kept = [] if all_sites else list(staff.sites)
    have = ", ".join(sorted(site.name for site in kept)) or "all sites"
    absent = sorted(set(remove) - {site.name for site in kept})
    kept = [site for site in kept if site.name not in remove]
    kept += [site for site in added if site not in kept]
    problem = unknown
    if absent:
        problem = f"{staff.name} is not limited to {', '.join(absent)} (has {have})."
    elif remove and not kept:
        problem = f"Removing every site would give {staff.name} all sites: use --all-sites."
    if problem:
        raise FieldErrors({"site": [problem]})
    staff.sites = kept


def end_sessions(staff: Staff) -> None:
    """Stop honouring every session cookie issued to ``staff`` so far."""
    staff.session_generation += 1


def set_password(staff: Staff, password: str) -> None:
    """A new password ends the sessions started with the old one."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise FieldErrors({"password": [f"Must be at least {MIN_PASSWORD_LENGTH} characters."]})
    staff.password_hash = generate_password_hash(password)
    end_sessions(staff)


def set_active(staff: Staff, active: bool) -> None:
    """A disabled account signs in with neither password nor token, and its sessions end."""
    if staff.active and not active:
        end_sessions(staff)
    staff.active = active


def set_role(staff: Staff, role: str) -> None:
    if role not in ROLES:
        raise FieldErrors({"role": [f"Must be one of {', '.join(ROLES)}."]})
    staff.role = role


def find_staff(session: Session, name: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.name == name))
    if staff is None:
        raise FieldErrors({"name": [f"No staff member named {name!r}."]})
    return staff


def list_staff(session: Session) -> list[Staff]:
    return list(session.scalars(select(Staff).order_by(Staff.name)))


def authenticate(session: Session, name: str, password: str) -> Staff | None:
    staff = session.scalar(select(Staff).where(Staff.name == name))
    if staff is None or not staff.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(staff.password_hash, password):
        return None
    staff.last_login_at = datetime.now(UTC)
    return staff


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    record: ApiToken


def issue_token(session: Session, staff: Staff, label: str = "") -> IssuedToken:
    """The token itself is shown once; only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(staff_id=staff.id, token_hash=hash_token(token), label=label[:100])
    session.add(record)
    session.flush()
    return IssuedToken(token, record)


def revoke_tokens(session: Session, staff: Staff, token_id: int | None = None) -> int:
    """Revoke one token by id, or all of the staff member's live tokens; returns how many (0
    for a token revoked already). An id that is not one of theirs is refused, naming it: "0
    revoked" would read as done, with a live token left behind a mistyped id."""
    query = select(ApiToken).where(ApiToken.staff_id == staff.id, ApiToken.revoked_at.is_(None))
    if token_id is not None:
        mine = select(ApiToken.id).where(ApiToken.staff_id == staff.id, ApiToken.id == token_id)
        if session.scalar(mine) is None:
            raise FieldErrors({"--id": [f"{staff.name} has no token {token_id}."]})
        query = query.where(ApiToken.id == token_id)
    tokens = list(session.scalars(query))
    now = datetime.now(UTC)
    for token in tokens:
        token.revoked_at = now
    session.flush()
    return len(tokens)


def staff_for_token(session: Session, token: str, *, reading: bool) -> Staff | None:
    """The token's staff member, noting the use at most every TOKEN_TOUCH_EVERY.

    ``reading``: the caller's transaction only reads and is never committed, so the note is
    written before it begins, in a transaction of its own (in the caller's it would be lost,
    and would have taken the write lock on SQLite, or the token's row on PostgreSQL, for the
    rest of the read; written apart during it, a read that then writes, such as registering the
    built-in model, would find its snapshot out of date). A writing caller commits the note
    with its own work.
    """
    token_hash = hash_token(token)
    now = datetime.now(UTC)
    if reading and not session.in_transaction():
        _note_use_apart(session, token_hash, now)
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))
    if record is None or record.revoked_at is not None or not record.staff.active:
        return None
    if not reading and _due(record.last_used_at, now):
        record.last_used_at = now
    return record.staff


def _due(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= TOKEN_TOUCH_EVERY


def _note_use_apart(session: Session, token_hash: str, now: datetime) -> None:
    """The note is for admins (`flask users tokens`): failing to write it fails no call."""
    try:
        with Session(bind=session.get_bind()) as own:
            found = own.execute(
                select(ApiToken.id, ApiToken.last_used_at).where(
                    ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None)
                )
            ).first()
            if found is None or not _due(found.last_used_at, now):
                return
            own.execute(
                update(ApiToken).where(ApiToken.id == found.id).values(last_used_at=now),
                execution_options={"synchronize_session": False},
            )
            own.commit()
    except OperationalError as error:
        log.warning("could not note when an API token was last used: %s", error.orig)


def list_tokens(session: Session, staff: Staff) -> list[ApiToken]:
    """The staff member's tokens, revoked ones too, oldest first."""
    return list(
        session.scalars(select(ApiToken).where(ApiToken.staff_id == staff.id).order_by(ApiToken.id))
    )
