"""Dashboard view: one page of figures for the desk (any signed-in user)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from app.dashboard.charts import column_chart
from app.dashboard.stats import desk_stats, humanise

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def index():
    stats = desk_stats()
    chart = column_chart([(day.strftime("%d %b"), n) for day, n in stats.approved_per_day])
    return render_template("dashboard/index.html", stats=stats, chart=chart, humanise=humanise, title="Dashboard")
