"""The classifier as the service sees it: loaded lazily, never fatal, always versioned."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import classifier
from comments.models import ModelVersion
from comments.policy import ModelScores

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScoreResult:
    scores: ModelScores | None
    error: str | None = None
    #: The model that produced the scores, so they are recorded under its version.
    model: classifier.Model | None = None


class ModelProvider:
    """Holds the loaded model for one process.

    Loading happens on first use, not in the app factory, and a failed load is retried after
    a pause, so a model fixed on disk is picked up without a restart.
    """

    def __init__(self, path: str | None, retry_seconds: float = 30.0) -> None:
        self.path = path
        self.retry_seconds = retry_seconds
        self._model: classifier.Model | None = None
        self._error: str | None = None
        self._failed_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> classifier.Model | None:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None and time.monotonic() - self._failed_at >= self.retry_seconds:
                self._load()
        return self._model

    def _load(self) -> None:
        try:
            self._model = classifier.load(self.path)
            self._error = None
            log.info("loaded model %s", self._model.version)
        except Exception as error:  # any failure means "no model", never a crash
            self._failed_at = time.monotonic()
            self._error = str(error) or type(error).__name__
            log.warning("model unavailable, comments will be held: %s", self._error)

    def status(self) -> dict[str, Any]:
        model = self.get()
        if model is None:
            return {"loaded": False, "version": None, "error": self._error}
        return {"loaded": True, "version": model.version, "error": None}

    def register(self, session: Session, model: classifier.Model) -> None:
        """Make sure the model version row exists before scores point at it."""
        if session.get(ModelVersion, model.version) is None:
            row = ModelVersion(
                version=model.version, sha256=model.card.get("sha256", ""), card=model.card
            )
            try:
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:  # another worker registered it first
                pass

    def score(self, text: str) -> ScoreResult:
        model = self.get()
        if model is None:
            return ScoreResult(None, self._error or "no model loaded")
        try:
            scores = model.score(text)
        except Exception as error:  # a scoring bug holds the comment; it never loses it
            log.exception("scoring failed")
            return ScoreResult(None, str(error) or type(error).__name__)
        return ScoreResult(ModelScores(scores.toxicity, scores.spam, model.version), model=model)


def explain(result: ScoreResult, text: str) -> dict[str, Any] | None:
    """The words behind the scores; costs far more than scoring, so only held comments pay."""
    if result.model is None:
        return None
    try:
        return result.model.explain(text)
    except Exception:  # an explanation is a help for moderators, never a reason to fail
        log.exception("explaining scores failed")
        return None
