"""Who may use which route: the route x role matrix.

``ACCESS`` lists every endpoint of the app with the roles allowed to use it. A new route
without an entry fails ``test_every_route_has_an_entry`` (naming it), so whoever adds a
route decides who may use it. Then every GET route is requested as each role, and every
POST/PATCH route is sent by an anonymous visitor and by each role, and the answers are
checked against the table:

- allowed: not 401/403 and not sent to the login page (the action itself may still be
  refused for its data: 409, 422 ...);
- anonymous and not allowed: web pages redirect to the login page, the API answers 401;
- signed in but not allowed: 403 (role checks live in the service layer, so the view
  answers 403 whatever the claim's data).
"""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import g, url_for

from app.admin import service as admin_service
from app.auth.service import create_token
from app.extensions import db
from app.models import Notification, Source
from app.webhooks import service as webhook_service
from app.tasks.jobs import IngestRequest, create_job
from app.workflow import service
from tests.conftest import PASSWORD
from tests.workflow.conftest import evidence_input

ANON, EDITOR, REVIEWER, ADMIN = "anonymous", "editor", "reviewer", "admin"
ROLES = (ANON, EDITOR, REVIEWER, ADMIN)
EVERYONE = frozenset(ROLES)
DESK = frozenset({EDITOR, REVIEWER, ADMIN})  # signed in (web) or a token (API)
SIGN_OFF = frozenset({REVIEWER, ADMIN})
ADMINS = frozenset({ADMIN})

ACCESS: dict[str, frozenset[str]] = {
    # public: assets and the login page
    "static": EVERYONE,
    "bootstrap.static": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": DESK,
    # queue
    "queue.home": DESK,
    "queue.index": DESK,
    "queue.bulk_action": DESK,  # each claim still goes through the service rules
    # claim page and its actions
    "claims.show": DESK,
    "claims.edit": DESK,
    "claims.wording": DESK,
    "claims.take": DESK,
    "claims.assign": DESK,
    "claims.add_evidence": DESK,
    "claims.link_existing": DESK,
    "claims.cite_claim": DESK,
    "claims.link_factcheck": DESK,
    "claims.remove_evidence": DESK,
    "claims.propose": DESK,
    "claims.review": SIGN_OFF,  # approve / return, never one's own verdict (four eyes)
    "claims.dismiss": DESK,
    "claims.reopen": ADMINS,
    "claims.comment": DESK,
    # articles and speakers
    "articles.index": DESK,
    "articles.show": DESK,
    "articles.ingest": DESK,
    "articles.add_claim": DESK,  # corrections by selecting text (the article page)
    "articles.adjust_span": DESK,
    "articles.split_claim": DESK,
    "articles.merge_claims": DESK,
    "articles.remove_claim": DESK,
    "sources.index": DESK,
    "sources.create": ADMINS,
    "sources.show": DESK,
    "sources.edit": ADMINS,
    "sources.poll": ADMINS,
    "sources.delete": ADMINS,
    "speakers.index": DESK,
    "speakers.show": DESK,
    "factchecks.index": DESK,
    "factchecks.import_files": DESK,
    "jobs.index": DESK,
    "jobs.show": DESK,
    "jobs.status": DESK,
    "speakers.edit": DESK,
    "speakers.merge": DESK,
    "speakers.unmerge": ADMINS,  # undoing a merge of two speakers
    # JSON API (token)
    "api.create_article": DESK,
    "api.get_job": DESK,
    "api.get_article_json": DESK,
    "api.list_claims": DESK,
    "api.get_claim": DESK,
    "api.patch_claim": DESK,
    "api.take": DESK,
    "api.assign": DESK,
    "api.dismiss": DESK,
    "api.reopen": ADMINS,
    "api.add_evidence": DESK,
    "api.propose_verdict": DESK,
    "api.approve": SIGN_OFF,
    "api.return_claim": SIGN_OFF,
    "api.add_comment": DESK,
    "api.history": DESK,
    "api.related_claims": DESK,
    "api.list_speakers": DESK,
    "api.get_speaker": DESK,
    "api.patch_speaker": DESK,
    "api.merge_speaker": DESK,
    "api.unmerge_speaker": ADMINS,
    "api.add_claim": DESK,  # corrections by span: every desk role, as for PATCH
    "api.split_claim": DESK,
    "api.merge_claims": DESK,
    "api.remove_claim": DESK,
    "api.list_factchecks": DESK,
    "api.import_factchecks": DESK,
    "api.list_sources": DESK,
    "api.create_source": ADMINS,
    "api.get_source": DESK,
    "api.patch_source": ADMINS,
    "api.delete_source": ADMINS,
    "api.poll_source": ADMINS,
    "api.export_csv": DESK,
    "api.claimreview": DESK,
    "api.claimreviews": DESK,
    "api.openapi": EVERYONE,  # the API's description, read before one has a token
    # exports, dashboard, help
    "export.queue_csv": DESK,
    "export.fact_check": EVERYONE,  # the published page of an approved claim (404 for any other)
    "dashboard.index": DESK,
    "api_docs.index": DESK,
    "account.index": DESK,
    "account.password": DESK,
    "account.sign_out_everywhere": DESK,
    "account.tokens": DESK,
    "account.create": DESK,
    "account.revoke": ADMINS,  # someone else's token here; its owner may revoke it too
    # people and permissions (admins), and the pages behind their one-time links (the token is the key)
    "admin.people": ADMINS,
    "admin.invite": ADMINS,
    "admin.change_role": ADMINS,
    "admin.deactivate": ADMINS,
    "admin.reactivate": ADMINS,
    "admin.reset_password": ADMINS,
    "admin.revoke_link": ADMINS,
    "admin.audit": ADMINS,
    "links.welcome": EVERYONE,
    "links.reset": EVERYONE,
    # knowing what happened: one's own notifications, due dates, webhooks (admins)
    "notifications.index": DESK,
    "notifications.open": DESK,  # one's own only: someone else's is 404
    "notifications.mark_all_read": DESK,
    "claims.due": DESK,
    "webhooks.index": ADMINS,
    "webhooks.create": ADMINS,
    "webhooks.pause": ADMINS,
    "webhooks.resume": ADMINS,
    "webhooks.delete": ADMINS,
    "webhooks.deliveries": ADMINS,
    "api.list_notifications": DESK,
    "api.read_notifications": DESK,
    "api.set_due_date": DESK,
    "api.list_webhooks": ADMINS,
    "api.create_webhook": ADMINS,
    "api.webhook_deliveries": ADMINS,
}
# Allowed, but about one person's own rows: the others get 404 (not 403: nothing is disclosed).
OWN_ONLY = {"notifications.open"}

# What each POST/PATCH sends (the least that reaches the role check); claim ids are filled in.
BODIES: dict[str, dict[str, Any]] = {
    "claims.review": {"approve": "Approve", "version": "1"},  # version required (issue 12)
    "claims.dismiss": {"reason": "Opinion."},
    "claims.comment": {"body": "Checked."},
    "api.return_claim": {"comment": "One more source.", "version": 1},  # version required (issue 12)
    "api.approve": {"version": 1},
    "api.assign": {"assignee": None},
    "api.dismiss": {"reason": "Opinion."},
    "api.reopen": {"reason": "New figures."},
    "api.add_comment": {"body": "Checked."},
    "admin.invite": {"email": "invited@example.org", "role": "editor"},
    "admin.change_role": {"role": "reviewer"},
}


def _rules(app):
    return [rule for rule in app.url_map.iter_rules()]


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
    missing = sorted(endpoints - set(ACCESS))
    assert not missing, (
        f"Routes without an entry in tests/test_access.py ACCESS: {', '.join(missing)}. "
        "Add each with the roles allowed to use it.")
    stale = sorted(set(ACCESS) - endpoints)
    assert not stale, f"ACCESS lists endpoints that no longer exist: {', '.join(stale)}"


def test_no_route_edits_history(app):
    """The history is read-only from outside: no route writes to it except through the services."""
    for rule in _rules(app):
        if "history" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule


# --- the matrix, walked ---------------------------------------------------------------------

class Caller:
    """One role's client: a signed-in session for pages, a token for the API."""

    def __init__(self, app, role: str, user=None, token: dict | None = None):
        self.role, self.client = role, app.test_client()
        self.token = token or {}
        if user is not None:
            self.send("post", "/auth/login", {"email": user.email, "password": PASSWORD})

    def send(self, method: str, url: str, body: dict | None = None):
        g.pop("_login_user", None)  # each request loads its user, as a real one does
        if url.startswith("/api/"):
            response = getattr(self.client, method)(url, json=body or {}, headers=self.token)
        elif method == "get":
            response = self.client.get(url)
        else:
            response = getattr(self.client, method)(url, data=body or {})
        response.get_data()  # read streamed downloads (CSV) to the end, inside this request
        response.close()
        return response


@pytest.fixture
def callers(app, editor, reviewer, admin, token_for):
    return {
        ANON: Caller(app, ANON),
        EDITOR: Caller(app, EDITOR, editor, token_for(editor)),
        REVIEWER: Caller(app, REVIEWER, reviewer, token_for(reviewer)),
        ADMIN: Caller(app, ADMIN, admin, token_for(admin)),
    }


@pytest.fixture
def targets(claims, editor2, reviewer, make_user, admin):
    """Seed claims in the states the guarded actions need. Verdicts are editor2's, so none of
    the callers is their author: a 403 here is about roles, never four eyes."""
    working, in_review, approved = (c.id for c in claims[2:5])
    link = service.link_evidence(working, user=editor2, evidence=evidence_input(1))
    for claim_id, n in ((in_review, 2), (approved, 3)):
        service.link_evidence(claim_id, user=editor2, evidence=evidence_input(n))
        service.propose_verdict(claim_id, user=editor2, verdict="mostly_true", rationale="Checked.")
    service.approve(approved, user=reviewer)
    claim = service.get_claim(working)
    token, _secret = create_token(editor2.email, name="someone else's")
    invitation, invite_token = admin_service.invite("newcomer@example.org", by=admin)
    _reset, reset_token = admin_service.reset_password(make_user("editor").id, by=admin)
    service.assign(working, user=admin, assignee=editor2.id)  # a notification, editor2's
    notification = db.session.scalars(sa.select(Notification)).first()
    hook = webhook_service.register(url="https://hooks.example.org/in", secret="a secret of sixteen+",
                                    events=["claim.approved"], by=admin, resolve=lambda host, port: ["93.184.216.34"])
    job = create_job(IngestRequest(text="A quoted article.", user_id=editor2.id))
    source = Source(name="Wire", url="http://127.0.0.1:9/feed.xml", kind="feed", every_minutes=30)
    db.session.add(source)
    db.session.commit()
    return {"job_id": job.id, "claim_id": working, "link_id": link.id, "article_id": claim.article_id,
            "speaker_id": claim.speaker_id, "in_review": in_review, "approved": approved, "token_id": token.id,
            "user_id": editor2.id, "invitation_id": invitation.id, "invite_token": invite_token,
            "reset_token": reset_token, "notification_id": notification.id, "webhook_id": hook.id,
            "source_id": source.id}


def url_of(app, rule, targets: dict) -> str:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name == "filename":
            values[name] = "css/app.css" if rule.endpoint == "static" else "css/bootstrap.min.css"
        elif name == "claim_id" and rule.endpoint in ("claims.review", "api.approve", "api.return_claim"):
            values[name] = targets["in_review"]
        elif name == "link_id" and rule.endpoint == "admin.revoke_link":
            values[name] = targets["invitation_id"]
        elif name == "token":
            values[name] = targets["invite_token" if rule.endpoint == "links.welcome" else "reset_token"]
        elif name == "claim_id" and rule.endpoint in ("claims.reopen", "export.fact_check", "api.claimreview",
                                                      "api.reopen"):
            values[name] = targets["approved"]
        else:
            values[name] = targets[name]
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def verdict_of(response, url: str) -> str:
    """What the answer means for access: allowed, login (sent to sign in), or refused."""
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and location.startswith("/auth/login?next="):
        return "login"  # Flask-Login's redirect (signing out also lands on the login page, without next)
    if response.status_code == 401:
        return "login"
    if response.status_code == 403:
        return "refused"
    return "allowed"


def expected(endpoint: str, role: str) -> str:
    if endpoint not in ACCESS:
        return "an entry in ACCESS"
    if role in ACCESS[endpoint]:
        return "allowed"
    return "login" if role == ANON else "refused"


def test_get_routes_answer_each_role_as_the_table_says(app, callers, targets):
    problems = []
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        url = url_of(app, rule, targets)
        for role in ROLES:
            response = callers[role].send("get", url)
            got, want = verdict_of(response, url), expected(rule.endpoint, role)
            if got != want or response.status_code >= 500:
                problems.append(f"GET {url} ({rule.endpoint}) as {role}: {response.status_code}, expected {want}")
            elif want == "allowed" and response.status_code not in (200, 302) and not (
                    rule.endpoint in OWN_ONLY and response.status_code == 404):
                problems.append(f"GET {url} ({rule.endpoint}) as {role}: {response.status_code}, expected 200")
            elif want == "login" and url.startswith("/api/") and response.status_code != 401:
                problems.append(f"GET {url} as {role}: {response.status_code}, expected 401")
    assert not problems, "\n".join(problems)


def test_a_signed_in_page_is_a_real_page(callers, targets):
    """The matrix accepts redirects for allowed GETs; the pages themselves answer 200."""
    for path in ("/queue", f"/claims/{targets['claim_id']}", "/articles", "/speakers/", "/ingest", "/jobs",
                 f"/jobs/{targets['job_id']}",
                 f"/articles/{targets['article_id']}", f"/speakers/{targets['speaker_id']}", "/dashboard", "/help/api"):
        for role in (EDITOR, REVIEWER, ADMIN):
            assert callers[role].send("get", path).status_code == 200, (path, role)


def test_post_routes_answer_each_role_as_the_table_says(app, callers, targets, make_user):
    problems = []
    for rule in _rules(app):
        methods = sorted(rule.methods & {"POST", "PATCH", "PUT", "DELETE"})
        for method in methods:
            url = url_of(app, rule, targets)
            body = dict(BODIES.get(rule.endpoint, {}))
            if rule.endpoint == "api.patch_claim":
                body = {"version": 0}  # refused as stale, after the token check
            for role in ROLES:
                caller = callers[role]
                if rule.endpoint in ("auth.logout", "account.sign_out_everywhere") and role != ANON:
                    # signing out ends the session: use a fresh one
                    user = make_user(role)
                    caller = Caller(app, role, user)
                response = caller.send(method.lower(), url, body)
                got, want = verdict_of(response, url), expected(rule.endpoint, role)
                if got != want or response.status_code >= 500:
                    problems.append(f"{method} {url} ({rule.endpoint}) as {role}: {response.status_code}, "
                                    f"expected {want}")
                elif want == "login" and url.startswith("/api/") and response.status_code != 401:
                    problems.append(f"{method} {url} as {role}: {response.status_code}, expected 401")
    assert not problems, "\n".join(problems)
