"""Fixtures shared by the app's tests (flaskr/indico style).

The app is built once per session on a throwaway database: a temporary SQLite file, or
PostgreSQL when ``TEST_DATABASE_URL`` is set. The schema comes from the Alembic
migrations, so every run also tests them. Each test commits for real (as the app does)
and the tables are emptied after it. Engines (spaCy, the embedding model) load once per
process and are shared by every test.

Fixtures come in pairs (indico): a factory that stores rows directly (``make_user``,
``make_article``, ``make_claim``: milliseconds, no NLP) and ready-made instances
(``editor``, ``reviewer`` ...). ``ingest`` goes through the real ``app.ingest.submit``
(spaCy, embeddings) for the tests about ingest and extraction, and a few end-to-end ones.
"""
from __future__ import annotations

import os
import shutil

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("CLAIMDESK_EXTRACTION_STRICT", "1")  # a failing extraction pass raises
# One torch/BLAS thread, as `make run` serves: on a busy 2-core machine two threads that
# wait for each other made one short encode ~30x slower (1.4 s against 0.04 s).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from pathlib import Path
from typing import Callable

import pytest
import sqlalchemy as sa

from app import create_app
from app.auth.service import create_token
from app.extensions import db
from app.ingest import IngestResult, Metadata, normalise_text, submit, text_fingerprint
from app.ingest.speakers import find_or_create_speaker
from app.models import Article, Claim, User
from app.related import reset_indexes
from app.workflow.audit import claim_snapshot, record

SEED = Path(__file__).resolve().parent.parent / "seeds" / "nato-defend-every-inch.txt"
PASSWORD = "correct horse battery"


def _database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


def _reset_schema(url: str) -> None:
    """Start from an empty database so the migrations run from the first one."""
    if url.startswith("postgres"):
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from flask_migrate import upgrade

    tmp = tmp_path_factory.mktemp("claimdesk")
    url = _database_url(tmp)
    _reset_schema(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
                      "MAX_ARTICLE_CHARS": 200_000, "CLAIMDESK_ANN_DIR": str(tmp / "ann"),
                      "CLAIMDESK_QUEUE_URL": f"sqlite:///{tmp / 'queue.db'}"})
    with app.app_context():
        if url.startswith("sqlite"):
            _sync_normal(db.engine)
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    yield app
    with app.app_context():
        db.engine.dispose()


def _sync_normal(engine: sa.Engine) -> None:
    """A throwaway test database need not survive a power cut: in WAL mode, NORMAL skips
    the fsync of each commit (the tests commit thousands of times) and is still consistent."""
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


ENGINE_TEST_DIRS = ("extraction", "similarity", "checkworthiness", "factchecks")


@pytest.fixture(autouse=True)
def _app_context_and_cleanup(request):
    """Each app test runs inside an app context and leaves empty tables behind.

    Engine tests (tests/extraction, tests/similarity) use no database and skip this.
    """
    if Path(str(request.node.path)).parent.name in ENGINE_TEST_DIRS:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
        reset_indexes(app)
        shutil.rmtree(app.config["CLAIMDESK_ANN_DIR"], ignore_errors=True)


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for name in tables:
                conn.exec_driver_sql(f"DELETE FROM {name}")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- users ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def password_hash(app) -> str:
    """``PASSWORD`` hashed once by the app's own ``User.set_password`` (slow by design)."""
    with app.app_context():
        user = User()
        user.set_password(PASSWORD)
        return user.password_hash


@pytest.fixture
def make_user(app, password_hash) -> Callable:
    """Factory: ``make_user('reviewer', name='Rita')`` stores and returns a user. The row is
    written directly, with ``PASSWORD``'s hash from the session (``create_user`` has its own tests)."""
    counter = {"n": 0}

    def make(role: str = "editor", *, email: str | None = None, name: str | None = None, password: str = PASSWORD):
        counter["n"] += 1
        email = (email or f"{role}{counter['n']}@example.org").lower()
        user = User(email=email, name=name or f"{role.capitalize()} {counter['n']}", role=role)
        if password == PASSWORD:
            user.password_hash = password_hash
        else:
            user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def editor(make_user):
    return make_user("editor", email="edith@example.org", name="Edith Editor")


@pytest.fixture
def editor2(make_user):
    return make_user("editor", email="evan@example.org", name="Evan Editor")


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", email="rafael@example.org", name="Rafael Reviewer")


@pytest.fixture
def admin(make_user):
    return make_user("admin", email="ada@example.org", name="Ada Admin")


class AuthActions:
    """Log in and out through the real login form."""

    def __init__(self, client):
        self._client = client

    def login(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post("/auth/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def token_for(app) -> Callable:
    """Factory: an API token secret for a user, as ``Authorization`` headers."""
    def make(user) -> dict[str, str]:
        _token, secret = create_token(user.email, name="tests")
        return {"Authorization": f"Bearer {secret}"}
    return make


# --- articles ---------------------------------------------------------------------------

@pytest.fixture
def ingest(app) -> Callable:
    """Factory: ingest text through ``app.ingest.submit`` (real spaCy extraction and
    embeddings); returns the stored article and its claims."""
    def make(text: str, *, user=None, title: str | None = None, source: str = "paste", url: str | None = None,
             publisher: str | None = None, published_at=None) -> IngestResult:
        result = submit(text=text, url=url, user_id=user.id if user else None, source=source,
                        metadata=Metadata(title=title, publisher=publisher, published_at=published_at))
        return IngestResult(article=db.session.get(Article, result.article_id),
                            claims=[db.session.get(Claim, claim_id) for claim_id in result.claim_ids])
    return make


@pytest.fixture
def make_article(app) -> Callable:
    """Factory: an Article stored directly (no extraction, no embedding) with its
    ``article_ingested`` event; add its claims with ``make_claim``."""
    def make(text: str, *, title: str = "An article", user=None, source: str = "paste", **fields) -> Article:
        text = normalise_text(text)
        article = Article(title=title, text=text, sha256=text_fingerprint(text), source=source, ingested_by=user,
                          **fields)
        db.session.add(article)
        db.session.flush()
        record("article_ingested", user=user, article_id=article.id, after={"title": title, "source": source})
        db.session.commit()
        return article
    return make


@pytest.fixture
def make_claim(app) -> Callable:
    """Factory: a ``new`` claim of ``article`` stored directly, as ingest stores an extracted
    quote: its speaker found or created by name and aliases, its ``claim_extracted`` event.
    ``content`` must appear in the article text (its first occurrence is the span)."""
    def make(article: Article, content: str, *, speaker: str | None = None, kind: str = "direct",
             cue: str | None = "said", speaker_kind: str = "person", speaker_role: str | None = None,
             speaker_aliases: tuple[str, ...] = (), **fields) -> Claim:
        start = article.text.index(content)
        end = start + len(content)
        who = find_or_create_speaker(speaker, kind=speaker_kind, role=speaker_role,
                                     aliases=list(speaker_aliases)) if speaker else None
        claim = Claim(article=article, speaker=who, content=content, kind=kind, start=start, end=end,
                      spans=fields.pop("spans", [[start, end]]), cue=cue, speaker_role=speaker_role, status="new",
                      **fields)
        db.session.add(claim)
        db.session.flush()
        record("claim_extracted", user=article.ingested_by, claim=claim, after=claim_snapshot(claim))
        db.session.commit()
        return claim
    return make


@pytest.fixture
def seed(ingest):
    """The seed article as a new user sees it after ``make run``."""
    return ingest(SEED.read_text(encoding="utf-8"), title="NATO vows to defend its entire territory", source="seed")

# Five quotes from the seed article.
DESK_STORY = """Speaking after chairing an emergency meeting of NATO envoys, Secretary General Jens Stoltenberg said the 30-nation security alliance will continue to beef up its defences on its eastern flank near Ukraine and Russia.

"Russia has attacked Ukraine. This is a brutal act of war. Our thoughts are with the brave people of Ukraine," Mr Stoltenberg told reporters.

"An attack on one ally will trigger a response from the whole alliance," he said at the organisation's Brussels headquarters.

"Our measures are, and remain, preventive, proportionate and non-escalatory," the ambassadors said in a statement.

"The most effective response to Russia's aggression is unity," Estonian Prime Minister Kaja Kallas tweeted.
"""
STOLTENBERG = {"speaker": "Jens Stoltenberg", "speaker_role": "Secretary General",
               "speaker_aliases": ("Stoltenberg", "Secretary General Jens Stoltenberg", "Mr Stoltenberg")}
# (content, kind, cue, speaker) of each quote in reading order, as the extractor attributes them.
DESK_QUOTES = (
    ("the 30-nation security alliance will continue to beef up its defences on its eastern flank near Ukraine "
     "and Russia", "indirect", "said", STOLTENBERG),
    ("Russia has attacked Ukraine. This is a brutal act of war. Our thoughts are with the brave people of "
     "Ukraine", "direct", "told", STOLTENBERG),
    ("An attack on one ally will trigger a response from the whole alliance", "direct", "said", STOLTENBERG),
    ("Our measures are, and remain, preventive, proportionate and non-escalatory", "direct", "said",
     {"speaker": "NATO envoys", "speaker_kind": "group", "speaker_aliases": ("ambassadors", "the ambassadors")}),
    ("The most effective response to Russia's aggression is unity", "direct", "tweeted",
     {"speaker": "Kaja Kallas", "speaker_role": "Estonian Prime Minister",
      "speaker_aliases": ("Estonian Prime Minister Kaja Kallas",)}),
)


@pytest.fixture
def claims(make_article, make_claim) -> list[Claim]:
    """The excerpt's five claims, all ``new``, in reading order, stored by the factories."""
    article = make_article(DESK_STORY, title="NATO vows to defend its entire territory", source="seed")
    return [make_claim(article, content, kind=kind, cue=cue, **speaker) for content, kind, cue, speaker in DESK_QUOTES]


# --- a real server and a real browser -----------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over real HTTP on 127.0.0.1 from a background thread (same database)."""
    import threading

    from werkzeug.serving import make_server

    port = int(os.environ.get("CLAIMDESK_LIVE_SERVER_PORT", "0"))  # 0: any free port
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, launched once per session."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CLAIMDESK_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (make browser-setup installs it)")
        pytest.skip(f"{CHROMIUM} is not installed: run `make browser-setup`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def new_page(request, browser, live_server):
    """Factory for browser pages (one context each, so two people can work at once).
    On failure each page's screenshot is saved under tests/artifacts/."""
    contexts = []

    def make(width: int = 1366, height: int = 850):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for n, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{n}-{m}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def browser_login(page, user, password: str = PASSWORD) -> None:
    """Sign in through the login form of a Playwright page."""
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/queue**")
