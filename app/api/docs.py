"""The API page of the desk: how to get a token and call the API with curl (signed-in users)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from app.api.openapi import API_PREFIX, openapi_document

bp = Blueprint("api_docs", __name__)


@bp.route("/help/api")
@login_required
def index():
    """Token, curl examples and the list of routes, read from the OpenAPI description."""
    base = request.url_root.rstrip("/") + API_PREFIX
    document = openapi_document(server_url=base)
    operations = [
        {"method": method.upper(), "path": API_PREFIX + path, "summary": op.get("summary", ""),
         "public": op.get("security") == []}
        for path, item in document["paths"].items() for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    return render_template("api_docs/index.html", base=base, operations=operations, title="API")
