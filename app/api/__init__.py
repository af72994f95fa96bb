"""JSON API under /api/v1: token auth, JSON errors, the same services as the web views.

Adding an API route
-------------------
Hang the view on ``bp`` (app/api/blueprint.py) in a routes module imported below, and
declare everything with flask-smorest decorators, route decorator on top::

    @bp.post("/claims/<int:claim_id>/notes", tags=["workflow"])
    @bp.doc(operationId="addNote")                       # stable name (OpenAPI links use it)
    @bp.arguments(NoteInSchema)                          # JSON body; location="query" for a query
    @bp.response(201, NoteSchema, description="The note.")  # dumps what the view returns
    @errors(400, 404, 409, 415, 422)                     # app.api.blueprint: error codes it answers
    def add_note(data, claim_id):
        \"\"\"Summary line for the docs

        Longer description.\"\"\"
        return service.add_note(claim_id, user=api_user(), **data)

Schemas live in app/api/schemas.py (fields in app/api/fields.py): request bodies subclass
``StrictSchema`` (unknown fields refused) and use the strict fields (``Text(max)``, ``Id()``,
``Version()``, ``Choice(...)``, ``UtcDateTime()``); a bad body never reaches the view: it is
422 ``{"error": {"code": "invalid", "message", "fields": {name: why}}}``. Services raise
``app.errors`` for the rest. ``/api/v1/openapi.json`` is generated from these decorators;
tests/test_openapi.py refuses an operation without schemas, and tests/test_api_fuzz.py
(schemathesis) fuzzes every operation on a live server: no 5xx, every answer as described.
"""
from app.api import (  # noqa: F401  (each adds its routes to bp)
    correction_routes, export_routes, notice_routes, routes, source_routes, speaker_routes,
)
from app.api.blueprint import bp
from app.api.docs import bp as docs_bp
from app.api.openapi import init_app

__all__ = ["bp", "docs_bp", "init_app"]
