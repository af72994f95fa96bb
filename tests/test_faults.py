"""Faults: an ingest killed mid-run, and PostgreSQL restarting under a serving app.

These tests assert what is stored and what the app answers, never how long it takes.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Article, AuditEvent, Claim, Embedding

ROOT = Path(__file__).resolve().parent.parent
QUOTES_PER_ARTICLE = 2
TOWNS = ["Arden", "Belmont", "Calder", "Dunmore", "Elston", "Fairholm", "Glenrock", "Hartwell", "Ivybridge",
         "Juniper"]
NAMES = ["Anna Berg", "Carl Dahl", "Eva Falk", "Gustav Holm", "Ida Lund", "Johan Moberg", "Karin Nyberg",
         "Lars Ek", "Maja Sund", "Nils Wall"]


def article_text(n: int) -> str:
    """A small article with two attributed quotes; every n gives different text."""
    town, mayor, councillor = TOWNS[n % 10], NAMES[n % 10], NAMES[(n + 3) % 10]
    return (
        f"{town} council backs plan number {n} for the harbour\n\n"
        f"\u201cWe will finish the new pier number {n} before the summer,\u201d Mayor {mayor} told reporters"
        f" on Monday.\n\n"
        f"The vote passed by {n + 5} votes to {n % 4}.\n\n"
        f"\u201cThe harbour fund has {n * 10 + 100} thousand crowns left for repairs,\u201d councillor"
        f" {councillor} said."
    )


def write_articles(folder: Path, count: int = 50) -> None:
    folder.mkdir()
    for n in range(count):
        (folder / f"article-{n:02d}.txt").write_text(article_text(n), encoding="utf-8")


def ingest_command(app, folder: Path) -> subprocess.Popen:
    """``flask --app app ingest FOLDER`` in its own process, against the tests' database."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "fault-test",
           "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "ingest", str(folder)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stored_articles() -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count(Article.id))).scalar_one()


def check_every_article_is_whole() -> int:
    """Each stored article has all its claims, their vectors and history; no claim is orphaned.
    Returns how many articles are stored."""
    db.session.rollback()
    articles = db.session.scalars(sa.select(Article)).all()
    for article in articles:
        claims = db.session.scalars(sa.select(Claim).where(Claim.article_id == article.id)).all()
        assert len(claims) == QUOTES_PER_ARTICLE, (article.title, [c.content for c in claims])
        logged = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.article_id == article.id, AuditEvent.action == "article_ingested"))
        assert logged is not None and logged.after["claims"] == len(claims), article.title
        ids = [c.id for c in claims]
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.claim_id.in_(ids), AuditEvent.action == "claim_extracted")) == len(claims)
        assert db.session.scalar(sa.select(sa.func.count(Embedding.id)).where(
            Embedding.owner_kind == "claim", Embedding.owner_id.in_(ids))) == len(claims)
    total_claims = db.session.scalar(sa.select(sa.func.count(Claim.id)))
    assert total_claims == QUOTES_PER_ARTICLE * len(articles), "claims without their article"
    return len(articles)


def test_article_text_yields_two_quotes_each(app):
    from app.ingest.service import get_extractor

    for n in (0, 7, 49):
        assert len(get_extractor().extract(article_text(n))) == QUOTES_PER_ARTICLE, article_text(n)


@pytest.mark.slow
def test_ingest_killed_midway_keeps_whole_articles_and_a_rerun_finishes(app, tmp_path):
    folder = tmp_path / "articles"
    write_articles(folder, 50)
    process = ingest_command(app, folder)
    try:
        while stored_articles() < 3:  # let it get going, then kill it without warning
            assert process.poll() is None, process.communicate()
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL

    survived = check_every_article_is_whole()
    assert 3 <= survived < 50, f"the kill did not land mid-run ({survived} stored)"

    rerun = ingest_command(app, folder)
    out, err = rerun.communicate()
    assert rerun.returncode == 0, err
    assert f"{50 - survived} ingested, {survived} duplicates, 0 failed" in out, out
    assert check_every_article_is_whole() == 50
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Article.sha256)))) == 50


# --- PostgreSQL restarts while the app serves ----------------------------------------------------

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A signed-out answer (302 to the login page) must show as 302, not as the login page."""

    def redirect_request(self, *args, **kwargs):
        return None


def restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True,
                   capture_output=True, timeout=120)


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRES, reason="restarts the PostgreSQL server: runs only when TEST_DATABASE_URL "
                                            "is PostgreSQL (SQLite has no server to restart)")
def test_app_answers_again_after_postgres_restarts(live_server, editor, seed, token_for):
    headers = token_for(editor)
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), NoRedirects())
    form = urllib.parse.urlencode({"email": editor.email, "password": "correct horse battery"}).encode()
    with pytest.raises(urllib.error.HTTPError) as signed_in:  # 302 to the queue, not followed
        browser.open(f"{live_server.url}/auth/login", data=form, timeout=30)
    assert signed_in.value.code == 302

    def status(opener, url: str, **request_headers) -> int:
        try:
            with opener.open(urllib.request.Request(url, headers=request_headers), timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0  # no answer at all

    def ask() -> tuple[int, int]:
        return (status(urllib.request.build_opener(), f"{live_server.url}/api/v1/claims", **headers),
                status(browser, f"{live_server.url}/queue"))

    assert ask() == (200, 200)  # the pool now holds connections that the restart will break
    db.session.remove()  # this test's own session gives its connection back to the pool too
    seen: list[tuple[int, int]] = []
    stop = threading.Event()

    def keep_asking():
        while not stop.is_set():
            seen.append(ask())
            time.sleep(0.05)

    asker = threading.Thread(target=keep_asking, daemon=True)
    asker.start()
    try:
        restart_postgres()  # once, and short: other suites share this server
    finally:
        stop.set()
        asker.join()

    for _ in range(60):  # the server is back once it accepts connections (bounded wait, no timing asserted)
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0:
            break
        time.sleep(0.5)
    answers = [ask() for _ in range(3)]
    assert answers == [(200, 200)] * 3, answers  # no app restart needed: pre-ping replaced dead connections
    statuses = {status for pair in seen for status in pair}
    assert statuses <= {200, 503}, seen  # while it was down: a clean 503, never a crash page or a hang
    with browser.open(f"{live_server.url}/queue", timeout=30) as response:
        assert "Kaja Kallas" in response.read().decode()
