"""Ingest jobs on the task queue: the API's 201/202 contract, the job page, retries with
backoff, a consumer killed mid-job, Redis restarting, the CLI.

Consumers are real: huey's consumer in this process's threads (``RunningConsumer``, the
models are already loaded) or ``flask --app app worker`` processes. The queue is the
SQLite file of the test app or Redis (``TEST_REDIS_URL``, a key prefix of this run's own).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Article, Claim, Job, utcnow
from app.tasks import get_huey
from app.tasks.consumer import RunningConsumer
from app.tasks.huey import EXTENSION_KEY, _claim_periodic_slot
from app.tasks.jobs import (
    IngestRequest, consumers_alive, create_job, get_job, run_job, runs_in_process, send, submit_job, wait_for,
    wait_for_all,
)
from tests.conftest import DESK_STORY

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
QUEUES = ("sqlite", "redis")


def story(n: int) -> str:
    """A short article with two attributed quotes; every n gives different text."""
    return (f"Council backs harbour plan number {n}\n\n"
            f"\u201cWe will finish pier number {n} before the summer,\u201d Mayor Anna Berg told reporters.\n\n"
            f"\u201cThe fund has {n * 10 + 100} thousand crowns left,\u201d councillor Carl Dahl said.")


def long_story(paragraphs: int = 120) -> str:
    """An article long enough that its ingest takes seconds (a consumer can be killed mid-job)."""
    return "\n\n".join(story(1000 + n) for n in range(paragraphs))


def wait_until(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def alive() -> int:
    """Consumers alive, read afresh (not from this test's open read transaction)."""
    db.session.rollback()
    return consumers_alive()


def articles_with(text_start: str) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(Article.id)).where(Article.text.startswith(text_start)))


# --- queues and consumers -------------------------------------------------------------------


@pytest.fixture
def fast_recovery(app, monkeypatch):
    """Heartbeats every 0.5 s, a consumer gone after 3 s, retries after 0.2 s then 0.4 s."""
    for key, value in (("CLAIMDESK_HEARTBEAT_SECONDS", 0.5), ("CLAIMDESK_CONSUMER_STALE", 3.0),
                       ("CLAIMDESK_JOB_RETRY_DELAY", 0.2), ("CLAIMDESK_JOB_TRIES", 3)):
        monkeypatch.setitem(app.config, key, value)


def use_queue(app, monkeypatch, kind: str, url: str = REDIS_URL):
    """Point the app at the SQLite queue or at Redis (this run's own key prefix), emptied."""
    if kind == "redis":
        monkeypatch.setitem(app.config, "CLAIMDESK_QUEUE_URL", url)
        monkeypatch.setitem(app.config, "CLAIMDESK_QUEUE_NAME", f"claimdesk-test-{os.getpid()}")
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, None)
    huey = get_huey(app)
    huey.flush()
    return huey


@pytest.fixture(params=QUEUES)
def queue(request, app, monkeypatch, fast_recovery):
    huey = use_queue(app, monkeypatch, request.param)
    yield request.param
    huey.flush()


@pytest.fixture
def consumer(app, queue):
    with RunningConsumer(app) as running:
        yield running


def worker_process(app, log: Path) -> subprocess.Popen:
    """``flask --app app worker`` against the tests' database and queue."""
    config = app.config
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "jobs-test",
           "CLAIMDESK_QUEUE_URL": config["CLAIMDESK_QUEUE_URL"], "CLAIMDESK_QUEUE_NAME": config["CLAIMDESK_QUEUE_NAME"],
           "CLAIMDESK_ANN_DIR": config["CLAIMDESK_ANN_DIR"], "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           **{key: str(config[key]) for key in ("CLAIMDESK_HEARTBEAT_SECONDS", "CLAIMDESK_CONSUMER_STALE",
                                                "CLAIMDESK_JOB_RETRY_DELAY", "CLAIMDESK_JOB_TRIES")}}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("w"))


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- in-process when nobody consumes ----------------------------------------------------------


def test_without_a_consumer_the_api_ingests_in_process_and_records_the_job(client, editor, token_for):
    assert runs_in_process()
    response = client.post("/api/v1/articles", json={"text": DESK_STORY, "title": "In process"},
                           headers=token_for(editor))
    assert response.status_code == 201
    body = response.get_json()
    job = db.session.scalars(sa.select(Job)).one()
    assert (job.status, job.article_id, job.claims, job.source) == ("done", body["id"], len(body["claims"]), "api")
    assert job.text is None  # the input is dropped once the article holds it
    got = client.get(f"/api/v1/jobs/{job.id}", headers=token_for(editor)).get_json()
    assert got["status"] == "done" and got["article"] == {"id": body["id"]} and got["claims"] == len(body["claims"])
    assert got["error"] is None and got["finished_at"] and got["created_at"]


def test_a_refused_ingest_answers_as_before_and_the_job_keeps_the_error(client, editor, token_for):
    response = client.post("/api/v1/articles", json={"text": "   "}, headers=token_for(editor))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "empty_text"
    job = db.session.scalars(sa.select(Job)).one()
    assert job.status == "failed" and job.error_code == "empty_text" and job.attempts == 1
    got = client.get(f"/api/v1/jobs/{job.id}", headers=token_for(editor)).get_json()
    assert got["error"]["code"] == "empty_text" and got["article"] is None


def test_an_unknown_job_is_404(client, editor, token_for):
    response = client.get("/api/v1/jobs/nope", headers=token_for(editor))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


# --- on a consumer --------------------------------------------------------------------------------


def test_a_job_done_within_the_wait_answers_201(client, editor, token_for, consumer):
    wait_until(alive, what="the consumer's heartbeat")
    assert not runs_in_process()
    response = client.post("/api/v1/articles", json={"text": DESK_STORY}, headers=token_for(editor))
    assert response.status_code == 201, response.get_json()
    job = db.session.scalars(sa.select(Job)).one()
    assert job.consumer_id is not None and job.status == "done" and job.claims == len(response.get_json()["claims"])


def test_a_slow_job_answers_202_and_its_url_follows_it(app, client, editor, token_for, consumer, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIMDESK_INGEST_WAIT", 0)
    wait_until(alive, what="the consumer's heartbeat")
    response = client.post("/api/v1/articles", json={"text": story(1)}, headers=token_for(editor))
    assert response.status_code == 202
    job = response.get_json()["job"]
    assert set(job) == {"id", "status", "url"} and job["status"] in ("queued", "running")
    assert response.headers["Location"] == job["url"] == f"/api/v1/jobs/{job['id']}"
    got = wait_until(lambda: (lambda body: body if body["status"] == "done" else None)(
        client.get(job["url"], headers=token_for(editor)).get_json()), what="the job")
    assert got["claims"] == 2 and got["error"] is None
    assert db.session.get(Article, got["article"]["id"]).text.startswith("Council backs harbour plan number 1\n")


def test_the_form_goes_to_a_job_page_when_the_job_is_slow(app, client, auth, editor, consumer, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIMDESK_INGEST_WAIT", 0)
    wait_until(alive, what="the consumer's heartbeat")
    auth.login(editor)
    response = client.post("/ingest", data={"text": story(2), "title": "Pier plan"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/jobs/")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and b"Ingesting Pier plan" in page.data and b"js/job.js" in page.data
    status_url = response.headers["Location"] + "/status"
    done = wait_until(lambda: (lambda b: b if b["status"] == "done" else None)(client.get(status_url).get_json()),
                      what="the job")
    assert done["article_url"] == f"/articles/{done['article']['id']}"
    listing = client.get("/jobs").get_data(as_text=True)
    assert "Pier plan" in listing and "done" in listing and "1 consumer running" in listing


def test_with_redis_jobs_always_go_to_the_consumers(app, client, editor, token_for, monkeypatch, fast_recovery):
    use_queue(app, monkeypatch, "redis")
    monkeypatch.setitem(app.config, "CLAIMDESK_INGEST_WAIT", 0.2)
    try:
        assert not runs_in_process() and consumers_alive() == 0
        response = client.post("/api/v1/articles", json={"text": story(3)}, headers=token_for(editor))
        assert response.status_code == 202 and response.get_json()["job"]["status"] == "queued"
        assert get_huey(app).pending_count() == 1 and articles_with("Council") == 0
        with RunningConsumer(app):  # a consumer arrives: the waiting job is done
            job = wait_for(response.get_json()["job"]["id"], 60)
        assert job.status == "done" and job.claims == 2
    finally:
        get_huey(app).flush()


# --- failures: retries with backoff, refusals ---------------------------------------------------


class FlakyHandler(BaseHTTPRequestHandler):
    """``/fail/<n>/<key>``: 503 for the first n requests of each key, then an article."""

    seen: dict[str, int] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        _, _, n, key = self.path.split("/")
        FlakyHandler.seen[key] = FlakyHandler.seen.get(key, 0) + 1
        if FlakyHandler.seen[key] <= int(n):
            body, status = b"<html><body>down for maintenance</body></html>", 503
        else:
            body, status = (f"<!doctype html><html><head><title>Pier {key}</title></head><body><article>"
                            f"<h1>Pier {key}</h1><p>{story(len(key))}</p></article></body></html>").encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def flaky_web(app, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIMDESK_FETCH_ALLOWED_HOSTS", ("127.0.0.1",))
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_passing_failure_is_retried_with_backoff(flaky_web, editor, consumer, queue):
    job = submit_job(IngestRequest(url=f"{flaky_web}/fail/2/{queue}-passing", user_id=editor.id), wait=60)
    assert job.status == "done" and job.attempts == 3 and job.error_code is None
    assert job.claims == db.session.scalar(sa.select(sa.func.count(Claim.id)).where(
        Claim.article_id == job.article_id)) > 0
    assert FlakyHandler.seen[f"{queue}-passing"] == 3


def test_a_lasting_failure_fails_after_three_tries_with_its_error(flaky_web, editor, consumer, queue):
    job = submit_job(IngestRequest(url=f"{flaky_web}/fail/9/{queue}-lasting", user_id=editor.id), wait=60)
    assert job.status == "failed" and job.attempts == 3
    assert job.error_code == "fetch_failed" and "503" in job.error_message and job.finished_at
    assert FlakyHandler.seen[f"{queue}-lasting"] == 3


def test_a_refusal_is_not_retried(editor, consumer, make_article):
    existing = make_article(story(4), title="Already here")
    job = submit_job(IngestRequest(text=story(4), user_id=editor.id), wait=60)
    assert (job.status, job.attempts, job.error_code) == ("failed", 1, "duplicate_article")
    assert job.error_details == {"existing_id": existing.id}


# --- a consumer killed mid-job; Redis restarting ---------------------------------------------


@pytest.mark.slow
def test_a_consumer_killed_mid_job_leaves_it_to_the_next_and_the_article_is_stored_once(
        app, editor, queue, tmp_path):
    first = worker_process(app, tmp_path / "first.log")
    try:
        wait_until(alive, 180, "the first consumer to start")
        job = create_job(IngestRequest(text=long_story(), user_id=editor.id))
        send(job.id)
        wait_until(lambda: get_job(job.id).status == "running", 60, "the job to start")
        time.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert get_job(job.id).status == "running"  # killed mid-job: nothing stored, the job still held
        assert articles_with("Council backs harbour plan number 1000\n") == 0
        with RunningConsumer(app):  # the next consumer sees the first one stop beating and takes the job
            done = wait_for(job.id, 120)
        assert done.status == "done" and done.attempts == 2, (done.status, done.error_message,
                                                              (tmp_path / "first.log").read_text()[-2000:])
        assert articles_with("Council backs harbour plan number 1000\n") == 1
        assert db.session.scalar(sa.select(sa.func.count(Claim.id)).where(Claim.article_id == done.article_id)) == \
            done.claims > 100
    finally:
        stop(first)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(port: int, folder: Path) -> subprocess.Popen:
    process = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
                                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    wait_until(answers, 20, "redis-server to start")
    return process


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to run a private one")
def test_consumers_reconnect_after_redis_restarts(app, editor, monkeypatch, fast_recovery, tmp_path):
    port = free_port()
    redis = start_redis(port, tmp_path)
    try:
        use_queue(app, monkeypatch, "redis", url=f"redis://127.0.0.1:{port}/0")
        with RunningConsumer(app):
            assert submit_job(IngestRequest(text=story(5), user_id=editor.id), wait=60).status == "done"
            redis.terminate()
            redis.wait()
            time.sleep(1.5)  # the consumer's worker and scheduler fail to read meanwhile
            redis = start_redis(port, tmp_path)
            job = submit_job(IngestRequest(text=story(6), user_id=editor.id), wait=60)
            assert job.status == "done" and job.claims == 2
    finally:
        redis.terminate()
        redis.wait()


def test_a_job_lost_with_the_queue_is_sent_again(app, editor, monkeypatch, fast_recovery):
    """Redis keeps nothing on disk here: a restart loses the queued messages, not the jobs."""
    huey = use_queue(app, monkeypatch, "redis")
    try:
        job = create_job(IngestRequest(text=story(7), user_id=editor.id))
        send(job.id)
        huey.flush()  # what a restart of a Redis without persistence does to the queue
        db.session.execute(sa.update(Job).where(Job.id == job.id).values(updated_at=utcnow() - timedelta(seconds=10)))
        db.session.commit()  # queued for longer than CLAIMDESK_CONSUMER_STALE
        with RunningConsumer(app):
            assert wait_for(job.id, 60).status == "done"
    finally:
        huey.flush()


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_enqueues_and_waits_with_a_consumer(runner, tmp_path, consumer):
    wait_until(alive, what="the consumer's heartbeat")
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"a{n}.txt").write_text(story(20 + n), encoding="utf-8")
    (folder / "dup.txt").write_text(story(20), encoding="utf-8")
    result = runner.invoke(args=["ingest", str(folder)])
    assert "3 ingested, 1 duplicates, 0 failed; 6 claims added." in result.output, result.output
    assert {job.consumer_id for job in db.session.scalars(sa.select(Job))} != {None}


def test_cli_no_wait_queues_and_returns(runner, tmp_path, app, monkeypatch, fast_recovery):
    use_queue(app, monkeypatch, "sqlite")
    path = tmp_path / "one.txt"
    path.write_text(story(30), encoding="utf-8")
    result = runner.invoke(args=["ingest", "--no-wait", str(path)])
    assert result.exit_code == 0 and "1 jobs queued." in result.output
    job = db.session.scalars(sa.select(Job)).one()
    assert job.status == "queued" and job.source == "cli" and job.filename == "one.txt"
    assert articles_with("Council") == 0
    assert run_job(job.id, consumer_id=None) == "done" and articles_with("Council") == 1


def test_cli_sync_runs_in_process(runner, tmp_path, consumer):
    wait_until(alive, what="the consumer's heartbeat")
    path = tmp_path / "one.txt"
    path.write_text(story(31), encoding="utf-8")
    result = runner.invoke(args=["ingest", "--sync", str(path)])
    assert "1 ingested, 0 duplicates, 0 failed; 2 claims added." in result.output
    assert db.session.scalars(sa.select(Job)).all() == []  # no job: straight through submit


# --- periodic tasks ---------------------------------------------------------------------------


def test_a_periodic_task_runs_once_per_slot_whatever_the_number_of_consumers(app):
    assert _claim_periodic_slot("tests.tick") is True
    assert _claim_periodic_slot("tests.tick") is False  # the second consumer's scheduler, same minute


# --- across machines: two consumer processes on Redis, one database ------------------------------


@pytest.mark.slow
def test_two_consumer_processes_on_redis_store_each_article_once(app, editor, monkeypatch, fast_recovery, tmp_path):
    """The README's "Running on several machines" in small: the database is PostgreSQL when
    ``TEST_DATABASE_URL`` is. Each article is sent twice; both consumers take jobs (one job a
    run: taking queued jobs along, tested below, would let the first consumer take them all)."""
    monkeypatch.setenv("CLAIMDESK_JOB_BATCH", "1")  # read by the consumer processes' config
    huey = use_queue(app, monkeypatch, "redis")
    workers = [worker_process(app, tmp_path / f"consumer-{n}.log") for n in range(2)]
    try:
        wait_until(lambda: alive() >= 2, 240, "two consumers to start")
        texts = [story(100 + n) for n in range(8)]
        ids = []
        for text in texts + texts:
            job = create_job(IngestRequest(text=text, user_id=editor.id))
            send(job.id)
            ids.append(job.id)
        jobs = wait_for_all(ids)
        assert sorted(job.status for job in jobs) == ["done"] * 8 + ["failed"] * 8
        assert {job.error_code for job in jobs if job.status == "failed"} == {"duplicate_article"}
        assert len({job.consumer_id for job in jobs}) == 2, "both consumers took jobs"
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 8
        assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Article.sha256)))) == 8
        assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 16
    finally:
        for process in workers:
            stop(process)
        huey.flush()


# --- several jobs at once ----------------------------------------------------------------------


def test_a_run_takes_other_queued_text_jobs_along_and_stores_each_as_alone(app, editor):
    """One spaCy pass and one encode over several queued jobs (``CLAIMDESK_JOB_BATCH``); each
    job still runs, and stores, as it would have alone. Jobs of an address, of a file, or
    waiting for their retry are left to their own messages."""
    from app.ingest import normalise_text
    from app.ingest.service import get_extractor
    from app.tasks.jobs import run_queued_job, take_more

    texts = [story(710 + n) for n in range(3)]
    jobs = [create_job(IngestRequest(text=text, user_id=editor.id, source="api")) for text in texts]
    by_url = create_job(IngestRequest(url="https://example.org/news/1", user_id=editor.id))
    retrying = create_job(IngestRequest(text=story(720), user_id=editor.id))
    db.session.execute(sa.update(Job).where(Job.id == retrying.id).values(attempts=1))
    db.session.commit()
    ids = [job.id for job in jobs]

    run_queued_job(ids[0])

    db.session.rollback()
    for job_id, text in zip(ids, texts):
        job = get_job(job_id)
        assert job.status == "done" and job.attempts == 1, (job.status, job.error_message)
        stored = list(db.session.scalars(sa.select(Claim.content).where(Claim.article_id == job.article_id)
                                         .order_by(Claim.start, Claim.id)))
        alone = [quote.content for quote in get_extractor().extract(normalise_text(text))]
        assert stored == alone and len(stored) == job.claims == 2
    assert get_job(by_url.id).status == "queued" and get_job(retrying.id).status == "queued"
    assert run_job(ids[1], consumer_id=None) is None  # its own message finds it done
    assert take_more(by_url.id, None) == []  # neither the address nor the retry is taken along
