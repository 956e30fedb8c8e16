"""The classifier as the service sees it: loaded lazily, never fatal, always versioned.

Which version decides is stored in the database (``model_versions.active``); each process checks
it at most every ``refresh_seconds`` and loads a newly promoted version on the spot, so every
worker of every instance follows a promotion within seconds, without a restart. A version that
cannot be loaded here (bad signature, other scikit-learn) is reported and the model already
serving keeps serving.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import classifier
from comments.db import READ_ONLY
from comments.models import ModelVersion
from comments.policy import ModelScores
from comments.services.model_store import ModelStore

log = logging.getLogger(__name__)

BUILTIN = "builtin"
REGISTRY = "registry"
#: An ordinary comment: a model that cannot score it cannot score anything.
PROBE_TEXT = "Thanks for the write-up; the second example cleared it up for me."
#: Why a worker started while the database is down has no model: it loads none until the
#: database says which version decides, so "not loaded" alone would blame the model.
WAITING_FOR_DATABASE = "not loaded: waiting for the database, which names the version to load"


@dataclass(frozen=True, slots=True)
class ScoreResult:
    scores: ModelScores | None
    error: str | None = None
    #: The model that produced the scores, so they are recorded under its version.
    model: classifier.Model | None = None


@dataclass(frozen=True, slots=True)
class Serving:
    """The models this process uses now: one decides, an optional shadow only scores."""

    active: classifier.Model | None
    shadow: classifier.Model | None
    error: str | None


@dataclass(frozen=True, slots=True)
class _Wanted:
    active: tuple[str, str] | None  # (version, source) as stored; None: the built-in model
    shadow: tuple[str, str] | None


class ModelProvider:
    """Holds the loaded models of one process and follows the database's choice of version."""

    def __init__(
        self,
        fallback_path: str | None,
        store: ModelStore | None = None,
        *,
        refresh_seconds: float = 2.0,
        retry_seconds: float = 30.0,
        fallback: classifier.Model | None = None,
    ) -> None:
        """``fallback`` is an already loaded built-in model, so tests can share one."""
        self.fallback_path = fallback_path
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.retry_seconds = retry_seconds
        self._fallback = fallback
        self._models = {fallback.version: fallback} if fallback else {}
        self._failures: dict[str, tuple[float, str]] = {}
        self._active: classifier.Model | None = None
        self._shadow: classifier.Model | None = None
        self._wanted: _Wanted | None = None
        self._checked_at = float("-inf")
        self._error: str | None = None
        self._lock = threading.Lock()

    # -- loading ---------------------------------------------------------------------------

    def fallback(self) -> classifier.Model | None:
        """The built-in model (``MODEL_PATH`` or the shipped one), serving until one is promoted."""
        if self._fallback is None:
            self._fallback = self._attempt(BUILTIN, self._load_builtin)
        return self._fallback

    def _load_builtin(self) -> classifier.Model:
        return classifier.load(self.fallback_path)

    def _attempt(self, key: str, load: Any) -> classifier.Model | None:
        failed = self._failures.get(key)
        if failed and time.monotonic() - failed[0] < self.retry_seconds:
            return None
        try:
            model: classifier.Model = load()
        except Exception as error:  # any failure means "not this model", never a crash
            self._refuse(key, str(error) or type(error).__name__)
            return None
        failure = scoring_failure(model)
        if failure is not None:
            self._refuse(key, f"it cannot score: {failure}")
            return None
        self._failures.pop(key, None)
        log.info("loaded model %s", model.version)
        return model

    def _refuse(self, key: str, reason: str) -> None:
        self._failures[key] = (time.monotonic(), reason)
        log.warning("model %s unavailable: %s", key, reason)

    def _load(self, wanted: tuple[str, str]) -> classifier.Model | None:
        version, source = wanted
        if version in self._models:
            return self._models[version]
        if source == BUILTIN:
            model = self.fallback()
            if model is None:
                # Why the files failed is recorded under BUILTIN; /healthz asks by version.
                self._failures[version] = self._failures.get(
                    BUILTIN, (time.monotonic(), "not loaded")
                )
                return None
            if model.version != version:
                self._failures[version] = (
                    time.monotonic(),
                    f"built-in model {version} is not installed here (this install ships "
                    f"{model.version}); promote that version instead",
                )
                return None
        else:
            store = self.store
            if store is None:
                self._failures[version] = (time.monotonic(), "no model store is configured")
                return None
            model = self._attempt(version, lambda: store.load(version))
        if model is not None:
            self._models[version] = model
        return model

    def _failure(self, version: str) -> str:
        return self._failures.get(version, (0.0, "not loaded"))[1]

    # -- following the database ------------------------------------------------------------

    def serving(self, session: Session | None) -> Serving:
        """The models to use for this request, re-reading the choice if it may be stale.

        Without a session (the database is unreachable) the models already chosen are kept.
        """
        now = time.monotonic()
        if session is not None and now - self._checked_at >= self.refresh_seconds:
            # On a connection of its own that only reads: within the request's transaction, a
            # POST on SQLite would hold the write lock through this and any model load below.
            with session.get_bind().engine.connect() as connection:
                rows = (
                    connection.execution_options(**{READ_ONLY: True})
                    .execute(
                        select(
                            ModelVersion.version,
                            ModelVersion.source,
                            ModelVersion.active,
                            ModelVersion.shadow,
                        ).where(or_(ModelVersion.active, ModelVersion.shadow))
                    )
                    .all()
                )
            wanted = _Wanted(
                active=next(((r.version, r.source) for r in rows if r.active), None),
                shadow=next(((r.version, r.source) for r in rows if r.shadow), None),
            )
            with self._lock:
                self._checked_at = now
                self._follow(wanted)
        return Serving(self._active, self._shadow, self._error)

    def _follow(self, wanted: _Wanted) -> None:
        changed = wanted != self._wanted
        if not changed and not self._error and (self._active or wanted.active):
            return
        self._wanted = wanted
        active = self._load(wanted.active) if wanted.active else self.fallback()
        if active is not None:
            self._active = active
            self._error = None
        else:
            name = wanted.active[0] if wanted.active else BUILTIN
            keeping = f"; still serving {self._active.version}" if self._active else ""
            self._error = f"model {name} could not be loaded: {self._failure(name)}{keeping}"
            if self._active is None:
                self._active = self.fallback() if wanted.active else None
        self._shadow = self._load(wanted.shadow) if wanted.shadow else None
        # Keep only what is in use, so old versions do not pile up in memory.
        keep = {m.version for m in (self._active, self._shadow, self._fallback) if m}
        self._models = {v: m for v, m in self._models.items() if v in keep}

    def model_for(self, session: Session, version: str) -> classifier.Model | None:
        """A specific version (e.g. the one that scored an old comment), if it can be loaded."""
        serving = self.serving(session)
        for model in (serving.active, serving.shadow, self._fallback):
            if model is not None and model.version == version:
                return model
        row = session.get(ModelVersion, version)
        if row is None:
            return None
        with self._lock:
            return self._load((row.version, row.source))

    def get(self) -> classifier.Model | None:
        """The model serving now, without consulting the database (scripts, benchmarks)."""
        return self._active or self.fallback()

    def status(self, session: Session | None) -> dict[str, Any]:
        """What /healthz reports: the model deciding here, whether it scores, and why not.

        The deciding model scores a probe text on every call, so every worker reports a model
        that fails at scoring time, before (and whether or not) a comment meets it.
        """
        serving = self.serving(session)
        model = serving.active
        failure = scoring_failure(model) if model is not None else None
        error: str | None
        if model is None and session is None and self._wanted is None:
            error = WAITING_FOR_DATABASE
        elif model is None:
            error = serving.error or self._failure(BUILTIN)
        elif failure is not None:
            error = f"model {model.version} cannot score: {failure}"
        else:
            error = serving.error
        return {
            "loaded": model is not None,
            "scoring": model is not None and failure is None,
            "version": model.version if model else None,
            "shadow": serving.shadow.version if serving.shadow else None,
            "error": error,
        }


def _scores(model: classifier.Model, text: str) -> classifier.Scores:
    """The model's scores, refused unless they are probabilities (a NaN compares as "low")."""
    scores = model.score(text)
    for name in ("toxicity", "spam"):
        value = getattr(scores, name)
        if not 0.0 <= value <= 1.0:  # also false for NaN
            raise ValueError(f"the model gave {value!r} as the {name} probability")
    return scores


def scoring_failure(model: classifier.Model) -> str | None:
    """Why ``model`` cannot score an ordinary comment, or None when it can."""
    try:
        _scores(model, PROBE_TEXT)
    except Exception as error:  # whatever breaks scoring makes the model unusable
        return f"{type(error).__name__}: {error}"
    return None


def score_with(model: classifier.Model | None, text: str, error: str | None = None) -> ScoreResult:
    """Score with one model; a failure holds the comment, it never loses it."""
    if model is None:
        return ScoreResult(None, error or "no model loaded")
    try:
        scores = _scores(model, text)
    except Exception as failure:
        log.exception("scoring failed")
        return ScoreResult(None, f"{type(failure).__name__}: {failure}")
    return ScoreResult(ModelScores(scores.toxicity, scores.spam, model.version), model=model)


def explain(model: classifier.Model | None, text: str) -> dict[str, Any] | None:
    """The words behind the scores; costs far more than scoring, so it is done when needed."""
    if model is None:
        return None
    try:
        return model.explain(text)
    except Exception:  # an explanation is a help for moderators, never a reason to fail
        log.exception("explaining scores failed")
        return None
