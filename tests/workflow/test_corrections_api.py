"""The correction endpoints of /api/v1: exact status codes, error codes and bodies, and
responses that match the OpenAPI schemas (the rules themselves: test_corrections.py)."""
from __future__ import annotations

import pytest

from app.workflow import service
from tests.test_openapi import schema_validator
from tests.workflow.test_api import error_of
from tests.workflow.test_corrections import WIRE, span_of


@pytest.fixture
def wire(make_article):
    return make_article(WIRE, title="Wire copy")


@pytest.fixture
def api(client, token_for):
    """Factory: ``api(user).post(path, json=...)`` with the user's token."""
    class Caller:
        def __init__(self, user):
            self.headers = token_for(user)

        def get(self, path, **kwargs):
            return client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

        def post(self, path, **kwargs):
            return client.post(f"/api/v1{path}", headers=self.headers, **kwargs)

    return Caller


def schema_errors(name: str, body) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schema_validator(name).iter_errors(body)]


def test_add_claim_is_201_with_the_claim_and_its_page(api, editor, wire):
    start, end = span_of(WIRE, "The talks end on Friday")
    response = api(editor).post(f"/articles/{wire.id}/claims", json={
        "start": start - 2, "end": end, "speaker": "officials", "kind": "indirect", "cue": "said"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["content"] == "The talks end on Friday" and body["span"] == [start, end]  # the blank line before: dropped
    assert body["speaker"]["name"] == "officials" and body["kind"] == "indirect" and body["cue"] == "said"
    assert body["status"] == "new" and body["edited"] is True and body["version"] == 1
    assert [h["action"] for h in body["history"]] == ["claim_added"]
    assert response.headers["Location"].endswith(f"/claims/{body['id']}")
    assert schema_errors("ClaimDetail", body) == []


@pytest.mark.parametrize("payload, status, code, field", [
    ({"start": 0, "end": 100_000, "kind": "direct"}, 422, "invalid", "end"),
    ({"start": -3, "end": 5, "kind": "direct"}, 422, "invalid", "start"),
    ({"start": 5, "end": 5, "kind": "direct"}, 422, "invalid", "end"),
    ({"start": "1", "end": 5, "kind": "direct"}, 422, "invalid", "start"),
    ({"end": 5, "kind": "direct"}, 422, "invalid", "start"),
    ({"start": 1, "end": 5}, 422, "invalid", "kind"),
    ({"start": 1, "end": 5, "kind": "gossip"}, 422, "invalid", "kind"),
    ({"start": 1, "end": 5, "kind": "direct", "speaker": 7}, 422, "invalid", "speaker"),
])
def test_add_claim_refuses_bad_input_with_the_field(api, editor, wire, payload, status, code, field):
    response = api(editor).post(f"/articles/{wire.id}/claims", json=payload)
    error = error_of(response, status, code)
    assert error["details"]["field"] == field
    assert api(editor).get(f"/claims?article={wire.id}").get_json()["total"] == 0


def test_add_claim_twice_is_409_and_unknown_article_404_and_form_data_415(api, editor, wire):
    start, end = span_of(WIRE, "Prices will fall")
    payload = {"start": start, "end": end, "kind": "direct", "speaker": "the minister"}
    first = api(editor).post(f"/articles/{wire.id}/claims", json=payload).get_json()
    error = error_of(api(editor).post(f"/articles/{wire.id}/claims", json=payload), 409, "duplicate_claim")
    assert error["details"]["existing_id"] == first["id"]
    error_of(api(editor).post("/articles/99999/claims", json=payload), 404, "not_found")
    error_of(api(editor).post(f"/articles/{wire.id}/claims", data=payload), 415, "unsupported_media_type")


def test_split_is_200_with_both_claims(api, editor, wire, make_claim):
    claim = make_claim(wire, "We have seen more drones in the past month than ever before", speaker="Jens Stoltenberg")
    at = WIRE.index(" in the past month")
    response = api(editor).post(f"/claims/{claim.id}/split", json={"at": at, "version": claim.version})
    assert response.status_code == 200, response.get_json()
    first, second = response.get_json()["claims"]
    assert (first["id"], first["content"], first["version"]) == (claim.id, "We have seen more drones", 2)
    assert second["content"] == "in the past month than ever before" and second["span"][0] == at + 1
    assert second["speaker"]["name"] == "Jens Stoltenberg" and second["history"][0]["action"] == "claim_added"
    assert first["history"][-1]["action"] == "claim_split"
    assert schema_errors("ClaimDetail", first) == [] and schema_errors("ClaimDetail", second) == []


def test_split_refusals(api, editor, wire, make_claim):
    claim = make_claim(wire, "Prices will fall", speaker="the minister")
    for payload, status, code in (
            ({"at": claim.end + 3, "version": claim.version}, 422, "invalid"),
            ({"at": claim.start, "version": claim.version}, 422, "invalid"),
            ({"at": claim.start + 3}, 422, "invalid"),  # no version
            ({"at": claim.start + 3, "version": claim.version + 1}, 409, "stale_version")):
        error = error_of(api(editor).post(f"/claims/{claim.id}/split", json=payload), status, code)
        if status == 422:
            assert error["details"]["field"] in ("at", "version")
    assert service.get_claim(claim.id).content == "Prices will fall"


def test_merge_is_200_and_refuses_other_articles_and_stale_copies(api, editor, wire, claims, make_claim):
    a = make_claim(wire, "Prices will fall", speaker="the minister")
    b = make_claim(wire, "Wages will rise", speaker="the minister")
    error_of(api(editor).post(f"/claims/{a.id}/merge", json={"with": claims[0].id, "version": a.version}),
             422, "invalid")
    error_of(api(editor).post(f"/claims/{a.id}/merge", json={"with": b.id, "version": a.version + 4}),
             409, "stale_version")
    error_of(api(editor).post(f"/claims/{a.id}/merge", json={"with": str(b.id), "version": a.version}),
             422, "invalid")
    response = api(editor).post(f"/claims/{a.id}/merge", json={"with": b.id, "version": a.version})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["spans"] == [[a.start, a.start + 16], [WIRE.index("Wages"), WIRE.index("Wages") + 15]]
    assert body["history"][-1]["action"] == "claims_merged" and schema_errors("ClaimDetail", body) == []
    gone = api(editor).get(f"/claims/{b.id}").get_json()
    assert gone["merged_into"] == a.id and gone["removed_at"] and gone["history"][-1]["action"] == "merged_into"
    assert [c["id"] for c in api(editor).get(f"/claims?article={wire.id}").get_json()["items"]] == [a.id]
    error_of(api(editor).post(f"/claims/{b.id}/take", json={}), 409, "bad_status")


def test_remove_is_200_and_the_claim_leaves_the_list(api, editor, wire, make_claim):
    claim = make_claim(wire, "The talks end on Friday", speaker="officials", kind="indirect")
    response = api(editor).post(f"/claims/{claim.id}/remove", json={"reason": "Narration", "version": claim.version})
    body = response.get_json()
    assert response.status_code == 200 and body["removed_at"] and body["history"][-1]["action"] == "claim_removed"
    assert api(editor).get("/claims").get_json()["total"] == 0
    error_of(api(editor).post(f"/claims/{claim.id}/remove", json={"version": body["version"]}), 409, "bad_status")
