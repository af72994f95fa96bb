"""claim corrections: a claim an editor removes or merges into another keeps its row and history

Revision ID: b7c31e9d4a52
Revises: d6625e2e1a08
Create Date: 2026-12-02 01:10:00

``removed_at`` marks a claim taken out by a correction (not a quote, or merged into
``merged_into_id``); lists and highlights leave it out, its page and history stay. Plain
ALTER TABLE ADD COLUMN on both databases: on SQLite a rebuild of ``claims`` would drop
its full-text triggers and, with foreign keys on, cascade into its history; that is also
why ``merged_into_id`` has no foreign key (claims are only ever deleted with their article).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c31e9d4a52'
down_revision = 'd6625e2e1a08'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('claims', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('claims', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('removed_at')
