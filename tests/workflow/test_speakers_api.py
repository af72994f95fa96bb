"""/api/v1/speakers: the record, corrections and merges, with their exact status and error codes."""
from __future__ import annotations

import pytest


@pytest.fixture
def call(client, token_for):
    def make(user, method: str, path: str, **kwargs):
        return getattr(client, method)(f"/api/v1{path}", headers=token_for(user), **kwargs)
    return make


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"], body
    return body["error"]


def test_get_speaker_gives_the_record(call, editor, claims, to_approved):
    to_approved(claims[4].id, verdict="mostly_true")
    response = call(editor, "get", f"/speakers/{claims[4].speaker_id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Kaja Kallas" and body["role"] == "Estonian Prime Minister" and body["affiliation"] is None
    assert body["claims"] == 1 and body["verdicts"] == {"mostly_true": 1}
    assert body["aliases"] == ["Estonian Prime Minister Kaja Kallas"]
    assert [r["role"] for r in body["roles"]] == ["Estonian Prime Minister"] and body["roles"][0]["articles"] == 1
    assert body["recent_claims"] == [claims[4].id] and body["merged_into"] is None
    assert error_of(call(editor, "get", "/speakers/999999"), 404, "not_found")


def test_list_speakers_filters_by_name(call, editor, claims):
    items = call(editor, "get", "/speakers?q=kal").get_json()["items"]
    assert [(i["name"], i["claims"]) for i in items] == [("Kaja Kallas", 1)]


def test_patch_speaker_corrects_and_records(call, editor, claims):
    speaker_id = claims[4].speaker_id
    response = call(editor, "patch", f"/speakers/{speaker_id}",
                    json={"role": "Prime Minister of Estonia", "affiliation": "Reform Party"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["role"], body["affiliation"]) == ("Prime Minister of Estonia", "Reform Party")
    assert body["history"][-1]["action"] == "speaker_edited"
    assert body["history"][-1]["after"] == {"role": "Prime Minister of Estonia", "affiliation": "Reform Party"}
    cleared = call(editor, "patch", f"/speakers/{speaker_id}", json={"affiliation": None}).get_json()
    assert cleared["affiliation"] is None


def test_patch_speaker_refusals(call, editor, claims):
    speaker_id = claims[4].speaker_id
    assert error_of(call(editor, "patch", f"/speakers/{speaker_id}", json={"name": "  "}), 422,
                    "invalid")["details"]["field"] == "name"
    taken = error_of(call(editor, "patch", f"/speakers/{speaker_id}", json={"name": "jens stoltenberg"}), 422,
                     "invalid")
    assert taken["details"]["existing_id"] == claims[0].speaker_id
    assert error_of(call(editor, "patch", f"/speakers/{speaker_id}", json={"kind": "group"}), 422, "invalid")
    assert error_of(call(editor, "patch", f"/speakers/{speaker_id}", data="role=x"), 415, "unsupported_media_type")
    assert call(editor, "get", f"/speakers/{speaker_id}").get_json()["history"] == []


def test_merge_answers_with_the_surviving_speaker(call, editor, admin, kallas_ids):
    kallas, duplicate = kallas_ids
    response = call(editor, "post", f"/speakers/{duplicate}/merge", json={"into": kallas})
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == kallas and body["claims"] == 2 and body["merged_from"] == [duplicate]
    assert "Prime Minister Kallas" in body["aliases"]
    assert [h["action"] for h in body["history"]] == ["speaker_merged"]
    merged = call(editor, "get", f"/speakers/{duplicate}").get_json()
    assert merged["merged_into"] == kallas and merged["claims"] == 0
    assert [i["id"] for i in call(editor, "get", "/speakers?q=Kallas").get_json()["items"]] == [kallas]

    # an editor cannot undo it; an admin can
    assert error_of(call(editor, "post", f"/speakers/{duplicate}/unmerge"), 403, "forbidden")
    undone = call(admin, "post", f"/speakers/{duplicate}/unmerge")
    assert undone.status_code == 200 and undone.get_json()["id"] == duplicate and undone.get_json()["claims"] == 1
    assert error_of(call(admin, "post", f"/speakers/{duplicate}/unmerge"), 409, "bad_status")


@pytest.mark.parametrize("body, status, code", [
    ({}, 422, "invalid"), ({"into": "7"}, 422, "invalid"), ({"into": True}, 422, "invalid"),
    ({"into": None}, 422, "invalid"), ({"into": 999_999}, 404, "not_found"),
])
def test_merge_refusals(call, editor, kallas_ids, body, status, code):
    kallas, duplicate = kallas_ids
    error = error_of(call(editor, "post", f"/speakers/{duplicate}/merge", json=body), status, code)
    assert error["details"]["field"] == "into"
    assert call(editor, "get", f"/speakers/{duplicate}").get_json()["claims"] == 1


def test_merge_into_itself_is_422_and_a_missing_speaker_404(call, editor, kallas_ids):
    kallas, _ = kallas_ids
    error = error_of(call(editor, "post", f"/speakers/{kallas}/merge", json={"into": kallas}), 422, "invalid")
    assert "itself" in error["message"]
    assert error_of(call(editor, "post", "/speakers/999999/merge", json={"into": kallas}), 404, "not_found")


def test_merge_of_a_merged_speaker_is_409(call, editor, kallas_ids, claims):
    kallas, duplicate = kallas_ids
    call(editor, "post", f"/speakers/{duplicate}/merge", json={"into": kallas})
    error = error_of(call(editor, "post", f"/speakers/{claims[0].speaker_id}/merge", json={"into": duplicate}),
                     409, "bad_status")
    assert error["details"]["merged_into"] == kallas


def test_speaker_answers_match_the_openapi_schema(call, editor, kallas_ids, to_approved, claims):
    from jsonschema import Draft202012Validator

    from app.api.openapi import openapi_document

    components = openapi_document()["components"]
    speaker = Draft202012Validator({"$ref": "#/components/schemas/Speaker", "components": components})
    to_approved(claims[4].id, verdict="false")
    kallas, duplicate = kallas_ids
    merged = call(editor, "post", f"/speakers/{duplicate}/merge", json={"into": kallas}).get_json()
    bodies = [merged, call(editor, "get", f"/speakers/{duplicate}").get_json(),
              *call(editor, "get", "/speakers").get_json()["items"]]
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for body in bodies for e in speaker.iter_errors(body)]
    assert problems == [] and merged["verdicts"] == {"false": 1}
