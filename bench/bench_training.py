"""Benchmark training the default recipe: wall seconds per stage and in total.

Trains into a temporary directory (never the shipped artifact) with seed 0 and prints one JSON
object: per-stage and total wall seconds, CPU count, load average before and after, artifact
bytes, whether the anchor's validation came from the cache, and whether the 120 s target was met.
The machine may be shared: read the timings together with the load average.

    python bench/bench_training.py [--data DIR] [--no-baseline] [--cache-dir DIR | --no-cache]

``--no-cache`` (or an empty ``--cache-dir``) measures a cold run; by default the anchor's cached
validation (``$COMMENTS_ML_CACHE_DIR`` or ``~/.cache/comments-ml``) is used when it matches.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import classifier  # noqa: E402

TARGET_SECONDS = 120.0


def _default_data() -> Path:
    return Path(os.environ.get("TRAINING_DATA_DIR") or ROOT.parent / "shared" / "data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=_default_data())
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--cache-dir", type=str, default=None)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    cache: Path | bool | None = True
    if args.no_cache or args.cache_dir == "":
        cache = None
    elif args.cache_dir:
        cache = Path(args.cache_dir)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-training-") as tmp:
        output = Path(tmp) / "model"
        started = time.perf_counter()
        card = classifier.train(
            args.data,
            output,
            seed=0,
            baseline=not args.no_baseline,
            n_jobs=args.n_jobs,
            cache_dir=cache,
            command="bench/bench_training.py",
        )
        total = time.perf_counter() - started
        artifact_bytes = sum(p.stat().st_size for p in output.iterdir() if p.is_file())
    anchor_cache = card["metrics"].get("tfidf_anchor_cache") or {}
    print(
        json.dumps(
            {
                "data": str(args.data),
                "rows": card["data"]["rows"],
                "baseline": not args.no_baseline,
                "anchor_from_cache": bool(anchor_cache.get("used")),
                "stage_seconds": card.get("training_stage_seconds", {}),
                "total_seconds": round(total, 2),
                "cpu_count": os.cpu_count(),
                "n_jobs": args.n_jobs,
                "load_average_before": [round(v, 2) for v in load_before],
                "load_average_after": [round(v, 2) for v in os.getloadavg()],
                "model_npz_bytes": card["artifact_bytes"],
                "artifact_dir_bytes": artifact_bytes,
                "target_seconds": TARGET_SECONDS,
                "met_target": total < TARGET_SECONDS,
                "thresholds": card["thresholds"],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
