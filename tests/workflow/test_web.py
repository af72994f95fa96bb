"""The workflow through the web: claim page forms, queue views and bulk, via the test client.

CSRF is off in TestConfig; ``test_claim_forms_need_a_csrf_token`` builds an app with it on.
"""
from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from flask import g

from app import create_app
from app.extensions import db
from app.models import Claim, Evidence
from app.workflow import service
from tests.conftest import PASSWORD
from tests.workflow.conftest import evidence_input


def text(response) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def get(claim_id: int) -> Claim:
    """The claim as saved now (a new transaction: SQLite would show this one's snapshot)."""
    db.session.rollback()
    return db.session.get(Claim, claim_id)


def evidence_form(**overrides) -> dict[str, str]:
    data = {"url": "https://www.nato.int/cps/en/natohq/news_192404.htm", "title": "Statement by NATO Allies",
            "publisher": "NATO", "published_at": "2022-02-24", "excerpt": "We condemn in the strongest terms.",
            "stance": "contradicts", "note": "Issued the same day."}
    data.update(overrides)
    return data


class Browser:
    """A test client signed in as one person.

    Requests made from a test reuse the test's app context, so ``g`` (where Flask-Login
    keeps the current user) would carry one person's login into the next person's request;
    each request here starts without it, as a real request does.
    """

    def __init__(self, client):
        self.client = client

    def get(self, *args, **kwargs):
        g.pop("_login_user", None)
        return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        g.pop("_login_user", None)
        return self.client.post(*args, **kwargs)


@pytest.fixture
def as_user(app):
    """Factory: a browser signed in as ``user`` (each person their own)."""
    def make(user) -> Browser:
        browser = Browser(app.test_client())
        response = browser.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        return browser
    return make


# --- the claim page at each step ---------------------------------------------------------------

def test_a_new_claim_shows_the_editor_what_to_do_next(as_user, editor, claim_id):
    page = text(as_user(editor).get(f"/claims/{claim_id}"))
    assert "Next: link evidence, then propose a verdict." in re.sub(r"<[^>]+>", "", page)
    assert re.search(r'<details class="card card-body" id="evidence-panel"[^>]*\sopen>', page)
    assert 'id="cite-form"' in page and 'id="verdict-form"' in page
    verdict_form = page[page.index('id="verdict-form"'):]
    assert re.search(r'<button class="btn btn-primary" type="submit" disabled', verdict_form)
    assert "Link at least one piece of evidence first" in verdict_form
    assert 'id="review-form"' not in page and "reopen" not in page.lower()


def test_editor_links_evidence_and_proposes_a_verdict_through_the_forms(as_user, editor, claim_id):
    client = as_user(editor)
    response = client.post(f"/claims/{claim_id}/evidence", data=evidence_form())
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/claims/{claim_id}")
    page = text(client.get(f"/claims/{claim_id}"))
    assert "Evidence linked." in page and "Statement by NATO Allies" in page and "Issued the same day." in page
    claim = get(claim_id)
    assert (claim.status, claim.assignee_id) == ("in_progress", editor.id)
    evidence = claim.evidence_links[0].evidence
    assert (evidence.published_at, evidence.publisher, claim.evidence_links[0].stance) == (
        datetime(2022, 2, 24), "NATO", "contradicts")
    assert "Next: propose a verdict with a rationale." in re.sub(r"<[^>]+>", "", page)

    response = client.post(f"/claims/{claim_id}/verdict", data={
        "verdict": "false", "rationale": "NATO's own statement contradicts it.", "version": str(claim.version)})
    assert response.status_code == 302
    page = text(client.get(f"/claims/{claim_id}"))
    assert "Verdict proposed: the claim is waiting for review." in page
    assert "False (proposed)" in page and "NATO's own statement contradicts it." in page
    assert 'id="review-form"' not in page and "signs this verdict off" in page
    assert get(claim_id).status == "in_review"


def test_a_bad_evidence_form_keeps_the_input_and_stores_nothing(as_user, editor, claim_id):
    response = as_user(editor).post(f"/claims/{claim_id}/evidence", data=evidence_form(url="nato dot int"))
    assert response.status_code == 422
    page = text(response)
    assert "Please correct the highlighted fields." in page
    assert 'value="nato dot int"' in page and 'value="Statement by NATO Allies"' in page
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 0 and get(claim_id).status == "new"


def test_proposing_without_evidence_is_refused_with_the_rationale_kept(as_user, editor, claim_id):
    response = as_user(editor).post(f"/claims/{claim_id}/verdict", data={
        "verdict": "true", "rationale": "My long rationale.", "version": "1"})
    assert response.status_code == 422
    page = text(response)
    assert "Link at least one piece of evidence before proposing a verdict." in page
    assert "My long rationale." in page and get(claim_id).status == "new"


def test_a_reviewer_approves_from_the_claim_page(as_user, reviewer, claim_id, to_review):
    to_review(claim_id)
    client = as_user(reviewer)
    page = text(client.get(f"/claims/{claim_id}"))
    assert 'id="review-form"' in page and "Waiting for your review" in page
    response = client.post(f"/claims/{claim_id}/review", data={
        "approve": "Approve", "comment": "Well sourced.", "version": str(get(claim_id).version)})
    assert response.status_code == 302
    page = text(client.get(f"/claims/{claim_id}"))
    assert "Verdict approved." in page and "Approved by Rafael Reviewer" in page and "Well sourced." in page
    assert 'id="review-form"' not in page and 'id="evidence-form"' not in page and 'id="edit-form"' not in page
    assert "approved the verdict" in page
    assert get(claim_id).status == "approved"


def test_a_reviewer_returns_with_a_comment_and_not_without(as_user, reviewer, editor, claim_id, to_review):
    to_review(claim_id)
    client = as_user(reviewer)
    version = str(get(claim_id).version)  # required on decisions (issue 12 §5)
    response = client.post(f"/claims/{claim_id}/review", data={"send_back": "Return to editor", "comment": " ",
                                                                "version": version})
    assert response.status_code == 422 and "a comment is required to return a claim" in text(response)
    assert get(claim_id).status == "in_review"
    response = client.post(f"/claims/{claim_id}/review", data={"send_back": "Return", "comment": "Which statement?",
                                                                "version": version})
    assert response.status_code == 302 and get(claim_id).status == "in_progress"
    page = re.sub(r"<[^>]+>", "", text(as_user(editor).get(f"/claims/{claim_id}")))
    assert "Returned by Rafael Reviewer: Which statement? Fix it, then propose a verdict again." in page
    verdict_form = text(as_user(editor).get(f"/claims/{claim_id}")).split('id="verdict-form"')[1]
    assert re.search(r'<option[^>]*selected[^>]*value="true"|<option[^>]*value="true"[^>]*selected', verdict_form)
    assert "The NATO record shows it.</textarea>" in verdict_form  # the returned rationale, to edit


def test_four_eyes_holds_on_the_web(as_user, reviewer, make_user, claim_id, to_review):
    """The reviewer who proposed sees no review form, and a hand-made POST is refused."""
    to_review(claim_id, by=reviewer)
    client = as_user(reviewer)
    page = text(client.get(f"/claims/{claim_id}"))
    assert 'id="review-form"' not in page and "You proposed this verdict" in page
    version = str(get(claim_id).version)
    response = client.post(f"/claims/{claim_id}/review", data={"approve": "Approve", "version": version})
    assert response.status_code == 403
    assert "You proposed this verdict; another reviewer must sign it off." in text(response)
    assert get(claim_id).status == "in_review"
    another_admin = make_user("admin")
    response = as_user(another_admin).post(f"/claims/{claim_id}/review", data={"approve": "Approve", "version": version})
    assert response.status_code == 302 and get(claim_id).status == "approved"


def test_an_editor_cannot_sign_off_on_the_web(as_user, editor2, claim_id, to_review):
    to_review(claim_id)
    client = as_user(editor2)
    version = str(get(claim_id).version)
    for data in ({"approve": "Approve"}, {"send_back": "Return", "comment": "No."}):
        response = client.post(f"/claims/{claim_id}/review", data={**data, "version": version})
        assert response.status_code == 403 and "Only reviewers and admins sign verdicts off." in text(response)
    assert get(claim_id).status == "in_review"


def test_dismiss_and_reopen_through_the_forms(as_user, editor, admin, reviewer, claim_id):
    client = as_user(editor)
    response = client.post(f"/claims/{claim_id}/dismiss", data={"reason": "", "version": "1"})
    assert response.status_code == 422 and get(claim_id).status == "new"
    response = client.post(f"/claims/{claim_id}/dismiss", data={"reason": "Opinion.", "version": "1"})
    assert response.status_code == 302 and get(claim_id).status == "dismissed"
    for user in (editor, reviewer):
        response = as_user(user).post(f"/claims/{claim_id}/reopen", data={"reason": "Please", "version": "2"})
        assert response.status_code == 403 and "Only an admin can reopen a claim." in text(response)
    client = as_user(admin)
    assert 'action="/claims/%d/reopen"' % claim_id in text(client.get(f"/claims/{claim_id}"))
    response = client.post(f"/claims/{claim_id}/reopen", data={"reason": "It is checkable.", "version": "2"})
    assert response.status_code == 302
    page = text(client.get(f"/claims/{claim_id}"))
    assert "Claim reopened." in page and "reopened the claim" in page and "Reason: It is checkable." in page
    assert get(claim_id).status == "in_progress"


def test_take_assign_and_the_timeline_of_it(as_user, editor, editor2, claim_id):
    client = as_user(editor)
    assert client.post(f"/claims/{claim_id}/take", data={"version": "1"}).status_code == 302
    assert get(claim_id).assignee_id == editor.id
    response = client.post(f"/claims/{claim_id}/assign", data={"assignee": str(editor2.id), "version": "2"})
    assert response.status_code == 302 and get(claim_id).assignee_id == editor2.id
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(client.get(f"/claims/{claim_id}"))))
    assert "Edith Editor changed the assignment status: New → In progress assignee: nobody → Edith Editor" in page
    assert "assignee: Edith Editor → Evan Editor" in page


def test_removing_evidence(as_user, editor, claim_id):
    link = service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    client = as_user(editor)
    response = client.post(f"/claims/{claim_id}/evidence/{link.id}/remove")
    assert response.status_code == 302 and get(claim_id).evidence_links == []
    assert "removed evidence" in text(client.get(f"/claims/{claim_id}"))
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 1  # stays for other claims


def test_citing_a_desk_fact_check(as_user, editor2, claim_id, other_claim_id, to_review, reviewer):
    to_review(claim_id, verdict="mostly_true")
    client = as_user(editor2)
    data = {"cite-source_claim_id": str(claim_id), "cite-stance": "context", "cite-note": "Same speaker, same day."}
    response = client.post(f"/claims/{other_claim_id}/evidence/claim", data=data)
    assert response.status_code == 409
    assert "Only a claim already checked (approved) can serve as evidence." in text(response)
    service.approve(claim_id, user=reviewer)
    response = client.post(f"/claims/{other_claim_id}/evidence/claim", data=data)
    assert response.status_code == 302
    page = text(client.get(f"/claims/{other_claim_id}"))
    assert f"Desk fact-check #{claim_id}: Mostly true" in page and f"desk fact-check #{claim_id}" in page


def test_comments_join_the_thread_and_the_history_escaped(as_user, editor, claim_id):
    client = as_user(editor)
    assert client.post(f"/claims/{claim_id}/comments", data={"body": ""}).status_code == 422
    response = client.post(f"/claims/{claim_id}/comments", data={"body": "<script>alert(1)</script> Check p. 2"})
    assert response.status_code == 302
    raw = client.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw
    assert raw.count("&lt;script&gt;alert(1)&lt;/script&gt; Check p. 2") == 2  # thread and timeline
    assert "Comments (1)" in raw


def test_an_approved_claim_page_is_read_only_but_for_comments(as_user, editor, admin, claim_id, to_approved):
    to_approved(claim_id)
    page = text(as_user(editor).get(f"/claims/{claim_id}"))
    for form_id in ("evidence-form", "verdict-form", "review-form", "edit-form", "cite-form"):
        assert f'id="{form_id}"' not in page
    assert "Approved claims are locked. An admin can reopen it." in page
    assert f'action="/claims/{claim_id}/comments"' in page
    response = as_user(editor).post(f"/claims/{claim_id}/edit", data={
        "content": "Changed.", "speaker": "", "kind": "direct", "cue": "", "version": str(get(claim_id).version)})
    assert response.status_code == 409 and "approved and locked" in text(response)
    assert f'action="/claims/{claim_id}/reopen"' in text(as_user(admin).get(f"/claims/{claim_id}"))


def test_the_correction_form_round_trips_unchanged_fields(as_user, editor, claim_id):
    """Posting the form as the page fills it, with only the cue changed, changes only the cue."""
    client = as_user(editor)
    page = client.get(f"/claims/{claim_id}").get_data(as_text=True)
    form = page[page.index('id="edit-form"'):]
    form = form[:form.index("</form>")]
    fields = dict(re.findall(r'<input[^>]*name="(speaker|cue|start|end|version)"[^>]*value="([^"]*)"', form))
    fields["content"] = html.unescape(re.search(r'<textarea[^>]*name="content"[^>]*>\s*(.*?)</textarea>', form, re.S)
                                      .group(1))
    kind = re.search(r'<option[^>]*selected[^>]*value="(\w+)"|<option[^>]*value="(\w+)"[^>]*selected', form)
    fields["kind"] = kind.group(1) or kind.group(2)
    assert fields["speaker"] == "Jens Stoltenberg"
    fields["cue"] = "told reporters"
    assert client.post(f"/claims/{claim_id}/edit", data=fields).status_code == 302
    claim = get(claim_id)
    assert (claim.speaker.name, claim.cue, claim.kind, claim.content) == (
        "Jens Stoltenberg", "told reporters", "direct", fields["content"])
    assert service.history(claim_id)[-1].after == {"cue": "told reporters", "version": 2}


# --- two editors, one claim ----------------------------------------------------------------------

def test_a_stale_save_keeps_the_editors_input_and_shows_what_changed(as_user, editor, editor2, claim_id):
    claim = get(claim_id)
    mine = {"content": "Russia has attacked Ukraine. This is a brutal act of war.", "speaker": "Jens Stoltenberg",
            "kind": "direct", "cue": "told reporters", "version": "1"}
    # Evan saves first, from his own browser.
    theirs = dict(mine, content=claim.content, kind="partial", cue="insisted")
    assert as_user(editor2).post(f"/claims/{claim_id}/edit", data=theirs).status_code == 302

    client = as_user(editor)
    response = client.post(f"/claims/{claim_id}/edit", data=mine)
    assert response.status_code == 409
    page = text(response)
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "you had version 1, it is now version 2" in flat
    assert "Evan Editor (claim edited: kind → 'partial', cue → 'insisted')" in flat
    assert "Nothing of yours was saved" in flat and "Your input is kept in the form below" in flat
    # The editor's input is still in the form, with the current version, and what was saved sits beside it.
    assert "Russia has attacked Ukraine. This is a brutal act of war.</textarea>" in page
    assert 'value="told reporters"' in page
    assert re.search(r'name="version" type="hidden" value="2"', page)
    assert re.search(r'<details id="fix-panel"\s+open', page)
    assert "Saved meanwhile by someone else: insisted" in flat and "Saved meanwhile by someone else: partial" in flat
    assert 'id="conflict-content"' in page  # the text differs from what is saved too
    assert 'id="conflict-speaker"' not in page
    claim = get(claim_id)
    assert (claim.kind, claim.cue, claim.version) == ("partial", "insisted", 2)  # nothing overwritten
    # Sending it again, now from version 2, is a conscious choice and goes through.
    response = client.post(f"/claims/{claim_id}/edit", data=dict(mine, version="2"))
    assert response.status_code == 302
    assert (get(claim_id).content, get(claim_id).cue) == (mine["content"], "told reporters")


def test_a_stale_verdict_keeps_the_rationale(as_user, editor, editor2, claim_id):
    service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    service.link_evidence(claim_id, user=editor2, evidence=evidence_input(2, stance="contradicts"))
    response = as_user(editor).post(f"/claims/{claim_id}/verdict", data={
        "verdict": "true", "rationale": "Checked against the release.", "version": "2"})
    assert response.status_code == 409
    page = text(response)
    assert "Evan Editor (evidence linked" in page and "Checked against the release." in page
    assert get(claim_id).status == "in_progress"


# --- CSRF ----------------------------------------------------------------------------------------

def test_claim_forms_need_a_csrf_token(app, editor, claim_id):
    csrf_app = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "WTF_CSRF_ENABLED": True})
    try:
        client = csrf_app.test_client()
        login = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
        client.post("/auth/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": token})
        page = client.get(f"/claims/{claim_id}").get_data(as_text=True)
        take_form = page[page.index(f'action="/claims/{claim_id}/take"'):]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', take_form).group(1)

        refused = client.post(f"/claims/{claim_id}/take", data={"version": "1"})
        assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
        assert client.post(f"/claims/{claim_id}/comments", data={"body": "Hi"}).status_code == 400
        assert client.post("/queue/bulk", data={"action": "take", "claim_ids": [claim_id]}).status_code == 400
        assert (get(claim_id).status, get(claim_id).comments) == ("new", [])

        accepted = client.post(f"/claims/{claim_id}/take", data={"version": "1", "csrf_token": token})
        assert accepted.status_code == 302 and get(claim_id).assignee_id == editor.id
    finally:
        with csrf_app.app_context():
            db.engine.dispose()


# --- queue views -----------------------------------------------------------------------------------

def test_my_claims_lists_my_open_claims_only(as_user, editor, editor2, claims, to_review, to_approved):
    mine_new = claims[0].id
    service.take(mine_new, user=editor)
    mine_in_review = to_review(claims[1].id)
    done = to_approved(claims[2].id)
    service.take(claims[3].id, user=editor2)
    page = as_user(editor).get("/queue?view=mine").get_data(as_text=True)
    listed = {int(i) for i in re.findall(r'data-claim="(\d+)"', page)}
    assert listed == {mine_new, mine_in_review}
    assert get(done).assignee_id == editor.id  # approved: done, so not listed
    assert "<h1 class=\"h4 mb-0\">My claims</h1>" in page


def test_my_claims_when_there_are_none(as_user, editor, claims):
    page = text(as_user(editor).get("/queue?view=mine"))
    assert "Nothing open is assigned to you." in page


def test_waiting_for_my_review_lists_what_i_may_sign_off(as_user, reviewer, editor, claims, to_review):
    theirs = to_review(claims[0].id)
    my_own = to_review(claims[1].id, by=reviewer, n=2)
    client = as_user(reviewer)
    page = client.get("/queue?view=review").get_data(as_text=True)
    assert {int(i) for i in re.findall(r'data-claim="(\d+)"', page)} == {theirs}
    assert "Waiting for my review</a>" in page  # in the navigation for reviewers
    assert "True (proposed)" in page
    service.approve(theirs, user=reviewer)
    page = text(client.get("/queue?view=review"))
    assert "Nothing is waiting for your review." in page and f'data-claim="{my_own}"' not in page


def test_editors_have_nothing_waiting_for_their_review(as_user, editor2, claims, to_review):
    to_review(claims[0].id)
    page = text(as_user(editor2).get("/queue?view=review"))
    assert 'data-claim="' not in page and "Reviewers and admins sign verdicts off." in page
    assert ">Waiting for my review</a>" not in page


# --- bulk and the shortcut's form ------------------------------------------------------------------

def test_bulk_dismiss_flashes_what_was_done_and_what_was_refused_and_why(as_user, editor, claims, to_review):
    in_review = to_review(claims[2].id)
    client = as_user(editor)
    ids = [claims[0].id, claims[1].id, in_review]
    response = client.post("/queue/bulk", data={"action": "dismiss", "claim_ids": ids, "reason": "Captions.",
                                                "assignee": str(editor.id), "next": "/queue?view=all"})
    assert response.status_code == 302 and response.headers["Location"] == "/queue?view=all"
    page = text(client.get("/queue?view=all"))
    assert f"2 claims updated: #{claims[0].id}, #{claims[1].id}." in page
    assert f"Claim refused (#{in_review}): This claim is in review and cannot be dismissed." in page
    assert {get(i).status for i in ids} == {"dismissed", "in_review"}


def test_bulk_refusals_with_one_reason_are_grouped(as_user, editor, claims):
    client = as_user(editor)
    ids = [c.id for c in claims[:3]]
    client.post("/queue/bulk", data={"action": "dismiss", "claim_ids": ids, "reason": "", "assignee": str(editor.id)})
    page = text(client.get("/queue"))
    numbers = ", ".join(f"#{i}" for i in ids)
    assert f"3 claims refused ({numbers}): Say why the claim is dismissed" in page
    assert "claims updated" not in page and {get(i).status for i in ids} == {"new"}


def test_bulk_assign_and_nothing_ticked(as_user, editor, editor2, claims):
    client = as_user(editor)
    client.post("/queue/bulk", data={"action": "assign", "claim_ids": [claims[0].id], "assignee": str(editor2.id)})
    assert get(claims[0].id).assignee_id == editor2.id
    client.post("/queue/bulk", data={"action": "assign", "assignee": str(editor2.id)})
    assert "Tick at least one claim first." in text(client.get("/queue"))


def test_the_a_shortcut_form_takes_the_claim_and_stays_in_the_queue(as_user, editor, claims, to_approved):
    client = as_user(editor)
    page = client.get("/queue?view=all&sort=oldest").get_data(as_text=True)
    assert re.search(r'<form method="post" id="take-form" hidden', page)
    assert 'name="next" value="/queue?view=all&amp;sort=oldest"' in page
    response = client.post(f"/claims/{claims[0].id}/take", data={"version": "1", "next": "/queue?view=all&sort=oldest"})
    assert response.status_code == 302 and response.headers["Location"] == "/queue?view=all&sort=oldest"
    assert f"Claim #{claims[0].id} is assigned to you." in text(client.get("/queue"))
    locked = to_approved(claims[1].id)
    response = client.post(f"/claims/{locked}/take", data={"version": "99", "next": "/queue"})
    assert response.status_code == 302 and response.headers["Location"] == "/queue"
    assert f"Claim #{locked}: Someone saved this claim" in text(client.get("/queue"))
    response = client.post(f"/claims/{locked}/take", data={"next": "/queue"})
    assert f"Claim #{locked}: This claim is approved; an admin must reopen it" in text(client.get("/queue"))


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"])
def test_the_shortcut_never_redirects_off_site(as_user, editor, claims, target):
    response = as_user(editor).post(f"/claims/{claims[0].id}/take", data={"version": "1", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == f"/claims/{claims[0].id}"


@pytest.mark.parametrize("state", ["new", "in_review", "approved"])
def test_claim_page_ids_are_unique(as_user, admin, claim_id, to_review, to_approved, state):
    """Several forms share the page: each label must point at exactly one field."""
    if state == "in_review":
        to_review(claim_id)
    elif state == "approved":
        to_approved(claim_id)
    page = as_user(admin).get(f"/claims/{claim_id}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
