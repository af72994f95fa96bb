"""wire copies: article_bands LSH keys, article_copies

Revision ID: d6625e2e1a08
Revises: 4177fe70392b
``article_bands`` holds the MinHash LSH band keys of each article (app/copies), indexed by
key, so every process finds earlier articles by the same index; ``article_copies`` names the
earlier article a wire copy reprints. Articles stored before this revision have no band keys:
``flask index-copies`` adds them.

Create Date: 2026-12-02 00:57:44.422548

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd6625e2e1a08'
down_revision = '4177fe70392b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('article_bands',
    sa.Column('band_key', sa.BigInteger(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_bands_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('band_key', 'article_id', name=op.f('pk_article_bands'))
    )
    with op.batch_alter_table('article_bands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_bands_article_id'), ['article_id'], unique=False)

    op.create_table('article_copies',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('original_id', sa.Integer(), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_copies_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['original_id'], ['articles.id'], name=op.f('fk_article_copies_original_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', name=op.f('pk_article_copies'))
    )
    with op.batch_alter_table('article_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_copies_original_id'), ['original_id'], unique=False)



def downgrade():
    with op.batch_alter_table('article_copies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_copies_original_id'))

    op.drop_table('article_copies')
    with op.batch_alter_table('article_bands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_bands_article_id'))

    op.drop_table('article_bands')
