"""Model versions as ML staff manage them: register, promote, roll back, shadow.

Every change is one transaction that flips the ``active``/``shadow`` flags and records a
``ModelEvent``; serving processes notice the flags within seconds (see ``scoring``). A version is
only promoted after it has been loaded and verified here, so a broken artifact is refused before
any worker tries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import classifier
from comments.models import ModelEvent, ModelVersion
from comments.services.model_store import ModelStore, StoreError
from comments.services.scoring import BUILTIN, REGISTRY, scoring_failure


class RegistryError(Exception):
    """The requested change is not possible; the registry is unchanged."""


@dataclass(frozen=True, slots=True)
class Registry:
    """What registry operations need besides the session: where models live, and the default."""

    store: ModelStore
    fallback_path: str | None = None

    def builtin(self) -> classifier.Model:
        try:
            return classifier.load(self.fallback_path)
        except classifier.ModelLoadError as error:
            raise RegistryError(f"the built-in model cannot be loaded: {error}") from error

    def load(self, row: ModelVersion) -> classifier.Model:
        """Load exactly as a worker will, so promotion fails here rather than in production.

        Like a worker, refuse a model that loads but cannot score an ordinary comment.
        """
        if row.source == BUILTIN:
            model = self.builtin()
            if model.version != row.version:
                raise RegistryError(
                    f"{row.version} was a built-in model; this install ships {model.version}"
                )
        else:
            try:
                model = self.store.load(row.version)
            except StoreError as error:
                raise RegistryError(f"{row.version} cannot be loaded: {error}") from error
        failure = scoring_failure(model)
        if failure is not None:
            raise RegistryError(f"{row.version} cannot score: {failure}")
        return model


def ensure_version(
    session: Session, model: classifier.Model, source: str = BUILTIN
) -> ModelVersion:
    """The row for a model, created on first sight (by the first worker to score with it)."""
    row = session.get(ModelVersion, model.version)
    if row is not None:
        return row
    row = ModelVersion(
        version=model.version, sha256=model.card.get("sha256", ""), card=model.card, source=source
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another worker registered it first
        pass
    found = session.get(ModelVersion, model.version)
    assert found is not None
    return found


def _event(
    session: Session,
    version: str,
    action: str,
    previous: str | None,
    actor: str,
    note: str = "",
    now: datetime | None = None,
) -> ModelEvent:
    event = ModelEvent(
        version=version,
        action=action,
        previous_version=previous,
        actor=actor,
        note=note,
        created_at=now or datetime.now(UTC),
    )
    session.add(event)
    return event


class Registration(NamedTuple):
    row: ModelVersion
    #: The version was registered before (the store refuses another artifact under its
    #: name): nothing new is recorded, so ML staff are not told it was just registered.
    already: bool


def register(
    session: Session, registry: Registry, artifact: Path, actor: str, note: str | None = None
) -> Registration:
    """Add a trained artifact to the store (verified, copied, signed) and record the version;
    ``note`` says where it came from (default: the artifact's path)."""
    try:
        model = registry.store.add(artifact)
    except StoreError as error:
        raise RegistryError(str(error)) from error
    existing = session.get(ModelVersion, model.version)
    if existing is not None:
        already = existing.source == REGISTRY
        existing.source = REGISTRY
        return Registration(existing, already)
    row = ensure_version(session, model, source=REGISTRY)
    _event(session, row.version, "register", None, actor, note=note or str(artifact))
    return Registration(row, already=False)


def same_artifact(session: Session, row: ModelVersion) -> list[str]:
    """Other versions with ``row``'s bytes: training is deterministic, but a version's name
    carries its training day, so a rebuild on another day is registered under a new name."""
    query = select(ModelVersion.version).where(
        ModelVersion.sha256 == row.sha256, ModelVersion.version != row.version
    )
    return list(session.scalars(query.order_by(ModelVersion.created_at)))


def versions(session: Session) -> list[ModelVersion]:
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.created_at)))


@dataclass(frozen=True, slots=True)
class ListedVersion:
    """A version as ML staff see it. ``active`` marks the one deciding now: the built-in model
    until a promotion, although its row is only flagged active once promoted or rolled back to."""

    version: str
    source: str
    active: bool
    shadow: bool
    sha256: str
    card: dict[str, Any]
    activated_at: datetime | None


def listing(session: Session, builtin: classifier.Model | None) -> list[ListedVersion]:
    """Every known version, oldest first, with ``builtin`` (the model deciding while none is
    promoted; None when it cannot be loaded) made known first."""
    if builtin is not None:
        ensure_version(session, builtin)
    active = active_version(session)
    deciding = active.version if active else builtin.version if builtin else None
    return [
        ListedVersion(
            version=row.version,
            source=row.source,
            active=row.version == deciding,
            shadow=row.shadow,
            sha256=row.sha256,
            card=row.card or {},
            activated_at=row.activated_at,
        )
        for row in versions(session)
    ]


def active_version(session: Session) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(ModelVersion.active))


def shadow_version(session: Session) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(ModelVersion.shadow))


def get(session: Session, version: str) -> ModelVersion:
    row = session.get(ModelVersion, version)
    if row is None:
        known = ", ".join(v.version for v in versions(session)) or "none"
        raise RegistryError(f"unknown model version {version!r} (known: {known})")
    return row


def serving_version(session: Session, registry: Registry) -> ModelVersion | None:
    """The version deciding now: the active row, or the built-in model when none is active.

    None when nothing decides because the built-in model is broken: promoting a good version
    is then how scoring recovers, so it must not need the broken one.
    """
    active = active_version(session)
    if active is not None:
        return active
    try:
        return ensure_version(session, registry.builtin())
    except RegistryError:
        return None


def _activate(session: Session, row: ModelVersion, now: datetime, actor: str) -> None:
    # Clear first: the partial unique index allows one active row at any moment.
    session.execute(update(ModelVersion).where(ModelVersion.active).values(active=False))
    session.flush()
    if row.shadow:
        # Recorded, so the history shows when its shadow scoring ended.
        row.shadow = False
        _event(session, row.version, "unshadow", None, actor, "now active", now)
    row.active = True
    row.activated_at = now
    session.flush()


def promote(
    session: Session, registry: Registry, version: str, actor: str, note: str = ""
) -> ModelEvent:
    """Make ``version`` decide from now on; the one it replaces is remembered for rollback."""
    current = serving_version(session, registry)  # also makes the built-in model known
    row = get(session, version)
    registry.load(row)
    if current is not None and current.version == row.version:
        raise RegistryError(f"{version} is already active")
    now = datetime.now(UTC)
    _activate(session, row, now, actor)
    previous = current.version if current is not None else None
    return _event(session, row.version, "promote", previous, actor, note, now)


def _undoable(session: Session) -> list[str | None]:
    """What each promotion not yet rolled back replaced, oldest first: a stack, so repeated
    rollbacks walk back through the promotions instead of bouncing between the last two."""
    events = session.scalars(
        select(ModelEvent)
        .where(ModelEvent.action.in_(("promote", "rollback")))
        .order_by(ModelEvent.id)
    )
    replaced: list[str | None] = []
    for event in events:
        if event.action == "promote":
            replaced.append(event.previous_version)
        elif replaced:
            replaced.pop()
    return replaced


def rollback(session: Session, registry: Registry, actor: str) -> ModelEvent:
    """Undo the last promotion not yet undone (repeatable: each goes one promotion further)."""
    current = active_version(session)
    if current is None:
        raise RegistryError("no version has been promoted; the built-in model is serving")
    replaced = _undoable(session)
    if not replaced or replaced[-1] is None:
        raise RegistryError(f"{current.version} has no earlier version to roll back to")
    target = get(session, replaced[-1])
    registry.load(target)
    now = datetime.now(UTC)
    _activate(session, target, now, actor)
    return _event(session, target.version, "rollback", current.version, actor, now=now)


def set_shadow(
    session: Session, registry: Registry, version: str | None, actor: str
) -> ModelEvent | None:
    """Let ``version`` score live traffic beside the active model; ``None`` stops shadowing."""
    previous = shadow_version(session)
    if version is None:
        if previous is None:
            return None
        previous.shadow = False
        return _event(session, previous.version, "unshadow", None, actor)
    serving = serving_version(session, registry)  # also makes the built-in model known
    row = get(session, version)
    if serving is not None and serving.version == row.version:
        raise RegistryError(f"{version} is the version deciding now; shadow a candidate instead")
    registry.load(row)
    session.execute(update(ModelVersion).where(ModelVersion.shadow).values(shadow=False))
    session.flush()
    row.shadow = True
    return _event(session, row.version, "shadow", previous.version if previous else None, actor)


def history(session: Session, limit: int = 20) -> list[ModelEvent]:
    return list(
        session.scalars(
            select(ModelEvent)
            .order_by(ModelEvent.created_at.desc(), ModelEvent.id.desc())
            .limit(limit)
        )
    )
