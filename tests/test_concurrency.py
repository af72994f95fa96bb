"""Two editors at once (issue 12 §1), over real HTTP against the threaded live server.

Saves on different claims never refuse each other; two saves of the same version of a
claim have exactly one winner; reads never fail while writes run; ``busy`` is the answer
only once the busy timeout has passed. Threads are released together by a barrier. The
same tests run on SQLite (WAL, BEGIN IMMEDIATE) and on PostgreSQL. bench/concurrency.py
measures the same at full scale under gunicorn.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any, Callable, Optional

import pytest
import sqlalchemy as sa

from app import create_app
from app.related.service import embedder
from app.errors import Busy
from app.extensions import db
from app.models import Article, AuditEvent, Claim, Comment, User
from app.workflow import service

PAIRS = 6


def call(base: str, method: str, path: str, headers: dict, body: Optional[dict] = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={**headers, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, {"raw": raw[:300].decode("utf-8", "replace")}


def together(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in threads released at the same moment; their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        barrier.wait()
        results[i] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def claim_ids(app) -> list[int]:
    """Claims in progress on one article, built as rows (no extraction needed here)."""
    text, spans = "", []
    for n in range(3 * PAIRS + 2):
        quote = f"We will finish pier number {n} before the summer"
        spans.append((quote, len(text) + 1, len(text) + 1 + len(quote)))
        text += f"\u201c{quote},\u201d Mayor Anna Berg said on day {n}.\n\n"
    article = Article(title="Harbour", text=text, sha256="c" * 64, source="seed")
    db.session.add(article)
    claims = [Claim(article=article, content=q, kind="direct", start=s, end=e, status="in_progress", cue="said")
              for q, s, e in spans]
    db.session.add_all(claims)
    db.session.commit()
    return [c.id for c in claims]


def versions(ids: list[int]) -> dict[int, int]:
    db.session.rollback()  # a fresh read of what the server wrote
    return dict(db.session.execute(sa.select(Claim.id, Claim.version).where(Claim.id.in_(ids))).all())


def test_saves_on_different_claims_at_the_same_moment_are_never_refused(
        live_server, claim_ids, editor, editor2, token_for):
    one, two = token_for(editor), token_for(editor2)
    before = versions(claim_ids)
    for n in range(PAIRS):
        a, b = claim_ids[2 * n], claim_ids[2 * n + 1]
        results = together([
            lambda: call(live_server.url, "PATCH", f"/api/v1/claims/{a}", one, {"version": before[a], "cue": "told"}),
            lambda: call(live_server.url, "PATCH", f"/api/v1/claims/{b}", two, {"version": before[b], "cue": "wrote"}),
        ])
        assert [status for status, _ in results] == [200, 200], results
    after = versions(claim_ids)
    assert all(after[i] == before[i] + 1 for i in claim_ids[:2 * PAIRS])


def test_evidence_on_one_claim_and_a_comment_on_another_at_once(live_server, claim_ids, editor, editor2, token_for):
    embedder()  # the model loads once per process; not inside the timed-out write lock
    one, two = token_for(editor), token_for(editor2)
    for n in range(PAIRS // 2):
        a, b = claim_ids[2 * n], claim_ids[2 * n + 1]
        results = together([
            lambda: call(live_server.url, "POST", f"/api/v1/claims/{a}/evidence", one,
                         {"url": f"https://example.org/minutes/{n}", "title": f"Council minutes {n}",
                          "stance": "supports"}),
            lambda: call(live_server.url, "POST", f"/api/v1/claims/{b}/comments", two, {"body": f"Checked {n}."}),
        ])
        assert [status for status, _ in results] == [201, 201], results
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == PAIRS // 2


def test_two_saves_of_the_same_version_have_exactly_one_winner(live_server, claim_ids, editor, editor2, token_for):
    one, two = token_for(editor), token_for(editor2)
    ids = claim_ids[:PAIRS]
    before = versions(ids)
    jobs = []
    for claim_id in ids:
        for headers, cue in ((one, "told reporters"), (two, "tweeted")):
            jobs.append(lambda h=headers, i=claim_id, cue=cue: (i, call(
                live_server.url, "PATCH", f"/api/v1/claims/{i}", h, {"version": before[i], "cue": cue})))
    outcomes: dict[int, list] = {}
    for claim_id, (status, body) in together(jobs):
        outcomes.setdefault(claim_id, []).append((status, body.get("error", {}).get("code")))
    for claim_id, answers in outcomes.items():
        assert sorted(answers) == [(200, None), (409, "stale_version")], (claim_id, answers)
    after = versions(ids)
    assert all(after[i] == before[i] + 1 for i in ids)
    edits = db.session.scalars(sa.select(AuditEvent.claim_id).where(
        AuditEvent.action == "claim_edited", AuditEvent.claim_id.in_(ids))).all()
    assert sorted(edits) == sorted(ids)  # one history event per claim: the winner's


def test_reads_never_fail_while_writes_run(live_server, claim_ids, editor, editor2, make_user, token_for):
    """Each reader's token is new, so its first GET also records the token's use (a write)."""
    writer = token_for(editor)
    readers = [token_for(make_user("editor")) for _ in range(PAIRS)]
    before = versions(claim_ids)
    jobs: list[Callable[[], Any]] = []
    for n, claim_id in enumerate(claim_ids[:PAIRS]):
        jobs.append(lambda i=claim_id: ("write", call(
            live_server.url, "PATCH", f"/api/v1/claims/{i}", writer, {"version": before[i], "kind": "partial"})))
        path = f"/api/v1/claims/{claim_id}" if n % 2 else "/api/v1/claims?per_page=5"
        jobs.append(lambda h=readers[n], p=path: ("read", call(live_server.url, "GET", p, h)))
    results = together(jobs)
    assert [status for kind, (status, _) in results if kind == "read"] == [200] * PAIRS, results
    assert [status for kind, (status, _) in results if kind == "write"] == [200] * PAIRS, results


# --- the busy timeout (SQLite's write lock) ------------------------------------------------------

def _sqlite_only():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the write lock and its timeout are SQLite's")


def _hold_write_lock():
    """Another process's writer, as far as SQLite can tell."""
    other = db.engine.raw_connection()
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_save_waits_for_another_save_to_finish_instead_of_failing(app, claim_ids, editor):
    _sqlite_only()
    claim_id, user_id = claim_ids[0], editor.id
    version = versions([claim_id])[claim_id]
    db.session.remove()
    other = _hold_write_lock()
    outcome: dict[str, Any] = {}
    started = threading.Event()

    def save() -> None:
        with app.app_context():
            started.set()
            try:
                service.dismiss(claim_id, user=db.session.get(User, user_id), reason="Opinion.", version=version)
                outcome["status"] = "saved"
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                outcome["status"] = repr(exc)

    thread = threading.Thread(target=save)
    thread.start()
    started.wait()
    thread.join(timeout=0.5)  # the save is waiting for the lock now (the timeout is 10 s)
    other.execute("ROLLBACK")
    other.close()
    thread.join()
    assert outcome["status"] == "saved"
    db.session.rollback()
    assert db.session.scalar(sa.select(Claim.status).where(Claim.id == claim_id)) == "dismissed"


def test_busy_is_the_answer_only_after_the_timeout_and_writes_nothing(app, claim_ids, editor):
    _sqlite_only()
    claim_id, user_id = claim_ids[0], editor.id
    version = versions([claim_id])[claim_id]
    impatient = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "CLAIMDESK_SQLITE_BUSY_TIMEOUT": 0.2})
    db.session.remove()
    other = _hold_write_lock()
    try:
        with impatient.app_context():
            user = db.session.get(User, user_id)
            with pytest.raises(Busy, match="same moment"):
                service.dismiss(claim_id, user=user, reason="Opinion.", version=version)
            db.engine.dispose()
    finally:
        other.execute("ROLLBACK")
        other.close()
    db.session.rollback()
    assert db.session.scalar(sa.select(Claim.status).where(Claim.id == claim_id)) == "in_progress"
    assert versions([claim_id])[claim_id] == version
