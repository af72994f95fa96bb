"""What leaves the desk is what the reviewer approved (issue 12 §5b) with its publication
wording (issue 16): ClaimReview, the public page and the CSV read the record frozen at
approval until an admin reopens the claim; the CSV's new columns; the public 404."""
from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from app.errors import BadStatus, Invalid
from app.export.claimreview import claim_review
from app.export.csv_export import COLUMNS, csv_chunks
from app.extensions import db
from app.models import Evidence, Speaker
from app.workflow import service
from app.workflow.publication import published_record
from app.workflow.queries import ClaimFilters

HARBOUR = ('"The harbour will reopen on Monday," Pat Roe said on Friday. '
           '"Fees stay the same for local boats," Pat Roe added.')
HARBOUR_AGAIN = 'Harbour Minister Pat Roe said: "Ships are already queuing at the entrance."'


@pytest.fixture
def roe_claim(make_article, make_claim):
    """A claim whose speaker, Pat Roe, has no role yet."""
    article = make_article(HARBOUR, title="Harbour to reopen", publisher="Coast News")
    return make_claim(article, "The harbour will reopen on Monday", speaker="Pat Roe")


def approve_with(claim_id, editor, reviewer, *, wording=None, comment=None):
    """Evidence, a verdict by the editor, optionally a wording, approval by the reviewer."""
    service.link_evidence(claim_id, user=editor, evidence=service.EvidenceInput(
        url="https://port.example.org/notice-12", title="Port authority notice 12", stance="supports"))
    if wording is not None:
        claim = service.get_claim(claim_id)
        service.update_claim(claim_id, user=editor, version=claim.version, changes={"publication_wording": wording})
    service.propose_verdict(claim_id, user=editor, verdict="mostly_true", rationale="The notice gives Monday.")
    service.approve(claim_id, user=reviewer, comment=comment)
    return service.get_claim(claim_id)


def review_of(claim):
    return claim_review(claim, url=f"https://desk.test/fact-checks/{claim.id}", publisher="Desk")


def rows(**options):
    data = b"".join(csv_chunks(ClaimFilters(), claim_url=lambda i: f"https://desk.test/claims/{i}",
                               public_url=lambda i: f"https://desk.test/fact-checks/{i}", **options))
    header, *body = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert header == list(COLUMNS)
    return {int(r[0]): dict(zip(header, r, strict=True)) for r in body}


# --- the record frozen at approval ------------------------------------------------------------

def test_a_role_learnt_after_approval_does_not_change_what_was_published(
        roe_claim, make_article, make_claim, editor, reviewer, client):
    claim = approve_with(roe_claim.id, editor, reviewer)
    before_review = review_of(claim)
    assert "jobTitle" not in before_review["itemReviewed"]["author"]
    version = claim.version

    # Another article names the same person with a title: the speaker record learns it.
    later = make_article(HARBOUR_AGAIN, title="Ships queue")
    make_claim(later, "Ships are already queuing at the entrance", speaker="Pat Roe", speaker_role="Harbour Minister")
    speaker = db.session.scalar(sa.select(Speaker).where(Speaker.name == "Pat Roe"))
    assert speaker.role == "Harbour Minister"
    # ... and an evidence title is corrected in the store.
    db.session.scalar(sa.select(Evidence)).title = "Notice 12 (amended)"
    db.session.commit()

    claim = service.get_claim(roe_claim.id)
    assert review_of(claim) == before_review
    page = client.get(f"/fact-checks/{claim.id}").get_data(as_text=True)
    assert "Harbour Minister" not in page and "Port authority notice 12" in page and "amended" not in page
    row = rows()[claim.id]
    assert (row["speaker_role"], row["evidence_titles"]) == ("", "Port authority notice 12")
    assert claim.version == version  # nothing about the claim itself changed


def test_reopening_and_approving_again_publishes_the_new_values(
        roe_claim, make_article, make_claim, editor, editor2, reviewer, admin):
    approve_with(roe_claim.id, editor, reviewer)
    later = make_article(HARBOUR_AGAIN, title="Ships queue")
    make_claim(later, "Ships are already queuing at the entrance", speaker="Pat Roe", speaker_role="Harbour Minister")
    claim = service.reopen(roe_claim.id, user=admin, reason="Add the minister's title.")
    assert published_record(claim) is None
    service.propose_verdict(claim.id, user=editor2, verdict="true", rationale="Confirmed by the minister.",
                            version=claim.version)
    claim = service.approve(claim.id, user=reviewer)
    review = review_of(claim)
    assert review["itemReviewed"]["author"]["jobTitle"] == "Harbour Minister"
    assert review["reviewRating"]["alternateName"] == "True"


def test_the_record_holds_what_the_reviewer_saw(roe_claim, editor, reviewer):
    claim = approve_with(roe_claim.id, editor, reviewer, wording="Pat Roe said the harbour reopens on Monday.",
                         comment="Good sourcing.")
    record = published_record(claim)
    assert record.claim_reviewed == "Pat Roe said the harbour reopens on Monday."
    assert record.content == "The harbour will reopen on Monday"
    assert (record.speaker.name, record.speaker.role, record.verdict, record.label) == (
        "Pat Roe", None, "mostly_true", "Mostly true")
    assert record.rationale == "The notice gives Monday." and record.review_comment == "Good sourcing."
    assert [(e.title, e.stance) for e in record.evidence] == [("Port authority notice 12", "supports")]
    assert (record.approved_by, record.proposed_by) == (reviewer.name, editor.name)
    assert record.article.title == "Harbour to reopen"
    stored = claim.current_verdict.published
    assert json.loads(json.dumps(stored)) == stored  # plain JSON in the verdict row


# --- publication wording ----------------------------------------------------------------------

def test_publication_wording_defaults_to_the_claim_text_and_is_claim_reviewed(roe_claim, editor, reviewer):
    assert roe_claim.wording == roe_claim.content and roe_claim.publication_wording is None
    claim = approve_with(roe_claim.id, editor, reviewer)
    assert review_of(claim)["claimReviewed"] == "The harbour will reopen on Monday"


def test_publication_wording_is_edited_audited_and_reset(roe_claim, editor):
    claim = service.update_claim(roe_claim.id, user=editor, version=roe_claim.version,
                                 changes={"publication_wording": "  Pat Roe:   the harbour reopens Monday. "})
    assert claim.publication_wording == "Pat Roe: the harbour reopens Monday."
    event = service.history(claim.id)[-1]
    assert event.action == "claim_edited"
    assert event.before["publication_wording"] is None
    assert event.after["publication_wording"] == "Pat Roe: the harbour reopens Monday."
    # Blank, or the claim text itself: back to following the claim text.
    claim = service.update_claim(claim.id, user=editor, version=claim.version, changes={"publication_wording": ""})
    assert claim.publication_wording is None and claim.wording == claim.content


def test_publication_wording_refused_after_approval_and_when_not_text(roe_claim, editor, reviewer):
    with pytest.raises(Invalid):
        service.update_claim(roe_claim.id, user=editor, version=roe_claim.version,
                             changes={"publication_wording": ["x"]})
    with pytest.raises(Invalid):
        service.update_claim(roe_claim.id, user=editor, version=roe_claim.version,
                             changes={"publication_wording": "x" * 5001})
    claim = approve_with(roe_claim.id, editor, reviewer)
    with pytest.raises(BadStatus):
        service.update_claim(claim.id, user=editor, version=claim.version, changes={"publication_wording": "New"})
    assert service.get_claim(claim.id).publication_wording is None


# --- CSV: the new columns -----------------------------------------------------------------------

def test_csv_new_columns_follow_the_published_record(roe_claim, make_claim, editor, reviewer):
    other = make_claim(roe_claim.article, "Fees stay the same for local boats", speaker="Pat Roe")
    claim = approve_with(roe_claim.id, editor, reviewer, wording="Pat Roe: harbour reopens Monday.",
                         comment="=SUM(A1) looks fine")
    service.link_evidence(other.id, user=editor, evidence=service.EvidenceInput(
        url="https://fees.example.org/", title="Fee table", stance="contradicts"))
    service.link_evidence(other.id, user=editor, evidence=service.EvidenceInput(
        url="https://fees.example.org/2", title="Fee table 2", stance="context"))
    table = rows()
    row = table[claim.id]
    assert row["verdict"] == "mostly_true" and row["verdict_label"] == "Mostly true"
    assert row["publication_wording"] == "Pat Roe: harbour reopens Monday."
    assert row["content"] == "The harbour will reopen on Monday"
    assert (row["evidence_titles"], row["evidence_stances"]) == ("Port authority notice 12", "supports")
    assert row["review_comment"] == "'=SUM(A1) looks fine"  # neutralised like every text cell
    assert row["public_url"] == f"https://desk.test/fact-checks/{claim.id}"
    pending = table[other.id]
    assert pending["evidence_titles"].split("\n") == ["Fee table", "Fee table 2"]
    assert pending["evidence_stances"].split("\n") == ["contradicts", "context"]
    assert pending["publication_wording"] == "Fees stay the same for local boats"
    assert (pending["public_url"], pending["verdict_label"], pending["review_comment"]) == ("", "", "")


def test_csv_for_excel_starts_with_a_bom(roe_claim, auth, client, editor):
    auth.login(editor)
    plain = client.get("/queue/export.csv").get_data()
    excel = client.get("/queue/export.csv?bom=1").get_data()
    assert not plain.startswith(b"\xef\xbb\xbf") and excel == b"\xef\xbb\xbf" + plain
    page = client.get("/queue").get_data(as_text=True)
    assert 'id="export-csv-excel"' in page and "bom=1" in page


# --- the public page ----------------------------------------------------------------------------

def test_public_page_of_an_unapproved_claim_is_a_proper_404(roe_claim, client):
    response = client.get(f"/fact-checks/{roe_claim.id}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<title>Fact-check not found · Claimdesk</title>" in html
    assert "<h1" in html and "Fact-check not found" in html and "Not done" not in html
    assert "The harbour will reopen" not in html  # nothing of the unpublished claim leaks
    assert client.get("/fact-checks/999999").status_code == 404


def test_public_page_shows_the_wording_and_the_words_in_the_article(roe_claim, editor, reviewer, client):
    claim = approve_with(roe_claim.id, editor, reviewer, wording="Pat Roe said the harbour reopens on Monday.")
    html = client.get(f"/fact-checks/{claim.id}").get_data(as_text=True)
    assert "Pat Roe said the harbour reopens on Monday." in html
    assert "The harbour will reopen on Monday" in html  # the article's own words, beside it
    assert '"claimReviewed": "Pat Roe said the harbour reopens on Monday."' in html


# --- API and web ----------------------------------------------------------------------------------

def test_api_gets_and_patches_publication_wording(roe_claim, client, token_for, editor, reviewer):
    headers = token_for(editor)
    url = f"/api/v1/claims/{roe_claim.id}"
    body = client.get(url, headers=headers).get_json()
    assert body["publication_wording"] == body["content"] == "The harbour will reopen on Monday"

    missing_version = client.patch(url, json={"publication_wording": "X"}, headers=headers)
    assert missing_version.status_code == 422
    wrong_type = client.patch(url, json={"publication_wording": 5, "version": body["version"]}, headers=headers)
    assert wrong_type.status_code == 422 and wrong_type.get_json()["error"]["code"] == "invalid"

    response = client.patch(url, json={"publication_wording": "Pat Roe: the harbour reopens Monday.",
                                       "version": body["version"]}, headers=headers)
    assert response.status_code == 200, response.get_json()
    patched = response.get_json()
    assert patched["publication_wording"] == "Pat Roe: the harbour reopens Monday."
    assert patched["version"] == body["version"] + 1
    assert patched["history"][-1]["after"]["publication_wording"] == "Pat Roe: the harbour reopens Monday."
    stale = client.patch(url, json={"publication_wording": "Other", "version": body["version"]}, headers=headers)
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"

    approve_with(roe_claim.id, editor, reviewer)
    claim = service.get_claim(roe_claim.id)
    locked = client.patch(url, json={"publication_wording": "Later", "version": claim.version}, headers=headers)
    assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "bad_status"
    review = client.get(f"{url}/claimreview", headers=headers).get_json()
    assert review["claimReviewed"] == "Pat Roe: the harbour reopens Monday."


def test_claim_page_edits_the_wording_and_the_reviewer_sees_it(roe_claim, client, auth, editor, reviewer):
    auth.login(editor)
    page = client.get(f"/claims/{roe_claim.id}").get_data(as_text=True)
    assert 'id="wording-form"' in page and "the claim text" in page
    opened = roe_claim.version
    response = client.post(f"/claims/{roe_claim.id}/wording", data={
        "publication_wording": "Pat Roe says the harbour reopens Monday.", "version": opened})
    assert response.status_code == 302
    assert service.get_claim(roe_claim.id).publication_wording == "Pat Roe says the harbour reopens Monday."
    stale = client.post(f"/claims/{roe_claim.id}/wording", data={
        "publication_wording": "Something else", "version": opened})
    assert stale.status_code == 409 and "Something else" in stale.get_data(as_text=True)  # input kept

    service.link_evidence(roe_claim.id, user=editor, evidence=service.EvidenceInput(
        url="https://port.example.org/n", title="Notice", stance="supports"))
    claim = service.propose_verdict(roe_claim.id, user=editor, verdict="true", rationale="Notice.").claim
    auth.logout()
    auth.login(reviewer)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Approving publishes: “Pat Roe says the harbour reopens Monday.”" in page
