"""API routes for monitored sources: list, add, read, change, remove, poll now (writes: admins)."""
from __future__ import annotations

from typing import Any

from flask import url_for

from app.api import schemas as s
from app.api.blueprint import api_user, bp, errors, role_first
from app.models import Source, iso_utc
from app.sources import service


def source_json(source: Source, ingested: int) -> dict[str, Any]:
    return {
        "id": source.id, "name": source.name, "url": source.url, "kind": source.kind,
        "every_minutes": source.every_minutes, "paused": source.paused, "feed_url": source.feed_url,
        "last_poll_at": iso_utc(source.last_polled_at), "next_poll_at": None if source.paused else iso_utc(source.next_poll_at),
        "items_seen": source.items_seen, "articles_ingested": ingested, "last_error": source.last_error,
        "last_error_at": iso_utc(source.last_error_at), "created_at": iso_utc(source.created_at),
    }


def _one(source: Source) -> dict[str, Any]:
    return source_json(source, service.articles_ingested([source.id])[source.id])


@bp.get("/sources", tags=["sources"])
@bp.doc(operationId="listSources")
@bp.response(200, s.SourceListSchema, description="Every source, by name.")
@errors()
def list_sources():
    """The monitored sources"""
    sources = service.list_sources()
    ingested = service.articles_ingested([source.id for source in sources])
    return {"items": [source_json(source, ingested[source.id]) for source in sources]}


@bp.post("/sources", tags=["sources"])
@role_first(service.require_admin)
@bp.doc(operationId="createSource")
@bp.arguments(s.SourceInSchema)
@bp.response(201, s.SourceSchema, description="Added; `Location` is the source.")
@errors(400, 403, 415, 422)
def create_source(data: dict[str, Any]):
    """Add a source (admins)

    Its first poll is due at once; each new item becomes an ingest job."""
    source = service.create_source(user=api_user(), url=data["url"], kind=data["kind"], name=data.get("name"),
                                   every_minutes=data.get("every_minutes"))
    return _one(source), 201, {"Location": url_for("api.get_source", source_id=source.id)}


@bp.get("/sources/<int:source_id>", tags=["sources"])
@bp.doc(operationId="getSource")
@bp.response(200, s.SourceSchema, description="The source.")
@errors(404)
def get_source(source_id: int):
    """A source: last and next poll, items seen, articles ingested, last error"""
    return _one(service.get_source(source_id))


@bp.patch("/sources/<int:source_id>", tags=["sources"])
@role_first(service.require_admin)
@bp.doc(operationId="updateSource")
@bp.arguments(s.SourcePatchSchema)
@bp.response(200, s.SourceSchema, description="The source as saved.")
@errors(400, 403, 404, 415, 422)
def patch_source(data: dict[str, Any], source_id: int):
    """Change or pause a source (admins)"""
    return _one(service.update_source(source_id, user=api_user(), changes=data))


@bp.delete("/sources/<int:source_id>", tags=["sources"])
@bp.doc(operationId="deleteSource")
@bp.response(204, description="Removed.")
@errors(403, 404)
def delete_source(source_id: int):
    """Remove a source (admins); its articles stay"""
    service.delete_source(source_id, user=api_user())


@bp.post("/sources/<int:source_id>/poll", tags=["sources"])
@role_first(service.require_admin)
@bp.doc(operationId="pollSource")
@bp.arguments(s.NoFieldsInSchema, required=False)
@bp.response(202, s.PollSchema, description="Accepted; `Location` is the source.")
@errors(400, 403, 404, 415, 422)
def poll_source(_data: dict[str, Any], source_id: int):
    """Poll now (admins)

    `poll` is `queued` (a consumer polls it) or `done` (polled in this process: the embedded
    queue with no consumer alive)."""
    outcome = service.request_poll(source_id, user=api_user())
    return ({"source": _one(service.get_source(source_id)), "poll": outcome}, 202,
            {"Location": url_for("api.get_source", source_id=source_id)})
