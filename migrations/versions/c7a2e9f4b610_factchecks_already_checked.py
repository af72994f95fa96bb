"""external fact-checks (ClaimReview imports) and the "already checked" match of claims

Revision ID: c7a2e9f4b610
Revises: b3e1c0a7d914
Create Date: 2026-12-02 01:40:00

- ``factchecks``: one row per imported ClaimReview (url unique), with its full-text
  search as claims have (SQLite FTS5 ``factchecks_fts`` over claimReviewed + headline,
  kept by triggers; PostgreSQL a generated ``search_vector`` with a GIN index).
- ``embeddings.owner_kind`` may be ``factcheck`` (claimReviewed) and ``factcheck_title``
  (the headline): the fusion reads both, as the engine does.
- ``claims.checked_*``: the claim's best match above the calibrated threshold (an
  approved claim or a fact-check), set by app/priority/checked.py; no foreign keys.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7a2e9f4b610'
down_revision = 'b3e1c0a7d914'
branch_labels = None
depends_on = None

OLD_KINDS = "owner_kind IN ('claim', 'evidence')"
NEW_KINDS = "owner_kind IN ('claim', 'evidence', 'factcheck', 'factcheck_title')"
FACTCHECK_TEXT_SQLITE = "new.claim_reviewed || ' ' || coalesce(new.title, '')"

SQLITE_UP = (
    "CREATE VIRTUAL TABLE factchecks_fts USING fts5(body, tokenize='porter unicode61')",
    "CREATE TRIGGER factchecks_fts_insert AFTER INSERT ON factchecks BEGIN "
    f"INSERT INTO factchecks_fts(rowid, body) VALUES (new.id, {FACTCHECK_TEXT_SQLITE}); END",
    "CREATE TRIGGER factchecks_fts_delete AFTER DELETE ON factchecks BEGIN "
    "DELETE FROM factchecks_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER factchecks_fts_update AFTER UPDATE OF claim_reviewed, title ON factchecks BEGIN "
    "DELETE FROM factchecks_fts WHERE rowid = old.id; "
    f"INSERT INTO factchecks_fts(rowid, body) VALUES (new.id, {FACTCHECK_TEXT_SQLITE}); END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS factchecks_fts_update", "DROP TRIGGER IF EXISTS factchecks_fts_delete",
    "DROP TRIGGER IF EXISTS factchecks_fts_insert", "DROP TABLE IF EXISTS factchecks_fts",
)
POSTGRESQL_UP = (
    "ALTER TABLE factchecks ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english', claim_reviewed || ' ' || coalesce(title, ''))) STORED",
    "CREATE INDEX ix_factchecks_search_vector ON factchecks USING gin (search_vector)",
)


def _owner_kinds(check: str) -> None:
    if op.get_bind().dialect.name == "sqlite":  # SQLite cannot alter a CHECK: the table is rebuilt
        with op.batch_alter_table('embeddings', recreate='always') as batch_op:
            batch_op.drop_constraint(op.f('ck_embeddings_owner_kind'), type_='check')
            batch_op.create_check_constraint(op.f('ck_embeddings_owner_kind'), check)
    else:
        op.drop_constraint(op.f('ck_embeddings_owner_kind'), 'embeddings', type_='check')
        op.create_check_constraint(op.f('ck_embeddings_owner_kind'), 'embeddings', check)


def upgrade():
    op.create_table(
        'factchecks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('publisher', sa.String(length=300), nullable=True),
        sa.Column('claim_reviewed', sa.Text(), nullable=False),
        sa.Column('title', sa.String(length=1000), nullable=True),
        sa.Column('rating_name', sa.String(length=300), nullable=True),
        sa.Column('rating_value', sa.Float(), nullable=True),
        sa.Column('best_rating', sa.Float(), nullable=True),
        sa.Column('worst_rating', sa.Float(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('claimant', sa.String(length=300), nullable=True),
        sa.Column('imported_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_factchecks_imported_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_factchecks')),
        sa.UniqueConstraint('url', name=op.f('uq_factchecks_url')),
    )
    _owner_kinds(NEW_KINDS)
    # Plain ADD COLUMN on both databases, and no foreign keys (as claims.merged_into_id): on
    # SQLite a rebuild of claims drops its full-text triggers and, with foreign keys on,
    # cascades into its history. The CHECK rides along with its column.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE claims ADD COLUMN checked_kind VARCHAR(20) CONSTRAINT ck_claims_checked_kind "
                   "CHECK (checked_kind IN ('claim', 'factcheck'))")
    else:
        op.add_column('claims', sa.Column('checked_kind', sa.String(length=20), nullable=True))
        op.create_check_constraint(op.f('ck_claims_checked_kind'), 'claims', "checked_kind IN ('claim', 'factcheck')")
    with op.batch_alter_table('claims', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('checked_claim_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checked_factcheck_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checked_score', sa.Float(), nullable=True))
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP}.get(dialect, ()):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DOWN}.get(dialect, ()):
        op.execute(statement)
    if dialect != "sqlite":
        op.drop_constraint(op.f('ck_claims_checked_kind'), 'claims', type_='check')
    with op.batch_alter_table('claims', recreate='never') as batch_op:  # SQLite: ALTER TABLE DROP COLUMN
        batch_op.drop_column('checked_score')
        batch_op.drop_column('checked_factcheck_id')
        batch_op.drop_column('checked_claim_id')
        batch_op.drop_column('checked_kind')
    op.execute("DELETE FROM embeddings WHERE owner_kind IN ('factcheck', 'factcheck_title')")
    _owner_kinds(OLD_KINDS)
    op.drop_table('factchecks')
