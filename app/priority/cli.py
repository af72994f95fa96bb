"""``flask --app app score-claims``: check-worthiness and "already checked" for claims
stored before they existed (or after a new calibration)."""
from __future__ import annotations

import sys

import click
import sqlalchemy as sa

from app.extensions import db
from app.models import Claim
from app.priority import service


@click.command("score-claims")
@click.option("--all", "everything", is_flag=True, help="Rescore every claim, not only those never scored.")
def score_claims_command(everything: bool) -> None:
    """Score check-worthiness from the stored vectors (one article's claims together) and
    work out each claim's "already checked" match again."""
    from app.priority import checked

    stmt = sa.select(Claim.article_id).distinct()
    if not everything:
        stmt = stmt.where(Claim.checkworthiness.is_(None))
    articles = list(db.session.scalars(stmt))
    with click.progressbar(articles, label="Scoring claims", file=sys.stderr) as bar:
        scored = sum(service.score_article(article_id) for article_id in bar)
    ids = list(db.session.scalars(sa.select(Claim.id)))
    changed = checked.refresh_claims(ids)
    click.echo(f"{scored} claims scored; {changed} 'already checked' matches changed.")
