"""full-text search for related claims: SQLite FTS5 tables kept by triggers, PostgreSQL
generated tsvector columns with GIN indexes

Revision ID: 4177fe70392b
Revises: 8c1e5a0f3b27
Create Date: 2026-12-01 21:40:00

The lexical side of related claims and evidence is the database's own full-text search
(app/related/lexical.py). It is kept in step by the database itself, so no code path can
forget it:

- SQLite: ``claims_fts`` is an FTS5 index over ``claims.content`` (external content, no
  copy of the text) and ``evidence_fts`` one over evidence title + excerpt; triggers on
  insert, update and delete keep both in step. Porter stemming.
- PostgreSQL: ``claims.search_vector`` and ``evidence.search_vector`` are stored generated
  ``tsvector`` columns (English configuration) with GIN indexes.

Neither is in the models: ``include_object`` in app/extensions.py keeps autogenerate away.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4177fe70392b'
down_revision = '8c1e5a0f3b27'
branch_labels = None
depends_on = None

EVIDENCE_TEXT_SQLITE = "coalesce(new.title, '') || ' ' || coalesce(new.excerpt, '')"

SQLITE_UP = (
    "CREATE VIRTUAL TABLE claims_fts USING fts5(content, content='claims', content_rowid='id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN "
    "INSERT INTO claims_fts(rowid, content) VALUES (new.id, new.content); END",
    "CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "CREATE TRIGGER claims_fts_update AFTER UPDATE OF content ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, content) VALUES ('delete', old.id, old.content); "
    "INSERT INTO claims_fts(rowid, content) VALUES (new.id, new.content); END",
    "INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE evidence_fts USING fts5(body, tokenize='porter unicode61')",
    "CREATE TRIGGER evidence_fts_insert AFTER INSERT ON evidence BEGIN "
    f"INSERT INTO evidence_fts(rowid, body) VALUES (new.id, {EVIDENCE_TEXT_SQLITE}); END",
    "CREATE TRIGGER evidence_fts_delete AFTER DELETE ON evidence BEGIN "
    "DELETE FROM evidence_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER evidence_fts_update AFTER UPDATE OF title, excerpt ON evidence BEGIN "
    "DELETE FROM evidence_fts WHERE rowid = old.id; "
    f"INSERT INTO evidence_fts(rowid, body) VALUES (new.id, {EVIDENCE_TEXT_SQLITE}); END",
    "INSERT INTO evidence_fts(rowid, body) "
    "SELECT id, coalesce(title, '') || ' ' || coalesce(excerpt, '') FROM evidence",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS evidence_fts_update", "DROP TRIGGER IF EXISTS evidence_fts_delete",
    "DROP TRIGGER IF EXISTS evidence_fts_insert", "DROP TABLE IF EXISTS evidence_fts",
    "DROP TRIGGER IF EXISTS claims_fts_update", "DROP TRIGGER IF EXISTS claims_fts_delete",
    "DROP TRIGGER IF EXISTS claims_fts_insert", "DROP TABLE IF EXISTS claims_fts",
)
POSTGRESQL_UP = (
    "ALTER TABLE claims ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', content)) STORED",
    "CREATE INDEX ix_claims_search_vector ON claims USING gin (search_vector)",
    "ALTER TABLE evidence ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english', coalesce(title, '') || ' ' || coalesce(excerpt, ''))) STORED",
    "CREATE INDEX ix_evidence_search_vector ON evidence USING gin (search_vector)",
)
POSTGRESQL_DOWN = (
    "DROP INDEX IF EXISTS ix_evidence_search_vector", "ALTER TABLE evidence DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS ix_claims_search_vector", "ALTER TABLE claims DROP COLUMN IF EXISTS search_vector",
)


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP}.get(dialect, ()):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN}.get(dialect, ()):
        op.execute(statement)
