"""full-text search tokenised as the engine's BM25: no stemming (SQLite FTS5 unicode61
without porter, PostgreSQL 'simple' configuration); the FTS tables and columns rebuilt

Revision ID: e4b8d2f7a913
Revises: c7a2e9f4b610
Create Date: 2026-12-02 04:40:00

The desk's lexical signal (app/related/lexical.py) stood in for the engine's in-process
BM25 (app/similarity/lexical.py) but stemmed words (Porter on SQLite, the English
snowball stemmer on PostgreSQL) where the engine only folds a plural ``s``: "vaccination"
matched "vaccine", and the claim page ranked CLEF-2020 dev 0.009 MAP@5 below the engine.
Now the databases keep whole lowercased words and the query asks for each word with and
without its plural ``s`` (as the engine folds them), so both match the same documents.

- SQLite: ``claims_fts``, ``evidence_fts`` and ``factchecks_fts`` are dropped with their
  triggers and created again with ``tokenize='unicode61'``, then filled from their tables.
- PostgreSQL: the generated ``search_vector`` columns of claims, evidence and factchecks
  (and their GIN indexes) are dropped and added again over ``to_tsvector('simple', ...)``.

The downgrade restores the stemmed ones (migrations 4177fe70392b and c7a2e9f4b610).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e4b8d2f7a913'
down_revision = 'c7a2e9f4b610'
branch_labels = None
depends_on = None

EVIDENCE_TEXT = "coalesce({p}title, '') || ' ' || coalesce({p}excerpt, '')"
FACTCHECK_TEXT = "{p}claim_reviewed || ' ' || coalesce({p}title, '')"


def _sqlite(tokenizer: str) -> tuple[str, ...]:
    """Drop the three FTS5 tables and their triggers, create them with ``tokenizer``, fill them."""
    evidence_new, factcheck_new = EVIDENCE_TEXT.format(p="new."), FACTCHECK_TEXT.format(p="new.")
    drop = tuple(f"DROP TRIGGER IF EXISTS {table}_fts_{event}"
                 for table in ("claims", "evidence", "factchecks") for event in ("insert", "delete", "update"))
    drop += ("DROP TABLE IF EXISTS claims_fts", "DROP TABLE IF EXISTS evidence_fts",
             "DROP TABLE IF EXISTS factchecks_fts")
    return drop + (
        "CREATE VIRTUAL TABLE claims_fts USING fts5(content, content='claims', content_rowid='id', "
        f"tokenize='{tokenizer}')",
        "CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN "
        "INSERT INTO claims_fts(rowid, content) VALUES (new.id, new.content); END",
        "CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN "
        "INSERT INTO claims_fts(claims_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
        "CREATE TRIGGER claims_fts_update AFTER UPDATE OF content ON claims BEGIN "
        "INSERT INTO claims_fts(claims_fts, rowid, content) VALUES ('delete', old.id, old.content); "
        "INSERT INTO claims_fts(rowid, content) VALUES (new.id, new.content); END",
        "INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')",
        f"CREATE VIRTUAL TABLE evidence_fts USING fts5(body, tokenize='{tokenizer}')",
        "CREATE TRIGGER evidence_fts_insert AFTER INSERT ON evidence BEGIN "
        f"INSERT INTO evidence_fts(rowid, body) VALUES (new.id, {evidence_new}); END",
        "CREATE TRIGGER evidence_fts_delete AFTER DELETE ON evidence BEGIN "
        "DELETE FROM evidence_fts WHERE rowid = old.id; END",
        "CREATE TRIGGER evidence_fts_update AFTER UPDATE OF title, excerpt ON evidence BEGIN "
        "DELETE FROM evidence_fts WHERE rowid = old.id; "
        f"INSERT INTO evidence_fts(rowid, body) VALUES (new.id, {evidence_new}); END",
        f"INSERT INTO evidence_fts(rowid, body) SELECT id, {EVIDENCE_TEXT.format(p='')} FROM evidence",
        f"CREATE VIRTUAL TABLE factchecks_fts USING fts5(body, tokenize='{tokenizer}')",
        "CREATE TRIGGER factchecks_fts_insert AFTER INSERT ON factchecks BEGIN "
        f"INSERT INTO factchecks_fts(rowid, body) VALUES (new.id, {factcheck_new}); END",
        "CREATE TRIGGER factchecks_fts_delete AFTER DELETE ON factchecks BEGIN "
        "DELETE FROM factchecks_fts WHERE rowid = old.id; END",
        "CREATE TRIGGER factchecks_fts_update AFTER UPDATE OF claim_reviewed, title ON factchecks BEGIN "
        "DELETE FROM factchecks_fts WHERE rowid = old.id; "
        f"INSERT INTO factchecks_fts(rowid, body) VALUES (new.id, {factcheck_new}); END",
        f"INSERT INTO factchecks_fts(rowid, body) SELECT id, {FACTCHECK_TEXT.format(p='')} FROM factchecks",
    )


def _postgresql(config: str) -> tuple[str, ...]:
    """Drop the three generated ``search_vector`` columns and add them over ``config``."""
    out = []
    for table, text in (("claims", "content"), ("evidence", EVIDENCE_TEXT.format(p="")),
                        ("factchecks", FACTCHECK_TEXT.format(p=""))):
        out += [
            f"DROP INDEX IF EXISTS ix_{table}_search_vector",
            f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector",
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('{config}', {text})) STORED",
            f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)",
        ]
    return tuple(out)


def _run(statements: dict) -> None:
    for statement in statements.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def upgrade():
    _run({"sqlite": _sqlite("unicode61"), "postgresql": _postgresql("simple")})


def downgrade():
    _run({"sqlite": _sqlite("porter unicode61"), "postgresql": _postgresql("english")})
