"""The streamed CSV download that the queue page and the API both answer with."""
from __future__ import annotations

from flask import Response, request, stream_with_context

from app.export.csv_export import csv_chunks
from app.export.urls import external_url
from app.models import utcnow
from app.workflow.queries import ClaimFilters

TRUTHY = ("1", "true", "on", "yes", "y")


def csv_response(filters: ClaimFilters) -> Response:
    """A streamed CSV download of the claims ``filters`` select (``?bom=1`` for Excel)."""
    chunks = csv_chunks(filters, claim_url=external_url("claims.show", "claim_id"),
                        public_url=external_url("export.fact_check", "claim_id"),
                        bom=request.args.get("bom", "").lower() in TRUTHY)
    filename = f"claims-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(stream_with_context(chunks), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",  # let a proxy pass the rows on as they come
    })
