"""Bench: editors saving at the same moment, served as ``make run`` serves the desk.

Usage (from the repo root):
    python bench/concurrency.py [--pairs 50] [--workers 2] [--postgres-url URL] [--no-sqlite]

For each database (a fresh SQLite file in a temporary folder; PostgreSQL when
``--postgres-url`` or ``BENCH_POSTGRES_URL`` names one: ITS TABLES ARE DROPPED AND REBUILT)
the desk is migrated, filled with one article of claims and three users with API tokens, and
served by gunicorn (``--workers`` sync workers, one thread each, as ``make run``). Then, over
HTTP on 127.0.0.1:

- different claims: ``--pairs`` times, two editors PATCH two different claims at once;
- evidence + comment: half as many times, evidence linked to claim A while a comment goes on B;
- same version: ``--pairs`` claims, two PATCHes of each with the same version, all fired
  together (2 x pairs threads): each claim must have exactly one winner, the loser 409
  ``stale_version``;
- reads during writes: four readers GET the claim list and single claims while all of the
  above runs, and a fresh token's first GET (which records the token's use) races a PATCH
  ``--first-get-tries`` times: none may be 5xx.

Prints a table per database; the LAST line is one JSON object with every figure.
Nothing here is timed as a pass/fail: the figures are counts of answers.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", ""),
                        help="a PostgreSQL database of the bench's own (its schema is dropped)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--first-get-tries", type=int, default=15)
    return parser.parse_args(argv)


# --- the desk ---------------------------------------------------------------------------

def prepare_database(url: str, claims: int) -> dict[str, Any]:
    """Migrate ``url`` from scratch and fill it; returns the tokens and claim ids."""
    from flask_migrate import upgrade
    import sqlalchemy as sa

    from app import create_app
    from app.auth.service import create_token
    from app.extensions import db
    from app.models import Article, Claim, User

    if url.startswith("postgres"):
        from config import normalise_database_url

        engine = sa.create_engine(normalise_database_url(url))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        users = []
        for n, role in enumerate(("editor", "editor", "reviewer", "editor")):
            user = User(email=f"bench{n}@example.org", name=f"Bench {role} {n}", role=role)
            user.set_password(f"bench-password-{n}-not-secret")
            db.session.add(user)
            users.append(user)
        sentences, offsets, text = [], [], ""
        for n in range(claims):
            quote = f"We will finish pier number {n} before the summer"
            line = f"\u201c{quote},\u201d Mayor Anna Berg said on day {n}.\n\n"
            offsets.append((len(text) + 1, len(text) + 1 + len(quote)))
            sentences.append(quote)
            text += line
        article = Article(title="Concurrency bench", text=text, sha256=f"{random.getrandbits(128):032x}",
                          source="seed")
        db.session.add(article)
        for quote, (start, end) in zip(sentences, offsets):
            db.session.add(Claim(article=article, content=quote, kind="direct", start=start, end=end,
                                 status="in_progress", cue="said"))
        db.session.commit()
        tokens = [create_token(u.email, name="bench")[1] for u in users]
        ids = list(db.session.scalars(sa.select(Claim.id).order_by(Claim.id)))
        fresh_user = users[3].email
        db.engine.dispose()
    return {"tokens": tokens, "claim_ids": ids, "fresh_user": fresh_user}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, workers: int, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "concurrency-bench-only",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", "1", "--timeout", "180", "--backlog", "2048", "app:create_app()"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not answer within 120 s")


# --- HTTP -------------------------------------------------------------------------------

class Client:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Optional[dict] = None) -> tuple[int, dict, float]:
        """(status, JSON body, seconds); a connection failure is status 0."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except OSError as exc:
            return 0, {"error": {"code": "connection", "message": str(exc)}}, time.perf_counter() - started
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            payload = {"raw": raw[:200].decode("utf-8", "replace")}
        return status, payload, time.perf_counter() - started

    def version(self, claim_id: int) -> int:
        status, body, _ = self.call("GET", f"/api/v1/claims/{claim_id}")
        assert status == 200, (status, body)
        return body["version"]


def together(jobs: list) -> list:
    """Run the callables at the same moment (a barrier), return their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        results[i] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def code_of(result) -> str:
    status, body, _ = result
    error = body.get("error") if isinstance(body, dict) else None
    return f"{status} {error['code']}" if error else str(status)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- scenarios --------------------------------------------------------------------------

def different_claims(a: Client, b: Client, ids: list[int], pairs: int) -> dict[str, Any]:
    refused_pairs, codes, times = 0, Counter(), []
    for n in range(pairs):
        first, second = ids[2 * n], ids[2 * n + 1]
        va, vb = a.version(first), b.version(second)
        results = together([
            lambda: a.call("PATCH", f"/api/v1/claims/{first}", {"version": va, "cue": f"told reporters {n}"}),
            lambda: b.call("PATCH", f"/api/v1/claims/{second}", {"version": vb, "cue": f"tweeted {n}"}),
        ])
        codes.update(code_of(r) for r in results)
        times.extend(r[2] for r in results)
        refused_pairs += any(r[0] != 200 for r in results)
    return {"pairs": pairs, "pairs_with_a_refusal": refused_pairs, "codes": dict(codes),
            "p50_ms": round(percentile(times, 50) * 1000, 1), "p95_ms": round(percentile(times, 95) * 1000, 1)}


def evidence_and_comment(a: Client, b: Client, ids: list[int], pairs: int) -> dict[str, Any]:
    refused_pairs, codes, times = 0, Counter(), []
    for n in range(pairs):
        first, second = ids[2 * n], ids[2 * n + 1]
        results = together([
            lambda: a.call("POST", f"/api/v1/claims/{first}/evidence", {
                "url": f"https://example.org/source/{n}", "title": f"Harbour records {n}", "stance": "supports"}),
            lambda: b.call("POST", f"/api/v1/claims/{second}/comments", {"body": f"Checked the minutes, {n}."}),
        ])
        codes.update(code_of(r) for r in results)
        times.extend(r[2] for r in results)
        refused_pairs += any(r[0] not in (200, 201) for r in results)
    return {"pairs": pairs, "pairs_with_a_refusal": refused_pairs, "codes": dict(codes),
            "p50_ms": round(percentile(times, 50) * 1000, 1), "p95_ms": round(percentile(times, 95) * 1000, 1)}


class Readers:
    """Reader threads GETting the claim list and single claims until stopped."""

    def __init__(self, reader: Client, ids: list[int], threads: int = 4) -> None:
        self.reader, self.ids, self.codes = reader, ids, Counter()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.loop, args=(n,)) for n in range(threads)]

    def loop(self, n: int) -> None:
        while not self.stop.is_set():
            path = "/api/v1/claims?per_page=20" if n % 2 else f"/api/v1/claims/{random.choice(self.ids)}"
            status, _body, _ = self.reader.call("GET", path)
            self.codes[status] += 1

    def __enter__(self) -> "Readers":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()

    def figures(self) -> dict[str, Any]:
        return {"reads": sum(self.codes.values()),
                "reads_5xx": sum(n for s, n in self.codes.items() if s >= 500 or s == 0),
                "read_codes": {str(k): v for k, v in self.codes.items()}}


def same_version(a: Client, b: Client, ids: list[int]) -> dict[str, Any]:
    """Two PATCHes of the same version on each claim, all fired at once."""
    versions = {claim_id: a.version(claim_id) for claim_id in ids}
    jobs = []
    for claim_id in ids:
        for client, cue in ((a, "said in a statement"), (b, "wrote on social media")):
            jobs.append(lambda c=client, i=claim_id, cue=cue: (i, c.call(
                "PATCH", f"/api/v1/claims/{i}", {"version": versions[i], "cue": f"{cue} {i}"})))
    results = together(jobs)
    by_claim: dict[int, list] = {}
    for claim_id, result in results:
        by_claim.setdefault(claim_id, []).append(result)
    winners = Counter(sum(r[0] == 200 for r in rs) for rs in by_claim.values())
    losers = Counter(code_of(r) for rs in by_claim.values() for r in rs if r[0] != 200)
    return {
        "claims": len(ids), "threads": len(jobs),
        "exactly_one_winner": winners.get(1, 0), "no_winner": winners.get(0, 0), "two_winners": winners.get(2, 0),
        "loser_codes": dict(losers),
    }


def first_get_races_patch(base: str, writer: Client, ids: list[int], email: str, tries: int, url: str) -> dict:
    """A token's first GET (which records its use) at the moment another editor saves."""
    from app import create_app
    from app.auth.service import create_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    with app.app_context():
        secrets_ = [create_token(email, name=f"fresh {n}")[1] for n in range(tries)]
        from app.extensions import db
        db.engine.dispose()
    codes: Counter = Counter()
    for n, secret in enumerate(secrets_):
        fresh = Client(base, secret)
        claim_id = ids[n % len(ids)]
        version = writer.version(claim_id)
        results = together([
            lambda: fresh.call("GET", f"/api/v1/claims/{claim_id}"),
            lambda: writer.call("PATCH", f"/api/v1/claims/{claim_id}", {"version": version, "cue": f"noted {n}"}),
        ])
        codes[code_of(results[0])] += 1
    return {"tries": tries, "read_codes": dict(codes), "reads_not_200": sum(v for k, v in codes.items() if k != "200")}


def run_one(name: str, url: str, args, workdir: Path) -> dict[str, Any]:
    pairs = args.pairs
    print(f"== {name}: preparing {url.split('@')[-1]}", file=sys.stderr)
    desk = prepare_database(url, claims=max(2 * pairs, 4) + pairs + 4)
    ids = desk["claim_ids"]
    port = free_port()
    server = start_gunicorn(url, args.workers, port, workdir / f"gunicorn-{name}.log")
    base = f"http://127.0.0.1:{port}"
    try:
        a, b, reviewer = (Client(base, t) for t in desk["tokens"][:3])
        # Warm-up: each worker loads the embedding model on its first evidence link (once per process).
        for n in range(2 * args.workers):
            a.call("POST", f"/api/v1/claims/{ids[-1 - n]}/evidence",
                   {"url": f"https://example.org/warm/{n}", "title": f"Warm-up {n}", "stance": "context"})
        with Readers(reviewer, ids) as readers:
            print(f"== {name}: different claims", file=sys.stderr)
            different = different_claims(a, b, ids, pairs)
            print(f"== {name}: evidence + comment", file=sys.stderr)
            evidence = evidence_and_comment(a, b, ids[2 * pairs:] + ids, max(1, pairs // 2))
            print(f"== {name}: same version x {pairs}", file=sys.stderr)
            same = same_version(a, b, ids[:pairs])
        print(f"== {name}: first GET racing a PATCH", file=sys.stderr)
        first = first_get_races_patch(base, b, ids[pairs:], desk["fresh_user"], args.first_get_tries, url)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"different_claims": different, "evidence_and_comment": evidence, "same_version": same,
            "reads_during_writes": readers.figures(), "first_get": first}


def print_table(results: dict[str, dict]) -> None:
    rows = [
        ("different claims: pairs with a refusal", lambda r: f"{r['different_claims']['pairs_with_a_refusal']}"
         f" / {r['different_claims']['pairs']}"),
        ("  answers", lambda r: json.dumps(r["different_claims"]["codes"])),
        ("  PATCH p50 / p95 ms", lambda r: f"{r['different_claims']['p50_ms']} / {r['different_claims']['p95_ms']}"),
        ("evidence + comment: pairs with a refusal", lambda r: f"{r['evidence_and_comment']['pairs_with_a_refusal']}"
         f" / {r['evidence_and_comment']['pairs']}"),
        ("  answers", lambda r: json.dumps(r["evidence_and_comment"]["codes"])),
        ("same version: claims with exactly one winner", lambda r: f"{r['same_version']['exactly_one_winner']}"
         f" / {r['same_version']['claims']}"),
        ("  no winner / two winners", lambda r: f"{r['same_version']['no_winner']} / {r['same_version']['two_winners']}"),
        ("  losers' answers", lambda r: json.dumps(r["same_version"]["loser_codes"])),
        ("reads while all that ran: 5xx / reads", lambda r: f"{r['reads_during_writes']['reads_5xx']} / "
         f"{r['reads_during_writes']['reads']}"),
        ("first GET racing a PATCH: not 200 / tries", lambda r: f"{r['first_get']['reads_not_200']} / "
         f"{r['first_get']['tries']}"),
    ]
    names = list(results)
    width = max(len(label) for label, _ in rows) + 2
    print(f"{'':<{width}}" + "".join(f"{n:<40}" for n in names))
    for label, get in rows:
        print(f"{label:<{width}}" + "".join(f"{get(results[n]):<40}" for n in names))


def main(argv=None) -> None:
    args = parse_args(argv)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="claimdesk-concurrency-") as tmp:
        workdir = Path(tmp)
        if not args.no_sqlite:
            results["sqlite"] = run_one("sqlite", f"sqlite:///{workdir / 'bench.db'}", args, workdir)
        if args.postgres_url:
            results["postgresql"] = run_one("postgresql", args.postgres_url, args, workdir)
        else:
            print("(no --postgres-url / BENCH_POSTGRES_URL: PostgreSQL skipped)", file=sys.stderr)
    print_table(results)
    print(json.dumps({"pairs": args.pairs, "workers": args.workers, **results}))


if __name__ == "__main__":
    main()
