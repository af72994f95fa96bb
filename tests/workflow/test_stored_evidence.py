"""Linking evidence whose URL is stored already (issue 16): the editor sees the stored source
and chooses to link it as it is or to update it; nothing is dropped silently."""
from __future__ import annotations

import re

import pytest

from app.errors import BadStatus, EvidenceExists, Invalid
from app.extensions import db
from app.models import Evidence
from app.workflow import service
from tests.workflow.conftest import actions, evidence_input, refused
from tests.workflow.test_web import text

URL = "https://www.nato.int/cps/en/natohq/news_1.htm"


@pytest.fixture
def stored(other_claim_id, editor2) -> int:
    """NATO press release 1, linked to the Kallas claim by another editor."""
    return service.link_evidence(other_claim_id, user=editor2, evidence=evidence_input(1)).evidence_id


def test_the_same_values_link_the_stored_source_silently(claim_id, editor, stored):
    link = service.link_evidence(claim_id, user=editor, evidence=evidence_input(1, excerpt="", publisher=None))
    assert link.evidence_id == stored


def test_other_values_are_refused_with_the_stored_source(claim_id, editor, stored):
    with refused(EvidenceExists, claim_id) as info:
        service.link_evidence(claim_id, user=editor, evidence=evidence_input(1, title="NATO: Allies condemn attack",
                                                                             excerpt="We condemn it."))
    details = info.value.details
    assert details["evidence_id"] == stored and details["differs"] == ["title", "excerpt"]
    assert details["stored"]["title"] == "NATO press release 1" and details["yours"]["excerpt"] == "We condemn it."
    assert "NATO press release 1" in info.value.message and "another title, excerpt" in info.value.message


def test_keep_links_the_stored_source_unchanged(claim_id, editor, stored):
    link = service.link_evidence(claim_id, user=editor, existing="keep",
                                 evidence=evidence_input(1, title="NATO: Allies condemn attack"))
    assert link.evidence_id == stored and db.session.get(Evidence, stored).title == "NATO press release 1"
    assert actions(claim_id)[-1] == "evidence_linked"


def test_update_changes_the_stored_source_and_is_audited(claim_id, other_claim_id, editor, stored):
    link = service.link_evidence(claim_id, user=editor, existing="update",
                                 evidence=evidence_input(1, title="NATO: Allies condemn attack", excerpt=""))
    db.session.expire_all()
    item = db.session.get(Evidence, stored)
    assert link.evidence_id == stored and item.title == "NATO: Allies condemn attack"
    assert item.excerpt == "Allies condemn the attack."  # left empty by the editor: kept
    assert actions(claim_id)[-2:] == ["evidence_updated", "evidence_linked"]
    event = service.history(claim_id)[-2]
    assert event.user_id == editor.id
    assert event.before == {"url": URL, "title": "NATO press release 1"}
    assert event.after == {"url": URL, "title": "NATO: Allies condemn attack"}
    assert service.get_claim(other_claim_id).evidence_links[0].evidence.title == "NATO: Allies condemn attack"


def test_a_source_of_an_approved_claim_is_not_updated(claim_id, other_claim_id, editor, to_approved):
    to_approved(other_claim_id, n=1)
    with refused(BadStatus, claim_id, match="approved claim"):
        service.link_evidence(claim_id, user=editor, existing="update",
                              evidence=evidence_input(1, title="NATO: Allies condemn attack"))
    assert service.link_evidence(claim_id, user=editor, existing="keep",
                                 evidence=evidence_input(1, title="NATO: Allies condemn attack")).evidence_id


def test_an_unknown_choice_is_refused(claim_id, editor, stored):
    with refused(Invalid, claim_id):
        service.link_evidence(claim_id, user=editor, existing="merge", evidence=evidence_input(1, title="Other"))


def test_api_answers_409_with_the_stored_source_then_links_on_update(client, token_for, editor, claim_id, stored):
    headers = token_for(editor)
    body = {"url": URL, "title": "NATO: Allies condemn attack", "stance": "contradicts"}
    response = client.post(f"/api/v1/claims/{claim_id}/evidence", json=body, headers=headers)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "evidence_exists" and error["details"]["stored"]["title"] == "NATO press release 1"
    response = client.post(f"/api/v1/claims/{claim_id}/evidence", json={**body, "existing": "update"},
                           headers=headers)
    assert response.status_code == 201 and response.get_json()["title"] == "NATO: Allies condemn attack"
    history = client.get(f"/api/v1/claims/{claim_id}/history", headers=headers).get_json()["items"]
    assert [h["action"] for h in history][-2:] == ["evidence_updated", "evidence_linked"]
    bad = client.post(f"/api/v1/claims/{claim_id}/evidence", json={**body, "existing": 1}, headers=headers)
    assert bad.status_code == 422


def test_the_claim_page_shows_the_stored_source_and_both_choices(client, auth, editor, claim_id, stored):
    auth.login(editor)
    form = {"url": URL, "title": "NATO: Allies condemn attack", "publisher": "NATO", "stance": "contradicts",
            "excerpt": "", "note": "Mine."}
    response = client.post(f"/claims/{claim_id}/evidence", data=form)
    assert response.status_code == 409
    page = text(response)
    stored_box = page.split('id="stored-evidence"', 1)[1].split("</form>", 1)[0]
    assert "NATO press release 1" in stored_box and "yours</span> NATO: Allies condemn attack" in stored_box
    assert 'value="NATO: Allies condemn attack"' in page  # the editor's input is kept
    assert 'name="existing" value="keep"' in stored_box and 'name="existing" value="update"' in stored_box
    response = client.post(f"/claims/{claim_id}/evidence", data={**form, "existing": "update"})
    assert response.status_code == 302
    page = text(client.get(f"/claims/{claim_id}"))
    assert "Stored source updated and linked." in page and "updated a stored source" in page
    assert "title: NATO press release 1 → NATO: Allies condemn attack" in " ".join(re.sub(r"<[^>]+>", " ", page).split())
