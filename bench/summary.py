"""One short table of every figure in bench/results/*.json (what `make bench` wrote).

Ratios come from one run of one script, so a busy machine affects both sides alike; absolute
figures should be read with the load averages printed at the end.

    python bench/summary.py [--results DIR]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
Row = tuple[str, str, str, str]


def _met(check: dict[str, Any] | None) -> str:
    if not check:
        return ""
    return {True: "yes", False: "NO", None: "?"}[check.get("met")]


def _target(check: dict[str, Any] | None) -> tuple[str, str]:
    return (check["target"], _met(check)) if check else ("", "")


def classifier(data: dict[str, Any]) -> Iterator[Row]:
    latency, targets = data["single_comment_latency_ms"], data.get("targets", {})
    yield (
        "classifier: score one comment, ms p50/p99",
        f"{latency['median']}/{latency['p99']}",
        *_target(targets.get("single_comment_p50_ms")),
    )
    yield (
        "classifier: batch scoring, comments/s",
        str(data["batch_throughput_comments_per_s"]),
        *_target(targets.get("batch_comments_per_s")),
    )
    explain = data["explain_latency_ms"]
    yield ("classifier: explain one comment, ms p50", str(explain["median"]), "", "")
    size = targets.get("artifact_mb")
    if size:
        yield ("classifier: artifact, MB", str(size["value"]), *_target(size))


def training(data: dict[str, Any]) -> Iterator[Row]:
    target = f"<= {data['target_seconds']}"
    yield (
        "training: default recipe, s",
        str(data["total_seconds"]),
        target,
        _met({"met": data["met_target"]}),
    )


def submission(data: dict[str, Any]) -> Iterator[Row]:
    targets = data["targets"]
    for engine, servers in data["engines"].items():
        for name, figures in servers.items():
            latency = figures["latency_ms"]
            value = (
                f"{figures['requests_per_s']:.0f} req/s, p50 {latency['p50']:.1f} ms, "
                f"p99 {latency['p99']:.1f} ms, {figures['server_cpu_ms_per_request']} ms CPU"
            )
            yield (f"submit {engine}: {name}", value, "", "")
            if figures["non_2xx"]:
                yield (f"submit {engine}: {name} non-2xx", str(figures["non_2xx"]), "0", "NO")
        ratio = targets.get(f"{engine}_cpu_vs_bare")
        yield (f"submit {engine}: CPU ours / bare", _with_rounds(ratio), *_target(ratio))
        speed = targets.get(f"{engine}_throughput_vs_isso_sqlite")
        if speed:
            yield (f"submit {engine}: req/s ours / Isso", _with_rounds(speed), *_target(speed))


def _with_rounds(check: dict[str, Any] | None) -> str:
    """The pooled ratio, then each round's: their spread is the machine's noise."""
    if not check:
        return "None"
    rounds = check.get("per_round")
    return (
        f"{check['value']} (rounds: {', '.join(map(str, rounds))})"
        if rounds
        else str(check["value"])
    )


def submission_stages(data: dict[str, Any]) -> Iterator[Row]:
    results = data["results"]
    for name in ("ours", "bare"):
        cpu = results[name]["cpu_ms_per_comment"]
        yield (f"submit in-process sqlite: {name}, ms CPU", str(cpu["median"]), "", "")
    ratio = {"value": data["cpu_ratio_ours_to_bare"], "per_round": data.get("cpu_ratio_per_round")}
    yield ("submit in-process sqlite: CPU ours / bare", _with_rounds(ratio), "", "")


def reading(data: dict[str, Any]) -> Iterator[Row]:
    targets = data["targets"]
    for name, by_size in data["results"].items():
        for size, figures in by_size.items():
            check = targets.get(f"{name}_{size}_p50_ms")
            value = f"{figures['ms_per_read']['p50']} ms ({figures['server_cpu_ms_per_read']} CPU)"
            yield (f"read {size} comments: {name}", value, *_target(check))


def live_checks(data: dict[str, Any]) -> Iterator[Row]:
    for engine, by_size in data["results"].items():
        for size, cases in by_size.items():
            check = cases["unchanged_304"]
            value = f"{check['ms']['p50']} ms ({check['server_cpu_ms']} CPU)"
            yield (f"live check, unchanged, {size} comments: {engine}", value, "", "")


def queue(data: dict[str, Any]) -> Iterator[Row]:
    for engine, result in data["engines"].items():
        pages = result["pages"]
        for depth in ("first", "deep"):
            chosen = {case: t for case, t in pages.items() if case.endswith(depth)}
            worst_case = max(chosen, key=lambda case: chosen[case]["p50_ms"])
            worst = chosen[worst_case]["p50_ms"]
            check = data["targets"][f"{engine}_{worst_case}"]
            label = f"queue {engine}, {result['seeded']['comments']:,}: slowest {depth} page"
            yield (label, f"{worst} ms ({worst_case.rsplit('/', 1)[0]})", *_target(check))


SECTIONS = {
    "classifier": classifier,
    "training": training,
    "submission": submission,
    "submission_stages": submission_stages,
    "reading": reading,
    "live_checks": live_checks,
    "queue": queue,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    folder = parser.parse_args().results
    rows: list[Row] = [("figure", "value", "target", "met")]
    loads = []
    for name, section in SECTIONS.items():
        path = folder / f"{name}.json"
        if not path.exists():
            rows.append((f"{name}: not run", "", "", ""))
            continue
        data = json.loads(path.read_text())
        rows.extend(section(data))
        if "load_average_before" in data:
            quick = " (--quick)" if data.get("quick") else ""
            loads.append(
                f"{name}{quick}: {data['load_average_before']} -> {data['load_average_after']}"
            )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if i == 0:
            print("  ".join("-" * width for width in widths))
    print("\nload average (1, 5, 15 min) before -> after:\n  " + "\n  ".join(loads))


if __name__ == "__main__":
    main()
