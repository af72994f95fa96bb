"""publication wording on claims, and what the reviewer approved snapshotted on the verdict

Revision ID: a3c5e7f90b12
Revises: b7c31e9d4a52
Create Date: 2026-12-02 01:10:00

``claims.publication_wording`` is the wording published as ClaimReview ``claimReviewed``
(NULL: the extracted content). ``verdicts.published`` holds the published record frozen at
approval (app/workflow/publication.py). Plain ADD COLUMN on both databases: no batch
rebuild of ``claims``, so SQLite's full-text triggers stay as they are.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c5e7f90b12'
down_revision = 'b7c31e9d4a52'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('claims', sa.Column('publication_wording', sa.Text(), nullable=True))
    op.add_column('verdicts', sa.Column('published', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('verdicts', schema=None) as batch_op:
        batch_op.drop_column('published')
    # claims keeps its full-text triggers only without a batch rebuild; SQLite >= 3.35 drops in place.
    op.drop_column('claims', 'publication_wording')
