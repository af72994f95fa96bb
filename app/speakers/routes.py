"""Speaker list and speaker page."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import login_required

from app.errors import NotFound
from app.extensions import db
from app.models import Claim, Speaker
from app.workflow.queries import ClaimFilters, escape_like, search_claims

bp = Blueprint("speakers", __name__, url_prefix="/speakers")


@bp.route("/")
@login_required
def index():
    q = request.args.get("q", "").strip()
    stmt = (sa.select(Speaker, sa.func.count(Claim.id)).outerjoin(Claim, sa.and_(Claim.speaker_id == Speaker.id, Claim.removed_at.is_(None)))
            .group_by(Speaker.id).order_by(sa.func.count(Claim.id).desc(), Speaker.name).limit(500))
    if q:
        stmt = stmt.where(Speaker.name.ilike(f"%{escape_like(q)}%", escape="\\"))
    return render_template("speakers/index.html", rows=db.session.execute(stmt).all(), q=q)


@bp.route("/<int:speaker_id>")
@login_required
def show(speaker_id: int):
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        raise NotFound(f"Speaker {speaker_id} does not exist.")
    page = search_claims(ClaimFilters(speaker_id=speaker.id), page=request.args.get("page", 1, type=int))
    return render_template("speakers/show.html", speaker=speaker, page=page)
