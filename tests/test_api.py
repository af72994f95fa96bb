"""The JSON API over the test client: auth, articles, claims list/detail/patch, JSON errors."""
from __future__ import annotations

import io

import pytest

from tests.test_ingest import STORY


@pytest.fixture
def headers(editor, token_for):
    return token_for(editor)


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


def test_no_token_is_401_json(client):
    response = client.get("/api/v1/claims")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


@pytest.mark.parametrize("value", ["Bearer nope", "Basic abc", "Bearer ", "cd_x"])
def test_bad_token_is_401(client, editor, value):
    response = client.get("/api/v1/claims", headers={"Authorization": value})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_revoked_token_is_refused(client, editor):
    from app.auth.service import create_token, revoke_token

    token, secret = create_token(editor.email)
    assert client.get("/api/v1/claims", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    revoke_token(token.id, user=editor)
    assert client.get("/api/v1/claims", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, auth, editor):
    auth.login(editor)
    assert client.get("/api/v1/claims").status_code == 401


def test_unknown_api_route_is_json_404(client, headers):
    response = client.get("/api/v1/nothing-here", headers=headers)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_post_article_returns_claim_ids(client, headers):
    response = client.post("/api/v1/articles", json={"text": STORY, "publisher": "City Post",
                                                       "published_at": "2024-03-01T09:00:00Z"}, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["id"] > 0 and body["claims"]
    listing = client.get("/api/v1/claims", headers=headers).get_json()
    assert sorted(item["id"] for item in listing["items"]) == sorted(body["claims"])


def test_duplicate_article_is_409_with_existing_id(client, headers):
    first = client.post("/api/v1/articles", json={"text": STORY}, headers=headers).get_json()
    response = client.post("/api/v1/articles", json={"text": STORY + "\n"}, headers=headers)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "duplicate_article"
    assert error["details"]["existing_id"] == first["id"]


@pytest.mark.parametrize("body,code", [({"text": ""}, "empty_text"), ({"text": 5}, "invalid"),
                                       ({"text": "x y z", "published_at": "last week"}, "invalid")])
def test_bad_article_bodies_are_422(client, headers, body, code):
    response = client.post("/api/v1/articles", json=body, headers=headers)
    assert response.status_code == 422 and error_of(response)["code"] == code


def test_article_as_form_is_415(client, headers):
    response = client.post("/api/v1/articles", data="text=hello", headers=headers,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"


def test_upload_over_the_limit_is_413_json(client, headers, app):
    big = io.BytesIO(b"a" * (app.config["MAX_CONTENT_LENGTH"] + 10))
    response = client.post("/api/v1/articles", data={"file": (big, "big.txt")}, headers=headers,
                           content_type="multipart/form-data")
    assert response.status_code == 413 and error_of(response)["code"] == "too_large"


def test_binary_upload_is_415(client, headers):
    response = client.post("/api/v1/articles", data={"file": (io.BytesIO(b"%PDF-1.4 ..."), "a.txt")},
                           headers=headers, content_type="multipart/form-data")
    assert response.status_code == 415


def test_claims_list_filters_and_pages(client, headers, seed):
    everything = client.get("/api/v1/claims?per_page=5", headers=headers).get_json()
    assert everything["total"] == len(seed.claims) and len(everything["items"]) == 5 and everything["page"] == 1
    item = everything["items"][0]
    assert {"id", "content", "kind", "status", "version", "speaker", "article", "span"} <= set(item)
    assert set(item["speaker"]) >= {"id", "name"} and set(item["article"]) >= {"id", "title"}
    kallas = client.get("/api/v1/claims?speaker=Kallas", headers=headers).get_json()
    assert kallas["total"] >= 2 and {i["speaker"]["name"] for i in kallas["items"]} == {"Kaja Kallas"}
    search = client.get("/api/v1/claims?q=brutal+war", headers=headers).get_json()
    assert search["total"] >= 1 and all("brutal" in i["content"] for i in search["items"])
    page2 = client.get("/api/v1/claims?per_page=5&page=2", headers=headers).get_json()
    assert not {i["id"] for i in page2["items"]} & {i["id"] for i in everything["items"]}
    assert client.get("/api/v1/claims?status=approved", headers=headers).get_json()["total"] == 0


def test_claim_detail_has_evidence_verdict_history(client, headers, seed):
    claim = seed.claims[0]
    body = client.get(f"/api/v1/claims/{claim.id}", headers=headers).get_json()
    assert body["id"] == claim.id and body["span"] == [claim.start, claim.end]
    assert body["evidence"] == [] and body["verdict"] is None
    assert [h["action"] for h in body["history"]] == ["claim_extracted"]


def test_missing_claim_is_404(client, headers):
    response = client.get("/api/v1/claims/999999", headers=headers)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_patch_changes_fields_and_bumps_version(client, headers, seed, reviewer):
    claim = next(c for c in seed.claims if c.speaker and c.speaker.name == "Kaja Kallas")
    version = claim.version
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=headers, json={
        "version": version, "speaker": "Kaja Kallas (Prime Minister of Estonia)", "kind": "direct"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == version + 1
    assert body["speaker"]["name"] == "Kaja Kallas (Prime Minister of Estonia)"
    assert body["history"][-1]["action"] == "claim_edited"
    response = client.post(f"/api/v1/claims/{claim.id}/assign", headers=headers,
                           json={"version": version + 1, "assignee": reviewer.email})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == version + 2
    assert body["assignee"]["name"] == reviewer.name and body["status"] == "in_progress"
    assert body["history"][-1]["action"] == "assigned"


def test_patch_with_stale_version_is_409_and_changes_nothing(client, headers, seed):
    claim = seed.claims[3]
    old_version, old_content = claim.version, claim.content
    assert client.patch(f"/api/v1/claims/{claim.id}", headers=headers,
                        json={"version": old_version, "kind": "partial"}).status_code == 200
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=headers,
                            json={"version": old_version, "content": "Something else entirely"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "stale_version" and error["details"]["current_version"] == old_version + 1
    assert "kind" in error["message"]
    body = client.get(f"/api/v1/claims/{claim.id}", headers=headers).get_json()
    assert body["content"] == old_content and body["version"] == old_version + 1


@pytest.mark.parametrize("body,status,code", [
    ({"kind": "direct"}, 422, "invalid"),  # no version
    ({"version": "x", "kind": "direct"}, 422, "invalid"),
    ({"version": 1, "kind": "gossip"}, 422, "invalid"),
    ({"version": 1, "article_id": 3}, 422, "invalid"),
    ({"version": 1, "status": "approved"}, 422, "invalid"),  # status and assignee have their own routes
    ({"version": 1, "status": "dismissed", "reason": "Opinion"}, 422, "invalid"),
    ({"version": 1, "assignee": None}, 422, "invalid"),
    ({"version": None, "kind": "direct"}, 422, "invalid"),
])
def test_patch_refusals(client, headers, seed, body, status, code):
    claim = seed.claims[1]
    response = client.patch(f"/api/v1/claims/{claim.id}", headers=headers, json=body)
    assert response.status_code == status and error_of(response)["code"] == code
    assert client.get(f"/api/v1/claims/{claim.id}", headers=headers).get_json()["version"] == claim.version


def test_dismiss_with_reason(client, headers, seed):
    claim = seed.claims[2]
    response = client.post(f"/api/v1/claims/{claim.id}/dismiss", headers=headers,
                           json={"version": claim.version, "reason": "Opinion, not checkable"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["dismiss_reason"], body["history"][-1]["action"]) == (
        "dismissed", "Opinion, not checkable", "dismissed")


def test_patch_content_keeps_span_in_step_with_the_article(client, headers, seed):
    claim = next(c for c in seed.claims if c.content.startswith("Russia has attacked Ukraine"))
    fixed = "Russia has attacked Ukraine. This is a brutal act of war."
    body = client.patch(f"/api/v1/claims/{claim.id}", headers=headers,
                        json={"version": claim.version, "content": fixed}).get_json()
    assert body["content"] == fixed
    start, end = body["span"]
    assert seed.article.text[start:end] == fixed
