"""Speaker API: the record, corrections, merges (app.workflow.speakers does the work)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from app.api.blueprint import api_user, bp
from app.api.inputs import json_body
from app.api.serializers import history_item, iso
from app.errors import Invalid
from app.models import Speaker
from app.workflow import speakers as service


def speaker_json(speaker: Speaker, *, full: bool = True) -> dict[str, Any]:
    """A speaker as JSON; ``full`` adds the verdict tally, roles over time and the history."""
    body: dict[str, Any] = {
        "id": speaker.id, "name": speaker.name, "role": speaker.role, "affiliation": speaker.affiliation,
        "kind": speaker.kind, "aliases": [a.alias for a in speaker.aliases if a.alias_key != speaker.name_key],
        "merged_into": speaker.merged_into_id,
    }
    if full:
        info = service.profile(speaker.id)
        body.update(
            claims=info.claims,
            verdicts={key: n for key, _label, n in info.tally},
            roles=[{"role": r.role, "first_seen": iso(r.first_at), "last_seen": iso(r.last_at),
                    "articles": r.articles} for r in info.roles],
            recent_claims=[c.id for c in info.recent],
            merged_from=[s.id for s in info.merged_from],
            history=[history_item(e) for e in service.history(speaker.id)],
        )
    return body


@bp.get("/speakers")
def list_speakers():
    """Speakers not merged into another, most claims first; ``q`` filters by name."""
    rows = service.list_speakers(request.args.get("q", ""), limit=max(1, min(request.args.get("limit", 100, type=int)
                                                                          or 100, 500)))
    return jsonify({"items": [{**speaker_json(s, full=False), "claims": n} for s, n in rows]})


@bp.get("/speakers/<int:speaker_id>")
def get_speaker(speaker_id: int):
    return jsonify(speaker_json(service.get_speaker(speaker_id)))


@bp.patch("/speakers/<int:speaker_id>")
def patch_speaker(speaker_id: int):
    """Correct the speaker's name, role and affiliation (null or "" clears role and affiliation)."""
    speaker = service.update_speaker(speaker_id, user=api_user(), changes=json_body())
    return jsonify(speaker_json(speaker))


@bp.post("/speakers/<int:speaker_id>/merge")
def merge_speaker(speaker_id: int):
    """Merge this speaker into ``{"into": <speaker id>}``; answers with the surviving speaker."""
    data = json_body()
    into = data.get("into")
    if "into" not in data or type(into) is not int:
        raise Invalid("'into' must be the id (an integer) of the speaker to merge into.", field="into")
    return jsonify(speaker_json(service.merge(speaker_id, into=into, user=api_user())))


@bp.post("/speakers/<int:speaker_id>/unmerge")
def unmerge_speaker(speaker_id: int):
    """Undo the merge of this speaker into another (admins); answers with this speaker."""
    return jsonify(speaker_json(service.undo_merge(speaker_id, user=api_user())))
