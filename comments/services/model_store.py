"""The model store: one signed artifact directory per registered version.

Files live under ``MODEL_STORE/<version>/``; the HMAC key lives outside that tree (an
environment variable or a file in the instance folder), so write access to the store alone is
not enough to make the service load a model.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import classifier

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


class StoreError(Exception):
    """The artifact cannot be added to or found in the store; nothing was changed."""


class ModelStore:
    def __init__(self, directory: str | Path, signing_key: bytes) -> None:
        if not signing_key:
            raise ValueError("the model signing key must not be empty")
        self.directory = Path(directory)
        self.signing_key = signing_key

    def path_for(self, version: str) -> Path:
        if not _VERSION.match(version):
            raise StoreError(f"{version!r} is not a model version")
        return self.directory / version

    def add(self, artifact: str | Path) -> classifier.Model:
        """Verify an artifact (sha256, library versions), copy it in and sign the copy.

        Adding is the moment of trust: whoever runs it vouches for the artifact. The copy is
        built in a temporary directory and renamed into place, so a half-copied version is never
        visible; adding the same version twice is a no-op. A stored copy that no longer
        verifies (signed under an earlier key, damaged or tampered with) is replaced by the
        verified artifact: registering it again is how a version is recovered.
        """
        source = Path(artifact)
        try:
            model = classifier.load(source)
        except classifier.ModelLoadError as error:
            raise StoreError(f"refusing {source}: {error}") from error
        target = self.path_for(model.version)
        if target.exists():
            try:
                existing = self.load(model.version)
            except StoreError:
                existing = None  # unverifiable: replaced below
            if existing is not None:
                if existing.card.get("sha256") != model.card.get("sha256"):
                    raise StoreError(f"{target} holds a different artifact for {model.version}")
                return existing
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".adding-", dir=self.directory))
        except OSError as error:
            raise self._unwritable(error) from error
        try:
            for name in classifier.ARTIFACT_FILES:
                if (source / name).exists():
                    shutil.copyfile(source / name, staging / name)
            classifier.load(staging)  # the copy, not the source, is what gets signed
            classifier.sign(staging, self.signing_key)
            self._move_into_place(staging, target)
        except BaseException as error:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(error, OSError):
                raise self._unwritable(error) from error
            raise
        return self.load(model.version)

    def _unwritable(self, error: OSError) -> StoreError:
        """A store on a path that is not a folder, not the service's to write, or full: the
        operator needs the path and the system's reason, not a traceback from mkdir."""
        return StoreError(f"cannot write to the model store {self.directory}: {error}")

    def _move_into_place(self, staging: Path, target: Path) -> None:
        """Rename ``staging`` to ``target``, setting aside a copy that failed to verify."""
        if not target.exists():
            staging.rename(target)
            return
        discarded = Path(tempfile.mkdtemp(prefix=".replaced-", dir=self.directory))
        target.rename(discarded / target.name)
        staging.rename(target)
        shutil.rmtree(discarded, ignore_errors=True)

    def load(self, version: str) -> classifier.Model:
        """Load a stored version, checking its signature before anything is parsed."""
        try:
            return classifier.load(self.path_for(version), signing_key=self.signing_key)
        except classifier.ModelLoadError as error:
            raise StoreError(str(error)) from error

    def card(self, version: str) -> dict[str, object]:
        try:
            return classifier.read_card(self.path_for(version))
        except classifier.ModelLoadError as error:
            raise StoreError(str(error)) from error
