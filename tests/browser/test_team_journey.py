"""Issue 16's journey in Debian's Chromium: an admin registers a webhook and invites a new
editor; she joins with the link, is assigned a claim, hears about it in her notifications,
checks it; a reviewer approves; she is told, and the webhook's endpoint receives the signed
approval (delivered by what the task queue runs)."""
import re

import pytest

from app.extensions import db
from app.related.service import embedder
from app.webhooks.delivery import deliver_due
from tests.conftest import browser_login
from tests.test_webhooks import SECRET, Receiver, verified

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lantern harbour copper"


@pytest.fixture
def receiver(app, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIMDESK_FETCH_ALLOWED_HOSTS", ("127.0.0.1",))
    server = Receiver()
    yield server
    server.close()


def test_invite_sign_in_assigned_notified_approved_webhook_received(claims, admin, reviewer, receiver, new_page):
    claim = claims[4]  # Kaja Kallas: "The most effective response ..."
    embedder()  # the model evidence is embedded with, loaded before the browser waits on it

    # The admin registers the newsroom's endpoint ...
    ada = new_page()
    browser_login(ada, admin)
    ada.get_by_role("link", name="Admin").click()
    ada.get_by_role("link", name="Webhooks").click()
    form = ada.locator("#webhook-form")
    form.get_by_label("Endpoint URL").fill(receiver.url)
    form.get_by_label("Secret").fill(SECRET)
    form.get_by_label(re.compile("^claim.approved")).check()
    with ada.expect_navigation():
        form.get_by_role("button", name="Register webhook").click()
    assert "registered" in ada.locator(".flash-area").inner_text()

    # ... and invites a new editor.
    ada.get_by_role("link", name="People").click()
    invite = ada.locator("#invite-form")
    invite.get_by_label("E-mail").fill("nia.obi@example.org")
    invite.get_by_label("Name").fill("Nia Obi")
    invite.get_by_label("Role").select_option("editor")
    with ada.expect_navigation():
        invite.get_by_role("button", name="Create invitation link").click()
    link = ada.locator("#new-link-value").input_value()
    assert "/welcome/" in link

    # Nia opens the link in her own browser, chooses a password and is signed in.
    nia = new_page()
    nia.goto(link)
    assert "invited as editor" in nia.locator("main").inner_text()
    nia.get_by_label("Your name").fill("Nia Obi")
    nia.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    nia.get_by_label("Password again").fill(NEW_PASSWORD)
    with nia.expect_navigation():
        nia.get_by_role("button", name="Join the desk").click()
    assert "Welcome, Nia Obi" in nia.locator(".flash-area").inner_text()
    assert nia.locator("#unread-count").count() == 0

    # The admin assigns her the claim.
    ada.goto(f"/claims/{claim.id}")
    ada.get_by_label("Assign to").select_option(label="Nia Obi")
    with ada.expect_navigation():
        ada.get_by_role("button", name="Assign", exact=True).click()
    assert "Assignment saved." in ada.locator(".flash-area").inner_text()

    # Her navbar counts it; the notification takes her to the claim.
    nia.goto("/queue?view=mine")
    assert nia.locator("#unread-count").inner_text().startswith("1")
    nia.locator("#nav-notifications").click()
    item = nia.locator("#notifications li").first
    assert f"Ada Admin assigned claim #{claim.id} to you." in item.inner_text()
    with nia.expect_navigation():
        item.get_by_role("link").click()
    assert nia.url.endswith(f"/claims/{claim.id}")
    assert nia.locator("#unread-count").count() == 0

    # She checks it.
    evidence = nia.locator("#evidence-form")
    evidence.get_by_label("Source URL").fill("https://twitter.com/kajakallas/status/1496758040436338692")
    evidence.get_by_label("Title").fill("Kaja Kallas on Twitter, 24 February 2022")
    evidence.get_by_label("Stance").select_option("supports")
    with nia.expect_navigation():
        evidence.get_by_role("button", name="Link evidence").click()
    verdict = nia.locator("#verdict-form")
    verdict.get_by_label("Verdict").select_option(label="True")
    verdict.get_by_label("Rationale").fill("She tweeted exactly this on 24 February 2022.")
    with nia.expect_navigation():
        verdict.get_by_role("button", name="Propose verdict for review").click()
    assert "In review" in nia.locator("h1").inner_text()

    # A reviewer approves.
    rafael = new_page()
    browser_login(rafael, reviewer)
    rafael.goto(f"/claims/{claim.id}")
    assert "Approving publishes" in rafael.locator("#review-wording").inner_text()
    with rafael.expect_navigation():
        rafael.get_by_role("button", name="Approve").click()
    assert "Verdict approved." in rafael.locator(".flash-area").inner_text()

    # Nia is told ...
    nia.goto("/notifications")
    assert nia.locator("#unread-count").inner_text().startswith("1")
    assert "Rafael Reviewer approved your verdict" in nia.locator("#notifications li").first.inner_text()

    # ... and the endpoint receives the approval, signed, once the queue's delivery runs.
    db.session.rollback()  # a fresh transaction, as the queue's worker has
    assert [a.state for a in deliver_due()] == ["delivered"]
    body = verified(receiver.received[0])
    assert body["event"] == "claim.approved" and body["data"]["claim_id"] == claim.id
    assert body["data"]["verdict"] == "true"
    ada.goto("/admin/webhooks")
    ada.locator("#webhooks").get_by_role("link", name="deliveries").click()
    assert ada.locator("tr.delivery-row").first.get_attribute("data-state") == "delivered"
