"""Jobs views: thin over ``app.tasks.jobs``."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, url_for
from flask_login import login_required

from app.api.serializers import job as job_json
from app.tasks.jobs import consumers_alive, get_job, queue_is_embedded, recent_jobs

bp = Blueprint("jobs", __name__)


@bp.route("/jobs")
@login_required
def index():
    """Recent ingest jobs: status, source, article, claims, error."""
    return render_template("jobs/index.html", jobs=recent_jobs(100), consumers=consumers_alive(),
                           embedded=queue_is_embedded())


@bp.route("/jobs/<job_id>")
@login_required
def show(job_id: str):
    """One job; the page follows it (static/js/job.js) until it is done or failed."""
    return render_template("jobs/show.html", job=get_job(job_id))


@bp.route("/jobs/<job_id>/status")
@login_required
def status(job_id: str):
    """The job's status for the job page's script (the API's shape, plus the article's link)."""
    job = get_job(job_id)
    body = job_json(job)
    body["article_url"] = url_for("articles.show", article_id=job.article_id) if job.article_id else None
    return jsonify(body)
