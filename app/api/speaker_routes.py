"""Speaker API: the record, corrections, merges (app.workflow.speakers does the work)."""
from __future__ import annotations

from typing import Any

from app.api import schemas as s
from app.api.blueprint import api_user, bp, errors
from app.models import Speaker
from app.workflow import speakers as service


def speaker_record(speaker: Speaker, *, full: bool = True) -> dict[str, Any]:
    """What ``SpeakerSchema`` dumps; ``full`` adds the verdict tally, roles over time and the history."""
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
            roles=[{"role": r.role, "first_seen": r.first_at, "last_seen": r.last_at, "articles": r.articles}
                   for r in info.roles],
            recent_claims=[c.id for c in info.recent],
            merged_from=[s.id for s in info.merged_from],
            history=service.history(speaker.id),
        )
    return body


@bp.get("/speakers", tags=["speakers"])
@bp.doc(operationId="listSpeakers")
@bp.arguments(s.SpeakersQuerySchema, location="query", as_kwargs=True)
@bp.response(200, s.SpeakerListSchema, description="Speakers with their claim counts.")
@errors(422)
def list_speakers(q: str = "", limit: int = 100):
    """Speakers (not merged), most claims first"""
    rows = service.list_speakers(q, limit=max(1, min(limit, 500)))
    return {"items": [{**speaker_record(sp, full=False), "claims": n} for sp, n in rows]}


@bp.get("/speakers/<int:speaker_id>", tags=["speakers"])
@bp.doc(operationId="getSpeaker")
@bp.response(200, s.SpeakerSchema, description="The speaker.")
@errors(404)
def get_speaker(speaker_id: int):
    """A speaker: verdicts of approved claims, roles over time, recent claims, history"""
    return speaker_record(service.get_speaker(speaker_id))


@bp.patch("/speakers/<int:speaker_id>", tags=["speakers"])
@bp.doc(operationId="updateSpeaker")
@bp.arguments(s.SpeakerPatchSchema)
@bp.response(200, s.SpeakerSchema, description="The speaker after the change.")
@errors(400, 403, 404, 409, 415, 422)
def patch_speaker(data: dict[str, Any], speaker_id: int):
    """Correct name, role, affiliation

    A new name keeps the old one as an alias. A name another speaker has is 422
    (`details.existing_id`): merge the two instead. A merged speaker is 409 `bad_status`.
    """
    return speaker_record(service.update_speaker(speaker_id, user=api_user(), changes=data))


@bp.post("/speakers/<int:speaker_id>/merge", tags=["speakers"])
@bp.doc(operationId="mergeSpeaker")
@bp.arguments(s.SpeakerMergeInSchema)
@bp.response(200, s.SpeakerSchema, description="The surviving speaker.")
@errors(400, 403, 404, 409, 415, 422)
def merge_speaker(data: dict[str, Any], speaker_id: int):
    """Merge this speaker into another, which stays (claims, aliases and history move)

    Into itself: 422 `invalid`; a missing `into`: 404 `not_found` (`details.field` = `into`);
    either one merged already: 409 `bad_status`. An admin can undo it (`/unmerge`).
    """
    return speaker_record(service.merge(speaker_id, into=data["into"], user=api_user()))


@bp.post("/speakers/<int:speaker_id>/unmerge", tags=["speakers"])
@bp.doc(operationId="unmergeSpeaker")
@bp.arguments(s.NoFieldsInSchema, required=False)
@bp.response(200, s.SpeakerSchema, description="This speaker, on its own again.")
@errors(400, 403, 404, 409, 415, 422)
def unmerge_speaker(_data: dict[str, Any], speaker_id: int):
    """Undo this speaker's merge into another (admins): what moved goes back"""
    return speaker_record(service.undo_merge(speaker_id, user=api_user()))
