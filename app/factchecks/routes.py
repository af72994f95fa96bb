"""Fact-checks page: the imported ClaimReviews, a search, and the import form."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import DomainError
from app.factchecks import service
from app.factchecks.forms import ImportForm

bp = Blueprint("factchecks", __name__, url_prefix="/factchecks")


@bp.route("/")
@login_required
def index():
    q = request.args.get("q", "").strip()
    page = service.search_factchecks(q, page=request.args.get("page", 1, type=int))
    return render_template("factchecks/index.html", page=page, q=q, form=ImportForm(formdata=None))


@bp.route("/import", methods=["POST"])
@login_required
def import_files():
    """Import the uploaded files; report the counts and each refused item's reason."""
    form = ImportForm()
    uploads = [f for f in request.files.getlist(form.files.name) if f and f.filename]
    if not form.validate_on_submit() or not uploads:
        flash("Choose at least one ClaimReview JSON-LD, HTML or CSV file to import.", "danger")
        page = service.search_factchecks("")
        return render_template("factchecks/index.html", page=page, q="", form=form), 422
    files = [service.FactCheckFile(f.filename, f.read()) for f in uploads]
    try:
        report = service.import_factchecks(files, user_id=current_user.id)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("factchecks.index"))
    flash(f"Fact-checks imported: {report.line()}.", "success" if not report.refused else "warning")
    for item in report.refused[:50]:
        flash(f"Refused {item.where}: {item.reason}", "warning")
    if len(report.refused) > 50:
        flash(f"… and {len(report.refused) - 50} more refused items.", "warning")
    return redirect(url_for("factchecks.index"))
