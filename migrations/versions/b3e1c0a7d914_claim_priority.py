"""check-worthiness and priority on claims (issue 14)

Revision ID: b3e1c0a7d914
Revises: c9e1f3a5b7d9
Create Date: 2026-12-02 01:10:00

``claims.checkworthiness`` (0..1, None until scored) and its reason are set at ingest by
app/priority; ``claims.priority`` is the queue's default sort (indexed with the id).
Plain ADD COLUMN on SQLite: no table rebuild, so the FTS triggers stay.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e1c0a7d914'
down_revision = 'c9e1f3a5b7d9'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('claims', sa.Column('checkworthiness', sa.Float(), nullable=True))
    op.add_column('claims', sa.Column('checkworthiness_reason', sa.String(length=40), nullable=True))
    op.add_column('claims', sa.Column('priority', sa.Float(), nullable=False, server_default=sa.text('0')))
    op.create_index('ix_claims_priority_id', 'claims', ['priority', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_claims_priority_id', table_name='claims')
    with op.batch_alter_table('claims', recreate='never') as batch_op:
        batch_op.drop_column('priority')
        batch_op.drop_column('checkworthiness_reason')
        batch_op.drop_column('checkworthiness')
