"""The workflow endpoints of /api/v1 with their exact status and error codes.

They call the same service functions as the web views, so these tests check the JSON
contract (bodies, status codes, error codes) more than the rules themselves.
"""
from __future__ import annotations

import pytest

from app.workflow import service
from tests.workflow.conftest import evidence_input

EVIDENCE = {"url": "https://www.nato.int/cps/en/natohq/news_192404.htm", "title": "Statement by NATO Allies",
            "publisher": "NATO", "published_at": "2022-02-24", "excerpt": "We condemn in the strongest terms.",
            "stance": "contradicts", "note": "Issued the same day."}


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

        def patch(self, path, **kwargs):
            return client.patch(f"/api/v1{path}", headers=self.headers, **kwargs)

    return Caller


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]


def version(api, user, claim_id) -> int:
    """The claim's version as the user sees it: sent back with a verdict, approve or return
    (required there since issue 12 §5)."""
    return api(user).get(f"/claims/{claim_id}").get_json()["version"]


def history(api, user, claim_id) -> list[str]:
    return [item["action"] for item in api(user).get(f"/claims/{claim_id}/history").get_json()["items"]]


# --- evidence ----------------------------------------------------------------------------------

def test_post_evidence_is_201_with_the_link(api, editor, claim_id):
    response = api(editor).post(f"/claims/{claim_id}/evidence", json=EVIDENCE)
    assert response.status_code == 201
    body = response.get_json()
    assert {k: body[k] for k in ("url", "title", "publisher", "excerpt", "stance", "note")} == {
        k: EVIDENCE[k] for k in ("url", "title", "publisher", "excerpt", "stance", "note")}
    assert body["published_at"] == "2022-02-24T00:00:00Z" and body["added_by"] == "Edith Editor"
    assert isinstance(body["id"], int) and isinstance(body["evidence_id"], int) and body["source_claim_id"] is None
    claim = api(editor).get(f"/claims/{claim_id}").get_json()
    assert claim["status"] == "in_progress" and claim["assignee"]["name"] == "Edith Editor"
    assert [e["evidence_id"] for e in claim["evidence"]] == [body["evidence_id"]]


def test_only_url_title_and_stance_are_required(api, editor, claim_id):
    response = api(editor).post(f"/claims/{claim_id}/evidence",
                                json={"url": "https://example.org/report", "title": "Report", "stance": "context"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["publisher"], body["published_at"], body["excerpt"], body["note"]) == (None, None, None, None)


def test_the_same_url_for_two_claims_is_one_evidence(api, editor, claim_id, other_claim_id):
    first = api(editor).post(f"/claims/{claim_id}/evidence", json=EVIDENCE).get_json()
    second = api(editor).post(f"/claims/{other_claim_id}/evidence", json=dict(EVIDENCE, stance="supports"))
    assert second.status_code == 201 and second.get_json()["evidence_id"] == first["evidence_id"]
    by_id = api(editor).post(f"/claims/{other_claim_id}/evidence",
                             json={"evidence_id": first["evidence_id"], "stance": "context"})
    error_of(by_id, 422, "invalid")  # already linked to that claim


@pytest.mark.parametrize("body, field", [
    ({**EVIDENCE, "url": None}, "url"),
    ({k: v for k, v in EVIDENCE.items() if k != "url"}, "url"),
    ({**EVIDENCE, "url": "javascript:alert(1)"}, "url"),
    ({**EVIDENCE, "title": "  "}, "title"),
    ({**EVIDENCE, "stance": "agrees"}, "stance"),
    ({**EVIDENCE, "published_at": "24/02/2022"}, "published_at"),
    ({**EVIDENCE, "title": 42}, "title"),
    ({"evidence_id": "7", "stance": "context"}, "evidence_id"),
    ({"evidence_id": True, "stance": "context"}, "evidence_id"),
    ({"source_claim_id": 1.5, "stance": "context"}, "source_claim_id"),
])
def test_bad_evidence_is_422_with_the_field(api, editor, claim_id, body, field):
    error = error_of(api(editor).post(f"/claims/{claim_id}/evidence", json=body), 422, "invalid")
    assert error["details"]["field"] == field
    assert history(api, editor, claim_id) == ["claim_extracted"]


def test_evidence_already_in_the_desk_that_does_not_exist_is_404(api, editor, claim_id):
    error_of(api(editor).post(f"/claims/{claim_id}/evidence", json={"evidence_id": 999, "stance": "context"}),
             404, "not_found")


def test_evidence_on_a_claim_in_review_is_409(api, editor, claim_id, to_review):
    to_review(claim_id)
    error_of(api(editor).post(f"/claims/{claim_id}/evidence", json=EVIDENCE), 409, "bad_status")


def test_an_approved_claim_as_evidence(api, editor2, claim_id, other_claim_id, to_review, reviewer):
    to_review(claim_id, verdict="false")
    body = {"source_claim_id": claim_id, "stance": "contradicts", "note": "Checked last week."}
    error_of(api(editor2).post(f"/claims/{other_claim_id}/evidence", json=body), 409, "bad_status")
    service.approve(claim_id, user=reviewer)
    response = api(editor2).post(f"/claims/{other_claim_id}/evidence", json=body)
    assert response.status_code == 201
    link = response.get_json()
    assert (link["source_claim_id"], link["title"], link["note"]) == (
        claim_id, f"Desk fact-check #{claim_id}: False", "Checked last week.")


# --- verdicts ----------------------------------------------------------------------------------

def test_post_verdict_is_200_and_in_review(api, editor, claim_id):
    api(editor).post(f"/claims/{claim_id}/evidence", json=EVIDENCE)
    response = api(editor).post(f"/claims/{claim_id}/verdict", json={
        "verdict": "mostly_false", "rationale": "The statement says otherwise.", "version": version(api, editor, claim_id)})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "in_review"
    verdict = body["verdict"]
    assert (verdict["verdict"], verdict["label"], verdict["state"], verdict["proposed_by"], verdict["rationale"]) == (
        "mostly_false", "Mostly false", "proposed", "Edith Editor", "The statement says otherwise.")


def test_verdict_without_evidence_is_422_evidence_required(api, editor, claim_id):
    response = api(editor).post(f"/claims/{claim_id}/verdict", json={"verdict": "true", "rationale": "Obvious.",
                                                                      "version": 1})
    error_of(response, 422, "evidence_required")
    assert api(editor).get(f"/claims/{claim_id}").get_json()["status"] == "new"


@pytest.mark.parametrize("body, field", [
    ({"verdict": "pants_on_fire", "rationale": "x"}, "verdict"),
    ({"rationale": "x"}, "verdict"),
    ({"verdict": "true", "rationale": "   "}, "rationale"),
    ({"verdict": "true"}, "rationale"),
    ({"verdict": "true", "rationale": "x", "version": "two"}, "version"),
])
def test_bad_verdicts_are_422(api, editor, claim_id, body, field):
    api(editor).post(f"/claims/{claim_id}/evidence", json=EVIDENCE)
    body = {"version": version(api, editor, claim_id), **body}
    error = error_of(api(editor).post(f"/claims/{claim_id}/verdict", json=body), 422, "invalid")
    assert error["details"]["field"] == field


def test_a_verdict_from_a_stale_version_is_409(api, editor, editor2, claim_id):
    api(editor).post(f"/claims/{claim_id}/evidence", json=EVIDENCE)
    api(editor2).post(f"/claims/{claim_id}/evidence", json=dict(EVIDENCE, url="https://example.org/b"))
    error = error_of(api(editor).post(f"/claims/{claim_id}/verdict",
                                      json={"verdict": "true", "rationale": "x", "version": 2}), 409, "stale_version")
    assert error["details"]["your_version"] == 2 and error["details"]["current_version"] == 3
    assert error["details"]["changes"][0].startswith("Evan Editor (evidence linked")


def test_a_second_verdict_while_in_review_is_409(api, editor, claim_id, to_review):
    to_review(claim_id)
    error_of(api(editor).post(f"/claims/{claim_id}/verdict", json={"verdict": "false", "rationale": "x",
                                                                    "version": version(api, editor, claim_id)}),
             409, "bad_status")


# --- approve and return --------------------------------------------------------------------------

def test_a_reviewer_approves_200(api, reviewer, claim_id, to_review):
    to_review(claim_id)
    response = api(reviewer).post(f"/claims/{claim_id}/approve", json={"comment": "Good.",
                                                                        "version": version(api, reviewer, claim_id)})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "approved"
    assert (body["verdict"]["state"], body["verdict"]["reviewed_by"], body["verdict"]["review_comment"]) == (
        "approved", "Rafael Reviewer", "Good.")


def test_approve_needs_the_version_seen(api, admin, claim_id, to_review):
    """Issue 12 §5: approving is a decision about the copy one saw, so the version is required."""
    to_review(claim_id)
    error = error_of(api(admin).post(f"/claims/{claim_id}/approve"), 422, "invalid")
    assert error["fields"] == {"version": "Missing data for required field."}
    response = api(admin).post(f"/claims/{claim_id}/approve", json={"version": version(api, admin, claim_id)})
    assert response.status_code == 200 and response.get_json()["status"] == "approved"


@pytest.mark.parametrize("action, body", [("approve", {}), ("return", {"comment": "Redo it."})])
@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_the_verdicts_author_gets_403_four_eyes(api, make_user, claim_id, to_review, action, body, role):
    author = make_user(role)
    to_review(claim_id, by=author)
    body = {**body, "version": version(api, author, claim_id)}
    error_of(api(author).post(f"/claims/{claim_id}/{action}", json=body), 403, "four_eyes")
    assert api(author).get(f"/claims/{claim_id}").get_json()["status"] == "in_review"


@pytest.mark.parametrize("action, body", [("approve", {}), ("return", {"comment": "Redo it."})])
def test_an_editor_gets_403_forbidden(api, editor, editor2, claim_id, to_review, action, body):
    to_review(claim_id)
    body = {**body, "version": version(api, editor, claim_id)}
    for user in (editor2, editor):  # another editor, and the author: the role is checked first
        error_of(api(user).post(f"/claims/{claim_id}/{action}", json=body), 403, "forbidden")


@pytest.mark.parametrize("action, body", [("approve", {}), ("return", {"comment": "Redo it."})])
def test_the_wrong_status_is_409_bad_status(api, editor, reviewer, claim_id, action, body):
    sent = {**body, "version": version(api, reviewer, claim_id)}
    error_of(api(reviewer).post(f"/claims/{claim_id}/{action}", json=sent), 409, "bad_status")  # new
    service.take(claim_id, user=editor)
    sent = {**body, "version": version(api, reviewer, claim_id)}
    error_of(api(reviewer).post(f"/claims/{claim_id}/{action}", json=sent), 409, "bad_status")  # in progress


def test_approving_twice_is_409(api, reviewer, admin, claim_id, to_approved):
    to_approved(claim_id)
    error_of(api(admin).post(f"/claims/{claim_id}/approve", json={"version": version(api, admin, claim_id)}),
             409, "bad_status")


def test_a_reviewer_returns_with_a_comment_200(api, reviewer, claim_id, to_review):
    to_review(claim_id)
    response = api(reviewer).post(f"/claims/{claim_id}/return", json={"comment": "Which statement?",
                                                                       "version": version(api, reviewer, claim_id)})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "in_progress" and body["verdict"]["state"] == "returned"
    assert [c["body"] for c in body["comments"]] == ["Which statement?"]


@pytest.mark.parametrize("body", [{}, {"comment": ""}, {"comment": "  "}, {"comment": None}])
def test_returning_without_a_comment_is_422(api, reviewer, claim_id, to_review, body):
    to_review(claim_id)
    body = {**body, "version": version(api, reviewer, claim_id)}
    error = error_of(api(reviewer).post(f"/claims/{claim_id}/return", json=body), 422, "invalid")
    assert error["details"]["field"] == "comment"


def test_workflow_posts_need_json_and_a_token(client, api, editor, claim_id):
    for path in ("evidence", "verdict", "approve", "return", "comments"):
        response = client.post(f"/api/v1/claims/{claim_id}/{path}", json={})
        error_of(response, 401, "unauthorized")
    for path in ("evidence", "verdict", "return", "comments"):
        response = api(editor).post(f"/claims/{claim_id}/{path}", data="body=x",
                                    content_type="application/x-www-form-urlencoded")
        error_of(response, 415, "unsupported_media_type")
    error_of(api(editor).post(f"/claims/{claim_id}/verdict", data="[1]", content_type="application/json"),
             422, "invalid")


def test_workflow_on_a_missing_claim_is_404(api, editor, reviewer):
    for path, body in (("evidence", EVIDENCE), ("verdict", {"verdict": "true", "rationale": "x", "version": 1}),
                       ("comments", {"body": "x"})):
        error_of(api(editor).post(f"/claims/9999/{path}", json=body), 404, "not_found")
    error_of(api(reviewer).post("/claims/9999/approve", json={"version": 1}), 404, "not_found")
    error_of(api(editor).get("/claims/9999/history"), 404, "not_found")


# --- comments and history ---------------------------------------------------------------------------

def test_comments_201_and_empty_ones_422(api, reviewer, claim_id):
    response = api(reviewer).post(f"/claims/{claim_id}/comments", json={"body": "  Check the date.  "})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["author"], body["body"]) == ("Rafael Reviewer", "Check the date.") and body["created_at"].endswith("Z")
    error_of(api(reviewer).post(f"/claims/{claim_id}/comments", json={"body": ""}), 422, "invalid")
    error_of(api(reviewer).post(f"/claims/{claim_id}/comments", json={}), 422, "invalid")


def test_history_lists_every_change_oldest_first(api, editor, reviewer, admin, claim_id):
    api(editor).post(f"/claims/{claim_id}/evidence", json=EVIDENCE)
    def seen(user) -> int:
        return version(api, user, claim_id)

    api(editor).post(f"/claims/{claim_id}/verdict", json={"verdict": "false", "rationale": "Contradicted.",
                                                          "version": seen(editor)})
    api(reviewer).post(f"/claims/{claim_id}/comments", json={"body": "Looks right."})
    api(reviewer).post(f"/claims/{claim_id}/return", json={"comment": "One more source.", "version": seen(reviewer)})
    api(editor).post(f"/claims/{claim_id}/evidence", json=dict(EVIDENCE, url="https://example.org/b", stance="context"))
    api(editor).post(f"/claims/{claim_id}/verdict", json={"verdict": "false", "rationale": "Two sources.",
                                                          "version": seen(editor)})
    api(reviewer).post(f"/claims/{claim_id}/approve", json={"version": seen(reviewer)})
    response = api(admin).get(f"/claims/{claim_id}/history")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert all(set(item) == {"at", "user", "action", "before", "after"} for item in items)
    assert [(i["action"], i["user"]) for i in items] == [
        ("claim_extracted", None), ("evidence_linked", "Edith Editor"), ("verdict_proposed", "Edith Editor"),
        ("commented", "Rafael Reviewer"), ("verdict_returned", "Rafael Reviewer"),
        ("evidence_linked", "Edith Editor"), ("verdict_proposed", "Edith Editor"),
        ("verdict_approved", "Rafael Reviewer"),
    ]
    assert [i["at"] for i in items] == sorted(i["at"] for i in items) and items[0]["at"].endswith("Z")
    proposed = items[2]
    assert proposed["before"]["status"] == "in_progress"
    assert (proposed["after"]["status"], proposed["after"]["verdict"], proposed["after"]["rationale"]) == (
        "in_review", "false", "Contradicted.")
    assert (items[-1]["before"]["status"], items[-1]["after"]["status"]) == ("in_review", "approved")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_history_cannot_be_edited_through_the_api(client, token_for, admin, claim_id, method):
    response = getattr(client, method)(f"/api/v1/claims/{claim_id}/history", headers=token_for(admin), json={})
    error_of(response, 405, "method_not_allowed")


def test_a_refused_call_leaves_no_trace_in_the_history(api, editor, reviewer, claim_id, to_review):
    to_review(claim_id)
    before = api(editor).get(f"/claims/{claim_id}/history").get_json()["items"]
    api(editor).post(f"/claims/{claim_id}/approve", json={})
    api(editor).post(f"/claims/{claim_id}/evidence", json=EVIDENCE)
    api(reviewer).post(f"/claims/{claim_id}/return", json={"comment": ""})
    assert api(editor).get(f"/claims/{claim_id}/history").get_json()["items"] == before


def test_an_approved_claim_cannot_be_patched(api, editor, claim_id, to_approved):
    to_approved(claim_id)
    version = api(editor).get(f"/claims/{claim_id}").get_json()["version"]
    error_of(api(editor).patch(f"/claims/{claim_id}", json={"version": version, "cue": "claimed"}), 409, "bad_status")


def test_evidence_by_service_and_api_share_one_rule(api, editor, claim_id):
    """The API and the service refuse the same things (here: linking the same evidence twice)."""
    service.link_evidence(claim_id, user=editor, evidence=evidence_input(url=EVIDENCE["url"]))
    error_of(api(editor).post(f"/claims/{claim_id}/evidence", json=EVIDENCE), 422, "invalid")


def test_ids_beyond_any_row_are_not_found_not_a_crash(client, claims, editor, token_for):
    headers = token_for(editor)
    claim = claims[0]
    response = client.post(f"/api/v1/claims/{claim.id}/evidence", headers=headers,
                           json={"evidence_id": 2**40, "stance": "context"})
    assert response.status_code == 422  # beyond any id column: the schema's range (issue 12 §2)
    response = client.post(f"/api/v1/claims/{claim.id}/assign", headers=headers,
                           json={"version": claim.version, "assignee": 2**40})
    assert response.status_code == 422
    assert client.get("/api/v1/claims/99999999999", headers=headers).status_code == 404


# --- take, assign, dismiss, reopen ------------------------------------------------------------------

def test_take_assigns_the_claim_to_the_tokens_user(api, editor, claim_id):
    response = api(editor).post(f"/claims/{claim_id}/take", json={"version": 1})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["assignee"]["name"], body["version"]) == ("in_progress", "Edith Editor", 2)
    assert api(editor).post(f"/claims/{claim_id}/take").status_code == 200  # no body: no version check
    assert history(api, editor, claim_id) == ["claim_extracted", "assigned"]  # the same person again: no change


@pytest.mark.parametrize("assignee", ["evan@example.org", "id"])
def test_assign_by_id_or_email_and_to_nobody(api, editor, editor2, claim_id, assignee):
    ref = editor2.id if assignee == "id" else assignee
    body = api(editor).post(f"/claims/{claim_id}/assign", json={"assignee": ref, "version": 1}).get_json()
    assert (body["assignee"]["name"], body["status"]) == ("Evan Editor", "in_progress")
    response = api(editor).post(f"/claims/{claim_id}/assign", json={"assignee": None, "version": 2})
    assert response.status_code == 200
    assert (response.get_json()["assignee"], response.get_json()["status"]) == (None, "in_progress")
    assert history(api, editor, claim_id) == ["claim_extracted", "assigned", "assigned"]


@pytest.mark.parametrize("body, status, code", [
    ({}, 422, "invalid"),
    ({"assignee": "nobody@example.org"}, 422, "invalid"),
    ({"assignee": 9999}, 422, "invalid"),
    ({"assignee": True}, 422, "invalid"),
    ({"assignee": ["evan@example.org"]}, 422, "invalid"),
    ({"assignee": None, "version": 7}, 409, "stale_version"),
])
def test_bad_assignments_are_refused(api, editor, claim_id, body, status, code):
    error = error_of(api(editor).post(f"/claims/{claim_id}/assign", json=body), status, code)
    if status == 422:
        assert error["details"]["field"] == "assignee"
    assert history(api, editor, claim_id) == ["claim_extracted"]


def test_dismiss_needs_a_reason_and_a_claim_still_on_the_desk(api, editor, claim_id, other_claim_id, to_review):
    for body in ({}, {"reason": "  "}, {"reason": None}):
        assert error_of(api(editor).post(f"/claims/{claim_id}/dismiss", json=body), 422, "invalid")[
            "details"]["field"] == "reason"
    response = api(editor).post(f"/claims/{claim_id}/dismiss", json={"reason": " Opinion. ", "version": 1})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["dismiss_reason"], body["version"]) == ("dismissed", "Opinion.", 2)
    error_of(api(editor).post(f"/claims/{claim_id}/dismiss", json={"reason": "Again."}), 409, "bad_status")
    error_of(api(editor).post(f"/claims/{claim_id}/take", json={}), 409, "bad_status")
    to_review(other_claim_id)
    error_of(api(editor).post(f"/claims/{other_claim_id}/dismiss", json={"reason": "Opinion."}), 409, "bad_status")


def test_only_an_admin_reopens_through_the_api(api, editor, reviewer, admin, claim_id, to_approved):
    to_approved(claim_id)
    for user in (editor, reviewer):
        error_of(api(user).post(f"/claims/{claim_id}/reopen", json={"reason": "Please."}), 403, "forbidden")
    response = api(admin).post(f"/claims/{claim_id}/reopen", json={"reason": "New figures."})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["history"][-1]["action"], body["history"][-1]["after"]["reason"]) == (
        "in_progress", "reopened", "New figures.")
    error_of(api(admin).post(f"/claims/{claim_id}/reopen"), 409, "bad_status")


def test_actions_on_a_missing_claim_are_404(api, editor, admin):
    for path, body in (("take", {}), ("assign", {"assignee": None}), ("dismiss", {"reason": "x"})):
        error_of(api(editor).post(f"/claims/9999/{path}", json=body), 404, "not_found")
    error_of(api(admin).post("/claims/9999/reopen", json={}), 404, "not_found")
