"""Transactions that let several editors save at once on the embedded SQLite database.

SQLite in WAL mode runs any number of readers beside one writer. A transaction begun with
a plain (deferred) ``BEGIN`` that reads first and writes later must upgrade its read
snapshot to the write lock; if another connection committed since that snapshot was taken,
SQLite refuses at once with "database is locked", without waiting for the busy timeout. So,
as SQLAlchemy's pysqlite documentation recommends, a transaction that will write begins
with ``BEGIN IMMEDIATE``: it takes the write lock before its first read (waiting up to the
busy timeout while another save finishes), then reads the latest data. Read-only work
(page views, GET calls) keeps deferred ``BEGIN``s and never waits for a writer.

Write paths call :func:`begin_write` first (``app.workflow.service.atomic`` does, for
every workflow action); it is a no-op on PostgreSQL, whose row locks and the claims'
version column already serialise two saves of one claim.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from app.extensions import db

WRITE_OPTION = "claimdesk_write"  # execution option: this connection's transaction writes
_WRITE_TRANSACTION = "claimdesk_write_transaction"  # session.info: the write transaction open


def configure_sqlite(app: Flask) -> None:
    """SQLite: foreign keys on, WAL, a busy timeout (``CLAIMDESK_SQLITE_BUSY_TIMEOUT``
    seconds), and our own BEGINs (IMMEDIATE for writes) so that transactions, and the
    tests' savepoints, behave as on PostgreSQL."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine
    timeout_ms = int(float(app.config.get("CLAIMDESK_SQLITE_BUSY_TIMEOUT", 10)) * 1000)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - driver hook
        dbapi_connection.isolation_level = None  # pysqlite issues no BEGIN of its own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        if url not in ("sqlite://", "sqlite:///:memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):  # pragma: no cover - driver hook
        immediate = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Make the session's transaction a write transaction before anything is read.

    SQLite: a read transaction still open (the request's user lookup, say) is ended (it
    must hold no unsaved changes), and the next one begins with ``BEGIN IMMEDIATE``,
    waiting up to the busy timeout for another writer; past it SQLite's "database is
    locked" is raised here, before anything was read or written. Inside a write
    transaction already, and on other databases, it does nothing.
    """
    session = db.session()  # the request's Session itself (not the scoped proxy)
    if session.get_bind().dialect.name != "sqlite":
        return
    transaction = session.get_transaction()
    if transaction is not None:
        if session.info.get(_WRITE_TRANSACTION) is transaction:
            return
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() with unsaved changes in the session: call it before changing anything")
        session.rollback()
    session.connection(execution_options={WRITE_OPTION: True})
    session.info[_WRITE_TRANSACTION] = session.get_transaction()
