"""Article views; ingesting goes through app.ingest like the API and the CLI."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from app.articles.forms import IngestForm
from app.articles.highlight import highlight
from app.claims.routes import article_marks
from app.errors import DomainError, DuplicateArticle, NotFound, TooLarge
from app.extensions import db
from app.ingest import ArticleText, ingest_article, ingest_url, read_upload
from app.workflow.queries import claims_of_article
from app.models import Article, Claim

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
    """Paste or upload an article; its quotes land in the queue as new claims."""
    form = IngestForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash("Please correct the highlighted fields.", "danger")
            return render_template("articles/ingest.html", form=form), 422
        try:
            if _fetch_requested(form):
                result = ingest_url(form.url.data, user=current_user, source="url", title=form.title.data,
                                    publisher=form.publisher.data, published_at=_published_at(form))
            else:
                doc, source, filename = _document_from_form(form)
                result = ingest_article(doc, user=current_user, source=source, filename=filename)
        except DuplicateArticle as exc:
            link = url_for("articles.show", article_id=exc.existing_id)
            flash(Markup('{} <a href="{}">Open the existing article</a>.').format(exc.message, link), "warning")
            return render_template("articles/ingest.html", form=form), 409
        except DomainError as exc:
            flash(exc.message + " Nothing was stored.", "danger")
            return render_template("articles/ingest.html", form=form), exc.status
        n = len(result.claims)
        flash(f"Stored \u201c{result.article.title}\u201d: {n} quote{'s' if n != 1 else ''} added to the queue.", "success")
        return redirect(url_for("articles.show", article_id=result.article.id))
    return render_template("articles/ingest.html", form=form)


def _fetch_requested(form: IngestForm) -> bool:
    """Only an address given (no text, no file): fetch the article from the web."""
    upload = form.file.data
    return bool((form.url.data or "").strip()) and not (form.text.data or "").strip() and not (
        upload and getattr(upload, "filename", ""))


def _published_at(form: IngestForm) -> datetime | None:
    return datetime.combine(form.published_at.data, datetime.min.time()) if form.published_at.data else None


def _document_from_form(form: IngestForm) -> tuple[ArticleText, str, str | None]:
    upload = form.file.data
    filename = None
    if upload and getattr(upload, "filename", ""):
        filename = upload.filename
        data = upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
        if len(data) > current_app.config["MAX_CONTENT_LENGTH"]:
            raise TooLarge("The file is larger than the upload limit.")
        doc, source = read_upload(data, filename=filename, content_type=upload.mimetype), "upload"
    else:
        doc, source = ArticleText(text=form.text.data or ""), "paste"
    doc.title = form.title.data or doc.title
    doc.publisher = form.publisher.data or doc.publisher
    doc.url = form.url.data or doc.url
    if form.published_at.data:
        doc.published_at = datetime.combine(form.published_at.data, datetime.min.time())
    return doc, source, filename
