"""Article views; the ingest form calls ``app.ingest.submit`` like the API and the CLI.

The article page is also where editors correct the extraction by selecting text (add a
missed claim, set a claim's span, split, merge with the next, remove): each form calls one
``app.workflow.corrections`` function, like the API; a refusal re-renders the page with the
editor's input kept."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Optional

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from app.articles.forms import AddClaimForm, IngestForm, MergeForm, RemoveForm, SpanForm, SplitForm
from app.articles.highlight import article_marks, highlight
from app.errors import DomainError, DuplicateArticle, NotFound
from app.extensions import db
from app.ingest import Metadata, Upload
from app.models import CLAIM_KINDS, Article, Claim
from app.tasks import IngestRequest, job_error, submit_job
from app.workflow import corrections, service
from app.workflow.queries import claims_of_article
from app.workflow.rules import can_edit

bp = Blueprint("articles", __name__)


@bp.route("/articles")
@login_required
def index():
    """Articles, newest first, with their claim counts."""
    page = max(1, request.args.get("page", 1, type=int))
    counts = (sa.select(Claim.article_id, sa.func.count(Claim.id).label("n")).where(Claim.removed_at.is_(None))
              .group_by(Claim.article_id).subquery())
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
    """The article with every quote highlighted and listed, and the correction tools."""
    return render_article(_article(article_id), focus=request.args.get("claim", type=int))


def _article(article_id: int) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        raise NotFound(f"Article {article_id} does not exist.")
    return article


TOOLS = {"span": SpanForm, "split": SplitForm, "merge": MergeForm, "remove": RemoveForm}


def _tool(name: str, claim_id: int, **data: Any):
    """A claim's correction form; the prefix keeps each claim's fields apart on one page."""
    return TOOLS[name](prefix=f"{name}-{claim_id}", formdata=None, data=data)


def render_article(article: Article, *, focus: Optional[int] = None, status: int = 200,
                   add_form: Optional[AddClaimForm] = None, posted: Optional[tuple[int, str, Any]] = None):
    """The article page. ``posted`` = (claim id, tool name, form) re-shows a refused correction
    with the editor's input, its panel open."""
    claims = claims_of_article(article.id)
    body = highlight(article.text, article_marks(claims), focus=focus)
    tools: dict[int, dict[str, Any]] = {}
    for i, claim in enumerate(claims):
        following = claims[i + 1] if i + 1 < len(claims) else None
        tools[claim.id] = {
            "actions": service.allowed_actions(claim, current_user), "next": following,
            "span": _tool("span", claim.id, start=claim.start, end=claim.end, version=claim.version),
            "split": _tool("split", claim.id, at=corrections.suggested_split(claim), version=claim.version),
            "merge": _tool("merge", claim.id, with_claim=following.id if following else "", version=claim.version),
            "remove": _tool("remove", claim.id, version=claim.version),
        }
    if posted and posted[0] in tools:
        tools[posted[0]][posted[1]] = posted[2]
        tools[posted[0]]["open"] = True
    removed = db.session.scalars(sa.select(Claim).where(Claim.article_id == article.id, Claim.removed_at.is_not(None))
                                 .order_by(Claim.start, Claim.id)).all()
    speakers = sorted({c.speaker.name for c in claims if c.speaker}, key=str.lower)
    return render_template("articles/show.html", article=article, body=body, claims=claims, tools=tools, focus=focus,
                           kinds=sorted({c.kind for c in claims}, key=CLAIM_KINDS.index),
                           removed=removed, speakers=speakers, add_form=add_form or AddClaimForm(prefix="add", formdata=None),
                           can_correct=can_edit(current_user)), status


def _correct(claim_id: int, name: str, action: Callable[[Any], object], done: str):
    """Run one correction of a claim from its form on the article page; on refusal show the
    page again with the input kept and the message."""
    claim = service.get_claim(claim_id)
    form = TOOLS[name](prefix=f"{name}-{claim_id}")
    if not form.validate_on_submit():
        flash("Please correct the highlighted fields.", "danger")
        return render_article(claim.article, focus=claim.id, status=422, posted=(claim.id, name, form))
    try:
        result = action(form)
    except DomainError as exc:
        flash(exc.message, "danger" if exc.status != 409 else "warning")
        claim = service.get_claim(claim_id)
        if hasattr(form, "version"):
            form.version.data = claim.version if exc.code == "stale_version" else form.version.data
        return render_article(claim.article, focus=claim.id, status=exc.status, posted=(claim.id, name, form))
    focus = result.id if isinstance(result, Claim) else claim.id
    flash(done, "success")
    return redirect(url_for("articles.show", article_id=claim.article_id, claim=focus) + "#focus")


def _version(form) -> Optional[int]:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


@bp.route("/articles/<int:article_id>/claims", methods=["POST"])
@login_required
def add_claim(article_id: int):
    """"Add as claim": a span of the article (selected, or typed offsets) becomes a new claim."""
    article = _article(article_id)
    form = AddClaimForm(prefix="add")
    if not form.validate_on_submit():
        flash("Please correct the highlighted fields.", "danger")
        return render_article(article, status=422, add_form=form)
    try:
        claim = corrections.add_claim(article.id, user=current_user, start=form.start.data, end=form.end.data,
                                      speaker=form.speaker.data, kind=form.kind.data, cue=form.cue.data)
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_article(article, status=exc.status, add_form=form)
    flash(f"Claim #{claim.id} added: \u201c{claim.content[:80]}\u201d.", "success")
    return redirect(url_for("articles.show", article_id=article.id, claim=claim.id) + "#focus")


@bp.route("/claims/<int:claim_id>/span", methods=["POST"])
@login_required
def adjust_span(claim_id: int):
    return _correct(claim_id, "span", lambda form: corrections.adjust_span(
        claim_id, user=current_user, start=form.start.data, end=form.end.data, version=_version(form)),
        f"Claim #{claim_id} now covers the selected text.")


@bp.route("/claims/<int:claim_id>/split", methods=["POST"])
@login_required
def split_claim(claim_id: int):
    return _correct(claim_id, "split", lambda form: corrections.split_claim(
        claim_id, user=current_user, at=form.at.data, version=_version(form))[0],
        f"Claim #{claim_id} was split in two.")


@bp.route("/claims/<int:claim_id>/merge", methods=["POST"])
@login_required
def merge_claims(claim_id: int):
    return _correct(claim_id, "merge", lambda form: corrections.merge_claims(
        claim_id, user=current_user, with_id=form.with_claim.data, version=_version(form)),
        f"Claim #{claim_id} now includes the next one.")


@bp.route("/claims/<int:claim_id>/remove", methods=["POST"])
@login_required
def remove_claim(claim_id: int):
    return _correct(claim_id, "remove", lambda form: corrections.remove_claim(
        claim_id, user=current_user, reason=form.reason.data, version=_version(form)),
        f"Claim #{claim_id} was removed; its history stays on its page.")


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
