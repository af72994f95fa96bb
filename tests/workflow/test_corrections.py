"""Corrections by span (app.workflow.corrections): add a claim from a selection, split,
merge, adjust a span, remove; each audited, each checked against the version it was made
from, each refusal writing nothing. Claims are stored by the factories (no spaCy)."""
from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from flask import current_app

from app.articles.highlight import article_marks, highlight
from app.errors import BadStatus, DuplicateClaim, Forbidden, Invalid, NotFound, StaleVersion
from app.extensions import db
from app.models import AuditEvent, Claim
from app.workflow import corrections, service
from app.workflow.queries import ClaimFilters, claims_of_article, search_claims
from tests.workflow.conftest import actions, evidence_input, refused

WIRE = ('"Prices will fall," the minister said. "Wages will rise."\n\n'
        '"We have seen more drones in the past month than ever before," Stoltenberg told reporters in Brussels. '
        '"Every air-defence system we deliver saves lives."\n\n'
        'The talks end on Friday, officials said.')


@pytest.fixture
def wire(make_article):
    return make_article(WIRE, title="Wire copy")


def span_of(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def claim_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Claim.id)))


def marked(article) -> list[tuple[int, str]]:
    """(claim id, highlighted text) of each <mark> the article page would show."""
    with current_app.test_request_context():
        page = str(highlight(article.text, article_marks(claims_of_article(article.id))))
    return [(int(cid), html.unescape(body))
            for cid, body in re.findall(r'data-claim="(\d+)"[^>]*><mark>(.*?)</mark>', page)]


# --- add a claim from a selection ------------------------------------------------------------

def test_add_claim_from_a_selection_trims_spaces_and_audits(wire, editor):
    start, end = span_of(WIRE, "The talks end on Friday")
    claim = corrections.add_claim(wire.id, user=editor, start=start - 1, end=end + 0, speaker="  officials ",
                                  kind="indirect", cue="said")
    assert claim.content == "The talks end on Friday"  # the newline before the selection dropped
    assert (claim.start, claim.end) == (start, end) and claim.spans is None
    assert claim.speaker.name == "officials" and claim.kind == "indirect" and claim.cue == "said"
    assert claim.status == "new" and claim.edited and claim.version == 1
    assert actions(claim.id) == ["claim_added"]
    event = service.history(claim.id)[0]
    assert event.user_id == editor.id and event.after["content"] == "The talks end on Friday"
    assert search_claims(ClaimFilters(article_id=wire.id)).total == 1  # in the queue
    assert marked(wire) == [(claim.id, "The talks end on Friday")]


def test_add_claim_reuses_the_articles_speaker_by_alias(claims, editor):
    article = claims[0].article
    start, end = span_of(article.text, "the 30-nation security alliance will continue")
    claim = corrections.add_claim(article.id, user=editor, start=start, end=end, speaker="Mr Stoltenberg",
                                  kind="indirect")
    assert claim.speaker_id == claims[0].speaker_id  # "Mr Stoltenberg" is an alias of Jens Stoltenberg


@pytest.mark.parametrize("start, end, field, match", [
    (-1, 5, "start", "outside the article"),
    (0, 10_000, "end", "outside the article"),
    (7, 7, "end", "empty"),
    (9, 3, "end", "empty"),
    ("blank", None, "start", "only spaces"),  # the blank line between paragraphs
    ("x", 5, "start", "whole number"),
    (True, 5, "start", "whole number"),
])
def test_add_claim_refuses_a_bad_span_and_writes_nothing(wire, editor, start, end, field, match):
    if start == "blank":
        start = WIRE.index("\n\n")
        end = start + 2
    before = claim_count()
    with pytest.raises(Invalid, match=match) as info:
        corrections.add_claim(wire.id, user=editor, start=start, end=end, speaker="x", kind="direct")
    assert info.value.details["field"] == field
    db.session.commit()
    assert claim_count() == before


def test_add_claim_refuses_bad_kind_unknown_article_duplicates_and_readers(wire, editor, make_user):
    start, end = span_of(WIRE, "Prices will fall")
    with pytest.raises(Invalid, match="Kind must be one of"):
        corrections.add_claim(wire.id, user=editor, start=start, end=end, kind="rumour")
    with pytest.raises(NotFound):
        corrections.add_claim(99_999, user=editor, start=start, end=end, kind="direct")
    first = corrections.add_claim(wire.id, user=editor, start=start, end=end, kind="direct", speaker="the minister")
    with pytest.raises(DuplicateClaim) as info:
        corrections.add_claim(wire.id, user=editor, start=start, end=end, kind="indirect")
    assert info.value.details["existing_id"] == first.id and info.value.status == 409
    assert claim_count() == 1
    outsider = make_user("editor")
    outsider.active = False
    db.session.commit()
    with pytest.raises(Forbidden):
        corrections.add_claim(wire.id, user=outsider, start=0, end=5, kind="direct")
    assert claim_count() == 1


# --- split ------------------------------------------------------------------------------------

def test_split_a_merged_interrupted_quote_between_its_pieces(wire, editor, make_claim):
    a = span_of(WIRE, "We have seen more drones in the past month than ever before")
    b = span_of(WIRE, "Every air-defence system we deliver saves lives")
    whole = WIRE[a[0]:b[1]]
    claim = make_claim(wire, whole, speaker="Jens Stoltenberg", cue="told", spans=[list(a), list(b)])
    service.link_evidence(claim.id, user=editor, evidence=evidence_input(1))
    version = service.get_claim(claim.id).version
    at = WIRE.index("Stoltenberg told")  # in the narration between the pieces
    first, second = corrections.split_claim(claim.id, user=editor, at=at, version=version)
    assert first.id == claim.id and first.content == WIRE[a[0]:a[1]] and first.spans is None
    assert (second.start, second.end) == b and second.content == "Every air-defence system we deliver saves lives"
    assert second.speaker_id == first.speaker_id and second.cue == "told" and second.kind == "direct"
    assert second.status == "new" and first.status == "in_progress" and len(first.evidence_links) == 1
    assert first.version == version + 1 and second.version == 1
    assert actions(first.id)[-1] == "claim_split" and actions(second.id) == ["claim_added"]
    split = service.history(first.id)[-1]
    assert split.before["spans"] == [list(a), list(b)] and split.after["split_into"] == second.id
    assert service.history(second.id)[0].after["split_from"] == first.id
    # the highlight follows: two marks, none over the narration
    assert marked(wire) == [(first.id, WIRE[a[0]:a[1]]), (second.id, WIRE[b[0]:b[1]])]


def test_split_inside_a_piece_cuts_it_and_trims_the_cut(wire, editor, make_claim):
    claim = make_claim(wire, "We have seen more drones in the past month than ever before", speaker="Jens Stoltenberg")
    at = WIRE.index(" in the past month")
    first, second = corrections.split_claim(claim.id, user=editor, at=at, version=claim.version)
    assert first.content == "We have seen more drones" and second.content == "in the past month than ever before"
    assert second.start == at + 1  # the space at the cut is dropped


@pytest.mark.parametrize("where, match", [("start", "outside"), ("end", "outside"), ("before", "outside"),
                                          ("after-space", "no text"), ("text", "whole number")])
def test_split_refuses_a_point_outside_the_span_or_leaving_no_text(wire, editor, make_claim, where, match):
    claim = make_claim(wire, " the minister said", speaker="the minister")  # as stored, a space first
    at = {"start": claim.start, "end": claim.end, "before": 0, "after-space": claim.start + 1, "text": "12a"}[where]
    with refused(Invalid, claim.id, match) as info:
        corrections.split_claim(claim.id, user=editor, at=at, version=claim.version)
    assert info.value.details["field"] == "at"


def test_split_refuses_a_stale_copy_and_an_approved_claim(claims, editor, to_approved):
    claim = claims[1]
    at = claim.start + 10
    with refused(StaleVersion, claim.id):
        corrections.split_claim(claim.id, user=editor, at=at, version=claim.version + 5)
    approved = to_approved(claims[2].id)
    locked = service.get_claim(approved)
    with refused(BadStatus, approved, "approved"):
        corrections.split_claim(approved, user=editor, at=locked.start + 5, version=locked.version)


# --- merge ------------------------------------------------------------------------------------

def test_merge_with_the_next_spans_both_pieces_and_keeps_the_others_history(wire, editor, make_claim):
    a = make_claim(wire, "Prices will fall", speaker="the minister")
    b = make_claim(wire, "Wages will rise", speaker="the minister")
    service.link_evidence(b.id, user=editor, evidence=evidence_input(2))
    assert corrections.next_claim(a).id == b.id
    pieces = [[a.start, a.end], [b.start, b.end]]
    merged = corrections.merge_claims(a.id, user=editor, with_id=b.id, version=a.version)
    other = service.get_claim(b.id)
    assert merged.id == a.id and merged.spans == pieces and (merged.start, merged.end) == (pieces[0][0], pieces[1][1])
    assert merged.content == WIRE[pieces[0][0]:pieces[1][1]]
    assert [link.evidence.title for link in merged.evidence_links] == ["NATO press release 2"]
    assert other.removed and other.merged_into_id == a.id and other.content == "Wages will rise"
    assert actions(a.id)[-1] == "claims_merged" and actions(b.id)[-1] == "merged_into"
    assert service.history(b.id)[-1].before["content"] == "Wages will rise"  # its history is kept
    assert [c.id for c in claims_of_article(wire.id)] == [a.id]
    assert marked(wire) == [(a.id, "Prices will fall"), (a.id, "Wages will rise")]
    assert search_claims(ClaimFilters(article_id=wire.id)).total == 1
    # the merged-away claim no longer changes, by any action
    with refused(BadStatus, b.id, "merged into claim"):
        service.update_claim(b.id, user=editor, version=other.version, changes={"kind": "indirect"})
    with refused(BadStatus, b.id, "merged"):
        service.take(b.id, user=editor)
    with refused(BadStatus, b.id, "removed"):
        corrections.split_claim(b.id, user=editor, at=b.start + 3, version=other.version)


def test_merge_refuses_other_articles_itself_stale_copies_and_claims_in_review(
        claims, wire, editor, make_claim, to_review):
    a = make_claim(wire, "Prices will fall", speaker="the minister")
    with refused(Invalid, a.id, "different articles"):
        corrections.merge_claims(a.id, user=editor, with_id=claims[0].id, version=a.version)
    with refused(Invalid, a.id, "itself"):
        corrections.merge_claims(a.id, user=editor, with_id=a.id, version=a.version)
    with refused(Invalid, a.id, "no claim #99999"):
        corrections.merge_claims(a.id, user=editor, with_id=99_999, version=a.version)
    b = make_claim(wire, "Wages will rise", speaker="the minister")
    with refused(StaleVersion, a.id):
        corrections.merge_claims(a.id, user=editor, with_id=b.id, version=a.version - 1)
    to_review(b.id)
    with refused(BadStatus, a.id, "waiting for review"):
        corrections.merge_claims(a.id, user=editor, with_id=b.id, version=a.version)
    assert not service.get_claim(b.id).removed


# --- adjust the span, remove --------------------------------------------------------------------

def test_adjust_span_moves_content_and_highlight(wire, editor, make_claim):
    claim = make_claim(wire, "Prices will fall", speaker="the minister")
    old, version = marked(wire), claim.version
    start, end = span_of(WIRE, "Prices will fall,\" the minister said")
    adjusted = corrections.adjust_span(claim.id, user=editor, start=start, end=end + 2, version=version)
    assert (adjusted.start, adjusted.end) == (start, end + 1)  # "… said. ": the trailing space dropped
    assert adjusted.content == 'Prices will fall," the minister said.'
    assert marked(wire) == [(claim.id, 'Prices will fall," the minister said.')] != old
    event = service.history(claim.id)[-1]
    assert event.action == "claim_edited" and event.before["content"] == "Prices will fall"
    with refused(StaleVersion, claim.id):
        corrections.adjust_span(claim.id, user=editor, start=start, end=end, version=version)
    with refused(Invalid, claim.id, "outside"):
        corrections.adjust_span(claim.id, user=editor, start=0, end=len(WIRE) + 1, version=adjusted.version)


def test_remove_takes_a_non_quote_out_of_lists_and_highlights(wire, editor, make_claim):
    claim = make_claim(wire, "The talks end on Friday", speaker="officials", kind="indirect")
    removed = corrections.remove_claim(claim.id, user=editor, reason="Not a quote", version=claim.version)
    assert removed.removed and removed.merged_into_id is None
    assert marked(wire) == [] and search_claims(ClaimFilters()).total == 0
    event = service.history(claim.id)[-1]
    assert event.action == "claim_removed" and event.after["reason"] == "Not a quote"
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.claim_id == claim.id)) == 2
    assert service.allowed_actions(removed, editor).edit is False


# --- the claim form's correction follows the text too (service.update_claim) -------------------------

def test_edited_text_across_a_line_break_moves_the_span_and_the_highlight(make_article, make_claim, editor):
    text = "The mayor said the new bridge will\nopen in May and cost less than planned.\n\nMore later."
    article = make_article(text, title="Wrapped lines")
    claim = make_claim(article, "the new bridge will\nopen in May and cost less than planned", kind="indirect",
                       speaker="the mayor")
    service.update_claim(claim.id, user=editor, version=claim.version,
                         changes={"content": "the new bridge will open in May"})  # typed on one line
    claim = service.get_claim(claim.id)
    assert claim.content == "the new bridge will\nopen in May" == text[claim.start:claim.end]
    assert marked(article) == [(claim.id, "the new bridge will<br>open in May")]


def test_new_offsets_with_the_text_posted_back_unchanged_move_the_text(wire, editor, make_claim):
    claim = make_claim(wire, "Prices will fall", speaker="the minister")
    start, end = span_of(WIRE, "Wages will rise")
    service.update_claim(claim.id, user=editor, version=claim.version,
                         changes={"content": "Prices  will fall", "start": start, "end": end, "kind": "direct"})
    claim = service.get_claim(claim.id)
    assert (claim.start, claim.end, claim.content) == (start, end, "Wages will rise")
    assert marked(wire) == [(claim.id, "Wages will rise")]


# --- the same corrections from the command line -------------------------------------------------

def test_correct_from_the_command_line(runner, wire, editor, make_claim):
    a = make_claim(wire, "Prices will fall", speaker="the minister")
    b = make_claim(wire, "Wages will rise", speaker="the minister")
    start, end = span_of(WIRE, "The talks end on Friday")
    added = runner.invoke(args=["correct", "add", str(wire.id), "--start", str(start), "--end", str(end),
                                "--speaker", "officials", "--kind", "indirect", "--user", editor.email])
    assert added.exit_code == 0 and "The talks end on Friday" in added.output
    merged = runner.invoke(args=["correct", "merge", str(a.id), "--user", editor.email])  # with the next: b
    assert merged.exit_code == 0 and f"merged #{b.id} into #{a.id}" in merged.output
    stale = runner.invoke(args=["correct", "split", str(a.id), "--at", str(b.start), "--version", "1",
                                "--user", editor.email])
    assert stale.exit_code != 0 and "stale_version" in stale.output
    outside = runner.invoke(args=["correct", "split", str(a.id), "--at", "0", "--user", editor.email])
    assert outside.exit_code != 0 and "outside" in outside.output
    db.session.expire_all()
    assert service.get_claim(b.id).merged_into_id == a.id
    assert [e.action for e in service.history(a.id)][-1] == "claims_merged"
    assert service.history(a.id)[-1].user_id == editor.id
    assert runner.invoke(args=["correct", "remove", str(a.id), "--user", "nobody@example.org"]).exit_code != 0
