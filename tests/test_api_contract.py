"""The API's declared contract holds on every request (issue 12 §2, §5): a wrong JSON type, an
unknown field or a missing one is 422 ``invalid`` naming each field, and nothing is stored;
``version`` is required wherever a person acts on what they saw (verdict, approve, return),
on the API and on the claim page's forms."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Claim, ClaimEvidence, Comment, Evidence
from app.workflow import service


@pytest.fixture
def headers(editor, token_for):
    return token_for(editor)


@pytest.fixture
def claim(claims) -> Claim:
    return claims[0]


def invalid(response, *names: str) -> dict:
    """The 422 ``invalid`` error, with ``fields`` naming exactly ``names``."""
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert error["code"] == "invalid", error
    assert set(error["fields"]) == set(names), error
    assert all(isinstance(why, str) and why for why in error["fields"].values())
    assert error["details"]["field"] in names
    return error


def stored(claim_id: int) -> Claim:
    db.session.expire_all()
    return db.session.get(Claim, claim_id)


# --- wrong types are refused, never coerced ----------------------------------------------------

@pytest.mark.parametrize("value", [None, ["x"], True, 5, {"a": "b"}])
def test_claim_content_of_the_wrong_type_is_refused_not_stored(client, headers, claim, value):
    before = claim.content
    error = invalid(client.patch(f"/api/v1/claims/{claim.id}", headers=headers,
                                 json={"version": claim.version, "content": value}), "content")
    assert "string" in error["fields"]["content"] or "null" in error["fields"]["content"]
    after = stored(claim.id)
    assert (after.content, after.version) == (before, claim.version)


@pytest.mark.parametrize("value", [True, 1.5, "1", None, [1], 0, 2**31])
def test_version_must_be_a_whole_number(client, headers, claim, value):
    invalid(client.patch(f"/api/v1/claims/{claim.id}", headers=headers,
                         json={"version": value, "kind": "partial"}), "version")
    assert stored(claim.id).kind == claim.kind


@pytest.mark.parametrize("field", ["start", "end"])
@pytest.mark.parametrize("value", [1.5, "3", True, -1])
def test_span_offsets_are_whole_numbers_never_truncated(client, headers, claim, field, value):
    body = {"version": claim.version, "start": claim.start, "end": claim.end, field: value}
    invalid(client.patch(f"/api/v1/claims/{claim.id}", headers=headers, json=body), field)
    after = stored(claim.id)
    assert (after.start, after.end, after.version) == (claim.start, claim.end, claim.version)


@pytest.mark.parametrize("value", [True, False, 1.5, ["x"], {"id": 1}, "", 0])
def test_assignee_of_the_wrong_type_assigns_nobody(client, headers, claim, editor, value):
    invalid(client.post(f"/api/v1/claims/{claim.id}/assign", headers=headers, json={"assignee": value}), "assignee")
    assert stored(claim.id).assignee_id is None


def test_assignee_by_id_e_mail_or_null_still_works(client, headers, claim, editor, reviewer):
    for assignee, expected in ((editor.id, editor.id), (reviewer.email, reviewer.id), (None, None)):
        response = client.post(f"/api/v1/claims/{claim.id}/assign", headers=headers,
                               json={"assignee": assignee, "version": stored(claim.id).version})
        assert response.status_code == 200, response.get_json()
        assert stored(claim.id).assignee_id == expected


@pytest.mark.parametrize("body,names", [
    ({"body": None}, {"body"}),
    ({"body": ["x"]}, {"body"}),
    ({"body": True}, {"body"}),
    ({}, {"body"}),  # missing
    ({"body": "fine", "extra": 1}, {"extra"}),  # unknown
    ({"body": "x" * 10_001}, {"body"}),  # over the limit: refused, not cut
])
def test_comment_bodies_are_checked_field_by_field(client, headers, claim, body, names):
    invalid(client.post(f"/api/v1/claims/{claim.id}/comments", headers=headers, json=body), *names)
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_every_wrong_field_is_named_at_once(client, headers, claim):
    error = invalid(client.post(f"/api/v1/claims/{claim.id}/evidence", headers=headers, json={
        "url": 5, "title": None, "stance": "agrees", "published_at": "last week", "colour": "red"}),
        "url", "title", "stance", "published_at", "colour")
    assert "colour" in error["message"] and "stance" in error["message"]
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ClaimEvidence.id))) == 0


@pytest.mark.parametrize("body,names", [
    ({"text": None}, {"text"}),
    ({"text": ["x"]}, {"text"}),
    ({"text": "Story.", "title": True}, {"title"}),
    ({"text": "Story.", "published_at": 20240501}, {"published_at"}),
    ({"text": "Story.", "source": "cli"}, {"source"}),
])
def test_article_bodies_are_checked(client, headers, body, names):
    invalid(client.post("/api/v1/articles", headers=headers, json=body), *names)


def test_a_body_that_is_not_an_object_is_422(client, headers, claim):
    for body in (["version", 1], "version", 5):
        invalid(client.patch(f"/api/v1/claims/{claim.id}", headers=headers, json=body), "body")


@pytest.mark.parametrize("query,name", [("per_page=ten", "per_page"), ("since=yesterday", "since"),
                                        ("sort=random", "sort"), ("page=1.5", "page"),
                                        ("staus=new", "staus")])  # a misspelt filter is not ignored
def test_query_parameters_are_checked(client, headers, claim, query, name):
    invalid(client.get(f"/api/v1/claims?{query}", headers=headers), name)


def test_status_and_assignee_are_not_corrections(client, headers, claim):
    error = invalid(client.patch(f"/api/v1/claims/{claim.id}", headers=headers,
                                 json={"version": claim.version, "status": "approved"}), "status")
    assert "take, assign, dismiss and reopen" in error["fields"]["status"]


# --- version is required where a person acts on what they saw ---------------------------------

@pytest.fixture
def in_review(claim, editor):
    service.link_evidence(claim.id, user=editor, evidence=service.EvidenceInput(
        url="https://example.org/minutes", title="Minutes", stance="supports"))
    service.propose_verdict(claim.id, user=editor, verdict="mostly_true", rationale="The minutes agree.")
    return stored(claim.id)


def test_a_verdict_without_version_is_422(client, headers, claim, editor):
    service.link_evidence(claim.id, user=editor, evidence=service.EvidenceInput(
        url="https://example.org/minutes", title="Minutes", stance="supports"))
    invalid(client.post(f"/api/v1/claims/{claim.id}/verdict", headers=headers,
                        json={"verdict": "true", "rationale": "Checked."}), "version")
    assert stored(claim.id).status == "in_progress"


@pytest.mark.parametrize("action,body", [("approve", {}), ("approve", {"comment": "Fine."}),
                                         ("return", {"comment": "Which year?"})])
def test_approve_and_return_without_version_are_422(client, reviewer, token_for, in_review, action, body):
    invalid(client.post(f"/api/v1/claims/{in_review.id}/{action}", headers=token_for(reviewer), json=body), "version")
    assert stored(in_review.id).status == "in_review"


def test_approve_with_the_version_seen_is_applied_and_a_stale_one_409(client, reviewer, editor, token_for, in_review):
    seen = in_review.version
    service.add_comment(in_review.id, user=editor, body="Added the 2023 minutes.")  # comments leave the version
    service.update_claim(in_review.id, user=editor, version=seen, changes={"cue": "told reporters"})
    response = client.post(f"/api/v1/claims/{in_review.id}/approve", headers=token_for(reviewer),
                           json={"version": seen})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "stale_version"
    response = client.post(f"/api/v1/claims/{in_review.id}/approve", headers=token_for(reviewer),
                           json={"version": seen + 1})
    assert response.status_code == 200 and response.get_json()["status"] == "approved"


@pytest.mark.parametrize("path,data", [
    ("verdict", {"verdict": "true", "rationale": "Checked."}),
    ("review", {"approve": "Approve"}),
    ("review", {"send_back": "Return to editor", "comment": "Which year?"}),
    ("edit", {"content": "The harbour fund is empty", "kind": "direct"}),
])
@pytest.mark.parametrize("version", [None, "", "two"])
def test_web_forms_without_a_version_are_refused(client, auth, admin, editor, claim, in_review, path, data, version):
    """Blank (or missing) version on the claim page's decision forms: refused with a message,
    nothing changes (an admin may propose and review; the verdict was proposed by the editor)."""
    auth.login(admin)
    if path == "verdict":  # a verdict is proposed on a claim in progress: send this one back first
        service.return_claim(claim.id, user=admin, comment="Again.", version=in_review.version)
    before = stored(claim.id)
    posted = dict(data) if version is None else {**data, "version": version}
    response = client.post(f"/claims/{claim.id}/{path}", data=posted)
    assert response.status_code == 422
    assert "without the claim&#39;s version" in response.get_data(as_text=True)
    after = stored(claim.id)
    assert (after.status, after.version, after.content) == (before.status, before.version, before.content)


def test_limits_apply_to_the_text_as_sent_and_what_is_stored_is_clean(client, headers, claim):
    """A control character counts toward a field's limit (it is refused, not cut down to fit);
    within the limit the text is stored without it (app.inputs)."""
    invalid(client.post(f"/api/v1/claims/{claim.id}/comments", headers=headers,
                        json={"body": "\x00" + "x" * 10_000}), "body")
    response = client.post(f"/api/v1/claims/{claim.id}/comments", headers=headers,
                           json={"body": "\x00" + "x" * 9_999})
    assert response.status_code == 201 and response.get_json()["body"] == "x" * 9_999


@pytest.mark.parametrize("url", ["", "ftp://example.org/file", "example.org/page", "https://", 5])
def test_addresses_are_http_or_https(client, headers, claim, url):
    invalid(client.post(f"/api/v1/claims/{claim.id}/evidence", headers=headers,
                        json={"url": url, "title": "Minutes", "stance": "supports"}), "url")
