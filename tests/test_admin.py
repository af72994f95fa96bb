"""People and permissions without a shell (issue 16): invitations, roles, deactivation,
password resets, the audit log; service, pages and CLI, with old cookies replayed."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.admin import service as admin_service
from app.admin.service import LinkClosed
from app.auth.service import authenticate, create_token, user_for_token
from app.errors import BadStatus, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import AccountLink, AuditEvent, LoginSession, User, utcnow
from tests.conftest import PASSWORD
from tests.test_sessions import assert_nothing_opens, cookies_of, is_signed_in, send, sign_in

NEW_PASSWORD = "copper kettle meadow"


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


# --- invitations --------------------------------------------------------------------------------

def test_an_invitation_is_accepted_once_and_audited(admin):
    link, secret = admin_service.invite(" Nia.Obi@Example.org ", name="Nia Obi", role="reviewer", by=admin)
    assert link.email == "nia.obi@example.org" and link.token_hash != secret and secret not in str(link.__dict__)
    user = admin_service.accept_invite(secret, name="Nia O.", password=NEW_PASSWORD)
    assert (user.email, user.name, user.role, user.active) == ("nia.obi@example.org", "Nia O.", "reviewer", True)
    assert authenticate("nia.obi@example.org", NEW_PASSWORD) == user
    with pytest.raises(LinkClosed, match="already used"):
        admin_service.accept_invite(secret, name="Again", password=NEW_PASSWORD + " again")
    invited, accepted = events("user_invited")[0], events("invitation_accepted")[0]
    assert invited.user == admin and invited.after["role"] == "reviewer"
    assert accepted.subject_user == user


def test_invitations_expire_are_replaced_and_can_be_withdrawn(admin):
    old_link, old_secret = admin_service.invite("sam@example.org", role="editor", by=admin)
    new_link, new_secret = admin_service.invite("sam@example.org", role="reviewer", by=admin)
    with pytest.raises(LinkClosed, match="withdrawn"):
        admin_service.open_link(old_secret, "invite")  # the newer invitation replaced it
    new_link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(LinkClosed, match="expired"):
        admin_service.accept_invite(new_secret, name="Sam", password=NEW_PASSWORD)
    link, secret = admin_service.invite("sam@example.org", by=admin)
    admin_service.revoke_link(link.id, by=admin)
    with pytest.raises(LinkClosed):
        admin_service.accept_invite(secret, name="Sam", password=NEW_PASSWORD)
    with pytest.raises(NotFound):
        admin_service.open_link("not-a-token", "invite")
    assert db.session.scalar(sa.select(User).where(User.email == "sam@example.org")) is None


def test_invitations_are_refused_to_non_admins_and_for_existing_accounts(admin, editor, reviewer):
    for user in (editor, reviewer):
        with pytest.raises(Forbidden):
            admin_service.invite("x@example.org", by=user)
    with pytest.raises(Invalid, match="already has an account"):
        admin_service.invite(editor.email, by=admin)
    with pytest.raises(Invalid):
        admin_service.invite("not an address", by=admin)
    with pytest.raises(Invalid):
        admin_service.invite("y@example.org", role="owner", by=admin)
    assert count(AccountLink) == 0 and not events("user_invited")


def test_a_weak_password_keeps_the_invitation_open(admin):
    _link, secret = admin_service.invite("kai@example.org", by=admin)
    with pytest.raises(Invalid):
        admin_service.accept_invite(secret, name="Kai", password="password1")
    assert admin_service.open_link(secret, "invite").used_at is None
    assert admin_service.accept_invite(secret, name="Kai", password=NEW_PASSWORD).email == "kai@example.org"


# --- roles, deactivation ------------------------------------------------------------------------

def test_roles_change_with_an_audit_event_and_never_leave_the_desk_without_an_admin(admin, editor, make_user):
    user = admin_service.change_role(editor.id, "reviewer", by=admin)
    assert user.role == "reviewer"
    event = events("role_changed")[-1]
    assert (event.before, event.after, event.subject_user, event.user) == (
        {"role": "editor"}, {"role": "reviewer"}, editor, admin)
    with pytest.raises(Forbidden, match="yourself"):
        admin_service.change_role(admin.id, "editor", by=admin)
    with pytest.raises(Invalid, match="only active admin"):
        admin_service.change_role(admin.id, "editor", by=None)  # the command line, last admin
    with pytest.raises(Forbidden):
        admin_service.change_role(admin.id, "editor", by=editor)
    second = make_user("admin", email="second@example.org", name="Second Admin")
    assert admin_service.change_role(admin.id, "editor", by=second).role == "editor"


def test_deactivating_ends_sign_ins_and_tokens_and_reactivating_revives_none(app, admin, editor):
    cookies = cookies_of(sign_in(app, editor))
    _token, secret = create_token(editor.email)
    assert user_for_token(secret) == editor
    admin_service.set_active(editor.id, False, by=admin)
    assert count(sa.select(LoginSession).where(LoginSession.user_id == editor.id).subquery()) == 0
    assert_nothing_opens(app, cookies)
    assert user_for_token(secret) is None
    assert authenticate(editor.email, PASSWORD) is None
    admin_service.set_active(editor.id, True, by=admin)
    assert_nothing_opens(app, cookies)  # the old sign-ins stay ended
    assert user_for_token(secret) == editor  # the token was not revoked, only paused
    assert [e.action for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_user_id == editor.id).order_by(AuditEvent.id))][-2:] == [
        "user_deactivated", "user_reactivated"]
    with pytest.raises(Forbidden, match="yourself"):
        admin_service.set_active(admin.id, False, by=admin)


# --- password resets ----------------------------------------------------------------------------

def test_a_reset_stops_the_old_password_and_sign_ins_and_the_link_sets_a_new_one(app, admin, editor):
    cookies = cookies_of(sign_in(app, editor))
    link, secret = admin_service.reset_password(editor.id, by=admin)
    assert link.user == editor
    assert authenticate(editor.email, PASSWORD) is None
    assert_nothing_opens(app, cookies)
    admin_service.complete_reset(secret, password=NEW_PASSWORD)
    assert authenticate(editor.email, NEW_PASSWORD) == editor
    with pytest.raises(LinkClosed):
        admin_service.complete_reset(secret, password=NEW_PASSWORD + " x")
    assert [e.action for e in events("password_reset_issued") + events("password_reset_completed")] == [
        "password_reset_issued", "password_reset_completed"]


def test_a_deactivated_user_gets_no_reset_and_loses_an_open_one(admin, editor):
    _link, secret = admin_service.reset_password(editor.id, by=admin)
    admin_service.set_active(editor.id, False, by=admin)
    with pytest.raises(LinkClosed):
        admin_service.complete_reset(secret, password=NEW_PASSWORD)
    with pytest.raises(BadStatus):
        admin_service.reset_password(editor.id, by=admin)


# --- the audit log ----------------------------------------------------------------------------------

def test_the_audit_log_lists_admin_actions_newest_first_and_filters(admin, editor, editor2, runner):
    admin_service.change_role(editor.id, "reviewer", by=admin)
    admin_service.set_active(editor2.id, False, by=admin)
    assert runner.invoke(args=["reactivate-user", editor2.email]).exit_code == 0
    page = admin_service.audit_log()
    assert [e.action for e in page.items][:3] == ["user_reactivated", "user_deactivated", "role_changed"]
    assert page.items[0].user is None  # the command line
    only = admin_service.audit_log(person=editor2.id)
    assert {e.action for e in only.items} == {"user_deactivated", "user_reactivated"}
    assert [e.action for e in admin_service.audit_log(action="role_changed").items] == ["role_changed"]
    with pytest.raises(Invalid):
        admin_service.audit_log(action="drop_tables")


# --- pages ---------------------------------------------------------------------------------------

def test_admin_pages_are_for_admins(app, editor, reviewer, admin):
    for user in (editor, reviewer):
        browser = sign_in(app, user)
        assert send(browser, "get", "/admin/people").status_code == 403
        assert send(browser, "get", "/admin/audit").status_code == 403
        assert send(browser, "post", f"/admin/people/{admin.id}/deactivate").status_code == 403
        assert "/admin/people" not in send(browser, "get", "/queue").get_data(as_text=True)
    anonymous = app.test_client()
    response = send(anonymous, "get", "/admin/people")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert admin.active


def test_invite_through_the_pages_join_and_sign_in(app, admin):
    browser = sign_in(app, admin)
    assert 'href="/admin/people"' in send(browser, "get", "/queue").get_data(as_text=True)
    response = send(browser, "post", "/admin/people/invite",
                    data={"email": "lee@example.org", "name": "Lee Park", "role": "reviewer"})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    url = re.search(r'id="new-link-value" value="([^"]+)"', response.get_data(as_text=True)).group(1)
    path = url.replace("http://localhost", "")
    assert path.startswith("/welcome/")
    assert "lee@example.org" in send(browser, "get", "/admin/people").get_data(as_text=True)  # open invitation

    newcomer = app.test_client()
    page = send(newcomer, "get", path)
    assert page.status_code == 200 and 'value="Lee Park"' in page.get_data(as_text=True)
    weak = send(newcomer, "post", path, data={"name": "Lee Park", "password": "password1", "confirm": "password1"})
    assert weak.status_code == 422
    joined = send(newcomer, "post", path, data={"name": "Lee Park", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert joined.status_code == 302
    assert is_signed_in(newcomer)
    again = send(app.test_client(), "get", path)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert "<title>Link no longer valid · Claimdesk</title>" in again.get_data(as_text=True)
    assert send(app.test_client(), "get", "/welcome/nonsense").status_code == 404

    log = send(browser, "get", "/admin/audit").get_data(as_text=True)
    assert "invited" in log and "lee@example.org" in log and "accepted the invitation" in log


def test_pages_change_roles_deactivate_and_reset(app, admin, editor):
    victim = sign_in(app, editor)
    cookies = cookies_of(victim)
    browser = sign_in(app, admin)
    assert send(browser, "post", f"/admin/people/{editor.id}/role", data={"role": "reviewer"}).status_code == 302
    assert db.session.get(User, editor.id).role == "reviewer"
    assert send(browser, "post", f"/admin/people/{editor.id}/role", data={"role": "owner"}).status_code == 422
    assert send(browser, "post", f"/admin/people/{editor.id}/deactivate").status_code == 302
    assert_nothing_opens(app, cookies)
    refused = send(browser, "post", f"/admin/people/{editor.id}/reset-password")
    assert refused.status_code == 409 and "deactivated" in refused.get_data(as_text=True)
    assert send(browser, "post", f"/admin/people/{editor.id}/reactivate").status_code == 302
    reset = send(browser, "post", f"/admin/people/{editor.id}/reset-password")
    assert reset.status_code == 201
    path = re.search(r'id="new-link-value" value="http://localhost([^"]+)"', reset.get_data(as_text=True)).group(1)
    assert path.startswith("/reset-password/")
    person = app.test_client()
    done = send(person, "post", path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and is_signed_in(person)
    self_harm = send(browser, "post", f"/admin/people/{admin.id}/deactivate")
    assert self_harm.status_code == 403 and db.session.get(User, admin.id).active
    log = send(browser, "get", "/admin/audit?action=role_changed").get_data(as_text=True)
    assert 'id="audit-count">1 event<' in log and "editor → reviewer" in log


def test_admin_forms_need_csrf(app, admin, editor):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        browser = sign_in_with_csrf(app, admin)
        response = send(browser, "post", f"/admin/people/{editor.id}/deactivate")
        assert response.status_code in (302, 400) and db.session.get(User, editor.id).active
        invite = send(browser, "post", "/admin/people/invite", data={"email": "csrf@example.org", "role": "editor"})
        assert invite.status_code in (400, 422) and count(AccountLink) == 0
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def sign_in_with_csrf(app, user):
    browser = app.test_client()
    page = send(browser, "get", "/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = send(browser, "post", "/auth/login", data={"email": user.email, "password": PASSWORD,
                                                          "csrf_token": token})
    assert response.status_code == 302
    return browser
