"""The speaker page through the test client: the record, the correction form, merge and undo."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Claim, Speaker
from tests.conftest import PASSWORD
from tests.workflow.test_web import Browser, text


@pytest.fixture
def as_user(app):
    """Factory: a test client signed in as ``user``."""
    def make(user) -> Browser:
        browser = Browser(app.test_client())
        assert browser.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        return browser
    return make


def plain(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def test_the_speaker_page_shows_verdicts_roles_and_recent_claims(as_user, editor, claims, to_approved):
    to_approved(claims[4].id, verdict="mostly_true")
    page = plain(as_user(editor).get(f"/speakers/{claims[4].speaker_id}"))
    assert "Verdicts on approved claims (1) Mostly true 1" in page
    assert "Roles over time Estonian Prime Minister" in page
    assert "The most effective response to Russia's aggression is unity" in page
    assert "Same person as another speaker?" in page and "Undo this merge" not in page


def test_the_correction_form_saves_and_refuses_with_input_kept(as_user, editor, claims):
    speaker_id = claims[4].speaker_id
    browser = as_user(editor)
    response = browser.post(f"/speakers/{speaker_id}/edit", data={
        "name": "Kaja Kallas", "role": "Prime Minister", "affiliation": "Reform Party"})
    assert response.status_code == 302
    page = plain(browser.get(f"/speakers/{speaker_id}"))
    assert "Speaker saved." in page and "Affiliation Reform Party" in page
    assert "corrected the speaker" in page and "affiliation: — → Reform Party" in page
    refused = browser.post(f"/speakers/{speaker_id}/edit", data={
        "name": "Jens Stoltenberg", "role": "Prime Minister", "affiliation": "Typed by me"})
    assert refused.status_code == 422
    assert "is another speaker already" in plain(refused) and 'value="Typed by me"' in text(refused)


def test_merge_by_name_then_an_admin_undoes_it(as_user, editor, admin, kallas_ids):
    kallas, duplicate = kallas_ids
    browser = as_user(editor)
    page = plain(browser.get(f"/speakers/{duplicate}"))
    assert "Possibly the same Kaja Kallas" in page
    response = browser.post(f"/speakers/{duplicate}/merge", data={"into": "kaja kallas"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/speakers/{kallas}")
    page = plain(browser.get(f"/speakers/{kallas}"))
    assert "Merged Prime Minister Kallas into Kaja Kallas" in page and "Merged here Prime Minister Kallas" in page
    assert "merged two speakers" in page and "1 claim moved" in page
    merged = plain(browser.get(f"/speakers/{duplicate}"))
    assert "Merged into Kaja Kallas by Edith Editor" in merged and "Only an admin can undo a merge." in merged
    assert browser.post(f"/speakers/{duplicate}/unmerge").status_code == 403

    boss = as_user(admin)
    assert "Undo this merge" in plain(boss.get(f"/speakers/{duplicate}"))
    assert boss.post(f"/speakers/{duplicate}/unmerge").status_code == 302
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Claim.id)).where(Claim.speaker_id == duplicate)) == 1
    assert db.session.get(Speaker, duplicate).merged_into_id is None


def test_merge_refusals_on_the_page(as_user, editor, kallas_ids):
    kallas, duplicate = kallas_ids
    browser = as_user(editor)
    itself = browser.post(f"/speakers/{kallas}/merge", data={"into": f"#{kallas}"})
    assert itself.status_code == 422 and "cannot be merged into itself" in plain(itself)
    nobody = browser.post(f"/speakers/{kallas}/merge", data={"into": "Nobody Atall"})
    assert nobody.status_code == 404 and "No speaker is called 'Nobody Atall'" in plain(nobody)
    empty = browser.post(f"/speakers/{kallas}/merge", data={"into": ""})
    assert empty.status_code == 422
