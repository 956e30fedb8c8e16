"""How often the commercial-terms rule holds a comment, over the labelled corpora.

Not a speed figure: the rule (comments/commercial_terms.py) stands in for what the model was
never taught, so what it costs ordinary readers is measured here. Each text is rendered as a
comment would be, its links taken as the service takes them, and the rule applied; the result
is counted per corpus and label (YouTube spam, SMS spam, and every ordinary text).

    python bench/commercial_terms_rate.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comments.rendering import link_targets, render
from comments.rules import check_commercial_terms

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    folder = parser.parse_args().data_dir
    counts: dict[str, dict[str, int]] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                kind = "spam" if row["spam"] == "1" else "ordinary"
                links = link_targets(render(row["text"]))
                held = check_commercial_terms([row["text"], *links], linked=bool(links))
                tally = counts.setdefault(
                    f"{path.stem} {kind}", {"texts": 0, "with_links": 0, "held": 0}
                )
                tally["texts"] += 1
                tally["with_links"] += bool(links)
                tally["held"] += bool(held)
    ordinary = [tally for name, tally in counts.items() if name.endswith("ordinary")]
    print(
        json.dumps(
            {
                "by_corpus": counts,
                "ordinary_with_links": sum(tally["with_links"] for tally in ordinary),
                "ordinary_held": sum(tally["held"] for tally in ordinary),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
