"""Where a comment's CPU goes: our POST and the bare insert in-process, without gunicorn.

The HTTP bench (bench_submission.py) measures the whole server; this one calls each app's WSGI
callable directly on SQLite, with the same bodies, form tokens and Origin, so the figures are
the apps' own work. Each app runs in a child process of its own (their SQLite settings register
engine-wide hooks), posting in rounds of 500 after a warm-up: CPU per comment is reported as
the median and the best round. A cProfile pass over our app then attributes the time of a
request to its stages (cProfile inflates pure-Python work, so read the shares, not the ms).

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


def child(which: str, url: str, folder: Path, comments: int, profile: bool) -> dict[str, Any]:
    """Runs in its own process: post ``comments`` comments to one app, timing each round."""
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
    statuses: dict[str, int] = {}
    _post_all(app, _environs(texts, tokens, folder, "warm", WARM_UP), statuses)
    environs = _environs(texts, tokens, folder, "run", comments)
    statuses.clear()
    rounds = []
    for start in range(0, comments, ROUND):
        chunk = environs[start : start + ROUND]
        before = time.process_time()
        _post_all(app, chunk, statuses)
        rounds.append((time.process_time() - before) / len(chunk) * 1e3)
    result: dict[str, Any] = {
        "cpu_ms_per_comment": {
            "median": round(statistics.median(rounds), 3),
            "best_round": round(min(rounds), 3),
        },
        "statuses": statuses,
    }
    if profile:
        result["stage_shares"] = _profile(app, _environs(texts, tokens, folder, "prof", ROUND))
    return result


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
        print(json.dumps(child(which, url, Path(folder), comments, which == "ours")))
        return
    load_before = load_average()
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-stages-") as tmp:
        for which in ("ours", "bare"):
            folder = Path(tmp) / which
            folder.mkdir()
            url = f"sqlite:///{folder / 'comments.db'}"
            stacks.prepare_ours(url, folder)
            log(f"{which}: {comments} comments in-process")
            command = [sys.executable, __file__, "--child", which, url, str(folder)]
            command += ["--quick"] if args.quick else ["--comments", str(comments)]
            done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
            results[which] = json.loads(done.stdout.strip().splitlines()[-1])
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
            "load_average_before": load_before,
            "load_average_after": load_average(),
        },
    )


if __name__ == "__main__":
    main()
