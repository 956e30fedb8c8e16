"""Calibrating a site's thresholds: what it uses now, its moderators' labels as validation data,
and storing what ``classifier.calibrate`` chose.

Only the thresholds a target set are written; the others keep their value, NULL included, so
a threshold the site never chose keeps following the active model's default.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import classifier
from comments.models import Site
from comments.policy import Thresholds
from comments.services import training_data
from comments.services.site_changes import CALIBRATE_ACTOR
from comments.services.sites import Changed, change_settings


def current_cutoffs(site: Site, model: classifier.Model) -> classifier.Cutoffs:
    """The thresholds the policy applies to the site with ``model``: its own, else the card's."""
    resolved = Thresholds.resolve(
        {
            "toxicity_hold": site.toxicity_hold,
            "spam_hold": site.spam_hold,
            "spam_file": site.spam_file,
        },
        model.card["thresholds"],
    )
    return classifier.Cutoffs(resolved.toxicity_hold, resolved.spam_hold, resolved.spam_file)


def moderator_labels(session: Session, site: Site) -> classifier.Corpus:
    """The site's effective moderator labels (latest decision per comment, duplicates merged)."""
    return training_data.as_corpus(training_data.labelled_examples(session, site.id))


def calibrate_site(
    site: Site,
    model: classifier.Model,
    data: classifier.ValidationSet,
    targets: Sequence[classifier.Target],
    prevalence: classifier.Prevalence,
    min_support: int,
) -> classifier.Calibration:
    """Thresholds for ``site`` meeting ``targets``; the ones no target sets stay as they are."""
    current = current_cutoffs(site, model)
    return classifier.calibrate(data, targets, current, prevalence, min_support)


def store_calibration(
    session: Session,
    site: Site,
    calibration: classifier.Calibration,
    *,
    model_version: str,
    data: Sequence[str],
    actor: str,
    now: datetime | None = None,
) -> tuple[Site, Changed]:
    """Write the thresholds the targets set, recorded as changed by "calibrate", and how they
    were chosen (so a later promotion can say which sites were calibrated for another model);
    the caller commits."""
    values: dict[str, Any] = {
        name: getattr(calibration.thresholds, name) for name in calibration.changed
    }
    site, changed = change_settings(session, site.name, values, by=CALIBRATE_ACTOR)
    site.calibration = {
        "model_version": model_version,
        "thresholds": {name: values[name] for name in calibration.changed},
        "targets": [achieved.sentence() for achieved in calibration.achieved],
        "cost_held_at_prevalence": round(calibration.cost.held, 4),
        "prevalence": {
            "toxic": calibration.prevalence.toxicity,
            "spam": calibration.prevalence.spam,
        },
        "min_support": calibration.min_support,
        "data": list(data),
        "calibrated_by": actor,
        "calibrated_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
    session.flush()
    return site, changed


def calibrated_for_other_models(session: Session, version: str) -> list[tuple[str, str]]:
    """(site, version) for sites whose stored thresholds were calibrated for another model."""
    return [
        (site.name, str(site.calibration["model_version"]))
        for site in session.scalars(select(Site).where(Site.calibration.is_not(None)))
        if site.calibration and site.calibration.get("model_version") != version
    ]
