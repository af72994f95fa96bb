"""Bench: PolNeAR train articles ingested through the task queue, against bare NLP.

Usage (from the repo root):
    python bench/ingest.py [--n 1000] [--consumers 1 2] [--setups sqlite postgres]
                           [--postgres-url URL] [--redis-url URL]

For each setup (``sqlite``: a fresh SQLite desk + SqliteHuey in a temporary folder;
``postgres``: PostgreSQL (``--postgres-url``, a database of the bench's own, created if
missing, ITS SCHEMA IS DROPPED) + RedisHuey on ``--redis-url`` under a queue name of its own)
and each number of consumers, the desk is migrated, ``flask --app app worker`` processes
are started and waited for (their model loading is not timed), then the first ``--n``
distinct articles of ``../shared/eval/polnear_train.jsonl`` (839 there) are queued as jobs
at once. Timed: from the first job queued to the last one finished (articles/s). Meanwhile
a signed-in editor opens the queue page every 0.25 s through the app in this process
(server-side time: no network, no client) for its p50/p95.

Then, in this process and on the same texts, the bare work: ``nlp.pipe`` over the texts
with the engine's spaCy pipeline and ``model.encode`` of the claims the desk stored
(``ratio`` = queue articles/s / bare articles/s; the target is >= 0.8 with one consumer).
The consumers' CPU seconds over the run and the bare work's are printed too, and their
ratio per article (``cpu_ratio_to_bare``): on a machine shared with other work, whose load
changes between the runs and the bare pass, it shows the overhead alone.

Prints a table; the LAST line is one JSON object with every figure.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for _name, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("OMP_NUM_THREADS", "1"),
                      ("OPENBLAS_NUM_THREADS", "1")):
    os.environ.setdefault(_name, _value)
SHARED_EVAL = next((p / "shared" / "eval" for p in ROOT.parents[:2] if (p / "shared" / "eval").is_dir()),
                   ROOT.parent / "shared" / "eval")
POLNEAR = SHARED_EVAL / "polnear_train.jsonl"
PASSWORD = "bench password 4711 kept"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="articles (at most the 839 distinct ones in the file)")
    parser.add_argument("--consumers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--setups", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--postgres-url", default=os.environ.get(
        "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/cd_bench_ingest"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    return parser.parse_args(argv)


def load_texts(n: int) -> list[str]:
    seen: dict[str, None] = {}
    with POLNEAR.open(encoding="utf-8") as handle:
        for line in handle:
            seen.setdefault(json.loads(line)["text"], None)
            if len(seen) >= n:
                break
    return list(seen)


# --- a desk ------------------------------------------------------------------------------------

def fresh_database(setup: str, tmp: Path, postgres_url: str) -> str:
    if setup == "sqlite":
        return f"sqlite:///{tmp / 'desk.db'}"
    import psycopg
    import sqlalchemy as sa

    base, _, name = postgres_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    engine = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return postgres_url


def desk_settings(setup: str, tmp: Path, db_url: str, redis_url: str) -> dict[str, Any]:
    queue = redis_url if setup == "postgres" else f"sqlite:///{tmp / 'queue.db'}"
    return {"SQLALCHEMY_DATABASE_URI": db_url, "CLAIMDESK_ANN_DIR": str(tmp / "ann"), "CLAIMDESK_QUEUE_URL": queue,
            "CLAIMDESK_QUEUE_NAME": f"claimdesk-bench-{os.getpid()}-{tmp.name}", "CLAIMDESK_HEARTBEAT_SECONDS": 2}


def start_consumers(settings: dict[str, Any], count: int, tmp: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "DATABASE_URL": settings["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "bench",
           "CLAIMDESK_ANN_DIR": settings["CLAIMDESK_ANN_DIR"], "CLAIMDESK_QUEUE_URL": settings["CLAIMDESK_QUEUE_URL"],
           "CLAIMDESK_QUEUE_NAME": settings["CLAIMDESK_QUEUE_NAME"],
           "CLAIMDESK_HEARTBEAT_SECONDS": str(settings["CLAIMDESK_HEARTBEAT_SECONDS"])}
    return [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=(tmp / f"consumer-{n}.log").open("w"))
            for n in range(count)]


def run_setup(setup: str, consumers: int, texts: list[str], args) -> dict[str, Any]:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import Claim, Job, User
    from app.tasks import get_huey
    from app.tasks.jobs import IngestRequest, consumers_alive, create_job, send

    tmp = Path(tempfile.mkdtemp(prefix=f"ingest-bench-{setup}-{consumers}-"))
    settings = desk_settings(setup, tmp, fresh_database(setup, tmp, args.postgres_url), args.redis_url)
    app = create_app({**settings, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        editor = User(email="bench@example.org", name="Bench Editor", role="editor")
        editor.set_password(PASSWORD)
        db.session.add(editor)
        db.session.commit()
        editor_id = editor.id
        get_huey(app).flush()
    processes = start_consumers(settings, consumers, tmp)
    try:
        with app.app_context():
            deadline = time.monotonic() + 600
            while consumers_alive() < consumers:
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    raise SystemExit(f"consumers did not start: see {tmp}/consumer-*.log")
                time.sleep(0.5)
                db.session.rollback()
        page_times: list[float] = []
        stop = threading.Event()
        watcher = threading.Thread(target=open_queue_page, args=(app, stop, page_times), daemon=True)
        watcher.start()
        with app.app_context():
            started = time.monotonic()
            cpu_started = cpu_seconds(processes)
            ids = []
            for text in texts:
                job = create_job(IngestRequest(text=text, user_id=editor_id, source="cli"))
                send(job.id)
                ids.append(job.id)
            while True:
                db.session.rollback()
                finished = db.session.scalar(sa.select(sa.func.count(Job.id)).where(Job.status.in_(("done", "failed"))))
                if finished >= len(ids):
                    break
                time.sleep(0.2)
            elapsed = time.monotonic() - started
            consumer_cpu = cpu_seconds(processes) - cpu_started if cpu_started is not None else None
            stop.set()
            watcher.join()
            done = db.session.scalar(sa.select(sa.func.count(Job.id)).where(Job.status == "done"))
            failed = db.session.execute(sa.select(Job.error_code, sa.func.count(Job.id)).where(Job.status == "failed")
                                        .group_by(Job.error_code)).all()
            claims = list(db.session.scalars(sa.select(Claim.content)))
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with app.app_context():
            get_huey(app).flush()
    page_times.sort()
    return {"setup": setup, "consumers": consumers, "articles": done, "failed": dict(failed), "claims": len(claims),
            "seconds": round(elapsed, 1), "articles_per_s": round(done / elapsed, 3),
            "consumer_cpu_s": round(consumer_cpu, 1) if consumer_cpu is not None else None,
            "queue_page_requests": len(page_times),
            "queue_page_p50_ms": round(1000 * statistics.median(page_times), 1) if page_times else None,
            "queue_page_p95_ms": round(1000 * page_times[int(0.95 * (len(page_times) - 1))], 1) if page_times else None,
            "_claim_texts": claims}


def cpu_seconds(processes: list[subprocess.Popen]) -> float | None:
    """CPU time (user + system) the processes have used so far; None where /proc is missing."""
    try:
        total = 0
        for process in processes:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def open_queue_page(app, stop: threading.Event, times: list[float]) -> None:
    """A signed-in editor opening /queue every 0.25 s; server-side time (the app in-process)."""
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "bench@example.org", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    while not stop.is_set():
        start = time.perf_counter()
        response = client.get("/queue")
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        times.append(elapsed)
        stop.wait(0.25)


def bare(texts: list[str], claim_texts: list[str]) -> dict[str, Any]:
    """The NLP alone, in this process: the engine's spaCy pipeline over the texts, the
    embedder over the claims the desk stored."""
    from app.extraction.engine import load_pipeline
    from app.similarity import get_embedder
    from config import Config

    nlp = load_pipeline(Config.CLAIMDESK_SPACY_MODEL)
    model = get_embedder(Config.CLAIMDESK_EMBEDDING_MODEL)
    list(nlp.pipe(texts[:5]))
    model.encode(["warm up"])
    started, cpu_started = time.monotonic(), time.process_time()
    for _doc in nlp.pipe(texts, batch_size=16):
        pass
    parsed = time.monotonic()
    model.encode(claim_texts)
    encoded = time.monotonic()
    elapsed = encoded - started
    return {"seconds": round(elapsed, 1), "nlp_pipe_s": round(parsed - started, 1),
            "encode_s": round(encoded - parsed, 1), "claims": len(claim_texts),
            "articles_per_s": round(len(texts) / elapsed, 3), "cpu_s": round(time.process_time() - cpu_started, 1)}


def main(argv=None) -> None:
    args = parse_args(argv)
    texts = load_texts(args.n)
    print(f"{len(texts)} distinct PolNeAR train articles ({sum(map(len, texts)):,} characters)", flush=True)
    runs = []
    for setup in args.setups:
        for consumers in args.consumers:
            print(f"... {setup}, {consumers} consumer(s)", flush=True)
            runs.append(run_setup(setup, consumers, texts, args))
            print("    " + json.dumps({k: v for k, v in runs[-1].items() if not k.startswith("_")}), flush=True)
    claim_texts = runs[0].pop("_claim_texts")
    for run in runs[1:]:
        run.pop("_claim_texts")
    baseline = bare(texts, claim_texts)
    for run in runs:
        run["ratio_to_bare"] = round(run["articles_per_s"] / baseline["articles_per_s"], 3)
        # CPU seconds per article, bare against the consumers': what the wall-clock ratio is
        # when the machine's other load is left out (a shared machine's load changes by the minute).
        run["cpu_ratio_to_bare"] = (round(baseline["cpu_s"] / run["consumer_cpu_s"] * run["articles"] / len(texts), 3)
                                    if run.get("consumer_cpu_s") else None)
    print()
    print(f"{'setup':<22}{'consumers':>10}{'articles':>9}{'seconds':>9}{'art/s':>8}{'x bare':>8}"
          f"{'queue p50':>11}{'queue p95':>11}{'CPU s':>8}{'CPU x bare':>11}")
    names = {"sqlite": "SQLite + SqliteHuey", "postgres": "PostgreSQL + Redis"}
    for run in runs:
        print(f"{names[run['setup']]:<22}{run['consumers']:>10}{run['articles']:>9}{run['seconds']:>9}"
              f"{run['articles_per_s']:>8}{run['ratio_to_bare']:>8}{run['queue_page_p50_ms']:>9} ms"
              f"{run['queue_page_p95_ms']:>8} ms{str(run['consumer_cpu_s']):>8}{str(run['cpu_ratio_to_bare']):>11}")
    print(f"{'bare nlp.pipe + encode':<22}{'':>10}{len(texts):>9}{baseline['seconds']:>9}"
          f"{baseline['articles_per_s']:>8}{1.0:>8}{'':>22}{baseline['cpu_s']:>8}{1.0:>11}")
    load = os.getloadavg()
    print(json.dumps({"n": len(texts), "runs": runs, "bare": baseline, "loadavg": [round(x, 1) for x in load]}))


if __name__ == "__main__":
    main()
