"""Where a comment's CPU goes: our POST and the bare insert in-process, without gunicorn.

The HTTP bench (bench_submission.py) measures the whole server; this one calls each app's WSGI
callable directly on SQLite, with the same bodies, form tokens and Origin, so the figures are
the apps' own work. Each app runs in a child process of its own (their SQLite settings register
engine-wide hooks); after a warm-up the two take turns posting rounds of 500, so both meet the
same drift in the shared machine's load. CPU per comment is reported as the median and the best
round, with the ratio of each pair of rounds. A cProfile pass over our app then attributes the
time of a request to its stages (cProfile inflates pure-Python work, so read the shares, not
the ms).

    python bench/bench_submission_stages.py [--quick] [--comments N]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stacks
from bench_submission import TEMPLATES, THREADS, thread_key, write_templates
from harness import ROOT, arguments, emit, load_average, log
from texts import comment_texts

ROUND = 500
WARM_UP = 300
#: Our functions that make up a request, outermost first; each is charged its cumulative time.
STAGES = {
    "lookups (one SELECT, incl. BEGIN)": "look_up",
    "comment INSERT": "insert_comment",
    "record rows and explanations": "record_decision",
    "explanations of held comments": "explain",
    "scoring": "score_with",
    "Markdown and sanitising": "render",
    "rules and form token": "rule_signals",
    "validation (marshmallow load)": "load",
    "edit token for the answer": "posted",
    "commit": "commit",
}
WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


def _environs(texts: list[str], tokens: dict[str, str], folder: Path, prefix: str, n: int) -> list:
    from werkzeug.test import EnvironBuilder

    write_templates(folder / f"{prefix}.txt", texts, tokens)
    templates = (folder / f"{prefix}.txt").read_text().splitlines()
    return [
        EnvironBuilder(
            path="/api/v1/comments",
            method="POST",
            data=templates[i % len(templates)].replace("@N@", f"{prefix}-{i}").encode(),
            content_type="application/json",
            headers={"Origin": stacks.ORIGIN},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ).get_environ()
        for i in range(n)
    ]


def _post_all(app: WSGIApp, environs: list[dict[str, Any]], statuses: dict[str, int]) -> None:
    def start_response(status: str, _headers: Any, _exc_info: Any = None) -> None:
        statuses[status] = statuses.get(status, 0) + 1

    for environ in environs:
        for _ in app(environ, start_response):
            pass


def child(which: str, url: str, folder: Path, comments: int) -> None:
    """Runs in its own process: sets up one app, then answers the parent's commands on stdin,
    a JSON line each: ``round`` posts the next 500 comments (their CPU ms per comment and
    statuses), ``profile`` attributes a further 500 to stages (ours only)."""
    os.environ.update(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": stacks.SECRET,
            "MODEL_SIGNING_KEY": stacks.SECRET,
            "MODEL_STORE": str(folder / "models"),
            "RATELIMIT_ENABLED": "0",
        }
    )
    app: WSGIApp
    tokens: dict[str, str] = {}
    if which == "ours":
        from wsgi import app as ours

        client, wait = ours.test_client(), 0
        for i in range(THREADS):
            answer = client.get("/api/v1/form-token", query_string={"thread": thread_key(i)})
            tokens[thread_key(i)], wait = answer.json["token"], answer.json["min_seconds"]
        time.sleep(wait + 0.5)  # the tokens must be older than the site's minimum
        app = ours
    else:
        from bench.bare_app import app as bare

        app = bare
    texts, _ = comment_texts(TEMPLATES)
    _post_all(app, _environs(texts, tokens, folder, "warm", WARM_UP), {})
    environs = _environs(texts, tokens, folder, "run", comments)
    print(json.dumps({"ready": True}), flush=True)
    start = 0
    for command in sys.stdin:
        if command.strip() == "round":
            chunk, start = environs[start : start + ROUND], start + ROUND
            statuses: dict[str, int] = {}
            before = time.process_time()
            _post_all(app, chunk, statuses)
            cpu_ms = (time.process_time() - before) / len(chunk) * 1e3
            answer: dict[str, Any] = {"cpu_ms": cpu_ms, "statuses": statuses}
        else:
            answer = _profile(app, _environs(texts, tokens, folder, "prof", ROUND))
        print(json.dumps(answer), flush=True)


class Child:
    """A child process posting to one app when told to."""

    def __init__(self, which: str, url: str, folder: Path, comments: int) -> None:
        command = [sys.executable, __file__, "--child", which, url, str(folder)]
        command += ["--comments", str(comments)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.ask(None)  # set up and warmed up

    def ask(self, command: str | None) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        if command is not None:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the bench's child exited with {self.process.wait()}")
        return json.loads(line)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    cpu = [r["cpu_ms"] for r in rounds]
    statuses: dict[str, int] = {}
    for r in rounds:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "cpu_ms_per_comment": {
            "median": round(statistics.median(cpu), 3),
            "best_round": round(min(cpu), 3),
        },
        "statuses": statuses,
    }


def _profile(app: WSGIApp, environs: list[dict[str, Any]]) -> dict[str, float]:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(_post_all, app, environs, {})
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    cumulative = {key: value[3] for key, value in stats.items()}
    total = max(cumulative.values())
    ours = str(ROOT / "comments")
    shares = {}
    for label, function in STAGES.items():
        # `load` and `commit` are common names: take ours (parsing) and the session's.
        matches = [
            seconds
            for (path, _, name), seconds in cumulative.items()
            if name == function
            and (path.startswith(ours) or (function == "commit" and "scoping" in path))
        ]
        shares[label] = round(max(matches, default=0.0) / total, 3)
    return shares


def main() -> None:
    parser = arguments(__doc__, comments=3000)
    parser.add_argument("--child", nargs=3, metavar=("APP", "URL", "FOLDER"), help="internal")
    args = parser.parse_args()
    comments = 1000 if args.quick else args.comments
    if args.child:
        which, url, folder = args.child
        child(which, url, Path(folder), comments)
        return
    load_before = load_average()
    rounds: dict[str, list[dict[str, Any]]] = {"ours": [], "bare": []}
    with tempfile.TemporaryDirectory(prefix="bench-stages-") as tmp:
        children = {}
        try:
            for which in rounds:
                folder = Path(tmp) / which
                folder.mkdir()
                url = f"sqlite:///{folder / 'comments.db'}"
                stacks.prepare_ours(url, folder)
                log(f"{which}: setting up")
                children[which] = Child(which, url, folder, comments)
            for r in range(comments // ROUND):
                log(f"round {r + 1} of {comments // ROUND}")
                order = ["ours", "bare"] if r % 2 == 0 else ["bare", "ours"]
                for which in order:
                    rounds[which].append(children[which].ask("round"))
            shares = children["ours"].ask("profile")
        finally:
            for running in children.values():
                running.close()
    results = {which: _summary(runs) for which, runs in rounds.items()}
    for which, figures in results.items():
        # A failing request costs different work (and a traceback): no ratio stands on it.
        if set(figures["statuses"]) != {"201 CREATED"}:
            raise SystemExit(f"{which} did not store every comment: {figures['statuses']}")
    results["ours"]["stage_shares"] = shares
    ours, bare = (results[k]["cpu_ms_per_comment"]["median"] for k in ("ours", "bare"))
    emit(
        "submission_stages",
        {
            "benchmark": "submission_in_process",
            "quick": args.quick,
            "engine": "sqlite",
            "comments": comments,
            "results": results,
            "cpu_ratio_ours_to_bare": round(ours / bare, 2),
            "cpu_ratio_per_round": [
                round(a["cpu_ms"] / b["cpu_ms"], 2)
                for a, b in zip(rounds["ours"], rounds["bare"], strict=True)
            ],
            "load_average_before": load_before,
            "load_average_after": load_average(),
        },
    )


if __name__ == "__main__":
    main()
