"""API routes for monitored sources: list, add, read, change, remove, poll now (writes: admins)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, url_for

from app.api.blueprint import api_user, bp
from app.api.inputs import json_body
from app.errors import Invalid
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


def _one(source: Source):
    return jsonify(source_json(source, service.articles_ingested([source.id])[source.id]))


@bp.get("/sources")
def list_sources():
    sources = service.list_sources()
    ingested = service.articles_ingested([s.id for s in sources])
    return jsonify({"items": [source_json(s, ingested[s.id]) for s in sources]})


@bp.post("/sources")
def create_source():
    data = json_body()
    unknown = sorted(set(data) - {"url", "kind", "name", "every_minutes"})
    if unknown:
        raise Invalid(f"Unknown field: {unknown[0]}. Send url, kind, and optionally name and every_minutes.",
                      field=unknown[0])
    source = service.create_source(user=api_user(), url=data.get("url"), kind=data.get("kind"),
                                   name=data.get("name"), every_minutes=data.get("every_minutes"))
    response = _one(source)
    return response, 201, {"Location": url_for("api.get_source", source_id=source.id)}


@bp.get("/sources/<int:source_id>")
def get_source(source_id: int):
    return _one(service.get_source(source_id))


@bp.patch("/sources/<int:source_id>")
def patch_source(source_id: int):
    return _one(service.update_source(source_id, user=api_user(), changes=json_body()))


@bp.delete("/sources/<int:source_id>")
def delete_source(source_id: int):
    service.delete_source(source_id, user=api_user())
    return "", 204


@bp.post("/sources/<int:source_id>/poll")
def poll_source(source_id: int):
    """Poll now: 202, queued for a consumer (or polled already when jobs run in-process)."""
    outcome = service.request_poll(source_id, user=api_user())
    body = {"source": source_json(service.get_source(source_id),
                                  service.articles_ingested([source_id])[source_id]), "poll": outcome}
    return jsonify(body), 202, {"Location": url_for("api.get_source", source_id=source_id)}
