"""Webhooks (issue 16): registration (admins, public addresses only), the outbox written with
the change, signed deliveries received by a local server, retries with backoff, the log."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from app.errors import Forbidden, Invalid
from app.extensions import db
from app.models import AuditEvent, Webhook, WebhookDelivery, utcnow
from app.webhooks import delivery as sender
from app.webhooks import service as hooks
from app.workflow import service
from tests.test_sessions import send, sign_in
from tests.workflow.conftest import evidence_input

SECRET = "s3cret-shared-with-the-receiver"


class Receiver:
    """A local HTTP endpoint that records each POST (headers, raw body) and answers with
    the next status in ``answers`` (200 once they run out)."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/claimdesk"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIMDESK_FETCH_ALLOWED_HOSTS", ("127.0.0.1",))
    server = Receiver()
    yield server
    server.close()


def verified(item: dict, secret: str = SECRET) -> dict:
    """The received body, after checking its signature as a receiver would."""
    expected = "sha256=" + hmac.new(secret.encode(), item["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(item["headers"]["X-Claimdesk-Signature"], expected)
    assert item["headers"]["Content-Type"] == "application/json"
    return json.loads(item["body"])


def approve(claim_id, editor, reviewer):
    service.link_evidence(claim_id, user=editor, evidence=evidence_input(1))
    service.propose_verdict(claim_id, user=editor, verdict="mostly_true", rationale="Checked.")
    return service.approve(claim_id, user=reviewer)


# --- registration ----------------------------------------------------------------------------

def test_only_admins_register_and_only_public_addresses(app, admin, editor, reviewer):
    for user in (editor, reviewer):
        with pytest.raises(Forbidden):
            hooks.register(url="https://hooks.example.org/x", secret=SECRET, events=["claim.approved"], by=user)
    for url in ("http://127.0.0.1:5000/x", "http://localhost/x", "http://10.0.0.5/x", "http://[::1]/x",
                "http://169.254.169.254/latest/meta-data", "ftp://example.org/x", "http://user:pw@example.org/"):
        with pytest.raises(Invalid) as refused:
            hooks.register(url=url, secret=SECRET, events=["claim.approved"], by=admin)
        assert refused.value.details["field"] == "url", url
    with pytest.raises(Invalid):
        hooks.register(url="https://hooks.example.org/x", secret="short", events=["claim.approved"], by=admin)
    with pytest.raises(Invalid):
        hooks.register(url="https://hooks.example.org/x", secret=SECRET, events=["claim.deleted"], by=admin)
    with pytest.raises(Invalid):
        hooks.register(url="https://hooks.example.org/x", secret=SECRET, events=[], by=admin)
    assert db.session.scalar(sa.select(sa.func.count(Webhook.id))) == 0


def test_a_public_address_is_registered_and_audited(app, admin):
    hook = hooks.register(url="https://hooks.example.org/x", secret=SECRET,
                          events=["factcheck.published", "claim.approved"], by=admin,
                          resolve=lambda host, port: ["93.184.216.34"])
    assert hook.events == ["claim.approved", "factcheck.published"]  # in the desk's order
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "webhook_created" and event.user == admin


# --- the outbox and delivery -------------------------------------------------------------------

def test_approval_is_delivered_signed_to_a_local_server(app, receiver, claims, admin, editor, reviewer):
    hook = hooks.register(url=receiver.url, secret=SECRET, events=["claim.approved", "factcheck.published"], by=admin)
    claim = approve(claims[1].id, editor, reviewer)
    queued = list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))
    assert [d.event for d in queued] == ["claim.approved", "factcheck.published"]
    attempts = sender.deliver_due()
    assert [a.state for a in attempts] == ["delivered", "delivered"]
    bodies = [verified(item) for item in receiver.received]
    assert [b["event"] for b in bodies] == ["claim.approved", "factcheck.published"]
    assert all(set(b) == {"event", "id", "timestamp", "data"} for b in bodies)
    assert bodies[0]["data"]["claim_id"] == claim.id and bodies[0]["data"]["verdict"] == "mostly_true"
    assert bodies[1]["data"]["public_url"].endswith(f"/fact-checks/{claim.id}")
    assert receiver.received[0]["path"] == "/hooks/claimdesk"
    assert receiver.received[0]["headers"]["X-Claimdesk-Event"] == "claim.approved"
    assert sender.deliver_due() == []  # nothing left to send
    log = hooks.deliveries_of(hook.id)
    assert [(d.state, d.attempts, d.last_status) for d in log] == [("delivered", 1, 200)] * 2


def test_a_refused_change_queues_nothing(app, receiver, claims, admin, editor, reviewer):
    hooks.register(url=receiver.url, secret=SECRET, events=["claim.approved"], by=admin)
    service.link_evidence(claims[1].id, user=editor, evidence=evidence_input(1))
    service.propose_verdict(claims[1].id, user=editor, verdict="true", rationale="Checked.")
    with pytest.raises(Forbidden):
        service.approve(claims[1].id, user=editor)  # four eyes (and role): the proposer cannot approve
    assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 0


def test_failures_are_retried_with_backoff_then_given_up(app, receiver, claims, admin, editor, reviewer):
    hooks.register(url=receiver.url, secret=SECRET, events=["claim.returned"], by=admin)
    service.link_evidence(claims[1].id, user=editor, evidence=evidence_input(1))
    service.propose_verdict(claims[1].id, user=editor, verdict="true", rationale="Checked.")
    service.return_claim(claims[1].id, user=reviewer, comment="Another source, please.")
    receiver.answers = [500, 503]
    first = sender.deliver_due()[0]
    assert (first.state, first.status) == ("pending", 500)
    delivery = db.session.get(WebhookDelivery, first.delivery_id)
    assert delivery.attempts == 1 and "HTTP 500" in delivery.last_error
    wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=sender.BACKOFF[0] - 1) <= wait <= timedelta(seconds=sender.BACKOFF[0] + 1)
    assert sender.deliver_due() == []  # not due yet
    delivery.next_attempt_at = utcnow()
    db.session.commit()
    second = sender.deliver_due()[0]
    delivery = db.session.get(WebhookDelivery, first.delivery_id)
    assert (second.state, delivery.attempts) == ("pending", 2)
    assert delivery.next_attempt_at - delivery.last_attempt_at >= timedelta(seconds=sender.BACKOFF[1] - 1)
    delivery.next_attempt_at = utcnow()
    db.session.commit()
    assert sender.deliver_due()[0].state == "delivered"
    bodies = {item["body"] for item in receiver.received}
    assert len(receiver.received) == 3 and len(bodies) == 1  # the same bytes, the same signature
    assert verified(receiver.received[-1])["data"]["comment"] == "Another source, please."
    # Past the last attempt a delivery is failed.
    stuck = WebhookDelivery(webhook_id=delivery.webhook_id, event="claim.returned", event_id="x", body="{}",
                            attempts=sender.MAX_ATTEMPTS - 1, next_attempt_at=utcnow())
    db.session.add(stuck)
    db.session.commit()
    receiver.answers = [500]
    assert sender.deliver(stuck.id).state == "failed"


def test_delivery_to_an_address_that_became_private_is_refused(app, claims, admin, editor, reviewer):
    hook = hooks.register(url="https://hooks.example.org/in", secret=SECRET, events=["claim.approved"], by=admin,
                          resolve=lambda host, port: ["93.184.216.34"])
    approve(claims[1].id, editor, reviewer)
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
    attempt = sender.deliver(delivery.id, resolve=lambda host, port: ["10.1.2.3"])  # DNS now says private
    assert attempt.state == "failed" and "private address" in attempt.error
    assert hook.id == delivery.webhook_id


def test_ingest_queues_article_ingested(app, receiver, ingest, admin):
    hooks.register(url=receiver.url, secret=SECRET, events=["article.ingested"], by=admin)
    result = ingest('"The ferry is cancelled," the harbour master said on Monday.', title="Ferry")
    sender.deliver_due()
    body = verified(receiver.received[0])
    assert body["event"] == "article.ingested" and body["data"]["article_id"] == result.article.id
    assert body["data"]["claims"] == [c.id for c in result.claims]


# --- API and pages ----------------------------------------------------------------------------

def test_api_registers_lists_and_logs_webhooks(client, receiver, token_for, admin, editor, claims, reviewer):
    headers = token_for(admin)
    created = client.post("/api/v1/webhooks", json={"url": receiver.url, "secret": SECRET,
                                                     "events": ["claim.approved"]}, headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["url"] == receiver.url and body["events"] == ["claim.approved"] and "secret" not in body
    assert client.post("/api/v1/webhooks", json={"url": receiver.url, "secret": SECRET, "events": ["claim.approved"]},
                       headers=token_for(editor)).status_code == 403
    refused = client.post("/api/v1/webhooks", json={"url": "http://10.0.0.1/", "secret": SECRET,
                                                     "events": ["claim.approved"]}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"]["details"]["field"] == "url"
    for bad in ({"url": receiver.url, "secret": SECRET}, {"url": receiver.url, "secret": SECRET, "events": "all"},
                {"url": 5, "secret": SECRET, "events": ["claim.approved"]},
                {"url": receiver.url, "secret": SECRET, "events": ["claim.approved"], "extra": 1}):
        assert client.post("/api/v1/webhooks", json=bad, headers=headers).status_code == 422, bad
    assert [h["id"] for h in client.get("/api/v1/webhooks", headers=headers).get_json()["items"]] == [body["id"]]
    approve(claims[1].id, editor, reviewer)
    sender.deliver_due()
    log = client.get(f"/api/v1/webhooks/{body['id']}/deliveries", headers=headers).get_json()["items"]
    assert [(d["event"], d["state"], d["attempts"], d["last_status"]) for d in log] == [
        ("claim.approved", "delivered", 1, 200)]
    assert client.get(f"/api/v1/webhooks/{body['id']}/deliveries", headers=token_for(editor)).status_code == 403
    assert client.get("/api/v1/webhooks/999/deliveries", headers=headers).status_code == 404


def test_pages_register_pause_and_show_deliveries(app, receiver, admin, editor, claims, reviewer):
    browser = sign_in(app, admin)
    page = send(browser, "post", "/admin/webhooks", data={"url": receiver.url, "secret": SECRET,
                                                          "events": ["claim.approved", "claim.returned"]})
    assert page.status_code == 302
    hook = db.session.scalars(sa.select(Webhook)).one()
    refused = send(browser, "post", "/admin/webhooks", data={"url": "http://192.168.1.1/", "secret": SECRET,
                                                             "events": ["claim.approved"]})
    assert refused.status_code == 422 and "private address" in refused.get_data(as_text=True)
    approve(claims[1].id, editor, reviewer)
    receiver.answers = [502]
    sender.deliver_due()
    log = send(browser, "get", f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert 'data-state="pending"' in log and "HTTP 502" in log
    assert send(browser, "post", f"/admin/webhooks/{hook.id}/pause").status_code == 302
    assert not db.session.get(Webhook, hook.id).active
    assert send(sign_in(app, editor), "get", "/admin/webhooks").status_code == 403


def test_the_queue_sends_due_deliveries_every_minute(app, receiver, claims, admin, editor, reviewer):
    """The periodic task as a consumer's scheduler runs it (bound to the app's huey, once per
    minute slot): the outbox written by the approval reaches the receiver, signed."""
    from app.tasks import get_huey
    from app.webhooks.tasks import DUE_TASK

    hooks.register(url=receiver.url, secret=SECRET, events=["claim.approved"], by=admin)
    approve(claims[1].id, editor, reviewer)
    periodic = get_huey(app).claimdesk_tasks[DUE_TASK]
    assert periodic.task_class in get_huey(app)._registry._periodic_tasks  # scheduled, not only callable
    periodic.call_local()
    assert [verified(item)["event"] for item in receiver.received] == ["claim.approved"]
    db.session.rollback()  # the task committed in its own app context: end this session's snapshot
    assert db.session.scalar(sa.select(WebhookDelivery.state)) == "delivered"
