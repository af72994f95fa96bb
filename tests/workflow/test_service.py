"""Every transition and every refusal of the editorial workflow, through the service layer.

Claims come from the seed article through the real ingest (real spaCy). Each refusal is
checked with ``refused``: the exact named error, and nothing written to the database.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.errors import BadStatus, EvidenceRequired, Forbidden, FourEyes, Invalid, NotFound, StaleVersion
from app.extensions import db
from app.models import VERDICT_LABELS, VERDICTS, AuditEvent, Claim, ClaimEvidence, Evidence, User
from app.workflow import service
from app.workflow.audit import HistoryIsAppendOnly
from tests.workflow.conftest import actions, evidence_input, fingerprint, refused


def get(claim_id: int) -> Claim:
    db.session.expire_all()
    return db.session.get(Claim, claim_id)


def last_event(claim_id: int) -> AuditEvent:
    return service.history(claim_id)[-1]


# --- the verdict scale ------------------------------------------------------------------------

def test_every_layer_knows_the_same_verdict_scale():
    """Labels, ClaimReview ratings and the API's description all cover exactly the scale."""
    from app.api.openapi import openapi_document
    from app.export.claimreview import RATING_VALUES

    schemas = openapi_document()["components"]["schemas"]
    assert list(VERDICT_LABELS) == list(VERDICTS) == list(RATING_VALUES)
    assert schemas["Verdict"]["properties"]["verdict"]["enum"] == list(VERDICTS)
    assert schemas["VerdictIn"]["properties"]["verdict"]["enum"] == list(VERDICTS)


@pytest.mark.parametrize("verdict", VERDICTS)
def test_every_verdict_on_the_scale_can_be_proposed(claim_id, editor, verdict):
    service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    item = service.propose_verdict(claim_id, user=editor, verdict=verdict, rationale="Checked.")
    assert item.verdict == verdict and get(claim_id).status == "in_review"


# --- take and assign --------------------------------------------------------------------------

def test_take_moves_new_claim_to_in_progress_assigned_to_me(claim_id, editor):
    service.take(claim_id, user=editor)
    claim = get(claim_id)
    assert (claim.status, claim.assignee_id, claim.version) == ("in_progress", editor.id, 2)
    event = last_event(claim_id)
    assert event.action == "assigned" and event.user_id == editor.id
    assert (event.before["status"], event.before["assignee"]) == ("new", None)
    assert (event.after["status"], event.after["assignee"]) == ("in_progress", editor.email)
    assert (event.before["version"], event.after["version"]) == (1, 2)


def test_being_assigned_by_someone_else_also_starts_the_work(claim_id, editor, editor2):
    service.assign(claim_id, user=editor, assignee=editor2.id)
    claim = get(claim_id)
    assert (claim.status, claim.assignee_id) == ("in_progress", editor2.id)
    assert last_event(claim_id).user_id == editor.id


def test_assign_by_email_and_unassign_keeps_status(claim_id, editor, editor2):
    service.assign(claim_id, user=editor, assignee="EVAN@example.org ")
    assert get(claim_id).assignee_id == editor2.id
    service.assign(claim_id, user=editor, assignee=None)
    claim = get(claim_id)
    assert (claim.status, claim.assignee_id) == ("in_progress", None)
    assert actions(claim_id)[-2:] == ["assigned", "assigned"]


def test_assigning_again_to_the_same_person_records_nothing(claim_id, editor):
    service.take(claim_id, user=editor)
    before = fingerprint(claim_id)
    service.take(claim_id, user=editor)
    assert fingerprint(claim_id) == before


@pytest.mark.parametrize("assignee", ["nobody@example.org", 9999])
def test_assign_to_an_unknown_user_is_refused(claim_id, editor, assignee):
    with refused(Invalid, claim_id, match="No active user"):
        service.assign(claim_id, user=editor, assignee=assignee)


def test_assign_to_an_inactive_user_is_refused(claim_id, editor, make_user):
    gone = make_user("editor", email="gone@example.org")
    gone.active = False
    db.session.commit()
    with refused(Invalid, claim_id):
        service.assign(claim_id, user=editor, assignee=gone.id)


def test_approved_and_dismissed_claims_cannot_be_assigned(claim_id, other_claim_id, editor, to_approved):
    to_approved(claim_id)
    service.dismiss(other_claim_id, user=editor, reason="Opinion, not checkable.")
    for cid in (claim_id, other_claim_id):
        with refused(BadStatus, cid):
            service.take(cid, user=editor)


def test_a_claim_in_review_can_be_reassigned(claim_id, editor, editor2, to_review):
    to_review(claim_id)
    service.assign(claim_id, user=editor, assignee=editor2.id)
    claim = get(claim_id)
    assert (claim.status, claim.assignee_id) == ("in_review", editor2.id)


# --- evidence -----------------------------------------------------------------------------------

def test_linking_evidence_to_a_new_claim_takes_it(claim_id, editor):
    link = service.link_evidence(claim_id, user=editor, evidence=evidence_input(stance="contradicts", note="See p. 2"))
    claim = get(claim_id)
    assert (claim.status, claim.assignee_id) == ("in_progress", editor.id)
    assert (link.stance, link.note, link.added_by_id) == ("contradicts", "See p. 2", editor.id)
    ev = link.evidence
    assert (ev.url, ev.title, ev.publisher, ev.excerpt) == (
        "https://www.nato.int/cps/en/natohq/news_1.htm", "NATO press release 1", "NATO", "Allies condemn the attack.")
    event = last_event(claim_id)
    assert event.action == "evidence_linked" and event.user_id == editor.id
    assert event.before == {"status": "new", "version": 1}
    assert event.after == {"status": "in_progress", "version": 2, "evidence": "NATO press release 1",
                           "url": ev.url, "stance": "contradicts"}
    assert claim.version == 2


def test_linking_evidence_keeps_someone_elses_assignment(claim_id, editor, editor2):
    service.take(claim_id, user=editor2)
    service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    claim = get(claim_id)
    assert (claim.status, claim.assignee_id) == ("in_progress", editor2.id)


def test_evidence_is_stored_once_and_linked_many_times(claim_id, other_claim_id, editor, editor2):
    first = service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    # another title for the same page: the editor chose to link the stored source (tests/workflow/test_stored_evidence.py)
    second = service.link_evidence(other_claim_id, user=editor2, existing="keep",
                                   evidence=evidence_input(title="Same page, other title", stance="context"))
    assert first.evidence_id == second.evidence_id
    assert second.evidence.title == "NATO press release 1"
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(ClaimEvidence.id))) == 2
    ev = db.session.get(Evidence, first.evidence_id)
    assert {link.claim_id for link in ev.links} == {claim_id, other_claim_id}
    assert [link.stance for link in get(other_claim_id).evidence_links] == ["context"]


def test_evidence_already_in_the_desk_can_be_linked_by_id(claim_id, other_claim_id, editor):
    first = service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    link = service.link_evidence(other_claim_id, user=editor, evidence_id=first.evidence_id, stance="context",
                                 note="Background")
    assert (link.evidence_id, link.stance, link.note) == (first.evidence_id, "context", "Background")
    assert get(other_claim_id).status == "in_progress"


def test_the_same_evidence_twice_on_one_claim_is_refused(claim_id, editor):
    first = service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    with refused(Invalid, claim_id, match="already linked"):
        service.link_evidence(claim_id, user=editor, evidence=evidence_input(stance="context"))
    with refused(Invalid, claim_id, match="already linked"):
        service.link_evidence(claim_id, user=editor, evidence_id=first.evidence_id, stance="context")


@pytest.mark.parametrize("overrides, field", [
    ({"stance": "agrees"}, "stance"),
    ({"stance": ""}, "stance"),
    ({"title": "   "}, "title"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "ftp://example.org/x"}, "url"),
    ({"url": ""}, "url"),
    ({"url": None}, "url"),
])
def test_bad_evidence_is_refused(claim_id, editor, overrides, field):
    with refused(Invalid, claim_id) as info:
        service.link_evidence(claim_id, user=editor, evidence=evidence_input(**overrides))
    assert info.value.details.get("field") == field


def test_linking_evidence_needs_something_to_link(claim_id, editor):
    with refused(Invalid, claim_id):
        service.link_evidence(claim_id, user=editor, stance="supports")
    with refused(NotFound, claim_id):
        service.link_evidence(claim_id, user=editor, evidence_id=9999, stance="supports")


def test_evidence_cannot_be_linked_once_the_claim_left_the_desk(claim_id, other_claim_id, editor, to_review,
                                                                reviewer):
    to_review(claim_id)
    with refused(BadStatus, claim_id):
        service.link_evidence(claim_id, user=editor, evidence=evidence_input(2))
    service.approve(claim_id, user=reviewer)
    with refused(BadStatus, claim_id):
        service.link_evidence(claim_id, user=editor, evidence=evidence_input(2))
    service.dismiss(other_claim_id, user=editor, reason="Opinion.")
    with refused(BadStatus, other_claim_id):
        service.link_evidence(other_claim_id, user=editor, evidence=evidence_input(2))


def test_a_claim_serves_as_evidence_only_once_approved(claim_id, other_claim_id, editor, editor2, to_review,
                                                      reviewer, claims):
    to_review(claim_id, verdict="mostly_true")
    with refused(BadStatus, other_claim_id, match="approved"):
        service.link_evidence(other_claim_id, user=editor2, source_claim_id=claim_id, stance="context")
    service.approve(claim_id, user=reviewer)
    link = service.link_evidence(other_claim_id, user=editor2, source_claim_id=claim_id, stance="context")
    ev = link.evidence
    assert ev.source_claim_id == claim_id
    assert ev.title == f"Desk fact-check #{claim_id}: Mostly true"
    assert ev.excerpt == get(claim_id).content
    # The same checked claim is stored once as evidence, whichever claim cites it next.
    third = next(c.id for c in claims if c.id not in (claim_id, other_claim_id))
    again = service.link_evidence(third, user=editor2, source_claim_id=claim_id, stance="supports")
    assert again.evidence_id == ev.id
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id)).where(Evidence.source_claim_id == claim_id)) == 1


def test_self_citation_is_refused(claim_id, other_claim_id, editor, to_approved):
    to_approved(other_claim_id)
    with refused(Invalid, claim_id, match="itself"):
        service.link_evidence(claim_id, user=editor, source_claim_id=claim_id, stance="supports")


def test_unlinking_evidence_keeps_the_evidence_for_other_claims(claim_id, other_claim_id, editor):
    link = service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    service.link_evidence(other_claim_id, user=editor, evidence=evidence_input())
    version = get(claim_id).version
    service.unlink_evidence(claim_id, link.id, user=editor)
    assert get(claim_id).evidence_links == [] and get(claim_id).version == version + 1
    assert len(get(other_claim_id).evidence_links) == 1
    event = last_event(claim_id)
    assert event.action == "evidence_unlinked"
    assert event.before["url"] == "https://www.nato.int/cps/en/natohq/news_1.htm"
    assert event.before["stance"] == "supports"


def test_unlinking_someone_elses_link_or_a_locked_claims_link_is_refused(claim_id, other_claim_id, editor,
                                                                         to_review):
    link = service.link_evidence(other_claim_id, user=editor, evidence=evidence_input(2))
    with refused(NotFound, claim_id):
        service.unlink_evidence(claim_id, link.id, user=editor)
    to_review(other_claim_id)
    with refused(BadStatus, other_claim_id):
        service.unlink_evidence(other_claim_id, link.id, user=editor)


# --- proposing a verdict -----------------------------------------------------------------------

def test_proposing_sends_the_claim_to_review(claim_id, editor):
    service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    verdict = service.propose_verdict(claim_id, user=editor, verdict="false", rationale="  The record shows no attack.  ")
    claim = get(claim_id)
    assert claim.status == "in_review"
    assert (verdict.verdict, verdict.state, verdict.proposed_by_id, verdict.rationale) == (
        "false", "proposed", editor.id, "The record shows no attack.")
    event = last_event(claim_id)
    assert event.action == "verdict_proposed" and event.user_id == editor.id
    assert event.before["status"] == "in_progress"
    assert (event.after["status"], event.after["verdict"], event.after["rationale"]) == (
        "in_review", "false", "The record shows no attack.")
    assert event.after["version"] == claim.version


def test_proposing_without_evidence_is_refused_and_the_claim_stays_new(claim_id, editor):
    with refused(EvidenceRequired, claim_id):
        service.propose_verdict(claim_id, user=editor, verdict="true", rationale="Obviously.")
    assert get(claim_id).status == "new"


@pytest.mark.parametrize("verdict, rationale, field", [
    ("", "Checked.", "verdict"),
    ("pants_on_fire", "Checked.", "verdict"),
    ("True", "Checked.", "verdict"),
    ("true", "", "rationale"),
    ("true", "   \n ", "rationale"),
    ("true", None, "rationale"),
])
def test_a_verdict_needs_a_key_from_the_scale_and_a_rationale(claim_id, editor, verdict, rationale, field):
    service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    with refused(Invalid, claim_id) as info:
        service.propose_verdict(claim_id, user=editor, verdict=verdict, rationale=rationale)
    assert info.value.details["field"] == field


def test_another_editor_may_propose_on_a_claim_assigned_to_someone(claim_id, editor, editor2):
    service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    service.propose_verdict(claim_id, user=editor2, verdict="true", rationale="Checked.")
    claim = get(claim_id)
    assert claim.assignee_id == editor.id and claim.current_verdict.proposed_by_id == editor2.id


def test_a_second_proposal_while_in_review_is_refused(claim_id, editor, to_review):
    to_review(claim_id)
    with refused(BadStatus, claim_id):
        service.propose_verdict(claim_id, user=editor, verdict="false", rationale="Changed my mind.")


# --- review: approve and return ------------------------------------------------------------------

def test_a_reviewer_approves_and_the_claim_is_locked(claim_id, editor, reviewer, to_review):
    to_review(claim_id, verdict="mostly_false")
    service.approve(claim_id, user=reviewer, comment="  Solid sourcing. ")
    claim = get(claim_id)
    verdict = claim.current_verdict
    assert claim.status == "approved"
    assert (verdict.state, verdict.reviewed_by_id, verdict.review_comment) == ("approved", reviewer.id, "Solid sourcing.")
    assert verdict.reviewed_at is not None
    assert [c.body for c in claim.comments] == ["Solid sourcing."]
    event = last_event(claim_id)
    assert event.action == "verdict_approved" and event.user_id == reviewer.id
    assert (event.before["status"], event.after["status"]) == ("in_review", "approved")
    assert (event.after["verdict"], event.after["comment"]) == ("mostly_false", "Solid sourcing.")


def test_an_admin_may_approve_someone_elses_verdict(claim_id, admin, to_review):
    to_review(claim_id)
    service.approve(claim_id, user=admin)
    assert get(claim_id).status == "approved" and get(claim_id).current_verdict.review_comment is None


@pytest.mark.parametrize("action", ["approve", "return"])
def test_editors_cannot_sign_off(claim_id, editor, editor2, to_review, action):
    to_review(claim_id)
    for user in (editor2, editor):
        with refused(Forbidden, claim_id, match="reviewers and admins"):
            if action == "approve":
                service.approve(claim_id, user=user)
            else:
                service.return_claim(claim_id, user=user, comment="Redo it.")


@pytest.mark.parametrize("role", ["reviewer", "admin"])
@pytest.mark.parametrize("action", ["approve", "return"])
def test_four_eyes_whoever_proposed_can_never_sign_off(claim_id, make_user, to_review, role, action):
    """Reviewers and admins may propose verdicts too, but never approve or return their own."""
    author = make_user(role)
    to_review(claim_id, by=author)
    with refused(FourEyes, claim_id, match="another reviewer"):
        if action == "approve":
            service.approve(claim_id, user=author, comment="Fine by me.")
        else:
            service.return_claim(claim_id, user=author, comment="Hmm.")
    assert get(claim_id).status == "in_review"
    other = make_user("reviewer")
    service.approve(claim_id, user=other)
    assert get(claim_id).status == "approved"


def test_four_eyes_holds_for_the_current_proposal_after_a_return(claim_id, editor, reviewer, make_user, to_review):
    """The reviewer who returned a verdict, then proposed the next one, cannot approve it."""
    to_review(claim_id)
    service.return_claim(claim_id, user=reviewer, comment="Say which release.")
    service.propose_verdict(claim_id, user=reviewer, verdict="true", rationale="Release of 24 Feb 2022.")
    with refused(FourEyes, claim_id):
        service.approve(claim_id, user=reviewer)
    with refused(Forbidden, claim_id):  # the first author is an editor: may not sign off
        service.approve(claim_id, user=editor)
    service.approve(claim_id, user=make_user("admin"))
    assert get(claim_id).status == "approved"


@pytest.mark.parametrize("status", ["new", "in_progress", "approved", "dismissed"])
def test_only_a_claim_in_review_can_be_approved_or_returned(claim_id, editor, reviewer, to_approved, status):
    if status == "in_progress":
        service.take(claim_id, user=editor)
    elif status == "approved":
        to_approved(claim_id)
    elif status == "dismissed":
        service.dismiss(claim_id, user=editor, reason="Opinion.")
    assert get(claim_id).status == status
    with refused(BadStatus, claim_id):
        service.approve(claim_id, user=reviewer)
    with refused(BadStatus, claim_id):
        service.return_claim(claim_id, user=reviewer, comment="Redo.")


def test_role_is_checked_before_status_and_version(claim_id, editor, to_review):
    """An editor gets 'forbidden', not 'bad status' or 'stale version', whatever the claim's state."""
    with refused(Forbidden, claim_id):
        service.approve(claim_id, user=editor)
    to_review(claim_id)
    with refused(Forbidden, claim_id):
        service.approve(claim_id, user=editor, version=1)
    with refused(Forbidden, claim_id):
        service.return_claim(claim_id, user=editor, comment="", version=1)


def test_returning_needs_a_comment(claim_id, reviewer, to_review):
    to_review(claim_id)
    for comment in ("", "   ", None):
        with refused(Invalid, claim_id, match="comment is required"):
            service.return_claim(claim_id, user=reviewer, comment=comment)


def test_a_returned_claim_goes_back_to_the_editor_and_round_trips(claim_id, editor, reviewer, to_review):
    to_review(claim_id, verdict="true")
    service.return_claim(claim_id, user=reviewer, comment="Add the Reuters report.")
    claim = get(claim_id)
    assert (claim.status, claim.assignee_id) == ("in_progress", editor.id)
    first = claim.current_verdict
    assert (first.state, first.reviewed_by_id, first.review_comment) == ("returned", reviewer.id,
                                                                         "Add the Reuters report.")
    assert [c.body for c in claim.comments] == ["Add the Reuters report."]
    event = last_event(claim_id)
    assert (event.action, event.before["status"], event.after["status"], event.after["comment"]) == (
        "verdict_returned", "in_review", "in_progress", "Add the Reuters report.")
    # The editor adds evidence and proposes again; the same reviewer may approve the new proposal.
    service.link_evidence(claim_id, user=editor, evidence=evidence_input(2, stance="context"))
    service.propose_verdict(claim_id, user=editor, verdict="mostly_true", rationale="With Reuters.")
    service.approve(claim_id, user=reviewer)
    claim = get(claim_id)
    assert [(v.verdict, v.state) for v in claim.verdicts] == [("true", "returned"), ("mostly_true", "approved")]
    assert claim.status == "approved"


# --- locked approved claims and reopening ----------------------------------------------------

def test_an_approved_claim_is_locked_against_every_change(claim_id, editor, reviewer, admin, to_approved):
    to_approved(claim_id)
    link_id = get(claim_id).evidence_links[0].id
    version = get(claim_id).version
    attempts = [
        lambda: service.update_claim(claim_id, user=admin, version=version, changes={"content": "Changed."}),
        lambda: service.update_claim(claim_id, user=editor, version=None, changes={"cue": "claimed"}),
        lambda: service.take(claim_id, user=editor),
        lambda: service.assign(claim_id, user=admin, assignee=None),
        lambda: service.link_evidence(claim_id, user=editor, evidence=evidence_input(3)),
        lambda: service.unlink_evidence(claim_id, link_id, user=admin),
        lambda: service.propose_verdict(claim_id, user=editor, verdict="false", rationale="New facts."),
        lambda: service.dismiss(claim_id, user=admin, reason="Not checkable after all."),
        lambda: service.approve(claim_id, user=admin),
    ]
    for attempt in attempts:
        with refused(BadStatus, claim_id):
            attempt()


def test_comments_are_still_welcome_on_an_approved_claim(claim_id, editor, to_approved):
    to_approved(claim_id)
    service.add_comment(claim_id, user=editor, body="Used in tonight's bulletin.")
    assert get(claim_id).status == "approved" and actions(claim_id)[-1] == "commented"


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_only_an_admin_reopens(claim_id, make_user, to_approved, role):
    to_approved(claim_id)
    with refused(Forbidden, claim_id, match="admin"):
        service.reopen(claim_id, user=make_user(role), reason="Please")


def test_an_admin_reopens_an_approved_claim_and_it_is_recorded(claim_id, editor, admin, to_approved):
    to_approved(claim_id)
    service.reopen(claim_id, user=admin, reason="  Correction requested by the speaker. ")
    claim = get(claim_id)
    assert claim.status == "in_progress"
    event = last_event(claim_id)
    assert (event.action, event.user_id, event.before["status"], event.after["status"], event.after["reason"]) == (
        "reopened", admin.id, "approved", "in_progress", "Correction requested by the speaker.")
    # Reopened, it can change again and go through review once more.
    service.update_claim(claim_id, user=editor, version=claim.version, changes={"cue": "told reporters"})
    service.propose_verdict(claim_id, user=editor, verdict="mixed", rationale="Updated.")
    assert get(claim_id).status == "in_review"


def test_an_admin_reopens_a_dismissed_claim(claim_id, editor, admin):
    service.dismiss(claim_id, user=editor, reason="Opinion.")
    service.reopen(claim_id, user=admin)
    claim = get(claim_id)
    assert (claim.status, claim.dismiss_reason) == ("in_progress", None)
    assert last_event(claim_id).after["reason"] is None


@pytest.mark.parametrize("status", ["new", "in_progress", "in_review"])
def test_only_approved_or_dismissed_claims_are_reopened(claim_id, editor, admin, to_review, status):
    if status == "in_progress":
        service.take(claim_id, user=editor)
    elif status == "in_review":
        to_review(claim_id)
    with refused(BadStatus, claim_id):
        service.reopen(claim_id, user=admin)


# --- dismiss ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["editor", "reviewer", "admin"])
def test_any_desk_user_dismisses_a_claim_that_is_not_checkable(claim_id, make_user, role):
    user = make_user(role)
    service.dismiss(claim_id, user=user, reason=" Opinion, not a factual claim. ")
    claim = get(claim_id)
    assert (claim.status, claim.dismiss_reason) == ("dismissed", "Opinion, not a factual claim.")
    event = last_event(claim_id)
    assert (event.action, event.user_id, event.before["status"], event.after["status"], event.after["reason"]) == (
        "dismissed", user.id, "new", "dismissed", "Opinion, not a factual claim.")


def test_dismissing_needs_a_reason(claim_id, editor):
    for reason in ("", "  ", None):
        with refused(Invalid, claim_id, match="why"):
            service.dismiss(claim_id, user=editor, reason=reason)


def test_a_claim_in_review_or_dismissed_cannot_be_dismissed(claim_id, other_claim_id, editor, to_review):
    to_review(claim_id)
    with refused(BadStatus, claim_id):
        service.dismiss(claim_id, user=editor, reason="Opinion.")
    service.dismiss(other_claim_id, user=editor, reason="Opinion.")
    with refused(BadStatus, other_claim_id):
        service.dismiss(other_claim_id, user=editor, reason="Again.")


@pytest.mark.parametrize("changes, fields", [
    ({"status": "dismissed", "cue": "joked"}, ["status"]),
    ({"status": "dismissed", "reason": "A joke."}, ["reason", "status"]),
    ({"dismiss_reason": "A joke."}, ["dismiss_reason"]),
    ({"assignee": "evan@example.org", "kind": "partial"}, ["assignee"]),
    ({"assignee": None}, ["assignee"]),
])
def test_update_claim_edits_the_extraction_only(claim_id, editor, editor2, changes, fields):
    """Dismissing and assigning each have one service function (one history event); an edit
    that carries status or assignee is refused whole, naming the actions to use."""
    with refused(Invalid, claim_id, match="take, assign, dismiss, reopen") as info:
        service.update_claim(claim_id, user=editor, version=1, changes=changes)
    assert info.value.details["fields"] == fields


@pytest.mark.parametrize("status", ["new", "in_progress", "in_review", "approved", "bogus"])
def test_update_claim_cannot_jump_the_workflow(claim_id, editor, status):
    service.take(claim_id, user=editor)
    with refused(Invalid, claim_id):
        service.update_claim(claim_id, user=editor, version=2, changes={"status": status})


# --- extraction fixes and stale versions ----------------------------------------------------

def test_an_editor_corrects_the_extraction_in_one_audited_change(claim_id, editor):
    claim = get(claim_id)
    text = claim.article.text
    short = "This is a brutal act of war."
    service.update_claim(claim_id, user=editor, version=1, changes={
        "content": short, "speaker": "  Jens   Stoltenberg ", "kind": "partial", "cue": "told reporters"})
    claim = get(claim_id)
    assert (claim.content, claim.kind, claim.speaker.name, claim.cue, claim.edited) == (
        short, "partial", "Jens Stoltenberg", "told reporters", True)
    assert text[claim.start:claim.end] == short  # the span follows the corrected text
    event = last_event(claim_id)
    assert event.action == "claim_edited" and event.user_id == editor.id
    assert set(event.after) == {"content", "kind", "start", "end", "cue", "version"}  # speaker unchanged
    assert event.before["content"].startswith("Russia has attacked Ukraine")
    assert event.after["content"] == short and event.before["kind"] == "direct"
    assert event.after["version"] == claim.version


def test_posting_the_whole_form_back_keeps_a_split_quote_and_its_speaker_in_place(make_article, make_claim, editor):
    """The claim form posts every field; the unchanged ones must not reset what extraction found."""
    # a reported clause split by its cue: one claim, two spans (an interrupted direct quote
    # is two claims since issue 15)
    article = make_article("The new bridge, Anna Berg said, will cost four billion crowns.\n\nShe left.",
                           title="Split quote")
    claim = make_claim(article, "The new bridge, Anna Berg said, will cost four billion crowns", kind="indirect",
                       speaker="Anna Berg", spans=[[0, 14], [32, 61]], speaker_start=16, speaker_end=25)
    spans, speaker, speaker_at = claim.spans, claim.speaker.name, (claim.speaker_start, claim.speaker_end)
    assert len(spans) == 2 and speaker_at[0] is not None
    service.update_claim(claim.id, user=editor, version=1, changes={
        "content": claim.content.replace(" ", "\r\n  ", 1), "speaker": f" {speaker} ", "kind": claim.kind,
        "cue": "vowed"})
    claim = get(claim.id)
    assert (claim.spans, claim.speaker.name, (claim.speaker_start, claim.speaker_end)) == (spans, speaker, speaker_at)
    assert last_event(claim.id).after == {"cue": "vowed", "version": 2}


def test_a_speaker_fix_creates_or_reuses_the_speaker(claim_id, editor):
    service.update_claim(claim_id, user=editor, version=1, changes={"speaker": "Kaja Kallas"})
    claim = get(claim_id)
    assert claim.speaker.name == "Kaja Kallas"
    event = last_event(claim_id)
    assert (event.before["speaker"], event.after["speaker"]) == ("Jens Stoltenberg", "Kaja Kallas")


def test_saving_without_a_change_records_nothing(claim_id, editor):
    claim = get(claim_id)
    before = fingerprint(claim_id)
    service.update_claim(claim_id, user=editor, version=1, changes={"content": claim.content, "kind": claim.kind})
    assert fingerprint(claim_id) == before


@pytest.mark.parametrize("changes, error", [
    ({"content": "   "}, Invalid),
    ({"kind": "rumour"}, Invalid),
    ({"start": 5, "end": 2}, Invalid),
    ({"start": "x"}, Invalid),
    ({"version_id": 3}, Invalid),
    ({"status": "approved"}, Invalid),
])
def test_bad_corrections_are_refused_whole(claim_id, editor, changes, error):
    """A bad value anywhere refuses the whole save, even after other fields were applied."""
    with refused(error, claim_id):
        service.update_claim(claim_id, user=editor, version=1, changes={"cue": "claimed", **changes})


def test_a_stale_save_is_refused_and_says_what_changed(claim_id, editor, editor2):
    service.update_claim(claim_id, user=editor, version=1, changes={"kind": "partial", "cue": "insisted"})
    with refused(StaleVersion, claim_id) as info:
        service.update_claim(claim_id, user=editor2, version=1, changes={"cue": "said"})
    exc = info.value
    assert exc.status == 409
    assert "you had version 1, it is now version 2" in exc.message
    assert "Edith Editor" in exc.message and "'partial'" in exc.message and "'insisted'" in exc.message
    assert exc.details["your_version"] == 1 and exc.details["current_version"] == 2
    assert exc.details["changes"] == ["Edith Editor (claim edited: kind \u2192 'partial', cue \u2192 'insisted')"]
    assert exc.details["current"]["cue"] == "insisted"
    # With the current version the same save goes through.
    service.update_claim(claim_id, user=editor2, version=2, changes={"cue": "said"})
    assert get(claim_id).cue == "said"


def test_stale_versions_are_refused_by_every_versioned_action(claim_id, editor, editor2, reviewer, admin, to_review):
    service.take(claim_id, user=editor)  # version 2
    with refused(StaleVersion, claim_id, match="Edith Editor"):
        service.assign(claim_id, user=editor2, assignee=editor2.id, version=1)
    with refused(StaleVersion, claim_id):
        service.dismiss(claim_id, user=editor2, reason="Opinion.", version=1)
    to_review(claim_id)
    current = get(claim_id).version
    with refused(StaleVersion, claim_id):
        service.approve(claim_id, user=reviewer, version=current - 1)
    with refused(StaleVersion, claim_id):
        service.return_claim(claim_id, user=reviewer, comment="No.", version=current - 1)
    service.approve(claim_id, user=reviewer, version=current)
    with refused(StaleVersion, claim_id):
        service.reopen(claim_id, user=admin, version=current)


def test_the_stale_message_cuts_long_texts(claim_id, editor, editor2):
    content = get(claim_id).content.removesuffix(" of Ukraine")  # a real change
    service.update_claim(claim_id, user=editor, version=1, changes={"content": content})
    with refused(StaleVersion, claim_id) as info:
        service.update_claim(claim_id, user=editor2, version=1, changes={"kind": "partial"})
    line = info.value.details["changes"][0]
    assert line.startswith("Edith Editor (claim edited: content \u2192 'Russia has attacked Ukraine.")
    assert "\u2026'" in line and "brave people of Ukraine'" not in line


def test_a_dismissed_claim_cannot_be_assigned_through_update_claim(claim_id, editor, editor2):
    service.dismiss(claim_id, user=editor, reason="Opinion.")
    with refused(Invalid, claim_id, match="assign"):
        service.update_claim(claim_id, user=editor, version=2, changes={"assignee": editor2.id})
    with refused(BadStatus, claim_id):
        service.assign(claim_id, user=editor, assignee=editor2.id, version=2)


def test_a_stale_proposal_is_refused(claim_id, editor, editor2):
    service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    service.link_evidence(claim_id, user=editor2, evidence=evidence_input(2, stance="contradicts"))
    with refused(StaleVersion, claim_id, match="Evan Editor \\(evidence linked"):
        service.propose_verdict(claim_id, user=editor, verdict="true", rationale="Checked.", version=2)


@pytest.mark.parametrize("version", ["abc", "", "2.5"])
def test_a_version_that_is_not_a_number_is_refused(claim_id, editor, version):
    with refused(Invalid, claim_id):
        service.update_claim(claim_id, user=editor, version=version, changes={"cue": "said"})


def test_a_concurrent_write_between_check_and_commit_is_refused(app, claim_id, editor, editor2):
    """Two saves that both passed the version check: the version column refuses the second."""
    editor2_id = editor2.id
    claim = service.get_claim(claim_id)  # this request has read version 1 and everything it needs ...
    (claim.article.text, claim.speaker, claim.assignee, editor.role)
    session = db.session()
    session.expire_on_commit = False
    session.commit()  # ... and keeps that copy, as a request does between its check and its write
    session.expire_on_commit = True
    with app.app_context():  # another request, with its own session, saves first
        service.update_claim(claim_id, user=db.session.get(User, editor2_id), version=1, changes={"cue": "first"})
    assert claim.version == 1
    with pytest.raises(StaleVersion, match="same moment"):
        service.update_claim(claim_id, user=editor, version=1, changes={"cue": "second"})
    assert get(claim_id).cue == "first" and get(claim_id).version == 2
    assert actions(claim_id)[-1] == "claim_edited" and len(service.history(claim_id)) == 2


# --- comments -------------------------------------------------------------------------------------

def test_a_comment_joins_the_thread_and_the_history(claim_id, reviewer):
    comment = service.add_comment(claim_id, user=reviewer, body="  Check the date of the summit.\n")
    assert (comment.body, comment.author_id) == ("Check the date of the summit.", reviewer.id)
    event = last_event(claim_id)
    assert (event.action, event.user_id, event.before, event.after) == (
        "commented", reviewer.id, None, {"body": "Check the date of the summit."})


@pytest.mark.parametrize("body", ["", "   ", None, "x" * 10_001])
def test_empty_or_huge_comments_are_refused(claim_id, editor, body):
    with refused(Invalid, claim_id):
        service.add_comment(claim_id, user=editor, body=body)


def test_commenting_on_a_missing_claim_is_refused(editor):
    with pytest.raises(NotFound):
        service.add_comment(9999, user=editor, body="Hello?")


# --- bulk --------------------------------------------------------------------------------------

def test_bulk_runs_each_claim_through_the_rules_and_says_which_were_refused(claims, editor, editor2, to_approved):
    locked = to_approved(claims[4].id)
    ids = [claims[0].id, locked, 9999, claims[1].id, claims[0].id]
    before_locked = fingerprint(locked)
    outcomes = service.bulk("assign", ids, user=editor, assignee=editor2.id)
    assert [(o.claim_id, o.ok, o.code) for o in outcomes] == [
        (claims[0].id, True, None), (locked, False, "bad_status"), (9999, False, "not_found"),
        (claims[1].id, True, None),
    ]
    assert outcomes[1].error == "This claim is approved; an admin must reopen it before it can be assigned."
    assert "9999" in outcomes[2].error
    assert {get(c.id).assignee_id for c in claims[:2]} == {editor2.id}
    assert fingerprint(locked) == before_locked


def test_bulk_dismiss_needs_a_reason_for_every_claim(claims, editor):
    ids = [c.id for c in claims[:3]]
    outcomes = service.bulk("dismiss", ids, user=editor, reason="")
    assert all(not o.ok and o.code == "invalid" for o in outcomes)
    assert {get(i).status for i in ids} == {"new"}
    outcomes = service.bulk("dismiss", ids, user=editor, reason="Picture caption, not a claim.")
    assert all(o.ok for o in outcomes)
    assert {get(i).dismiss_reason for i in ids} == {"Picture caption, not a claim."}


def test_bulk_dismiss_with_mixed_statuses(claims, editor, to_review):
    in_review = to_review(claims[3].id)
    outcomes = service.bulk("dismiss", [claims[0].id, in_review], user=editor, reason="Opinion.")
    assert [(o.ok, o.code) for o in outcomes] == [(True, None), (False, "bad_status")]
    assert get(in_review).status == "in_review"


def test_bulk_take_and_unknown_actions(claims, reviewer):
    outcomes = service.bulk("take", [c.id for c in claims[:2]], user=reviewer)
    assert all(o.ok for o in outcomes) and {get(c.id).assignee_id for c in claims[:2]} == {reviewer.id}
    with pytest.raises(Invalid):
        service.bulk("approve", [claims[0].id], user=reviewer)


def test_bulk_cannot_get_around_four_eyes(claims, reviewer):
    """There is no bulk approve; and each bulk item obeys the same role checks as one at a time."""
    with pytest.raises(Invalid, match="Unknown bulk action"):
        service.bulk("approve", [claims[0].id], user=reviewer)
    with pytest.raises(Invalid):
        service.bulk("reopen", [claims[0].id], user=reviewer)


# --- history -------------------------------------------------------------------------------------

def test_the_whole_life_of_a_claim_is_in_its_history(claim_id, editor, editor2, reviewer, admin):
    service.assign(claim_id, user=admin, assignee=editor.id)
    service.update_claim(claim_id, user=editor, version=2, changes={"cue": "told reporters"})
    link = service.link_evidence(claim_id, user=editor, evidence=evidence_input())
    service.link_evidence(claim_id, user=editor, evidence=evidence_input(2, stance="context"))
    service.unlink_evidence(claim_id, link.id, user=editor)
    service.propose_verdict(claim_id, user=editor, verdict="true", rationale="Checked.")
    service.add_comment(claim_id, user=editor2, body="Nice one.")
    service.return_claim(claim_id, user=reviewer, comment="One more source.")
    service.link_evidence(claim_id, user=editor, evidence=evidence_input(3))
    service.propose_verdict(claim_id, user=editor, verdict="true", rationale="Two sources.")
    service.approve(claim_id, user=reviewer)
    service.reopen(claim_id, user=admin, reason="Typo in the rationale.")
    service.dismiss(claim_id, user=editor2, reason="Duplicate of an earlier check.")

    events = service.history(claim_id)
    assert [(e.action, e.user.name if e.user else None) for e in events] == [
        ("claim_extracted", None),  # ingest, by the system
        ("assigned", "Ada Admin"),
        ("claim_edited", "Edith Editor"),
        ("evidence_linked", "Edith Editor"),
        ("evidence_linked", "Edith Editor"),
        ("evidence_unlinked", "Edith Editor"),
        ("verdict_proposed", "Edith Editor"),
        ("commented", "Evan Editor"),
        ("verdict_returned", "Rafael Reviewer"),
        ("evidence_linked", "Edith Editor"),
        ("verdict_proposed", "Edith Editor"),
        ("verdict_approved", "Rafael Reviewer"),
        ("reopened", "Ada Admin"),
        ("dismissed", "Evan Editor"),
    ]
    assert all(e.at is not None for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
    # Each versioned change records the version it left, one after the other, ending at the claim's.
    versions = [(e.before["version"], e.after["version"]) for e in events[1:] if e.action != "commented"]
    assert versions == [(n, n + 1) for n in range(1, len(versions) + 1)]
    assert versions[-1][1] == get(claim_id).version
    # Status moves are recorded with their before and after.
    moves = [(e.before.get("status"), e.after.get("status")) for e in events[1:]
             if e.action not in ("commented", "evidence_unlinked", "claim_edited")]
    assert moves == [
        ("new", "in_progress"), ("in_progress", "in_progress"), ("in_progress", "in_progress"),
        ("in_progress", "in_review"), ("in_review", "in_progress"), ("in_progress", "in_progress"),
        ("in_progress", "in_review"), ("in_review", "approved"), ("approved", "in_progress"),
        ("in_progress", "dismissed"),
    ]


def test_history_of_a_missing_claim(editor):
    with pytest.raises(NotFound):
        service.history(9999)


def test_history_rows_are_append_only(claim_id, editor):
    service.take(claim_id, user=editor)
    event = last_event(claim_id)
    event.after = {"status": "approved"}
    with pytest.raises(HistoryIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(last_event(claim_id))
    with pytest.raises(HistoryIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert last_event(claim_id).after["status"] == "in_progress"


# --- who may change claims at all ------------------------------------------------------------

def test_users_without_a_desk_role_change_nothing(claim_id):
    from flask_login import AnonymousUserMixin

    nobody = AnonymousUserMixin()
    with refused(Forbidden, claim_id):
        service.take(claim_id, user=nobody)
    with refused(Forbidden, claim_id):
        service.add_comment(claim_id, user=nobody, body="Hi")
    with refused(Forbidden, claim_id):
        service.approve(claim_id, user=nobody)
    with refused(Forbidden, claim_id):
        service.reopen(claim_id, user=nobody)


def test_missing_claims_are_not_found(editor, reviewer, admin):
    for call in (lambda: service.take(9999, user=editor),
                 lambda: service.link_evidence(9999, user=editor, evidence=evidence_input()),
                 lambda: service.propose_verdict(9999, user=editor, verdict="true", rationale="x"),
                 lambda: service.approve(9999, user=reviewer),
                 lambda: service.reopen(9999, user=admin),
                 lambda: service.dismiss(9999, user=editor, reason="x")):
        with pytest.raises(NotFound):
            call()


def test_allowed_actions_follow_the_rules(claim_id, other_claim_id, editor, reviewer, admin, to_review, to_approved):
    new = service.allowed_actions(get(claim_id), editor)
    assert (new.work, new.review, new.edit, new.assign, new.reopen) == (True, False, True, True, False)
    to_review(claim_id, by=reviewer)
    as_author, as_admin = service.allowed_actions(get(claim_id), reviewer), service.allowed_actions(get(claim_id), admin)
    assert as_author.own_verdict and not as_author.review and not as_author.work
    assert as_admin.review and not as_admin.own_verdict
    assert not service.allowed_actions(get(claim_id), editor).review
    to_approved(other_claim_id)
    locked = service.allowed_actions(get(other_claim_id), editor)
    assert not (locked.work or locked.edit or locked.assign or locked.reopen)
    assert service.allowed_actions(get(other_claim_id), admin).reopen
