"""What an import did (or, in a dry run, would do), as its command prints it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

#: How many refs (source ids) are listed per skip reason or warning; the rest are counted.
LISTED_REFS = 20


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    site: str
    source: str
    dry_run: bool
    threads_created: int = 0
    threads_existing: int = 0
    imported: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    #: Per skip reason or warning, the first LISTED_REFS source ids it concerned.
    refs: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    model_version: str | None = None

    def note(self, counter: Counter[str], reason: str, ref: str) -> None:
        counter[reason] += 1
        if len(self.refs[reason]) < LISTED_REFS:
            self.refs[reason].append(ref)

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "source": self.source,
            "dry_run": self.dry_run,
            "threads": {"created": self.threads_created, "existing": self.threads_existing},
            "imported": dict(self.imported),
            "imported_total": sum(self.imported.values()),
            "skipped": {
                reason: {"count": count, "refs": self.refs[reason]}
                for reason, count in self.skipped.items()
            },
            "warnings": {
                reason: {"count": count, "refs": self.refs[reason]}
                for reason, count in self.warnings.items()
            },
            "model_version": self.model_version,
        }
