"""Knowing what happened (issue 16): notifications (assigned, returned, approved, @mention),
the navbar count, the page and the API; due dates in the claim, the queue and My claims."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.errors import BadStatus, Invalid, NotFound
from app.extensions import db
from app.models import Notification
from app.notifications import service as notes
from app.workflow import service
from tests.test_sessions import send, sign_in
from tests.workflow.conftest import evidence_input


def kinds(user) -> list[tuple[str, int]]:
    return [(n.kind, n.claim_id) for n in db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]


@pytest.fixture
def claim_id(claims) -> int:
    return claims[1].id


# --- service ----------------------------------------------------------------------------------

def test_assignment_return_and_approval_notify_the_people_concerned(claim_id, editor, editor2, reviewer, admin):
    service.assign(claim_id, user=admin, assignee=editor.id)
    assert kinds(editor) == [("assigned", claim_id)] and kinds(admin) == []
    service.link_evidence(claim_id, user=editor, evidence=evidence_input(1))
    service.propose_verdict(claim_id, user=editor, verdict="true", rationale="Checked.")
    service.return_claim(claim_id, user=reviewer, comment="One more source, @EdithEditor.")
    # returned to the proposer once (the mention in the same comment is not a second notice)
    assert [k for k, _ in kinds(editor)] == ["assigned", "returned"]
    service.propose_verdict(claim_id, user=editor, verdict="true", rationale="Two sources now.")
    service.approve(claim_id, user=reviewer)
    assert [k for k, _ in kinds(editor)] == ["assigned", "returned", "approved"]
    assert kinds(reviewer) == [] and kinds(editor2) == []
    approved = db.session.scalars(sa.select(Notification).where(Notification.kind == "approved")).one()
    assert approved.actor == reviewer and "approved your verdict" in approved.message


def test_taking_a_claim_yourself_notifies_nobody(claim_id, editor):
    service.take(claim_id, user=editor)
    assert kinds(editor) == []


def test_mentions_by_email_name_or_unique_first_name(claim_id, editor, editor2, reviewer, admin, make_user):
    make_user("editor", email="edith.two@example.org", name="Edith Second")  # "Edith" is no longer unique
    service.add_comment(claim_id, user=admin, body="@edith and @Rafael, see this; cc @EdithSecond. me@x.org is no mention")
    assert kinds(editor) == [("mentioned", claim_id)]  # @edith: the local part of edith@example.org
    assert kinds(reviewer) == [("mentioned", claim_id)]  # @Rafael: a unique first name
    assert kinds(admin) == []  # never oneself
    assert [n.user.email for n in db.session.scalars(sa.select(Notification))].count("edith.two@example.org") == 1
    make_user("editor", email="s.one@example.org", name="Sam One")
    make_user("editor", email="s.two@example.org", name="Sam Two")
    assert notes.mentioned_users("@Sam") == []  # two Sams: ambiguous, nobody
    assert [u.email for u in notes.mentioned_users("@SamTwo @s.one")] == ["s.two@example.org", "s.one@example.org"]
    assert notes.mentioned_users("mail edith@example.org") == []


def test_notifications_are_read_one_by_one_or_all_and_only_by_their_owner(claim_id, editor, editor2, admin):
    service.assign(claim_id, user=admin, assignee=editor.id)
    service.add_comment(claim_id, user=admin, body="@edith please look")
    assert notes.unread_count(editor) == 2
    first = notes.notifications_of(editor).items[-1]
    with pytest.raises(NotFound):
        notes.open_notification(editor2, first.id)
    assert notes.open_notification(editor, first.id).read_at is not None
    assert notes.unread_count(editor) == 1
    assert notes.mark_read(editor) == 1 and notes.unread_count(editor) == 0


# --- pages and API ----------------------------------------------------------------------------

def test_navbar_count_page_and_opening_a_notification(app, claim_id, editor, admin):
    service.assign(claim_id, user=admin, assignee=editor.id)
    browser = sign_in(app, editor)
    queue = send(browser, "get", "/queue").get_data(as_text=True)
    assert 'id="unread-count">1<span class="visually-hidden"> unread</span>' in queue
    page = send(browser, "get", "/notifications").get_data(as_text=True)
    assert f"Ada Admin assigned claim #{claim_id} to you." in page
    item = db.session.scalars(sa.select(Notification)).one()
    opened = send(browser, "get", f"/notifications/{item.id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/claims/{claim_id}")
    assert 'id="unread-count"' not in send(browser, "get", "/queue").get_data(as_text=True)
    other = sign_in(app, admin)
    assert send(other, "get", f"/notifications/{item.id}").status_code == 404


def test_api_lists_the_token_users_notifications(client, token_for, claim_id, editor, admin):
    service.assign(claim_id, user=admin, assignee=editor.id)
    service.add_comment(claim_id, user=admin, body="@edith ping")
    body = client.get("/api/v1/notifications", headers=token_for(editor)).get_json()
    assert body["unread"] == 2 and body["total"] == 2
    assert [i["kind"] for i in body["items"]] == ["mentioned", "assigned"]
    assert body["items"][0]["claim_id"] == claim_id and body["items"][0]["actor"] == "Ada Admin"
    assert client.get("/api/v1/notifications", headers=token_for(admin)).get_json()["total"] == 0
    marked = client.post("/api/v1/notifications/read", json={"ids": [body["items"][1]["id"]]},
                         headers=token_for(editor)).get_json()
    assert marked == {"marked": 1, "unread": 1}
    unread = client.get("/api/v1/notifications?unread=1", headers=token_for(editor)).get_json()
    assert [i["kind"] for i in unread["items"]] == ["mentioned"]
    bad = client.post("/api/v1/notifications/read", json={"ids": "all"}, headers=token_for(editor))
    assert bad.status_code == 422


# --- due dates ----------------------------------------------------------------------------------

def test_due_dates_are_set_audited_and_cleared(claim_id, editor, admin):
    service.assign(claim_id, user=admin, assignee=editor.id)
    claim = service.set_due_date(claim_id, user=admin, due="2030-05-01")
    assert claim.due_date == date(2030, 5, 1)
    event = service.history(claim_id)[-1]
    assert (event.action, event.before["due_date"], event.after["due_date"]) == ("due_date_set", None, "2030-05-01")
    assert kinds(editor)[-1] == ("assigned", claim_id)  # the assignee hears about the deadline
    for bad in ("tomorrow", "2030-13-01", "1900-01-01", 5):
        with pytest.raises(Invalid):
            service.set_due_date(claim_id, user=admin, due=bad)
    assert service.set_due_date(claim_id, user=admin, due=None).due_date is None


def test_due_dates_are_refused_on_finished_claims(claim_id, editor, reviewer):
    service.dismiss(claim_id, user=editor, reason="Opinion.")
    with pytest.raises(BadStatus):
        service.set_due_date(claim_id, user=editor, due="2030-01-01")


def test_queue_and_my_claims_show_and_sort_by_due_date(app, claims, editor, admin, client, token_for):
    a, b, c = (claims[i].id for i in (0, 2, 4))
    for claim_id in (a, b, c):
        service.assign(claim_id, user=admin, assignee=editor.id)
    service.set_due_date(b, user=admin, due=(date.today() - timedelta(days=1)).isoformat())  # overdue
    service.set_due_date(c, user=admin, due="2031-01-01")
    browser = sign_in(app, editor)
    for view in ("all", "mine"):
        html = send(browser, "get", f"/queue?view={view}&sort=due").get_data(as_text=True)
        order = [int(x) for x in __import__("re").findall(r'name="claim_ids" value="(\d+)"', html)]
        assert order.index(b) < order.index(c) < order.index(a), (view, order)
        assert "overdue" in html and "2031-01-01" in html and 'id="sort-due"' in html
    page = send(browser, "get", f"/claims/{c}").get_data(as_text=True)
    assert 'id="claim-due">2031-01-01' in page
    saved = send(browser, "post", f"/claims/{a}/due", data={"due_date": "2032-02-02",
                                                            "version": service.get_claim(a).version})
    assert saved.status_code == 302 and service.get_claim(a).due_date == date(2032, 2, 2)
    api = client.post(f"/api/v1/claims/{a}/due", json={"due_date": None, "version": service.get_claim(a).version},
                      headers=token_for(editor))
    assert api.status_code == 200 and api.get_json()["due_date"] is None
    stale = client.post(f"/api/v1/claims/{a}/due", json={"due_date": "2033-01-01", "version": 1},
                        headers=token_for(editor))
    assert stale.status_code == 409
    assert client.get("/api/v1/claims?sort=due", headers=token_for(editor)).get_json()["items"][0]["id"] == b
