"""Article views; the ingest form calls ``app.ingest.submit`` like the API and the CLI."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from app.articles.forms import IngestForm
from app.articles.highlight import article_marks, highlight
from app.errors import DomainError, DuplicateArticle, NotFound
from app.extensions import db
from app.ingest import Metadata, Upload
from app.models import Article, Claim
from app.tasks import IngestRequest, job_error, submit_job
from app.workflow.queries import claims_of_article

bp = Blueprint("articles", __name__)


@bp.route("/articles")
@login_required
def index():
    """Articles, newest first, with their claim counts."""
    page = max(1, request.args.get("page", 1, type=int))
    counts = (sa.select(Claim.article_id, sa.func.count(Claim.id).label("n")).group_by(Claim.article_id).subquery())
    rows = db.session.execute(
        sa.select(Article, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.article_id == Article.id)
        .options(sa.orm.load_only(Article.id, Article.title, Article.publisher, Article.url,
                                  Article.published_at, Article.ingested_at, Article.source))
        .order_by(Article.ingested_at.desc(), Article.id.desc()).limit(50).offset((page - 1) * 50)
    ).all()
    total = db.session.scalar(sa.select(sa.func.count(Article.id)))
    return render_template("articles/index.html", rows=rows, page=page, total=total)


@bp.route("/articles/<int:article_id>")
@login_required
def show(article_id: int):
    """The article with every quote highlighted and listed."""
    article = db.session.get(Article, article_id)
    if article is None:
        raise NotFound(f"Article {article_id} does not exist.")
    claims = claims_of_article(article.id)
    body = highlight(article.text, article_marks(claims), focus=request.args.get("claim", type=int))
    return render_template("articles/show.html", article=article, body=body, claims=claims)


@bp.route("/ingest", methods=["GET", "POST"])
@login_required
def ingest():
    """Paste or upload an article, or give its address; its quotes land in the queue as new claims."""
    form = IngestForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash("Please correct the highlighted fields.", "danger")
            return render_template("articles/ingest.html", form=form), 422
        file = form.file.data
        published = form.published_at.data
        try:
            job = submit_job(IngestRequest(
                text=form.text.data, url=form.url.data, user_id=current_user.id,
                upload=Upload(file.read(), file.filename, file.mimetype) if file and file.filename else None,
                metadata=Metadata(title=form.title.data, publisher=form.publisher.data,
                                  published_at=datetime.combine(published, datetime.min.time()) if published else None),
            ))
            if job.status == "failed":
                raise job_error(job)
        except DuplicateArticle as exc:
            link = url_for("articles.show", article_id=exc.existing_id)
            flash(Markup('{} <a href="{}">Open the existing article</a>.').format(exc.message, link), "warning")
            return render_template("articles/ingest.html", form=form), 409
        except DomainError as exc:
            flash(exc.message + " Nothing was stored.", "danger")
            return render_template("articles/ingest.html", form=form), exc.status
        if job.status != "done":
            return redirect(url_for("jobs.show", job_id=job.id))
        n = job.claims
        flash(f"Stored \u201c{job.article.title}\u201d: {n} quote{'s' if n != 1 else ''} added to the queue.", "success")
        return redirect(url_for("articles.show", article_id=job.article_id))
    return render_template("articles/ingest.html", form=form)
