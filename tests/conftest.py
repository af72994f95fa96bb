"""Fixtures shared by the app's tests (flaskr/indico style).

The app is built once per session on a throwaway database: a temporary SQLite file, or
PostgreSQL when ``TEST_DATABASE_URL`` is set. The schema comes from the Alembic
migrations, so every run also tests them. Each test commits for real (as the app does)
and the tables are emptied after it. Engines (spaCy, the embedding model) load once per
process and are shared by every test.
"""
from __future__ import annotations

import os
import shutil

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pathlib import Path
from typing import Callable

import pytest
import sqlalchemy as sa

from app import create_app
from app.auth.service import create_token, create_user
from app.extensions import db
from app.ingest import ArticleText, ingest_article
from app.related import reset_indexes

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
                      "MAX_ARTICLE_CHARS": 200_000, "CLAIMDESK_ANN_DIR": str(tmp / "ann")})
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    yield app
    with app.app_context():
        db.engine.dispose()


ENGINE_TEST_DIRS = ("extraction", "similarity")


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

@pytest.fixture
def make_user(app) -> Callable:
    """Factory: ``make_user('reviewer', name='Rita')`` creates and returns a user."""
    counter = {"n": 0}

    def make(role: str = "editor", *, email: str | None = None, name: str | None = None, password: str = PASSWORD):
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.org"
        return create_user(email, name=name or f"{role.capitalize()} {counter['n']}", role=role, password=password)

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
    """Factory: ingest text through the real service (real spaCy extraction)."""
    def make(text: str, *, user=None, title: str | None = None, source: str = "paste", **meta):
        return ingest_article(ArticleText(text=text, title=title, **meta), user=user, source=source)
    return make


@pytest.fixture
def seed(ingest):
    """The seed article as a new user sees it after ``make run``."""
    return ingest(SEED.read_text(encoding="utf-8"), title="NATO vows to defend its entire territory", source="seed")


# --- a real server and a real browser -----------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over real HTTP on 127.0.0.1 from a background thread (same database)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
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
